import type { AppContext } from "../context.ts";
import type { StoredMethod } from "../fragility/model.ts";
import type { Place } from "../places/model.ts";
import type { Territory } from "../territories/model.ts";
import { type AccessTable, computeAccess } from "./access.ts";
import { planProblem } from "./inputs.ts";
import {
  type CommunePoint,
  type CoverageParams,
  DEFAULT_PARAMS,
  type HelpPoint,
  type Layer,
  layerKey,
} from "./model.ts";
import {
  type Candidate,
  type Demand,
  type PlanInput,
  type PlannedSite,
  type PlanSolution,
  solvePlan,
  weightOf,
} from "./plan.ts";
import { coverageStats, rankGaps } from "./stats.ts";

/** A place as a help point; null without coordinates. Arrondissements count for their commune. */
export function helpPoint(p: Place, communeOf: (code: string) => string): HelpPoint | null {
  if (!p.location) return null;
  return {
    lat: p.location.lat,
    lon: p.location.lon,
    communeCode: p.communeCode ? communeOf(p.communeCode) : null,
    services: p.standard.services,
    dispositifs: p.standard.dispositif_programmes_nationaux,
    itinerant: p.standard.itinerance.includes("Itinérant"),
  };
}

/** The access of every commune of France, for one generation of the published places. */
interface AccessState {
  generation: number;
  points: HelpPoint[];
  communes: Territory[];
  rank: Map<string, number>;
  table: AccessTable;
}

export interface TerritoryCoverage {
  territory: Territory | null;
  method: StoredMethod | null;
  params: CoverageParams;
  fixedKm?: number;
  communes: CommunePoint[];
  /** Distances of `communes`, by layer key. */
  dist: Map<string, Float64Array>;
  stats: ReturnType<typeof coverageStats>[];
  places: HelpPoint[];
  table: AccessTable;
}

export interface PlanRequest {
  sites: number;
  radiusKm: number;
  layer: Layer;
  /** INSEE codes of the candidate communes; the territory's communes by default. */
  candidates?: string[];
  method?: string;
  bus?: boolean;
}

export interface PlanSiteOut {
  rank: number;
  code: string;
  name: string;
  lat: number;
  lon: number;
  population: number;
  gain: number;
  cumulative: number;
  /** Share of the territory's fragility-weighted population covered after this site (existing places included). */
  coveredShare: number;
  /** Communes newly covered by this site. */
  newlyCovered: number;
}

export interface PlanResult {
  territory: Territory | null;
  layer: string;
  radiusKm: number;
  bus: boolean;
  method: string | null;
  /** Fragility-weighted population of the territory, and the part already covered by existing places. */
  totalWeight: number;
  alreadyCovered: number;
  candidates: number;
  sites: PlanSiteOut[];
  baseline: PlanSiteOut[];
  /** Covered share before any site, then after each site: the coverage curve. */
  curve: number[];
  baselineCurve: number[];
  /** Greedy's newly covered weight divided by the baseline's (null when the baseline covers nothing). */
  ratio: number | null;
  /** Fewer sites than asked because the rest would cover nothing more. */
  stoppedEarly: boolean;
}

export class CoverageError extends Error {}

/**
 * Coverage on demand over the published places and fragility scores, cached per places generation (access) and
 * per method (scores). Nothing is stored: the whole of France is computed in about half a second.
 */
export class CoverageEngine {
  private access: { generation: number; state: Promise<AccessState> } | null = null;

  constructor(
    private readonly ctx: Pick<AppContext, "places" | "fragility" | "territories" | "config">,
    readonly params: CoverageParams = DEFAULT_PARAMS,
  ) {}

  /** Urban-unit size class of every commune, from fragility's read model. */
  urbanClasses(): Promise<Map<string, number | null>> {
    return this.ctx.fragility.urbanClasses();
  }

  /** Access of every commune for the current places; computed once per generation, even under concurrent calls. */
  async accessState(): Promise<AccessState> {
    const places = await this.ctx.places.all();
    const generation = this.ctx.places.generation;
    if (this.access?.generation === generation) return this.access.state;
    const state = Promise.resolve().then(() => {
      const ref = this.ctx.territories;
      const communeOf = (code: string) => {
        const t = ref.get(code);
        return t?.kind === "arrondissement" && t.parent ? t.parent : code;
      };
      const points = places.map((p) => helpPoint(p, communeOf)).filter((p): p is HelpPoint => p !== null);
      const communes = ref.all.filter((t) => t.kind === "commune" && t.lat !== null && t.lon !== null);
      const table = computeAccess(
        communes.map((c) => ({ lat: c.lat as number, lon: c.lon as number })),
        points,
        this.params.detour,
      );
      return { generation, points, communes, rank: new Map(communes.map((c, i) => [c.code, i])), table };
    });
    this.access = { generation, state };
    return state;
  }

  /** The communes of a territory (France when null): an arrondissement stands for its commune. */
  communesOf(t: Territory | null): Territory[] {
    const ref = this.ctx.territories;
    if (!t) return ref.all.filter((x) => x.kind === "commune");
    if (t.kind === "arrondissement") {
      const parent = t.parent ? ref.get(t.parent) : undefined;
      return parent ? [parent] : [];
    }
    return ref.communesOf(t);
  }

  private async scores(
    method?: string,
  ): Promise<{ method: StoredMethod | null; scores: ReadonlyMap<string, number | null> }> {
    const f = await this.ctx.fragility.of(method);
    if (f === "unknown") {
      const known = (await this.ctx.fragility.methods()).map((m) => m.id).join(", ");
      throw new CoverageError(`Méthode inconnue « ${method} ». Méthodes possibles : ${known}.`);
    }
    return f ?? { method: null, scores: new Map() };
  }

  /** Coverage of a territory (France when null) for every layer. */
  /**
   * The communes of a territory with their distances to help points, without the statistics: a plan needs only
   * these, and the statistics of every layer over France would keep the event loop busy for a second or more.
   */
  private async points(t: Territory | null, method: string | undefined) {
    const [state, tuu, f] = await Promise.all([this.accessState(), this.urbanClasses(), this.scores(method)]);
    const idx: number[] = [];
    const communes: CommunePoint[] = [];
    for (const c of this.communesOf(t)) {
      const i = state.rank.get(c.code);
      if (i === undefined) continue;
      idx.push(i);
      communes.push({
        code: c.code,
        name: c.name,
        lat: c.lat as number,
        lon: c.lon as number,
        population: c.population ?? 0,
        score: f.scores.get(c.code) ?? null,
        tuu: tuu.get(c.code) ?? null,
      });
    }
    const dist = new Map<string, Float64Array>();
    for (const key of state.table.layers) {
      const all = state.table.dist.get(key) as Float64Array;
      dist.set(
        key,
        Float64Array.from(idx, (i) => all[i] as number),
      );
    }
    return { state, method: f.method, params: this.params, communes, dist };
  }

  async coverage(
    t: Territory | null,
    opts: { method?: string; fixedKm?: number; fragileFrom?: number } = {},
  ): Promise<TerritoryCoverage> {
    const params =
      opts.fragileFrom === undefined ? this.params : { ...this.params, fragileFrom: opts.fragileFrom };
    const { state, method, communes, dist } = await this.points(t, opts.method);
    const stats = state.table.layers.map((key) =>
      coverageStats(
        key,
        communes,
        dist.get(key) as Float64Array,
        state.table.inCommune.get(key) ?? new Set(),
        params,
        opts.fixedKm,
      ),
    );
    return {
      territory: t,
      method,
      params: params,
      fixedKm: opts.fixedKm,
      communes,
      dist,
      stats,
      places: state.points,
      table: state.table,
    };
  }

  gaps(cov: TerritoryCoverage, layer: Layer) {
    return rankGaps(cov.communes, cov.dist.get(layerKey(layer)) as Float64Array, cov.params, cov.fixedKm);
  }

  /** Resolves candidate codes to communes; unknown codes are an error that names them. */
  candidateCommunes(codes: string[]): Territory[] {
    const ref = this.ctx.territories;
    const out: Territory[] = [];
    const unknown: string[] = [];
    for (const code of codes) {
      const t = ref.get(code) ?? ref.currentOf(code);
      const c = t?.kind === "arrondissement" && t.parent ? ref.get(t.parent) : t;
      if (c?.kind !== "commune") unknown.push(code);
      else if (!out.includes(c)) out.push(c);
    }
    if (unknown.length > 0) {
      const shown = unknown
        .slice(0, 10)
        .map((c) => `« ${c} »`)
        .join(", ");
      const n = unknown.length;
      throw new CoverageError(
        `${n > 1 ? `${n} codes de la liste de candidates ne sont pas des codes INSEE de communes` : "1 code de la liste de candidates n'est pas un code INSEE de commune"} : ${shown}${n > 10 ? "…" : ""}.`,
      );
    }
    return out;
  }

  /** Demand and candidates of a plan, for the optimiser (also used by the bench and tests). */
  async planInstance(t: Territory | null, req: PlanRequest) {
    const cov = await this.points(t, req.method);
    const key = layerKey(req.layer);
    const dist = cov.dist.get(key) as Float64Array;
    const demand: Demand[] = cov.communes.map((c, i) => ({
      code: c.code,
      lat: c.lat,
      lon: c.lon,
      weight: weightOf(c.population, c.score),
      covered: !Number.isNaN(dist[i] as number) && (dist[i] as number) <= req.radiusKm,
    }));
    const state = await this.accessState();
    const pool = req.candidates ? this.candidateCommunes(req.candidates) : this.communesOf(t);
    const candidates: Candidate[] = pool
      .filter((c) => state.rank.has(c.code))
      .map((c) => ({
        code: c.code,
        lat: c.lat as number,
        lon: c.lon as number,
        population: c.population ?? 0,
      }));
    return { cov, demand, candidates };
  }

  /**
   * A plan for the territory. `solve` runs the CPU-heavy part (`solvePlan`); the routes pass one that moves large
   * plans to a worker thread, under a concurrency limit and a time budget. By default it runs here.
   */
  async plan(
    t: Territory | null,
    req: PlanRequest,
    solve: (input: PlanInput) => Promise<PlanSolution> = async (input) => solvePlan(input),
  ): Promise<PlanResult> {
    const { cov, demand, candidates } = await this.planInstance(t, req);
    const problem = planProblem(req.sites, req.radiusKm, candidates.length);
    if (problem) throw new CoverageError(problem);
    const weights = demand.map((d) => d.weight);
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const alreadyCovered = demand.reduce((a, d) => a + (d.covered ? d.weight : 0), 0);
    const solution = await solve({
      demand,
      candidates,
      radiusKm: req.radiusKm,
      detour: this.params.detour,
      sites: req.sites,
    });
    const greedy = solution.greedy;
    const baseline = solution.baseline;
    const out = (list: PlannedSite[], newly: number[]): PlanSiteOut[] =>
      list.map((s, k) => {
        const c = candidates[s.candidate] as Candidate;
        return {
          rank: k + 1,
          code: c.code,
          name: this.ctx.territories.get(c.code)?.name ?? c.code,
          lat: c.lat,
          lon: c.lon,
          population: c.population,
          gain: s.gain,
          cumulative: s.cumulative,
          coveredShare: totalWeight > 0 ? (alreadyCovered + s.cumulative) / totalWeight : 0,
          newlyCovered: newly[k] ?? 0,
        };
      });
    const curve = (list: PlannedSite[]) => [
      totalWeight > 0 ? alreadyCovered / totalWeight : 0,
      ...list.map((s) => (totalWeight > 0 ? (alreadyCovered + s.cumulative) / totalWeight : 0)),
    ];
    const g = greedy.at(-1)?.cumulative ?? 0;
    const b = baseline.at(-1)?.cumulative ?? 0;
    return {
      territory: t,
      layer: layerKey(req.layer),
      radiusKm: req.radiusKm,
      bus: req.bus ?? false,
      method: cov.method?.id ?? null,
      totalWeight,
      alreadyCovered,
      candidates: candidates.length,
      sites: out(greedy, solution.greedyNewly),
      baseline: out(baseline, solution.baselineNewly),
      curve: curve(greedy),
      baselineCurve: curve(baseline),
      ratio: b > 0 ? g / b : null,
      stoppedEarly: greedy.length < req.sites,
    };
  }
}
