import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { VNode } from "preact";
import { z } from "zod";
import type { AppContext, TerritorySection } from "../context.ts";
import { cachedPage } from "../pages.ts";
import { csvCell } from "../platform/csv.ts";
import type { Db } from "../platform/db.ts";
import { Gate, holdGate, sendWithinBudget } from "../platform/heavy.ts";
import { HttpError, sendPage, sendProblem } from "../platform/http.ts";
import { VINTAGES } from "../platform/provenance.ts";
import { problem, text } from "../platform/schema.ts";
import { territoryUrl } from "../territories/describe.ts";
import type { Geometry, Territory } from "../territories/model.ts";
import type { Referential } from "../territories/referential.ts";
import {
  type Resolution,
  type ResolveOptions,
  resolveTerritory,
  unresolvedProblem,
  unresolvedView,
} from "../territories/resolve.ts";
import { formatScore, formatShare } from "./classes.ts";
import { INDICATORS } from "./indicators.ts";
import { type AggregateLevel, FRAGILE_THRESHOLD } from "./model.ts";
import { getAggregates, getScores, getScoreValues, listMethods, type StoredMethod } from "./store.ts";
import { FragilityPage, type FragilityPageProps, type Row, type SortKey } from "./views/page.tsx";
import { ChoroplethMap, ExplanationTable, Legend } from "./views/parts.tsx";

const DEFAULT_METHOD = "officiel-2023";
const PAGE_SIZE = 100;

/** The latest computed version of each method, the default one first. */
export async function currentMethods(db: Db): Promise<StoredMethod[]> {
  const seen = new Set<string>();
  const out: StoredMethod[] = [];
  for (const m of await listMethods(db)) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    out.push(m);
  }
  return out.sort(
    (a, b) => Number(b.id === DEFAULT_METHOD) - Number(a.id === DEFAULT_METHOD) || a.id.localeCompare(b.id),
  );
}

/** A method by id or version; the default when none is asked. */
export function pickMethod(
  methods: StoredMethod[],
  wanted: string | undefined,
): StoredMethod | null | "unknown" {
  if (!wanted) return methods[0] ?? null;
  return methods.find((m) => m.id === wanted || m.version === wanted) ?? "unknown";
}

/** How fragility reads `territoire=`: every kind, an INSEE code before a postcode (ids are what links carry). */
const territoryOptions = (ctx: Pick<AppContext, "territories" | "search">): ResolveOptions => ({
  referential: ctx.territories,
  search: ctx.search,
  prefer: "code",
});

interface Unit {
  label: string;
  level: AggregateLevel | "commune";
  items: Territory[];
}

/** What a territory's map and table list: its communes, or its départements for a région and for France. */
function unitsOf(ref: Referential, t: Territory | undefined): Unit {
  if (!t) {
    return {
      label: "départements",
      level: "departement",
      items: ref.all.filter((x) => x.kind === "departement"),
    };
  }
  if (t.kind === "region") {
    return {
      label: "départements",
      level: "departement",
      items: ref.childrenOf(t.id).filter((x) => x.kind === "departement"),
    };
  }
  return { label: "communes", level: "commune", items: ref.communesOf(t) };
}

async function scoresOf(db: Db, version: string, unit: Unit): Promise<Map<string, number | null>> {
  const codes = unit.items.map((t) => t.code);
  if (unit.level === "commune") {
    return getScoreValues(db, version, codes);
  }
  return new Map([...(await getAggregates(db, version, unit.level, codes))].map(([k, v]) => [k, v.score]));
}

const levelOf = (t: Territory): AggregateLevel | null =>
  t.kind === "epci"
    ? "epci"
    : t.kind === "departement"
      ? "departement"
      : t.kind === "region"
        ? "region"
        : null;

const pageQuery = z.object({
  territoire: z.string().max(500).optional(),
  methode: z.string().max(100).optional(),
  tri: z.enum(["score", "nom", "population"]).catch("score"),
  ordre: z.enum(["asc", "desc"]).catch("desc"),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});

/** The parameters of the fragility API (the page adds its sorting and paging). */
const apiQuery = z.object({
  territoire: text(
    500,
    "Code INSEE d'une commune, SIREN d'un EPCI, code de département (42, 2A, 971), « region-<code> » pour une région, ou un nom s'il désigne un seul territoire. Absent : la France, par département.",
  ),
  methode: text(100, `Méthode de l'indice de fragilité (id ou version) ; par défaut ${DEFAULT_METHOD}.`),
});

const methodSchema = z.object({ id: z.string(), version: z.string(), libelle: z.string() });
const territoryRef = z.object({
  id: z.string(),
  type: z.enum(["commune", "arrondissement", "epci", "departement", "region", "qpv"]),
  nom: z.string(),
  url: z.string(),
});

const fragilityResponse = z
  .object({
    methode: methodSchema,
    territoire: territoryRef.nullable(),
    score: z.number().nullable().optional().describe("Commune : le score sur 10."),
    resume: z.string().nullable().optional().describe("Commune : le score en une phrase."),
    indicateurs: z
      .array(
        z.object({
          indicator: z.string(),
          label: z.string(),
          unit: z.string(),
          raw: z.number().nullable(),
          status: z.enum(["observed", "imputed-epci", "imputed-departement", "missing"]),
          nationalPercentile: z.number().nullable(),
          departementPercentile: z.number().nullable(),
          normalised: z.number().nullable(),
          weight: z.number(),
          effectiveWeight: z.number(),
          contribution: z.number(),
        }),
      )
      .optional()
      .describe("Commune : chaque indicateur, sa valeur, son rang et sa part du score."),
    agregat: z
      .object({
        score: z.number().nullable(),
        partPopulationScore7OuPlus: z.number().nullable(),
        population: z.number(),
        communes: z.number().int(),
        communesNotees: z.number().int(),
        officiel2023: z.number().nullable(),
      })
      .optional()
      .describe("EPCI, département, région : l'agrégat pondéré par la population."),
    unite: z.string().optional().describe("Ce que liste « resultats » : communes ou départements."),
    resultats: z
      .array(
        z.object({
          id: z.string(),
          nom: z.string(),
          population: z.number().int().nullable(),
          score: z.number().nullable(),
        }),
      )
      .optional(),
  })
  .describe("Scores et explications.");

const featureCollection = z
  .object({
    type: z.literal("FeatureCollection"),
    indicateurs: z
      .array(z.object({ id: z.string(), libelle: z.string() }))
      .describe("Les indicateurs de la méthode, dans son ordre : leurs valeurs sont dans chaque entité."),
    valeursIndicateurs: z
      .enum(["communes", "moyennes"])
      .describe(
        "« communes » : la valeur de chaque commune ; « moyennes » : pour chaque département, la moyenne de ses communes pondérée par la population (comme son score).",
      ),
    features: z.array(
      z.object({
        type: z.literal("Feature"),
        geometry: z.object({
          type: z.enum(["Polygon", "MultiPolygon"]),
          coordinates: z.array(z.array(z.array(z.unknown()))),
        }),
        properties: z.object({
          id: z.string(),
          nom: z.string(),
          score: z.number().nullable(),
          indicateurs: z
            .record(z.string(), z.number().nullable())
            .describe("Chaque indicateur ramené sur 10 (10 = le plus fragile) ; null quand il manque."),
          estimes: z
            .array(z.string())
            .describe(
              "Les indicateurs dont la valeur manquait et a été estimée (médiane de l'intercommunalité ou du département).",
            ),
        }),
      }),
    ),
  })
  .describe(
    "FeatureCollection : une entité par commune (ou département) avec son score et la valeur de chaque indicateur.",
  );

/** Each area's indicators on 0–10 (rounded to 0.01), and the indicators whose value was estimated. */
interface AreaIndicators {
  values: Record<string, number | null>;
  estimated: string[];
}

const round2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

/**
 * The indicators of the areas of a map, by INSEE code: a commune's own normalised values (from its stored
 * explanation), or a département's population-weighted means (its stored aggregate, the same weighting as its score).
 */
async function areaIndicators(
  db: Db,
  version: string,
  level: "commune" | "departement",
  codes: string[],
): Promise<Map<string, AreaIndicators>> {
  const byCode = new Map<string, AreaIndicators>();
  if (level === "commune") {
    for (const [code, s] of await getScores(db, version, codes)) {
      byCode.set(code, {
        values: Object.fromEntries(s.lines.map((l) => [l.indicator, round2(l.normalised)])),
        estimated: s.lines.filter((l) => l.status.startsWith("imputed")).map((l) => l.indicator),
      });
    }
  } else {
    for (const [code, a] of await getAggregates(db, version, level, codes)) {
      byCode.set(code, {
        values: Object.fromEntries(Object.entries(a.indicators).map(([k, v]) => [k, round2(v)])),
        estimated: [],
      });
    }
  }
  return byCode;
}

function sortRows(rows: Row[], sort: SortKey, order: "asc" | "desc"): Row[] {
  const dir = order === "asc" ? 1 : -1;
  const val = (r: Row) => (sort === "score" ? r.score : sort === "population" ? r.t.population : null);
  return [...rows].sort((a, b) => {
    if (sort === "nom") return dir * a.t.name.localeCompare(b.t.name, "fr");
    const va = val(a);
    const vb = val(b);
    if (va === null && vb === null) return a.t.name.localeCompare(b.t.name, "fr");
    if (va === null) return 1; // missing values always last
    if (vb === null) return -1;
    return dir * (va - vb) || a.t.name.localeCompare(b.t.name, "fr");
  });
}

/** What the page shows, plus what the CSV and the APIs need. */
type ViewProps = FragilityPageProps & { allRows?: Row[]; resolution?: Resolution };

export function registerFragilityRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.database.db;

  /**
   * Everything the page, the CSV and the API need; `status` says whether the request made sense. `map: false`
   * leaves out the map's shapes (the CSV has no map).
   */
  async function view(
    query: unknown,
    opts: { map?: boolean } = {},
  ): Promise<{ status: number; props: ViewProps }> {
    const parsed = pageQuery.safeParse(query);
    const q = parsed.success ? parsed.data : pageQuery.parse({});
    const methods = await currentMethods(db);
    const picked = parsed.success ? pickMethod(methods, q.methode) : "invalid";
    const text = (q.territoire ?? "").trim();
    const base = new URLSearchParams();
    if (text) base.set("territoire", text);
    if (q.methode) base.set("methode", q.methode);
    const common = { ref: ctx.territories, q: text, methods, base: base.toString() };
    if (picked === "unknown" || picked === "invalid") {
      const field = parsed.error?.issues[0]?.path.join(".") ?? "";
      return {
        status: 400,
        props: {
          ...common,
          method: methods[0] ?? null,
          problem:
            picked === "invalid"
              ? `Le paramètre « ${field} » est invalide : donnez-le une seule fois, en moins de 500 caractères.`
              : `Méthode inconnue « ${q.methode} ». Méthodes possibles : ${methods.map((m) => m.id).join(", ")}.`,
          unitLabel: "communes",
          mapItems: [],
          ranking: [],
          table: { rows: [], page: 1, pages: 1, total: 0, sort: q.tri, order: q.ordre },
        },
      };
    }
    const method = picked;
    const resolution: Resolution | null = text ? resolveTerritory(text, territoryOptions(ctx)) : null;
    const empty = { rows: [] as Row[], page: 1, pages: 1, total: 0, sort: q.tri, order: q.ordre };
    if (!method || (resolution && resolution.kind !== "found")) {
      const unresolved =
        resolution && resolution.kind !== "found" ? unresolvedView(resolution, territoryOptions(ctx)) : {};
      return {
        status: unresolved.problem ? 400 : 200,
        props: {
          ...common,
          method,
          problem: method
            ? unresolved.problem
            : "Aucun indice n'est encore calculé : lancez « maillage data load ».",
          choices: unresolved.choices,
          resolution: resolution ?? undefined,
          unitLabel: "communes",
          mapItems: [],
          ranking: [],
          table: empty,
        },
      };
    }
    if (resolution) {
      // The field shows the territory's name; links carry its id.
      common.q = resolution.label;
      base.set("territoire", resolution.value);
      common.base = base.toString();
    }
    const t = resolution?.kind === "found" ? resolution.territory : undefined;
    if (t && (t.kind === "commune" || t.kind === "arrondissement")) {
      const score = (await getScores(db, method.version, [t.code])).get(t.code) ?? null;
      return {
        status: 200,
        props: {
          ...common,
          method,
          territory: t,
          communeScore: score,
          unitLabel: "communes",
          mapItems: [],
          ranking: [],
          table: empty,
        },
      };
    }
    const unit = unitsOf(ctx.territories, t);
    const scores = await scoresOf(db, method.version, unit);
    const rows: Row[] = unit.items.map((x) => ({ t: x, score: scores.get(x.code) ?? null }));
    const level = t ? levelOf(t) : null;
    const aggregate =
      t && level ? ((await getAggregates(db, method.version, level, [t.code])).get(t.code) ?? null) : null;
    const onMap = t ? unit.items : unit.items.filter((x) => !x.code.startsWith("97"));
    const shapes =
      opts.map === false ? new Map<string, Geometry>() : await ctx.shapes(onMap.map((x) => x.id));
    const sorted = sortRows(rows, q.tri, q.ordre);
    const pages = Math.max(1, Math.ceil(sorted.length / PAGE_SIZE));
    const page = Math.min(q.page, pages);
    return {
      status: 200,
      props: {
        ...common,
        method,
        territory: t,
        aggregate,
        unitLabel: unit.label,
        mapItems: onMap.map((x) => ({
          id: x.id,
          name: x.name,
          score: scores.get(x.code) ?? null,
          geometry: shapes.get(x.id),
        })),
        ranking: sortRows(
          rows.filter((r) => r.score !== null),
          "score",
          "desc",
        ).slice(0, 10),
        table: {
          rows: sorted.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
          page,
          pages,
          total: rows.length,
          sort: q.tri,
          order: q.ordre,
        },
        allRows: sorted,
      },
    };
  }

  /** A view that lists territories (not a commune's explanation), or why there is none. */
  async function listView(
    query: unknown,
    opts: { map?: boolean } = {},
  ): Promise<{ status: number; problem: string } | { props: ViewProps; rows: Row[]; method: StoredMethod }> {
    const { status, props } = await view(query, opts);
    if (props.resolution && props.resolution.kind !== "found" && props.method) {
      const p = unresolvedProblem(props.resolution, territoryOptions(ctx));
      return { status: p.status, problem: p.detail };
    }
    if (status !== 200 || !props.method || !props.allRows) {
      return {
        status: status === 200 ? 400 : status,
        problem: props.problem ?? "Choisissez un département, une intercommunalité ou une région.",
      };
    }
    return { props, rows: props.allRows, method: props.method };
  }

  app.get(
    "/fragilite",
    cachedPage(ctx, async (req, reply) => {
      const { status, props } = await view(req.query);
      return sendPage(reply, FragilityPage({ ...props, basemap: ctx.config.basemapStyle }), status);
    }),
  );

  // The national export (every département, no territory asked): two at once, four waiting, then a 503.
  const national = new Gate(2, 4, "exports nationaux de l'indice");
  app.get("/fragilite.csv", async (req, reply) => {
    const parsed = pageQuery.safeParse(req.query);
    if (parsed.success && !parsed.data.territoire?.trim()) await holdGate(national, reply);
    const started = performance.now();
    const v = await listView(req.query, { map: false });
    if ("problem" in v) return sendProblem(reply, v.status, "Export impossible", v.problem);
    const { rows, method, props } = v;
    async function* lines() {
      yield "\uFEFFcode,nom,type,population,score,methode,version\r\n";
      for (const r of rows) {
        yield `${[r.t.code, r.t.name, r.t.kind, r.t.population, r.score === null ? null : r.score.toFixed(4), method.id, method.version].map(csvCell).join(",")}\r\n`;
      }
    }
    const name = `fragilite-${props.territory?.id ?? "france"}-${method.id}.csv`;
    reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="${name}"`);
    return sendWithinBudget(reply, lines(), { since: started });
  });

  const api = app.withTypeProvider<ZodTypeProvider>();

  /** The map's areas as GeoJSON, for the interactive map (the page's SVG shows the same). */
  api.get(
    "/api/v1/fragilite/carte",
    {
      schema: {
        summary: "Carte de fragilité (GeoJSON)",
        description:
          "Les communes d'un EPCI ou d'un département, les départements d'une région ou de la France (sans l'outre-mer), avec le score et chaque indicateur de la méthode ramené sur 10 : la valeur de la commune, ou pour un département la moyenne de ses communes pondérée par la population.",
        querystring: apiQuery,
        response: {
          200: featureCollection,
          400: problem("Paramètre invalide, méthode ou territoire inconnu, ou une commune (pas de carte)."),
        },
      },
    },
    async (req) => {
      const v = await listView(req.query);
      if ("problem" in v) throw new HttpError(v.status, "Carte impossible", v.problem);
      const { props, method } = v;
      const level = props.unitLabel === "départements" ? "departement" : "commune";
      const items = props.mapItems.filter((m) => m.geometry);
      const codes = items.map((m) => ctx.territories.get(m.id)?.code ?? m.id);
      const byCode = await areaIndicators(db, method.version, level, codes);
      const ids = method.indicators;
      return {
        type: "FeatureCollection" as const,
        indicateurs: ids.map((id) => ({ id, libelle: INDICATORS[id]?.label ?? id })),
        valeursIndicateurs: level === "commune" ? ("communes" as const) : ("moyennes" as const),
        features: items.map((m, i) => {
          const ind = byCode.get(codes[i] ?? "");
          return {
            type: "Feature" as const,
            geometry: m.geometry as Geometry,
            properties: {
              id: m.id,
              nom: m.name,
              score: m.score === null ? null : Number(m.score.toFixed(2)),
              indicateurs: Object.fromEntries(ids.map((id) => [id, ind?.values[id] ?? null])),
              estimes: ind?.estimated ?? [],
            },
          };
        }),
      };
    },
  );

  api.get(
    "/api/v1/fragilite",
    {
      schema: {
        summary: "Indice de fragilité numérique d'un territoire",
        description:
          "Pour une commune : le score expliqué indicateur par indicateur. Pour un EPCI, un département ou une région : l'agrégat pondéré par la population et le score de chaque commune (ou département). Sans territoire : les départements de France.",
        querystring: apiQuery,
        response: {
          200: fragilityResponse,
          400: problem("Paramètre invalide, méthode inconnue, territoire inconnu ou ambigu."),
          503: problem("Aucun indice n'est encore calculé."),
        },
      },
    },
    async (req, reply) => {
      const { status, props } = await view(req.query);
      if (props.resolution && props.resolution.kind !== "found" && props.method) {
        const p = unresolvedProblem(props.resolution, territoryOptions(ctx));
        return sendProblem(reply, p.status, p.title, p.detail, p.extra);
      }
      if (status !== 200 || !props.method) {
        throw new HttpError(
          status === 200 ? 503 : status,
          "Demande impossible",
          props.problem ?? "Aucun indice calculé.",
        );
      }
      const m = props.method;
      const out: z.infer<typeof fragilityResponse> = {
        methode: { id: m.id, version: m.version, libelle: m.label },
        territoire: props.territory
          ? {
              id: props.territory.id,
              type: props.territory.kind,
              nom: props.territory.name,
              url: territoryUrl(props.territory),
            }
          : null,
      };
      if (props.communeScore !== undefined) {
        const s = props.communeScore;
        out.score = s?.score ?? null;
        out.resume = s?.summary ?? null;
        out.indicateurs = s?.lines ?? [];
      } else if (props.allRows) {
        const a = props.aggregate;
        if (a)
          out.agregat = {
            score: a.score,
            partPopulationScore7OuPlus: a.shareAtLeast7,
            population: a.population,
            communes: a.communes,
            communesNotees: a.scoredCommunes,
            officiel2023: a.official,
          };
        out.unite = props.unitLabel;
        out.resultats = props.allRows.map((r) => ({
          id: r.t.id,
          nom: r.t.name,
          population: r.t.population,
          score: r.score,
        }));
      }
      return out;
    },
  );
}

/** The "Fragilité numérique" section of every territory page. */
export const fragilitySection: TerritorySection = {
  id: "fragilite",
  title: "Fragilité numérique",
  /** An EPCI's or a département's communes (a région's départements) coloured by their score. */
  async map(t, ctx): Promise<VNode | null> {
    if (t.kind === "commune" || t.kind === "arrondissement") return null;
    const method = (await ctx.fragility.methods())[0];
    if (!method) return null;
    const unit = unitsOf(ctx.territories, t);
    if (unit.items.length === 0) return null;
    const [scores, shapes] = await Promise.all([
      scoresOf(ctx.database.db, method.version, unit),
      ctx.shapes(unit.items.map((x) => x.id)),
    ]);
    const items = unit.items.map((x) => ({
      id: x.id,
      name: x.name,
      score: scores.get(x.code) ?? null,
      geometry: shapes.get(x.id),
    }));
    if (!items.some((i) => i.geometry)) return null;
    return (
      <figure class="territory-map">
        <ChoroplethMap
          title={`Les ${unit.label} de ${t.name} selon leur fragilité numérique`}
          items={items}
        />
        <figcaption>
          Les {unit.label} colorées selon leur score de fragilité numérique (sur 10 ; {method.label},{" "}
          {VINTAGES.ifn}).{" "}
          <a href={`/fragilite?territoire=${encodeURIComponent(t.id)}`}>Carte détaillée et classement</a>.
        </figcaption>
        <Legend />
      </figure>
    );
  },
  async render(t, ctx): Promise<VNode | null> {
    const db = ctx.database.db;
    const method = (await ctx.fragility.methods())[0];
    if (!method) return null;
    const mapLink = (id: string, label: string) => (
      <a href={`/fragilite?territoire=${encodeURIComponent(id)}`}>{label}</a>
    );
    const dataLine = `${method.label} ; données : ${VINTAGES.ifn}.`;
    if (t.kind === "commune" || t.kind === "arrondissement") {
      const s = (await getScores(db, method.version, [t.code])).get(t.code);
      if (!s || s.score === null)
        return <p>Pas de score de fragilité pour ce territoire : les données manquent.</p>;
      return (
        <>
          <p>
            <strong>{s.summary}</strong>
          </p>
          <ExplanationTable lines={s.lines} caption={`Détail du score de ${t.name} (${method.label})`} />
          <p class="muted">{dataLine}</p>
          <p>{mapLink(t.departement ?? "", "Voir la carte de fragilité du département")}</p>
        </>
      );
    }
    const level = levelOf(t);
    const a = level ? (await getAggregates(db, method.version, level, [t.code])).get(t.code) : undefined;
    if (!a) return null;
    return (
      <>
        <p>
          Score moyen : <strong>{formatScore(a.score)}/10</strong> (pondéré par la population).{" "}
          {formatShare(a.shareAtLeast7)} des habitants vivent dans une commune au score de {FRAGILE_THRESHOLD}{" "}
          ou plus.
          {a.official !== null ? ` Indice officiel 2023 (La MedNum) : ${formatScore(a.official)}/10.` : ""}
        </p>
        <p class="muted">{dataLine}</p>
        <p>{mapLink(t.id, `Voir la carte et le classement des communes de ${t.name}`)}</p>
      </>
    );
  },
};
