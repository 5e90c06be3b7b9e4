/**
 * Anonymous statistics of a territory, with small-cell suppression: no figure is shown for fewer than MIN_CELL
 * responses. Pure: counts in, what may be shown out.
 * - Under MIN_CELL responses in all, nothing is shown but « moins de 5 réponses ».
 * - A count from 1 to MIN_CELL - 1 is hidden; so is a yes/no count (urgent, a barrier) whose complement is that
 *   small, since the total would give it away.
 * - In a partition (profiles, levels, modes: they add up to the total), one hidden cell could be found back by
 *   subtraction: the smallest other non-zero cell is hidden too.
 */
import type { Barrier, Level, Mode, Profile } from "./model.ts";

export const MIN_CELL = 5;

/** What the store counts. */
export interface RawCounts {
  total: number;
  urgent: number;
  profiles: Partial<Record<Profile, number>> & Record<string, number>;
  levels: Partial<Record<Level, number>> & Record<string, number>;
  modes: Partial<Record<Mode, number>> & Record<string, number>;
  barriers: Partial<Record<Barrier, number>> & Record<string, number>;
  /** First and last day with a response (YYYY-MM-DD). */
  first: string | null;
  last: string | null;
}

/** A figure that may be shown, or null when it is hidden (small cell). */
export type Cell = number | null;

export interface ShownStats {
  /** False when there are fewer than MIN_CELL responses: nothing else is shown. */
  enough: boolean;
  total: Cell;
  urgent: Cell;
  profiles: { key: string; count: Cell }[];
  levels: { key: string; count: Cell }[];
  modes: { key: string; count: Cell }[];
  /** Most frequent first; hidden ones last. */
  barriers: { key: string; count: Cell }[];
  first: string | null;
  last: string | null;
}

const small = (n: number) => n > 0 && n < MIN_CELL;

/** Cells of a partition of the total, in the given order, with primary and secondary suppression. */
export function suppressPartition(
  counts: Record<string, number>,
  keys: readonly string[],
): { key: string; count: Cell }[] {
  const cells = keys.map((key) => ({ key, raw: counts[key] ?? 0, hidden: small(counts[key] ?? 0) }));
  if (cells.filter((c) => c.hidden).length === 1) {
    const next = cells.filter((c) => !c.hidden && c.raw > 0).sort((a, b) => a.raw - b.raw)[0];
    if (next) next.hidden = true;
  }
  return cells.map((c) => ({ key: c.key, count: c.hidden ? null : c.raw }));
}

/** A yes/no count out of the total: hidden when it or its complement is small. */
export function suppressShare(count: number, total: number): Cell {
  return small(count) || small(total - count) ? null : count;
}

export function showStats(
  raw: RawCounts,
  keys: {
    profiles: readonly string[];
    levels: readonly string[];
    modes: readonly string[];
    barriers: readonly string[];
  },
): ShownStats {
  if (raw.total < MIN_CELL)
    return {
      enough: false,
      total: null,
      urgent: null,
      profiles: [],
      levels: [],
      modes: [],
      barriers: [],
      first: null,
      last: null,
    };
  const barriers = keys.barriers
    .map((key) => ({ key, raw: raw.barriers[key] ?? 0 }))
    .sort((a, b) => b.raw - a.raw)
    .map(({ key, raw: n }) => ({ key, count: suppressShare(n, raw.total) }))
    .sort((a, b) => Number(a.count === null) - Number(b.count === null));
  return {
    enough: true,
    total: raw.total,
    urgent: suppressShare(raw.urgent, raw.total),
    profiles: suppressPartition(raw.profiles, keys.profiles),
    levels: suppressPartition(raw.levels, keys.levels),
    modes: suppressPartition(raw.modes, keys.modes),
    barriers,
    first: raw.first,
    last: raw.last,
  };
}
