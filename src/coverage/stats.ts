import {
  type CommunePoint,
  type CoverageParams,
  type CoverageStats,
  type Gap,
  thresholdOf,
} from "./model.ts";

/** Is a commune fragile for the given threshold? A missing score is never fragile. */
const isFragile = (c: Pick<CommunePoint, "score">, p: CoverageParams): boolean =>
  c.score !== null && c.score >= p.fragileFrom;

/** Is a commune covered: a place of the layer within its threshold distance (NaN = no place at all = not covered). */
const isCovered = (distKm: number, thresholdKm: number): boolean =>
  !Number.isNaN(distKm) && distKm <= thresholdKm;

/**
 * Coverage of a set of communes for one layer. `dist[i]` is the road-distance estimate of `communes[i]` to the
 * nearest place of the layer (NaN when the layer has no place); `inCommune` the communes holding such a place.
 * `fixedKm` replaces the urban/rural thresholds by one distance for all.
 */
export function coverageStats(
  layer: string,
  communes: readonly CommunePoint[],
  dist: ArrayLike<number>,
  inCommune: ReadonlySet<string>,
  params: CoverageParams,
  fixedKm?: number,
): CoverageStats {
  const s: CoverageStats = {
    layer,
    communes: communes.length,
    population: 0,
    coveredPopulation: 0,
    fragileCommunes: 0,
    fragilePopulation: 0,
    coveredFragilePopulation: 0,
    unreachable: 0,
    fragileWithoutInCommune: 0,
    fragileWithoutNearby: 0,
  };
  communes.forEach((c, i) => {
    const d = dist[i] as number;
    const covered = isCovered(d, thresholdOf(c, params, fixedKm));
    s.population += c.population;
    if (covered) s.coveredPopulation += c.population;
    if (Number.isNaN(d)) s.unreachable++;
    if (!isFragile(c, params)) return;
    s.fragileCommunes++;
    s.fragilePopulation += c.population;
    if (covered) s.coveredFragilePopulation += c.population;
    else s.fragileWithoutNearby++;
    if (!inCommune.has(c.code)) s.fragileWithoutInCommune++;
  });
  return s;
}

/** A share in [0, 1]; 0 when there is nothing to divide (a territory without population is 0 % covered). */
export const share = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);

/**
 * The ranked list of gaps: fragile communes left without a place of the layer within their threshold, the largest
 * population first (then the most fragile, then by code so that the order is stable).
 */
export function rankGaps(
  communes: readonly CommunePoint[],
  dist: ArrayLike<number>,
  params: CoverageParams,
  fixedKm?: number,
): Gap[] {
  const gaps: Gap[] = [];
  communes.forEach((c, i) => {
    const d = dist[i] as number;
    const thresholdKm = thresholdOf(c, params, fixedKm);
    if (!isFragile(c, params) || isCovered(d, thresholdKm)) return;
    gaps.push({
      code: c.code,
      name: c.name,
      population: c.population,
      score: c.score as number,
      distanceKm: Number.isNaN(d) ? null : d,
      thresholdKm,
    });
  });
  return gaps.sort(
    (a, b) => b.population - a.population || b.score - a.score || a.code.localeCompare(b.code),
  );
}

/** Distance classes of the coverage map (km, road estimate): upper bounds, the last class is "farther / none". */
export const DISTANCE_CLASSES = [2, 5, 10, 15, 25] as const;

/** Class index 0..DISTANCE_CLASSES.length of a distance (the last = farther than 25 km or no place). */
export function distanceClass(d: number): number {
  if (Number.isNaN(d)) return DISTANCE_CLASSES.length;
  const k = DISTANCE_CLASSES.findIndex((b) => d <= b);
  return k === -1 ? DISTANCE_CLASSES.length : k;
}
