/**
 * What every capability's indicators share (the contract is in context.ts): the months of a period, a figure
 * shown or hidden, « non disponible à l'échelle du quartier », whether a territory lies inside a scope, and the
 * months' secondary suppression. Pure: no table, no capability.
 */
import type { AppContext, IndicatorScope, IndicatorValue } from "../context.ts";

/** Why a value is undefined at a QPV's scale (its records carry a commune or an organisation, not a place). */
export const NOT_AT_QPV = "non disponible à l'échelle du quartier";

export const notAtQpv = (): IndicatorValue => ({ value: undefined, note: NOT_AT_QPV });

/** A figure that may be shown, or null when hidden to protect small counts. */
export const shown = (n: number | null): IndicatorValue =>
  n === null ? { value: null, hidden: true } : { value: n };

export interface Month {
  /** AAAA-MM */
  month: string;
  /** The month's first and last day within the period (AAAA-MM-JJ, inclusive). */
  from: string;
  to: string;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Every month of a period (days inclusive), the first and last ones cut to the period. */
export function monthsOf(from: string, to: string): Month[] {
  const out: Month[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  while (`${y}-${pad(m)}` <= to.slice(0, 7)) {
    const month = `${y}-${pad(m)}`;
    const last = `${month}-${pad(new Date(Date.UTC(y, m, 0)).getUTCDate())}`;
    out.push({ month, from: from > `${month}-01` ? from : `${month}-01`, to: to < last ? to : last });
    m += 1;
    if (m === 13) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/**
 * Whether the territory of a record (an organisation's or a programme's, by its id) lies wholly inside the scope:
 * France holds every one; otherwise each of its communes must be one of the scope's (an organisation acting on a
 * whole département does not count in one of its communes). An unknown id (« france ») is inside France only.
 */
export function territoryInScope(
  ctx: Pick<AppContext, "territories">,
  id: string,
  scope: Pick<IndicatorScope, "communes">,
): boolean {
  if (scope.communes === null) return true;
  const t = ctx.territories.get(id);
  if (!t) return false;
  const codes = t.kind === "arrondissement" ? [t.code] : ctx.territories.communesOf(t).map((c) => c.code);
  const communes = scope.communes;
  return codes.length > 0 && codes.every((c) => communes.has(c));
}

/**
 * The months of an additive indicator add up to its value over the period: when exactly one month is hidden and the
 * period's value is shown, subtracting the others would give it back, so the smallest other non-zero month is hidden
 * too (the same secondary suppression as a partition's). Changes `months` in place.
 */
export function guardMonths(
  months: Record<string, Record<string, IndicatorValue>>,
  period: Record<string, IndicatorValue>,
  additive: readonly string[],
): void {
  for (const id of additive) {
    if (typeof period[id]?.value !== "number") continue;
    const cells = Object.values(months)
      .map((m) => m[id])
      .filter((v): v is IndicatorValue => v !== undefined);
    if (cells.filter((v) => v.hidden).length !== 1) continue;
    const next = cells
      .filter((v) => typeof v.value === "number" && v.value > 0)
      .sort((a, b) => (a.value as number) - (b.value as number))[0];
    if (next) {
      next.value = null;
      next.hidden = true;
    }
  }
}

/**
 * A count from parts by organisation, as the dominance rule needs it (`protect` of src/activites/model.ts): the
 * total and the largest organisation's part.
 */
export function cellOf(parts: readonly { org: number; n: number }[]): {
  key: string;
  count: number;
  largest: number;
} {
  const byOrg = new Map<number, number>();
  for (const p of parts) byOrg.set(p.org, (byOrg.get(p.org) ?? 0) + p.n);
  const all = [...byOrg.values()];
  return { key: "", count: all.reduce((a, n) => a + n, 0), largest: Math.max(0, ...all) };
}
