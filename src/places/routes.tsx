import { Readable } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { VNode } from "preact";
import { z } from "zod";
import type { AppContext, TerritorySection } from "../context.ts";
import { cachedPage } from "../pages.ts";
import { addDays, type Day, dayIn, mondayOf, parseDay } from "../platform/clock.ts";
import { Gate, sendWithinBudget } from "../platform/heavy.ts";
import { HttpError, sendPage, sendProblem } from "../platform/http.ts";
import { acceptsGzip, type KeptText, keepText, sendKept } from "../platform/kept.ts";
import { StampedCache } from "../platform/lru.ts";
import { integer, problem, text as queryText } from "../platform/schema.ts";
import { plural } from "../territories/describe.ts";
import type { Territory } from "../territories/model.ts";
import {
  type Candidate,
  type ResolveOptions,
  resolveTerritory,
  unresolvedProblem,
  unresolvedView,
} from "../territories/resolve.ts";
import { exportDataInclusion } from "./data-inclusion.ts";
import {
  addressLine,
  FRAIS,
  knownUpdateDay,
  MODALITES,
  PUBLICS,
  placeSummaryJson,
  placeSummarySchema,
  placeUrl,
  SERVICES,
  territoryCodes,
} from "./describe.ts";
import { exportCsv, exportJson } from "./export.ts";
import {
  type Calendar,
  hasHolidayRule,
  openStatus,
  placeCalendar,
  placeHours,
  weekSchedule,
} from "./hours.ts";
import { withSafeLinks } from "./links.ts";
import type { PlaceFilter } from "./listing.ts";
import { registerPlaceMap } from "./map.ts";
import { LIST_FIELDS, type Place, STANDARD_FIELDS } from "./model.ts";
import { closestValue } from "./schema.ts";
import { editsOf, versionsOf } from "./store/edits.ts";
import { historyOf, pairsOf } from "./store/history.ts";
import { getPlace, placeFromPublished, streamPlaces } from "./store/published.ts";
import { type ListFilters, PlaceListPage } from "./views/list.tsx";
import { type HoursView, PlacePage } from "./views/place.tsx";

const PAGE_SIZE = 20;
const MAX_TEXT = 100;

const pageNumber = z.coerce.number().int().min(1).max(10_000).catch(1);
const text = (v: unknown) => (typeof v === "string" ? v.slice(0, MAX_TEXT) : "");

/** The problem with a service name, with the closest valid one; null when it is one of the standard's. */
function serviceProblem(service: string): string | null {
  if (service === "" || SERVICES.includes(service)) return null;
  const near = closestValue(service, SERVICES);
  return `service inconnu « ${service.slice(0, MAX_TEXT)} »${near ? `. Vouliez-vous dire « ${near} » ?` : `. Valeurs possibles : ${SERVICES.join(", ")}`}`;
}

/** The filters on list fields of the standard, besides the service: query parameter, name in French, values. */
const VALUE_FILTERS = [
  { param: "public", label: "public spécifiquement adressé", values: PUBLICS },
  { param: "frais", label: "frais à charge", values: FRAIS },
  { param: "modalite", label: "modalité d'accompagnement", values: MODALITES },
] as const;

/** The problem with a filter value, listing the valid ones; null when it is empty or one of the standard's. */
function valueProblem(label: string, value: string, values: string[]): string | null {
  if (value === "" || values.includes(value)) return null;
  const near = closestValue(value, values);
  return `${label} : valeur inconnue « ${value.slice(0, MAX_TEXT)} »${near ? `. Vouliez-vous dire « ${near} » ?` : ""}. Valeurs possibles : ${values.join(", ")}.`;
}

const valueParam = (label: string, values: string[], description: string) =>
  z
    .string()
    .max(MAX_TEXT)
    .optional()
    .describe(description)
    .superRefine((v, ctx) => {
      const problem = valueProblem(label, v ?? "", values);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });

const apiQuery = z.object({
  territoire: queryText(
    40,
    "Code INSEE d'une commune, SIREN d'un EPCI, code de département (42, 2A, 971) ou « region-<code> » pour une région.",
  ),
  service: queryText(MAX_TEXT, "Un service du schéma national (ex. « Aide aux démarches administratives »)."),
  public: valueParam(
    "public spécifiquement adressé",
    PUBLICS,
    "Un public spécifiquement adressé du schéma (ex. « Seniors (+ de 65 ans) »).",
  ),
  frais: valueParam("frais à charge", FRAIS, "Frais à charge (ex. « Gratuit »)."),
  modalite: valueParam(
    "modalité d'accompagnement",
    MODALITES,
    "Modalité d'accompagnement (ex. « Accompagnement individuel »).",
  ),
  q: queryText(MAX_TEXT, "Mots cherchés dans le nom, l'adresse, la commune ou le code postal."),
  limit: integer(1, 100, 20, "Nombre de résultats par page."),
  offset: integer(0, 1_000_000, 0, "Nombre de résultats à sauter (pagination)."),
});

const LIST = new Set<string>(LIST_FIELDS);
/** The 32 fields of the national standard: lists are arrays, absent values null. */
const standardSchema = z
  .object(
    Object.fromEntries(
      STANDARD_FIELDS.map((f) => [
        f,
        LIST.has(f)
          ? z.array(z.string())
          : f === "latitude" || f === "longitude"
            ? z.number().nullable()
            : z.string().nullable(),
      ]),
    ),
  )
  .describe("Tous les champs du schéma national des lieux de médiation numérique.");

/** The week to show (its Monday, on the place's wall clock): `?semaine=AAAA-MM-JJ` (any day of it), else this week. */
function weekStart(param: unknown, now: Date, cal: Calendar): Day {
  return mondayOf(parseDay(param) ?? dayIn(now, cal.zone));
}

function hoursView(place: Place, monday: Day, now: Date): HoursView {
  const textValue = place.standard.horaires;
  const base = { text: textValue, week: monday, previous: addDays(monday, -7), next: addDays(monday, 7) };
  const h = placeHours(textValue, placeCalendar(place), place.flags.unparsedHours);
  if (!h) return { ...base, readable: false, status: null, days: [], hasHolidayRule: false };
  return {
    ...base,
    readable: true,
    status: openStatus(h, now).text,
    days: weekSchedule(h, monday),
    hasHolidayRule: hasHolidayRule(h.text),
  };
}

/** The export routes: the standard as CSV or JSON, and data·inclusion structures (JSON). */
const EXPORTS = {
  csv: { path: "/lieux.csv", file: "lieux-mediation-numerique", ext: "csv" },
  json: { path: "/lieux.json", file: "lieux-mediation-numerique", ext: "json" },
  "data-inclusion": { path: "/lieux-data-inclusion.json", file: "structures-data-inclusion", ext: "json" },
} as const;
type ExportFormat = keyof typeof EXPORTS;

const exportLines = (format: ExportFormat, places: AsyncIterable<Place> | Iterable<Place>) =>
  format === "csv" ? exportCsv(places) : format === "json" ? exportJson(places) : exportDataInclusion(places);

function exportHeaders(reply: FastifyReply, format: ExportFormat, territory: Territory | null): void {
  const { file, ext } = EXPORTS[format];
  const name = `${file}-${territory ? territory.id : "france"}.${ext}`;
  reply
    .type(format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8")
    .header("content-disposition", `attachment; filename="${name}"`);
}

/** Streams an export of the places of a territory, within the exports' time budget. */
function sendExport(
  reply: FastifyReply,
  ctx: AppContext,
  format: ExportFormat,
  territory: Territory,
): Promise<FastifyReply> {
  const filter: PlaceFilter = { communes: territoryCodes(ctx.territories, territory) };
  exportHeaders(reply, format, territory);
  return sendWithinBudget(reply, exportLines(format, streamPlaces(ctx.database.db, filter)));
}

/**
 * The national exports, written once per snapshot of the published places (the rows of France are the snapshot's,
 * in the same order as the database's stream) and kept gzipped only: 0.8–0.9 MB each instead of 3.4–5.5 MB of text.
 * A client that accepts gzip (every browser, curl --compressed) receives those bytes; another one receives them
 * inflated as a stream. Concurrent first requests share one writing (`gate` bounds it with the territories' exports).
 */
const nationalExports = new WeakMap<readonly Place[], Map<ExportFormat, Promise<Buffer>>>();

async function nationalExport(ctx: AppContext, format: ExportFormat, gate: Gate): Promise<Buffer> {
  const places = await ctx.places.all();
  let byFormat = nationalExports.get(places);
  if (!byFormat) {
    byFormat = new Map();
    nationalExports.set(places, byFormat);
  }
  let built = byFormat.get(format);
  if (!built) {
    built = gate.run(async () => {
      const zipped = Readable.from(exportLines(format, places)).pipe(createGzip({ level: 6 }));
      const chunks: Buffer[] = [];
      for await (const c of zipped) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    });
    byFormat.set(format, built);
    // A failed writing (a full line at the gate) is not kept: the next request tries again.
    built.catch(() => byFormat.delete(format));
  }
  return built;
}

async function sendNationalExport(
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: AppContext,
  format: ExportFormat,
  gate: Gate,
): Promise<FastifyReply> {
  const gzipped = await nationalExport(ctx, format, gate);
  exportHeaders(reply, format, null);
  reply.header("vary", "accept-encoding");
  if (acceptsGzip(req)) return reply.header("content-encoding", "gzip").send(gzipped);
  return reply.send(Readable.from([gzipped]).pipe(createGunzip()));
}

/** How places read `territoire=` (pages, exports, API): every kind, an INSEE code before a postcode (links carry ids). */
const territoryOptions = (ctx: Pick<AppContext, "territories" | "search">): ResolveOptions => ({
  referential: ctx.territories,
  search: ctx.search,
  prefer: "code",
});

export function registerPlaceRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerPlaceMap(app, ctx);
  const db = ctx.database.db;
  const ref = ctx.territories;

  app.get<{ Querystring: Record<string, unknown> }>(
    "/lieux",
    cachedPage(ctx, async (req, reply) => {
      const filters: ListFilters = {
        territoire: text(req.query.territoire).trim(),
        service: text(req.query.service),
        public: text(req.query.public),
        frais: text(req.query.frais),
        modalite: text(req.query.modalite),
        q: text(req.query.q),
      };
      const page = pageNumber.parse(req.query.page);
      const problems: string[] = [];
      let territory: Territory | null = null;
      let choices: { title: string; candidates: Candidate[] } | undefined;
      /** What the field shows once the territory is known: its name (« Saint-Martin (Gers) »), not its code. */
      let territoryLabel: string | undefined;
      if (filters.territoire) {
        const r = resolveTerritory(filters.territoire, territoryOptions(ctx));
        if (r.kind === "found") {
          territory = r.territory;
          territoryLabel = r.label;
        } else {
          const unresolved = unresolvedView(r, territoryOptions(ctx));
          choices = unresolved.choices;
          if (unresolved.problem) problems.push(unresolved.problem);
        }
      }
      const badService = serviceProblem(filters.service);
      if (badService) problems.push(`Le ${badService}`);
      for (const f of VALUE_FILTERS) {
        const bad = valueProblem(f.label, filters[f.param], f.values);
        if (bad) problems.push(`Filtre ${bad}`);
      }
      const sources = await sourcesText(ctx);
      const pageProps = {
        filters,
        territory,
        territoryLabel,
        ref,
        page,
        pageSize: PAGE_SIZE,
        choices,
        sources,
      };
      if (choices && problems.length === 0)
        return sendPage(reply, PlaceListPage({ ...pageProps, total: 0, places: [] }));
      if (problems.length > 0)
        return sendPage(
          reply,
          PlaceListPage({ ...pageProps, problem: problems.join(" "), total: 0, places: [] }),
          400,
        );
      const filter: PlaceFilter = {
        communes: territory ? territoryCodes(ref, territory) : undefined,
        service: filters.service || undefined,
        public: filters.public || undefined,
        frais: filters.frais || undefined,
        modalite: filters.modalite || undefined,
        q: filters.q || undefined,
      };
      const listing = await ctx.places.listing();
      let result = listing.list(filter, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
      let shown = page;
      if (result.places.length === 0 && page > 1) {
        result = listing.list(filter, { limit: PAGE_SIZE, offset: 0 });
        shown = 1;
      }
      const shape = territory ? ((await ctx.shapes([territory.id])).get(territory.id) ?? null) : null;
      return sendPage(
        reply,
        PlaceListPage({ ...pageProps, page: shown, total: result.total, places: result.places, shape }),
      );
    }),
  );

  // National exports are written from every place: two at once, four waiting, then a 503 with Retry-After.
  const national = new Gate(2, 4, "exports nationaux");
  for (const format of Object.keys(EXPORTS) as ExportFormat[]) {
    app.get<{ Querystring: Record<string, unknown> }>(EXPORTS[format].path, async (req, reply) => {
      const typed = text(req.query.territoire).trim();
      const r = typed ? resolveTerritory(typed, territoryOptions(ctx)) : null;
      if (r && r.kind !== "found") {
        const p = unresolvedProblem(r, territoryOptions(ctx));
        throw new HttpError(r.kind === "none" ? 404 : p.status, p.title, p.detail);
      }
      if (!r) return sendNationalExport(req, reply, ctx, format, national);
      return sendExport(reply, ctx, format, r.territory);
    });
  }

  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(
    "/lieux/:id",
    async (req, reply) => {
      const found = await getPlace(db, req.params.id);
      if (found && "mergedInto" in found) return reply.redirect(placeUrl(found.mergedInto), 301);
      if (!found)
        throw new HttpError(
          404,
          "Lieu introuvable",
          `Aucun lieu n'a le numéro « ${printableId(req.params.id)} ». Il a peut-être été retiré par sa source.`,
        );
      const place = placeFromPublished(found.place);
      const now = ctx.clock.now();
      const members = found.place.members;
      const [history, toReview, merged, edits] = await Promise.all([
        historyOf(db, members),
        pairsOf(db, members, "à vérifier"),
        members.length > 1 ? pairsOf(db, members, "fusion") : Promise.resolve([]),
        editsOf(db, members),
      ]);
      const versions = await versionsOf(
        db,
        edits.map((e) => e.placeId),
      );
      const commune = place.communeCode ? (ref.get(place.communeCode) ?? null) : null;
      const communeShape = commune ? ((await ctx.shapes([commune.id])).get(commune.id) ?? null) : null;
      return sendPage(
        reply,
        PlacePage({
          place,
          commune,
          communeShape,
          routing: ctx.config.routing,
          records: found.records,
          hours: hoursView(place, weekStart(req.query.semaine, now, placeCalendar(place)), now),
          history,
          toReview: toReview.filter((p) => p.other?.id !== place.id),
          merged: merged.filter((p) => members.includes(p.a) && members.includes(p.b)),
          versions,
          editedFields: [...new Set(edits.flatMap((e) => Object.keys(e.overrides)))],
          today: dayIn(now, "Europe/Paris"),
        }),
      );
    },
  );

  const api = app.withTypeProvider<ZodTypeProvider>();
  const listAnswers = new StampedCache<KeptText>(512);
  api.get(
    "/api/v1/lieux",
    {
      schema: {
        summary: "Lieux de médiation numérique",
        description: "Lieux publiés (après dédoublonnage), filtrés, par pages, dans l'ordre alphabétique.",
        querystring: apiQuery,
        response: {
          200: z
            .object({
              territoire: z.object({ id: z.string(), nom: z.string(), type: z.string() }).nullable(),
              service: z.string().nullable(),
              public: z.string().nullable(),
              frais: z.string().nullable(),
              modalite: z.string().nullable(),
              total: z.number().int(),
              limite: z.number().int(),
              decalage: z.number().int(),
              resultats: z.array(placeSummarySchema),
            })
            .describe("Lieux et total."),
          400: problem("Paramètre invalide, territoire ou service inconnu."),
        },
      },
    },
    async (req, reply) => {
      // The answer depends only on its address and the published places: kept, with its gzip, per generation.
      const listing = await ctx.places.listing();
      const stamp = String(ctx.places.generation);
      const kept = listAnswers.get(req.url, stamp);
      if (kept) return sendKept(req, reply, kept, "application/json; charset=utf-8");
      const { territoire, service, q, limit, offset, public: publicFilter, frais, modalite } = req.query;
      const r = territoire ? resolveTerritory(territoire, territoryOptions(ctx)) : null;
      if (r && r.kind !== "found") {
        const p = unresolvedProblem(r, territoryOptions(ctx));
        return sendProblem(reply, p.status, p.title, p.detail, p.extra);
      }
      const territory = r?.territory;
      const badService = serviceProblem(service ?? "");
      if (badService) throw new HttpError(400, "Service inconnu", badService);
      const result = listing.list(
        {
          communes: territory ? territoryCodes(ref, territory) : undefined,
          service,
          public: publicFilter,
          frais,
          modalite,
          q,
        },
        { limit, offset },
      );
      const answer = keepText(
        reply.serialize({
          territoire: territory ? { id: territory.id, nom: territory.name, type: territory.kind } : null,
          service: service ?? null,
          public: publicFilter ?? null,
          frais: frais ?? null,
          modalite: modalite ?? null,
          total: result.total,
          limite: limit,
          decalage: offset,
          resultats: result.places.map(placeSummaryJson),
        }) as string,
      );
      listAnswers.set(req.url, stamp, answer);
      return sendKept(req, reply, answer, "application/json; charset=utf-8");
    },
  );

  api.get(
    "/api/v1/lieux/:id",
    {
      schema: {
        summary: "Un lieu de médiation numérique",
        description:
          "Tous les champs du schéma national, les sources et les doublons possibles à vérifier. Un lieu fusionné avec un autre renvoie (301) vers celui-ci.",
        params: z.object({ id: z.string().max(100).describe("Identifiant Maillage du lieu.") }),
        response: {
          200: placeSummarySchema
            .extend({
              standard: standardSchema,
              horairesIllisibles: z.boolean(),
              sources: z.array(
                z.object({
                  id: z.string(),
                  source: z.string(),
                  identifiant: z.string(),
                  fichier: z.string(),
                  ligne: z.number().int(),
                  dateMaj: z
                    .string()
                    .nullable()
                    .describe(
                      "Mise à jour de la fiche par la source (AAAA-MM-JJ) ; null quand la source n'en donne pas (vide, ou 1970-01-01 écrit pour « aucune »).",
                    ),
                }),
              ),
              aVerifier: z.array(
                z.object({
                  lieu: z.object({ id: z.string(), nom: z.string(), url: z.string() }).nullable(),
                  score: z.number(),
                  parties: z.array(
                    z.object({
                      part: z.enum(["nom", "adresse", "distance", "siret"]),
                      value: z.number().nullable(),
                      contribution: z.number(),
                      detail: z.string(),
                    }),
                  ),
                }),
              ),
            })
            .describe("Le lieu."),
          301: z
            .null()
            .describe("Ce lieu a été fusionné : l'adresse du lieu qui le remplace est dans Location."),
          400: problem("Identifiant trop long."),
          404: problem("Aucun lieu n'a cet identifiant."),
        },
      },
    },
    async (req, reply) => {
      const found = await getPlace(db, req.params.id);
      if (found && "mergedInto" in found) {
        reply.redirect(`/api/v1/lieux/${encodeURIComponent(found.mergedInto)}`, 301);
        return;
      }
      if (!found)
        throw new HttpError(
          404,
          "Lieu introuvable",
          `Aucun lieu n'a le numéro « ${printableId(req.params.id)} ».`,
        );
      const place = placeFromPublished(found.place);
      const toReview = await pairsOf(db, found.place.members, "à vérifier");
      return {
        ...placeSummaryJson(place),
        standard: withSafeLinks(place.standard),
        horairesIllisibles: place.flags.unparsedHours,
        sources: found.records.map((r) => ({
          id: r.id,
          source: r.source,
          identifiant: r.source_id,
          fichier: r.file,
          ligne: r.line,
          dateMaj: knownUpdateDay(r.standard.date_maj),
        })),
        aVerifier: toReview
          .filter((p) => p.other?.id !== place.id)
          .map((p) => ({
            lieu: p.other ? { id: p.other.id, nom: p.other.nom, url: placeUrl(p.other.id) } : null,
            score: p.score,
            parties: p.parts,
          })),
      };
    },
  );
}

/** The section "Lieux de médiation numérique" of every territory page. */
export const placesSection: TerritorySection = {
  id: "lieux",
  title: "Lieux de médiation numérique",
  async render(t, ctx): Promise<VNode | null> {
    const codes = territoryCodes(ctx.territories, t);
    if (codes.length === 0) return null;
    const { total, places } = (await ctx.places.listing()).list({ communes: codes }, { limit: 5, offset: 0 });
    const link = `/lieux?territoire=${encodeURIComponent(t.id)}`;
    if (total === 0)
      return (
        <p>
          Aucun lieu de médiation numérique connu sur ce territoire. <a href="/lieux">Voir tous les lieux</a>.
        </p>
      );
    return (
      <>
        <p>{plural(total, "lieu connu", "lieux connus")} pour se faire aider avec le numérique.</p>
        <ul>
          {places.map((p) => (
            <li key={p.id}>
              <a href={placeUrl(p.id)}>{p.standard.nom}</a> <span class="muted">— {addressLine(p)}</span>
            </li>
          ))}
        </ul>
        <p class="muted">Sources : {await sourcesText(ctx)}.</p>
        <p>
          <a href={link}>
            {total > places.length
              ? `Voir les ${plural(total, "lieu", "lieux")}`
              : "Voir ces lieux sur une page"}{" "}
            de {t.name}
          </a>
        </p>
      </>
    );
  },
};

/** The sources of places loaded, with their dates, in one line (« France Services (ANCT), liste du … ; … »). */
async function sourcesText(ctx: AppContext): Promise<string> {
  return (await ctx.places.sources()).map((s) => s.label).join(" ; ");
}

/** An id as shown in a message: 40 characters at most, control characters as « ? ». */
// biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
const printableId = (id: string) => id.slice(0, 40).replace(/[\u0000-\u001F\u007F]/g, "?");
