import { join } from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { VNode } from "preact";
import { z } from "zod";
import type { AppContext, TerritorySection } from "../context.ts";
import { cachedPage } from "../pages.ts";
import { csvCell } from "../platform/csv.ts";
import { Gate, holdGate, sendWithinBudget, WorkerPool } from "../platform/heavy.ts";
import { HttpError, sendPage, sendProblem } from "../platform/http.ts";
import { problem, text as queryText, typeMessage } from "../platform/schema.ts";
import type { Territory } from "../territories/model.ts";
import {
  type Resolution,
  type ResolveOptions,
  resolveTerritory,
  unresolvedProblem,
  unresolvedView,
} from "../territories/resolve.ts";
import { pointServes } from "./access.ts";
import { CoverageError, type PlanResult, type TerritoryCoverage } from "./engine.ts";
import { planCsv } from "./format.ts";
import { MAX_RADIUS_KM, MAX_SITES, parseLayer } from "./inputs.ts";
import { type Layer, layerKey } from "./model.ts";
import { type PlanInput, type PlanSolution, planBuffers, planCost, solvePlan } from "./plan.ts";
import { CoveragePage } from "./views/page.tsx";
import type { CoveragePageProps } from "./views/props.ts";
import { CoverageSection } from "./views/section.tsx";

/** The engine of each running application, for the territory-page section (which receives the referential). */

/** A repeated query parameter counts once (its first value). */
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

/** Optional text of a query: never refused here; its meaning is checked (with a French message) further on. */
const text = (max: number) =>
  z.preprocess(
    first,
    z
      .string()
      .optional()
      .catch(undefined)
      .transform((v) => v?.slice(0, max)),
  );

/** Optional number from a form field: "" or absent = undefined; French decimal comma accepted; junk = NaN. */
const optionalNumber = z.preprocess(
  (v) => (typeof first(v) === "number" ? String(first(v)) : first(v)),
  z
    .string()
    .optional()
    .catch(undefined)
    .transform((v) =>
      v === undefined || v.trim() === ""
        ? undefined
        : v.length > 20
          ? Number.NaN
          : Number(v.replace(",", ".")),
    ),
);

/** The page's parameters: never refused (a bad value is explained on the page, with the form to correct it). */
const pageQuery = z.object({
  territoire: text(1000),
  service: text(200),
  methode: text(100),
  seuil: optionalNumber,
  fragilite: optionalNumber,
  sites: optionalNumber,
  rayon: optionalNumber,
  itinerant: text(10),
});

/** A number sent as text (a form) is read as a number; anything else is left for the schema to refuse. */
const numeric = (v: unknown) =>
  typeof v === "string" && /^\s*-?\d+([.,]\d+)?\s*$/.test(v) ? Number(v.replace(",", ".")) : v;

const territoireText =
  "Code INSEE d'une commune, SIREN d'un EPCI, code de département (42, 2A, 971), « region-<code> » pour une région, ou un nom s'il désigne un seul territoire.";
const serviceText =
  "Un service du schéma ou un dispositif (France Services, Aidants Connect, Conseillers numériques) ; absent : tous les lieux.";
const methodeText = "Méthode de l'indice de fragilité (id ou version) ; par défaut officiel-2023.";

/** The parameters of GET /api/v1/couverture (the page reads the same, leniently, with its form's fields). */
const apiQuery = z.object({
  territoire: queryText(500, `${territoireText} Absent : la France entière.`),
  service: queryText(200, serviceText),
  methode: queryText(100, methodeText),
  seuil: z.coerce
    .number()
    .gt(0, `La distance acceptable doit être un nombre de kilomètres entre 0 et ${MAX_RADIUS_KM}.`)
    .max(
      MAX_RADIUS_KM,
      `La distance acceptable doit être un nombre de kilomètres entre 0 et ${MAX_RADIUS_KM}.`,
    )
    .optional()
    .describe(
      "Distance en km en dessous de laquelle une commune est couverte (par défaut 5 km en ville, 15 km ailleurs).",
    ),
  fragilite: z.coerce
    .number()
    .min(0, "Le seuil de fragilité est un indice entre 0 et 10 (7 par défaut).")
    .max(10, "Le seuil de fragilité est un indice entre 0 et 10 (7 par défaut).")
    .optional()
    .describe("Score à partir duquel une commune est fragile (par défaut 7)."),
});

const sitesMessage = "Le nombre de sites doit être un nombre entier d'au moins 1.";
const planBody = z
  .object(
    {
      territoire: z
        .string(typeMessage("Indiquez le territoire (« territoire »)."))
        .min(1)
        .max(500)
        .describe(territoireText),
      sites: z
        .preprocess(
          numeric,
          z
            .number(typeMessage("Indiquez le nombre de sites (« sites »), un nombre entier."))
            .int(sitesMessage)
            .min(1, sitesMessage)
            .max(MAX_SITES, `Le nombre de sites est limité à ${MAX_SITES}.`),
        )
        .describe("Nombre de lieux (ou d'arrêts) à proposer."),
      rayon: z
        .preprocess(
          numeric,
          z
            .number(typeMessage("Indiquez le rayon en kilomètres (« rayon »), un nombre."))
            .gt(0, "Le rayon doit être un nombre de kilomètres supérieur à 0.")
            .max(MAX_RADIUS_KM, {
              error: (iss) =>
                `Un rayon de ${String(iss.input).replace(".", ",")} km n'a pas de sens pour un lieu de proximité : choisissez au plus ${MAX_RADIUS_KM} km.`,
            }),
        )
        .describe("Rayon en km dans lequel un lieu couvre une commune."),
      service: z
        .string()
        .max(200)
        .optional()
        .describe(`Lieux existants à prendre en compte : ${serviceText}`),
      methode: z.string().max(100).optional().describe(methodeText),
      candidats: z
        .array(z.string().max(20), typeMessage("« candidats » doit être une liste de codes INSEE."))
        .max(40_000)
        .optional()
        .describe("Codes INSEE des communes candidates ; absent : toutes les communes du territoire."),
      itinerant: z.boolean().optional().describe("Arrêts d'un bus itinérant plutôt que des lieux fixes."),
    },
    typeMessage("Le corps de la demande doit être un objet JSON."),
  )
  .meta({ examples: [{ territoire: "23", sites: 5, rayon: 10 }] });

const round = (x: number, d = 3) => Number(x.toFixed(d));
const territoryRef = z.object({ id: z.string(), type: z.string(), nom: z.string() });

const coverageResponse = z
  .object({
    territoire: territoryRef.nullable(),
    methode: z.object({ id: z.string(), version: z.string() }).nullable(),
    parametres: z.object({
      facteurDetour: z.number(),
      seuilUrbainKm: z.number(),
      seuilRuralKm: z.number(),
      seuilUniqueKm: z.number().nullable(),
      indiceFragile: z.number(),
    }),
    service: z.string(),
    indicateurs: z
      .array(
        z.object({
          aide: z.string(),
          communes: z.number().int(),
          population: z.number(),
          populationCouverte: z.number(),
          partPopulationCouverte: z.number(),
          communesFragiles: z.number().int(),
          populationFragile: z.number(),
          populationFragileCouverte: z.number(),
          communesFragilesSansLieuSurPlace: z.number().int(),
          partCommunesFragilesSansLieuSurPlace: z.number(),
          communesFragilesSansLieuAProximite: z.number().int(),
          communesSansAucunLieu: z.number().int(),
        }),
      )
      .describe("Une ligne par aide : tous les lieux, chaque service, chaque dispositif."),
    manques: z
      .array(
        z.object({
          code: z.string(),
          nom: z.string(),
          population: z.number(),
          indice: z.number(),
          distanceKm: z.number().nullable(),
          seuilKm: z.number(),
        }),
      )
      .describe("Communes fragiles non couvertes, la plus peuplée d'abord."),
    communes: z
      .array(
        z.object({
          code: z.string(),
          nom: z.string(),
          distancesKm: z.record(z.string(), z.number().nullable()),
        }),
      )
      .optional()
      .describe("Distance de chaque commune au lieu le plus proche, par aide (5 000 communes au plus)."),
  })
  .describe("Indicateurs de couverture et manques classés.");

const planSite = z.object({
  rang: z.number().int(),
  code: z.string(),
  nom: z.string(),
  latitude: z.number(),
  longitude: z.number(),
  gain: z.number(),
  cumul: z.number(),
  partCouverte: z.number(),
  communesNouvellementCouvertes: z.number().int(),
});

const planResponse = z
  .object({
    territoire: z.object({ id: z.string(), nom: z.string() }).nullable(),
    service: z.string(),
    rayonKm: z.number(),
    itinerant: z.boolean(),
    methode: z.string().nullable(),
    ponderation: z.string(),
    populationPonderee: z.number(),
    dejaCouverte: z.number(),
    candidats: z.number().int(),
    sites: z.array(planSite),
    courbe: z.array(z.number()),
    reference: z.object({ methode: z.string(), sites: z.array(planSite), courbe: z.array(z.number()) }),
    rapportAlaReference: z.number().nullable(),
    arretAnticipe: z.boolean(),
    limites: z.object({ sitesMax: z.number().int(), rayonMaxKm: z.number() }),
  })
  .describe("Sites proposés, gains et courbe.");

/** How coverage reads `territoire=` (pages, API, commands): every kind, an INSEE code before a postcode. */
const territoryOptions = (ctx: Pick<AppContext, "territories" | "search">): ResolveOptions => ({
  referential: ctx.territories,
  search: ctx.search,
  prefer: "code",
});

/** What a coverage request asks, checked; or the French reason it cannot be answered. */
type Parsed =
  | {
      problem: string;
      status: number;
      /** Set when the territory typed is not one territory (« Laquelle ? », suggestions, problem). */
      unresolved?: Exclude<Resolution, { kind: "found" }>;
      layer: Layer;
      q: string;
    }
  | {
      territory: Territory | null;
      layer: Layer;
      method?: string;
      fixedKm?: number;
      fragileFrom?: number;
      /** What the field shows: the territory's name (with its département when it has namesakes). */
      q: string;
    };

function parseCoverage(ctx: AppContext, q: z.infer<typeof pageQuery>): Parsed {
  const text = (q.territoire ?? "").trim();
  const parsedLayer = parseLayer(q.service);
  const layer: Layer = "problem" in parsedLayer ? { kind: "tous" } : parsedLayer;
  if ("problem" in parsedLayer) return { problem: parsedLayer.problem, status: 400, layer, q: text };
  if (q.seuil !== undefined && !(q.seuil > 0 && q.seuil <= MAX_RADIUS_KM)) {
    return {
      problem: `La distance acceptable doit être un nombre de kilomètres entre 0 et ${MAX_RADIUS_KM}.`,
      status: 400,
      layer,
      q: text,
    };
  }
  if (q.fragilite !== undefined && !(q.fragilite >= 0 && q.fragilite <= 10)) {
    return {
      problem: "Le seuil de fragilité est un indice entre 0 et 10 (7 par défaut).",
      status: 400,
      layer,
      q: text,
    };
  }
  const opts = { method: q.methode, fixedKm: q.seuil, fragileFrom: q.fragilite };
  if (!text) return { territory: null, layer, ...opts, q: text };
  const r = resolveTerritory(text, territoryOptions(ctx));
  if (r.kind !== "found") {
    const view = unresolvedView(r, territoryOptions(ctx));
    return { problem: view.problem ?? "", status: view.problem ? 400 : 300, unresolved: r, layer, q: text };
  }
  return { territory: r.territory, layer, ...opts, q: r.label };
}

/** Map data for a territory small enough to draw (not France, not a région). */
async function mapOf(
  ctx: AppContext,
  cov: TerritoryCoverage,
  layer: Layer,
  plan: PlanResult | undefined,
): Promise<CoveragePageProps["map"]> {
  const t = cov.territory;
  if (!t || t.kind === "region" || cov.communes.length === 0) return null;
  const shapes = await ctx.shapes(cov.communes.map((c) => c.code));
  const dist = cov.dist.get(layerKey(layer)) as Float64Array;
  const areas = cov.communes.flatMap((c, i) => {
    const geometry = shapes.get(c.code);
    return geometry ? [{ name: c.name, geometry, distanceKm: dist[i] as number }] : [];
  });
  if (areas.length === 0) return null;
  const lat = cov.communes.map((c) => c.lat);
  const lon = cov.communes.map((c) => c.lon);
  const [s, n, w, e] = [Math.min(...lat), Math.max(...lat), Math.min(...lon), Math.max(...lon)];
  const margin = cov.communes.length === 1 ? 0.15 : 0.02;
  const seen = new Set<string>();
  const places = cov.places
    .filter(
      (p) =>
        pointServes(p, layer) &&
        p.lat >= s - margin &&
        p.lat <= n + margin &&
        p.lon >= w - margin * 1.5 &&
        p.lon <= e + margin * 1.5,
    )
    .map((p, i) => {
      const label = `Lieu existant${p.communeCode ? ` à ${ctx.territories.get(p.communeCode)?.name ?? p.communeCode}` : ""}`;
      const unique = seen.has(label) ? `${label} (${i})` : label;
      seen.add(unique);
      return { lat: p.lat, lon: p.lon, label: unique };
    });
  return { areas, places, sites: plan?.sites ?? [] };
}

/**
 * Whether a request covers France or a région: its coverage (13 layers over thousands of communes) or its plan
 * (in a worker thread) is heavy, so its export waits for a place in the export gate.
 */
const isLarge = (parsed: Parsed) =>
  "territory" in parsed && (parsed.territory === null || parsed.territory.kind === "region");

/** Plans above this cost (demand points × candidates, see planCost) run in a worker thread: a few ms and more. */
const WORKER_ABOVE = 1_000_000;
/** Time budget of one plan in its worker (France with every commune as a candidate takes about 1 s). */
const PLAN_BUDGET_MS = 20_000;

export function registerCoverageRoutes(app: FastifyInstance, ctx: AppContext): void {
  const engine = ctx.coverage;
  // Two plans at once (the machine's other cores serve the pages), four more waiting, then a 503.
  const gate = new Gate(2, 4, "calculs de plan");
  const workers = new WorkerPool(join(import.meta.dirname, "plan-worker.ts"), PLAN_BUDGET_MS);
  app.addHook("onClose", () => workers.close());
  // Exports of France or a région (see isLarge): two at once, four waiting, then a 503 with Retry-After.
  const exportsGate = new Gate(2, 4, "exports de couverture (France ou région)");
  const solve = (input: PlanInput) =>
    gate.run(async () =>
      planCost(input) < WORKER_ABOVE
        ? solvePlan(input)
        : workers.run<PlanInput, PlanSolution>(input, planBuffers(input)),
    );

  /** `onParsed` runs once the request is read, before any computation (an export takes its gate's place there). */
  async function pageView(
    query: unknown,
    onParsed?: (parsed: Parsed) => Promise<void>,
  ): Promise<{ status: number; props: CoveragePageProps; parsed: Parsed }> {
    const q = pageQuery.parse(query);
    const parsed = parseCoverage(ctx, q);
    await onParsed?.(parsed);
    const methods = await ctx.fragility.methods();
    const planForm = {
      sites: q.sites === undefined ? "5" : String(q.sites),
      rayon: q.rayon === undefined ? "10" : String(q.rayon),
      itinerant: q.itinerant === "1" || q.itinerant === "on",
    };
    const base = new URLSearchParams();
    if (parsed.q)
      base.set("territoire", "territory" in parsed && parsed.territory ? parsed.territory.id : parsed.q);
    if (layerKey(parsed.layer) !== "tous") base.set("service", layerKey(parsed.layer));
    if (q.methode) base.set("methode", q.methode);
    if (q.seuil !== undefined) base.set("seuil", String(q.seuil));
    if (q.fragilite !== undefined) base.set("fragilite", String(q.fragilite));
    const common = {
      ref: ctx.territories,
      q: parsed.q,
      layer: parsed.layer,
      methods,
      method: methods.find((m) => m.id === q.methode || m.version === q.methode) ?? methods[0] ?? null,
      fixedKm: "fixedKm" in parsed ? parsed.fixedKm : undefined,
      fragileFrom: "fragileFrom" in parsed ? parsed.fragileFrom : undefined,
      planForm,
      base: base.toString(),
    };
    if ("problem" in parsed) {
      return {
        status: parsed.status === 300 ? 200 : parsed.status,
        props: {
          ...common,
          problem: parsed.problem || undefined,
          choices: parsed.unresolved
            ? unresolvedView(parsed.unresolved, territoryOptions(ctx)).choices
            : undefined,
        },
        parsed,
      };
    }
    let cov: TerritoryCoverage;
    try {
      cov = await engine.coverage(parsed.territory, {
        method: parsed.method,
        fixedKm: parsed.fixedKm,
        fragileFrom: parsed.fragileFrom,
      });
    } catch (e) {
      if (e instanceof CoverageError)
        return { status: 400, props: { ...common, problem: e.message }, parsed };
      throw e;
    }
    let plan: PlanResult | undefined;
    let planProblem: string | undefined;
    let status = 200;
    if (parsed.territory && (q.sites !== undefined || q.rayon !== undefined)) {
      try {
        plan = await engine.plan(
          parsed.territory,
          {
            sites: q.sites ?? Number.NaN,
            radiusKm: q.rayon ?? Number.NaN,
            layer: parsed.layer,
            method: parsed.method,
            bus: planForm.itinerant,
          },
          solve,
        );
      } catch (e) {
        if (!(e instanceof CoverageError)) throw e;
        planProblem = e.message;
        status = 400;
      }
    }
    return {
      status,
      props: {
        ...common,
        method: cov.method,
        cov,
        gaps: engine.gaps(cov, parsed.layer),
        map: await mapOf(ctx, cov, parsed.layer, plan),
        plan,
        planProblem,
      },
      parsed,
    };
  }

  app.get(
    "/couverture",
    { schema: { querystring: pageQuery } },
    cachedPage(ctx, async (req, reply) => {
      const { status, props } = await pageView(req.query);
      return sendPage(reply, CoveragePage(props), status);
    }),
  );

  /**
   * An export's view: France or a région waits for a place in the export gate, held until the response ends.
   * `started`: when its work started (after the wait), for its time budget.
   */
  async function exportView(query: unknown, reply: FastifyReply) {
    let started = performance.now();
    const view = await pageView(query, async (parsed) => {
      if (isLarge(parsed)) await holdGate(exportsGate, reply);
      started = performance.now();
    });
    return { ...view, started };
  }

  app.get("/couverture.csv", { schema: { querystring: pageQuery } }, async (req, reply) => {
    const { status, props, started } = await exportView(req.query, reply);
    if (!props.cov) {
      return sendProblem(
        reply,
        status === 200 ? 400 : status,
        "Export impossible",
        props.problem ?? "Choisissez un territoire.",
      );
    }
    const gaps = props.gaps ?? [];
    const layer = layerKey(props.layer);
    async function* lines() {
      yield "\uFEFFrang,code,commune,population,indice,distance_km,seuil_km,aide\r\n";
      let rank = 0;
      for (const g of gaps) {
        rank++;
        yield `${[rank, g.code, g.name, g.population, g.score.toFixed(2), g.distanceKm === null ? null : g.distanceKm.toFixed(2), g.thresholdKm, layer].map(csvCell).join(",")}\r\n`;
      }
    }
    const name = `manques-${props.cov.territory?.id ?? "france"}.csv`;
    reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="${name}"`);
    return sendWithinBudget(reply, lines(), { since: started });
  });

  app.get("/couverture/plan.csv", { schema: { querystring: pageQuery } }, async (req, reply) => {
    const { status, props, started } = await exportView(req.query, reply);
    if (!props.plan) {
      return sendProblem(
        reply,
        status === 200 ? 400 : status,
        "Export impossible",
        props.planProblem ?? props.problem ?? "Indiquez un territoire, un nombre de sites et un rayon.",
      );
    }
    const plan = props.plan;
    reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="plan-${plan.territory?.id ?? "france"}.csv"`);
    return sendWithinBudget(reply, [planCsv(plan.sites)], { since: started });
  });

  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    "/api/v1/couverture",
    {
      schema: {
        summary: "Couverture d'un territoire par les lieux",
        description:
          "Population et population fragile à portée d'un lieu, part des communes fragiles sans dispositif, communes classées par population fragile non couverte.",
        querystring: apiQuery,
        response: {
          200: coverageResponse,
          400: problem("Paramètre invalide, territoire inconnu ou ambigu, service ou méthode inconnus."),
        },
      },
    },
    async (req, reply) => {
      const { status, props, parsed } = await pageView(req.query);
      if (!props.cov) {
        if ("unresolved" in parsed && parsed.unresolved) {
          const p = unresolvedProblem(parsed.unresolved, territoryOptions(ctx));
          return sendProblem(reply, p.status, p.title, p.detail, p.extra);
        }
        throw new HttpError(
          status === 200 ? 400 : status,
          "Demande impossible",
          props.problem ?? "Demande impossible.",
        );
      }
      return coverageJson(props.cov, props);
    },
  );

  api.post(
    "/api/v1/planification",
    {
      schema: {
        summary: "Proposer où ouvrir de nouveaux lieux (ou des arrêts d'un bus)",
        description:
          "Choisit les communes qui couvrent le plus de population fragile nouvelle (glouton paresseux), avec le gain de chaque site et la courbe cumulée, et la même chose pour la référence naïve (les plus grandes communes non couvertes d'abord).",
        body: planBody,
        response: {
          200: planResponse,
          400: problem("Corps incorrect, territoire inconnu ou ambigu, nombres hors limites."),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const parsed = parseCoverage(ctx, {
        territoire: b.territoire,
        service: b.service,
        methode: b.methode,
        seuil: undefined,
        fragilite: undefined,
        sites: undefined,
        rayon: undefined,
        itinerant: undefined,
      });
      if ("problem" in parsed) {
        if (parsed.unresolved) {
          const p = unresolvedProblem(parsed.unresolved, territoryOptions(ctx));
          return sendProblem(reply, p.status, p.title, p.detail, p.extra);
        }
        throw new HttpError(400, "Demande incorrecte", parsed.problem);
      }
      try {
        const plan = await engine.plan(
          parsed.territory,
          {
            sites: b.sites,
            radiusKm: b.rayon,
            layer: parsed.layer,
            method: parsed.method,
            candidates: b.candidats,
            bus: b.itinerant,
          },
          solve,
        );
        return planJson(plan);
      } catch (e) {
        if (e instanceof CoverageError) throw new HttpError(400, "Demande incorrecte", e.message);
        throw e;
      }
    },
  );
}

function coverageJson(cov: TerritoryCoverage, props: CoveragePageProps) {
  return {
    territoire: cov.territory
      ? { id: cov.territory.id, type: cov.territory.kind, nom: cov.territory.name }
      : null,
    methode: cov.method ? { id: cov.method.id, version: cov.method.version } : null,
    parametres: {
      facteurDetour: cov.params.detour,
      seuilUrbainKm: cov.params.urbanKm,
      seuilRuralKm: cov.params.ruralKm,
      seuilUniqueKm: cov.fixedKm ?? null,
      indiceFragile: cov.params.fragileFrom,
    },
    service: layerKey(props.layer),
    indicateurs: cov.stats.map((s) => ({
      aide: s.layer,
      communes: s.communes,
      population: s.population,
      populationCouverte: s.coveredPopulation,
      partPopulationCouverte: s.population > 0 ? round(s.coveredPopulation / s.population, 4) : 0,
      communesFragiles: s.fragileCommunes,
      populationFragile: s.fragilePopulation,
      populationFragileCouverte: s.coveredFragilePopulation,
      communesFragilesSansLieuSurPlace: s.fragileWithoutInCommune,
      partCommunesFragilesSansLieuSurPlace:
        s.fragileCommunes > 0 ? round(s.fragileWithoutInCommune / s.fragileCommunes, 4) : 0,
      communesFragilesSansLieuAProximite: s.fragileWithoutNearby,
      communesSansAucunLieu: s.unreachable,
    })),
    manques: (props.gaps ?? []).map((g) => ({
      code: g.code,
      nom: g.name,
      population: g.population,
      indice: round(g.score, 2),
      distanceKm: g.distanceKm === null ? null : round(g.distanceKm, 2),
      seuilKm: g.thresholdKm,
    })),
    communes:
      cov.communes.length <= 5000
        ? cov.communes.map((c, i) => ({
            code: c.code,
            nom: c.name,
            distancesKm: Object.fromEntries(
              [...cov.dist].map(([k, d]) => [
                k,
                Number.isNaN(d[i] as number) ? null : round(d[i] as number, 2),
              ]),
            ),
          }))
        : undefined,
  };
}

function planJson(plan: PlanResult) {
  const site = (s: PlanResult["sites"][number]) => ({
    rang: s.rank,
    code: s.code,
    nom: s.name,
    latitude: s.lat,
    longitude: s.lon,
    gain: round(s.gain, 1),
    cumul: round(s.cumulative, 1),
    partCouverte: round(s.coveredShare, 4),
    communesNouvellementCouvertes: s.newlyCovered,
  });
  return {
    territoire: plan.territory ? { id: plan.territory.id, nom: plan.territory.name } : null,
    service: plan.layer,
    rayonKm: plan.radiusKm,
    itinerant: plan.bus,
    methode: plan.method,
    ponderation: "population × indice de fragilité / 10",
    populationPonderee: round(plan.totalWeight, 1),
    dejaCouverte: round(plan.alreadyCovered, 1),
    candidats: plan.candidates,
    sites: plan.sites.map(site),
    courbe: plan.curve.map((x) => round(x, 4)),
    reference: {
      methode: "les plus grandes communes non couvertes d'abord",
      sites: plan.baseline.map(site),
      courbe: plan.baselineCurve.map((x) => round(x, 4)),
    },
    rapportAlaReference: plan.ratio === null ? null : round(plan.ratio, 4),
    arretAnticipe: plan.stoppedEarly,
    limites: { sitesMax: MAX_SITES, rayonMaxKm: MAX_RADIUS_KM },
  };
}

/** The "Couverture" section of every territory page. */
export const coverageSection: TerritorySection = {
  id: "couverture",
  title: "Couverture",
  async render(t, ctx): Promise<VNode | null> {
    const cov = await ctx.coverage.coverage(t);
    return <CoverageSection cov={cov} />;
  },
};
