/**
 * The finder's core: required criteria exclude, preferred criteria rank, and when nothing is left the search is
 * widened step by step, each step said in plain French. Pure: the places, the query and the clock come in.
 * This file is the search with its widening; find/place-index.ts builds the index over the places,
 * find/criteria.ts turns a query into checks and reasons, find/search.ts runs one pass with given criteria.
 *
 * Ranking: by « effective distance » = distance + PREFERENCE_KM for every preference the place does not meet.
 * A preference is worth 5 km: a place 3 km away that is free beats a paying one 1 km away when « gratuit » is
 * preferred; when « gratuit » is required, the paying one is not listed at all.
 */
import { compile, km } from "./find/criteria.ts";
import { DEFAULT_RADIUS_KM, type OrientationIndex, WIDEST_KM } from "./find/place-index.ts";
import { exists, pass } from "./find/search.ts";
import type { Criterion, OrientationOutcome, OrientationQuery, OrientationResult } from "./model.ts";

/** Which criteria are dropped, in this order, when nothing is left (the least important first). */
const WIDEN_ORDER: Criterion[] = ["quand", "modalite", "gratuit", "public", "priseEnCharge", "besoin"];
/** The order in which required criteria are applied to say which one emptied the list. */
const APPLY_ORDER: Criterion[] = [
  "distance",
  "besoin",
  "priseEnCharge",
  "public",
  "gratuit",
  "modalite",
  "quand",
];

const DROP_TEXT: Record<Criterion, string> = {
  besoin:
    "Aucun lieu proche ne propose aussi cette aide : voici les lieux les plus proches, qui pourront vous orienter.",
  priseEnCharge: "Aucun lieu proche n'indique cette prise en charge : ce critère n'est plus obligatoire.",
  public: "Aucun lieu proche ne s'adresse spécialement à ce public : ce critère n'est plus obligatoire.",
  gratuit: "Aucun lieu proche n'est indiqué gratuit : ce critère n'est plus obligatoire.",
  modalite: "Aucun lieu proche ne propose cette façon d'être aidé : ce critère n'est plus obligatoire.",
  quand: "Aucun lieu proche n'est ouvert au moment choisi : ce critère n'est plus obligatoire.",
  distance: "",
};

/**
 * Finds places for a query from `origin` (the commune's point, or the person's position) at `now`.
 * Never returns an empty list while the index has places: it widens (distance, then criteria) and says so.
 */
export function findPlaces(
  idx: OrientationIndex,
  query: OrientationQuery,
  origin: { lat: number; lon: number },
  at: Date,
): OrientationOutcome {
  // Hours have minute precision: the answers for any moment of a minute are those of its start.
  const now = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  const c = compile(query, now);
  const limit = Math.max(1, Math.min(query.limit ?? 10, 100));
  const required = new Set(query.indispensables.filter((k) => c.asked.has(k)));
  const maxKm = query.distanceMax;
  const radius = (req: Set<Criterion>, r: number | null) =>
    req.has("distance") && r !== null ? r : Math.max(DEFAULT_RADIUS_KM, r ?? 0);
  const notes = [...new Set(c.windows.map((w) => w.note).filter((n): n is string => n !== null))];
  const base = { query, origin, notes };

  let result = pass(idx, c, origin, required, radius(required, maxKm), now, limit);
  if (result.results.length > 0) return { ...base, ...result, widened: [], emptiedBy: null, partial: false };

  // Which required criterion emptied the list: apply them one after the other.
  let emptiedBy: Criterion | null = null;
  const applied = new Set<Criterion>();
  for (const k of APPLY_ORDER) {
    if (!required.has(k)) continue;
    applied.add(k);
    if (!exists(idx, c, origin, applied, radius(applied, maxKm), now)) {
      emptiedBy = k;
      break;
    }
  }

  const widened: string[] = [];
  const current = new Set(required);
  let r = maxKm;
  // 1. Farther, doubling up to WIDEST_KM, when a maximum distance was required.
  if (current.has("distance") && r !== null) {
    while (result.results.length === 0 && r < WIDEST_KM) {
      r = Math.min(WIDEST_KM, r * 2);
      result = pass(idx, c, origin, current, r, now, limit);
      if (result.results.length > 0)
        widened.push(`Aucun lieu à moins de ${km(maxKm ?? r)} : nous avons cherché jusqu'à ${km(r)}.`);
    }
    if (result.results.length === 0) {
      current.delete("distance");
      r = maxKm;
      result = pass(idx, c, origin, current, radius(current, r), now, limit);
      if (result.results.length > 0)
        widened.push(`Aucun lieu à moins de ${km(WIDEST_KM)} : voici les plus proches.`);
    }
  }
  // 2. Drop required criteria, the least important first (pointless when no place at all is within reach).
  const anyNear = exists(idx, c, origin, new Set(), radius(current, r), now);
  for (const k of anyNear ? WIDEN_ORDER : []) {
    if (result.results.length > 0) break;
    if (!current.has(k)) continue;
    current.delete(k);
    result = pass(idx, c, origin, current, radius(current, r), now, limit);
    widened.push(DROP_TEXT[k]);
  }
  // 3. Still nothing within reach (an island, say): the nearest places whatever their distance.
  if (result.results.length === 0) {
    current.delete("distance");
    result = pass(idx, c, origin, current, 20_000, now, limit);
    if (result.results.length === 0) {
      current.clear();
      result = pass(idx, c, origin, current, 20_000, now, limit);
    }
    if (result.results.length > 0)
      widened.push(`Aucun lieu à moins de ${km(WIDEST_KM)} : voici les plus proches.`);
  }
  const partial = [...required].some((k) => !current.has(k));
  return { ...base, ...result, widened, emptiedBy, partial };
}

/** What the finder adds when the nearest place that fits is far (farther than the coverage threshold). */
export interface FarHelp {
  /** The coverage threshold of the commune (km): 5 in town, 15 in the countryside. */
  thresholdKm: number;
  /** Distance of the nearest place meeting every criterion (null: none at all). */
  nearestExactKm: number | null;
  /** Nearer places that help with other things: they can orient the person. */
  nearerOthers: OrientationResult[];
  /** The nearest places helping with the need at a distance (« À distance »: phone, video). */
  byPhone: OrientationResult[];
}

const NEARER_LIMIT = 3;
const PHONE_LIMIT = 2;

/**
 * When the nearest place meeting every criterion is farther than `thresholdKm` (or there is none), the nearest
 * places within the threshold whatever they offer, and the nearest places that help with the need at a distance
 * (the standard's modality « À distance »: by phone or video). Null when a fitting place is near enough. Pure.
 */
export function farHelp(
  idx: OrientationIndex,
  outcome: OrientationOutcome,
  thresholdKm: number,
  at: Date,
): FarHelp | null {
  const exact = outcome.results.filter((r) => r.exact).map((r) => r.distanceKm);
  const nearestExactKm = exact.length > 0 ? Math.min(...exact) : null;
  if (nearestExactKm !== null && nearestExactKm <= thresholdKm) return null;
  const now = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  const shown = new Set(outcome.results.map((r) => r.place.id));
  const base: OrientationQuery = {
    ...outcome.query,
    publics: [],
    supports: [],
    gratuit: false,
    modalites: [],
    quand: [],
    distanceMax: null,
    indispensables: [],
  };
  const unseen = (rs: OrientationResult[], limit: number) =>
    rs.filter((r) => !shown.has(r.place.id)).slice(0, limit);
  const near = pass(
    idx,
    compile({ ...base, besoins: [], services: [] }, now),
    outcome.origin,
    new Set(),
    thresholdKm,
    now,
    NEARER_LIMIT + shown.size,
  );
  const remote = pass(
    idx,
    compile({ ...base, modalites: ["distance"] }, now),
    outcome.origin,
    new Set<Criterion>(["besoin", "modalite"]),
    WIDEST_KM,
    now,
    PHONE_LIMIT * 5,
  );
  return {
    thresholdKm,
    nearestExactKm,
    nearerOthers: unseen(near.results, NEARER_LIMIT),
    byPhone: remote.results.filter((r) => r.access.phone !== null).slice(0, PHONE_LIMIT),
  };
}
