import type {
  CommuneRef,
  CommuneScore,
  Direction,
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
    case "deciles":
      return (v) => {
        const lessFragile = up ? countBelow(sorted, v) : n - countAtMost(sorted, v);
        return Math.min(10, Math.floor((10 * lessFragile) / n) + 1);
      };
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

/** The EPCI of a commune; an arrondissement municipal belongs to the EPCI of its commune. */
function epciOf(c: CommuneRef, byCode: Map<string, CommuneRef>): string | null {
  return c.epci ?? (c.parent ? (byCode.get(c.parent)?.epci ?? null) : null);
}

/** Observed values of the communes (not arrondissements, which their commune already covers), sorted. */
export function nationalDistribution(
  values: Map<string, number | null>,
  communes: CommuneRef[],
): Float64Array {
  const out = new Float64Array(communes.length);
  let n = 0;
  for (const c of communes) {
    if (c.kind !== "commune") continue;
    const v = values.get(c.code);
    if (v !== undefined && v !== null) out[n++] = v;
  }
  // A typed array sorts numbers natively, several times faster than Array#sort with a comparator.
  return out.subarray(0, n).sort();
}

function groupMedians(
  values: Map<string, number | null>,
  communes: CommuneRef[],
  key: (c: CommuneRef) => string | null,
): Map<string, number> {
  const groups = new Map<string, number[]>();
  for (const c of communes) {
    if (c.kind !== "commune") continue;
    const k = key(c);
    const v = values.get(c.code);
    if (k === null || v === undefined || v === null) continue;
    const list = groups.get(k) ?? [];
    list.push(v);
    groups.set(k, list);
  }
  const out = new Map<string, number>();
  for (const [k, list] of groups) out.set(k, median(list.sort((a, b) => a - b)) as number);
  return out;
}

/**
 * Scores every commune and arrondissement with a method. Pure: the same method, values and communes
 * always give the same scores. The score is Σ weight × normalised ÷ Σ weight over the indicators that
 * have a value (after imputation when the method asks for it); null when none has.
 * Throws when an indicator of the method has no values loaded (a wiring error, not a data problem).
 */
export function computeScores(
  method: Method,
  values: Map<string, IndicatorValues>,
  communes: CommuneRef[],
): CommuneScore[] {
  const byCode = new Map(communes.map((c) => [c.code, c]));
  const prepared = method.indicators.map((mi) => {
    const iv = values.get(mi.id);
    if (!iv)
      throw new Error(`Indicateur « ${mi.id} » : aucune donnée chargée pour la méthode « ${method.id} »`);
    const sorted = nationalDistribution(iv.values, communes);
    const byEpci =
      method.missing === "median-epci" ? groupMedians(iv.values, communes, (c) => epciOf(c, byCode)) : null;
    const byDep =
      method.missing !== "reweight" ? groupMedians(iv.values, communes, (c) => c.departement) : null;
    return {
      mi,
      values: iv.values,
      byEpci,
      byDep,
      norm: normaliser(mi.normalisation, iv.indicator.direction, sorted),
    };
  });

  return communes.map((c) => {
    const raw: { value: number | null; status: ValueStatus }[] = prepared.map((p) => {
      const v = p.values.get(c.code);
      if (v !== undefined && v !== null) return { value: v, status: "observed" };
      const e = p.byEpci?.get(epciOf(c, byCode) ?? "");
      if (e !== undefined) return { value: e, status: "imputed-epci" };
      const d = p.byDep?.get(c.departement ?? "");
      if (d !== undefined) return { value: d, status: "imputed-departement" };
      return { value: null, status: "missing" };
    });
    let total = 0;
    let sum = 0;
    const normalised = prepared.map((p, i) => {
      const r = raw[i] as { value: number | null };
      if (r.value === null) return null;
      const s = p.norm(r.value);
      total += p.mi.weight;
      sum += p.mi.weight * s;
      return s;
    });
    const parts: IndicatorPart[] = prepared.map((p, i) => {
      const r = raw[i] as { value: number | null; status: ValueStatus };
      const s = normalised[i] ?? null;
      const effectiveWeight = s === null || total === 0 ? 0 : p.mi.weight / total;
      return {
        indicator: p.mi.id,
        raw: r.value,
        status: r.status,
        normalised: s,
        weight: p.mi.weight,
        effectiveWeight,
        contribution: s === null ? 0 : effectiveWeight * s,
      };
    });
    return {
      code: c.code,
      kind: c.kind,
      score: total > 0 ? sum / total : null,
      parts,
      imputed: parts.filter((p) => p.status.startsWith("imputed")).map((p) => p.indicator),
      missing: parts.filter((p) => p.status === "missing").map((p) => p.indicator),
    };
  });
}
