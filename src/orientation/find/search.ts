/** One pass of the search: the places meeting the required criteria within a radius, ranked by effective distance. */
import { around, distance } from "geokdbush";
import { openStatus } from "../../places/hours.ts";
import type { Place } from "../../places/model.ts";
import type { Criterion, OrientationResult } from "../model.ts";
import { openDuring, type TimeWindow } from "../when.ts";
import {
  accessOf,
  type Compiled,
  evaluate,
  meetsMasks,
  missedCount,
  PRICE_TEXT,
  serviceInPlainWords,
} from "./criteria.ts";
import {
  CANDIDATES,
  hoursOf,
  memo,
  type OrientationIndex,
  PREFERENCE_KM,
  serviceMask,
} from "./place-index.ts";

export interface Pass {
  results: OrientationResult[];
  total: number;
}

/** One search with a given set of required criteria and radius. */
const rangesKey = (w: TimeWindow) => w.ranges.map(([a, b]) => `${a.getTime()}-${b.getTime()}`).join(",");

/** Which of the query's time windows the place is open in (memoised). */
export function openWindows(idx: OrientationIndex, c: Compiled, i: number, now: Date): TimeWindow[] {
  const oh = hoursOf(idx, i);
  if (!oh) return [];
  const key = `${oh.calendar.key}\u0000${oh.text}`;
  return c.windows.filter((w) =>
    memo(
      idx,
      `d\u0000${key}\u0000${w.when}\u0000${w.when === "maintenant" ? now.getTime() : rangesKey(w)}`,
      () => openDuring(oh, w, now),
    ),
  );
}

/** Does the place meet every required criterion but the distance? */
const meetsRequired =
  (idx: OrientationIndex, c: Compiled, required: Set<Criterion>, now: Date) => (i: number) =>
    meetsMasks(idx, c, i, required) && (!required.has("quand") || openWindows(idx, c, i, now).length > 0);

/** Is there at least one place meeting the required criteria within the radius? */
export function exists(
  idx: OrientationIndex,
  c: Compiled,
  origin: { lat: number; lon: number },
  required: Set<Criterion>,
  radiusKm: number,
  now: Date,
): boolean {
  if (idx.places.length === 0) return false;
  return (
    around(idx.tree, origin.lon, origin.lat, 1, radiusKm, meetsRequired(idx, c, required, now)).length > 0
  );
}

/**
 * One search with a given set of required criteria and radius. Candidates come nearest first; since a place's
 * score is at least its distance, the search stops once `limit` places score better than the next distance.
 */
export function pass(
  idx: OrientationIndex,
  c: Compiled,
  origin: { lat: number; lon: number },
  required: Set<Criterion>,
  radiusKm: number,
  now: Date,
  limit: number,
): Pass {
  if (idx.places.length === 0) return { results: [], total: 0 };
  const ids = around(
    idx.tree,
    origin.lon,
    origin.lat,
    CANDIDATES,
    radiusKm,
    meetsRequired(idx, c, required, now),
  );
  const scored: { i: number; d: number; score: number }[] = [];
  for (const i of ids) {
    const loc = (idx.places[i] as Place).location as { lat: number; lon: number };
    const d = distance(origin.lon, origin.lat, loc.lon, loc.lat);
    if (scored.length >= limit && (scored[limit - 1] as { score: number }).score <= d) break;
    const item = { i, d, score: d + PREFERENCE_KM * missedCount(idx, c, i, d, now) };
    let at = scored.length;
    while (at > 0 && (scored[at - 1] as { score: number }).score > item.score) at--;
    scored.splice(at, 0, item);
  }
  const results = scored.slice(0, limit).map(({ i, d }) => {
    const e = evaluate(idx, c, i, d, now);
    const place = idx.places[i] as Place;
    const oh = hoursOf(idx, i);
    // The needs asked that it answers, then its other services in plain words.
    const matched = c.needGroups.filter((g) => ((idx.services[i] as number) & g.mask) !== 0);
    const covered = matched.reduce((m, g) => m | g.mask, 0);
    const helps = matched.map((g) => g.label);
    for (const s of place.standard.services) {
      const w = serviceInPlainWords(s);
      if ((serviceMask([s]) & covered) === 0 && !helps.includes(w)) helps.push(w);
    }
    return {
      place,
      distanceKm: d,
      reasons: e.reasons,
      missing: e.missing,
      exact: e.missing.length === 0,
      open: oh
        ? memo(idx, `o\u0000${oh.calendar.key}\u0000${oh.text}\u0000${now.getTime()}`, () =>
            openStatus(oh, now),
          )
        : null,
      access: accessOf(place, oh !== null),
      helpsWith: helps,
      price: PRICE_TEXT[idx.price[i] as number] || null,
    } satisfies OrientationResult;
  });
  return { results, total: ids.length };
}
