import { join } from "node:path";
import { build } from "esbuild";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import QRCode from "qrcode";
import { z } from "zod";
import type { AppContext } from "../context.ts";
import { cachedMinutePage, currentMinute } from "../pages.ts";
import { placeSummaryJson, placeSummarySchema, placeUrl } from "../places/describe.ts";
import { calendarOf, openStatus, placeCalendar, placeHours, weekSchedule } from "../places/hours.ts";
import type { Place } from "../places/model.ts";
import { dayIn, mondayOf } from "../platform/clock.ts";
import type { Contact } from "../platform/config.ts";
import { formatDateTime } from "../platform/format.ts";
import { HttpError, publicBase, sendPage, sendProblem } from "../platform/http.ts";
import { type KeptText, keepText, sendKept } from "../platform/kept.ts";
import { StampedCache } from "../platform/lru.ts";
import { problem } from "../platform/schema.ts";
import type { MapShape } from "../platform/svgmap.tsx";
import type { Territory } from "../territories/model.ts";
import {
  ambiguityDetail,
  type Candidate,
  candidateJson,
  describeTerritory,
  type Resolution,
  resolveTerritory,
} from "../territories/resolve.ts";
import { whatToBring } from "./bring.ts";
import { serviceInPlainWords } from "./find/criteria.ts";
import { CRITERIA, type OrientationOutcome, type OrientationQuery, type OrientationResult } from "./model.ts";
import { communeOptions, farHelpFor, nearestCommune, orient, orientationIndex } from "./service.ts";
import { smsText } from "./sms.ts";
import { finderUrl, orientationQuery, parseQuery, sheetUrl } from "./url.ts";
import { FinderPage, type FinderProps } from "./views/finder.tsx";
import { SheetPage, type SheetPlace } from "./views/sheet.tsx";

type Req = FastifyRequest<{ Querystring: Record<string, unknown> }>;

/** At most this many places on one sheet. */
const MAX_SHEET = 5;

/**
 * The search from the query string, with the commune resolved by the territory resolver (typed text, code, or
 * « autour de moi »). `query.commune` is what links carry (the commune's id, or its name when the id is also a
 * postcode); `commune` is the territory; `choices` the communes to choose from (« Laquelle ? »).
 */
function readSearch(ctx: AppContext, params: Record<string, unknown>) {
  const parsed = parseQuery(params);
  const { query, communeText } = parsed;
  let resolution: Resolution | null = null;
  let commune: Candidate | null = null;
  if (parsed.problems.length === 0) {
    if (communeText) {
      resolution = resolveTerritory(communeText, communeOptions(ctx));
      if (resolution.kind === "found") commune = resolution;
    } else if (query.position) {
      const near = nearestCommune(ctx.territories, query.position.lat, query.position.lon);
      if (near) commune = describeTerritory(near, communeOptions(ctx));
    }
  }
  return {
    ...parsed,
    query: commune ? { ...query, commune: commune.value } : query,
    commune: commune?.territory ?? null,
    communeLabel: commune?.label ?? communeText,
    choices: resolution?.kind === "ambiguous" ? resolution.candidates : [],
    suggestions:
      resolution?.kind === "none"
        ? resolution.suggestions
        : resolution?.kind === "found"
          ? resolution.others
          : [],
    resolution,
  };
}

/** The query that `orient` runs: the commune's id. */
const withId = (query: OrientationQuery, commune: Territory): OrientationQuery => ({
  ...query,
  commune: commune.id,
});

const orientationResponse = z
  .object({
    commune: z.object({ code: z.string(), nom: z.string() }),
    recherche: z.string().describe("La même recherche sur le site (/trouver?…)."),
    total: z.number().int(),
    partiel: z
      .boolean()
      .describe("Rien ne remplit tous les critères : les lieux proches qui en remplissent une partie."),
    critereQuiVide: z.enum(CRITERIA).nullable(),
    elargissements: z.array(z.string()),
    notes: z.array(z.string()),
    resultats: z.array(
      placeSummarySchema.extend({
        distanceKm: z.number(),
        raisons: z.array(z.string()),
        manque: z.array(z.string()),
        correspondExactement: z.boolean(),
        ouverture: z.object({ ouvert: z.boolean(), texte: z.string() }).nullable(),
        acces: z.object({
          sePresenter: z.boolean(),
          telephone: z.object({ text: z.string(), tel: z.string() }).nullable(),
          rendezVous: z.string().nullable(),
          autres: z.array(z.string()),
        }),
        aidePour: z.array(z.string()),
        prix: z.string().nullable(),
        sms: z.string(),
        fiche: z.string(),
      }),
    ),
    contact: z
      .object({ name: z.string(), phone: z.string(), hint: z.string() })
      .nullable()
      .describe("Qui appeler quand rien ne convient tout à fait."),
  })
  .describe(
    "La commune, les lieux classés avec raisons, ouverture, accès, texte SMS et fiche, les élargissements.",
  );

/** One result as the API shows it. */
function resultJson(r: OrientationResult, query: OrientationQuery) {
  return {
    ...placeSummaryJson(r.place),
    distanceKm: Math.round(r.distanceKm * 100) / 100,
    raisons: r.reasons,
    manque: r.missing,
    correspondExactement: r.exact,
    ouverture: r.open ? { ouvert: r.open.open, texte: r.open.text } : null,
    acces: {
      sePresenter: r.access.walkIn,
      telephone: r.access.phone,
      rendezVous: r.access.booking,
      autres: r.access.other,
    },
    aidePour: r.helpsWith,
    prix: r.price,
    sms: smsText(r.place),
    fiche: sheetUrl(query, [r.place.id]),
  };
}

function outcomeJson(
  o: OrientationOutcome,
  commune: Territory,
  query: OrientationQuery,
  contact: Contact | null,
) {
  return {
    commune: { code: commune.id, nom: commune.name },
    recherche: finderUrl({ ...o.query, commune: query.commune }),
    total: o.total,
    partiel: o.partial,
    critereQuiVide: o.emptiedBy,
    elargissements: o.widened,
    notes: o.notes,
    resultats: o.results.map((r) => resultJson(r, query)),
    contact: o.partial || o.results.length === 0 ? contact : null,
  };
}

async function qrDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}

/** The zone a sheet is dated in: its places' when they share one, else the searched commune's. */
function sheetZone(commune: string | undefined, places: readonly Place[]): string {
  const zones = new Set(places.map((p) => placeCalendar(p).zone));
  return zones.size === 1 ? ([...zones][0] as string) : calendarOf(commune).zone;
}

/**
 * What the plan of the results is drawn over: the département, the commune of departure and the communes of the
 * places, each commune named (the frame follows the markers: only the nearby names show).
 */
async function planBackground(
  ctx: AppContext,
  commune: Territory,
  results: OrientationResult[],
): Promise<NonNullable<FinderProps["plan"]>> {
  const dep = commune.departement;
  const around = [
    ...new Set(results.map((r) => r.place.communeCode).filter((c): c is string => !!c && c !== commune.id)),
  ];
  const shapes = await ctx.shapes([...(dep ? [dep] : []), commune.id, ...around]);
  const drawn: MapShape[] = [];
  const add = (id: string | null | undefined, className: string) => {
    const geometry = id ? shapes.get(id) : undefined;
    if (geometry) drawn.push({ geometry, className });
  };
  add(dep, "context");
  for (const id of around) add(id, "nearby");
  add(commune.id, "shape");
  const labels = [commune.id, ...around].flatMap((id) => {
    const t = ctx.territories.get(id);
    return t && t.lat !== null && t.lon !== null ? [{ lat: t.lat, lon: t.lon, text: t.name }] : [];
  });
  return { shapes: drawn, labels };
}

/** The type of JSON answers kept serialised (by the route's serialiser, their schema checked when written). */
const JSON_TYPE = "application/json; charset=utf-8";

export function registerOrientationRoutes(app: FastifyInstance, ctx: AppContext): void {
  const contact = ctx.config.contact;
  const answers = new StampedCache<KeptText>(512);

  // The island, bundled on first request like the platform's app.js (esbuild, minified).
  let island: Promise<string> | null = null;
  app.get("/assets/orientation.js", async (_req, reply) => {
    island ??= build({
      entryPoints: [join(import.meta.dirname, "assets", "orientation.ts")],
      bundle: true,
      write: false,
      minify: true,
      format: "esm",
      target: "es2019",
    }).then((b) => b.outputFiles[0]?.text ?? "");
    return reply
      .type("text/javascript; charset=utf-8")
      .header("cache-control", "public, max-age=3600")
      .send(await island);
  });

  app.get(
    "/trouver",
    cachedMinutePage(ctx, async (req: Req, reply: FastifyReply) => {
      const s = readSearch(ctx, req.query);
      const base = {
        query: s.query,
        communeText: s.communeText,
        communeLabel: s.communeLabel,
        commune: s.commune,
        problems: s.problems,
        choices: s.choices,
        suggestions: s.suggestions,
        contact,
        routing: ctx.config.routing,
      };
      if (s.problems.length > 0) return sendPage(reply, FinderPage({ ...base, outcome: null }), 400);
      if (!s.commune) {
        const status = s.resolution?.kind === "none" ? 404 : s.resolution?.kind === "invalid" ? 400 : 200;
        return sendPage(reply, FinderPage({ ...base, outcome: null }), status);
      }
      const at = currentMinute(ctx);
      const outcome = await orient(ctx, withId(s.query, s.commune), at);
      const plan = await planBackground(ctx, s.commune, outcome?.results ?? []);
      const far = outcome ? await farHelpFor(ctx, outcome, s.commune, at) : null;
      return sendPage(reply, FinderPage({ ...base, outcome, plan, far }));
    }),
  );

  app.get("/trouver/fiche", async (req: Req, reply: FastifyReply) => {
    const s = readSearch(ctx, req.query);
    const raw = req.query.lieu;
    const ids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
      .filter((x): x is string => typeof x === "string" && x.length <= 200)
      .slice(0, MAX_SHEET);
    const { byId } = await orientationIndex(ctx);
    const now = ctx.clock.now();
    const outcome = s.commune ? await orient(ctx, { ...withId(s.query, s.commune), limit: 100 }, now) : null;
    if (ids.length === 0 && outcome?.results[0]) ids.push(outcome.results[0].place.id);
    const chosen = ids.map((id) => byId.get(id)).filter((p) => p !== undefined);
    if (chosen.length === 0)
      throw new HttpError(
        404,
        "Lieu introuvable",
        "Aucun lieu choisi, ou ce lieu n'existe plus. Revenez à la recherche pour en choisir un.",
      );
    const places: SheetPlace[] = await Promise.all(
      chosen.map(async (place) => {
        const cal = placeCalendar(place);
        const oh = placeHours(place.standard.horaires, cal, place.flags.unparsedHours);
        const url = `${publicBase(app, ctx.config)}${placeUrl(place.id)}`;
        const found = outcome?.results.find((r) => r.place.id === place.id);
        return {
          place,
          open: oh ? openStatus(oh, now).text : null,
          days: oh ? weekSchedule(oh, mondayOf(dayIn(now, cal.zone))) : [],
          hoursText: place.standard.horaires,
          url,
          qr: await qrDataUrl(url),
          sms: smsText(place),
          reasons: found ? found.reasons : place.standard.services.map(serviceInPlainWords),
          distance: null,
        };
      }),
    );
    return sendPage(
      reply,
      SheetPage({
        places,
        bring: whatToBring(s.query.besoins),
        backUrl: s.commune ? finderUrl(s.query) : "/trouver",
        contact,
        // The local time of the places shown (of the searched commune when they differ).
        printedOn: formatDateTime(now, sheetZone(s.commune?.id, chosen)),
      }),
    );
  });

  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/v1/orientation",
    {
      schema: {
        summary: "Lieux proposés pour une personne, classés, avec la raison de chaque proposition",
        description:
          "Les critères indispensables (exiger) écartent, les autres classent (distance + 5 km par préférence manquée). Si rien ne convient, la recherche s'élargit pas à pas (elargissements) et le critère qui a vidé la liste est nommé (critereQuiVide). Chaque lieu a sa fiche (fiche) et son texte SMS de 160 caractères au plus. Les paramètres marqués « répétable » peuvent être donnés plusieurs fois. Il faut une commune, ou lat et lon.",
        querystring: orientationQuery,
        response: {
          200: orientationResponse,
          400: problem(
            "Paramètre invalide, valeur inconnue, ni commune ni position, ou commune ambiguë (« candidats »).",
          ),
          404: problem("Commune inconnue, avec des suggestions (« Vouliez-vous dire »)."),
        },
      },
    },
    async (req, reply) => {
      // The answer depends on the query, the places and the minute (opening hours): computed at the minute's
      // start, it is the same for every request of that minute, and kept (serialised, checked by the schema).
      await ctx.places.all();
      const minute = currentMinute(ctx).getTime();
      const stamp = `${ctx.places.generation}|${minute}`;
      const kept = answers.get(req.url, stamp);
      if (kept) return sendKept(req, reply, kept, JSON_TYPE);
      const s = readSearch(ctx, req.query);
      if (s.problems.length > 0) throw new HttpError(400, "Demande incorrecte", s.problems.join(" "));
      if (!s.commune) {
        const r = s.resolution;
        if (!r || r.kind === "invalid")
          throw new HttpError(
            400,
            "Demande incorrecte",
            r?.message ?? "commune : paramètre obligatoire (code INSEE, nom ou code postal).",
          );
        if (r.kind === "ambiguous")
          return sendProblem(reply, 400, "Commune ambiguë", ambiguityDetail(r, communeOptions(ctx)), {
            candidats: r.candidates.map(candidateJson),
          });
        const hint =
          s.suggestions.length > 0
            ? ` Vouliez-vous dire : ${s.suggestions.map((c) => `${c.label} (${c.territory.id})`).join(", ")} ?`
            : "";
        return sendProblem(
          reply,
          404,
          "Commune inconnue",
          `Aucune commune ne correspond à « ${s.communeText} ».${hint}`,
          { suggestions: s.suggestions.map(candidateJson) },
        );
      }
      const outcome = await orient(ctx, withId(s.query, s.commune), new Date(minute));
      if (!outcome) throw new HttpError(404, "Commune inconnue", "Cette commune n'a pas de position connue.");
      const body = keepText(reply.serialize(outcomeJson(outcome, s.commune, s.query, contact)) as string);
      answers.set(req.url, stamp, body);
      return sendKept(req, reply, body, JSON_TYPE);
    },
  );
}
