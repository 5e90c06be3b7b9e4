import type { AppContext } from "../context.ts";
import type { StoredMethod } from "../fragility/model.ts";
import type { Place } from "../places/model.ts";
import type { Territory } from "../territories/model.ts";
import { type AccessTable, computeAccess, pointServes } from "./access.ts";
import { planProblem } from "./inputs.ts";
import {
  type CommunePoint,
  type CoverageParams,
  DEFAULT_PARAMS,
  type HelpPoint,
  LAYERS,
  type Layer,
  layerKey,
} from "./model.ts";
import {
  type Candidates,
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

/**
 * For each layer key, the sources (`place_import.source`) that list at least one place of it with a position:
 * an empty list means that no loaded source knows this service or dispositif, so its coverage is not a real 0 %.
 */
function layerSources(places: readonly Place[], communeOf: (code: string) => string): Map<string, string[]> {
  const out = new Map<string, Set<string>>(LAYERS.map((l) => [layerKey(l), new Set<string>()]));
  for (const p of places) {
    const point = helpPoint(p, communeOf);
    if (!point) continue;
    for (const l of LAYERS) {
      if (!pointServes(point, l)) continue;
      const set = out.get(layerKey(l)) as Set<string>;
      for (const r of p.provenance) set.add(r.source);
    }
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}

/**
 * Where each source has places: the départements of its positioned places. A regional source (a hub's file) does
 * not cover the rest of France: a service it alone lists is not « 0 % » elsewhere but unknown there.
 */
function sourceFootprints(places: readonly Place[], departementOf: (code: string) => string | null) {
  const out = new Map<string, Set<string>>();
  for (const p of places) {
    if (!p.location || !p.communeCode) continue;
    const dep = departementOf(p.communeCode);
    if (!dep) continue;
    for (const r of p.provenance) {
      const set = out.get(r.source) ?? new Set<string>();
      set.add(dep);
      out.set(r.source, set);
    }
  }
  return out;
}

/**
 * The sources of each layer that have places in at least one of these départements (all of them for France): a
 * layer left with none is unknown here, not a real gap.
 */
function sourcesHere(
  sources: ReadonlyMap<string, string[]>,
  footprints: ReadonlyMap<string, ReadonlySet<string>>,
  departements: ReadonlySet<string> | null,
  /** Layers whose places reach some inhabitants here (from across a border): their sources are all kept. */
  reached: ReadonlySet<string>,
): Map<string, string[]> {
  if (!departements) return new Map(sources);
  const covers = (source: string) => [...departements].some((d) => footprints.get(source)?.has(d));
  return new Map([...sources].map(([k, list]) => [k, reached.has(k) ? list : list.filter(covers)]));
}

/** The access of every commune of France, for one generation of the published places. */
interface AccessState {
  generation: number;
  points: HelpPoint[];
  /** Sources listing each layer (see layerSources). */
  sources: Map<string, string[]>;
  /** The départements where each source has places (see sourceFootprints). */
  footprints: Map<string, Set<string>>;
  communes: Territory[];
  rank: Map<string, number>;
  table: AccessTable;
  /** The communes' points and populations as columns (by rank), read once: a plan over France copies them. */
  lat: Float64Array;
  lon: Float64Array;
  population: Float64Array;
  /** The communes' weights (see weightOf) for each method's scores, computed on the first plan that needs them. */
  weights: WeakMap<ReadonlyMap<string, number | null>, Float64Array>;
}

/** The ranks (in AccessState) of those communes that have one, in order. */
function ranksOf(state: AccessState, communes: readonly Territory[]): Int32Array {
  const out = new Int32Array(communes.length);
  let n = 0;
  for (const c of communes) {
    const r = state.rank.get(c.code);
    if (r !== undefined) out[n++] = r;
  }
  return out.subarray(0, n);
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
  /** Sources listing each layer, by layer key; empty when no loaded source lists any place of it. */
  sources: Map<string, string[]>;
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
      return {
        generation,
        points,
        sources: layerSources(places, communeOf),
        footprints: sourceFootprints(places, (code) => ref.get(code)?.departement ?? null),
        communes,
        rank: new Map(communes.map((c, i) => [c.code, i])),
        table,
        lat: Float64Array.from(communes, (c) => c.lat as number),
        lon: Float64Array.from(communes, (c) => c.lon as number),
        population: Float64Array.from(communes, (c) => c.population ?? 0),
        weights: new WeakMap(),
      };
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
      sources: sourcesHere(
        state.sources,
        state.footprints,
        t ? new Set(communes.flatMap((c) => this.ctx.territories.get(c.code)?.departement ?? [])) : null,
        new Set(stats.filter((x) => x.coveredPopulation > 0).map((x) => x.layer)),
      ),
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

  /**
   * Demand and candidates of a plan, for the optimiser (also used by the bench and tests): typed columns copied
   * from the cached columns of France by the communes' ranks, with the one layer asked. For France with every
   * commune a candidate, the territory lookups are skipped (they took tens of milliseconds of the event loop).
   */
  async planInstance(t: Territory | null, req: PlanRequest) {
    const [state, f] = await Promise.all([this.accessState(), this.scores(req.method)]);
    const all = state.table.dist.get(layerKey(req.layer)) as Float64Array;
    let weights = state.weights.get(f.scores);
    if (!weights) {
      weights = Float64Array.from(state.communes, (c, r) =>
        weightOf(state.population[r] as number, f.scores.get(c.code) ?? null),
      );
      state.weights.set(f.scores, weights);
    }
    const covered = (d: number) => (!Number.isNaN(d) && d <= req.radiusKm ? 1 : 0);
    if (!t && !req.candidates) {
      // France, every commune a candidate: the columns of every commune, in rank order (see accessState), copied.
      const demand: Demand = {
        lat: state.lat.slice(),
        lon: state.lon.slice(),
        weight: weights.slice(),
        covered: new Uint8Array(all.length),
      };
      for (let r = 0; r < all.length; r++) demand.covered[r] = covered(all[r] as number);
      const candidates: Candidates = {
        lat: state.lat.slice(),
        lon: state.lon.slice(),
        population: state.population.slice(),
        covered: demand.covered.slice(),
      };
      const communeAt = (r: number) => state.communes[r] as Territory;
      return {
        method: f.method,
        scores: f.scores,
        demand,
        candidates,
        demandCommune: communeAt,
        candidateCommune: communeAt,
      };
    }
    const ranks = ranksOf(state, this.communesOf(t));
    const n = ranks.length;
    const demand: Demand = {
      lat: new Float64Array(n),
      lon: new Float64Array(n),
      weight: new Float64Array(n),
      covered: new Uint8Array(n),
    };
    /** The demand point of each commune of France (by rank), -1 when it is not one. */
    const demandOf = new Int32Array(state.communes.length).fill(-1);
    for (let i = 0; i < n; i++) {
      const r = ranks[i] as number;
      demand.lat[i] = state.lat[r] as number;
      demand.lon[i] = state.lon[r] as number;
      demand.weight[i] = weights[r] as number;
      demand.covered[i] = covered(all[r] as number);
      demandOf[r] = i;
    }
    // The territory's communes by default (the same as the demand points).
    const pool = req.candidates ? ranksOf(state, this.candidateCommunes(req.candidates)) : ranks;
    const m = pool.length;
    const candidates: Candidates = {
      lat: new Float64Array(m),
      lon: new Float64Array(m),
      population: new Float64Array(m),
      covered: new Uint8Array(m),
    };
    for (let k = 0; k < m; k++) {
      const r = pool[k] as number;
      const i = demandOf[r] as number;
      candidates.lat[k] = state.lat[r] as number;
      candidates.lon[k] = state.lon[r] as number;
      candidates.population[k] = state.population[r] as number;
      candidates.covered[k] = i >= 0 ? (demand.covered[i] as number) : 0;
    }
    const communeAt = (r: number) => state.communes[r] as Territory;
    return {
      method: f.method,
      scores: f.scores,
      demand,
      candidates,
      /** The commune of the demand point `i`, of the candidate `k`. */
      demandCommune: (i: number) => communeAt(ranks[i] as number),
      candidateCommune: (k: number) => communeAt(pool[k] as number),
    };
  }

  /**
   * A plan for the territory. `solve` runs the CPU-heavy part (`solvePlan`); the routes pass one that moves large
   * plans to a worker thread, under a concurrency limit and a time budget, transferring the input's columns (see
   * planBuffers). By default it runs here.
   */
  async plan(
    t: Territory | null,
    req: PlanRequest,
    solve: (input: PlanInput) => Promise<PlanSolution> = async (input) => solvePlan(input),
  ): Promise<PlanResult> {
    const { method, demand, candidates, candidateCommune } = await this.planInstance(t, req);
    // Read before `solve`, which may transfer the columns to a worker thread (they are empty here afterwards).
    const candidateCount = candidates.lat.length;
    const problem = planProblem(req.sites, req.radiusKm, candidateCount);
    if (problem) throw new CoverageError(problem);
    let totalWeight = 0;
    let alreadyCovered = 0;
    for (let i = 0; i < demand.weight.length; i++) {
      const w = demand.weight[i] as number;
      totalWeight += w;
      alreadyCovered += demand.covered[i] ? w : 0;
    }
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
        const c = candidateCommune(s.candidate);
        return {
          rank: k + 1,
          code: c.code,
          name: c.name,
          lat: c.lat as number,
          lon: c.lon as number,
          population: c.population ?? 0,
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
      method: method?.id ?? null,
      totalWeight,
      alreadyCovered,
      candidates: candidateCount,
      sites: out(greedy, solution.greedyNewly),
      baseline: out(baseline, solution.baselineNewly),
      curve: curve(greedy),
      baselineCurve: curve(baseline),
      ratio: b > 0 ? g / b : null,
      stoppedEarly: greedy.length < req.sites,
    };
  }
}
