/**
 * The web side of accounts, what every capability's pages and API use: the session cookie and the actor of a
 * request (`req.actor`), the CSRF token of forms (`csrfField`, `checkCsrf`), and `authorize`, which asks the one
 * policy and turns a refusal into the house's 401/403 (a page without a session redirects to /connexion).
 */
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import cookie from "@fastify/cookie";
import csrfProtection from "@fastify/csrf-protection";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.ts";
import type { Config } from "../platform/config.ts";
import { HttpError } from "../platform/http.ts";
import { accessOf, gateDecision, ROUTE_ACCESS, routesOf } from "./access.ts";
import { type Actor, SECOND_FACTOR_ROLES, SESSION_ABSOLUTE_HOURS } from "./model.ts";
import { type Action, can, type Scope } from "./policy.ts";
import {
  accountsGeneration,
  appendJournal,
  findSession,
  findToken,
  getPerson,
  type JournalBy,
  type MembershipWithOrganisation,
  membershipsOf,
  type Session,
  type StoredPerson,
  touchSession,
} from "./store.ts";

/** The live session of the cookie, even when it gives no actor yet (role to choose, second factor to pass). */
interface SignIn {
  idHash: string;
  session: Session;
  person: StoredPerson;
  memberships: MembershipWithOrganisation[];
  /** The membership the session acts for, once chosen. */
  membership: MembershipWithOrganisation | null;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Who makes the request (a live session past its second factor, or a personal API token); null otherwise. */
    actor: Actor | null;
    /** The session of the cookie when it is live (set on every request that carries one). */
    signIn: SignIn | null;
    /** A session cookie came whose session is no longer live (logged out, expired, revoked). */
    sessionGone: boolean;
  }
}

/** A session is marked seen at most once a minute (its idle timeout counts from there). */
const TOUCH_EVERY_MS = 60_000;

/** How long a live session read from the database is reused without asking again (never a refusal). */
const SESSION_CACHE_MS = 5_000;
const SESSION_CACHE_MAX = 10_000;

/** A live session as read, with its person and memberships, kept a few seconds (see `resolveActor`). */
interface CachedSession {
  until: number;
  generation: number;
  session: Session;
  person: StoredPerson;
  memberships: MembershipWithOrganisation[];
}

/** Whether a session read earlier is still within its idle and absolute lifetimes at `now` (ms). */
const withinLifetime = (s: Session, now: number) =>
  s.lastSeenAt.getTime() + s.idleMinutes * 60_000 > now &&
  s.createdAt.getTime() > now - SESSION_ABSOLUTE_HOURS * 3_600_000;

export const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

/** A new secret value for a cookie or a token: 32 random bytes, base64url. */
export const newSecretValue = (): string => randomBytes(32).toString("base64url");

const https = (config: Config) => config.publicUrl?.startsWith("https://") ?? false;

/** Cookie names: `__Host-` (only over https, path /, no domain) when the public URL is https. */
export function cookieNames(config: Config): { session: string; csrf: string } {
  return https(config)
    ? { session: "__Host-maillage-session", csrf: "__Host-maillage-csrf" }
    : { session: "maillage-session", csrf: "maillage-csrf" };
}

export function cookieOptions(config: Config) {
  return { path: "/", httpOnly: true, sameSite: "lax" as const, secure: https(config) };
}

/** One cookie of the request's header, read without the cookie plugin (the actor hook runs before it). */
function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== "string" || !header.includes(name)) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The key that binds CSRF tokens (HMAC): MAILLAGE_SECRET when set, else a random one kept in the data folder,
 * so that every server sharing a database and a secret accepts the others' forms.
 */
function csrfKey(config: Config): string {
  if (config.secret) return createHash("sha256").update(`csrf|${config.secret}`).digest("base64url");
  const file = join(config.dataDir, "accounts-secret");
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString("hex"), { flag: "wx", mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    chmodSync(file, 0o600);
  }
  return readFileSync(file, "utf8").trim();
}

/**
 * What a CSRF token is bound to: the live session when there is one (a new session, new tokens), else nothing
 * personal (the sign-in form). A dead cookie does not count: the sign-in page clears it.
 */
function userInfoOf(req: FastifyRequest): string {
  return req.signIn ? req.signIn.idHash : "anonyme";
}

/** The token to put in a form's hidden `_csrf` field (sets the CSRF cookie when the browser has none). */
export function csrfToken(req: FastifyRequest, reply: FastifyReply): string {
  return reply.generateCsrf({ userInfo: userInfoOf(req) });
}

const CSRF_REFUSED = new HttpError(
  403,
  "Formulaire refusé",
  "Ce formulaire a expiré ou ne vient pas de Maillage : rien n'a été enregistré. Rechargez la page et recommencez.",
);

/**
 * Refuses a form without the right CSRF token (hidden `_csrf`), before anything is read or changed. Use it as the
 * `preValidation` of every state-changing form route (the body is parsed, not yet validated: a schema may drop
 * `_csrf`).
 */
export async function checkCsrf(req: FastifyRequest): Promise<void> {
  let refused = false;
  // The plugin answers a refusal with `reply.send(error)`: caught here to give the French page instead.
  const catcher = {
    send: () => {
      refused = true;
    },
  } as unknown as FastifyReply;
  req.server.csrfProtection(req, catcher, () => {});
  if (refused) throw CSRF_REFUSED;
}

/**
 * Resolves the actor of a request: session cookie, or `Authorization: Bearer` with a personal token on /api/.
 * A live session found in the database is kept in `cache` for a few seconds: dropped at once when the accounts'
 * store writes anything in this process (`accountsGeneration`), when its lifetime ends, and when the minute's
 * `touchSession` finds it revoked; another process's revocation is seen within `SESSION_CACHE_MS`. A session
 * not found is never cached.
 */
async function resolveActor(
  ctx: AppContext,
  req: FastifyRequest,
  cache: Map<string, CachedSession>,
): Promise<void> {
  req.actor = null;
  req.signIn = null;
  req.sessionGone = false;
  const value = readCookie(req, cookieNames(ctx.config).session);
  const auth = req.headers.authorization;
  const bearer =
    typeof auth === "string" && auth.startsWith("Bearer ") && req.url.startsWith("/api/")
      ? auth.slice("Bearer ".length).trim()
      : undefined;
  // Public pages: no cookie and no token, no query.
  if (!value && !bearer) return;
  const db = ctx.database.db;
  const now = ctx.clock.now();
  if (bearer) {
    const token = await findToken(db, sha256(bearer), now);
    if (!token) return;
    const [person, memberships] = await Promise.all([
      getPerson(db, token.personId),
      membershipsOf(db, token.personId),
    ]);
    const m = memberships[0];
    if (person && m) req.actor = actorOf(person, m, "token");
    return;
  }
  if (!value) return;
  const idHash = sha256(value);
  const at = now.getTime();
  let live = cache.get(idHash);
  if (
    live &&
    (live.generation !== accountsGeneration() || at >= live.until || !withinLifetime(live.session, at))
  ) {
    cache.delete(idHash);
    live = undefined;
  }
  if (!live) {
    // Read before the queries: a write meanwhile makes this entry stale at once.
    const generation = accountsGeneration();
    const session = await findSession(db, idHash, now);
    if (!session) {
      req.sessionGone = true;
      return;
    }
    const [person, memberships] = await Promise.all([
      getPerson(db, session.personId),
      membershipsOf(db, session.personId),
    ]);
    if (!person) return;
    live = { until: at + SESSION_CACHE_MS, generation, session, person, memberships };
    if (cache.size >= SESSION_CACHE_MAX) cache.clear();
    cache.set(idHash, live);
  }
  const { session, person, memberships } = live;
  if (at - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    if (!(await touchSession(db, idHash, now))) {
      cache.delete(idHash);
      req.sessionGone = true;
      return;
    }
    live.session = { ...session, lastSeenAt: now };
  }
  const membership = memberships.find((m) => m.id === session.membershipId) ?? null;
  req.signIn = { idHash, session, person, memberships, membership };
  if (membership && (session.secondFactorDone || !SECOND_FACTOR_ROLES.has(membership.role)))
    req.actor = actorOf(person, membership, "session");
}

function actorOf(person: StoredPerson, m: MembershipWithOrganisation, via: Actor["via"]): Actor {
  const { organisation, ...membership } = m;
  return {
    person: { id: person.id, email: person.email, name: person.name },
    membership,
    organisation: {
      id: organisation.id,
      name: organisation.name,
      territoryId: organisation.territoryId,
      placeIds: organisation.placeIds,
    },
    via,
  };
}

/**
 * Installs cookies, CSRF and the actor hook. Call it before any other route is declared (the accounts capability
 * comes first in capabilities.ts).
 */
export function installAccountsWeb(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest("actor", null);
  app.decorateRequest("signIn", null);
  app.decorateRequest("sessionGone", false);
  app.register(cookie);
  app.register(csrfProtection, {
    cookieKey: cookieNames(ctx.config).csrf,
    cookieOpts: cookieOptions(ctx.config),
    getUserInfo: userInfoOf,
    csrfOpts: { hmacKey: csrfKey(ctx.config) },
    logLevel: "debug",
  });
  const sessions = new Map<string, CachedSession>();
  app.addHook("onRequest", async (req) => resolveActor(ctx, req, sessions));
  app.addHook("onRequest", async (req) => gate(req, ctx));
  app.addHook("onReady", async () => {
    for (const r of routesOf(app))
      if (accessOf(r.method, r.url) === undefined)
        app.log.error({ route: `${r.method} ${r.url}` }, "route sans règle d'accès (refusée)");
  });
}

const NO_RULE = new HttpError(403, "Accès refusé", "Cette adresse n'a pas de règle d'accès.");

/**
 * The route access table's gate (src/accounts/access.ts), right after the actor is known: a route that needs a
 * sign-in answers 401 (a page: the sign-in page), a role without any reach for the route's action 403, a route
 * missing from the table 403 (logged). Unknown addresses (404) go on to the not-found handler.
 */
async function gate(req: FastifyRequest, ctx: AppContext): Promise<void> {
  const url = req.routeOptions.url;
  if (url === undefined) return;
  const access = accessOf(req.method, url, ROUTE_ACCESS);
  const decision = gateDecision(access, req.actor, req.signIn !== null);
  if (decision === "ok") return;
  if (decision === 401) throw signInNeeded(req, "Connectez-vous pour accéder à cette page.");
  if (decision === "no-rule" || access === undefined) {
    req.log.error({ route: `${req.method} ${url}` }, "route sans règle d'accès (refusée)");
    throw NO_RULE;
  }
  // 403: the role has no reach at all for the route's action; the policy words why, `authorize` journals it.
  await authorize(req, ctx, access as Action);
}

/** 401: a page sends to the sign-in page (and back), the API answers problem+json. */
function signInNeeded(req: FastifyRequest, reason: string): HttpError {
  const e = new HttpError(401, "Connexion nécessaire", reason);
  if (!req.url.startsWith("/api/")) e.location = signInHref(req.url, req.sessionGone);
  return e;
}

/** Who does a change, for the journal. */
export function journalBy(req: FastifyRequest): JournalBy {
  const a = req.actor;
  const m = a?.membership ?? req.signIn?.membership ?? null;
  return {
    personId: a?.person.id ?? req.signIn?.person.id ?? null,
    organisationId: m?.organisationId ?? null,
    role: m?.role ?? null,
    address: req.ip,
  };
}

/** A same-site path to come back to after signing in (never another site: `//x`, `/\x`, schemes). */
export function safeReturn(raw: unknown): string | undefined {
  if (typeof raw !== "string" || raw.length > 500) return undefined;
  if (!/^\/(?![/\\])[^\s\\]*$/.test(raw)) return undefined;
  if (raw.startsWith("/connexion") || raw.startsWith("/deconnexion")) return undefined;
  return raw;
}

/** The sign-in page, coming back to `path` afterwards (and saying why when the session just expired). */
export function signInHref(path: string | undefined, expired = false): string {
  const q = new URLSearchParams();
  const back = safeReturn(path);
  if (back) q.set("retour", back);
  if (expired) q.set("expiree", "1");
  const s = q.toString();
  return s ? `/connexion?${s}` : "/connexion";
}

/**
 * Asks the policy whether the request's actor may do `action` on `scope`; throws 401 (a page redirects to
 * /connexion) or 403 otherwise. A refused write is journaled (`acces.refuse`).
 */
export async function authorize(
  req: FastifyRequest,
  ctx: AppContext,
  action: Action,
  scope: Scope = {},
): Promise<Actor> {
  const decision = can(req.actor, action, scope, (inner, outer) => within(ctx, inner, outer));
  if (decision.allowed && req.actor) return req.actor;
  const reason = decision.allowed ? "Connectez-vous pour accéder à cette page." : decision.reason;
  if (!req.actor) throw signInNeeded(req, reason);
  if (req.method !== "GET" && req.method !== "HEAD")
    await appendJournal(ctx.database.db, {
      ...journalBy(req),
      at: ctx.clock.now(),
      action: "acces.refuse",
      target: scope.organisationId !== undefined ? `organisation:${scope.organisationId}` : null,
      territoryId: scope.territoryId ?? null,
      details: { action, adresse: req.routeOptions.url ?? null },
    });
  throw new HttpError(403, "Accès refusé", reason);
}

/** Whether a territory lies within another (or is it), by the referential. */
export function within(ctx: AppContext, inner: string, outer: string): boolean {
  if (inner === outer) return true;
  const t = ctx.territories.get(inner);
  return t !== undefined && ctx.territories.parentsOf(t).some((p) => p.id === outer);
}
