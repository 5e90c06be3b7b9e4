/** Small helpers shared by the benchmarks: percentiles and one printed line per figure. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Prints `name: value unit (goal …)` — one line per figure, as CI and closing notes quote them. */
export function report(name: string, value: number, unit: string, goal?: string): void {
  const shown = value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toFixed(4);
  console.log(`${name}: ${shown} ${unit}${goal ? ` (objectif ${goal})` : ""}`);
}
