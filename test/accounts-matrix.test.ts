/**
 * The route × role matrix: every route the real server registers, requested by an anonymous visitor and by a
 * signed-in person of each role, answers as the route access table (src/accounts/access.ts) says. A route missing
 * from the table, or an entry naming no route, fails here.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type Access,
  accessOf,
  checkTable,
  gateDecision,
  ROUTE_ACCESS,
  type RouteKey,
  routesOf,
} from "../src/accounts/access.ts";
import { type Actor, IDLE_MINUTES, ROLES, type Role } from "../src/accounts/model.ts";
import {
  addMembership,
  BY_SYSTEM,
  createOrganisation,
  createPerson,
  createSession,
  deactivatePerson,
  findSession,
  revokeSession,
} from "../src/accounts/store.ts";
import { newSecretValue, sha256 } from "../src/accounts/web.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

/** Registered by this test only, without a table entry: the gate must refuse it and the check must report it. */
const UNLISTED = "/essai/sans-regle";

let server: TestServer;
const db = () => server.ctx.database.db;
const now = () => new Date();

/** A caller: anonymous, or a person of one role with a live session; keeps its CSRF cookie and token. */
interface Caller {
  label: string;
  role: Role | null;
  personId?: number;
  membershipId?: number;
  session?: string;
  cookies: Map<string, string>;
  csrf: string;
}

const callers: Caller[] = [];

async function request(c: Caller, method: string, path: string, form?: Record<string, string>) {
  const headers: Record<string, string> = {};
  const cookies = new Map(c.cookies);
  if (c.session) cookies.set("maillage-session", c.session);
  if (cookies.size > 0) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  let body: string | undefined;
  if (form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(form).toString();
  }
  const res = await fetch(server.url + path, { method, headers, body, redirect: "manual" });
  for (const sc of res.headers.getSetCookie()) {
    const [pair = ""] = sc.split(";");
    const eq = pair.indexOf("=");
    if (pair.slice(0, eq) === "maillage-csrf") c.cookies.set("maillage-csrf", pair.slice(eq + 1));
  }
  const text = method === "HEAD" ? "" : await res.text();
  return { status: res.status, location: res.headers.get("location"), text };
}

/** A new live session for the caller (second factor passed), and the CSRF token of a form bound to it. */
async function signIn(c: Caller): Promise<void> {
  if (c.role && c.personId !== undefined) {
    c.session = newSecretValue();
    await createSession(
      db(),
      {
        idHash: sha256(c.session),
        personId: c.personId,
        membershipId: c.membershipId ?? null,
        csrfSecret: "",
        idleMinutes: IDLE_MINUTES[c.role],
        secondFactorDone: true,
      },
      now(),
    );
  }
  const page = await request(c, "GET", c.role ? "/mon-compte" : "/connexion");
  assert.equal(page.status, 200, `${c.label}: form page`);
  const m = /name="_csrf" value="([^"]+)"/.exec(page.text);
  assert.ok(m?.[1], `${c.label}: a CSRF token`);
  c.csrf = m[1];
}

/** Some requests close the session (sign-out): open a new one before the next request. */
async function keepSignedIn(c: Caller): Promise<void> {
  if (c.session && !(await findSession(db(), sha256(c.session), now()))) await signIn(c);
}

/** The actor the gate sees for a caller (only the role matters to it). */
const actorOf = (c: Caller): Actor | null =>
  c.role ? ({ membership: { role: c.role } } as unknown as Actor) : null;

/**
 * Sample paths of routes whose parameters need another value than 1 (one line per route). Organisation 1 is the
 * Creuse one every caller but the admin belongs to, person 1 its coordinator: a target within every role's reach.
 */
const SAMPLES: Record<string, string> = {};

/** A path for a route pattern: every parameter given a sample value. */
const samplePath = (url: string) => SAMPLES[url] ?? url.replace(/:[A-Za-z]+/g, "1");

/**
 * Answers of a handler that look like a refusal but are not: an empty sign-in form is a failed sign-in, answered
 * 401 with the form again (as a wrong password).
 */
const HANDLER_401: Record<string, RegExp> = { "POST /connexion": /name="motdepasse"/ };

/**
 * Refusals of a handler beyond the role: creating a mandate needs an habilitation the callers of this test do not
 * have (the table lets aidants in; the handler says why this one may not).
 */
const HANDLER_403: Record<string, RegExp> = {
  "GET /mandats/nouveau": /aidant habilité/,
  "HEAD /mandats/nouveau": /^$/,
  "POST /mandats/nouveau": /aidant habilité/,
};

/** A refusal that sends to the sign-in page (the sign-out's « vous êtes déconnecté » is not one). */
const toSignIn = (r: { status: number; location: string | null }) =>
  r.status === 303 && (r.location ?? "").startsWith("/connexion") && !(r.location ?? "").includes("sortie=1");

before(async () => {
  server = await startTestServer({
    configure: (app) => app.get(UNLISTED, async () => ({ ok: true })),
  });
  const at = now();
  const creuse = await createOrganisation(
    db(),
    { name: "France Services de Guéret", kind: "france-services", siret: null, territoryId: "23" },
    at,
    BY_SYSTEM,
  );
  const instance = await createOrganisation(
    db(),
    { name: "Instance de test", kind: "autre", siret: null, territoryId: "france" },
    at,
    BY_SYSTEM,
  );
  assert.equal(creuse.id, 1, "sample ids: organisation 1 is the Creuse one");
  callers.push({ label: "anonyme", role: null, cookies: new Map(), csrf: "" });
  // The admin last: person 1 is the Creuse coordinator.
  for (const role of [...ROLES.filter((r) => r !== "admin"), "admin" as const]) {
    const p = await createPerson(
      db(),
      { email: `matrice-${role}@example.org`, name: `Personne ${role}` },
      at,
      BY_SYSTEM,
    );
    const m = await addMembership(
      db(),
      { personId: p.id, organisationId: role === "admin" ? instance.id : creuse.id, role },
      at,
      BY_SYSTEM,
    );
    callers.push({ label: role, role, personId: p.id, membershipId: m.id, cookies: new Map(), csrf: "" });
  }
  // The routes that change or remove a person's roles, or deactivate them, each act on a person of their own (not on
  // the callers, nor on one another's target).
  const target = async (route: string) => {
    const p = await createPerson(
      db(),
      { email: `matrice-${route}@example.org`, name: "Personne cible" },
      at,
      BY_SYSTEM,
    );
    const m = await addMembership(
      db(),
      { personId: p.id, organisationId: creuse.id, role: "mediateur" },
      at,
      BY_SYSTEM,
    );
    return { person: `/admin/personnes/${p.id}`, mid: m.id };
  };
  const [changed, removed, deactivated] = [
    await target("role"),
    await target("retrait"),
    await target("desactivation"),
  ];
  Object.assign(SAMPLES, {
    "/admin/personnes/:id/roles/:mid": `${changed.person}/roles/${changed.mid}`,
    "/admin/personnes/:id/roles/:mid/retirer": `${removed.person}/roles/${removed.mid}/retirer`,
    "/admin/personnes/:id/desactiver": `${deactivated.person}/desactiver`,
  });
  for (const c of callers) await signIn(c);
});
after(() => server?.close());

describe("the route access table", () => {
  test("covers every registered route and names no route that does not exist", () => {
    const routes = routesOf(server.app);
    assert.ok(routes.length > 100, `${routes.length} routes read from the router`);
    const { missing, unknown } = checkTable(routes);
    // The one route this test registered without an entry is reported; nothing else is.
    assert.deepEqual(missing, [`GET ${UNLISTED}`, `HEAD ${UNLISTED}`]);
    assert.deepEqual(unknown, []);
  });

  test("the check reports a route added without an entry, and an entry for no route", () => {
    const routes: RouteKey[] = [
      { method: "GET", url: "/lieux" },
      { method: "HEAD", url: "/lieux" },
      { method: "POST", url: "/lieux/:id/modifier" },
    ];
    const table: Record<string, Access> = { "GET /lieux": "public", "GET /ailleurs": "public" };
    assert.deepEqual(checkTable(routes, table), {
      missing: ["POST /lieux/:id/modifier"],
      unknown: ["GET /ailleurs"],
    });
  });

  test("a route without an entry is refused to everyone with a French 403", async () => {
    for (const c of callers) {
      const r = await request(c, "GET", UNLISTED);
      assert.equal(r.status, 403, c.label);
      assert.match(r.text, /Cette adresse n(&#x27;|&#39;|')a pas de règle d(&#x27;|&#39;|')accès/, c.label);
    }
  });
});

describe("every route × anonymous and every role", () => {
  test("answers as the table says", async () => {
    const failures: string[] = [];
    const routes = routesOf(server.app);
    for (const route of routes) {
      const access = accessOf(route.method, route.url);
      const path = samplePath(route.url);
      const answers: number[] = [];
      for (const c of callers) {
        await keepSignedIn(c);
        // An empty form, with the caller's CSRF token so that the form's own check does not answer first.
        const form = route.method === "POST" ? { _csrf: c.csrf } : undefined;
        const r = await request(c, route.method, path, form);
        answers.push(r.status);
        const what = `${route.method} ${route.url} (${c.label}) → ${r.status} ${r.location ?? ""}`;
        if (access === "machine") continue;
        const expected = gateDecision(access, actorOf(c), c.session !== undefined);
        const own = HANDLER_401[`${route.method} ${route.url}`];
        const handler403 = HANDLER_403[`${route.method} ${route.url}`];
        const refused =
          (r.status === 401 && !own?.test(r.text)) ||
          (r.status === 403 && !handler403?.test(r.text)) ||
          toSignIn(r);
        if (expected === "ok" && refused) failures.push(`refused but allowed by the table: ${what}`);
        if (expected === 401 && !(route.url.startsWith("/api/") ? r.status === 401 : toSignIn(r)))
          failures.push(`not sent to sign in: ${what}`);
        if ((expected === 403 || expected === "no-rule") && r.status !== 403)
          failures.push(`not refused (403): ${what}`);
      }
      // A machine route: a person's session opens nothing more than anonymous gets.
      if (access === "machine" && new Set(answers).size !== 1)
        failures.push(`${route.method} ${route.url}: machine route answers ${answers.join(", ")}`);
    }
    assert.deepEqual(failures, []);
    assert.ok(Object.keys(ROUTE_ACCESS).length > 50);
  });
});

describe("the short cache of live sessions", () => {
  test("a session revoked or a person deactivated in this process is refused at the next request", async () => {
    const c = callers.find((x) => x.role === "mediateur");
    assert.ok(c?.session && c.personId !== undefined);
    await keepSignedIn(c);
    assert.equal((await request(c, "GET", "/mon-compte")).status, 200);
    assert.equal((await request(c, "GET", "/mon-compte")).status, 200, "served from the cache");
    await revokeSession(db(), sha256(c.session), now());
    const r = await request(c, "GET", "/mon-compte");
    assert.ok(toSignIn(r), `${r.status} ${r.location}`);
    await signIn(c);
    assert.equal((await request(c, "GET", "/api/v1/moi")).status, 200);
    await deactivatePerson(db(), c.personId, now(), BY_SYSTEM);
    assert.equal((await request(c, "GET", "/api/v1/moi")).status, 401);
  });
});
