/**
 * Duplicates across sources: the same place listed by France Services, the conseillers numériques and a
 * regional hub. Candidates are pairs in the same commune or within 200 m; each pair is scored on its name,
 * address, distance and SIRET (pivot), every part shown; above the merge threshold the places become one
 * (all sources kept, lists united), between the review threshold and the merge threshold a person decides.
 */
import { around, distance } from "geokdbush";
import KDBush from "kdbush";
import { normalize, trigrams } from "../territories/normalize.ts";
import { LIST_FIELDS, type Place, STANDARD_FIELDS, type StandardPlace, UNKNOWN_PIVOT } from "./model.ts";

export interface DedupeConfig {
  /** At or above: merged automatically. */
  mergeThreshold: number;
  /** At or above (and below mergeThreshold): listed "to review". */
  reviewThreshold: number;
  /** Places this close are candidates even in different communes (metres). */
  radiusMeters: number;
  weights: { name: number; address: number; distance: number };
  /** Added when both have the same real SIRET/RNA, removed when both have different ones. */
  pivotBonus: number;
}

export const DEFAULT_DEDUPE: DedupeConfig = {
  mergeThreshold: 0.8,
  reviewThreshold: 0.6,
  radiusMeters: 200,
  weights: { name: 0.55, address: 0.25, distance: 0.2 },
  pivotBonus: 0.15,
};

export interface ScorePart {
  part: "nom" | "adresse" | "distance" | "siret";
  /** Similarity in [0, 1]; null when it cannot be measured (missing or approximate coordinates, no SIRET). */
  value: number | null;
  /** What this part adds to the score (weight × value, renormalised over measured parts; ± bonus for SIRET). */
  contribution: number;
  /** Plain French. */
  detail: string;
}

export type Decision = "fusion" | "à vérifier" | "distincts";

export interface PairScore {
  a: string;
  b: string;
  score: number;
  decision: Decision;
  parts: ScorePart[];
}

const STOPWORDS = new Set("le la les l de du des d et a au aux en sur sous un une pour par chez".split(" "));
const ADDRESS_WORDS: Record<string, string> = {
  av: "avenue",
  ave: "avenue",
  bd: "boulevard",
  bld: "boulevard",
  boul: "boulevard",
  r: "rue",
  pl: "place",
  pce: "place",
  ch: "chemin",
  chem: "chemin",
  rte: "route",
  imp: "impasse",
  all: "allee",
  sq: "square",
  fg: "faubourg",
  fbg: "faubourg",
  qu: "quai",
  crs: "cours",
  res: "residence",
  lot: "lotissement",
  zac: "zac",
  za: "za",
  gal: "general",
  gen: "general",
  mal: "marechal",
  pdt: "president",
};

/** A name folded for comparison: no accents, case, punctuation or small words. */
export function foldName(name: string): string {
  return normalize(name)
    .split(" ")
    .filter((w) => w !== "" && !STOPWORDS.has(w))
    .join(" ");
}

/** An address folded for comparison, with its house number apart ("12 BIS R. de Leclercq" → 12bis, rue leclercq). */
export function foldAddress(address: string): { number: string | null; street: string } {
  const words = normalize(address)
    .split(" ")
    .filter((w) => w !== "");
  let number: string | null = null;
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (number === null && /^\d+[a-z]?$/.test(w)) {
      number = w;
      const next = words[i + 1];
      if (next === "bis" || next === "ter" || next === "b") {
        number += next === "b" ? "bis" : next;
        i++;
      }
      continue;
    }
    const word = ADDRESS_WORDS[w] ?? w;
    if (!STOPWORDS.has(word)) rest.push(word);
  }
  return { number, street: rest.join(" ") };
}

/** Dice coefficient of two folded texts' trigrams. */
function dice(a: string, b: string): number {
  if (a === "" || b === "") return 0;
  if (a === b) return 1;
  const x = trigrams(a);
  const y = trigrams(b);
  let common = 0;
  for (const t of x) if (y.has(t)) common++;
  return (2 * common) / (x.size + y.size);
}

/** Words too common in place names to identify one ("France services", "Maison", "Espace"…). */
const GENERIC_WORDS = new Set(
  "france services service maison espace point numerique numeriques centre social socio culturel lieu".split(
    " ",
  ),
);

/**
 * Name similarity: trigram Dice, or the share of the shorter name's distinctive words found in the other
 * ("Moulins Communauté" in "France services Moulins communauté"), slightly discounted. The words of the
 * commune's name are not distinctive on their own: "France services Huriel" is not "CC du pays d'Huriel".
 */
export function nameSimilarity(a: string, b: string, communeNames: string[] = []): number {
  const x = foldName(a);
  const y = foldName(b);
  const place = new Set(communeNames.flatMap((c) => foldName(c).split(" ")));
  const distinctive = (s: string) => new Set(s.split(" ").filter((w) => w !== "" && !GENERIC_WORDS.has(w)));
  const wx = distinctive(x);
  const wy = distinctive(y);
  let common = 0;
  let commonOwn = 0;
  for (const w of wx)
    if (wy.has(w)) {
      common++;
      if (!place.has(w)) commonOwn++;
    }
  const smaller = Math.min(wx.size, wy.size);
  const containment = smaller > 0 && commonOwn > 0 ? (common / smaller) * 0.9 : 0;
  return Math.max(dice(x, y), containment);
}

export function addressSimilarity(a: string, b: string): number {
  const x = foldAddress(a);
  const y = foldAddress(b);
  let s = dice(x.street, y.street);
  if (x.number !== null && y.number !== null && x.number !== y.number) s *= 0.5;
  return s;
}

const realPivot = (p: string) => (p && p !== UNKNOWN_PIVOT && !/^0+$/.test(p) ? p : null);
const round = (n: number) => Math.round(n * 1000) / 1000;

/** Scores one pair and explains each part. */
export function scorePair(a: Place, b: Place, config: DedupeConfig = DEFAULT_DEDUPE): PairScore {
  const name = nameSimilarity(a.standard.nom, b.standard.nom, [a.standard.commune, b.standard.commune]);
  const address = addressSimilarity(`${a.standard.adresse}`, `${b.standard.adresse}`);
  let meters: number | null = null;
  if (a.location && b.location && !a.flags.approximateCoordinates && !b.flags.approximateCoordinates) {
    meters = distance(a.location.lon, a.location.lat, b.location.lon, b.location.lat) * 1000;
  }
  const near = meters === null ? null : Math.max(0, 1 - meters / config.radiusMeters);
  const w = config.weights;
  const measured = [
    { part: "nom" as const, value: name, weight: w.name },
    { part: "adresse" as const, value: address, weight: w.address },
    { part: "distance" as const, value: near, weight: w.distance },
  ];
  const total = measured.reduce((s, m) => s + (m.value === null ? 0 : m.weight), 0);
  const parts: ScorePart[] = measured.map((m) => {
    const contribution = m.value === null ? 0 : (m.weight * m.value) / total;
    const detail =
      m.part === "nom"
        ? `noms « ${a.standard.nom} » et « ${b.standard.nom} » semblables à ${Math.round(name * 100)} %`
        : m.part === "adresse"
          ? `adresses « ${a.standard.adresse} » et « ${b.standard.adresse} » semblables à ${Math.round(address * 100)} %`
          : meters === null
            ? "distance inconnue (coordonnées absentes ou approximatives) : non comptée"
            : `${Math.round(meters)} m entre les deux points`;
    return {
      part: m.part,
      value: m.value === null ? null : round(m.value),
      contribution: round(contribution),
      detail,
    };
  });
  const pa = realPivot(a.standard.pivot);
  const pb = realPivot(b.standard.pivot);
  let bonus = 0;
  let pivotDetail = "SIRET inconnu pour l'un des deux : non compté";
  if (pa && pb) {
    bonus = pa === pb ? config.pivotBonus : -config.pivotBonus;
    pivotDetail = pa === pb ? `même SIRET ${pa}` : `SIRET différents (${pa}, ${pb})`;
  }
  parts.push({
    part: "siret",
    value: pa && pb ? (pa === pb ? 1 : 0) : null,
    contribution: round(bonus),
    detail: pivotDetail,
  });
  const score = round(
    Math.min(
      1,
      Math.max(
        0,
        parts.reduce((s, p) => s + p.contribution, 0),
      ),
    ),
  );
  const decision: Decision =
    score >= config.mergeThreshold ? "fusion" : score >= config.reviewThreshold ? "à vérifier" : "distincts";
  return { a: a.id, b: b.id, score, decision, parts };
}

/** One sentence per pair, in French: the decision and its reasons. */
export function explain(p: PairScore): string {
  const parts = p.parts
    .map((x) => `${x.detail} (${x.contribution >= 0 ? "+" : ""}${x.contribution})`)
    .join(" ; ");
  return `${p.decision} (score ${p.score}) : ${parts}`;
}

/** Index pairs [i, j] (i < j) that are in the same commune or within the radius. */
export function candidatePairs(
  places: Place[],
  radiusMeters = DEFAULT_DEDUPE.radiusMeters,
): [number, number][] {
  const seen = new Set<number>();
  const out: [number, number][] = [];
  const add = (i: number, j: number) => {
    if (i === j) return;
    const [x, y] = i < j ? [i, j] : [j, i];
    const key = x * places.length + y;
    if (seen.has(key)) return;
    seen.add(key);
    out.push([x, y]);
  };
  const byCommune = new Map<string, number[]>();
  places.forEach((p, i) => {
    if (!p.communeCode) return;
    const list = byCommune.get(p.communeCode);
    if (list) list.push(i);
    else byCommune.set(p.communeCode, [i]);
  });
  for (const list of byCommune.values())
    for (let x = 0; x < list.length; x++)
      for (let y = x + 1; y < list.length; y++) add(list[x] as number, list[y] as number);
  const located = places
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.location && !p.flags.approximateCoordinates);
  if (located.length > 0) {
    const index = new KDBush(located.length);
    for (const { p } of located) index.add(p.location?.lon ?? 0, p.location?.lat ?? 0);
    index.finish();
    located.forEach(({ p, i }) => {
      for (const k of around(
        index,
        p.location?.lon ?? 0,
        p.location?.lat ?? 0,
        Number.POSITIVE_INFINITY,
        radiusMeters / 1000,
      ))
        add(i, (located[k] as { i: number }).i);
    });
  }
  return out;
}

/** Fields filled, to choose which record of a group leads. */
const filled = (s: StandardPlace) =>
  STANDARD_FIELDS.filter((f) => {
    const v = s[f];
    return Array.isArray(v) ? v.length > 0 : v !== null && v !== "";
  }).length;

/**
 * Merges places judged to be the same into one. The lead record is the most recently updated (then the most
 * complete, then the smallest id, so the result does not depend on order); its values win, empty ones are
 * filled from the others, list fields are united, exact coordinates beat approximate ones, all sources kept.
 */
export function mergePlaces(group: Place[]): Place {
  const sorted = [...group].sort(
    (x, y) =>
      y.standard.date_maj.localeCompare(x.standard.date_maj) ||
      filled(y.standard) - filled(x.standard) ||
      x.id.localeCompare(y.id),
  );
  const lead = sorted[0] as Place;
  const std = { ...lead.standard } as Record<string, unknown>;
  for (const f of STANDARD_FIELDS) {
    if ((LIST_FIELDS as readonly string[]).includes(f)) {
      std[f] = [...new Set(sorted.flatMap((p) => p.standard[f] as string[]))];
    } else if (std[f] === null || std[f] === "") {
      const other = sorted.find((p) => p.standard[f] !== null && p.standard[f] !== "");
      if (other) std[f] = other.standard[f];
    }
  }
  // Hours: the lead's when readable, else the first readable ones.
  const hoursFrom = sorted.find((p) => p.standard.horaires && !p.flags.unparsedHours) ?? lead;
  std.horaires = hoursFrom.standard.horaires;
  const located =
    sorted.find((p) => p.location && !p.flags.approximateCoordinates) ?? sorted.find((p) => p.location);
  std.latitude = located && !located.flags.approximateCoordinates ? located.standard.latitude : null;
  std.longitude = located && !located.flags.approximateCoordinates ? located.standard.longitude : null;
  return {
    id: lead.id,
    standard: std as StandardPlace,
    communeCode: lead.communeCode ?? sorted.find((p) => p.communeCode)?.communeCode ?? null,
    communeMatch: lead.communeMatch,
    location: located?.location ?? null,
    flags: {
      approximateCoordinates: located?.flags.approximateCoordinates ?? false,
      unparsedHours: hoursFrom.flags.unparsedHours && Boolean(std.horaires),
    },
    provenance: sorted.flatMap((p) => p.provenance),
  };
}

export interface DedupeResult {
  /** The places after merging (each merged group replaced by one place, in the order of its first member). */
  places: Place[];
  /** Groups merged: the resulting id and the ids it replaces. */
  merged: { id: string; from: string[]; pairs: PairScore[] }[];
  /** Pairs to be looked at by a person. */
  toReview: PairScore[];
}

export function dedupe(places: Place[], config: DedupeConfig = DEFAULT_DEDUPE): DedupeResult {
  const parent = places.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  const mergePairs: { i: number; j: number; s: PairScore }[] = [];
  const reviews: { i: number; j: number; s: PairScore }[] = [];
  for (const [i, j] of candidatePairs(places, config.radiusMeters)) {
    const s = scorePair(places[i] as Place, places[j] as Place, config);
    if (s.decision === "fusion") {
      mergePairs.push({ i, j, s });
      parent[find(i)] = find(j);
    } else if (s.decision === "à vérifier") reviews.push({ i, j, s });
  }
  const groups = new Map<number, number[]>();
  places.forEach((_, i) => {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  });
  const out: Place[] = [];
  const merged: DedupeResult["merged"] = [];
  const done = new Set<number>();
  places.forEach((p, i) => {
    const r = find(i);
    if (done.has(r)) return;
    done.add(r);
    const members = groups.get(r) ?? [i];
    if (members.length === 1) {
      out.push(p);
      return;
    }
    const m = mergePlaces(members.map((k) => places[k] as Place));
    out.push(m);
    const ids = new Set(members.map((k) => (places[k] as Place).id));
    merged.push({
      id: m.id,
      from: [...ids],
      pairs: mergePairs.filter((x) => find(x.i) === r).map((x) => x.s),
    });
  });
  return { places: out, merged, toReview: reviews.filter((x) => find(x.i) !== find(x.j)).map((x) => x.s) };
}
