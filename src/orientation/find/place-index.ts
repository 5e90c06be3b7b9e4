/** The index of the finder: places with a location, a k-d tree over them, each one's criteria as bit masks, hours read ahead. */
import KDBush from "kdbush";
import { type PlaceHours, placeCalendar, placeHours } from "../../places/hours.ts";
import type { Place } from "../../places/model.ts";
import {
  MODALITY_SLUGS,
  type ModalitySlug,
  PUBLIC_SLUGS,
  type PublicSlug,
  SERVICE,
  SUPPORT_SLUGS,
  type SupportSlug,
} from "../model.ts";

/** What a missed preference costs in the ranking, in km. */
export const PREFERENCE_KM = 5;
/** Places examined around the starting point (nearest first) for one search. */
export const CANDIDATES = 300;
/** The farthest the search goes by itself (no maximum given, or widening), km. */
export const WIDEST_KM = 50;
/** Without a maximum distance, places farther than this are not proposed unless nothing nearer exists. */
export const DEFAULT_RADIUS_KM = 50;

const SERVICES = Object.values(SERVICE) as string[];
export const PUBLIC_KEYS = Object.keys(PUBLIC_SLUGS) as PublicSlug[];
export const SUPPORT_KEYS = Object.keys(SUPPORT_SLUGS) as SupportSlug[];
export const MODALITY_KEYS = Object.keys(MODALITY_SLUGS) as ModalitySlug[];

export const bit = (i: number) => (i < 0 ? 0 : 1 << i);
export const serviceMask = (services: readonly string[]) =>
  services.reduce((m, s) => m | bit(SERVICES.indexOf(s)), 0);

/** The places with a location, a k-d tree over them and each one's criteria as bit masks. */
export interface OrientationIndex {
  places: Place[];
  tree: KDBush;
  services: Uint16Array;
  publics: Uint8Array;
  supports: Uint8Array;
  modalities: Uint8Array;
  /** 0 unknown, 1 free, 2 free under condition, 3 paying only. */
  price: Uint8Array;
  /** Parsed hours, filled on first use. */
  hours: (PlaceHours | null | undefined)[];
  /**
   * Answers of the hours library, which costs tens of µs per call, memoised by hours text, question and minute
   * (hours have minute precision, so the answer for a minute is exact). Many places share the same text.
   */
  memo: Map<string, unknown>;
}

const MEMO_MAX = 200_000;
export function memo<T>(idx: OrientationIndex, key: string, compute: () => T): T {
  if (idx.memo.has(key)) return idx.memo.get(key) as T;
  const value = compute();
  if (idx.memo.size >= MEMO_MAX) idx.memo.clear();
  idx.memo.set(key, value);
  return value;
}

export function buildIndex(all: readonly Place[]): OrientationIndex {
  const places = all.filter((p) => p.location !== null);
  const n = places.length;
  const tree = new KDBush(Math.max(n, 1));
  const idx: OrientationIndex = {
    places,
    tree,
    services: new Uint16Array(n),
    publics: new Uint8Array(n),
    supports: new Uint8Array(n),
    modalities: new Uint8Array(n),
    price: new Uint8Array(n),
    hours: new Array(n),
    memo: new Map(),
  };
  places.forEach((p, i) => {
    const loc = p.location as { lat: number; lon: number };
    tree.add(loc.lon, loc.lat);
    const s = p.standard;
    idx.services[i] = serviceMask(s.services);
    idx.publics[i] = PUBLIC_KEYS.reduce(
      (m, k, b) => (s.publics_specifiquement_adresses.includes(PUBLIC_SLUGS[k].value) ? m | bit(b) : m),
      0,
    );
    idx.supports[i] = SUPPORT_KEYS.reduce(
      (m, k, b) =>
        (SUPPORT_SLUGS[k].values as readonly string[]).some((v) => s.prise_en_charge_specifique.includes(v))
          ? m | bit(b)
          : m,
      0,
    );
    idx.modalities[i] = MODALITY_KEYS.reduce(
      (m, k, b) => (s.modalites_accompagnement.includes(MODALITY_SLUGS[k].value) ? m | bit(b) : m),
      0,
    );
    const f = s.frais_a_charge;
    idx.price[i] = f.includes("Gratuit")
      ? 1
      : f.includes("Gratuit sous condition")
        ? 2
        : f.length > 0
          ? 3
          : 0;
  });
  if (n === 0) tree.add(0, 0);
  tree.finish();
  return idx;
}

/** Parses the hours of places [from, from + count) ahead of use; returns the next index (places.length when done). */
export function warmHours(idx: OrientationIndex, from: number, count: number): number {
  const end = Math.min(idx.places.length, from + count);
  for (let i = from; i < end; i++) hoursOf(idx, i);
  return end;
}

export function hoursOf(idx: OrientationIndex, i: number): PlaceHours | null {
  let oh = idx.hours[i];
  if (oh === undefined) {
    const p = idx.places[i] as Place;
    oh = placeHours(p.standard.horaires, placeCalendar(p), p.flags.unparsedHours);
    idx.hours[i] = oh;
  }
  return oh;
}
