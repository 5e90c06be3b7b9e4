/**
 * The fragility computation as it was before the typed-array version (commit f3a2068): scores as objects read
 * from the indicator maps, aggregates over those objects, distributions as sorted arrays. Kept as the reference
 * the fast path must equal exactly (src/fragility/fast-path.test.ts) and the bench compares with.
 */
import { countAtMost, countBelow, median } from "../../src/fragility/compute.ts";
import type { Distributions } from "../../src/fragility/explain.ts";
import {
  type AggregateLevel,
  type CommuneRef,
  type CommuneScore,
  type Direction,
  FRAGILE_THRESHOLD,
  type IndicatorPart,
  type IndicatorValues,
  type Method,
  type Normalisation,
  type TerritoryAggregate,
  type ValueStatus,
} from "../../src/fragility/model.ts";

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
function normaliser(
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
function nationalDistribution(values: Map<string, number | null>, communes: CommuneRef[]): Float64Array {
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
export function referenceScores(
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

/**
 * Population-weighted means of the communes' scores (and of each indicator's normalised score) per EPCI,
 * département or région, plus the share of the population living in a commune scored ≥ 7.
 * Only communes count (not arrondissements, already inside Paris, Lyon and Marseille); a commune without
 * a score or without a population adds to `communes`/`population` but not to the means.
 */
export function referenceAggregates(
  scores: CommuneScore[],
  communes: CommuneRef[],
  level: AggregateLevel,
): TerritoryAggregate[] {
  const byCode = new Map(scores.map((s) => [s.code, s]));
  const acc = new Map<
    string,
    {
      communes: number;
      scored: number;
      pop: number;
      scoredPop: number;
      sum: number;
      fragilePop: number;
      ind: Map<string, { sum: number; pop: number }>;
    }
  >();
  for (const c of communes) {
    if (c.kind !== "commune") continue;
    const key = c[level];
    if (!key) continue;
    let a = acc.get(key);
    if (!a) {
      a = { communes: 0, scored: 0, pop: 0, scoredPop: 0, sum: 0, fragilePop: 0, ind: new Map() };
      acc.set(key, a);
    }
    a.communes++;
    const pop = c.population ?? 0;
    a.pop += pop;
    const s = byCode.get(c.code);
    if (!s || s.score === null) continue;
    a.scored++;
    a.scoredPop += pop;
    a.sum += pop * s.score;
    if (s.score >= FRAGILE_THRESHOLD) a.fragilePop += pop;
    for (const p of s.parts) {
      const i = a.ind.get(p.indicator) ?? { sum: 0, pop: 0 };
      if (p.normalised !== null) {
        i.sum += pop * p.normalised;
        i.pop += pop;
      }
      a.ind.set(p.indicator, i);
    }
  }
  return [...acc]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, a]) => ({
      level,
      code,
      communes: a.communes,
      scoredCommunes: a.scored,
      population: a.pop,
      scoredPopulation: a.scoredPop,
      score: a.scoredPop > 0 ? a.sum / a.scoredPop : null,
      shareAtLeast7: a.scoredPop > 0 ? a.fragilePop / a.scoredPop : null,
      indicators: Object.fromEntries([...a.ind].map(([id, i]) => [id, i.pop > 0 ? i.sum / i.pop : null])),
    }));
}

/** Builds the distributions once for many explanations (communes only, observed values only). */
export function referenceDistributions(
  values: Map<string, IndicatorValues>,
  communes: CommuneRef[],
  indicatorIds: string[],
): Distributions {
  const national = new Map<string, ArrayLike<number>>();
  const byDepartement = new Map<string, Map<string, ArrayLike<number>>>();
  for (const id of indicatorIds) {
    const iv = values.get(id);
    if (!iv) continue;
    national.set(id, nationalDistribution(iv.values, communes));
    const deps = new Map<string, number[]>();
    for (const c of communes) {
      const v = iv.values.get(c.code);
      if (c.kind !== "commune" || !c.departement || v === undefined || v === null) continue;
      const list = deps.get(c.departement) ?? [];
      list.push(v);
      deps.set(c.departement, list);
    }
    for (const list of deps.values()) list.sort((a, b) => a - b);
    byDepartement.set(id, deps);
  }
  return { national, byDepartement };
}
