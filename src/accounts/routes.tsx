/**
 * Signing in and the account pages: /connexion (password, organisation, second factor), /deconnexion,
 * /mon-compte and its forms, and GET /api/v1/moi. Every write is journaled in its transaction.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import QRCode from "qrcode";
import { z } from "zod";
import type { AppContext } from "../context.ts";
import { HttpError, sendPage } from "../platform/http.ts";
import { problem } from "../platform/schema.ts";
import { type Actor, IDLE_MINUTES, ROLES, SECOND_FACTOR_ROLES } from "./model.ts";
import { hashPassword, passwordProblem, verifyDummy, verifyPassword } from "./password.ts";
import {
  clearFailures,
  countFailures,
  countRecoveryCodesLeft,
  createSession,
  createToken,
  findPersonByEmail,
  getPerson,
  journalPages,
  listSessions,
  listTokens,
  membershipsOf,
  recordFailure,
  recordLogin,
  recordTotpStep,
  revokeSession,
  revokeSessionsOf,
  revokeToken,
  setPassword,
  setTotp,
  updateProfile,
  updateSession,
  useRecoveryCode,
  withJournal,
} from "./store.ts";
import { hashRecoveryCode, newRecoveryCodes, newSecret, otpauthUri, verifyTotp } from "./totp.ts";
import { type AccountForm, AccountPage, type AccountProps, SignedIn } from "./views/account.tsx";
import { EnrolPage, LoginPage, RecoveryCodesPage, RolePage, SecondFactorPage } from "./views/signin.tsx";
import {
  authorize,
  checkCsrf,
  cookieNames,
  cookieOptions,
  csrfToken,
  installAccountsWeb,
  journalBy,
  newSecretValue,
  safeReturn,
  sha256,
  signInHref,
} from "./web.ts";

/** 10 failures in 15 minutes, per account and per address, close signing in for 15 minutes. */
const MAX_FAILURES = 10;
const THROTTLE_MS = 15 * 60_000;

const MESSAGES = {
  wrong: "E-mail ou mot de passe incorrect.",
  throttled:
    "Trop de tentatives de connexion ont échoué. Par sécurité, la connexion est suspendue pendant 15 minutes : réessayez plus tard.",
  expired: "Votre session a expiré, reconnectez-vous.",
  loggedOut: "Vous êtes déconnecté.",
  noMembership:
    "Votre compte n'est rattaché à aucune organisation : demandez à votre coordination de vous y ajouter.",
  wrongCode: "Ce code n'est pas le bon. Vérifiez l'heure de votre téléphone et tapez le code affiché.",
  replayed: "Ce code a déjà servi. Attendez que l'application en affiche un nouveau.",
  wrongRecovery: "Ce code de secours n'est pas valable ou a déjà servi.",
};

const str = (v: unknown, max = 1000): string => (typeof v === "string" ? v.slice(0, max) : "");

const formBody = z.record(z.string(), z.union([z.string().max(2000), z.array(z.string().max(2000)).max(5)]));
type Form = Record<string, string | string[]>;

const noStore = (reply: FastifyReply) => reply.header("cache-control", "no-store");

export function registerAccountRoutes(app: FastifyInstance, ctx: AppContext): void {
  installAccountsWeb(app, ctx);
  const db = () => ctx.database.db;
  const now = () => ctx.clock.now();
  const names = cookieNames(ctx.config);
  const cookieOpts = cookieOptions(ctx.config);
  const form = { preValidation: checkCsrf, schema: { body: formBody, hide: true } };

  const page = (reply: FastifyReply, vnode: Parameters<typeof sendPage>[1], status = 200) =>
    sendPage(noStore(reply), vnode, status);

  const loginPage = (
    req: FastifyRequest,
    reply: FastifyReply,
    p: { email?: string; problem?: string; notice?: string; retour?: string },
    status = 200,
  ) => page(reply, LoginPage({ csrf: csrfToken(req, reply), ...p }), status);

  /** Where to go once signed in: the organisation to choose, the second factor, or the page asked for. */
  function nextStep(req: FastifyRequest, retour: string | undefined): string {
    const s = req.signIn;
    const q = retour ? `?retour=${encodeURIComponent(retour)}` : "";
    if (!s) return signInHref(retour);
    if (!s.membership) return `/connexion/role${q}`;
    if (SECOND_FACTOR_ROLES.has(s.membership.role) && !s.session.secondFactorDone)
      return `/connexion/second-facteur${q}`;
    return retour ?? "/mon-compte";
  }

  // ——— /connexion

  app.get<{ Querystring: { retour?: string; expiree?: string; sortie?: string } }>(
    "/connexion",
    { schema: { hide: true } },
    (req, reply) => {
      const retour = safeReturn(req.query.retour);
      if (req.actor) return reply.redirect(retour ?? "/mon-compte", 303);
      if (req.signIn) return reply.redirect(nextStep(req, retour), 303);
      const notice =
        req.query.expiree === "1" || req.sessionGone
          ? MESSAGES.expired
          : req.query.sortie === "1"
            ? MESSAGES.loggedOut
            : undefined;
      if (req.sessionGone) reply.clearCookie(names.session, cookieOpts);
      return loginPage(req, reply, { notice, retour });
    },
  );

  app.post<{ Body: Form }>("/connexion", form, async (req, reply) => {
    const email = str(req.body.email, 320).trim().toLowerCase();
    const password = str(req.body.motdepasse, 300);
    const retour = safeReturn(req.body.retour);
    const at = now();
    const since = new Date(at.getTime() - THROTTLE_MS);
    const keys = [`email:${email}`, `adresse:${req.ip}`];
    const counts = await Promise.all(keys.map((k) => countFailures(db(), k, since)));
    const by = { personId: null, organisationId: null, role: null, address: req.ip };
    if (counts.some((n) => n >= MAX_FAILURES)) {
      await withJournal(
        db(),
        { ...by, at, action: "connexion.bloquee", target: `email:${email}` },
        async () => undefined,
      );
      return loginPage(req, reply, { email, problem: MESSAGES.throttled, retour }, 429);
    }
    const person = email ? await findPersonByEmail(db(), email) : null;
    const ok =
      person?.passwordHash && person.active
        ? await verifyPassword(password, person.passwordHash)
        : await verifyDummy(password);
    if (!ok || !person) {
      await withJournal(
        db(),
        { ...by, at, action: "connexion.echec", target: `email:${email}` },
        async (trx) => {
          for (const k of keys) await recordFailure(trx, k, at);
        },
      );
      return loginPage(req, reply, { email, problem: MESSAGES.wrong, retour }, 401);
    }
    const memberships = await membershipsOf(db(), person.id);
    if (memberships.length === 0)
      return loginPage(req, reply, { email, problem: MESSAGES.noMembership }, 403);
    const only = memberships.length === 1 ? memberships[0] : undefined;
    // A new value at every sign-in: a cookie set before (by anyone) never becomes a session.
    const value = newSecretValue();
    await withJournal(
      db(),
      {
        personId: person.id,
        organisationId: only?.organisationId ?? null,
        role: only?.role ?? null,
        address: req.ip,
        at,
        action: "connexion",
        target: `personne:${person.id}`,
      },
      async (trx) => {
        await createSession(
          trx,
          {
            idHash: sha256(value),
            personId: person.id,
            membershipId: only?.id ?? null,
            csrfSecret: newSecretValue(),
            idleMinutes: only ? IDLE_MINUTES[only.role] : Math.min(...Object.values(IDLE_MINUTES)),
            secondFactorDone: false,
            address: req.ip,
            userAgent: str(req.headers["user-agent"], 300) || null,
          },
          at,
        );
        await recordLogin(trx, person.id, at);
        await clearFailures(trx, `email:${email}`);
      },
    );
    reply.setCookie(names.session, value, { ...cookieOpts, maxAge: 12 * 3600 });
    const q = retour ? `?retour=${encodeURIComponent(retour)}` : "";
    if (!only) return reply.redirect(`/connexion/role${q}`, 303);
    if (SECOND_FACTOR_ROLES.has(only.role)) return reply.redirect(`/connexion/second-facteur${q}`, 303);
    return reply.redirect(retour ?? "/mon-compte", 303);
  });

  /** The signed-in session of a sign-in step, or a redirect to /connexion. */
  function signInOf(req: FastifyRequest) {
    if (!req.signIn) {
      const e = new HttpError(401, "Connexion nécessaire", "Connectez-vous.");
      e.location = signInHref(undefined, req.sessionGone);
      throw e;
    }
    return req.signIn;
  }

  // ——— the organisation to act for

  app.get<{ Querystring: { retour?: string } }>(
    "/connexion/role",
    { schema: { hide: true } },
    (req, reply) => {
      const s = signInOf(req);
      return page(
        reply,
        RolePage({
          csrf: csrfToken(req, reply),
          memberships: s.memberships,
          current: s.membership?.id ?? null,
          retour: safeReturn(req.query.retour),
        }),
      );
    },
  );

  app.post<{ Body: Form }>("/connexion/role", form, async (req, reply) => {
    const s = signInOf(req);
    const retour = safeReturn(req.body.retour);
    const chosen = s.memberships.find((m) => String(m.id) === str(req.body.membre));
    if (!chosen)
      return page(
        reply,
        RolePage({
          csrf: csrfToken(req, reply),
          memberships: s.memberships,
          current: s.membership?.id ?? null,
          retour,
          problem: "Choisissez l'organisation pour laquelle vous agissez.",
        }),
        400,
      );
    await withJournal(
      db(),
      {
        personId: s.person.id,
        organisationId: chosen.organisationId,
        role: chosen.role,
        address: req.ip,
        at: now(),
        action: "connexion.role",
        target: `personne:${s.person.id}`,
        territoryId: chosen.territoryId,
      },
      (trx) =>
        updateSession(trx, s.idHash, { membershipId: chosen.id, idleMinutes: IDLE_MINUTES[chosen.role] }),
    );
    req.signIn = { ...s, membership: chosen };
    return reply.redirect(nextStep(req, retour), 303);
  });

  // ——— the second factor (and its enrolment when the role requires it and none is set)

  const qrSvg = (secret: string, email: string) =>
    QRCode.toString(otpauthUri(secret, email), { type: "svg", margin: 1, errorCorrectionLevel: "M" });

  async function enrolPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: { action: string; secret?: string; problem?: string; retour?: string; account?: Actor },
    status = 200,
  ) {
    const person = req.signIn?.person;
    if (!person) throw new HttpError(401, "Connexion nécessaire", "Connectez-vous.");
    const secret = p.secret ?? newSecret();
    const csrf = csrfToken(req, reply);
    return page(
      reply,
      EnrolPage({
        csrf,
        action: p.action,
        secret,
        qrSvg: await qrSvg(secret, person.email),
        problem: p.problem,
        retour: p.retour,
        account: p.account ? <SignedIn actor={p.account} csrf={csrf} /> : undefined,
      }),
      status,
    );
  }

  /** Confirms an enrolment with a first code; shows the ten recovery codes once. */
  async function confirmEnrolment(
    req: FastifyRequest<{ Body: Form }>,
    reply: FastifyReply,
    action: string,
    next: string,
  ) {
    const s = signInOf(req);
    const secret = str(req.body.cle, 64);
    const retour = safeReturn(req.body.retour);
    const at = now();
    if (!/^[A-Z2-7]{32}$/.test(secret))
      return enrolPage(req, reply, { action, retour, problem: "La clé a été modifiée : recommencez." }, 400);
    const check = verifyTotp(secret, str(req.body.code, 20), at, null);
    if (!check.ok)
      return enrolPage(
        req,
        reply,
        { action, secret, retour, problem: MESSAGES.wrongCode, account: req.actor ?? undefined },
        400,
      );
    const codes = newRecoveryCodes();
    await setTotp(db(), s.person.id, secret, codes.map(hashRecoveryCode), at, journalBy(req));
    await recordTotpStep(db(), s.person.id, check.step);
    await updateSession(db(), s.idHash, { secondFactorDone: true });
    req.signIn = { ...s, session: { ...s.session, secondFactorDone: true } };
    const actor = req.actor;
    return page(
      reply,
      RecoveryCodesPage({
        codes,
        next,
        account: actor ? <SignedIn actor={actor} csrf={csrfToken(req, reply)} /> : undefined,
      }),
    );
  }

  app.get<{ Querystring: { retour?: string } }>(
    "/connexion/second-facteur",
    { schema: { hide: true } },
    async (req, reply) => {
      const s = signInOf(req);
      const retour = safeReturn(req.query.retour);
      if (!s.membership || s.session.secondFactorDone || !SECOND_FACTOR_ROLES.has(s.membership.role))
        return reply.redirect(nextStep(req, retour), 303);
      if (!s.person.hasSecondFactor)
        return enrolPage(req, reply, { action: "/connexion/second-facteur", retour });
      return page(reply, SecondFactorPage({ csrf: csrfToken(req, reply), retour }));
    },
  );

  app.post<{ Body: Form }>("/connexion/second-facteur", form, async (req, reply) => {
    const s = signInOf(req);
    const retour = safeReturn(req.body.retour);
    if (!s.membership) return reply.redirect(nextStep(req, retour), 303);
    if (!s.person.hasSecondFactor) {
      const next = retour ?? "/mon-compte";
      return confirmEnrolment(req, reply, "/connexion/second-facteur", next);
    }
    const at = now();
    const email = `email:${s.person.email}`;
    const again = (problemText: string, status: number) =>
      page(reply, SecondFactorPage({ csrf: csrfToken(req, reply), retour, problem: problemText }), status);
    if ((await countFailures(db(), email, new Date(at.getTime() - THROTTLE_MS))) >= MAX_FAILURES)
      return again(MESSAGES.throttled, 429);
    const by = journalBy(req);
    const fail = async (message: string, reason: string) => {
      await withJournal(
        db(),
        {
          ...by,
          at,
          action: "second-facteur.echec",
          target: `personne:${s.person.id}`,
          details: { raison: reason },
        },
        (trx) => recordFailure(trx, email, at),
      );
      return again(message, 401);
    };
    const recovery = str(req.body.secours, 40).trim();
    const ok = async (how: string) => {
      await withJournal(
        db(),
        {
          ...by,
          at,
          action: "connexion.second-facteur",
          target: `personne:${s.person.id}`,
          details: { par: how },
        },
        (trx) => updateSession(trx, s.idHash, { secondFactorDone: true }),
      );
      req.signIn = { ...s, session: { ...s.session, secondFactorDone: true } };
      return reply.redirect(nextStep(req, retour), 303);
    };
    if (recovery) {
      const used = await useRecoveryCode(db(), s.person.id, hashRecoveryCode(recovery), at);
      return used ? ok("code de secours") : fail(MESSAGES.wrongRecovery, "code de secours");
    }
    const secret = s.person.totpSecret;
    const check = secret ? verifyTotp(secret, str(req.body.code, 20), at, null) : null;
    if (!check?.ok) return fail(MESSAGES.wrongCode, "code");
    if (!(await recordTotpStep(db(), s.person.id, check.step))) return fail(MESSAGES.replayed, "code rejoué");
    return ok("application");
  });

  // ——— /deconnexion

  // Without a live session there is nothing to close: the cookie is cleared whatever the form carries.
  const logoutForm = {
    ...form,
    preValidation: async (req: FastifyRequest) => (req.signIn ? checkCsrf(req) : undefined),
  };
  app.post<{ Body: Form }>("/deconnexion", logoutForm, async (req, reply) => {
    const s = req.signIn;
    if (s)
      await withJournal(
        db(),
        { ...journalBy(req), at: now(), action: "deconnexion", target: `personne:${s.person.id}` },
        (trx) => revokeSession(trx, s.idHash, now()),
      );
    reply.clearCookie(names.session, cookieOpts);
    return reply.redirect("/connexion?sortie=1", 303);
  });

  // ——— /mon-compte

  async function accountPage(
    req: FastifyRequest,
    reply: FastifyReply,
    extra: Partial<Pick<AccountProps, "notice" | "problem" | "newToken">> = {},
    status = 200,
  ) {
    const actor = await authorize(req, ctx, "compte.lire");
    const s = req.signIn;
    const at = now();
    const [person, memberships, sessions, tokens, codesLeft] = await Promise.all([
      getPerson(db(), actor.person.id),
      membershipsOf(db(), actor.person.id),
      listSessions(db(), actor.person.id, at),
      listTokens(db(), actor.person.id),
      countRecoveryCodesLeft(db(), actor.person.id),
    ]);
    if (!person) throw new HttpError(404, "Introuvable", "Ce compte n'existe plus.");
    return page(
      reply,
      AccountPage({
        actor,
        csrf: csrfToken(req, reply),
        person,
        memberships,
        sessions: sessions.map((x) => ({
          ref: x.idHash.slice(0, 16),
          createdAt: x.createdAt,
          lastSeenAt: x.lastSeenAt,
          address: x.address,
          userAgent: x.userAgent,
          current: x.idHash === s?.idHash,
        })),
        tokens,
        codesLeft,
        ...extra,
      }),
      status,
    );
  }

  /** The account page again after a form: its notice, or its problem next to the form (400). */
  const after = (
    req: FastifyRequest,
    reply: FastifyReply,
    form: AccountForm,
    problemText: string | null,
    notice?: string,
  ) =>
    problemText
      ? accountPage(req, reply, { problem: { form, text: problemText } }, 400)
      : accountPage(req, reply, { notice });

  app.get("/mon-compte", { schema: { hide: true } }, (req, reply) => accountPage(req, reply));

  app.post<{ Body: Form }>("/mon-compte/profil", form, async (req, reply) => {
    const actor = await authorize(req, ctx, "compte.lire");
    const name = str(req.body.nom, 300).trim();
    const phone = str(req.body.telephone, 100).trim();
    if (!name || name.length > 200)
      return after(req, reply, "profil", "Indiquez votre nom (200 caractères au plus).");
    if (phone && !/^[0-9+ .()-]{6,30}$/.test(phone))
      return after(
        req,
        reply,
        "profil",
        "Le téléphone ne peut contenir que des chiffres, des espaces et « + ».",
      );
    await updateProfile(db(), actor.person.id, { name, phone: phone || null }, now(), journalBy(req));
    return after(req, reply, "profil", null, "Votre profil est enregistré.");
  });

  app.post<{ Body: Form }>("/mon-compte/mot-de-passe", form, async (req, reply) => {
    const actor = await authorize(req, ctx, "compte.lire");
    const person = await getPerson(db(), actor.person.id);
    const current = str(req.body.actuel, 300);
    const next = str(req.body.nouveau, 300);
    if (!person?.passwordHash || !(await verifyPassword(current, person.passwordHash)))
      return after(req, reply, "motdepasse", "Le mot de passe actuel n'est pas le bon.");
    const weak = passwordProblem(next, [person.email, person.name]);
    if (weak) return after(req, reply, "motdepasse", weak);
    await setPassword(db(), person.id, await hashPassword(next), now(), journalBy(req), req.signIn?.idHash);
    return after(
      req,
      reply,
      "motdepasse",
      null,
      "Votre mot de passe est changé ; vos autres sessions sont fermées.",
    );
  });

  app.get("/mon-compte/second-facteur", { schema: { hide: true } }, async (req, reply) => {
    const actor = await authorize(req, ctx, "compte.lire");
    if (req.signIn?.person.hasSecondFactor) return reply.redirect("/mon-compte#facteur", 303);
    return enrolPage(req, reply, { action: "/mon-compte/second-facteur", account: actor });
  });

  app.post<{ Body: Form }>("/mon-compte/second-facteur", form, async (req, reply) => {
    await authorize(req, ctx, "compte.lire");
    if (req.signIn?.person.hasSecondFactor) return reply.redirect("/mon-compte#facteur", 303);
    return confirmEnrolment(req, reply, "/mon-compte/second-facteur", "/mon-compte");
  });

  app.post<{ Body: Form }>("/mon-compte/codes-de-secours", form, async (req, reply) => {
    const actor = await authorize(req, ctx, "compte.lire");
    const person = await getPerson(db(), actor.person.id);
    const at = now();
    const check = person?.totpSecret ? verifyTotp(person.totpSecret, str(req.body.code, 20), at, null) : null;
    if (!person?.totpSecret || !check?.ok) return after(req, reply, "facteur", MESSAGES.wrongCode);
    if (!(await recordTotpStep(db(), person.id, check.step)))
      return after(req, reply, "facteur", MESSAGES.replayed);
    const codes = newRecoveryCodes();
    await setTotp(db(), person.id, person.totpSecret, codes.map(hashRecoveryCode), at, journalBy(req));
    // setTotp starts the steps over: the code just used stays used.
    await recordTotpStep(db(), person.id, check.step);
    return page(
      reply,
      RecoveryCodesPage({
        codes,
        next: "/mon-compte#facteur",
        account: <SignedIn actor={actor} csrf={csrfToken(req, reply)} />,
      }),
    );
  });

  app.post<{ Body: Form }>("/mon-compte/jetons", form, async (req, reply) => {
    const actor = await authorize(req, ctx, "compte.lire");
    const label = str(req.body.libelle, 200).trim();
    const days = str(req.body.jours, 10).trim();
    if (!label || label.length > 100)
      return after(req, reply, "jetons", "Donnez un nom au jeton (100 caractères au plus).");
    if (days && (!/^\d{1,4}$/.test(days) || Number(days) < 1 || Number(days) > 3650))
      return after(req, reply, "jetons", "La durée est un nombre de jours entre 1 et 3650, ou vide.");
    const at = now();
    const value = `mlg_${newSecretValue()}`;
    await createToken(
      db(),
      {
        personId: actor.person.id,
        label,
        tokenHash: sha256(value),
        expiresAt: days ? new Date(at.getTime() + Number(days) * 86_400_000) : null,
      },
      at,
      journalBy(req),
    );
    return accountPage(req, reply, { newToken: { label, value } });
  });

  app.post<{ Params: { id: string }; Body: Form }>(
    "/mon-compte/jetons/:id/revoquer",
    form,
    async (req, reply) => {
      const actor = await authorize(req, ctx, "compte.lire");
      const id = /^\d{1,9}$/.test(req.params.id) ? Number(req.params.id) : -1;
      const done = id > 0 && (await revokeToken(db(), actor.person.id, id, now(), journalBy(req)));
      return done
        ? after(req, reply, "jetons", null, "Le jeton est révoqué : il ne donne plus accès à l'API.")
        : after(req, reply, "jetons", "Ce jeton n'existe pas ou est déjà révoqué.");
    },
  );

  app.post<{ Params: { ref: string }; Body: Form }>(
    "/mon-compte/sessions/:ref/fermer",
    form,
    async (req, reply) => {
      const actor = await authorize(req, ctx, "compte.lire");
      const at = now();
      const target = (await listSessions(db(), actor.person.id, at)).find(
        (x) => x.idHash.slice(0, 16) === req.params.ref && x.idHash !== req.signIn?.idHash,
      );
      if (!target) return after(req, reply, "sessions", "Cette session est déjà fermée.");
      await withJournal(
        db(),
        { ...journalBy(req), at, action: "session.fermer", target: `personne:${actor.person.id}` },
        (trx) => revokeSession(trx, target.idHash, at),
      );
      return after(req, reply, "sessions", null, "La session est fermée.");
    },
  );

  app.post<{ Body: Form }>("/mon-compte/sessions/fermer-les-autres", form, async (req, reply) => {
    const actor = await authorize(req, ctx, "compte.lire");
    const at = now();
    const n = await withJournal(
      db(),
      (count: number) => ({
        ...journalBy(req),
        at,
        action: "session.fermer-les-autres",
        target: `personne:${actor.person.id}`,
        details: { sessions: count },
      }),
      (trx) => revokeSessionsOf(trx, actor.person.id, at, req.signIn?.idHash),
    );
    return after(
      req,
      reply,
      "sessions",
      null,
      n > 0 ? `${n} autre(s) session(s) fermée(s).` : "Aucune autre session n'était ouverte.",
    );
  });

  app.get("/mon-compte/donnees", { schema: { hide: true } }, async (req, reply) => {
    const actor = await authorize(req, ctx, "compte.lire");
    const id = actor.person.id;
    const at = now();
    const [person, memberships, sessions, tokens] = await Promise.all([
      getPerson(db(), id),
      membershipsOf(db(), id),
      listSessions(db(), id, at),
      listTokens(db(), id),
    ]);
    const journal = [];
    for await (const rows of journalPages(db(), { personId: id })) journal.push(...rows);
    const data = {
      exporteLe: at.toISOString(),
      profil: person && {
        id: person.id,
        email: person.email,
        nom: person.name,
        telephone: person.phone,
        actif: person.active,
        secondFacteur: person.hasSecondFactor,
        creeLe: person.createdAt,
        derniereConnexion: person.lastLoginAt,
      },
      organisations: memberships.map((m) => ({
        organisation: { id: m.organisation.id, nom: m.organisation.name, type: m.organisation.kind },
        role: m.role,
        territoire: m.territoryId,
      })),
      sessions: sessions.map((x) => ({
        ouverteLe: x.createdAt,
        vueLe: x.lastSeenAt,
        adresse: x.address,
        navigateur: x.userAgent,
      })),
      jetons: tokens.map((t) => ({
        id: t.id,
        nom: t.label,
        creeLe: t.createdAt,
        expireLe: t.expiresAt,
        dernierUsage: t.lastUsedAt,
        revoqueLe: t.revokedAt,
      })),
      journal,
    };
    return noStore(reply)
      .type("application/json; charset=utf-8")
      .header("content-disposition", 'attachment; filename="mes-donnees-maillage.json"')
      .send(JSON.stringify(data, null, 2));
  });

  // ——— the API: who am I

  const membershipSchema = z.object({
    id: z.number().int(),
    organisation: z.object({ id: z.number().int(), nom: z.string(), territoire: z.string() }),
    role: z.enum(ROLES),
    territoire: z.string(),
  });
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/v1/moi",
    {
      schema: {
        summary: "À qui appartient ce jeton",
        description:
          "La personne du jeton personnel (`Authorization: Bearer …`) ou de la session, et ses organisations avec leur rôle.",
        response: {
          200: z
            .object({
              personne: z.object({ id: z.number().int(), email: z.string(), nom: z.string() }),
              agitPour: membershipSchema,
              organisations: z.array(membershipSchema),
            })
            .describe("La personne et ses rôles."),
          401: problem("Sans jeton, ou jeton révoqué ou expiré."),
        },
      },
    },
    async (req) => {
      const actor = await authorize(req, ctx, "compte.lire");
      const memberships = await membershipsOf(db(), actor.person.id);
      const json = (m: (typeof memberships)[number]) => ({
        id: m.id,
        organisation: {
          id: m.organisation.id,
          nom: m.organisation.name,
          territoire: m.organisation.territoryId,
        },
        role: m.role,
        territoire: m.territoryId,
      });
      const current = memberships.find((m) => m.id === actor.membership.id) ?? memberships[0];
      if (!current) throw new HttpError(401, "Connexion nécessaire", "Ce compte n'a plus d'organisation.");
      return {
        personne: { id: actor.person.id, email: actor.person.email, nom: actor.person.name },
        agitPour: json(current),
        organisations: memberships.map(json),
      };
    },
  );
}
