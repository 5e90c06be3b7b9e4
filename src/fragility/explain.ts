import { groupDistributions, OBSERVED, percentile, type ScoreTable } from "./compute.ts";
import type { CommuneRef, CommuneScore, Explanation, ExplanationLine, Indicator, Method } from "./model.ts";

/** Sorted raw values of each indicator, nationally and per département, to place a commune among others. */
export interface Distributions {
  national: Map<string, ArrayLike<number>>;
  byDepartement: Map<string, Map<string, ArrayLike<number>>>;
}

/**
 * The distributions of a method's indicators, once for all the explanations of a score table (communes only,
 * observed values only): the national ones are the table's; the départements' are sorted group by group.
 */
export function buildDistributions(table: ScoreTable): Distributions {
  const national = new Map<string, ArrayLike<number>>();
  const byDepartement = new Map<string, Map<string, ArrayLike<number>>>();
  const departements = table.index.levels.departement;
  for (const col of table.columns) {
    national.set(col.id, col.national);
    const observed = new Float64Array(col.raw.length);
    for (let i = 0; i < observed.length; i++)
      observed[i] = col.status[i] === OBSERVED ? (col.raw[i] as number) : Number.NaN;
    const { start, values } = groupDistributions(observed, departements);
    const deps = new Map<string, ArrayLike<number>>();
    departements.names.forEach((name, k) => {
      const from = start[k] as number;
      const to = start[k + 1] as number;
      // As before: a département whose communes have no observed value has no distribution (an empty one).
      if (to > from) deps.set(name, values.subarray(from, to));
    });
    byDepartement.set(col.id, deps);
  }
  return { national, byDepartement };
}

/** A number the French way, with one decimal: 7.8 → "7,8". */
export const frenchDecimal = (x: number, digits = 1) => x.toFixed(digits).replace(".", ",");

/** "de" before a noun phrase: de + le → du, de + les → des, de la, de l'. */
export function deCause(phrase: string): string {
  if (phrase.startsWith("le ")) return `du ${phrase.slice(3)}`;
  if (phrase.startsWith("les ")) return `des ${phrase.slice(4)}`;
  return `de ${phrase}`;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Score from which an indicator is named as a cause of fragility. */
const DRIVER_THRESHOLD = 6;

/**
 * The one-sentence summary: the score and the (at most two) indicators that push it up most, among
 * those scored 6 or more; values estimated or missing are said too.
 */
function summarise(score: CommuneScore, indicators: Record<string, Indicator>): string {
  if (score.score === null)
    return "Score non calculable : aucune donnée n'est disponible pour cette commune.";
  const head = `Score ${frenchDecimal(score.score)}/10`;
  const drivers = score.parts
    .filter((p) => p.normalised !== null && p.normalised >= DRIVER_THRESHOLD && p.contribution > 0)
    .sort((a, b) => b.contribution - a.contribution || (b.normalised ?? 0) - (a.normalised ?? 0))
    .slice(0, 2)
    .map((p) => indicators[p.indicator]?.cause ?? p.indicator);
  let sentence: string;
  if (drivers.length === 0) sentence = `${head}, aucun indicateur ne montre une fragilité marquée`;
  else if (score.score >= 5) sentence = `${head}, surtout à cause ${drivers.map(deCause).join(" et ")}`;
  else sentence = `${head}, une fragilité plutôt faible, sauf pour ${drivers.join(" et ")}`;
  const label = (id: string) => lowerFirst(indicators[id]?.label ?? id);
  const notes: string[] = [];
  if (score.imputed.length > 0) notes.push(`valeur estimée pour : ${score.imputed.map(label).join(", ")}`);
  if (score.missing.length > 0) notes.push(`donnée manquante pour : ${score.missing.map(label).join(", ")}`);
  return `${sentence}${notes.length > 0 ? ` (${notes.join(" ; ")})` : ""}.`;
}

/** Explains one commune's score: each indicator's raw value, percentiles, normalised score, weight, contribution. */
export function explainCommune(
  score: CommuneScore,
  commune: CommuneRef,
  method: Method,
  indicators: Record<string, Indicator>,
  distributions: Distributions,
): Explanation {
  const lines: ExplanationLine[] = score.parts.map((p) => {
    const ind = indicators[p.indicator];
    const national = distributions.national.get(p.indicator) ?? [];
    const dep = distributions.byDepartement.get(p.indicator)?.get(commune.departement ?? "") ?? [];
    return {
      indicator: p.indicator,
      label: ind?.label ?? p.indicator,
      unit: ind?.unit ?? "",
      raw: p.raw,
      status: p.status,
      nationalPercentile: p.raw === null ? null : percentile(national, p.raw),
      departementPercentile: p.raw === null ? null : percentile(dep, p.raw),
      normalised: p.normalised,
      weight: p.weight,
      effectiveWeight: p.effectiveWeight,
      contribution: p.contribution,
    };
  });
  return {
    code: score.code,
    method: { id: method.id, version: method.version },
    score: score.score,
    lines,
    summary: summarise(score, indicators),
  };
}
