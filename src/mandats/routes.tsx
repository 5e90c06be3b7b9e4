/**
 * The mandates' pages and API. Every write asks the one policy (`authorize`) and is journaled in its transaction by
 * the store; a refused use or creation is journaled too (nothing else is written). Pages for aidants: /mandats,
 * /mandats/nouveau, /mandats/:id (+ attestation, utilisation, revocation, transfert); for coordinators:
 * /mandats/habilitations; public: /mandats/verifier, /mes-mandats. API (personal tokens): /api/v1/mandats/…
 */
import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import QRCode from "qrcode";
import { z } from "zod";
import type { Actor } from "../accounts/model.ts";
import { type Action, can, type Scope } from "../accounts/policy.ts";
import {
  appendJournal,
  clearFailures,
  countFailures,
  getOrganisation,
  getPerson,
  listOrganisations,
  membersOf,
  recordFailure,
} from "../accounts/store.ts";
import { SignedIn } from "../accounts/views/account.tsx";
import { authorize, checkCsrf, csrfToken, journalBy, within as territoryWithin } from "../accounts/web.ts";
import type { AppContext } from "../context.ts";
import { newCode, readCode } from "../pass/code.ts";
import { zoneOfTerritory } from "../places/hours.ts";
import { dayIn } from "../platform/clock.ts";
import { HttpError, publicBase, sendPage, sendProblem } from "../platform/http.ts";
import { problem, problemWith } from "../platform/schema.ts";
import {
  authorisationState,
  CURRENT_CHARTER,
  CURRENT_TEMPLATE,
  DEMARCHES,
  type Demarche,
  expiryOf,
  hashOf,
  isRealDay,
  type MandatInput,
  normaliseDate,
  personKey,
  REFUSAL_STATUS,
  REMINDER_DAYS,
  readHash,
  USE_REFUSALS,
  type UseRefusal,
  useRefusal,
  validateMandat,
} from "./model.ts";
import {
  askRevocation,
  createMandat,
  endingSoon,
  familiesOf,
  getMandat,
  habilitate,
  habilitationsOf,
  journalRead,
  listMandats,
  type Mandat,
  mandatByCode,
  mandatByHash,
  mandatsOfPerson,
  pendingRequests,
  recordUse,
  revocationsOf,
  revoke,
  setFamilies,
  standingOf,
  transfer,
  usesOf,
  withdrawHabilitation,
} from "./store.ts";
import {
  type AttestationData,
  AttestationPage,
  DraftPage,
  emptyInput,
  HabilitationsPage,
  type MandatNav,
  MandatPage,
  MandatsPage,
  NewMandatPage,
  OrganisationHabilitationsPage,
  PersonPage,
  RevocationPage,
  RevokePage,
  running,
  TransferPage,
  UsePage,
  type Verification,
  VerifyPage,
} from "./views.tsx";

const PAGE_SIZE = 50;
/** Where the aidant's name goes on a mandate transferred from another organisation, until it is signed here. */
const UNSIGNED_AIDANT = "(aidant qui recueille la signature : nom à écrire à la main)";
const formBody = z.record(z.string(), z.union([z.string().max(2000), z.array(z.string().max(200)).max(50)]));
type Form = Record<string, string | string[]>;
const str = (v: unknown, max = 200): string => (typeof v === "string" ? v.trim().slice(0, max) : "");
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === "string" && v ? [v] : [];
const intParam = (raw: string): number => (/^\d{1,9}$/.test(raw) ? Number(raw) : -1);
const isDemarche = (d: string): d is Demarche => (DEMARCHES as readonly string[]).includes(d);

/** What is wrong with a typed code, for the person (the codes are those of pass cheques: same alphabet, same check). */
const CODE_PROBLEMS: Record<"vide" | "longueur" | "caractere" | "faute", string> = {
  vide: "Tapez le code écrit en bas de votre mandat.",
  longueur: "Le code a 10 caractères : vérifiez-le sur votre mandat.",
  caractere:
    "Ce code contient un caractère qui n'existe pas dans les codes (ni 0, ni 1, ni I, ni L, ni O) : vérifiez-le.",
  faute: "Ce code contient une faute de frappe : vérifiez chaque caractère avec votre mandat.",
};

/** Wrong codes or birth dates from one address before the person's view closes for an hour. */
const PERSON_TRIES_PER_HOUR = 10;
/** Tries on one mandate's view in a day, from anywhere, before it closes until the next day. */
const PERSON_TRIES_PER_MANDAT_PER_DAY = 5;

/** The input of a new mandate from a posted form (the birth date as people write it). */
function inputOf(body: Form): MandatInput {
  return {
    demarches: list(body.demarches),
    duration: str(body.duree, 10),
    givenNames: str(body.prenoms, 200),
    familyName: str(body.nom, 200),
    birthDate: str(body.date_naissance, 20),
    birthPlace: str(body.lieu_naissance, 200),
    document: str(body.piece, 40),
    contact: str(body.contact, 250),
    checklist: list(body.verifications),
  };
}

export function registerMandatRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = () => ctx.database.db;
  const now = () => ctx.clock.now();
  const api = app.withTypeProvider<ZodTypeProvider>();
  const page = (reply: FastifyReply, vnode: Parameters<typeof sendPage>[1], status = 200) =>
    sendPage(reply.header("cache-control", "no-store"), vnode, status);
  const within = (inner: string, outer: string) => territoryWithin(ctx, inner, outer);
  const allowed = (actor: Actor, action: Action, scope: Scope) => can(actor, action, scope, within).allowed;
  const own = (actor: Actor | null): Scope => ({
    organisationId: actor?.organisation.id ?? -1,
    territoryId: actor?.organisation.territoryId,
  });
  const scopeOf = (m: Mandat): Scope => ({ organisationId: m.organisationId, territoryId: m.territoryId });
  const zoneOf = (territoryId: string) => zoneOfTerritory(ctx.territories, territoryId);
  const verifyUrl = (hash: string) => `${publicBase(app, ctx.config)}/mandats/verifier/${hash}`;

  function nav(req: FastifyRequest, reply: FastifyReply, actor: Actor): MandatNav {
    const csrf = csrfToken(req, reply);
    const links: MandatNav["links"] = [];
    if (allowed(actor, "mandat.consulter", own(actor))) {
      links.push({ href: "/mandats", label: "Mandats" });
      links.push({ href: "/mandats/nouveau", label: "Nouveau mandat" });
    }
    if (allowed(actor, "aidant.habiliter", { territoryId: actor.membership.territoryId }))
      links.push({ href: "/mandats/habilitations", label: "Habilitation des aidants" });
    links.push({ href: "/mandats/verifier", label: "Vérifier un mandat" });
    return { csrf, account: <SignedIn actor={actor} csrf={csrf} />, links };
  }

  /** Names of people, read once per request; a mandate transferred here has no aidant until it is signed. */
  async function namesOf(ids: Iterable<number | null>): Promise<(id: number | null) => string> {
    const names = new Map<number, string>();
    for (const id of new Set(ids))
      if (id !== null) names.set(id, (await getPerson(db(), id))?.name ?? `personne n° ${id}`);
    return (id) => (id === null ? UNSIGNED_AIDANT : (names.get(id) ?? `personne n° ${id}`));
  }
  const organisationName = async (id: number) =>
    (await getOrganisation(db(), id))?.name ?? `organisation n° ${id}`;

  async function mandatOr404(raw: string): Promise<Mandat> {
    const m = await getMandat(db(), intParam(raw));
    if (!m) throw new HttpError(404, "Introuvable", "Ce mandat n'existe pas.");
    return m;
  }

  /**
   * A mandate the actor may act on for `action`: one of their own organisation (never another's, not even for an
   * administrator of the instance), and only while they are habilitated there. 403 otherwise, journaled for writes.
   */
  async function mandatFor(
    req: FastifyRequest,
    raw: string,
    action: Action,
  ): Promise<{ actor: Actor; m: Mandat }> {
    const m = await mandatOr404(raw);
    const actor = await authorize(req, ctx, action, scopeOf(m));
    const why: UseRefusal | null =
      m.organisationId !== actor.organisation.id
        ? "autre-organisation"
        : (await standingOf(db(), actor.person.id, actor.organisation.id)).habilitated
          ? null
          : "non-habilite";
    if (why) {
      if (req.method === "POST") await refuseUse(req, m, why, `${action}.refuse`);
      throw new HttpError(REFUSAL_STATUS[why], "Accès refusé", USE_REFUSALS[why]);
    }
    return { actor, m };
  }

  async function attestationOf(m: Mandat): Promise<AttestationData> {
    return {
      template: m.template,
      organisation: await organisationName(m.organisationId),
      aidant: (await namesOf([m.aidantId]))(m.aidantId),
      demarches: m.families.map((f) => f.demarche),
      duration: m.duration,
      createdAt: m.createdAt,
      expiresAt: m.expiresAt,
      zone: m.zone,
      mandant: m.mandant,
      final: {
        hash: m.hash,
        code: m.code,
        verifyUrl: verifyUrl(m.hash),
        qr: await QRCode.toString(verifyUrl(m.hash), { type: "svg", margin: 1, errorCorrectionLevel: "M" }),
      },
    };
  }

  /** A refused action: its journal line, alone (nothing else is written). */
  const journalRefusal = (
    req: FastifyRequest,
    m: Mandat | null,
    action: string,
    details: Record<string, unknown>,
  ) =>
    appendJournal(db(), {
      ...journalBy(req),
      at: now(),
      action,
      target: m ? `mandat:${m.id}` : null,
      territoryId: m?.territoryId ?? null,
      details,
    });

  /** A refused action under a mandate: the journal line, then the answer. */
  async function refuseUse(
    req: FastifyRequest,
    m: Mandat | null,
    why: UseRefusal,
    action: string,
    details: Record<string, unknown> = {},
  ) {
    await journalRefusal(req, m, action, { refus: why, ...details });
    return { status: REFUSAL_STATUS[why], message: USE_REFUSALS[why] };
  }

  // ——————————————————————————————————————————————————————————— the aidant's list

  app.get<{ Querystring: { q?: string; en_cours?: string; page?: string; cree?: string } }>(
    "/mandats",
    { schema: { hide: true } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "mandat.consulter", own(req.actor));
      const orgId = actor.organisation.id;
      const pageNo = Math.max(1, Math.min(10_000, intParam(req.query.page ?? "1")));
      const q = str(req.query.q, 100);
      const at = now();
      const standing = await standingOf(db(), actor.person.id, orgId);
      // The mandates hold personal data: only habilitated aidants see them.
      const { mandats, total } = standing.habilitated
        ? await listMandats(db(), {
            organisationId: orgId,
            q: q || undefined,
            running: req.query.en_cours === "1" ? { now: at } : undefined,
            limit: PAGE_SIZE,
            offset: (pageNo - 1) * PAGE_SIZE,
          })
        : { mandats: [], total: 0 };
      const requests = standing.habilitated ? await pendingRequests(db(), orgId) : [];
      const withMandat = await Promise.all(
        requests.map(async (r) => ({ ...r, mandat: await getMandat(db(), r.mandatId) })),
      );
      return page(
        reply,
        MandatsPage({
          nav: nav(req, reply, actor),
          organisation: actor.organisation.name,
          habilitated: standing.habilitated,
          hasSecondFactor: standing.hasSecondFactor,
          mandats,
          total,
          page: pageNo,
          pageSize: PAGE_SIZE,
          q,
          running: req.query.en_cours === "1",
          endingSoon: standing.habilitated ? await endingSoon(db(), orgId, at, REMINDER_DAYS) : [],
          requests: withMandat,
          now: at,
        }),
      );
    },
  );

  // ——————————————————————————————————————————————————————————— a new mandate

  /** The mandate renewed, when the form names one of the actor's organisation. */
  async function renewed(actor: Actor, raw: unknown): Promise<Mandat | undefined> {
    const id = typeof raw === "string" ? intParam(raw) : -1;
    if (id < 0) return undefined;
    const m = await getMandat(db(), id);
    return m && m.organisationId === actor.organisation.id ? m : undefined;
  }

  /** The aidant's standing, refused as a page with the reason (and journaled for a POST). */
  async function standingProblem(req: FastifyRequest, actor: Actor): Promise<UseRefusal | null> {
    const s = await standingOf(db(), actor.person.id, actor.organisation.id);
    const why: UseRefusal | null = !s.habilitated
      ? "non-habilite"
      : !s.hasSecondFactor
        ? "sans-second-facteur"
        : null;
    if (why && req.method === "POST") await refuseUse(req, null, why, "mandat.creer.refuse");
    return why;
  }

  app.get<{ Querystring: { renouvelle?: string } }>(
    "/mandats/nouveau",
    { schema: { hide: true } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "mandat.creer", own(req.actor));
      const why = await standingProblem(req, actor);
      if (why) throw new HttpError(REFUSAL_STATUS[why], "Mandat impossible", USE_REFUSALS[why]);
      const allowedFamilies = await familiesOf(db(), actor.organisation.id);
      const renews = await renewed(actor, req.query.renouvelle);
      const input = emptyInput();
      if (renews) {
        const at = now();
        const r = running(renews, at);
        Object.assign(input, {
          demarches: (r.length ? r : renews.families.map((f) => f.demarche)).filter((d) =>
            allowedFamilies.includes(d),
          ),
          duration: String(renews.duration),
          givenNames: renews.mandant.givenNames,
          familyName: renews.mandant.familyName,
          birthDate: renews.mandant.birthDate.split("-").reverse().join("/"),
          birthPlace: renews.mandant.birthPlace,
          contact: renews.mandant.contact ?? "",
        });
      }
      return page(
        reply,
        NewMandatPage({
          nav: nav(req, reply, actor),
          organisation: actor.organisation.name,
          allowed: allowedFamilies,
          input,
          errors: {},
          renews,
        }),
      );
    },
  );

  app.post<{ Body: Form }>(
    "/mandats/nouveau",
    { schema: { body: formBody, hide: true } },
    async (req, reply) => {
      await checkCsrf(req);
      const actor = await authorize(req, ctx, "mandat.creer", own(req.actor));
      const why = await standingProblem(req, actor);
      if (why) throw new HttpError(REFUSAL_STATUS[why], "Mandat impossible", USE_REFUSALS[why]);
      const allowedFamilies = await familiesOf(db(), actor.organisation.id);
      const input = inputOf(req.body);
      const renews = await renewed(actor, req.body.renouvelle);
      const at = now();
      const zone = zoneOf(actor.organisation.territoryId);
      const form = (
        errors: Parameters<typeof NewMandatPage>[0]["errors"],
        status: number,
        problemText?: string,
      ) =>
        page(
          reply,
          NewMandatPage({
            nav: nav(req, reply, actor),
            organisation: actor.organisation.name,
            allowed: allowedFamilies,
            input,
            errors,
            renews,
            problem: problemText,
          }),
          status,
        );
      const step = str(req.body.etape, 20);
      if (step === "modifier") return form({}, 200);
      const v = validateMandat(
        { ...input, birthDate: normaliseDate(input.birthDate) },
        allowedFamilies,
        dayIn(at, zone),
      );
      if (!v.ok) return form(v.errors, 400, "Le mandat n'est pas complet : corrigez les champs signalés.");
      if (step !== "creer")
        return page(
          reply,
          DraftPage({
            nav: nav(req, reply, actor),
            input,
            renews: renews?.id,
            attestation: {
              template: CURRENT_TEMPLATE,
              organisation: actor.organisation.name,
              aidant: actor.person.name,
              demarches: v.value.demarches,
              duration: v.value.duration,
              createdAt: at,
              expiresAt: expiryOf(at, v.value.duration, zone),
              zone,
              mandant: v.value.mandant,
              final: null,
            },
          }),
        );
      const r = await createOnce(
        {
          organisationId: actor.organisation.id,
          territoryId: actor.organisation.territoryId,
          zone,
          template: CURRENT_TEMPLATE,
          demarches: v.value.demarches,
          duration: v.value.duration,
          mandant: v.value.mandant,
          salt: randomBytes(16).toString("hex"),
          code: newCode(),
          renewsId: renews?.id,
        },
        actor,
        req,
        at,
      );
      if (r === "concurrent") return form({}, 409, CONCURRENT);
      if (!r.ok) {
        const refusal = await refuseUse(req, null, "non-habilite", "mandat.creer.refuse");
        throw new HttpError(refusal.status, "Mandat impossible", refusal.message);
      }
      return reply.redirect(`/mandats/${r.mandat.id}?cree=1`, 303);
    },
  );

  const CONCURRENT =
    "Un autre mandat vient d'être créé au même moment pour cette personne et ces démarches : vérifiez la liste des mandats avant de recommencer.";

  /** Creates a mandate; two created at once for the same person and family: the second is refused, not a 500. */
  async function createOnce(
    n: Parameters<typeof createMandat>[1],
    actor: Actor,
    req: FastifyRequest,
    at: Date,
  ) {
    try {
      return await createMandat(db(), n, actor.person.id, journalBy(req), at);
    } catch (e) {
      if (/mandat_autorisation_running|duplicate key/.test(String((e as Error).message)))
        return "concurrent" as const;
      throw e;
    }
  }

  // ——————————————————————————————————————————————————————————— one mandate

  app.get<{ Params: { id: string }; Querystring: { cree?: string; fait?: string } }>(
    "/mandats/:id",
    { schema: { hide: true } },
    async (req, reply) => {
      const { actor, m } = await mandatFor(req, req.params.id, "mandat.consulter");
      const uses = await usesOf(db(), [m.id]);
      const names = await namesOf([m.aidantId, ...uses.map((u) => u.aidantId)]);
      const notice =
        req.query.cree === "1"
          ? "Mandat créé. Imprimez l'attestation en deux exemplaires et faites-les signer."
          : req.query.fait === "utilisation"
            ? "Démarche enregistrée."
            : req.query.fait === "revocation"
              ? "Révocation enregistrée. Imprimez l'attestation de révocation pour la personne."
              : req.query.fait === "transfert"
                ? "Mandat transféré : il a pris fin ici."
                : undefined;
      return page(
        reply,
        MandatPage({
          nav: nav(req, reply, actor),
          mandat: m,
          uses,
          revocations: await revocationsOf(db(), m.id),
          aidantName: names,
          organisationName: () => actor.organisation.name,
          canAct: allowed(actor, "mandat.utiliser", scopeOf(m)),
          now: now(),
          notice,
        }),
      );
    },
  );

  app.get<{ Params: { id: string }; Querystring: { version?: string } }>(
    "/mandats/:id/attestation",
    { schema: { hide: true } },
    async (req, reply) => {
      const { m } = await mandatFor(req, req.params.id, "mandat.consulter");
      const easy = req.query.version === "facile";
      await journalRead(db(), "mandat.imprimer", m, journalBy(req), now(), {
        version: easy ? "facile" : "complete",
      });
      return page(reply, AttestationPage({ attestation: await attestationOf(m), easy, id: m.id }));
    },
  );

  // ——— use

  const todayOf = (m: Mandat) => dayIn(now(), m.zone);

  app.get<{ Params: { id: string } }>(
    "/mandats/:id/utilisation",
    { schema: { hide: true } },
    async (req, reply) => {
      const { actor, m } = await mandatFor(req, req.params.id, "mandat.utiliser");
      const today = todayOf(m);
      return page(
        reply,
        UsePage({
          nav: nav(req, reply, actor),
          mandat: m,
          now: now(),
          values: { demarche: "", description: "", jour: today.split("-").reverse().join("/") },
          errors: {},
        }),
      );
    },
  );

  /** Checks and records a use; the refusal (journaled) or the use. */
  async function use(
    req: FastifyRequest,
    actor: Actor,
    m: Mandat,
    u: { demarche: string; description: string; jour: string },
  ): Promise<
    | { ok: true; id: number; demarche: Demarche; jour: string }
    | { ok: false; status: number; message: string; field?: "demarche" | "description" | "jour" }
  > {
    if (!isDemarche(u.demarche))
      return {
        ok: false,
        status: 422,
        field: "demarche",
        message: "Choisissez une des 10 familles de démarches.",
      };
    if (!u.description)
      return {
        ok: false,
        status: 422,
        field: "description",
        message: "Écrivez en quelques mots ce que vous avez fait.",
      };
    const at = now();
    const today = dayIn(at, m.zone);
    const on = u.jour ? normaliseDate(u.jour) : today;
    if (!isRealDay(on))
      return { ok: false, status: 422, field: "jour", message: "Écrivez le jour au format JJ/MM/AAAA." };
    const standing = await standingOf(db(), actor.person.id, actor.organisation.id);
    const why = useRefusal(
      m,
      actor.organisation.id,
      standing,
      u.demarche,
      {
        on,
        today,
        createdOn: dayIn(m.createdAt, m.zone),
      },
      at,
    );
    const refuse = async (w: UseRefusal) => {
      const r = await refuseUse(req, m, w, "mandat.utiliser.refuse", { demarche: u.demarche });
      return { ok: false as const, ...r, field: w.startsWith("date") ? ("jour" as const) : undefined };
    };
    if (why) return refuse(why);
    const done = await recordUse(
      db(),
      {
        mandatId: m.id,
        demarche: u.demarche,
        description: u.description,
        doneOn: on,
        organisationId: actor.organisation.id,
      },
      actor.person.id,
      journalBy(req),
      at,
    );
    if (!done) {
      // Revoked, expired or the aidant's right withdrawn between the check and the write: say which.
      const fresh = (await getMandat(db(), m.id)) as Mandat;
      const s = await standingOf(db(), actor.person.id, actor.organisation.id);
      return refuse(
        useRefusal(fresh, actor.organisation.id, s, u.demarche, { on, today, createdOn: on }, now()) ??
          "revoquee",
      );
    }
    return { ok: true, id: done.id, demarche: u.demarche, jour: on };
  }

  app.post<{ Params: { id: string }; Body: Form }>(
    "/mandats/:id/utilisation",
    { schema: { body: formBody, hide: true } },
    async (req, reply) => {
      await checkCsrf(req);
      const { actor, m } = await mandatFor(req, req.params.id, "mandat.utiliser");
      const values = {
        demarche: str(req.body.demarche, 40),
        description: str(req.body.description, 1000),
        jour: str(req.body.jour, 20),
      };
      const r = await use(req, actor, m, values);
      if (r.ok) return reply.redirect(`/mandats/${m.id}?fait=utilisation`, 303);
      return page(
        reply,
        UsePage({
          nav: nav(req, reply, actor),
          mandat: m,
          now: now(),
          values,
          errors: r.field ? { [r.field]: r.message } : {},
          problem: r.message,
        }),
        r.status,
      );
    },
  );

  // ——— revocation

  app.get<{ Params: { id: string }; Querystring: { demande?: string } }>(
    "/mandats/:id/revocation",
    { schema: { hide: true } },
    async (req, reply) => {
      const { actor, m } = await mandatFor(req, req.params.id, "mandat.revoquer");
      const requestId = req.query.demande ? intParam(req.query.demande) : -1;
      const request = (await pendingRequests(db(), actor.organisation.id)).find(
        (r) => r.id === requestId && r.mandatId === m.id,
      );
      return page(
        reply,
        RevokePage({
          nav: nav(req, reply, actor),
          mandat: m,
          now: now(),
          requested: request?.demarches ?? [],
          requestId: request?.id,
        }),
      );
    },
  );

  app.post<{ Params: { id: string }; Body: Form }>(
    "/mandats/:id/revocation",
    { schema: { body: formBody, hide: true } },
    async (req, reply) => {
      await checkCsrf(req);
      const { actor, m } = await mandatFor(req, req.params.id, "mandat.revoquer");
      const all = str(req.body.portee, 20) === "toutes";
      const chosen = all ? [...DEMARCHES] : list(req.body.demarches).filter(isDemarche);
      const requestId = req.body.demande ? intParam(str(req.body.demande, 12)) : undefined;
      if (chosen.length === 0)
        return page(
          reply,
          RevokePage({
            nav: nav(req, reply, actor),
            mandat: m,
            now: now(),
            requested: [],
            requestId,
            problem: "Cochez au moins une démarche à révoquer, ou révoquez tout le mandat.",
          }),
          400,
        );
      const r = await revoke(db(), m, chosen, journalBy(req), now(), { requestId });
      if (!r)
        return page(
          reply,
          RevokePage({
            nav: nav(req, reply, actor),
            mandat: m,
            now: now(),
            requested: [],
            problem: "Ces démarches ne sont plus en cours : il n'y a rien à révoquer.",
          }),
          409,
        );
      return reply.redirect(`/mandats/${m.id}/revocations/${r.id}`, 303);
    },
  );

  app.get<{ Params: { id: string; rid: string } }>(
    "/mandats/:id/revocations/:rid",
    { schema: { hide: true } },
    async (req, reply) => {
      const { m } = await mandatFor(req, req.params.id, "mandat.consulter");
      const r = (await revocationsOf(db(), m.id)).find((x) => x.id === intParam(req.params.rid));
      if (!r) throw new HttpError(404, "Introuvable", "Cette révocation n'existe pas.");
      await journalRead(db(), "mandat.imprimer", m, journalBy(req), now(), { revocation: r.id });
      return page(
        reply,
        RevocationPage({
          mandat: m,
          revocation: r,
          organisation: await organisationName(m.organisationId),
          by: r.byPerson ? (await namesOf([r.byPerson]))(r.byPerson) : "l'organisation",
        }),
      );
    },
  );

  // ——— transfer

  async function otherOrganisations(actor: Actor) {
    const { organisations } = await listOrganisations(db(), { limit: 1000, offset: 0 });
    return organisations
      .filter((o) => o.id !== actor.organisation.id && o.kind !== "financeur" && o.territoryId !== "france")
      .map((o) => ({ id: o.id, name: o.name }));
  }

  app.get<{ Params: { id: string } }>(
    "/mandats/:id/transfert",
    { schema: { hide: true } },
    async (req, reply) => {
      const { actor, m } = await mandatFor(req, req.params.id, "mandat.revoquer");
      return page(
        reply,
        TransferPage({
          nav: nav(req, reply, actor),
          mandat: m,
          now: now(),
          organisations: await otherOrganisations(actor),
        }),
      );
    },
  );

  app.post<{ Params: { id: string }; Body: Form }>(
    "/mandats/:id/transfert",
    { schema: { body: formBody, hide: true } },
    async (req, reply) => {
      await checkCsrf(req);
      const { actor, m } = await mandatFor(req, req.params.id, "mandat.revoquer");
      const targetId = intParam(str(req.body.organisation, 12));
      const target = (await otherOrganisations(actor)).some((o) => o.id === targetId)
        ? await getOrganisation(db(), targetId)
        : null;
      const chosen = list(req.body.demarches).filter(isDemarche);
      const fail = async (text: string, status: number) =>
        page(
          reply,
          TransferPage({
            nav: nav(req, reply, actor),
            mandat: m,
            now: now(),
            organisations: await otherOrganisations(actor),
            problem: text,
          }),
          status,
        );
      if (!target || target.id === m.organisationId)
        return fail("Choisissez l'organisation qui reprend le mandat.", 400);
      if (chosen.length === 0) return fail("Cochez au moins une démarche à transférer.", 400);
      const covered = await familiesOf(db(), target.id);
      const outside = chosen.filter((d) => !covered.includes(d));
      if (outside.length > 0)
        return fail(`${target.name} ne couvre pas toutes ces démarches : décochez-en.`, 422);
      const r = await transfer(
        db(),
        m,
        {
          organisationId: target.id,
          territoryId: target.territoryId,
          zone: zoneOf(target.territoryId),
          template: CURRENT_TEMPLATE,
          demarches: chosen,
          salt: randomBytes(16).toString("hex"),
          code: newCode(),
        },
        actor.person.id,
        journalBy(req),
        now(),
      );
      if (!r.ok)
        return r.why === "non-habilite"
          ? fail(USE_REFUSALS["non-habilite"], 403)
          : fail("Ces démarches ne sont plus en cours : il n'y a rien à transférer.", 409);
      return reply.redirect(`/mandats/${m.id}?fait=transfert`, 303);
    },
  );

  // ——————————————————————————————————————————————————————————— habilitations (coordinators)

  app.get("/mandats/habilitations", { schema: { hide: true } }, async (req, reply) => {
    const actor = await authorize(req, ctx, "aidant.habiliter", {
      territoryId: req.actor?.membership.territoryId,
    });
    const { organisations } = await listOrganisations(db(), { limit: 1000, offset: 0 });
    const mine = organisations.filter(
      (o) => o.kind !== "financeur" && allowed(actor, "aidant.habiliter", { territoryId: o.territoryId }),
    );
    const counted = await Promise.all(
      mine.map(async (o) => ({
        id: o.id,
        name: o.name,
        habilitated: (await habilitationsOf(db(), o.id)).filter((h) => !h.withdrawnAt).length,
      })),
    );
    return page(reply, HabilitationsPage({ nav: nav(req, reply, actor), organisations: counted }));
  });

  async function organisationFor(req: FastifyRequest, raw: string) {
    const o = await getOrganisation(db(), intParam(raw));
    if (!o) throw new HttpError(404, "Introuvable", "Cette organisation n'existe pas.");
    const actor = await authorize(req, ctx, "aidant.habiliter", {
      territoryId: o.territoryId,
      organisationId: o.id,
    });
    return { actor, o };
  }

  async function habilitationsPage(
    req: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    o: { id: number; name: string; territoryId: string },
    extra: Partial<Parameters<typeof OrganisationHabilitationsPage>[0]> = {},
    status = 200,
  ) {
    const members = await membersOf(db(), o.id);
    const people = [...new Map(members.map((m) => [m.person.id, m.person])).values()].filter((p) => p.active);
    return page(
      reply,
      OrganisationHabilitationsPage({
        nav: nav(req, reply, actor),
        organisation: o,
        members: people.map((p) => ({
          id: p.id,
          name: p.name,
          email: p.email,
          hasSecondFactor: p.hasSecondFactor,
        })),
        habilitations: await habilitationsOf(db(), o.id),
        families: await familiesOf(db(), o.id),
        zone: zoneOf(o.territoryId),
        values: { personne: "", formation: "", charte: false },
        errors: {},
        ...extra,
      }),
      status,
    );
  }

  app.get<{ Params: { org: string }; Querystring: { fait?: string } }>(
    "/mandats/habilitations/:org",
    { schema: { hide: true } },
    async (req, reply) => {
      const { actor, o } = await organisationFor(req, req.params.org);
      const notice = {
        habilitation: "Aidant habilité.",
        retrait: "Habilitation retirée.",
        demarches: "Démarches enregistrées.",
      }[req.query.fait ?? ""];
      return habilitationsPage(req, reply, actor, o, { notice });
    },
  );

  app.post<{ Params: { org: string }; Body: Form }>(
    "/mandats/habilitations/:org",
    { schema: { body: formBody, hide: true } },
    async (req, reply) => {
      await checkCsrf(req);
      const { actor, o } = await organisationFor(req, req.params.org);
      const values = {
        personne: str(req.body.personne, 12),
        formation: str(req.body.formation, 20),
        charte: str(req.body.charte, 20) === CURRENT_CHARTER,
      };
      const errors: Partial<Record<"personne" | "formation" | "charte", string>> = {};
      const members = await membersOf(db(), o.id);
      const person = members.find((m) => String(m.person.id) === values.personne)?.person;
      if (!person) errors.personne = "Choisissez une personne de l'organisation.";
      const trained = normaliseDate(values.formation);
      const today = dayIn(now(), zoneOf(o.territoryId));
      if (!isRealDay(trained)) errors.formation = "Écrivez la date de la formation au format JJ/MM/AAAA.";
      else if (trained > today)
        errors.formation = "La formation doit avoir eu lieu : la date est dans le futur.";
      if (!values.charte) errors.charte = "La personne doit accepter la charte pour être habilitée.";
      if (Object.keys(errors).length > 0 || !person)
        return habilitationsPage(
          req,
          reply,
          actor,
          o,
          { values, errors, problem: "Corrigez les champs signalés." },
          400,
        );
      const done = await habilitate(
        db(),
        {
          personId: person.id,
          organisationId: o.id,
          trainedOn: trained,
          charter: CURRENT_CHARTER,
          territoryId: o.territoryId,
        },
        journalBy(req),
        now(),
      );
      if (!done)
        return habilitationsPage(
          req,
          reply,
          actor,
          o,
          { values, problem: `${person.name} a déjà une habilitation dans cette organisation.` },
          409,
        );
      return reply.redirect(`/mandats/habilitations/${o.id}?fait=habilitation`, 303);
    },
  );

  app.post<{ Params: { org: string; hid: string }; Body: Form }>(
    "/mandats/habilitations/:org/retirer/:hid",
    { schema: { body: formBody, hide: true } },
    async (req, reply) => {
      await checkCsrf(req);
      const { o } = await organisationFor(req, req.params.org);
      const h = (await habilitationsOf(db(), o.id)).find((x) => x.id === intParam(req.params.hid));
      if (!h) throw new HttpError(404, "Introuvable", "Cette habilitation n'existe pas.");
      await withdrawHabilitation(db(), h.id, journalBy(req), now(), o.territoryId);
      return reply.redirect(`/mandats/habilitations/${o.id}?fait=retrait`, 303);
    },
  );

  app.post<{ Params: { org: string }; Body: Form }>(
    "/mandats/habilitations/:org/demarches",
    { schema: { body: formBody, hide: true } },
    async (req, reply) => {
      await checkCsrf(req);
      const { actor, o } = await organisationFor(req, req.params.org);
      const chosen = list(req.body.demarches);
      const unknown = chosen.filter((d) => !isDemarche(d));
      if (unknown.length > 0 || chosen.length === 0)
        return habilitationsPage(
          req,
          reply,
          actor,
          o,
          {
            problem: unknown.length
              ? `Famille de démarches inconnue : ${unknown.join(", ")}.`
              : "Cochez au moins une famille de démarches.",
          },
          400,
        );
      await setFamilies(db(), o.id, chosen.filter(isDemarche), journalBy(req), now(), o.territoryId);
      return reply.redirect(`/mandats/habilitations/${o.id}?fait=demarches`, 303);
    },
  );

  // ——————————————————————————————————————————————————————————— public: verification

  /** What anyone may know of a mandate from its hash; `intact` recomputes the hash from what is stored. */
  function verification(m: Mandat, organisation: string, at: Date): Verification {
    const recomputed = hashOf({
      template: m.template,
      organisationId: m.organisationId,
      aidantId: m.aidantId,
      demarches: m.families.map((f) => f.demarche),
      duration: m.duration,
      createdAt: m.createdAt,
      expiresAt: m.expiresAt,
      mandant: m.mandant,
      salt: m.salt,
    });
    return {
      organisation,
      createdOn: dayIn(m.createdAt, m.zone),
      expiresOn: dayIn(m.expiresAt, m.zone),
      families: m.families.map((f) => ({
        demarche: f.demarche,
        state: authorisationState(f, m.expiresAt, at),
      })),
      intact: recomputed === m.hash,
    };
  }

  async function verify(req: FastifyRequest, typed: string) {
    const hash = readHash(typed);
    const m = hash ? await mandatByHash(db(), hash) : null;
    const at = now();
    await journalRead(db(), "mandat.verifier", m, journalBy(req), at, { trouve: m !== null });
    return m ? verification(m, await organisationName(m.organisationId), at) : null;
  }

  app.get<{ Querystring: { empreinte?: string } }>(
    "/mandats/verifier",
    { schema: { hide: true } },
    async (req, reply) => {
      const typed = str(req.query.empreinte, 200);
      if (!typed) return page(reply, VerifyPage({ typed: "", result: null, searched: false }));
      return verifyAnswer(req, reply, typed);
    },
  );

  async function verifyAnswer(req: FastifyRequest, reply: FastifyReply, typed: string) {
    const hash = readHash(typed);
    if (!hash)
      return page(
        reply,
        VerifyPage({
          typed,
          result: null,
          searched: true,
          problem: "Une empreinte a 64 caractères, chiffres de 0 à 9 et lettres de a à f : vérifiez-la.",
        }),
        400,
      );
    const result = await verify(req, hash);
    return page(
      reply,
      VerifyPage({
        typed,
        result,
        searched: true,
        problem: result
          ? undefined
          : "Aucun mandat n'a cette empreinte. Vérifiez chaque caractère : si l'attestation a été modifiée, son empreinte ne correspond plus.",
      }),
      result ? 200 : 404,
    );
  }

  app.get<{ Params: { hash: string } }>(
    "/mandats/verifier/:hash",
    { schema: { hide: true } },
    async (req, reply) => verifyAnswer(req, reply, req.params.hash.slice(0, 200)),
  );

  // ——————————————————————————————————————————————————————————— public: the person's view

  app.get("/mes-mandats", { schema: { hide: true } }, async (req, reply) =>
    page(
      reply,
      PersonPage({
        csrf: csrfToken(req, reply),
        values: { code: "", naissance: "" },
        mandats: null,
        now: now(),
      }),
    ),
  );

  /**
   * The person's mandates from a code (or a hash) and their birth date: every mandate of the same person, with its
   * uses. Wrong tries are counted per address; after 10 in an hour the page closes for that address.
   */
  async function personView(req: FastifyRequest, codeTyped: string, birthTyped: string) {
    const at = now();
    const byAddress = `mandat-personne:${req.ip}`;
    const tooMany = {
      problem:
        "Trop d'essais : réessayez plus tard, ou demandez à l'organisation qui a signé le mandat avec vous.",
      status: 429,
    };
    if ((await countFailures(db(), byAddress, new Date(at.getTime() - 3_600_000))) >= PERSON_TRIES_PER_HOUR)
      return tooMany;
    const hash = readHash(codeTyped);
    const code = hash ? null : readCode(codeTyped);
    if (code && !code.ok) return { problem: CODE_PROBLEMS[code.kind], status: 400 };
    const m = hash ? await mandatByHash(db(), hash) : code?.ok ? await mandatByCode(db(), code.code) : null;
    const notFound = {
      problem:
        "Ce code et cette date de naissance ne correspondent à aucun mandat : vérifiez-les sur votre attestation.",
      status: 404,
    };
    if (!m) {
      await recordFailure(db(), byAddress, at);
      await journalRead(db(), "mandat.consulter-personne", null, journalBy(req), at, { trouve: false });
      return notFound;
    }
    // Each try on a mandate is counted before the birth date is compared, so that tries sent all at once count
    // too; 5 in a day lock that mandate's view (whatever the address) until the next day.
    const byMandat = `mandat-personne-mandat:${m.id}`;
    await recordFailure(db(), byMandat, at);
    if (
      (await countFailures(db(), byMandat, new Date(at.getTime() - 86_400_000))) >
      PERSON_TRIES_PER_MANDAT_PER_DAY
    )
      return tooMany;
    if (m.mandant.birthDate !== normaliseDate(birthTyped)) {
      await recordFailure(db(), byAddress, at);
      await journalRead(db(), "mandat.consulter-personne", m, journalBy(req), at, { trouve: false });
      return notFound;
    }
    // The right birth date: this try does not count against the mandate (the address's count stays).
    await clearFailures(db(), byMandat);
    // The same person: the same names and birth date (the key), and the same place of birth.
    const samePlace = (x: Mandat) =>
      x.mandant.birthPlace.toLowerCase() === m.mandant.birthPlace.toLowerCase();
    const all = (await mandatsOfPerson(db(), personKey(m.mandant))).filter(samePlace);
    const uses = await usesOf(
      db(),
      all.map((x) => x.id),
    );
    await journalRead(db(), "mandat.consulter-personne", m, journalBy(req), at, { mandats: all.length });
    return {
      mandats: await Promise.all(
        all.map(async (x) => ({
          mandat: x,
          organisation: await organisationName(x.organisationId),
          uses: uses.filter((u) => u.mandatId === x.id),
        })),
      ),
    };
  }

  app.post<{ Body: Form }>("/mes-mandats", { schema: { body: formBody, hide: true } }, async (req, reply) => {
    await checkCsrf(req);
    const values = { code: str(req.body.code, 100), naissance: str(req.body.naissance, 20) };
    const r = await personView(req, values.code, values.naissance);
    const csrf = csrfToken(req, reply);
    if ("problem" in r)
      return page(
        reply,
        PersonPage({ csrf, values, mandats: null, now: now(), problem: r.problem }),
        r.status,
      );
    return page(reply, PersonPage({ csrf, values, mandats: r.mandats, now: now() }));
  });

  app.post<{ Body: Form }>(
    "/mes-mandats/arreter",
    { schema: { body: formBody, hide: true } },
    async (req, reply) => {
      await checkCsrf(req);
      const values = { code: str(req.body.code, 100), naissance: str(req.body.naissance, 20) };
      const r = await personView(req, values.code, values.naissance);
      const csrf = csrfToken(req, reply);
      if ("problem" in r)
        return page(
          reply,
          PersonPage({ csrf, values, mandats: null, now: now(), problem: r.problem }),
          r.status,
        );
      const target = r.mandats.find((x) => x.mandat.id === intParam(str(req.body.mandat, 12)));
      const chosen = list(req.body.demarches).filter(isDemarche);
      const runningNow = target ? running(target.mandat, now()) : [];
      const asked = chosen.filter((d) => runningNow.includes(d));
      if (!target || asked.length === 0)
        return page(
          reply,
          PersonPage({
            csrf,
            values,
            mandats: r.mandats,
            now: now(),
            problem: "Cochez au moins une démarche en cours à arrêter.",
          }),
          400,
        );
      await askRevocation(
        db(),
        target.mandat,
        asked,
        str(req.body.message, 1000) || null,
        journalBy(req),
        now(),
      );
      return page(
        reply,
        PersonPage({
          csrf,
          values,
          mandats: r.mandats,
          now: now(),
          notice: `Votre demande est envoyée à ${target.organisation}. Elle arrêtera le mandat et vous remettra une attestation.`,
        }),
      );
    },
  );

  // ——————————————————————————————————————————————————————————— API

  const TAG = ["Mandats"];
  const idParam = z.object({
    id: z.string().max(12).regex(/^\d+$/, "id : un nombre").describe("Numéro du mandat."),
  });
  const demarcheSchema = z.enum(DEMARCHES).describe("Famille de démarches (les 10 d'Aidants Connect).");
  const REFUSED = {
    erreur: z
      .string()
      .max(40)
      .optional()
      .describe(
        "Raison : expiree, revoquee, non-habilite, autre-organisation… (absente quand le rôle ne le permet pas)",
      ),
  };

  api.post(
    "/api/v1/mandats",
    {
      schema: {
        tags: TAG,
        summary: "Créer un mandat (aidant habilité avec vérification en deux étapes)",
        body: z.object({
          demarches: z
            .array(z.string().max(40))
            .min(1)
            .max(10)
            .describe("Familles de démarches : social, logement…"),
          duree: z.number().int().describe("Durée en jours : 1, 31, 182 ou 365."),
          mandant: z
            .object({
              prenoms: z.string().max(100).describe("Prénoms, comme sur la pièce d'identité."),
              nom: z.string().max(100).describe("Nom, comme sur la pièce d'identité."),
              date_naissance: z.string().max(10).describe("AAAA-MM-JJ."),
              lieu_naissance: z.string().max(100).describe("Commune, ou pays."),
              piece: z
                .string()
                .max(40)
                .describe("Pièce vue : carte-identite, passeport, titre-sejour, permis-conduire, autre."),
              contact: z
                .string()
                .max(200)
                .optional()
                .describe("Téléphone ou adresse électronique (facultatif)."),
            })
            .describe("La personne, identité vérifiée en personne (jamais le numéro de la pièce)."),
          verifications_lues: z
            .boolean()
            .describe("Vrai quand chaque point de la liste a été lu avec la personne (obligatoire)."),
        }),
        response: {
          201: z
            .object({
              id: z.number().int().describe("Numéro du mandat."),
              empreinte: z.string().max(64).describe("SHA-256 de l'attestation (64 caractères)."),
              attestation: z.string().max(300).describe("Adresse de l'attestation à imprimer."),
              verification: z.string().max(300).describe("Adresse publique de vérification."),
              expire_le: z.string().max(40).describe("Fin du mandat (ISO 8601)."),
            })
            .describe("Le mandat créé."),
          400: problem("Demande incorrecte."),
          403: problemWith(
            "Pas aidant habilité de l'organisation, ou sans vérification en deux étapes.",
            REFUSED,
          ),
          422: problemWith(
            "Démarche hors de la liste de l'organisation, durée, identité ou date incorrecte.",
            {
              champs: z.record(z.string().max(40), z.string().max(300)).describe("Message par champ."),
            },
          ),
        },
      },
    },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "mandat.creer", own(req.actor));
      const why = await standingProblem(req, actor);
      if (why)
        return sendProblem(reply, REFUSAL_STATUS[why], "Mandat impossible", USE_REFUSALS[why], {
          erreur: why,
        });
      const b = req.body;
      const at = now();
      const zone = zoneOf(actor.organisation.territoryId);
      const v = validateMandat(
        {
          demarches: b.demarches,
          duration: String(b.duree),
          givenNames: b.mandant.prenoms,
          familyName: b.mandant.nom,
          birthDate: normaliseDate(b.mandant.date_naissance),
          birthPlace: b.mandant.lieu_naissance,
          document: b.mandant.piece,
          contact: b.mandant.contact ?? "",
          checklist: b.verifications_lues ? ["peut", "ne-peut-pas", "annuler", "protection", "identite"] : [],
        },
        await familiesOf(db(), actor.organisation.id),
        dayIn(at, zone),
      );
      if (!v.ok) {
        await journalRefusal(req, null, "mandat.creer.refuse", {
          refus: "saisie",
          champs: Object.keys(v.errors),
        });
        return sendProblem(reply, 422, "Mandat incorrect", Object.values(v.errors).join(" "), {
          champs: v.errors,
        });
      }
      const r = await createMandat(
        db(),
        {
          organisationId: actor.organisation.id,
          territoryId: actor.organisation.territoryId,
          zone,
          template: CURRENT_TEMPLATE,
          demarches: v.value.demarches,
          duration: v.value.duration,
          mandant: v.value.mandant,
          salt: randomBytes(16).toString("hex"),
          code: newCode(),
        },
        actor.person.id,
        journalBy(req),
        at,
      );
      if (!r.ok)
        return sendProblem(reply, 403, "Mandat impossible", USE_REFUSALS["non-habilite"], {
          erreur: "non-habilite",
        });
      const base = publicBase(app, ctx.config);
      return reply.code(201).send({
        id: r.mandat.id,
        empreinte: r.mandat.hash,
        attestation: `${base}/mandats/${r.mandat.id}/attestation`,
        verification: verifyUrl(r.mandat.hash),
        expire_le: r.mandat.expiresAt.toISOString(),
      });
    },
  );

  /** The mandate of an API call, or the refusal sent (404, or 403 journaled for another organisation's). */
  async function apiMandat(
    req: FastifyRequest,
    reply: FastifyReply,
    raw: string,
    action: Action,
  ): Promise<{ actor: Actor; m: Mandat } | null> {
    const actor = await authorize(req, ctx, action, own(req.actor));
    const m = await getMandat(db(), intParam(raw));
    if (!m) {
      sendProblem(reply, 404, "Mandat inconnu", USE_REFUSALS.inconnu, { erreur: "inconnu" });
      return null;
    }
    if (m.organisationId !== actor.organisation.id) {
      const r = await refuseUse(req, m, "autre-organisation", `${action}.refuse`);
      sendProblem(reply, r.status, "Accès refusé", r.message, { erreur: "autre-organisation" });
      return null;
    }
    return { actor, m };
  }

  api.post(
    "/api/v1/mandats/:id/utilisations",
    {
      schema: {
        tags: TAG,
        summary: "Noter une démarche faite avec un mandat",
        params: idParam,
        body: z.object({
          demarche: demarcheSchema,
          description: z.string().min(1).max(1000).describe("Ce qui a été fait, en quelques mots."),
          date: z
            .string()
            .max(10)
            .regex(/^\d{4}-\d{2}-\d{2}$/, "date : AAAA-MM-JJ")
            .optional()
            .describe("Jour, AAAA-MM-JJ ; aujourd'hui par défaut."),
        }),
        response: {
          201: z
            .object({
              id: z.number().int().describe("Numéro de l'utilisation."),
              mandat: z.number().int().describe("Numéro du mandat."),
              demarche: z.string().max(40).describe("Famille de démarches."),
              date: z.string().max(10).describe("Jour de la démarche."),
            })
            .describe("L'utilisation enregistrée."),
          400: problem("Demande incorrecte."),
          403: problemWith(
            "Mandat expiré, révoqué pour cette démarche, d'une autre organisation, ou aidant non habilité.",
            REFUSED,
          ),
          404: problemWith("Mandat inconnu.", REFUSED),
          422: problemWith("Démarche hors du mandat, ou date incorrecte.", REFUSED),
        },
      },
    },
    async (req, reply) => {
      const found = await apiMandat(req, reply, req.params.id, "mandat.utiliser");
      if (!found) return reply;
      const r = await use(req, found.actor, found.m, {
        demarche: req.body.demarche,
        description: req.body.description.trim(),
        jour: req.body.date ?? "",
      });
      if (!r.ok) {
        const erreur =
          (Object.keys(USE_REFUSALS) as UseRefusal[]).find((k) => USE_REFUSALS[k] === r.message) ??
          "incorrect";
        return sendProblem(reply, r.status, "Utilisation refusée", r.message, { erreur });
      }
      return reply.code(201).send({ id: r.id, mandat: found.m.id, demarche: r.demarche, date: r.jour });
    },
  );

  api.post(
    "/api/v1/mandats/:id/revocation",
    {
      schema: {
        tags: TAG,
        summary: "Révoquer un mandat, pour des démarches ou pour toutes",
        params: idParam,
        body: z
          .object({
            demarches: z
              .array(demarcheSchema)
              .min(1)
              .max(10)
              .optional()
              .describe("Les démarches à révoquer ; toutes si absent."),
          })
          .default({}),
        response: {
          200: z
            .object({
              revocation: z.number().int().describe("Numéro de la révocation."),
              demarches: z.array(z.string().max(40)).max(10).describe("Démarches révoquées."),
              attestation: z.string().max(300).describe("Adresse de l'attestation de révocation."),
              etat: z
                .record(z.string().max(40), z.string().max(20))
                .describe("État de chaque démarche du mandat."),
            })
            .describe("La révocation."),
          400: problem("Demande incorrecte."),
          403: problemWith("Mandat d'une autre organisation.", REFUSED),
          404: problemWith("Mandat inconnu.", REFUSED),
          409: problemWith("Aucune de ces démarches n'est en cours.", REFUSED),
        },
      },
    },
    async (req, reply) => {
      const found = await apiMandat(req, reply, req.params.id, "mandat.revoquer");
      if (!found) return reply;
      const { m } = found;
      const at = now();
      const r = await revoke(db(), m, req.body.demarches ?? [...DEMARCHES], journalBy(req), at);
      if (!r)
        return sendProblem(reply, 409, "Rien à révoquer", "Aucune de ces démarches n'est en cours.", {
          erreur: "rien-en-cours",
        });
      const fresh = (await getMandat(db(), m.id)) as Mandat;
      return {
        revocation: r.id,
        demarches: r.demarches,
        attestation: `${publicBase(app, ctx.config)}/mandats/${m.id}/revocations/${r.id}`,
        etat: Object.fromEntries(
          fresh.families.map((f) => [f.demarche, authorisationState(f, fresh.expiresAt, at)]),
        ),
      };
    },
  );

  api.get(
    "/api/v1/mandats/verifier/:empreinte",
    {
      schema: {
        tags: TAG,
        summary: "Vérifier un mandat par son empreinte (aucune donnée personnelle)",
        params: z.object({ empreinte: z.string().max(100).describe("Empreinte SHA-256 de l'attestation.") }),
        response: {
          200: z
            .object({
              organisation: z.string().max(200).describe("Le mandataire."),
              signe_le: z.string().max(10).describe("Jour de signature."),
              fin: z.string().max(10).describe("Dernier jour."),
              integre: z
                .boolean()
                .describe("Faux si les données enregistrées ne correspondent plus à l'empreinte."),
              demarches: z
                .array(
                  z.object({
                    demarche: z.string().max(40).describe("Famille de démarches."),
                    etat: z.enum(["active", "revoquee", "expiree"]).describe("État."),
                  }),
                )
                .max(10)
                .describe("Les démarches et leur état."),
            })
            .describe("Ce que le mandat couvre."),
          400: problem("Empreinte mal formée."),
          404: problem("Aucun mandat n'a cette empreinte."),
        },
      },
    },
    async (req, reply) => {
      const hash = readHash(req.params.empreinte);
      if (!hash)
        return sendProblem(reply, 400, "Empreinte incorrecte", "Une empreinte a 64 caractères hexadécimaux.");
      const v = await verify(req, hash);
      if (!v) return sendProblem(reply, 404, "Mandat inconnu", "Aucun mandat n'a cette empreinte.");
      return {
        organisation: v.organisation,
        signe_le: v.createdOn,
        fin: v.expiresOn,
        integre: v.intact,
        demarches: v.families.map((f) => ({ demarche: f.demarche, etat: f.state })),
      };
    },
  );
}
