import type { ScoreTable } from "./compute.ts";
import { type AggregateLevel, FRAGILE_THRESHOLD, type TerritoryAggregate } from "./model.ts";

/**
 * Population-weighted means of the communes' scores (and of each indicator's normalised score) per EPCI,
 * département or région, plus the share of the population living in a commune scored ≥ 7.
 * Only communes count (not arrondissements, already inside Paris, Lyon and Marseille); a commune without
 * a score or without a population adds to `communes`/`population` but not to the means.
 * Sums run over the table's columns, commune by commune in the table's order.
 */
export function aggregateScores(table: ScoreTable, level: AggregateLevel): TerritoryAggregate[] {
  const { names, member } = table.index.levels[level];
  const population = table.index.population;
  const score = table.score;
  const k = names.length;
  const communes = new Int32Array(k);
  const scored = new Int32Array(k);
  const pop = new Float64Array(k);
  const scoredPop = new Float64Array(k);
  const sum = new Float64Array(k);
  const fragilePop = new Float64Array(k);
  const n = member.length;
  for (let i = 0; i < n; i++) {
    const g = member[i] as number;
    if (g < 0) continue;
    communes[g] = (communes[g] as number) + 1;
    const p = population[i] as number;
    pop[g] = (pop[g] as number) + p;
    const s = score[i] as number;
    if (Number.isNaN(s)) continue;
    scored[g] = (scored[g] as number) + 1;
    scoredPop[g] = (scoredPop[g] as number) + p;
    sum[g] = (sum[g] as number) + p * s;
    if (s >= FRAGILE_THRESHOLD) fragilePop[g] = (fragilePop[g] as number) + p;
  }
  const indicators = table.columns.map((col) => {
    const isum = new Float64Array(k);
    const ipop = new Float64Array(k);
    const normalised = col.normalised;
    for (let i = 0; i < n; i++) {
      const g = member[i] as number;
      const v = normalised[i] as number;
      const s = score[i] as number;
      if (g < 0 || Number.isNaN(v) || Number.isNaN(s)) continue;
      const p = population[i] as number;
      isum[g] = (isum[g] as number) + p * v;
      ipop[g] = (ipop[g] as number) + p;
    }
    return { id: col.id, isum, ipop };
  });
  const order = names.map((_, g) => g).filter((g) => (communes[g] as number) > 0);
  order.sort((a, b) => {
    const x = names[a] as string;
    const y = names[b] as string;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return order.map((g) => {
    const sp = scoredPop[g] as number;
    const ind: Record<string, number | null> = {};
    // Only a territory with a scored commune lists its indicators (each scored commune has every part).
    if ((scored[g] as number) > 0)
      for (const { id, isum, ipop } of indicators)
        ind[id] = (ipop[g] as number) > 0 ? (isum[g] as number) / (ipop[g] as number) : null;
    return {
      level,
      code: names[g] as string,
      communes: communes[g] as number,
      scoredCommunes: scored[g] as number,
      population: pop[g] as number,
      scoredPopulation: sp,
      score: sp > 0 ? (sum[g] as number) / sp : null,
      shareAtLeast7: sp > 0 ? (fragilePop[g] as number) / sp : null,
      indicators: ind,
    };
  });
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
