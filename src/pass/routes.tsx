/**
 * The pass numérique's pages and API. Every write asks the one policy (`authorize`) and is journaled in its
 * transaction by the store. Pages: /pass (programmes), /pass/programmes/nouveau, /pass/programmes/:id (dashboard,
 * order, allocation, booklets), /pass/carnets/:serial (handing), /pass/remettre, /pass/encaisser, /pass/releves,
 * printable booklets and reminder letters. API (personal tokens): /api/v1/pass/…
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import QRCode from "qrcode";
import { z } from "zod";
import type { Actor, Organisation } from "../accounts/model.ts";
import { type Action, can, type Scope } from "../accounts/policy.ts";
import { BY_SYSTEM, getOrganisation, listOrganisations } from "../accounts/store.ts";
import { SignedIn } from "../accounts/views/account.tsx";
import { authorize, checkCsrf, csrfToken, journalBy, within as territoryWithin } from "../accounts/web.ts";
import type { AppContext } from "../context.ts";
import { zoneOfTerritory } from "../places/hours.ts";
import { dayIn, parseDay } from "../platform/clock.ts";
import { formatDay } from "../platform/format.ts";
import { HttpError, sendPage, sendProblem } from "../platform/http.ts";
import { problem, problemWith } from "../platform/schema.ts";
import { type ResolveOptions, resolveTerritory, unresolvedView } from "../territories/resolve.ts";
import { readCode } from "./code.ts";
import { funnelCsv, funnelXlsx, programmeFunnel } from "./dashboard.ts";
import {
  AGE_BRACKETS,
  type AgeBracket,
  type ChequeView,
  euros,
  LIMITS,
  type Programme,
  PUBLICS,
  type Public,
  parseEuros,
  parseSerial,
  redeemability,
} from "./model.ts";
import {
  allocateBooklets,
  createProgramme,
  drawStatements,
  expire,
  getBooklet,
  getCheque,
  getProgramme,
  handBooklet,
  listBooklets,
  listStatements,
  markPaid,
  type NewProgramme,
  orderBooklets,
  programmesFor,
  redeemCheque,
} from "./store.ts";
import {
  BookletPage,
  type HandingValues,
  HandPage,
  NewProgrammePage,
  type PassNav,
  PrintPage,
  ProgrammePage,
  ProgrammesPage,
  type ProgrammeValues,
  RedeemPage,
  ReminderPage,
  StatementsPage,
} from "./views.tsx";

const PAGE_SIZE = 50;
const formBody = z.record(z.string(), z.union([z.string().max(2000), z.array(z.string().max(200)).max(200)]));
type Form = Record<string, string | string[]>;
const str = (v: unknown, max = 200): string => (typeof v === "string" ? v.trim().slice(0, max) : "");
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === "string" && v ? [v] : [];
const intParam = (raw: string): number => (/^\d{1,9}$/.test(raw) ? Number(raw) : -1);
const day = (d: string) => formatDay(d, { year: true, weekday: false });

/** How often the server runs the expiry and draws the last month's statements. */
const SCHEDULE_MS = 3_600_000;

/**
 * Expiry on schedule: when the server is ready, then every hour, cheques past their claim period expire, booklets
 * not handed by the last date are cancelled (credit notes), and the statements of the month just over are drawn.
 * Each step is idempotent (conditional updates, unique statements): two servers on one database do no harm.
 */
function scheduleExpiry(app: FastifyInstance, ctx: AppContext): void {
  let timer: NodeJS.Timeout | null = null;
  const tick = async () => {
    try {
      const now = ctx.clock.now();
      await expire(ctx.database.db, now, BY_SYSTEM);
      const today = dayIn(now, "Europe/Paris");
      const [y, m] = today.split("-").map(Number) as [number, number];
      const previous = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
      await drawStatements(ctx.database.db, previous, now, BY_SYSTEM);
    } catch (e) {
      app.log.error(e, "pass numérique : l'expiration programmée a échoué");
    }
  };
  app.addHook("onReady", async () => {
    await tick();
    timer = setInterval(() => void tick(), SCHEDULE_MS);
    timer.unref();
  });
  app.addHook("onClose", async () => {
    if (timer) clearInterval(timer);
  });
}

export function registerPassRoutes(app: FastifyInstance, ctx: AppContext): void {
  scheduleExpiry(app, ctx);
  const db = () => ctx.database.db;
  const now = () => ctx.clock.now();
  const api = app.withTypeProvider<ZodTypeProvider>();
  const page = (reply: FastifyReply, vnode: Parameters<typeof sendPage>[1], status = 200) =>
    sendPage(reply.header("cache-control", "no-store"), vnode, status);
  const within = (inner: string, outer: string) => territoryWithin(ctx, inner, outer);
  const allowed = (actor: Actor, action: Action, scope: Scope) => can(actor, action, scope, within).allowed;
  const programmeScope = (p: Programme): Scope => ({
    territoryId: p.territoryId,
    organisationId: p.organisationId,
  });
  const territoryName = (id: string) => ctx.territories.get(id)?.name ?? id;
  const communeName = (code: string) => {
    const t = ctx.territories.get(code);
    return t ? `${t.name} (${t.departement ?? ""})` : code || "commune inconnue";
  };

  /** Names of organisations, read once per request. */
  async function namesOf(ids: Iterable<number>): Promise<(id: number) => string> {
    const names = new Map<number, string>();
    for (const id of new Set(ids))
      names.set(id, (await getOrganisation(db(), id))?.name ?? `organisation ${id}`);
    return (id) => names.get(id) ?? `organisation ${id}`;
  }

  /** Organisations acting within a territory (prescribers, places), but financeurs. */
  async function organisationsWithin(territoryId: string): Promise<Organisation[]> {
    const { organisations } = await listOrganisations(db(), { limit: 1000, offset: 0 });
    return organisations.filter((o) => o.kind !== "financeur" && within(o.territoryId, territoryId));
  }

  function nav(
    req: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    names: (id: number) => string,
  ): PassNav {
    const csrf = csrfToken(req, reply);
    const own = { organisationId: actor.organisation.id, territoryId: actor.membership.territoryId };
    const links = [{ href: "/pass", label: "Programmes" }];
    if (allowed(actor, "pass.remettre", own))
      links.push({ href: "/pass/remettre", label: "Remettre un carnet" });
    if (allowed(actor, "pass.encaisser", own))
      links.push({ href: "/pass/encaisser", label: "Encaisser un chèque" });
    links.push({ href: "/pass/releves", label: "Relevés" });
    return { csrf, account: <SignedIn actor={actor} csrf={csrf} />, links, organisationName: names };
  }

  async function signedIn(req: FastifyRequest): Promise<Actor> {
    return authorize(req, ctx, "compte.lire");
  }

  async function programmeOr404(raw: string): Promise<Programme> {
    const p = await getProgramme(db(), intParam(raw));
    if (!p) throw new HttpError(404, "Introuvable", "Ce programme de pass numérique n'existe pas.");
    return p;
  }

  /** A programme the actor may see: they take part in it, or may consult its dashboard. */
  async function visible(actor: Actor, p: Programme): Promise<boolean> {
    if (allowed(actor, "pass.consulter", programmeScope(p))) return true;
    const mine = await programmesFor(db(), actor.organisation.id);
    return mine.some((x) => x.programme.id === p.id && x.takesPart);
  }

  // ——————————————————————————————————————————————————————————— programmes

  app.get<{ Querystring: { cree?: string } }>("/pass", { schema: { hide: true } }, async (req, reply) => {
    const actor = await signedIn(req);
    const all = await programmesFor(db(), actor.organisation.id);
    const mine = all
      .filter((x) => x.takesPart || allowed(actor, "pass.consulter", programmeScope(x.programme)))
      .map((x) => x.programme);
    return page(
      reply,
      ProgrammesPage({
        nav: nav(req, reply, actor, await namesOf([])),
        programmes: mine,
        territoryName,
        canCreate: allowed(actor, "pass.commander", { organisationId: actor.organisation.id }),
      }),
    );
  });

  const emptyProgramme = (): ProgrammeValues => ({
    nom: "",
    territoire: "",
    publics: [],
    valeur: "10",
    carnet: "10",
    validite: "12",
    date_limite: "",
    grace: "59",
    budget: "",
    lieux: [],
  });

  async function newProgrammePage(
    req: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    values: ProgrammeValues,
    errors: Partial<Record<keyof ProgrammeValues, string>> = {},
    problemText?: string,
  ) {
    const territory = values.territoire
      ? resolveTerritory(values.territoire, resolveOptions())
      : { kind: "none" as const };
    const territoryId = territory.kind === "found" ? territory.territory.id : actor.organisation.territoryId;
    const places = (await organisationsWithin(territoryId)).map((o) => ({ id: o.id, name: o.name }));
    return page(
      reply,
      NewProgrammePage({
        nav: nav(req, reply, actor, await namesOf([])),
        values,
        errors,
        places,
        problem: problemText,
      }),
      problemText ? 400 : 200,
    );
  }

  const resolveOptions = (): ResolveOptions => ({
    referential: ctx.territories,
    search: ctx.search,
    prefer: "code",
  });

  app.get("/pass/programmes/nouveau", { schema: { hide: true } }, async (req, reply) => {
    const actor = await authorize(req, ctx, "pass.commander", {
      organisationId: req.actor?.organisation.id ?? -1,
    });
    return newProgrammePage(req, reply, actor, {
      ...emptyProgramme(),
      territoire: territoryName(actor.organisation.territoryId),
    });
  });

  /** A programme as typed in the form: the values to keep, the errors by field, or what to create. */
  function readProgrammeForm(
    body: Form,
    actor: Actor,
  ): {
    values: ProgrammeValues;
    errors: Partial<Record<keyof ProgrammeValues, string>>;
    programme?: NewProgramme;
  } {
    const values: ProgrammeValues = {
      nom: str(body.nom, 200),
      territoire: str(body.territoire, 100),
      publics: list(body.publics),
      valeur: str(body.valeur, 20),
      carnet: str(body.carnet, 3),
      validite: str(body.validite, 5),
      date_limite: str(body.date_limite, 12),
      grace: str(body.grace, 5),
      budget: str(body.budget, 20),
      lieux: list(body.lieux),
    };
    const errors: Partial<Record<keyof ProgrammeValues, string>> = {};
    if (!values.nom) errors.nom = "Donnez un nom au programme.";
    const t = resolveTerritory(values.territoire, resolveOptions());
    if (t.kind !== "found")
      errors.territoire =
        unresolvedView(t, resolveOptions()).problem ?? "Précisez le territoire du programme.";
    const publics = values.publics.filter((x): x is Public => (PUBLICS as readonly string[]).includes(x));
    if (publics.length === 0) errors.publics = "Cochez au moins un public visé.";
    const face = parseEuros(values.valeur);
    if (face === null || face < LIMITS.faceValueCents.min || face > LIMITS.faceValueCents.max)
      errors.valeur = `La valeur d'un chèque est un montant en euros, positif, d'au plus deux décimales, de ${euros(LIMITS.faceValueCents.min)} à ${euros(LIMITS.faceValueCents.max)}.`;
    if (values.carnet !== "5" && values.carnet !== "10")
      errors.carnet = "Choisissez 5 ou 10 chèques par carnet.";
    const months = /^\d{1,2}$/.test(values.validite) ? Number(values.validite) : Number.NaN;
    if (!(months >= LIMITS.validityMonths.min && months <= LIMITS.validityMonths.max))
      errors.validite = `La validité est un nombre entier de mois, de ${LIMITS.validityMonths.min} à ${LIMITS.validityMonths.max}.`;
    const last = parseDay(values.date_limite);
    const today = dayIn(
      now(),
      zoneOfTerritory(ctx.territories, t.kind === "found" ? t.territory.id : actor.organisation.territoryId),
    );
    if (!last) errors.date_limite = "La date limite s'écrit AAAA-MM-JJ, par exemple 2027-12-31.";
    else if (last < today)
      errors.date_limite = "La date limite est déjà passée : choisissez un jour à venir.";
    const grace = /^\d{1,3}$/.test(values.grace) ? Number(values.grace) : Number.NaN;
    if (!(grace >= LIMITS.graceDays.min && grace <= LIMITS.graceDays.max))
      errors.grace = `Le délai est un nombre entier de jours, de ${LIMITS.graceDays.min} à ${LIMITS.graceDays.max}.`;
    const budget = parseEuros(values.budget);
    if (budget === null || budget > LIMITS.budgetCents.max)
      errors.budget = "Le budget est un montant en euros, positif, d'au plus deux décimales.";
    const lieux = values.lieux.map(Number).filter((x) => Number.isInteger(x) && x > 0);
    if (Object.keys(errors).length > 0 || t.kind !== "found") return { values, errors };
    return {
      values,
      errors,
      programme: {
        name: values.nom,
        organisationId: actor.organisation.id,
        territoryId: t.territory.id,
        zone: zoneOfTerritory(ctx.territories, t.territory.id),
        publics,
        faceValueCents: face as number,
        bookletSize: Number(values.carnet) as 5 | 10,
        validityMonths: months,
        lastDate: last as string,
        graceDays: grace,
        budgetCents: budget as number,
        placeOrganisationIds: lieux,
      },
    };
  }

  app.post<{ Body: Form }>(
    "/pass/programmes/nouveau",
    { preValidation: checkCsrf, schema: { hide: true, body: formBody } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "pass.commander", {
        organisationId: req.actor?.organisation.id ?? -1,
      });
      const r = readProgrammeForm(req.body, actor);
      if (!r.programme)
        return newProgrammePage(
          req,
          reply,
          actor,
          r.values,
          r.errors,
          "Le programme n'est pas créé : corrigez les champs signalés.",
        );
      const places = new Set((await organisationsWithin(r.programme.territoryId)).map((o) => o.id));
      if (r.programme.placeOrganisationIds.some((id) => !places.has(id)))
        return newProgrammePage(
          req,
          reply,
          actor,
          r.values,
          { lieux: "Cochez des lieux de la liste." },
          "Le programme n'est pas créé.",
        );
      const p = await createProgramme(db(), r.programme, journalBy(req), now());
      return reply.redirect(`/pass/programmes/${p.id}?cree=1`, 303);
    },
  );

  async function programmePage(
    req: FastifyRequest<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>,
    reply: FastifyReply,
    extra: Partial<Parameters<typeof ProgrammePage>[0]> = {},
    status = 200,
  ) {
    const actor = await signedIn(req);
    const p = await programmeOr404(req.params.id);
    if (!(await visible(actor, p))) await authorize(req, ctx, "pass.consulter", programmeScope(p));
    const pageNo = Math.max(1, intParam(req.query.page ?? "1"));
    const { booklets, total } = await listBooklets(
      db(),
      { programmeId: p.id },
      { limit: PAGE_SIZE, offset: (pageNo - 1) * PAGE_SIZE },
    );
    const canAllocate = allowed(actor, "pass.attribuer", programmeScope(p));
    const prescribers = canAllocate ? await organisationsWithin(p.territoryId) : [];
    const funnel = await funnelOf(p);
    const names = await namesOf([
      p.organisationId,
      ...booklets.flatMap((b) => (b.allocatedTo === null ? [] : [b.allocatedTo])),
      ...funnel.byPrescriber.map((r) => r.organisationId),
      ...funnel.byPlace.map((r) => r.organisationId),
    ]);
    return page(
      reply,
      ProgrammePage({
        nav: nav(req, reply, actor, names),
        programme: p,
        territoryName: territoryName(p.territoryId),
        funnel,
        booklets,
        bookletTotal: total,
        page: pageNo,
        pageSize: PAGE_SIZE,
        canOrder: allowed(actor, "pass.commander", programmeScope(p)),
        canAllocate,
        prescribers: prescribers.map((o) => ({ id: o.id, name: o.name })),
        notice:
          req.query.cree === "1" ? "Le programme est créé : vous pouvez commander ses carnets." : undefined,
        ...extra,
      }),
      status,
    );
  }

  async function funnelOf(p: Programme) {
    const places = await ctx.places.all();
    const runs = new Set<string>();
    for (const id of p.placeOrganisationIds)
      for (const pl of (await getOrganisation(db(), id))?.placeIds ?? []) runs.add(pl);
    const points = places
      .filter((x) => runs.has(x.id) && x.location)
      .map((x) => x.location as { lat: number; lon: number });
    return programmeFunnel(
      db(),
      p.id,
      dayIn(now(), p.zone),
      points,
      (code) => {
        const t = ctx.territories.get(code);
        return t && t.lat !== null && t.lon !== null ? { lat: t.lat, lon: t.lon } : null;
      },
      communeName,
    );
  }

  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(
    "/pass/programmes/:id",
    { schema: { hide: true } },
    (req, reply) => programmePage(req, reply),
  );

  /** The dashboard as a file: CSV (semicolons) or XLSX, the same rows. */
  const EXPORTS = {
    csv: {
      type: "text/csv; charset=utf-8",
      write: async (...a: Parameters<typeof funnelCsv>) => funnelCsv(...a),
    },
    xlsx: { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write: funnelXlsx },
  } as const;
  for (const [ext, format] of Object.entries(EXPORTS))
    app.get<{ Params: { id: string } }>(
      `/pass/programmes/:id/export.${ext}`,
      { schema: { hide: true } },
      async (req, reply) => {
        const p = await programmeOr404(req.params.id);
        await authorize(req, ctx, "pass.consulter", programmeScope(p));
        const f = await funnelOf(p);
        const names = await namesOf([...f.byPrescriber, ...f.byPlace].map((r) => r.organisationId));
        return reply
          .header("cache-control", "no-store")
          .header("content-disposition", `attachment; filename="pass-programme-${p.id}.${ext}"`)
          .type(format.type)
          .send(await format.write(f, p.name, names));
      },
    );

  app.post<{ Params: { id: string }; Body: Form; Querystring: Record<string, string | undefined> }>(
    "/pass/programmes/:id/carnets",
    { preValidation: checkCsrf, schema: { hide: true, body: formBody } },
    async (req, reply) => {
      const p = await programmeOr404(req.params.id);
      await authorize(req, ctx, "pass.commander", programmeScope(p));
      const raw = str(req.body.nombre, 10);
      const count = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(count >= LIMITS.order.min && count <= LIMITS.order.max))
        return programmePage(
          req,
          reply,
          {
            problem: `Le nombre de carnets est un nombre entier de ${LIMITS.order.min} à ${LIMITS.order.max} : rien n'a été commandé.`,
            values: { nombre: raw },
          },
          400,
        );
      const r = await orderBooklets(db(), p.id, count, journalBy(req), now());
      if (!r.ok) return programmePage(req, reply, { problem: r.message, values: { nombre: raw } }, 409);
      return programmePage(req, reply, {
        notice: `${count} carnet(s) commandé(s).`,
        ordered: { count, first: r.booklets[0]?.serial ?? "", last: r.booklets.at(-1)?.serial ?? "" },
      });
    },
  );

  app.post<{ Params: { id: string }; Body: Form; Querystring: Record<string, string | undefined> }>(
    "/pass/programmes/:id/attribution",
    { preValidation: checkCsrf, schema: { hide: true, body: formBody } },
    async (req, reply) => {
      const p = await programmeOr404(req.params.id);
      await authorize(req, ctx, "pass.attribuer", programmeScope(p));
      const values = { organisation: str(req.body.organisation, 12), carnets: str(req.body.carnets, 10) };
      const count = /^\d{1,5}$/.test(values.carnets) ? Number(values.carnets) : Number.NaN;
      const target = (await organisationsWithin(p.territoryId)).find(
        (o) => String(o.id) === values.organisation,
      );
      if (!target)
        return programmePage(
          req,
          reply,
          {
            problem: "Choisissez un prescripteur du territoire du programme : rien n'a été attribué.",
            values,
          },
          400,
        );
      if (!(count >= 1 && count <= LIMITS.order.max))
        return programmePage(
          req,
          reply,
          {
            problem: "Le nombre de carnets est un nombre entier, 1 au moins : rien n'a été attribué.",
            values,
          },
          400,
        );
      const r = await allocateBooklets(db(), p, { count }, target.id, journalBy(req), now());
      if (!r.ok) return programmePage(req, reply, { problem: r.message, values }, 409);
      return programmePage(req, reply, {
        notice: `${r.serials.length} carnet(s) attribué(s) à ${target.name} : ${r.serials[0]}${r.serials.length > 1 ? ` à ${r.serials.at(-1)}` : ""}.`,
      });
    },
  );

  /** The printable booklets of a programme (from `de` to `a`, 200 at most): the financeur's. */
  app.get<{ Params: { id: string }; Querystring: { de?: string; a?: string } }>(
    "/pass/programmes/:id/impression",
    { schema: { hide: true } },
    async (req, reply) => {
      const p = await programmeOr404(req.params.id);
      await authorize(req, ctx, "pass.commander", programmeScope(p));
      const from = parseSerial(req.query.de ?? "") ?? "";
      const to = parseSerial(req.query.a ?? "") ?? from;
      const { booklets } = await listBooklets(db(), { programmeId: p.id }, { limit: 5000, offset: 0 });
      const chosen = booklets.filter((b) => b.serial >= from && b.serial <= to).slice(0, 200);
      if (chosen.length === 0)
        throw new HttpError(404, "Introuvable", "Aucun carnet de ce programme n'a ces numéros.");
      const full = [];
      for (const b of chosen) {
        const bk = await getBooklet(db(), b.serial);
        if (!bk) continue;
        full.push({
          serial: bk.serial,
          cheques: await Promise.all(
            bk.cheques.map(async (c) => ({
              code: c.code,
              rank: c.rank,
              qr: await QRCode.toString(c.code, { type: "svg", margin: 1, errorCorrectionLevel: "M" }),
            })),
          ),
        });
      }
      const financeur = (await getOrganisation(db(), p.organisationId))?.name ?? "le financeur";
      return page(reply, PrintPage({ programme: p, booklets: full, financeur }));
    },
  );

  // ——————————————————————————————————————————————————————————— booklets and handing

  const emptyHanding = (): HandingValues => ({ commune: "", tranche: "", beneficiaire: "", diagnostic: "" });

  async function bookletPage(
    req: FastifyRequest<{ Params: { serial: string } }>,
    reply: FastifyReply,
    extra: Partial<Parameters<typeof BookletPage>[0]> = {},
    status = 200,
  ) {
    const actor = await signedIn(req);
    const serial = parseSerial(req.params.serial);
    const b = serial ? await getBooklet(db(), serial) : null;
    if (!b) throw new HttpError(404, "Introuvable", "Aucun carnet n'a ce numéro.");
    const p = (await getProgramme(db(), b.programmeId)) as Programme;
    const holder = b.allocatedTo ?? b.handedBy;
    const mayHand = holder !== null && allowed(actor, "pass.remettre", { organisationId: holder });
    if (!mayHand) await authorize(req, ctx, "pass.consulter", programmeScope(p));
    const names = await namesOf(holder === null ? [] : [holder]);
    return page(
      reply,
      BookletPage({
        nav: nav(req, reply, actor, names),
        booklet: b,
        programme: p,
        canHand: mayHand && b.state === "attribue",
        communeName,
        values: emptyHanding(),
        errors: {},
        ...extra,
      }),
      status,
    );
  }

  app.get<{ Params: { serial: string }; Querystring: { remis?: string; diagnostic?: string } }>(
    "/pass/carnets/:serial",
    { schema: { hide: true } },
    (req, reply) =>
      bookletPage(req, reply, {
        notice:
          req.query.remis === "1" ? "La remise est enregistrée. Donnez le carnet à la personne." : undefined,
        values: {
          ...emptyHanding(),
          diagnostic: /^\d{1,9}$/.test(req.query.diagnostic ?? "") ? (req.query.diagnostic as string) : "",
        },
      }),
  );

  /** A handing as typed: the values, the errors, or what to record. */
  function readHanding(body: Record<string, unknown>, today: string) {
    const values: HandingValues = {
      commune: str(body.commune, 100),
      tranche: str(body.tranche, 20),
      beneficiaire: str(body.beneficiaire, 40),
      diagnostic: str(body.diagnostic, 12),
    };
    const errors: Partial<Record<keyof HandingValues, string>> = {};
    const t = resolveTerritory(values.commune, {
      ...resolveOptions(),
      kinds: ["commune", "arrondissement"],
      prefer: "postcode",
    });
    if (t.kind === "ambiguous")
      errors.commune = `Plusieurs communes correspondent à « ${values.commune} » : ${t.candidates
        .slice(0, 8)
        .map((c) => c.label)
        .join(", ")}. Tapez le nom de la commune.`;
    else if (t.kind !== "found")
      errors.commune = unresolvedView(t, resolveOptions()).problem ?? "Précisez la commune du bénéficiaire.";
    if (values.tranche && !(AGE_BRACKETS as readonly string[]).includes(values.tranche))
      errors.tranche = "Choisissez une tranche d'âge de la liste.";
    if (values.beneficiaire && !/^[\p{L}\p{N} ._/-]{1,30}$/u.test(values.beneficiaire))
      errors.beneficiaire = "Le numéro de dossier a 30 caractères au plus : lettres, chiffres, tirets.";
    if (values.diagnostic && !/^\d{1,9}$/.test(values.diagnostic))
      errors.diagnostic = "Le numéro du diagnostic est fait de chiffres.";
    const handing =
      Object.keys(errors).length === 0 && t.kind === "found"
        ? {
            beneficiary: values.beneficiaire || null,
            communeCode: t.territory.id,
            ageBracket: (values.tranche || null) as AgeBracket | null,
            diagnosticId: values.diagnostic ? Number(values.diagnostic) : null,
            handedOn: today,
          }
        : null;
    return { values, errors, handing };
  }

  app.post<{ Params: { serial: string }; Body: Form }>(
    "/pass/carnets/:serial/remise",
    { preValidation: checkCsrf, schema: { hide: true, body: formBody } },
    async (req, reply) => {
      const serial = parseSerial(req.params.serial);
      const b = serial ? await getBooklet(db(), serial) : null;
      if (!b || !serial) throw new HttpError(404, "Introuvable", "Aucun carnet n'a ce numéro.");
      const actor = await authorize(req, ctx, "pass.remettre", {
        organisationId: b.allocatedTo ?? b.handedBy ?? -1,
      });
      const p = (await getProgramme(db(), b.programmeId)) as Programme;
      const r = readHanding(req.body, dayIn(now(), p.zone));
      if (!r.handing)
        return bookletPage(
          req,
          reply,
          {
            values: r.values,
            errors: r.errors,
            problem: "La remise n'est pas enregistrée : corrigez les champs signalés.",
          },
          400,
        );
      const done = await handBooklet(
        db(),
        p,
        serial,
        actor.organisation.id,
        r.handing,
        journalBy(req),
        now(),
      );
      if (!done.ok) return bookletPage(req, reply, { values: r.values, problem: done.message }, 409);
      return reply.redirect(`/pass/carnets/${serial}?remis=1`, 303);
    },
  );

  app.get<{ Querystring: { diagnostic?: string } }>(
    "/pass/remettre",
    { schema: { hide: true } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "pass.remettre", {
        organisationId: req.actor?.organisation.id ?? -1,
      });
      const all = await programmesFor(db(), actor.organisation.id);
      const booklets = [];
      for (const { programme, takesPart } of all) {
        if (!takesPart) continue;
        const r = await listBooklets(
          db(),
          { programmeId: programme.id, state: "attribue", allocatedTo: actor.organisation.id },
          { limit: 200, offset: 0 },
        );
        booklets.push(...r.booklets);
      }
      const names = new Map(all.map((x) => [x.programme.id, x.programme.name]));
      return page(
        reply,
        HandPage({
          nav: nav(req, reply, actor, await namesOf([])),
          booklets,
          programmeName: (id) => names.get(id) ?? "",
          diagnostic: /^\d{1,9}$/.test(req.query.diagnostic ?? "") ? req.query.diagnostic : undefined,
        }),
      );
    },
  );

  app.get<{ Params: { serial: string } }>(
    "/pass/carnets/:serial/rappel",
    { schema: { hide: true } },
    async (req, reply) => {
      const serial = parseSerial(req.params.serial);
      const b = serial ? await getBooklet(db(), serial) : null;
      if (b?.state !== "remis") throw new HttpError(404, "Introuvable", "Aucun carnet remis n'a ce numéro.");
      await authorize(req, ctx, "pass.remettre", { organisationId: b.handedBy ?? -1 });
      const p = (await getProgramme(db(), b.programmeId)) as Programme;
      const placeIds = new Set<string>();
      for (const id of p.placeOrganisationIds)
        for (const x of (await getOrganisation(db(), id))?.placeIds ?? []) placeIds.add(x);
      const places = (await ctx.places.all())
        .filter((x) => placeIds.has(x.id))
        .slice(0, 5)
        .map((x) => ({
          name: x.standard.nom,
          address: `${x.standard.adresse}, ${x.standard.code_postal} ${x.standard.commune}`,
          href: `/lieux/${x.id}`,
        }));
      return page(
        reply,
        ReminderPage({
          booklet: b,
          programme: p,
          prescriber: (await getOrganisation(db(), b.handedBy ?? -1))?.name ?? "",
          places,
          unused: b.cheques.filter((c) => c.state === "remis").length,
        }),
      );
    },
  );

  // ——————————————————————————————————————————————————————————— redemption

  /** Why this organisation cannot redeem this cheque today, or null. */
  function refusalOf(c: ChequeView, organisationId: number, workshopOn: string, zone: string): string | null {
    const r = redeemability(c, organisationId, workshopOn, dayIn(now(), zone), day);
    return r.ok ? null : r.message;
  }

  app.get<{ Querystring: { code?: string; encaisse?: string } }>(
    "/pass/encaisser",
    {
      schema: {
        hide: true,
        querystring: z.object({
          code: z.string().max(40).optional(),
          encaisse: z.string().max(2).optional(),
        }),
      },
    },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "pass.encaisser", {
        organisationId: req.actor?.organisation.id ?? -1,
      });
      const typed = req.query.code ?? "";
      const base = {
        nav: nav(req, reply, actor, await namesOf([])),
        code: typed,
        cheque: null,
        refusal: null,
        today: dayIn(now(), "Europe/Paris"),
        values: { atelier: "", duree: "" },
      };
      if (!typed) return page(reply, RedeemPage(base));
      const read = readCode(typed);
      if (!read.ok) return page(reply, RedeemPage({ ...base, problem: read.message }), 422);
      const c = await getCheque(db(), read.code);
      if (!c)
        return page(
          reply,
          RedeemPage({ ...base, problem: "Aucun chèque n'a ce code : vérifiez-le avec le chèque." }),
          404,
        );
      const p = (await getProgramme(db(), c.programmeId)) as Programme;
      const today = dayIn(now(), p.zone);
      return page(
        reply,
        RedeemPage({
          ...base,
          today,
          cheque: c,
          refusal: req.query.encaisse === "1" ? null : refusalOf(c, actor.organisation.id, today, p.zone),
          done: req.query.encaisse === "1" && c.state === "encaisse",
        }),
      );
    },
  );

  app.post<{ Params: { code: string }; Body: Form }>(
    "/pass/encaisser/:code",
    { preValidation: checkCsrf, schema: { hide: true, body: formBody } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "pass.encaisser", {
        organisationId: req.actor?.organisation.id ?? -1,
      });
      const read = readCode(req.params.code);
      const base = {
        nav: nav(req, reply, actor, await namesOf([])),
        code: req.params.code.slice(0, 20),
        cheque: null,
        refusal: null,
        today: dayIn(now(), "Europe/Paris"),
      };
      const values = { atelier: str(req.body.atelier, 12), duree: str(req.body.duree, 4) };
      if (!read.ok) return page(reply, RedeemPage({ ...base, values, problem: read.message }), 422);
      const c = await getCheque(db(), read.code);
      if (!c)
        return page(
          reply,
          RedeemPage({ ...base, values, problem: "Aucun chèque n'a ce code : vérifiez-le avec le chèque." }),
          404,
        );
      const p = (await getProgramme(db(), c.programmeId)) as Programme;
      const today = dayIn(now(), p.zone);
      const workshopOn = parseDay(values.atelier || today);
      const minutes = /^\d{1,3}$/.test(values.duree || "60") ? Number(values.duree || "60") : Number.NaN;
      const again = (problemText: string, status: number) =>
        page(reply, RedeemPage({ ...base, today, cheque: c, values, problem: problemText }), status);
      if (!workshopOn)
        return again(
          "La date de l'atelier s'écrit AAAA-MM-JJ, par exemple 2026-12-02. Rien n'a été encaissé.",
          400,
        );
      if (!(minutes >= LIMITS.workshopMinutes.min && minutes <= LIMITS.workshopMinutes.max))
        return again(
          `La durée de l'atelier est un nombre de minutes, de ${LIMITS.workshopMinutes.min} à ${LIMITS.workshopMinutes.max} (2 heures). Rien n'a été encaissé.`,
          400,
        );
      const refusal = refusalOf(c, actor.organisation.id, workshopOn, p.zone);
      if (refusal)
        return page(
          reply,
          RedeemPage({ ...base, today, cheque: c, values, refusal }),
          c.state === "encaisse" ? 409 : 422,
        );
      const r = await redeemCheque(
        db(),
        c.code,
        { organisationId: actor.organisation.id, workshopOn, workshopMinutes: minutes },
        journalBy(req),
        now(),
      );
      if (!r.redeemed && r.cheque)
        return page(
          reply,
          RedeemPage({
            ...base,
            today,
            cheque: r.cheque,
            values,
            refusal:
              refusalOf(r.cheque, actor.organisation.id, workshopOn, p.zone) ??
              "Ce chèque n'a pas pu être encaissé.",
          }),
          409,
        );
      return reply.redirect(`/pass/encaisser?code=${c.code}&encaisse=1`, 303);
    },
  );

  // ——————————————————————————————————————————————————————————— statements

  app.get<{ Querystring: { programme?: string; paye?: string } }>(
    "/pass/releves",
    {
      schema: {
        hide: true,
        querystring: z.object({
          programme: z.string().max(12).optional(),
          paye: z.string().max(2).optional(),
        }),
      },
    },
    async (req, reply) => {
      const actor = await signedIn(req);
      const programmeId = req.query.programme ? intParam(req.query.programme) : undefined;
      const role = actor.membership.role;
      let statements = await listStatements(db(), {
        ...(programmeId !== undefined ? { programmeId } : {}),
        ...(role === "financeur" ? { financeurId: actor.organisation.id } : {}),
        ...(role === "mediateur" ? { organisationId: actor.organisation.id } : {}),
      });
      if (role !== "financeur" && role !== "mediateur") {
        const seen = new Map<number, boolean>();
        const keep = [];
        for (const s of statements) {
          if (!seen.has(s.programmeId)) {
            const p = await getProgramme(db(), s.programmeId);
            seen.set(s.programmeId, p !== null && allowed(actor, "pass.consulter", programmeScope(p)));
          }
          if (seen.get(s.programmeId)) keep.push(s);
        }
        statements = keep;
      }
      return page(
        reply,
        StatementsPage({
          nav: nav(req, reply, actor, await namesOf(statements.map((s) => s.organisationId))),
          statements,
          canPay: (s) => allowed(actor, "pass.payer", { organisationId: s.financeurId }),
          notice: req.query.paye === "1" ? "Le relevé est marqué payé." : undefined,
        }),
      );
    },
  );

  app.post<{ Params: { id: string }; Body: Form }>(
    "/pass/releves/:id/paye",
    { preValidation: checkCsrf, schema: { hide: true, body: formBody } },
    async (req, reply) => {
      const id = intParam(req.params.id);
      const [s] = (await listStatements(db(), {})).filter((x) => x.id === id);
      if (!s) throw new HttpError(404, "Introuvable", "Ce relevé n'existe pas.");
      await authorize(req, ctx, "pass.payer", { organisationId: s.financeurId });
      if (!(await markPaid(db(), s, journalBy(req), now())))
        throw new HttpError(409, "Déjà payé", "Ce relevé est déjà marqué payé.");
      return reply.redirect("/pass/releves?paye=1", 303);
    },
  );

  // ——————————————————————————————————————————————————————————— API

  const codeParam = z.object({
    code: z.string().max(40).describe("Le code du chèque, avec ou sans tirets."),
  });
  const serialParam = z.object({
    serial: z.string().max(40).describe("Le numéro du carnet, par exemple P0001-000001."),
  });
  const TAG = ["Pass numérique"];
  const REASON = {
    erreur: z
      .string()
      .max(40)
      .describe("La raison, pour un programme : deja-remis, faute, caractere, longueur…"),
  };
  const REDEEMED = {
    ...REASON,
    encaisse_le: z.string().max(40).optional().describe("Quand le chèque a été encaissé (déjà encaissé)."),
  };

  /** A cheque's code from the URL: 422 with what is wrong (a typo, a character no code has), 404 when unknown. */
  async function chequeOf(reply: FastifyReply, raw: string): Promise<ChequeView | null> {
    const read = readCode(raw);
    if (!read.ok) {
      sendProblem(reply, 422, "Code incorrect", read.message, { erreur: read.kind });
      return null;
    }
    const c = await getCheque(db(), read.code);
    if (!c) {
      sendProblem(reply, 404, "Chèque inconnu", "Aucun chèque n'a ce code.");
      return null;
    }
    return c;
  }

  const chequeJson = (c: ChequeView) => ({
    code: c.code,
    etat: c.state,
    valeur_centimes: c.faceValueCents,
    programme: c.programmeId,
    carnet: c.serial,
    valable_jusqu_au: c.validUntil,
    encaisse_le: c.redeemedAt?.toISOString() ?? null,
  });
  const chequeSchema = z.object({
    code: z.string(),
    etat: z.string().describe("commande, attribue, remis, encaisse, expire ou annule."),
    valeur_centimes: z.number().int(),
    programme: z.number().int(),
    carnet: z.string(),
    valable_jusqu_au: z.string().nullable(),
    encaisse_le: z.string().nullable(),
  });

  api.post(
    "/api/v1/pass/programmes",
    {
      schema: {
        tags: TAG,
        summary: "Créer un programme de pass numérique (financeur)",
        body: z.object({
          nom: z.string().min(1).max(200).describe("Nom du programme."),
          territoire: z.string().max(20).describe("Identifiant du territoire : 23, 200067213, 23096…"),
          publics: z.array(z.enum(PUBLICS)).min(1).max(PUBLICS.length).describe("Publics visés."),
          valeur_centimes: z
            .number()
            .int()
            .min(LIMITS.faceValueCents.min)
            .max(LIMITS.faceValueCents.max)
            .describe("Valeur d'un chèque en centimes (1000 = 10 €)."),
          carnet: z.union([z.literal(5), z.literal(10)]).describe("Chèques par carnet : 5 ou 10."),
          validite_mois: z
            .number()
            .int()
            .min(LIMITS.validityMonths.min)
            .max(LIMITS.validityMonths.max)
            .describe("Validité d'un chèque après la remise, en mois."),
          date_limite: z
            .string()
            .max(10)
            .regex(/^\d{4}-\d{2}-\d{2}$/, "date_limite : AAAA-MM-JJ")
            .describe("Dernier jour pour remettre un carnet et utiliser un chèque."),
          delai_grace_jours: z
            .number()
            .int()
            .min(LIMITS.graceDays.min)
            .max(LIMITS.graceDays.max)
            .default(0)
            .describe("Jours après la fin de validité pour déclarer un atelier fait pendant la validité."),
          budget_centimes: z
            .number()
            .int()
            .min(0)
            .max(LIMITS.budgetCents.max)
            .describe("Budget en centimes."),
          lieux: z
            .array(z.number().int().positive())
            .max(500)
            .default([])
            .describe("Organisations habilitées à encaisser."),
        }),
        response: {
          201: z.object({ id: z.number().int(), nom: z.string() }),
          400: problem("Demande incorrecte : un champ manque ou n'a pas la bonne forme."),
          403: problem("Seul un financeur crée un programme."),
        },
      },
    },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "pass.commander", {
        organisationId: req.actor?.organisation.id ?? -1,
      });
      const b = req.body;
      const t = ctx.territories.get(b.territoire);
      const last = parseDay(b.date_limite);
      if (!t)
        return sendProblem(
          reply,
          400,
          "Territoire inconnu",
          `Aucun territoire n'a l'identifiant « ${b.territoire} ».`,
        );
      if (!last) return sendProblem(reply, 400, "Date incorrecte", "date_limite n'est pas une date réelle.");
      const p = await createProgramme(
        db(),
        {
          name: b.nom.trim(),
          organisationId: actor.organisation.id,
          territoryId: t.id,
          zone: zoneOfTerritory(ctx.territories, t.id),
          publics: b.publics,
          faceValueCents: b.valeur_centimes,
          bookletSize: b.carnet,
          validityMonths: b.validite_mois,
          lastDate: last,
          graceDays: b.delai_grace_jours,
          budgetCents: b.budget_centimes,
          placeOrganisationIds: b.lieux,
        },
        journalBy(req),
        now(),
      );
      return reply.code(201).send({ id: p.id, nom: p.name });
    },
  );

  api.post(
    "/api/v1/pass/programmes/:id/carnets",
    {
      schema: {
        tags: TAG,
        summary: "Commander des carnets : leurs numéros et les codes de leurs chèques",
        params: z.object({ id: z.string().max(12).describe("Numéro du programme.") }),
        body: z.object({
          nombre: z
            .number()
            .int()
            .min(LIMITS.order.min)
            .max(LIMITS.order.max)
            .describe("Nombre de carnets à commander."),
        }),
        response: {
          201: z.object({ carnets: z.array(z.object({ numero: z.string(), cheques: z.array(z.string()) })) }),
          400: problem("Demande incorrecte."),
          404: problem("Programme inconnu."),
          409: problem("Budget dépassé : rien n'est commandé."),
        },
      },
    },
    async (req, reply) => {
      const p = await getProgramme(db(), intParam(req.params.id));
      if (!p) return sendProblem(reply, 404, "Programme inconnu", "Ce programme n'existe pas.");
      await authorize(req, ctx, "pass.commander", programmeScope(p));
      const r = await orderBooklets(db(), p.id, req.body.nombre, journalBy(req), now());
      if (!r.ok) return sendProblem(reply, 409, "Commande refusée", r.message);
      return reply
        .code(201)
        .send({ carnets: r.booklets.map((b) => ({ numero: b.serial, cheques: b.codes })) });
    },
  );

  api.post(
    "/api/v1/pass/carnets/:serial/attribution",
    {
      schema: {
        tags: TAG,
        summary: "Attribuer un carnet à un prescripteur",
        params: serialParam,
        body: z.object({
          organisation: z.number().int().positive().describe("Numéro de l'organisation prescriptrice."),
        }),
        response: {
          200: z.object({ numero: z.string(), organisation: z.number().int() }),
          400: problem("Demande incorrecte."),
          404: problem("Carnet inconnu."),
          409: problem("Déjà attribué, remis ou annulé."),
          422: problem("Cette organisation n'agit pas sur le territoire du programme."),
        },
      },
    },
    async (req, reply) => {
      const serial = parseSerial(req.params.serial);
      const b = serial ? await getBooklet(db(), serial) : null;
      if (!b || !serial) return sendProblem(reply, 404, "Carnet inconnu", "Aucun carnet n'a ce numéro.");
      const p = (await getProgramme(db(), b.programmeId)) as Programme;
      await authorize(req, ctx, "pass.attribuer", programmeScope(p));
      const target = (await organisationsWithin(p.territoryId)).find((o) => o.id === req.body.organisation);
      if (!target)
        return sendProblem(
          reply,
          422,
          "Prescripteur inconnu",
          "Cette organisation n'agit pas sur le territoire du programme.",
        );
      const r = await allocateBooklets(db(), p, { serials: [serial] }, target.id, journalBy(req), now());
      if (!r.ok) return sendProblem(reply, 409, "Attribution refusée", r.message);
      return { numero: serial, organisation: target.id };
    },
  );

  api.post(
    "/api/v1/pass/carnets/:serial/remise",
    {
      schema: {
        tags: TAG,
        summary: "Enregistrer la remise d'un carnet à un bénéficiaire (sans nom)",
        params: serialParam,
        body: z.object({
          commune: z.string().max(5).describe("Code INSEE de la commune du bénéficiaire."),
          tranche_age: z
            .enum(AGE_BRACKETS)
            .optional()
            .describe("Tranche d'âge du bénéficiaire (facultatif)."),
          beneficiaire: z
            .string()
            .max(30)
            .regex(/^[\p{L}\p{N} ._/-]*$/u, "beneficiaire : lettres, chiffres et tirets")
            .optional()
            .describe("Le numéro de dossier du prescripteur, jamais un nom."),
          diagnostic: z
            .number()
            .int()
            .positive()
            .optional()
            .describe("Numéro du diagnostic fait avec la personne (facultatif)."),
        }),
        response: {
          200: z.object({ numero: z.string(), valable_jusqu_au: z.string() }),
          400: problem("Demande incorrecte, ou commune inconnue."),
          404: problem("Carnet inconnu."),
          409: problemWith("Déjà remis, annulé, ou après la date limite.", REASON),
        },
      },
    },
    async (req, reply) => {
      const serial = parseSerial(req.params.serial);
      const b = serial ? await getBooklet(db(), serial) : null;
      if (!b || !serial) return sendProblem(reply, 404, "Carnet inconnu", "Aucun carnet n'a ce numéro.");
      const actor = await authorize(req, ctx, "pass.remettre", {
        organisationId: b.allocatedTo ?? b.handedBy ?? -1,
      });
      const p = (await getProgramme(db(), b.programmeId)) as Programme;
      const commune = ctx.territories.get(req.body.commune);
      if (!commune || (commune.kind !== "commune" && commune.kind !== "arrondissement"))
        return sendProblem(
          reply,
          400,
          "Commune inconnue",
          `Aucune commune n'a le code « ${req.body.commune} ».`,
        );
      const r = await handBooklet(
        db(),
        p,
        serial,
        actor.organisation.id,
        {
          beneficiary: req.body.beneficiaire || null,
          communeCode: commune.id,
          ageBracket: req.body.tranche_age ?? null,
          diagnosticId: req.body.diagnostic ?? null,
          handedOn: dayIn(now(), p.zone),
        },
        journalBy(req),
        now(),
      );
      if (!r.ok) return sendProblem(reply, 409, "Remise refusée", r.message, { erreur: r.kind });
      return { numero: serial, valable_jusqu_au: r.validUntil };
    },
  );

  api.get(
    "/api/v1/pass/cheques/:code",
    {
      schema: {
        tags: TAG,
        summary: "L'état d'un chèque",
        params: codeParam,
        response: {
          200: chequeSchema,
          400: problem("Code trop long."),
          404: problem("Code inconnu."),
          422: problemWith("Faute de frappe dans le code, ou un caractère qu'aucun code n'a.", REASON),
        },
      },
    },
    async (req, reply) => {
      await authorize(req, ctx, "pass.encaisser", { organisationId: req.actor?.organisation.id ?? -1 });
      const c = await chequeOf(reply, req.params.code);
      return c ? chequeJson(c) : reply;
    },
  );

  api.post(
    "/api/v1/pass/cheques/:code/encaissement",
    {
      schema: {
        tags: TAG,
        summary: "Encaisser un chèque : une seule fois, quoi qu'il arrive",
        params: codeParam,
        body: z
          .object({
            date_atelier: z
              .string()
              .max(10)
              .regex(/^\d{4}-\d{2}-\d{2}$/, "date_atelier : AAAA-MM-JJ")
              .optional()
              .describe("Jour de l'atelier, AAAA-MM-JJ ; aujourd'hui par défaut."),
            duree_minutes: z
              .number()
              .int()
              .min(LIMITS.workshopMinutes.min)
              .max(LIMITS.workshopMinutes.max)
              .default(60)
              .describe("Durée de l'atelier en minutes (120 au plus)."),
          })
          .default({ duree_minutes: 60 }),
        response: {
          200: chequeSchema,
          400: problem("Demande incorrecte."),
          403: problemWith("Votre structure n'est pas habilitée par ce programme.", REDEEMED),
          404: problem("Code inconnu."),
          409: problemWith("Déjà encaissé (avec la date) ou pas encore remis.", REDEEMED),
          410: problemWith("Expiré ou annulé.", REDEEMED),
          422: problemWith("Faute de frappe dans le code, ou atelier hors de la validité.", REDEEMED),
        },
      },
    },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "pass.encaisser", {
        organisationId: req.actor?.organisation.id ?? -1,
      });
      const c = await chequeOf(reply, req.params.code);
      if (!c) return reply;
      const p = (await getProgramme(db(), c.programmeId)) as Programme;
      const today = dayIn(now(), p.zone);
      const workshopOn = req.body.date_atelier ? parseDay(req.body.date_atelier) : today;
      if (!workshopOn)
        return sendProblem(reply, 400, "Date incorrecte", "date_atelier n'est pas une date réelle.");
      const refuse = (x: ChequeView) => {
        const why = redeemability(x, actor.organisation.id, workshopOn, today, day);
        if (why.ok)
          return sendProblem(reply, 409, "Encaissement refusé", "Ce chèque n'a pas pu être encaissé.");
        const status = {
          encaisse: 409,
          "pas-remis": 409,
          expire: 410,
          annule: 410,
          "non-habilite": 403,
          "atelier-apres": 422,
          "atelier-futur": 422,
        }[why.kind];
        return sendProblem(reply, status, "Encaissement refusé", why.message, {
          erreur: why.kind,
          ...(x.redeemedAt ? { encaisse_le: x.redeemedAt.toISOString() } : {}),
        });
      };
      if (!redeemability(c, actor.organisation.id, workshopOn, today, day).ok) return refuse(c);
      const r = await redeemCheque(
        db(),
        c.code,
        { organisationId: actor.organisation.id, workshopOn, workshopMinutes: req.body.duree_minutes },
        journalBy(req),
        now(),
      );
      if (!r.redeemed) return refuse(r.cheque ?? c);
      return chequeJson(r.cheque as ChequeView);
    },
  );
}
