import type {
  AggregateLevel,
  CommuneRef,
  CommuneScore,
  Direction,
  Indicator,
  IndicatorPart,
  IndicatorValues,
  Method,
  Normalisation,
  ValueStatus,
} from "./model.ts";

/** Number of values strictly below `v` in an ascending array. */
export function countBelow(sorted: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of values less than or equal to `v` in an ascending array. */
export function countAtMost(sorted: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Share (0–100) of the values below `v`, ties counting half; null on an empty distribution. */
export function percentile(sorted: ArrayLike<number>, v: number): number | null {
  if (sorted.length === 0) return null;
  const below = countBelow(sorted, v);
  const equal = countAtMost(sorted, v) - below;
  return (100 * (below + equal / 2)) / sorted.length;
}

export function median(sorted: ArrayLike<number>): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const clamp = (x: number) => Math.min(10, Math.max(0, x));

/**
 * A function from a raw value to a 0–10 score (10 = most fragile), built on the national distribution
 * (ascending, observed values only):
 * - `none`: the value is already a 0–10 score;
 * - `deciles`: 1 + the number of tenths of communes that are less fragile, i.e. the national decile
 *   from 1 to 10 (ties share a decile);
 * - `minmax`: 10 × the position between the national minimum and maximum;
 * - `zscore`: 5 + 2 × z, clipped to 0–10 (so ±2.5 standard deviations reach the bounds).
 * Orientation follows the direction: for `lower-is-more-fragile`, the lowest value scores 10.
 */
export function normaliser(
  kind: Normalisation,
  direction: Direction,
  sorted: ArrayLike<number>,
): (v: number) => number {
  const up = direction === "higher-is-more-fragile";
  const n = sorted.length;
  switch (kind) {
    case "none":
      return (v) => v;
    case "deciles": {
      if (n === 0) return () => Number.NaN;
      // The decile is 1 + the number of k in 1…9 such that 10 × lessFragile ≥ k × n, i.e. lessFragile ≥
      // ceil(k × n / 10) = m: higher-is-more-fragile, countBelow(v) ≥ m ⟺ v > sorted[m − 1];
      // lower-is-more-fragile, n − countAtMost(v) ≥ m ⟺ v < sorted[n − m]. Nine comparisons, no search.
      const thresholds = new Float64Array(9);
      for (let k = 1; k <= 9; k++) {
        const m = Math.ceil((k * n) / 10);
        thresholds[k - 1] = sorted[up ? m - 1 : n - m] as number;
      }
      if (up)
        return (v) => {
          let d = 1;
          for (let k = 0; k < 9; k++) if (v > (thresholds[k] as number)) d++;
          return d;
        };
      return (v) => {
        let d = 1;
        for (let k = 0; k < 9; k++) if (v < (thresholds[k] as number)) d++;
        return d;
      };
    }
    case "minmax": {
      const min = sorted[0] ?? 0;
      const max = sorted[n - 1] ?? 0;
      if (max === min) return () => 5;
      return (v) => clamp((10 * (up ? v - min : max - v)) / (max - min));
    }
    case "zscore": {
      const values = Array.from(sorted);
      const mean = values.reduce((s, x) => s + x, 0) / n;
      const sd = Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
      if (!(sd > 0)) return () => 5;
      return (v) => clamp(5 + (2 * (up ? v - mean : mean - v)) / sd);
    }
  }
}

/** One grouping of the rows (communes and arrondissements) by EPCI, département or région, as small integers. */
export interface Grouping {
  /** Group codes, by group number (in order of first appearance). */
  names: string[];
  /** Group number of each row, -1 when the row is not a member (arrondissement, or no code). */
  member: Int32Array;
}

/** For imputation: the groups, and the group each row takes a median from (-1: none). */
interface ImputationGrouping extends Grouping {
  lookup: Int32Array;
}

/**
 * The rows (communes and arrondissements) indexed once per reading of the inputs: which are communes, their
 * populations, and their groups. Arrondissements municipaux are rows too (scored), never members of a group
 * (their commune is).
 */
export class CommuneIndex {
  readonly isCommune: Uint8Array;
  /** Population, 0 when unknown. */
  readonly population: Float64Array;
  /** The communes of each EPCI, département or région, for the aggregates (a row without a code is in none). */
  readonly levels: Readonly<Record<AggregateLevel, Grouping>>;
  /** The groups whose median stands in for a missing value (`median-epci`, then `median-departement`). */
  readonly imputation: Readonly<Record<"epci" | "departement", ImputationGrouping>>;

  constructor(readonly communes: readonly CommuneRef[]) {
    const n = communes.length;
    this.isCommune = new Uint8Array(n);
    this.population = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const c = communes[i] as CommuneRef;
      this.isCommune[i] = c.kind === "commune" ? 1 : 0;
      this.population[i] = c.population ?? 0;
    }
    this.levels = {
      epci: this.group((c) => c.epci || null),
      departement: this.group((c) => c.departement || null),
      region: this.group((c) => c.region || null),
    };
    // An arrondissement municipal belongs to the EPCI of its commune.
    const parents = new Map<string, string | null>();
    for (const c of communes) if (c.epci === null && c.parent) parents.set(c.parent, null);
    if (parents.size > 0) for (const c of communes) if (parents.has(c.code)) parents.set(c.code, c.epci);
    this.imputation = {
      epci: this.imputationGroups((c) => c.epci ?? (c.parent ? (parents.get(c.parent) ?? null) : null)),
      departement: this.imputationGroups((c) => c.departement),
    };
  }

  /** Members are the communes with a key; every row (arrondissements included) looks up its key's group, "" without. */
  private imputationGroups(key: (c: CommuneRef) => string | null): ImputationGrouping {
    const communes = this.communes;
    const n = communes.length;
    const ids = new Map<string, number>();
    const names: string[] = [];
    const member = new Int32Array(n);
    const lookup = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = key(communes[i] as CommuneRef);
      const name = k ?? "";
      let id = ids.get(name);
      if (id === undefined) {
        id = names.length;
        names.push(name);
        ids.set(name, id);
      }
      lookup[i] = id;
      member[i] = k !== null && this.isCommune[i] === 1 ? id : -1;
    }
    return { names, member, lookup };
  }

  private group(key: (c: CommuneRef) => string | null): Grouping {
    const ids = new Map<string, number>();
    const names: string[] = [];
    const member = new Int32Array(this.communes.length).fill(-1);
    this.communes.forEach((c, i) => {
      if (this.isCommune[i] !== 1) return;
      const k = key(c);
      if (k === null) return;
      let id = ids.get(k);
      if (id === undefined) {
        id = names.length;
        names.push(k);
        ids.set(k, id);
      }
      member[i] = id;
    });
    return { names, member };
  }
}

/**
 * The indicators' values as columns: one Float64Array per indicator, in the order of the rows (NaN where missing:
 * no row in the file, or a missing cell), with the rows' index. Built once when the inputs are read; every
 * method's computation then reads arrays, not maps. The values and communes must not change afterwards.
 */
export class IndicatorTable {
  readonly index: CommuneIndex;
  private readonly columns = new Map<string, { indicator: Indicator; raw: Float64Array }>();

  constructor(values: Map<string, IndicatorValues>, communes: readonly CommuneRef[]) {
    this.index = new CommuneIndex(communes);
    const n = communes.length;
    for (const [id, iv] of values) {
      const raw = new Float64Array(n);
      const map = iv.values;
      for (let i = 0; i < n; i++) raw[i] = map.get((communes[i] as CommuneRef).code) ?? Number.NaN;
      this.columns.set(id, { indicator: iv.indicator, raw });
    }
  }

  column(id: string): { indicator: Indicator; raw: Float64Array } | undefined {
    return this.columns.get(id);
  }
}

/**
 * The values (not NaN) of each group's members, sorted within each group: group k's are
 * `values.subarray(start[k], start[k + 1])`. With `need`, only the groups k where need[k] is 1 (others empty).
 */
export function groupDistributions(
  raw: Float64Array,
  g: Grouping,
  need: Uint8Array | null = null,
): { start: Int32Array; values: Float64Array } {
  const count = g.names.length;
  const start = new Int32Array(count + 1);
  const n = raw.length;
  const member = g.member;
  for (let i = 0; i < n; i++) {
    const id = member[i] as number;
    const v = raw[i] as number;
    if (id >= 0 && !Number.isNaN(v) && (need === null || need[id] === 1))
      start[id + 1] = (start[id + 1] as number) + 1;
  }
  for (let k = 0; k < count; k++) start[k + 1] = (start[k + 1] as number) + (start[k] as number);
  const next = start.slice(0, count);
  const values = new Float64Array(start[count] as number);
  for (let i = 0; i < n; i++) {
    const id = member[i] as number;
    const v = raw[i] as number;
    if (id < 0 || Number.isNaN(v) || (need !== null && need[id] !== 1)) continue;
    const at = next[id] as number;
    values[at] = v;
    next[id] = at + 1;
  }
  for (let k = 0; k < count; k++) {
    const from = start[k] as number;
    const to = start[k + 1] as number;
    if (to - from > 1) values.subarray(from, to).sort();
  }
  return { start, values };
}

/**
 * The median of the observed values (not NaN) of the members of the groups that `rows` look up; NaN for the
 * other groups and for a group without any value.
 */
function groupMedians(raw: Float64Array, g: ImputationGrouping, rows: readonly number[]): Float64Array {
  const count = g.names.length;
  const need = new Uint8Array(count);
  for (const i of rows) need[g.lookup[i] as number] = 1;
  const { start, values } = groupDistributions(raw, g, need);
  const out = new Float64Array(count).fill(Number.NaN);
  for (let k = 0; k < count; k++) {
    const from = start[k] as number;
    const to = start[k + 1] as number;
    if (to > from) out[k] = median(values.subarray(from, to)) as number;
  }
  return out;
}

const STATUSES: readonly ValueStatus[] = ["observed", "imputed-epci", "imputed-departement", "missing"];
export const OBSERVED = 0;
const IMPUTED_EPCI = 1;
const IMPUTED_DEPARTEMENT = 2;
const MISSING = 3;

/** One indicator of a method over every row. */
export class IndicatorColumn {
  private sorted: Float64Array | null = null;

  constructor(
    readonly id: string,
    readonly weight: number,
    private readonly index: CommuneIndex,
    /** Raw value used (observed or imputed), NaN when missing. */
    readonly raw: Float64Array,
    /** Index in STATUSES: observed, imputed-epci, imputed-departement, missing. */
    readonly status: Uint8Array,
  ) {}

  /** 0–10 score of the indicator, NaN when missing (set once by scoreTable). */
  normalised: Float64Array = new Float64Array(0);

  /** The national distribution of the observed raw values (communes only), sorted; built on first use. */
  get national(): Float64Array {
    if (this.sorted === null) {
      const { raw, status } = this;
      const isCommune = this.index.isCommune;
      const out = new Float64Array(raw.length);
      let n = 0;
      for (let i = 0; i < raw.length; i++)
        if (isCommune[i] === 1 && status[i] === OBSERVED) out[n++] = raw[i] as number;
      this.sorted = out.subarray(0, n).sort();
    }
    return this.sorted;
  }
}

/**
 * Every row's score under a method, as columns (one typed array per figure and indicator): the scores and the
 * aggregates read the arrays; `at(i)` builds one row's CommuneScore (parts, effective weights, contributions)
 * when an explanation needs it.
 */
export class ScoreTable {
  constructor(
    readonly method: Method,
    readonly index: CommuneIndex,
    readonly columns: readonly IndicatorColumn[],
    /** Score of each row, NaN when no indicator has a value. */
    readonly score: Float64Array,
    /** Σ weight of the indicators that have a value, per row. */
    readonly weightTotal: Float64Array,
  ) {}

  get length(): number {
    return this.score.length;
  }

  /** Row i as a CommuneScore (its parts in the method's order). */
  at(i: number): CommuneScore {
    const c = this.index.communes[i] as CommuneRef;
    const total = this.weightTotal[i] as number;
    const imputed: string[] = [];
    const missing: string[] = [];
    const parts: IndicatorPart[] = this.columns.map((col) => {
      const raw = col.raw[i] as number;
      const s = col.normalised[i] as number;
      const status = col.status[i] as number;
      if (status === MISSING) missing.push(col.id);
      else if (status !== OBSERVED) imputed.push(col.id);
      const scored = !Number.isNaN(s);
      const effectiveWeight = !scored || total === 0 ? 0 : col.weight / total;
      return {
        indicator: col.id,
        raw: Number.isNaN(raw) ? null : raw,
        status: STATUSES[status] as ValueStatus,
        normalised: scored ? s : null,
        weight: col.weight,
        effectiveWeight,
        contribution: scored ? effectiveWeight * s : 0,
      };
    });
    const score = this.score[i] as number;
    return {
      code: c.code,
      kind: c.kind,
      score: Number.isNaN(score) ? null : score,
      parts,
      imputed,
      missing,
    };
  }

  /** Every row as a CommuneScore. */
  all(): CommuneScore[] {
    const out = new Array<CommuneScore>(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.at(i);
    return out;
  }
}

/**
 * Fills the missing values of a column with the median of the observed values of the row's EPCI (when the method
 * says so), else of its département (unless the method re-weights); the others are flagged missing. Medians are
 * computed only for the groups of rows that miss a value.
 */
function impute(
  raw: Float64Array,
  status: Uint8Array,
  byEpci: ImputationGrouping | null,
  byDep: ImputationGrouping | null,
): void {
  let rows: number[] = [];
  for (let i = 0; i < raw.length; i++) if (Number.isNaN(raw[i])) rows.push(i);
  if (rows.length === 0) return;
  // Every median is taken on observed values: compute both before writing any imputed value.
  const fills: { rows: number[]; values: Float64Array }[] = [];
  for (const g of [byEpci, byDep]) {
    if (g === null) {
      fills.push({ rows: [], values: new Float64Array(0) });
      continue;
    }
    const medians = groupMedians(raw, g, rows);
    const values = new Float64Array(rows.length);
    const rest: number[] = [];
    rows.forEach((i, k) => {
      const m = medians[g.lookup[i] as number] as number;
      values[k] = m;
      if (Number.isNaN(m)) rest.push(i);
    });
    fills.push({ rows, values });
    rows = rest;
  }
  fills.forEach(({ rows: filled, values }, step) => {
    filled.forEach((i, k) => {
      const m = values[k] as number;
      if (Number.isNaN(m)) return;
      raw[i] = m;
      status[i] = step === 0 ? IMPUTED_EPCI : IMPUTED_DEPARTEMENT;
    });
  });
  for (const i of rows) status[i] = MISSING;
}

/**
 * Scores every commune and arrondissement with a method, on typed arrays. Pure: the same method, values and
 * communes always give the same scores. The score is Σ weight × normalised ÷ Σ weight over the indicators that
 * have a value (after imputation when the method asks for it); null when none has.
 * Throws when an indicator of the method has no values loaded (a wiring error, not a data problem).
 */
export function scoreTable(method: Method, data: IndicatorTable): ScoreTable {
  const index = data.index;
  const n = index.communes.length;
  const byEpci = method.missing === "median-epci" ? index.imputation.epci : null;
  const byDep = method.missing !== "reweight" ? index.imputation.departement : null;
  const weightTotal = new Float64Array(n);
  const sum = new Float64Array(n);
  const columns = method.indicators.map((mi): IndicatorColumn => {
    const input = data.column(mi.id);
    if (!input)
      throw new Error(`Indicateur « ${mi.id} » : aucune donnée chargée pour la méthode « ${method.id} »`);
    const raw = input.raw.slice();
    const status = new Uint8Array(n);
    impute(raw, status, byEpci, byDep);
    const col = new IndicatorColumn(mi.id, mi.weight, index, raw, status);
    let normalised = raw;
    if (mi.normalisation !== "none") {
      // Built on the national distribution of observed values (communes only), as the explanations show it.
      const norm = normaliser(mi.normalisation, input.indicator.direction, col.national);
      normalised = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = raw[i] as number;
        normalised[i] = Number.isNaN(v) ? Number.NaN : norm(v);
      }
    }
    col.normalised = normalised;
    // Σ weight × normalised and Σ weight, indicator by indicator in the method's order (as a sum per row would).
    const w = mi.weight;
    for (let i = 0; i < n; i++) {
      const v = normalised[i] as number;
      if (Number.isNaN(v)) continue;
      weightTotal[i] = (weightTotal[i] as number) + w;
      sum[i] = (sum[i] as number) + w * v;
    }
    return col;
  });
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = weightTotal[i] as number;
    score[i] = t > 0 ? (sum[i] as number) / t : Number.NaN;
  }
  return new ScoreTable(method, index, columns, score, weightTotal);
}

/** Every commune's and arrondissement's score with its parts (see scoreTable). */
export function computeScores(
  method: Method,
  values: Map<string, IndicatorValues>,
  communes: readonly CommuneRef[],
): CommuneScore[] {
  return scoreTable(method, new IndicatorTable(values, communes)).all();
}
