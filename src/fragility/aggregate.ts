import {
  type AggregateLevel,
  type CommuneRef,
  type CommuneScore,
  FRAGILE_THRESHOLD,
  type TerritoryAggregate,
} from "./model.ts";

/** Score from which a commune counts as fragile in the "share of the population" figure. */

/**
 * Population-weighted means of the communes' scores (and of each indicator's normalised score) per EPCI,
 * département or région, plus the share of the population living in a commune scored ≥ 7.
 * Only communes count (not arrondissements, already inside Paris, Lyon and Marseille); a commune without
 * a score or without a population adds to `communes`/`population` but not to the means.
 */
export function aggregateScores(
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

export interface Comparison {
  /** Territories scored on both sides. */
  matched: number;
  /** Codes only in ours, only in the reference. */
  onlyOurs: string[];
  onlyReference: string[];
  meanAbsoluteDifference: number | null;
  maxAbsoluteDifference: number | null;
  /** Code with the largest difference. */
  worst: string | null;
  /** Pearson correlation between ours and the reference. */
  correlation: number | null;
}

/** Compares our aggregates with a reference (e.g. the official IFN per EPCI), on the codes both score. */
export function compareAggregates(
  ours: TerritoryAggregate[],
  reference: Map<string, number | null>,
): Comparison {
  const pairs: [string, number, number][] = [];
  const onlyOurs: string[] = [];
  const mine = new Set<string>();
  for (const a of ours) {
    if (a.score === null) continue;
    mine.add(a.code);
    const r = reference.get(a.code);
    if (r === undefined || r === null) onlyOurs.push(a.code);
    else pairs.push([a.code, a.score, r]);
  }
  const onlyReference = [...reference]
    .filter(([code, v]) => v !== null && !mine.has(code))
    .map(([code]) => code)
    .sort();
  const n = pairs.length;
  if (n === 0)
    return {
      matched: 0,
      onlyOurs,
      onlyReference,
      meanAbsoluteDifference: null,
      maxAbsoluteDifference: null,
      worst: null,
      correlation: null,
    };
  let sad = 0;
  let max = -1;
  let worst: string | null = null;
  let mx = 0;
  let my = 0;
  for (const [code, x, y] of pairs) {
    const d = Math.abs(x - y);
    sad += d;
    if (d > max) {
      max = d;
      worst = code;
    }
    mx += x;
    my += y;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [, x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  return {
    matched: n,
    onlyOurs,
    onlyReference,
    meanAbsoluteDifference: sad / n,
    maxAbsoluteDifference: max,
    worst,
    correlation: sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null,
  };
}
