/**
 * Duplicates across sources: the same place listed by France Services, the conseillers numériques and a
 * regional hub. Candidates are pairs in the same commune or within 200 m; each pair is scored on its name,
 * address, distance and SIRET (pivot), every part shown; above the merge threshold the places become one
 * (all sources kept, lists united), between the review threshold and the merge threshold a person decides.
 * A person's decisions on pairs of records (`PairDecision`: « fusionner » or « garder séparés ») are applied at
 * every deduplication: a merge joins the two groups whatever the score, a separation is a cannot-link constraint
 * (see `Deduplication.run`).
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

interface ScorePart {
  part: "nom" | "adresse" | "distance" | "siret";
  /** Similarity in [0, 1]; null when it cannot be measured (missing or approximate coordinates, no SIRET). */
  value: number | null;
  /** What this part adds to the score (weight × value, renormalised over measured parts; ± bonus for SIRET). */
  contribution: number;
  /** Plain French. */
  detail: string;
}

type Decision = "fusion" | "à vérifier" | "distincts";

/** A person's decision on a pair of records (ids of records, stable across imports: source + producer id). */
export interface PairDecision {
  a: string;
  b: string;
  decision: "fusionner" | "séparer";
}

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
function foldName(name: string): string {
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

/** Dice coefficient of two trigram sets of folded texts (empty text: empty set). */
function diceSets(a: string, x: Set<string>, b: string, y: Set<string>): number {
  if (a === "" || b === "") return 0;
  if (a === b) return 1;
  let common = 0;
  if (x.size > y.size) {
    for (const t of y) if (x.has(t)) common++;
  } else for (const t of x) if (y.has(t)) common++;
  return (2 * common) / (x.size + y.size);
}

/** Words too common in place names to identify one ("France services", "Maison", "Espace"…). */
const GENERIC_WORDS = new Set(
  "france services service maison espace point numerique numeriques centre social socio culturel lieu".split(
    " ",
  ),
);

/** What the comparison of a place needs, folded once per place instead of once per pair. */
export interface PlaceFeatures {
  name: string;
  nameTrigrams: Set<string>;
  /** Distinctive words of the name (not generic). */
  words: Set<string>;
  /** Words of the commune's name. */
  communeWords: string[];
  number: string | null;
  street: string;
  streetTrigrams: Set<string>;
  pivot: string | null;
}

const realPivot = (p: string) => (p && p !== UNKNOWN_PIVOT && !/^0+$/.test(p) ? p : null);

const distinctive = (s: string) => new Set(s.split(" ").filter((w) => w !== "" && !GENERIC_WORDS.has(w)));

function placeFeatures(nom: string, adresse: string, commune: string, pivot: string): PlaceFeatures {
  const name = foldName(nom);
  const address = foldAddress(adresse);
  return {
    name,
    nameTrigrams: trigrams(name),
    words: distinctive(name),
    communeWords: foldName(commune).split(" "),
    number: address.number,
    street: address.street,
    streetTrigrams: trigrams(address.street),
    pivot: realPivot(pivot),
  };
}

const featuresOf = (p: { standard: Pick<StandardPlace, "nom" | "adresse" | "commune" | "pivot"> }) =>
  placeFeatures(p.standard.nom, p.standard.adresse, p.standard.commune, p.standard.pivot);

function nameSimilarityOf(x: PlaceFeatures, y: PlaceFeatures): number {
  let common = 0;
  let commonOwn = 0;
  for (const w of x.words)
    if (y.words.has(w)) {
      common++;
      if (!x.communeWords.includes(w) && !y.communeWords.includes(w)) commonOwn++;
    }
  const smaller = Math.min(x.words.size, y.words.size);
  const containment = smaller > 0 && commonOwn > 0 ? (common / smaller) * 0.9 : 0;
  return Math.max(diceSets(x.name, x.nameTrigrams, y.name, y.nameTrigrams), containment);
}

function addressSimilarityOf(x: PlaceFeatures, y: PlaceFeatures): number {
  let s = diceSets(x.street, x.streetTrigrams, y.street, y.streetTrigrams);
  if (x.number !== null && y.number !== null && x.number !== y.number) s *= 0.5;
  return s;
}

/**
 * Name similarity: trigram Dice, or the share of the shorter name's distinctive words found in the other
 * ("Moulins Communauté" in "France services Moulins communauté"), slightly discounted. The words of the
 * commune's name are not distinctive on their own: "France services Huriel" is not "CC du pays d'Huriel".
 */
export function nameSimilarity(a: string, b: string, communeNames: string[] = []): number {
  const x = placeFeatures(a, "", "", "");
  const y = placeFeatures(b, "", "", "");
  x.communeWords = communeNames.flatMap((c) => foldName(c).split(" "));
  return nameSimilarityOf(x, y);
}

export function addressSimilarity(a: string, b: string): number {
  return addressSimilarityOf(placeFeatures("", a, "", ""), placeFeatures("", b, "", ""));
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** What scoring a pair reads of a place besides its folded features (a Place has it). */
export interface Scorable {
  id: string;
  standard: Pick<StandardPlace, "nom" | "adresse">;
  location: Place["location"];
  flags: Pick<Place["flags"], "approximateCoordinates">;
}

/** Metres between two places, when both have exact coordinates. */
function metersBetween(a: Scorable, b: Scorable): number | null {
  if (a.location && b.location && !a.flags.approximateCoordinates && !b.flags.approximateCoordinates)
    return distance(a.location.lon, a.location.lat, b.location.lon, b.location.lat) * 1000;
  return null;
}

/**
 * The score alone, with the very arithmetic of scorePair (same roundings, same order of the sum) but without
 * the explanation's texts: most candidate pairs are clearly distinct and need no explanation.
 */
function quickScore(
  a: Scorable,
  b: Scorable,
  fa: PlaceFeatures,
  fb: PlaceFeatures,
  config: DedupeConfig,
): number {
  const w = config.weights;
  const name = nameSimilarityOf(fa, fb);
  const address = addressSimilarityOf(fa, fb);
  const meters = metersBetween(a, b);
  const total = w.name + w.address + (meters === null ? 0 : w.distance);
  let sum = 0 + round((w.name * name) / total);
  sum += round((w.address * address) / total);
  sum += meters === null ? 0 : round((w.distance * Math.max(0, 1 - meters / config.radiusMeters)) / total);
  sum += fa.pivot && fb.pivot ? round(fa.pivot === fb.pivot ? config.pivotBonus : -config.pivotBonus) : 0;
  return round(Math.min(1, Math.max(0, sum)));
}

/** Scores one pair and explains each part. */
export function scorePair(a: Place, b: Place, config: DedupeConfig = DEFAULT_DEDUPE): PairScore {
  return scoreWith(a, b, config, featuresOf(a), featuresOf(b));
}

function scoreWith(
  a: Scorable,
  b: Scorable,
  config: DedupeConfig,
  fa: PlaceFeatures,
  fb: PlaceFeatures,
): PairScore {
  const name = nameSimilarityOf(fa, fb);
  const address = addressSimilarityOf(fa, fb);
  const meters = metersBetween(a, b);
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
  const pa = fa.pivot;
  const pb = fb.pivot;
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

/**
 * Index pairs [i, j] (i < j) that are in the same commune or within the radius: first the pairs of each
 * commune, then the pairs of nearby places in different communes (each pair once, no set of seen pairs).
 */
export function candidatePairs(
  places: readonly { communeCode: string | null; location: Place["location"]; flags: Scorable["flags"] }[],
  radiusMeters = DEFAULT_DEDUPE.radiusMeters,
): [number, number][] {
  const out: [number, number][] = [];
  const byCommune = new Map<string, number[]>();
  places.forEach((p, i) => {
    if (!p.communeCode) return;
    const list = byCommune.get(p.communeCode);
    if (list) list.push(i);
    else byCommune.set(p.communeCode, [i]);
  });
  for (const list of byCommune.values())
    for (let x = 0; x < list.length; x++)
      for (let y = x + 1; y < list.length; y++) out.push([list[x] as number, list[y] as number]);
  const located: number[] = [];
  places.forEach((p, i) => {
    if (p.location && !p.flags.approximateCoordinates) located.push(i);
  });
  if (located.length > 0) {
    const index = new KDBush(located.length);
    for (const i of located) {
      const loc = places[i]?.location as { lat: number; lon: number };
      index.add(loc.lon, loc.lat);
    }
    index.finish();
    for (const i of located) {
      const p = places[i] as { communeCode: string | null; location: Place["location"] };
      const loc = p.location as { lat: number; lon: number };
      for (const k of around(index, loc.lon, loc.lat, Number.POSITIVE_INFINITY, radiusMeters / 1000)) {
        const j = located[k] as number;
        if (j <= i) continue;
        const c = p.communeCode;
        // Same commune: already listed above.
        if (c && c === places[j]?.communeCode) continue;
        out.push([i, j]);
      }
    }
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

/** What deduplication reads of a record; the whole record is read again only for the groups that merge. */
export interface DedupeEntry extends Scorable {
  communeCode: string | null;
  standard: Pick<StandardPlace, "nom" | "adresse" | "commune" | "pivot">;
}

/**
 * Pairs kept between two sets of identical records (or inside one) before keeping one pair per record instead:
 * a file where one place appears thousands of times under different ids must not give millions of pairs.
 */
const MAX_EXPANDED_PAIRS = 100;

/** Records identical for the score (name, address, commune, SIRET, point): scored once, as one. */
interface Twins {
  rep: DedupeEntry;
  features: PlaceFeatures;
  /** Indices of the records, in input order. */
  members: number[];
}

interface RepPair {
  x: number;
  y: number;
  decision: Decision;
  /** The score with x's representative first, and the other way round (computed when needed). */
  xy: PairScore;
  yx?: PairScore;
  /** A person's decision on this pair (the records are then alone in their twins). */
  manual?: PairDecision["decision"];
}

/**
 * Deduplication in bounded memory: records are added one by one as light entries (id, commune, point, name,
 * address, SIRET); records identical for the score are scored once; `run` finds the groups. The result says which
 * records are alone and which merge (record indices, in input order), and yields the kept pairs one by one.
 * The whole records are needed only to merge a group (`mergePlaces`).
 */
export class Deduplication {
  readonly ids: string[] = [];
  private twinOf: number[] = [];
  private twins: Twins[] = [];
  private bySignature = new Map<string, number>();
  private featureCache = new Map<string, PlaceFeatures>();
  /** Each merged group's record indices (input order); filled by run. */
  merged: number[][] = [];
  /** Merged group of each record, -1 when alone; filled by run. */
  private recordGroup = new Int32Array(0);
  private repPairs: RepPair[] = [];
  private selfPairs = new Map<number, PairScore>();
  private twinGroup = new Int32Array(0);
  private ran = false;

  /** Records named by a person's decision → their index once added. */
  private readonly decided = new Map<string, number>();

  /**
   * `decisions`: what people decided on pairs of records, applied by `run` (decisions naming a record that is not
   * added, withdrawn say, wait for it to come back).
   */
  constructor(
    private readonly config: DedupeConfig = DEFAULT_DEDUPE,
    private readonly decisions: readonly PairDecision[] = [],
  ) {
    for (const d of decisions) {
      this.decided.set(d.a, -1);
      this.decided.set(d.b, -1);
    }
  }

  add(e: DedupeEntry): void {
    const s = e.standard;
    const key = `${s.nom}\u0000${s.adresse}\u0000${s.commune}\u0000${s.pivot}`;
    let features = this.featureCache.get(key);
    if (!features) {
      features = featuresOf(e);
      this.featureCache.set(key, features);
    }
    const loc = e.location;
    let signature = `${key}\u0000${e.communeCode}\u0000${loc?.lat}\u0000${loc?.lon}\u0000${e.flags.approximateCoordinates}`;
    const index = this.ids.length;
    // A record named by a decision is scored alone (never one of identical twins): the decision is about it.
    if (this.decided.has(e.id)) {
      this.decided.set(e.id, index);
      signature += `\u0000${e.id}`;
    }
    this.ids.push(e.id);
    let t = this.bySignature.get(signature);
    if (t === undefined) {
      t = this.twins.length;
      this.bySignature.set(signature, t);
      const rep: DedupeEntry = {
        id: e.id,
        communeCode: e.communeCode,
        location: loc ? { lat: loc.lat, lon: loc.lon } : null,
        flags: { approximateCoordinates: e.flags.approximateCoordinates },
        standard: { nom: s.nom, adresse: s.adresse, commune: s.commune, pivot: s.pivot },
      };
      this.twins.push({ rep, features, members: [index] });
    } else (this.twins[t] as Twins).members.push(index);
    this.twinOf.push(t);
  }

  get size(): number {
    return this.ids.length;
  }

  /**
   * Scores the candidate pairs and finds the groups. People's decisions: a « fusionner » joins the groups of its
   * two records whatever their score (and so, transitively, everything each merges with); a « garder séparés » is
   * a cannot-link constraint: the groups are built from people's merges first, then from the automatic merges,
   * strongest score first, and a union that would put two records kept apart into one group is not made — the
   * pair it came from is then listed « à vérifier » for a person. A separation wins over people's merges too.
   * Without decisions the groups are the connected components of the merge pairs, as before.
   */
  run(): void {
    const config = this.config;
    const twins = this.twins;
    const parent = twins.map((_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) {
        parent[i] = parent[parent[i] as number] as number;
        i = parent[i] as number;
      }
      return i;
    };
    // People's decisions between records present: by pair of twins (each such record is a twin of its own).
    const manual = new Map<string, PairDecision["decision"]>();
    const pairKey = (x: number, y: number) => (x < y ? `${x} ${y}` : `${y} ${x}`);
    for (const d of this.decisions) {
      const i = this.decided.get(d.a) ?? -1;
      const j = this.decided.get(d.b) ?? -1;
      if (i === -1 || j === -1 || i === j) continue;
      manual.set(pairKey(this.twinOf[i] as number, this.twinOf[j] as number), d.decision);
    }
    const reps = twins.map((t) => t.rep);
    const automatic: { x: number; y: number; score: number }[] = [];
    for (const [x, y] of candidatePairs(reps, config.radiusMeters)) {
      if (manual.size > 0 && manual.has(pairKey(x, y))) continue;
      const a = twins[x] as Twins;
      const b = twins[y] as Twins;
      if (quickScore(a.rep, b.rep, a.features, b.features, config) < config.reviewThreshold) continue;
      const xy = scoreWith(a.rep, b.rep, config, a.features, b.features);
      if (xy.decision === "distincts") continue;
      this.repPairs.push({ x, y, decision: xy.decision, xy });
      if (xy.decision === "fusion") automatic.push({ x, y, score: xy.score });
    }
    // Decided pairs are kept whatever their score (scored again: the records may have changed since).
    const merges: { x: number; y: number }[] = [];
    const apart = new Map<number, number[]>();
    for (const [key, decision] of manual) {
      const [x, y] = key.split(" ").map(Number) as [number, number];
      const a = twins[x] as Twins;
      const b = twins[y] as Twins;
      const xy = scoreWith(a.rep, b.rep, config, a.features, b.features);
      this.repPairs.push({
        x,
        y,
        decision: decision === "fusionner" ? "fusion" : "distincts",
        xy,
        manual: decision,
      });
      if (decision === "fusionner") merges.push({ x, y });
      else {
        apart.set(x, [...(apart.get(x) ?? []), y]);
        apart.set(y, [...(apart.get(y) ?? []), x]);
      }
    }
    // Groups: people's merges first, then automatic merges from the strongest score down; a union that would put
    // two records kept apart in one group is not made (the pair it came from is then listed to review).
    const constrained = new Map<number, number[]>();
    for (const t of apart.keys()) constrained.set(t, [t]);
    const unite = (x: number, y: number) => {
      const rx = find(x);
      const ry = find(y);
      if (rx === ry) return;
      const cx = constrained.get(rx);
      const cy = constrained.get(ry);
      if (cx && cy && cx.some((t) => (apart.get(t) as number[]).some((o) => find(o) === ry))) return;
      parent[rx] = ry;
      if (cx) {
        constrained.set(ry, cy ? [...cy, ...cx] : cx);
        constrained.delete(rx);
      }
    };
    for (const m of merges) unite(m.x, m.y);
    if (apart.size > 0) automatic.sort((p, q) => q.score - p.score);
    for (const m of automatic) unite(m.x, m.y);
    // Identical records: their score with one another (the same for every pair of them).
    const selfMerged = new Uint8Array(twins.length);
    twins.forEach((t, k) => {
      if (t.members.length < 2) return;
      const second = this.ids[t.members[1] as number] as string;
      const s = scoreWith(t.rep, { ...t.rep, id: second }, config, t.features, t.features);
      if (s.decision === "distincts") return;
      this.selfPairs.set(k, s);
      if (s.decision === "fusion") selfMerged[k] = 1;
    });
    // Groups of twins: merged when two or more twins joined, or one twin whose records merge with one another.
    const twinsOfRoot = new Map<number, number[]>();
    twins.forEach((_, k) => {
      const r = find(k);
      const list = twinsOfRoot.get(r);
      if (list) list.push(k);
      else twinsOfRoot.set(r, [k]);
    });
    this.twinGroup = new Int32Array(twins.length).fill(-1);
    this.recordGroup = new Int32Array(this.ids.length).fill(-1);
    for (const list of twinsOfRoot.values()) {
      const first = twins[list[0] as number] as Twins;
      if (list.length === 1 && (first.members.length === 1 || !selfMerged[list[0] as number])) continue;
      const g = this.merged.length;
      const records = list.flatMap((k) => (twins[k] as Twins).members).sort((p, q) => p - q);
      this.merged.push(records);
      for (const k of list) this.twinGroup[k] = g;
      for (const i of records) this.recordGroup[i] = g;
    }
    this.ran = true;
  }

  /** The merged group of a record (index into `merged`), or -1 when it stays alone. */
  groupOf(index: number): number {
    return this.recordGroup[index] as number;
  }

  /** Places once merged: records left alone plus one per merged group. */
  get places(): number {
    let alone = 0;
    for (const g of this.recordGroup) if (g === -1) alone++;
    return alone + this.merged.length;
  }

  /**
   * The kept pairs, one at a time: "fusion" pairs with their merged group, "à vérifier" pairs between records
   * that did not merge (group null), and the pairs people kept apart ("distincts", group null). Between identical
   * records, every pair up to MAX_EXPANDED_PAIRS, else one pair per record (with the first record of the set).
   */
  *pairs(): Generator<{ pair: PairScore; group: number | null }> {
    if (!this.ran) throw new Error("Deduplication.run() first");
    const twins = this.twins;
    const ids = this.ids;
    const orient = (base: PairScore, i: number, j: number, decision = base.decision): PairScore => ({
      ...base,
      a: ids[i] as string,
      b: ids[j] as string,
      decision,
    });
    for (const p of this.repPairs) {
      const gx = this.twinGroup[p.x] as number;
      const gy = this.twinGroup[p.y] as number;
      const together = gx !== -1 && gx === gy;
      if (p.decision === "à vérifier" && together) continue;
      // A merge that a separation prevented (or people's merges that contradict a separation): to review.
      const decision: Decision = p.decision === "fusion" && !together ? "à vérifier" : p.decision;
      const group = decision === "fusion" ? gx : null;
      const mx = (twins[p.x] as Twins).members;
      const my = (twins[p.y] as Twins).members;
      const scored = (i: number, j: number): PairScore => {
        if (i < j === p.x < p.y || mx === my) return orient(p.xy, Math.min(i, j), Math.max(i, j), decision);
        p.yx ??= scoreWith(
          (twins[p.y] as Twins).rep,
          (twins[p.x] as Twins).rep,
          this.config,
          (twins[p.y] as Twins).features,
          (twins[p.x] as Twins).features,
        );
        return orient(p.yx, Math.min(i, j), Math.max(i, j), decision);
      };
      if (mx.length * my.length <= MAX_EXPANDED_PAIRS) {
        for (const i of mx) for (const j of my) yield { pair: scored(i, j), group };
      } else {
        const rx = mx[0] as number;
        const ry = my[0] as number;
        for (const i of mx) yield { pair: scored(i, ry), group };
        for (const j of my) if (j !== ry) yield { pair: scored(rx, j), group };
      }
    }
    for (const [k, s] of this.selfPairs) {
      const g = this.twinGroup[k] as number;
      if (s.decision === "à vérifier" && g !== -1) continue;
      const group = s.decision === "fusion" ? g : null;
      const m = (twins[k] as Twins).members;
      if ((m.length * (m.length - 1)) / 2 <= MAX_EXPANDED_PAIRS) {
        for (let x = 0; x < m.length; x++)
          for (let y = x + 1; y < m.length; y++)
            yield { pair: orient(s, m[x] as number, m[y] as number), group };
      } else for (const j of m.slice(1)) yield { pair: orient(s, m[0] as number, j), group };
    }
  }
}

export interface DedupeResult {
  /** The places after merging (each merged group replaced by one place, in the order of its first member). */
  places: Place[];
  /** Groups merged: the resulting id and the ids it replaces. */
  merged: { id: string; from: string[]; pairs: PairScore[] }[];
  /** Pairs to be looked at by a person. */
  toReview: PairScore[];
}

/** Deduplicates places held in memory (tests, benchmarks; the store streams with Deduplication). */
export function dedupe(
  places: Place[],
  config: DedupeConfig = DEFAULT_DEDUPE,
  decisions: readonly PairDecision[] = [],
): DedupeResult {
  const d = new Deduplication(config, decisions);
  for (const p of places) d.add(p);
  d.run();
  const mergedPlaces = d.merged.map((records) => mergePlaces(records.map((i) => places[i] as Place)));
  const groups: DedupeResult["merged"] = d.merged.map((records, g) => ({
    id: (mergedPlaces[g] as Place).id,
    from: records.map((i) => (places[i] as Place).id),
    pairs: [],
  }));
  const toReview: PairScore[] = [];
  for (const { pair, group } of d.pairs()) {
    if (group !== null) groups[group]?.pairs.push(pair);
    else if (pair.decision === "à vérifier") toReview.push(pair);
  }
  const merged: DedupeResult["merged"] = [];
  const out: Place[] = [];
  places.forEach((p, i) => {
    const g = d.groupOf(i);
    if (g === -1) out.push(p);
    else if (d.merged[g]?.[0] === i) {
      out.push(mergedPlaces[g] as Place);
      merged.push(groups[g] as DedupeResult["merged"][number]);
    }
  });
  return { places: out, merged, toReview };
}
