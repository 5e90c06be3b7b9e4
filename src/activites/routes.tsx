/**
 * Activity reports' pages and API. Pages: /activites (the mediator's home: the quick report and the last ones),
 * /activites/nouvelle (the complete form, or a copy of a report), /activites/:id, /activites/statistiques (+ CSV,
 * XLSX), /orientations (the prescribers' references). API (personal tokens): POST /api/v1/activites with an
 * Idempotency-Key, GET /api/v1/activites, GET /api/v1/activites/statistiques. Every write asks the one policy and
 * is journaled in its transaction by the store.
 */
import { createHash, randomUUID } from "node:crypto";
import { join } from "node:path";
import multipart from "@fastify/multipart";
import { parse as parseCsv } from "csv-parse/sync";
import { build } from "esbuild";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import QRCode from "qrcode";
import { readSheet } from "read-excel-file/node";
import writeXlsxFile from "write-excel-file/node";
import { z } from "zod";
import type { Actor } from "../accounts/model.ts";
import { type Action, can, type Scope } from "../accounts/policy.ts";
import { getOrganisation } from "../accounts/store.ts";
import { SignedIn } from "../accounts/views/account.tsx";
import { authorize, checkCsrf, csrfToken, journalBy, within as territoryWithin } from "../accounts/web.ts";
import type { AppContext } from "../context.ts";
import { normaliseDate } from "../mandats/model.ts";
import { newCode, readCode } from "../pass/code.ts";
import { zoneOfTerritory } from "../places/hours.ts";
import { addDays, dayIn } from "../platform/clock.ts";
import { csvCell } from "../platform/csv.ts";
import { HttpError, sendPage, sendProblem } from "../platform/http.ts";
import { problem, problemWith } from "../platform/schema.ts";
import { resolveTerritory } from "../territories/resolve.ts";
import { type Cell, readCoopExport } from "./import.ts";
import {
  type Activity,
  type ActivityField,
  type ActivityInput,
  isIdempotencyKey,
  protect,
  type RawCell,
  validateActivity,
} from "./model.ts";
import {
  activitiesOfBeneficiary,
  beneficiariesOf,
  createBeneficiary,
  createReference,
  getActivity,
  getBeneficiary,
  lastActivityOf,
  listActivities,
  mergeBeneficiaries,
  rawStats,
  referencesOf,
  type SaveResult,
  STAT_DIMENSIONS,
  type StatsScope,
  type StoredActivity,
  saveActivity,
} from "./store.ts";
import {
  type ActivityNav,
  ActivityPage,
  BeneficiariesPage,
  BeneficiaryPage,
  DIMENSION_LABELS,
  FullFormPage,
  HomePage,
  type ImportOutcome,
  ImportPage,
  keyLabel,
  ReferenceSheet,
  ReferencesPage,
  StatsPage,
  type StatsView,
} from "./views.tsx";

const PAGE_SIZE = 30;
/** The largest export accepted (La Coop's XLSX of several years of one mediator weighs a few MB). */
const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

const fold = (s: string) =>
  s.normalize("NFD").replace(/\p{M}/gu, "").replace(/[’'-]/g, " ").replace(/\s+/g, " ").trim().toLowerCase();

/** The rows of an uploaded file: an XLSX (its first sheet) or a CSV (separator « ; » or « , », UTF-8). */
async function sheetRows(data: Buffer): Promise<Cell[][]> {
  if (data.subarray(0, 2).toString("latin1") === "PK") return (await readSheet(data)) as Cell[][];
  const textData = data.toString("utf8").replace(/^\uFEFF/, "");
  if (textData.includes("\u0000")) throw new Error("binaire");
  const first = textData.split(/\r?\n/, 40).join("\n");
  const delimiter = (first.match(/;/g)?.length ?? 0) >= (first.match(/,/g)?.length ?? 0) ? ";" : ",";
  return parseCsv(textData, { delimiter, relax_column_count: true, skip_empty_lines: false }) as Cell[][];
}
const formBody = z.record(z.string(), z.union([z.string().max(2000), z.array(z.string().max(200)).max(60)]));
type Form = Record<string, string | string[]>;
const str = (v: unknown, max = 200): string => (typeof v === "string" ? v.trim().slice(0, max) : "");
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === "string" && v ? [v] : [];
const intParam = (raw: string): number => (/^\d{1,9}$/.test(raw) ? Number(raw) : -1);
const frenchDay = (d: string) => d.split("-").reverse().join("/");

/** The input of a report from a posted form (dates as people write them). */
function inputOf(b: Form): ActivityInput {
  return {
    type: str(b.type, 20),
    date: normaliseDate(str(b.date, 20)),
    duration: str(b.duree_autre, 10) || str(b.duree, 10),
    lieu: str(b.lieu, 30),
    placeId: str(b.lieu_activite, 200),
    commune: str(b.commune, 10),
    thematiques: list(b.thematiques),
    materiel: list(b.materiel),
    autonomie: str(b.autonomie, 40),
    redirection: str(b.redirection, 60),
    notes: str(b.notes, 2100),
    titre: str(b.titre, 300),
    niveau: str(b.niveau, 30),
    participants: str(b.participants, 10),
    coordination: str(b.coordination, 30),
    trancheAge: str(b.tranche_age, 40),
    statut: str(b.statut, 40),
    beneficiaireCommune: str(b.commune_personne, 10),
    diagnostic: str(b.diagnostic, 12),
    orientation: str(b.orientation, 30),
    utilisation: str(b.utilisation, 12),
    cheque: str(b.cheque, 30),
    beneficiaire: str(b.beneficiaire, 12),
  };
}

/** A stored report back into the form's values (a copy: today's date). */
function valuesOf(a: StoredActivity | null, today: string, type = "individuel"): ActivityInput {
  return {
    type: a?.type ?? type,
    date: frenchDay(today),
    duration: a ? String(a.minutes) : "30",
    lieu: a?.lieu ?? "",
    placeId: a?.placeId ?? "",
    commune: a?.communeCode ?? "",
    thematiques: a?.thematiques ?? [],
    materiel: a?.materiel ?? [],
    autonomie: a?.autonomie ?? "",
    redirection: a?.redirection ?? "",
    notes: "",
    titre: a?.titre ?? "",
    niveau: a?.niveau ?? "",
    participants: a && a.type === "collectif" ? String(a.participants) : "",
    coordination: a?.coordination ?? "",
    trancheAge: a?.trancheAge ?? "",
    statut: a?.statut ?? "",
    beneficiaireCommune: a?.beneficiaireCommune ?? "",
    diagnostic: "",
    orientation: "",
    utilisation: "",
    cheque: "",
    beneficiaire: a?.beneficiaireId ? String(a.beneficiaireId) : "",
  };
}

export function registerActivityRoutes(app: FastifyInstance, ctx: AppContext): void {
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
  const isCommune = (code: string) => ctx.territories.get(code)?.kind === "commune";
  const todayOf = (actor: Actor) =>
    dayIn(now(), zoneOfTerritory(ctx.territories, actor.organisation.territoryId));

  function nav(req: FastifyRequest, reply: FastifyReply, actor: Actor): ActivityNav {
    const csrf = csrfToken(req, reply);
    const links: ActivityNav["links"] = [];
    if (allowed(actor, "activite.saisir", own(actor))) {
      links.push({ href: "/activites", label: "Mes comptes rendus" });
      links.push({ href: "/activites/nouvelle", label: "Compte rendu complet" });
      links.push({ href: "/activites/import", label: "Importer de La Coop" });
    }
    links.push({ href: "/activites/statistiques", label: "Statistiques" });
    if (allowed(actor, "beneficiaire.suivre", own(actor)))
      links.push({ href: "/beneficiaires", label: "Dossiers de suivi" });
    if (allowed(actor, "orientation.remettre", own(actor)))
      links.push({ href: "/orientations", label: "Personnes orientées" });
    return { csrf, account: <SignedIn actor={actor} csrf={csrf} />, links };
  }

  /** The organisation's published places, by name. */
  async function placesOf(actor: Actor): Promise<{ id: string; name: string; commune: string | null }[]> {
    const ids = new Set(actor.organisation.placeIds);
    if (ids.size === 0) return [];
    return (await ctx.places.all())
      .filter((p) => ids.has(p.id))
      .map((p) => ({ id: p.id, name: p.standard.nom, commune: p.communeCode }))
      .sort((a, b) => a.name.localeCompare(b.name, "fr"));
  }

  /** Where a report counts in a territory's statistics: its place's commune, the commune typed, the person's. */
  async function statsCommuneOf(a: Activity, actor: Actor): Promise<string | null> {
    if (a.placeId) return (await placesOf(actor)).find((p) => p.id === a.placeId)?.commune ?? null;
    if (a.communeCode) return a.communeCode;
    if (a.beneficiaireCommune) return a.beneficiaireCommune;
    return isCommune(actor.organisation.territoryId) ? actor.organisation.territoryId : null;
  }

  /** Validates and saves a report of `actor` under `key`: the errors, or what the store did. */
  async function submit(
    actor: Actor,
    req: FastifyRequest,
    input: ActivityInput,
    key: string,
  ): Promise<
    | { errors: Partial<Record<ActivityField, string>> }
    | { saved: Exclude<SaveResult, { kind: "unknown-reference" }> }
  > {
    if (!isIdempotencyKey(key))
      return { errors: { type: "Clé d'idempotence absente ou incorrecte : rechargez la page." } };
    const orientation = input.orientation.trim();
    if (orientation) {
      const read = readCode(orientation);
      if (!read.ok)
        return {
          errors: {
            orientation: "Cette référence d'orientation contient une faute : vérifiez-la sur la fiche.",
          },
        };
    }
    const places = await placesOf(actor);
    const v = validateActivity(input, {
      today: todayOf(actor),
      placeIds: places.map((p) => p.id),
      isCommune,
    });
    if (!v.ok) return { errors: v.errors };
    if (v.value.beneficiaireId !== null) {
      const b = await getBeneficiary(db(), v.value.beneficiaireId);
      if (!b || b.organisationId !== actor.organisation.id || b.mergedInto !== null)
        return {
          errors: { beneficiaire: "Ce dossier de suivi n'est pas un dossier ouvert de votre organisation." },
        };
    }
    const saved = await saveActivity(
      db(),
      v.value,
      {
        organisationId: actor.organisation.id,
        personId: actor.person.id,
        key,
        statsCommune: await statsCommuneOf(v.value, actor),
      },
      journalBy(req),
      now(),
    );
    if (saved.kind === "unknown-reference")
      return {
        errors: { orientation: "Aucune fiche d'orientation n'a cette référence : vérifiez-la sur la fiche." },
      };
    return { saved };
  }

  async function homePage(
    req: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    over: {
      values?: ActivityInput;
      errors?: Partial<Record<ActivityField, string>>;
      key?: string;
      notice?: string;
      problem?: string;
      pageNo?: number;
    } = {},
    status = 200,
  ) {
    const pageNo = over.pageNo ?? 1;
    const { activities, total } = await listActivities(db(), {
      organisationId: actor.organisation.id,
      personId: actor.person.id,
      limit: PAGE_SIZE,
      offset: (pageNo - 1) * PAGE_SIZE,
    });
    const last = await lastActivityOf(db(), actor.person.id, actor.organisation.id);
    const values = over.values ?? {
      ...valuesOf(last && last.type === "individuel" ? last : null, todayOf(actor)),
      thematiques: [],
      autonomie: "",
    };
    const n = nav(req, reply, actor);
    return page(
      reply,
      HomePage({
        nav: n,
        form: {
          csrf: n.csrf,
          key: over.key ?? randomUUID(),
          values,
          errors: over.errors ?? {},
          places: await placesOf(actor),
          full: false,
        },
        activities,
        total,
        page: pageNo,
        pageSize: PAGE_SIZE,
        notice: over.notice,
        problem: over.problem,
      }),
      status,
    );
  }

  app.get<{ Querystring: { page?: string; enregistre?: string; deja?: string } }>(
    "/activites",
    { schema: { hide: true } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "activite.saisir", own(req.actor));
      const notice = req.query.enregistre
        ? req.query.deja === "1"
          ? "Ce compte rendu était déjà enregistré : il n'a pas été compté deux fois."
          : "Compte rendu enregistré."
        : undefined;
      return homePage(req, reply, actor, {
        notice,
        pageNo: Math.max(1, Math.min(10_000, intParam(req.query.page ?? "1"))),
      });
    },
  );

  app.post<{ Body: Form }>("/activites", { schema: { body: formBody, hide: true } }, async (req, reply) => {
    await checkCsrf(req);
    const actor = await authorize(req, ctx, "activite.saisir", own(req.actor));
    const input = inputOf(req.body);
    const key = str(req.body.cle, 120);
    const r = await submit(actor, req, input, key);
    const full = str(req.body.complet, 2) === "1" || input.type !== "individuel";
    const again = async (
      errors: Partial<Record<ActivityField, string>>,
      status: number,
      problemText: string,
    ) => {
      const values = { ...input, date: frenchDay(input.date) };
      if (!full) return homePage(req, reply, actor, { values, errors, key, problem: problemText }, status);
      const n = nav(req, reply, actor);
      return page(
        reply,
        FullFormPage({
          nav: n,
          form: { csrf: n.csrf, key, values, errors, places: await placesOf(actor), full: true },
          problem: problemText,
        }),
        status,
      );
    };
    if ("errors" in r)
      return again(r.errors, 400, "Le compte rendu n'est pas enregistré : corrigez les champs signalés.");
    if (r.saved.kind === "conflict")
      return again(
        {},
        422,
        "Ce formulaire a déjà servi pour un autre compte rendu : rechargez la page pour en commencer un nouveau.",
      );
    return reply.redirect(
      `/activites?enregistre=${r.saved.activity.id}${r.saved.kind === "replayed" ? "&deja=1" : ""}`,
      303,
    );
  });

  app.get<{ Querystring: { depuis?: string; type?: string; beneficiaire?: string } }>(
    "/activites/nouvelle",
    { schema: { hide: true } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "activite.saisir", own(req.actor));
      const from = req.query.depuis ? await getActivity(db(), intParam(req.query.depuis)) : null;
      const source = from && from.organisationId === actor.organisation.id ? from : null;
      const n = nav(req, reply, actor);
      return page(
        reply,
        FullFormPage({
          nav: n,
          form: {
            csrf: n.csrf,
            key: randomUUID(),
            values: {
              ...valuesOf(source, todayOf(actor)),
              ...(req.query.beneficiaire && /^\d{1,9}$/.test(req.query.beneficiaire)
                ? { beneficiaire: req.query.beneficiaire }
                : {}),
            },
            errors: {},
            places: await placesOf(actor),
            full: true,
          },
        }),
      );
    },
  );

  app.get<{ Params: { id: string } }>("/activites/:id", { schema: { hide: true } }, async (req, reply) => {
    const a = await getActivity(db(), intParam(req.params.id));
    if (!a) throw new HttpError(404, "Introuvable", "Ce compte rendu n'existe pas.");
    const actor = await authorize(req, ctx, "activite.saisir", { organisationId: a.organisationId });
    const place = a.placeId ? ((await placesOf(actor)).find((p) => p.id === a.placeId)?.name ?? null) : null;
    return page(reply, ActivityPage({ nav: nav(req, reply, actor), a, placeName: place }));
  });

  // The script that keeps a draft on the device when the network is lost, bundled on first request.
  let script: Promise<string> | null = null;
  app.get("/assets/activites.js", async (_req, reply) => {
    script ??= build({
      entryPoints: [join(import.meta.dirname, "assets", "draft.ts")],
      bundle: true,
      write: false,
      minify: true,
      format: "esm",
      target: "es2019",
    }).then((b) => b.outputFiles[0]?.text ?? "");
    return reply
      .type("text/javascript; charset=utf-8")
      .header("cache-control", "public, max-age=3600")
      .send(await script);
  });

  // ——————————————————————————————————————————————————————————— named follow-up files

  /** A file of the actor's organisation (404 for another's: its existence is not said). */
  async function fileFor(req: FastifyRequest, raw: string) {
    const actor = await authorize(req, ctx, "beneficiaire.suivre", own(req.actor));
    const b = await getBeneficiary(db(), intParam(raw));
    if (!b || b.organisationId !== actor.organisation.id)
      throw new HttpError(404, "Introuvable", "Ce dossier de suivi n'existe pas dans votre organisation.");
    return { actor, b };
  }

  const emptyFile = { prenoms: "", nom: "", annee: "", commune: "", accord: false };

  app.get<{ Querystring: { q?: string } }>(
    "/beneficiaires",
    { schema: { hide: true } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "beneficiaire.suivre", own(req.actor));
      const q = str(req.query.q, 100);
      return page(
        reply,
        BeneficiariesPage({
          nav: nav(req, reply, actor),
          files: await beneficiariesOf(db(), actor.organisation.id, q),
          q,
          values: emptyFile,
          errors: {},
        }),
      );
    },
  );

  app.post<{ Body: Form }>(
    "/beneficiaires",
    { schema: { body: formBody, hide: true } },
    async (req, reply) => {
      await checkCsrf(req);
      const actor = await authorize(req, ctx, "beneficiaire.suivre", own(req.actor));
      const values = {
        prenoms: str(req.body.prenoms, 120),
        nom: str(req.body.nom, 120),
        annee: str(req.body.annee, 6),
        commune: str(req.body.commune, 10),
        accord: str(req.body.accord, 4) === "oui",
      };
      const errors: Partial<Record<"prenoms" | "nom" | "annee" | "commune" | "accord", string>> = {};
      if (!values.prenoms || values.prenoms.length > 100)
        errors.prenoms = "Écrivez le prénom (100 caractères au plus).";
      if (!values.nom || values.nom.length > 100) errors.nom = "Écrivez le nom (100 caractères au plus).";
      const year = values.annee ? Number(values.annee) : null;
      const thisYear = Number(todayOf(actor).slice(0, 4));
      if (year !== null && !(Number.isInteger(year) && year >= 1900 && year <= thisYear))
        errors.annee = "L'année de naissance a 4 chiffres, entre 1900 et cette année.";
      if (values.commune && !isCommune(values.commune))
        errors.commune = "Commune inconnue : donnez son code INSEE (5 caractères).";
      if (!values.accord)
        errors.accord =
          "Un dossier à son nom ne s'ouvre qu'avec l'accord de la personne : sinon, les comptes rendus restent anonymes.";
      if (Object.keys(errors).length > 0)
        return page(
          reply,
          BeneficiariesPage({
            nav: nav(req, reply, actor),
            files: await beneficiariesOf(db(), actor.organisation.id),
            q: "",
            values,
            errors,
            problem: "Le dossier n'est pas ouvert : corrigez les champs signalés.",
          }),
          400,
        );
      const b = await createBeneficiary(
        db(),
        {
          organisationId: actor.organisation.id,
          givenNames: values.prenoms,
          familyName: values.nom,
          birthYear: year,
          communeCode: values.commune || null,
          consentOn: todayOf(actor),
        },
        journalBy(req),
        now(),
      );
      return reply.redirect(`/beneficiaires/${b.id}`, 303);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { fusion?: string } }>(
    "/beneficiaires/:id",
    { schema: { hide: true } },
    async (req, reply) => {
      const { actor, b } = await fileFor(req, req.params.id);
      const others = (await beneficiariesOf(db(), actor.organisation.id)).filter((x) => x.id !== b.id);
      return page(
        reply,
        BeneficiaryPage({
          nav: nav(req, reply, actor),
          file: b,
          activities: await activitiesOfBeneficiary(db(), b.id),
          others,
          notice: req.query.fusion === "1" ? "Les deux dossiers n'en font plus qu'un." : undefined,
        }),
      );
    },
  );

  app.post<{ Params: { id: string }; Body: Form }>(
    "/beneficiaires/:id/fusion",
    { schema: { body: formBody, hide: true } },
    async (req, reply) => {
      await checkCsrf(req);
      const { actor, b } = await fileFor(req, req.params.id);
      const other = intParam(str(req.body.autre, 12));
      const done = await mergeBeneficiaries(db(), actor.organisation.id, b.id, other, journalBy(req), now());
      if (!done)
        throw new HttpError(
          409,
          "Fusion impossible",
          "Choisissez un autre dossier ouvert de votre organisation.",
        );
      return reply.redirect(`/beneficiaires/${b.id}?fusion=1`, 303);
    },
  );

  // ——————————————————————————————————————————————————————————— import from La Coop

  app.get("/activites/import", { schema: { hide: true } }, async (req, reply) => {
    const actor = await authorize(req, ctx, "activite.saisir", own(req.actor));
    return page(reply, ImportPage({ nav: nav(req, reply, actor) }));
  });

  /** « 23000 Guéret » → the commune's INSEE code, by its postcode and name (null when not found). */
  let byPostcode: Map<string, string> | null = null;
  const communeOf = (text: string): string | null => {
    const m = /^(\d{5})\s+(.+)$/.exec(text.trim());
    if (!m) return null;
    if (!byPostcode) {
      byPostcode = new Map();
      for (const t of ctx.territories.all)
        if (t.kind === "commune") for (const cp of t.postcodes) byPostcode.set(`${cp} ${fold(t.name)}`, t.id);
    }
    return byPostcode.get(`${m[1]} ${fold(m[2] as string)}`) ?? null;
  };

  app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 5, fieldSize: 1000, parts: 6 },
    });
    scope.post("/activites/import", { schema: { hide: true } }, async (req, reply) => {
      const actor = await authorize(req, ctx, "activite.saisir", own(req.actor));
      if (!req.isMultipart())
        throw new HttpError(400, "Demande invalide", "Le formulaire doit envoyer un fichier.");
      const fields: Record<string, string> = {};
      let file: { name: string; data: Buffer } | null = null;
      let tooLarge = false;
      for await (const part of req.parts()) {
        if (part.type === "field") {
          if (typeof part.value === "string") fields[part.fieldname] = part.value;
          continue;
        }
        // The form token comes first: checked before the file is read.
        (req as { body?: unknown }).body = { _csrf: fields._csrf ?? "" };
        await checkCsrf(req);
        const data = await part.toBuffer().catch((e: { code?: string }) => {
          if (e.code === "FST_REQ_FILE_TOO_LARGE") tooLarge = true;
          return Buffer.alloc(0);
        });
        if (part.fieldname === "fichier" && !file) file = { name: part.filename.slice(0, 200), data };
      }
      if (!file) {
        (req as { body?: unknown }).body = { _csrf: fields._csrf ?? "" };
        await checkCsrf(req);
      }
      const refuse = (text: string, status = 400) =>
        page(reply, ImportPage({ nav: nav(req, reply, actor), problem: text }), status);
      if (tooLarge) return refuse("Le fichier dépasse 20 Mo : exportez une période plus courte.", 413);
      if (!file || file.data.length === 0) return refuse("Choisissez le fichier exporté de La Coop.");
      let rows: Cell[][];
      try {
        rows = await sheetRows(file.data);
      } catch {
        return refuse(
          "Ce fichier n'est ni un tableur XLSX ni un fichier CSV lisible : exportez vos activités depuis La Coop (format XLSX) et importez ce fichier tel quel.",
        );
      }
      const reading = readCoopExport(rows, communeOf);
      if (!reading.ok) return refuse(reading.problem);
      const places = await placesOf(actor);
      const fileHash = createHash("sha256").update(file.data).digest("hex").slice(0, 32);
      const outcomes: ImportOutcome[] = [];
      for (const r of reading.rows) {
        if (!r.input) {
          outcomes.push({ line: r.line, status: "refuse", messages: [r.problem ?? ""] });
          continue;
        }
        const warnings = [...r.warnings];
        const input = { ...r.input };
        // La Coop's « lieu d'activité » is one of the organisation's places: the only one, else « autre lieu ».
        if (input.lieu === "lieu_activite") {
          if (places.length === 1) input.placeId = (places[0] as { id: string }).id;
          else {
            input.lieu = "autre";
            warnings.push(
              "Lieu d'activité de La Coop : compté comme « autre lieu » (votre organisation n'a pas un seul lieu).",
            );
          }
        }
        // One key per line of a given file: importing it again finds the reports already there.
        const key = `coop-${fileHash}-${r.line}`;
        const s = await submit(actor, req, input, key);
        if ("errors" in s)
          outcomes.push({ line: r.line, status: "refuse", messages: Object.values(s.errors) });
        else
          outcomes.push({
            line: r.line,
            status: s.saved.kind === "created" ? "cree" : "deja",
            messages: warnings,
          });
      }
      return page(
        reply,
        ImportPage({ nav: nav(req, reply, actor), report: { fileName: file.name, outcomes } }),
      );
    });
  });

  // ——————————————————————————————————————————————————————————— statistics

  /** The scope a request asks for, checked against the policy; its title and whether its figures are protected. */
  async function scopeOf(
    req: FastifyRequest,
    actor: Actor | null,
    perimetre: string,
    territoire: string,
  ): Promise<{ scope: StatsScope; title: string; protectedView: boolean }> {
    if (perimetre === "moi" && actor)
      return {
        scope: { kind: "personne", personId: actor.person.id, organisationId: actor.organisation.id },
        title: "mes comptes rendus",
        protectedView: false,
      };
    if (perimetre === "organisation" && actor) {
      await authorize(req, ctx, "activite.statistiques", own(actor));
      return {
        scope: { kind: "organisation", organisationId: actor.organisation.id },
        title: actor.organisation.name,
        protectedView: false,
      };
    }
    if (perimetre === "territoire") {
      const t = resolveTerritory(territoire || (actor?.membership.territoryId ?? ""), {
        referential: ctx.territories,
        search: ctx.search,
        prefer: "code",
      });
      if (t.kind !== "found")
        throw new HttpError(
          400,
          "Territoire inconnu",
          "Territoire inconnu : donnez un code ou un nom exact.",
        );
      await authorize(req, ctx, "activite.statistiques", { territoryId: t.territory.id });
      const communes =
        t.territory.kind === "commune"
          ? [t.territory.id]
          : ctx.territories.communesOf(t.territory).map((c) => c.id);
      return { scope: { kind: "communes", communes }, title: t.territory.name, protectedView: true };
    }
    return { scope: { kind: "france" }, title: "France", protectedView: true };
  }

  /** The figures of a scope, protected when the view goes beyond one's own organisation. */
  async function statsOf(
    scope: StatsScope,
    title: string,
    protectedView: boolean,
    from: string,
    to: string,
  ): Promise<StatsView> {
    const raw = await rawStats(db(), scope, from, to);
    const one = (c: RawCell) => (protectedView ? (protect([c], false)[0]?.count ?? null) : c.count);
    // A protected view with too few reports, or reports of nearly one organisation, shows nothing.
    const enough = !protectedView || protect([raw.activities], false)[0]?.count !== null;
    const partitions: ReadonlySet<string> = new Set(["type", "duree", "lieu", "mois", "age", "autonomie"]);
    const by = Object.fromEntries(
      STAT_DIMENSIONS.map((d) => {
        const cells = raw.by[d];
        const shown = protectedView
          ? protect(cells, partitions.has(d))
          : cells.map((c) => ({ key: c.key, count: c.count }));
        return [d, shown.map((c) => ({ key: c.key, label: keyLabel(d, c.key), count: c.count }))];
      }),
    ) as StatsView["by"];
    return {
      title,
      period: { from, to },
      protectedView,
      enough,
      activities: one(raw.activities),
      accompaniments: one(raw.accompaniments),
      oriented: one(raw.oriented),
      welcomed: one(raw.welcomed),
      by,
    };
  }

  const periodOf = (q: { de?: string; a?: string }, today: string) => {
    const ok = (d: string | undefined) => (d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : null);
    return { from: ok(q.de) ?? addDays(today, -364), to: ok(q.a) ?? today };
  };

  type StatsQuery = { perimetre?: string; territoire?: string; de?: string; a?: string };

  async function statsFor(req: FastifyRequest<{ Querystring: StatsQuery }>) {
    const actor = req.actor ?? null;
    const perimetre =
      str(req.query.perimetre, 20) ||
      (actor && allowed(actor, "activite.saisir", own(actor))
        ? "moi"
        : actor && allowed(actor, "activite.statistiques", { territoryId: actor.membership.territoryId })
          ? "territoire"
          : "france");
    const territoire = str(req.query.territoire, 100);
    const s = await scopeOf(req, actor, perimetre, territoire);
    const today = dayIn(now(), "Europe/Paris");
    const { from, to } = periodOf(req.query, today);
    return { perimetre, territoire, stats: await statsOf(s.scope, s.title, s.protectedView, from, to) };
  }

  app.get<{ Querystring: StatsQuery }>(
    "/activites/statistiques",
    { schema: { hide: true } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "compte.lire");
      const { perimetre, territoire, stats } = await statsFor(req);
      const scopes = [
        ...(allowed(actor, "activite.saisir", own(actor))
          ? [{ value: "moi", label: "Mes comptes rendus" }]
          : []),
        ...(allowed(actor, "activite.statistiques", own(actor))
          ? [{ value: "organisation", label: "Mon organisation" }]
          : []),
        ...(allowed(actor, "activite.statistiques", { territoryId: actor.membership.territoryId }) &&
        actor.membership.role !== "mediateur" &&
        actor.membership.role !== "aidant"
          ? [{ value: "territoire", label: "Un territoire" }]
          : []),
        { value: "france", label: "France entière" },
      ];
      const query = new URLSearchParams({
        perimetre,
        territoire,
        de: stats.period.from,
        a: stats.period.to,
      }).toString();
      return page(
        reply,
        StatsPage({ nav: nav(req, reply, actor), stats, query, scopes, scope: perimetre, territoire }),
      );
    },
  );

  /** The statistics as rows: indicator, detail, value (hidden ones say so). */
  const statRows = (s: StatsView): (string | number)[][] => [
    ["comptes rendus", "", s.activities ?? "masqué"],
    ["personnes accompagnées", "", s.accompaniments ?? "masqué"],
    ["personnes orientées", "", s.oriented ?? "masqué"],
    ["personnes orientées accueillies", "", s.welcomed ?? "masqué"],
    ...STAT_DIMENSIONS.flatMap((d) =>
      s.by[d].map((c) => [DIMENSION_LABELS[d].toLowerCase(), c.label, c.count ?? "masqué"]),
    ),
  ];
  const HEADER = ["indicateur", "détail", "valeur"];

  app.get<{ Querystring: StatsQuery }>(
    "/activites/statistiques.csv",
    { schema: { hide: true } },
    async (req, reply) => {
      await authorize(req, ctx, "compte.lire");
      const { stats } = await statsFor(req);
      const lines = [HEADER, ...statRows(stats)].map((l) => l.map((v) => csvCell(v)).join(";"));
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", 'attachment; filename="accompagnements.csv"')
        .send(`\uFEFF${lines.join("\r\n")}\r\n`);
    },
  );

  app.get<{ Querystring: StatsQuery }>(
    "/activites/statistiques.xlsx",
    { schema: { hide: true } },
    async (req, reply) => {
      await authorize(req, ctx, "compte.lire");
      const { stats } = await statsFor(req);
      const rows = [HEADER, ...statRows(stats)].map((l) => l.map((v) => ({ value: v })));
      return reply
        .type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .header("content-disposition", 'attachment; filename="accompagnements.xlsx"')
        .send(await writeXlsxFile(rows, { sheet: "Accompagnements" }).toBuffer());
    },
  );

  // ——————————————————————————————————————————————————————————— orientation references

  app.get<{ Querystring: { page?: string; diagnostic?: string } }>(
    "/orientations",
    { schema: { hide: true } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "orientation.remettre", own(req.actor));
      const pageNo = Math.max(1, Math.min(10_000, intParam(req.query.page ?? "1")));
      const r = await referencesOf(db(), actor.organisation.id, PAGE_SIZE, (pageNo - 1) * PAGE_SIZE);
      const names = new Map<number, string>();
      for (const x of r.references)
        if (x.welcomedBy !== null && !names.has(x.welcomedBy))
          names.set(x.welcomedBy, (await getOrganisation(db(), x.welcomedBy))?.name ?? "");
      return page(
        reply,
        ReferencesPage({
          nav: nav(req, reply, actor),
          ...r,
          page: pageNo,
          pageSize: PAGE_SIZE,
          placeName: (id) => names.get(id) ?? "",
          diagnostic:
            req.query.diagnostic && /^\d{1,9}$/.test(req.query.diagnostic) ? req.query.diagnostic : undefined,
        }),
      );
    },
  );

  app.post<{ Body: Form }>(
    "/orientations",
    { schema: { body: formBody, hide: true } },
    async (req, reply) => {
      await checkCsrf(req);
      const actor = await authorize(req, ctx, "orientation.remettre", own(req.actor));
      const commune = str(req.body.commune, 10);
      const diagnostic = str(req.body.diagnostic, 12);
      const ref = await createReference(
        db(),
        {
          code: newCode(),
          organisationId: actor.organisation.id,
          diagnosticId: /^\d{1,9}$/.test(diagnostic) ? Number(diagnostic) : null,
          communeCode: isCommune(commune) ? commune : null,
        },
        journalBy(req),
        now(),
      );
      return reply.redirect(`/orientations/${ref.code}`, 303);
    },
  );

  app.get<{ Params: { code: string } }>(
    "/orientations/:code",
    { schema: { hide: true } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "orientation.remettre", own(req.actor));
      const read = readCode(req.params.code.slice(0, 30));
      const r = read.ok
        ? (await referencesOf(db(), actor.organisation.id, 1_000_000, 0)).references.find(
            (x) => x.code === read.code,
          )
        : null;
      if (!r)
        throw new HttpError(
          404,
          "Introuvable",
          "Cette fiche d'orientation n'existe pas dans votre organisation.",
        );
      const qr = await QRCode.toString(r.code, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
      return page(reply, ReferenceSheet({ reference: r, organisation: actor.organisation.name, qr }));
    },
  );

  // ——————————————————————————————————————————————————————————— API

  const TAG = ["Activités"];
  const activityJson = (a: StoredActivity) => ({
    id: a.id,
    type: a.type,
    date: a.date,
    duree_minutes: a.minutes,
    lieu: a.lieu,
    lieu_activite: a.placeId,
    commune: a.communeCode,
    thematiques: a.thematiques,
    materiel: a.materiel,
    autonomie: a.autonomie,
    redirection: a.redirection,
    titre_atelier: a.titre,
    niveau: a.niveau,
    participants: a.participants,
    tranche_age: a.trancheAge,
    statut: a.statut,
    orientation: a.orientation,
    diagnostic: a.diagnosticId,
    cheque: a.cheque,
  });
  const text = (max: number, what: string) => z.string().max(max).nullable().describe(what);
  const activitySchema = z
    .object({
      id: z.number().int().describe("Numéro du compte rendu."),
      type: z.string().max(20).describe("individuel, collectif ou coordination."),
      date: z.string().max(10).describe("AAAA-MM-JJ."),
      duree_minutes: z.number().int().describe("Durée en minutes."),
      lieu: text(30, "lieu_activite, domicile, autre ou a_distance."),
      lieu_activite: text(200, "Identifiant du lieu publié."),
      commune: text(10, "Code INSEE de la commune (à domicile, autre lieu)."),
      thematiques: z.array(z.string().max(60)).max(30).describe("Thématiques (codes de La Coop)."),
      materiel: z.array(z.string().max(20)).max(5).describe("Matériel utilisé."),
      autonomie: text(40, "Autonomie atteinte."),
      redirection: text(60, "Structure vers laquelle la personne est orientée."),
      titre_atelier: text(200, "Titre de l'atelier."),
      niveau: text(20, "Niveau de l'atelier."),
      participants: z.number().int().describe("Participants (atelier), 1 (individuel), 0 (coordination)."),
      tranche_age: text(40, "Tranche d'âge."),
      statut: text(40, "Situation de la personne."),
      orientation: text(10, "Référence de la fiche d'orientation."),
      diagnostic: z.number().int().nullable().describe("Numéro du diagnostic."),
      cheque: text(20, "Code du chèque pass numérique."),
    })
    .describe("Un compte rendu d'activité.");
  const optionalText = (max: number, what: string) => z.string().max(max).optional().describe(what);

  api.post(
    "/api/v1/activites",
    {
      schema: {
        tags: TAG,
        summary: "Enregistrer un compte rendu d'activité (une seule fois par Idempotency-Key)",
        headers: z.object({
          "idempotency-key": z
            .string()
            .max(100)
            .describe(
              "Clé unique de la saisie (8 à 100 lettres, chiffres, tirets) : la renvoyer ne crée rien de plus.",
            ),
        }),
        body: z.object({
          type: z.string().max(20).describe("individuel, collectif ou coordination."),
          date: z.string().max(10).describe("AAAA-MM-JJ, pas dans le futur."),
          duree_minutes: z.number().describe("De 1 à 1 440 minutes."),
          lieu: optionalText(30, "lieu_activite, domicile, autre ou a_distance."),
          lieu_activite: optionalText(200, "Identifiant d'un lieu publié de votre organisation."),
          commune: optionalText(10, "Code INSEE (à domicile, autre lieu)."),
          thematiques: z.array(z.string().max(60)).max(30).optional().describe("Codes de La Coop."),
          materiel: z
            .array(z.string().max(20))
            .max(5)
            .optional()
            .describe("ordinateur, telephone, tablette, autre, aucun."),
          autonomie: optionalText(40, "entierement_accompagne, partiellement_autonome, autonome."),
          redirection: optionalText(60, "Structure d'orientation (codes de La Coop)."),
          notes: optionalText(2000, "Notes."),
          titre_atelier: optionalText(200, "Titre de l'atelier (collectif)."),
          niveau: optionalText(20, "debutant, intermediaire, avance."),
          participants: z.number().optional().describe("Participants de l'atelier (1 au moins)."),
          coordination: optionalText(20, "evenement, partenariat, animation."),
          tranche_age: optionalText(40, "Tranche d'âge (codes de La Coop)."),
          statut: optionalText(40, "Situation (codes de La Coop)."),
          commune_personne: optionalText(10, "Code INSEE de la commune de la personne."),
          orientation: optionalText(20, "Référence d'une fiche d'orientation."),
          diagnostic: z.number().int().optional().describe("Numéro d'un diagnostic."),
          cheque: optionalText(20, "Code d'un chèque pass numérique encaissé."),
        }),
        response: {
          201: activitySchema,
          400: problem("Demande incorrecte."),
          422: problemWith("Compte rendu incorrect, ou clé déjà utilisée pour un autre contenu.", {
            champs: z
              .record(z.string().max(40), z.string().max(400))
              .optional()
              .describe("Message par champ."),
          }),
        },
      },
    },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "activite.saisir", own(req.actor));
      const b = req.body;
      const input: ActivityInput = {
        type: b.type,
        date: b.date,
        duration: String(b.duree_minutes),
        lieu: b.lieu ?? "",
        placeId: b.lieu_activite ?? "",
        commune: b.commune ?? "",
        thematiques: b.thematiques ?? [],
        materiel: b.materiel ?? [],
        autonomie: b.autonomie ?? "",
        redirection: b.redirection ?? "",
        notes: b.notes ?? "",
        titre: b.titre_atelier ?? "",
        niveau: b.niveau ?? "",
        participants: b.participants === undefined ? "" : String(b.participants),
        coordination: b.coordination ?? "",
        trancheAge: b.tranche_age ?? "",
        statut: b.statut ?? "",
        beneficiaireCommune: b.commune_personne ?? "",
        diagnostic: b.diagnostic === undefined ? "" : String(b.diagnostic),
        orientation: b.orientation ?? "",
        utilisation: "",
        cheque: b.cheque ?? "",
        beneficiaire: "",
      };
      const key = req.headers["idempotency-key"];
      if (!isIdempotencyKey(key))
        return sendProblem(
          reply,
          400,
          "Clé incorrecte",
          "Idempotency-Key : 8 à 100 lettres, chiffres, tirets ou soulignés.",
        );
      const r = await submit(actor, req, input, key);
      if ("errors" in r)
        return sendProblem(reply, 422, "Compte rendu incorrect", Object.values(r.errors).join(" "), {
          champs: r.errors,
        });
      if (r.saved.kind === "conflict")
        return sendProblem(
          reply,
          422,
          "Clé déjà utilisée",
          "Cette Idempotency-Key a déjà servi pour un autre compte rendu.",
        );
      return reply.code(201).send(activityJson(r.saved.activity));
    },
  );

  api.get(
    "/api/v1/activites",
    {
      schema: {
        tags: TAG,
        summary: "Les comptes rendus de votre organisation, par page",
        querystring: z.object({
          type: z
            .string()
            .max(20)
            .regex(/^(individuel|collectif|coordination)$/, "type : individuel, collectif ou coordination")
            .optional()
            .describe("Type d'activité : individuel, collectif ou coordination."),
          de: z
            .string()
            .max(10)
            .regex(/^\d{4}-\d{2}-\d{2}$/, "de : AAAA-MM-JJ")
            .optional()
            .describe("Premier jour, AAAA-MM-JJ."),
          a: z
            .string()
            .max(10)
            .regex(/^\d{4}-\d{2}-\d{2}$/, "a : AAAA-MM-JJ")
            .optional()
            .describe("Dernier jour, AAAA-MM-JJ."),
          limit: z.coerce
            .number()
            .int()
            .min(1)
            .max(100)
            .default(50)
            .describe("Nombre de résultats par page (100 au plus)."),
          offset: z.coerce.number().int().min(0).default(0).describe("Nombre de résultats à sauter."),
        }),
        response: {
          200: z
            .object({
              total: z.number().int().describe("Nombre de comptes rendus correspondants."),
              activites: z.array(activitySchema).max(100).describe("Une page de comptes rendus."),
            })
            .describe("Les comptes rendus."),
          400: problem("Demande incorrecte."),
        },
      },
    },
    async (req) => {
      const actor = await authorize(req, ctx, "activite.saisir", own(req.actor));
      const r = await listActivities(db(), {
        organisationId: actor.organisation.id,
        type: req.query.type,
        from: req.query.de,
        to: req.query.a,
        limit: req.query.limit,
        offset: req.query.offset,
      });
      return { total: r.total, activites: r.activities.map(activityJson) };
    },
  );

  const cellsSchema = z
    .array(
      z.object({
        cle: z.string().max(60).describe("Code."),
        libelle: z.string().max(200).describe("Libellé."),
        valeur: z.number().int().nullable().describe("Nombre, ou null s'il est masqué."),
      }),
    )
    .max(200);

  api.get(
    "/api/v1/activites/statistiques",
    {
      schema: {
        tags: TAG,
        summary: "Statistiques des accompagnements d'un territoire (petits nombres masqués)",
        querystring: z.object({
          territoire: z
            .string()
            .max(100)
            .describe("Code ou nom d'un territoire ; « france » pour la France entière."),
          de: z
            .string()
            .max(10)
            .regex(/^\d{4}-\d{2}-\d{2}$/, "de : AAAA-MM-JJ")
            .optional()
            .describe("Premier jour, AAAA-MM-JJ."),
          a: z
            .string()
            .max(10)
            .regex(/^\d{4}-\d{2}-\d{2}$/, "a : AAAA-MM-JJ")
            .optional()
            .describe("Dernier jour, AAAA-MM-JJ."),
        }),
        response: {
          200: z
            .object({
              territoire: z.string().max(200).describe("Le territoire."),
              periode: z
                .object({
                  de: z.string().max(10).describe("Premier jour."),
                  a: z.string().max(10).describe("Dernier jour."),
                })
                .describe("La période."),
              suffisant: z
                .boolean()
                .describe("Faux quand il y a trop peu de comptes rendus pour montrer des chiffres."),
              comptes_rendus: z.number().int().nullable().describe("Comptes rendus (null si masqué)."),
              personnes_accompagnees: z
                .number()
                .int()
                .nullable()
                .describe("Accompagnements individuels et participants aux ateliers."),
              orientees: z.number().int().nullable().describe("Personnes orientées avec une fiche."),
              accueillies: z.number().int().nullable().describe("Dont accueillies dans un lieu."),
              par: z
                .record(z.string().max(20), cellsSchema)
                .describe("Par type, thématique, autonomie, durée, âge, lieu, mois."),
            })
            .describe("Les statistiques."),
          400: problem("Territoire inconnu."),
        },
      },
    },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "compte.lire");
      const france = req.query.territoire.toLowerCase() === "france";
      let s: Awaited<ReturnType<typeof scopeOf>>;
      try {
        s = await scopeOf(req, actor, france ? "france" : "territoire", req.query.territoire);
      } catch (e) {
        if (e instanceof HttpError && e.status === 400)
          return sendProblem(reply, 400, "Territoire inconnu", e.message);
        throw e;
      }
      const { from, to } = periodOf(req.query, dayIn(now(), "Europe/Paris"));
      const v = await statsOf(s.scope, s.title, s.protectedView, from, to);
      return {
        territoire: v.title,
        periode: { de: from, a: to },
        suffisant: v.enough,
        comptes_rendus: v.enough ? v.activities : null,
        personnes_accompagnees: v.enough ? v.accompaniments : null,
        orientees: v.enough ? v.oriented : null,
        accueillies: v.enough ? v.welcomed : null,
        par: Object.fromEntries(
          STAT_DIMENSIONS.map((d) => [
            d,
            v.enough ? v.by[d].map((c) => ({ cle: c.key, libelle: c.label, valeur: c.count })) : [],
          ]),
        ),
      };
    },
  );
}
