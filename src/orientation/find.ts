/**
 * The finder's core: required criteria exclude, preferred criteria rank, and when nothing is left the search is
 * widened step by step, each step said in plain French. Pure: the places, the query and the clock come in.
 *
 * Ranking: by « effective distance » = distance + PREFERENCE_KM for every preference the place does not meet.
 * A preference is worth 5 km: a place 3 km away that is free beats a paying one 1 km away when « gratuit » is
 * preferred; when « gratuit » is required, the paying one is not listed at all.
 */
import { around, distance } from "geokdbush";
import KDBush from "kdbush";
import { calendarOf, openStatus, type PlaceHours, placeCalendar, placeHours } from "../places/hours.ts";
import type { Place } from "../places/model.ts";
import {
  type Access,
  type Criterion,
  MODALITY_SLUGS,
  type ModalitySlug,
  NEEDS,
  type OrientationOutcome,
  type OrientationQuery,
  type OrientationResult,
  PUBLIC_SLUGS,
  type PublicSlug,
  SERVICE,
  SUPPORT_SLUGS,
  type SupportSlug,
} from "./model.ts";
import { frenchPhone } from "./sms.ts";
import { openDuring, type TimeWindow, timeWindow } from "./when.ts";

/** What a missed preference costs in the ranking, in km. */
const PREFERENCE_KM = 5;
/** Places examined around the starting point (nearest first) for one search. */
const CANDIDATES = 300;
/** The farthest the search goes by itself (no maximum given, or widening), km. */
const WIDEST_KM = 50;
/** Without a maximum distance, places farther than this are not proposed unless nothing nearer exists. */
const DEFAULT_RADIUS_KM = 50;

const SERVICES = Object.values(SERVICE) as string[];
const PUBLIC_KEYS = Object.keys(PUBLIC_SLUGS) as PublicSlug[];
const SUPPORT_KEYS = Object.keys(SUPPORT_SLUGS) as SupportSlug[];
const MODALITY_KEYS = Object.keys(MODALITY_SLUGS) as ModalitySlug[];

const bit = (i: number) => (i < 0 ? 0 : 1 << i);
const serviceMask = (services: readonly string[]) =>
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
function memo<T>(idx: OrientationIndex, key: string, compute: () => T): T {
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

function hoursOf(idx: OrientationIndex, i: number): PlaceHours | null {
  let oh = idx.hours[i];
  if (oh === undefined) {
    const p = idx.places[i] as Place;
    oh = placeHours(p.standard.horaires, placeCalendar(p), p.flags.unparsedHours);
    idx.hours[i] = oh;
  }
  return oh;
}

/** The query turned into masks and time windows, once per search. */
interface Compiled {
  query: OrientationQuery;
  /** One mask per need or service asked: each must meet the place's services. */
  needGroups: { mask: number; label: string }[];
  publicMask: number;
  supportMasks: { mask: number; label: string }[];
  modalityMask: number;
  windows: TimeWindow[];
  asked: Set<Criterion>;
}

const PUBLIC_REASON: Record<PublicSlug, string> = {
  senior: "pour les seniors",
  jeune: "pour les jeunes",
  famille: "pour les familles",
  femme: "pour les femmes",
  etudiant: "pour les étudiants",
};
const MODALITY_REASON: Record<ModalitySlug, string> = {
  seul: "poste en libre accès",
  individuel: "accompagnement individuel",
  atelier: "atelier en groupe",
  distance: "aide à distance",
};
const SERVICE_SHORT: Record<string, string> = {
  [SERVICE.demarches]: "démarches en ligne",
  [SERVICE.quotidien]: "usage du téléphone et de l'ordinateur",
  [SERVICE.emploi]: "recherche d'emploi",
  [SERVICE.securite]: "se protéger des arnaques",
  [SERVICE.parentalite]: "aider ses enfants",
  [SERVICE.loisirs]: "loisirs numériques",
  [SERVICE.comprendre]: "comprendre le numérique",
  [SERVICE.acces]: "ordinateur et internet en libre accès",
  [SERVICE.materiel]: "ordinateur pas cher",
};
/** A service of the standard in plain words. */
export const serviceInPlainWords = (s: string) => SERVICE_SHORT[s] ?? s;

function compile(query: OrientationQuery, now: Date): Compiled {
  const needGroups = [
    ...NEEDS.filter((n) => query.besoins.includes(n.id)).map((n) => ({
      mask: serviceMask(n.services),
      label: n.short,
    })),
    ...query.services.map((s) => ({ mask: serviceMask([s]), label: serviceInPlainWords(s) })),
  ];
  const asked = new Set<Criterion>();
  if (needGroups.length > 0) asked.add("besoin");
  if (query.supports.length > 0) asked.add("priseEnCharge");
  if (query.publics.length > 0) asked.add("public");
  if (query.gratuit) asked.add("gratuit");
  if (query.modalites.length > 0) asked.add("modalite");
  if (query.quand.length > 0) asked.add("quand");
  if (query.distanceMax !== null) asked.add("distance");
  return {
    query,
    needGroups,
    publicMask: query.publics.reduce((m, k) => m | bit(PUBLIC_KEYS.indexOf(k)), 0),
    supportMasks: query.supports.map((k) => ({
      mask: bit(SUPPORT_KEYS.indexOf(k)),
      label: SUPPORT_SLUGS[k].label.toLowerCase(),
    })),
    modalityMask: query.modalites.reduce((m, k) => m | bit(MODALITY_KEYS.indexOf(k)), 0),
    // Days and holidays of the searched commune: « samedi » is the person's Saturday.
    windows: query.quand.map((w) => timeWindow(w, now, calendarOf(query.commune))),
    asked,
  };
}

/** Criteria that bit masks decide (no hours, no distance). */
function meetsMasks(idx: OrientationIndex, c: Compiled, i: number, required: Set<Criterion>): boolean {
  if (required.has("besoin")) {
    const s = idx.services[i] as number;
    for (const g of c.needGroups) if ((s & g.mask) === 0) return false;
  }
  if (required.has("priseEnCharge")) {
    const s = idx.supports[i] as number;
    for (const g of c.supportMasks) if ((s & g.mask) === 0) return false;
  }
  if (required.has("public") && ((idx.publics[i] as number) & c.publicMask) === 0) return false;
  if (required.has("gratuit") && !((idx.price[i] as number) === 1 || idx.price[i] === 2)) return false;
  if (required.has("modalite") && ((idx.modalities[i] as number) & c.modalityMask) === 0) return false;
  return true;
}

const km = (d: number) =>
  `${d < 10 ? d.toFixed(1).replace(".", ",") : Math.round(d).toString()} km`.replace(/^0,0 km$/, "sur place");

/** The first phone number as a `tel:` target: +33 for French numbers. */
export function telTarget(text: string): string {
  const digits = text.replace(/[^\d+]/g, "");
  if (/^0\d{9}$/.test(digits)) return `+33${digits.slice(1)}`;
  return digits;
}

function accessOf(p: Place, hasHours: boolean): Access {
  const m = p.standard.modalites_acces;
  const phone = p.standard.telephone[0] ?? null;
  const rdv = p.standard.prise_rdv;
  return {
    walkIn: m.includes("Se présenter") || (m.length === 0 && hasHours),
    phone: phone ? { text: frenchPhone(phone), tel: telTarget(phone) } : null,
    booking:
      rdv && /^https?:\/\//.test(rdv) ? rdv : m.includes("Prendre un RDV en ligne") ? (rdv ?? "") : null,
    other: m.filter((x) => x !== "Se présenter" && x !== "Téléphoner" && x !== "Prendre un RDV en ligne"),
  };
}

const PRICE_TEXT = ["", "Gratuit", "Gratuit sous condition", "Payant"];

/** How many asked criteria the place misses (what `evaluate` counts, without building its words). */
function missedCount(idx: OrientationIndex, c: Compiled, i: number, d: number, now: Date): number {
  let n = 0;
  const a = c.asked;
  if (a.has("besoin") && c.needGroups.some((g) => ((idx.services[i] as number) & g.mask) === 0)) n++;
  if (a.has("priseEnCharge") && c.supportMasks.some((g) => ((idx.supports[i] as number) & g.mask) === 0)) n++;
  if (a.has("public") && ((idx.publics[i] as number) & c.publicMask) === 0) n++;
  if (a.has("gratuit") && idx.price[i] !== 1 && idx.price[i] !== 2) n++;
  if (a.has("modalite") && ((idx.modalities[i] as number) & c.modalityMask) === 0) n++;
  if (a.has("quand") && openWindows(idx, c, i, now).length === 0) n++;
  if (c.query.distanceMax !== null && d > c.query.distanceMax) n++;
  return n;
}

/** Evaluates every asked criterion on one place: what it meets (reasons), what it misses. */
function evaluate(
  idx: OrientationIndex,
  c: Compiled,
  i: number,
  distanceKm: number,
  now: Date,
): { reasons: string[]; missing: string[]; missed: Set<Criterion> } {
  const reasons: string[] = [];
  const missing: string[] = [];
  const missed = new Set<Criterion>();
  const q = c.query;
  /** Each asked group is a reason when the place's bits meet its mask, else a miss of `criterion`. */
  const checkGroups = (
    criterion: Criterion,
    bits: number,
    groups: readonly { mask: number; label: string }[],
  ) => {
    if (!c.asked.has(criterion)) return;
    for (const g of groups) {
      if ((bits & g.mask) !== 0) reasons.push(g.label);
      else {
        missing.push(g.label);
        missed.add(criterion);
      }
    }
  };
  checkGroups("besoin", idx.services[i] as number, c.needGroups);
  checkGroups("priseEnCharge", idx.supports[i] as number, c.supportMasks);
  if (c.asked.has("public")) {
    const hits = q.publics.filter((k) => ((idx.publics[i] as number) & bit(PUBLIC_KEYS.indexOf(k))) !== 0);
    if (hits.length > 0) reasons.push(...hits.map((k) => PUBLIC_REASON[k]));
    else {
      missing.push(q.publics.map((k) => PUBLIC_REASON[k]).join(" ou "));
      missed.add("public");
    }
  }
  if (c.asked.has("gratuit")) {
    const price = idx.price[i] as number;
    if (price === 1) reasons.push("gratuit");
    else if (price === 2) reasons.push("gratuit sous condition");
    else {
      missing.push(price === 3 ? "payant" : "prix non indiqué");
      missed.add("gratuit");
    }
  }
  if (c.asked.has("modalite")) {
    const hits = q.modalites.filter(
      (k) => ((idx.modalities[i] as number) & bit(MODALITY_KEYS.indexOf(k))) !== 0,
    );
    if (hits.length > 0) reasons.push(...hits.map((k) => MODALITY_REASON[k]));
    else {
      missing.push(q.modalites.map((k) => MODALITY_REASON[k]).join(" ou "));
      missed.add("modalite");
    }
  }
  if (c.asked.has("quand")) {
    const oh = hoursOf(idx, i);
    const hits = openWindows(idx, c, i, now);
    if (hits.length > 0) reasons.push(...hits.map((w) => w.reason));
    else {
      missing.push(
        oh
          ? c.windows.map((w) => w.reason.replace(/^ouvert/, "pas ouvert")).join(" ni ")
          : "horaires inconnus",
      );
      missed.add("quand");
    }
  }
  if (q.distanceMax !== null && distanceKm > q.distanceMax) {
    missing.push(`à plus de ${km(q.distanceMax)}`);
    missed.add("distance");
  }
  reasons.push(km(distanceKm));
  return { reasons, missing, missed };
}

interface Pass {
  results: OrientationResult[];
  total: number;
}

/** One search with a given set of required criteria and radius. */
const rangesKey = (w: TimeWindow) => w.ranges.map(([a, b]) => `${a.getTime()}-${b.getTime()}`).join(",");

/** Which of the query's time windows the place is open in (memoised). */
function openWindows(idx: OrientationIndex, c: Compiled, i: number, now: Date): TimeWindow[] {
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
function exists(
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
function pass(
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
