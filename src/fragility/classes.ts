/**
 * Classes of the fragility maps: six steps of a colour-blind-safe sequential palette (ColorBrewer OrRd),
 * light = less fragile, dark = more fragile; 7 (the "fragile" threshold) starts a class of its own.
 */
export const BREAKS = [4, 5, 6, 7, 8] as const;
export const PALETTE = ["#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"] as const;

/** Index of the class of a score (0–5), or null when there is no score. */
export function classOf(score: number | null): number | null {
  if (score === null || Number.isNaN(score)) return null;
  let i = 0;
  while (i < BREAKS.length && score >= (BREAKS[i] as number)) i++;
  return i;
}

/** Legend labels in plain French: "moins de 4", "de 4 à moins de 5", …, "8 ou plus". */
export function classLabels(): string[] {
  const labels: string[] = [`moins de ${BREAKS[0]}`];
  for (let i = 0; i + 1 < BREAKS.length; i++) labels.push(`de ${BREAKS[i]} à moins de ${BREAKS[i + 1]}`);
  labels.push(`${BREAKS[BREAKS.length - 1]} ou plus`);
  return labels;
}

/** A score the French way: 7.84 → "7,8". */
export const formatScore = (score: number | null) =>
  score === null ? "non calculé" : score.toFixed(1).replace(".", ",");

/** A share 0–1 as a French percentage: 0.237 → "24 %". */
export const formatShare = (share: number | null) => (share === null ? "—" : `${Math.round(share * 100)} %`);
