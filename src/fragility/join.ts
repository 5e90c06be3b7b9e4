import type { CommuneRef } from "./model.ts";

/**
 * The join rule for Paris, Lyon and Marseille. The COG 2025 referential has both the commune
 * (75056, 69123, 13055) and its arrondissements municipaux (751xx, 6938x, 132xx); the sources do not:
 * the IFN has only the arrondissements (and 13055 with empty cells), the rcarlier file only the
 * arrondissements, Filosofi both, the table d'appartenance only the commune. So, per indicator:
 * - a commune with no value (absent or null) takes the population-weighted mean (COG 2025
 *   populations) of its arrondissements that have a value;
 * - an arrondissement absent from the file takes its commune's value (the file describes the whole city).
 * Values the file gives are never overwritten. Scores are then computed for both; aggregates count the
 * commune only, so nobody is counted twice.
 */
export function completeParisLyonMarseille(
  values: Map<string, number | null>,
  communes: CommuneRef[],
): Map<string, number | null> {
  const out = new Map(values);
  const arrondissements = new Map<string, CommuneRef[]>();
  for (const c of communes) {
    if (c.kind !== "arrondissement" || !c.parent) continue;
    const list = arrondissements.get(c.parent) ?? [];
    list.push(c);
    arrondissements.set(c.parent, list);
  }
  for (const [parent, arrs] of arrondissements) {
    const own = values.get(parent);
    if (own === undefined || own === null) {
      let sum = 0;
      let pop = 0;
      for (const a of arrs) {
        const v = values.get(a.code);
        if (v === undefined || v === null || !a.population) continue;
        sum += v * a.population;
        pop += a.population;
      }
      if (pop > 0) out.set(parent, sum / pop);
    }
    const cityValue = out.get(parent);
    if (cityValue === undefined) continue;
    for (const a of arrs) if (!values.has(a.code)) out.set(a.code, cityValue);
  }
  return out;
}
