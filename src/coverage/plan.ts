/**
 * The planning optimiser: choose N new sites among candidate communes so as to cover the most fragility-weighted
 * population not yet covered (maximal covering location problem, Church & ReVelle 1974). Greedy is the classic
 * answer: the objective is submodular, so greedy reaches at least (1 − 1/e) of the optimum; "lazy" greedy keeps
 * each candidate's last gain as an upper bound and recomputes only the top one (Minoux 1978).
 */
import { around } from "geokdbush";
import KDBush from "kdbush";

/**
 * Points as parallel columns: a plan over France has 35 000 of them on each side, and typed arrays cross to a
 * worker thread as a few bytes copied, where arrays of objects took the event loop hundreds of milliseconds.
 */
export interface Points {
  lat: Float64Array;
  lon: Float64Array;
}

/** The communes to cover: their points, weights and whether an existing place already covers them. */
export interface Demand extends Points {
  /** What covering each is worth: population × IFN / 10 (see weightOf). */
  weight: Float64Array;
  /** 1 when an existing place already covers it. */
  covered: Uint8Array;
}

/** The candidate sites: communes' reference points. */
export interface Candidates extends Points {
  population: Float64Array;
  /** 1 when the candidate's commune is a demand point already covered (the naive baseline takes those last). */
  covered: Uint8Array;
}

/** The fragility-weighted population of a commune: population × score / 10 (a missing score weighs 0). */
export const weightOf = (population: number, score: number | null): number =>
  score === null ? 0 : (population * score) / 10;

/**
 * For each candidate, the demand points (their ranks) not yet covered within `radiusKm` of road distance
 * (great-circle × detour).
 */
export function coverSets(
  demand: Demand,
  candidates: Points,
  radiusKm: number,
  detour: number,
): Int32Array[] {
  const open: number[] = [];
  for (let i = 0; i < demand.weight.length; i++) {
    if (!demand.covered[i] && (demand.weight[i] as number) > 0) open.push(i);
  }
  const m = candidates.lat.length;
  if (open.length === 0) return Array.from({ length: m }, () => new Int32Array(0));
  const index = new KDBush(open.length);
  for (const i of open) index.add(demand.lon[i] as number, demand.lat[i] as number);
  index.finish();
  const maxKm = radiusKm / detour;
  const sets: Int32Array[] = new Array(m);
  for (let c = 0; c < m; c++) {
    const ids = around(
      index,
      candidates.lon[c] as number,
      candidates.lat[c] as number,
      Number.POSITIVE_INFINITY,
      maxKm,
    );
    sets[c] = Int32Array.from(ids, (k) => open[k] as number).sort();
  }
  return sets;
}

export interface PlannedSite {
  /** Rank of the candidate. */
  candidate: number;
  /** Weight newly covered by this site, given the sites before it. */
  gain: number;
  /** Weight covered by this site and every site before it. */
  cumulative: number;
}

/** Weight newly covered by each site of `order`, in that order. */
export function evaluate(
  sets: readonly Int32Array[],
  weights: ArrayLike<number>,
  order: readonly number[],
): PlannedSite[] {
  const done = new Uint8Array(weights.length);
  let cumulative = 0;
  return order.map((candidate) => {
    let gain = 0;
    for (const d of sets[candidate] as Int32Array) {
      if (done[d]) continue;
      done[d] = 1;
      gain += weights[d] as number;
    }
    cumulative += gain;
    return { candidate, gain, cumulative };
  });
}

/** A max-heap of (bound, candidate), ties broken by the lower candidate rank (deterministic). */
class MaxHeap {
  private readonly bound: number[] = [];
  private readonly item: number[] = [];
  get size() {
    return this.item.length;
  }
  private above(i: number, j: number): boolean {
    const a = this.bound[i] as number;
    const b = this.bound[j] as number;
    return a > b || (a === b && (this.item[i] as number) < (this.item[j] as number));
  }
  private swap(i: number, j: number) {
    [this.bound[i], this.bound[j]] = [this.bound[j] as number, this.bound[i] as number];
    [this.item[i], this.item[j]] = [this.item[j] as number, this.item[i] as number];
  }
  push(bound: number, item: number) {
    this.bound.push(bound);
    this.item.push(item);
    let i = this.item.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): { bound: number; item: number } | undefined {
    if (this.item.length === 0) return undefined;
    const top = { bound: this.bound[0] as number, item: this.item[0] as number };
    const lastB = this.bound.pop() as number;
    const lastI = this.item.pop() as number;
    if (this.item.length > 0) {
      this.bound[0] = lastB;
      this.item[0] = lastI;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.item.length && this.above(l, m)) m = l;
        if (r < this.item.length && this.above(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

/**
 * Lazy greedy: up to `n` sites, each the one with the largest gain given those before; stops early when no
 * candidate adds anything. Gains never increase from one site to the next (submodularity).
 */
export function greedyPlan(
  sets: readonly Int32Array[],
  weights: ArrayLike<number>,
  n: number,
): PlannedSite[] {
  const done = new Uint8Array(weights.length);
  const gainOf = (c: number) => {
    let g = 0;
    for (const d of sets[c] as Int32Array) if (!done[d]) g += weights[d] as number;
    return g;
  };
  const heap = new MaxHeap();
  sets.forEach((_, c) => {
    heap.push(gainOf(c), c);
  });
  const out: PlannedSite[] = [];
  let cumulative = 0;
  while (out.length < n) {
    const top = heap.pop();
    if (!top) break;
    const g = gainOf(top.item);
    const next = heap.pop();
    // The recomputed gain is still at least the next bound: it is the best (ties to the lower rank).
    if (!next || g > next.bound || (g === next.bound && top.item < next.item)) {
      if (next) heap.push(next.bound, next.item);
      if (g <= 0) break;
      for (const d of sets[top.item] as Int32Array) done[d] = 1;
      cumulative += g;
      out.push({ candidate: top.item, gain: g, cumulative });
    } else {
      heap.push(next.bound, next.item);
      heap.push(g, top.item);
    }
  }
  return out;
}

/** Largest number of combinations the exhaustive search accepts. */
const EXACT_LIMIT = 5_000_000;

export function binomial(m: number, n: number): number {
  if (n < 0 || n > m) return 0;
  let r = 1;
  for (let k = 1; k <= n; k++) r = (r * (m - n + k)) / k;
  return Math.round(r);
}

/** The exact optimum by trying every set of `n` candidates (small instances only). */
export function exactPlan(
  sets: readonly Int32Array[],
  weights: ArrayLike<number>,
  n: number,
): { sites: number[]; covered: number } {
  const m = sets.length;
  const k = Math.min(n, m);
  if (binomial(m, k) > EXACT_LIMIT) throw new Error(`too many combinations: C(${m}, ${k})`);
  const count = new Int32Array(weights.length);
  let value = 0;
  let best = { sites: [] as number[], covered: 0 };
  const chosen: number[] = [];
  const add = (c: number, s: number) => {
    for (const d of sets[c] as Int32Array) {
      if (s > 0 && count[d] === 0) value += weights[d] as number;
      count[d] = (count[d] as number) + s;
      if (s < 0 && count[d] === 0) value -= weights[d] as number;
    }
  };
  const walk = (from: number) => {
    if (chosen.length === k) {
      if (value > best.covered + 1e-9) best = { sites: [...chosen], covered: value };
      return;
    }
    for (let c = from; c <= m - (k - chosen.length); c++) {
      chosen.push(c);
      add(c, 1);
      walk(c + 1);
      add(c, -1);
      chosen.pop();
    }
  };
  walk(0);
  return best;
}

/**
 * The naive baseline: the largest candidate communes not yet covered first (then the covered ones, largest first),
 * whatever they add.
 */
export function largestFirst(candidates: Pick<Candidates, "population" | "covered">, n: number): number[] {
  const { population, covered } = candidates;
  return Array.from({ length: population.length }, (_, i) => i)
    .sort(
      (a, b) =>
        (covered[a] as number) - (covered[b] as number) ||
        (population[b] as number) - (population[a] as number) ||
        a - b,
    )
    .slice(0, n);
}

/** Everything a plan needs from the optimiser, as plain data (it may cross to a worker thread). */
export interface PlanInput {
  demand: Demand;
  candidates: Candidates;
  radiusKm: number;
  detour: number;
  sites: number;
}

export interface PlanSolution {
  greedy: PlannedSite[];
  baseline: PlannedSite[];
  /** Demand points newly covered by each site of `greedy`, then of `baseline`. */
  greedyNewly: number[];
  baselineNewly: number[];
}

/** The CPU-heavy part of a plan: cover sets, the greedy choice and the naive baseline. */
export function solvePlan(input: PlanInput): PlanSolution {
  const { demand, candidates, radiusKm, detour, sites } = input;
  const sets = coverSets(demand, candidates, radiusKm, detour);
  const greedy = greedyPlan(sets, demand.weight, sites);
  const baseline = evaluate(sets, demand.weight, largestFirst(candidates, sites));
  const newly = (list: PlannedSite[]) => {
    const seen = new Set<number>();
    return list.map((s) => {
      let n = 0;
      for (const d of sets[s.candidate] as Int32Array) {
        if (!seen.has(d)) {
          seen.add(d);
          n++;
        }
      }
      return n;
    });
  };
  return { greedy, baseline, greedyNewly: newly(greedy), baselineNewly: newly(baseline) };
}

/** The buffers of a plan's columns, to transfer them to a worker thread rather than copy them. */
export const planBuffers = ({ demand, candidates }: PlanInput): ArrayBuffer[] => [
  ...new Set(
    [demand, candidates].flatMap((p) =>
      Object.values(p).map((column: ArrayBufferView) => column.buffer as ArrayBuffer),
    ),
  ),
];

/** Rough cost of a plan (demand points × candidates): above a few million it takes more than a few ms. */
export const planCost = (input: Pick<PlanInput, "demand" | "candidates">) =>
  input.demand.lat.length * input.candidates.lat.length;
