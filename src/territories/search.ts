import { Lru } from "../platform/lru.ts";
import type { Territory, TerritoryKind } from "./model.ts";
import { normalize, trigrams } from "./normalize.ts";

/** Why a territory matched, best first. */
export type MatchKind = "postcode" | "code" | "exact" | "prefix" | "words" | "fuzzy";
const TIER: Record<MatchKind, number> = { postcode: 0, code: 1, exact: 2, prefix: 3, words: 4, fuzzy: 5 };

interface SearchHit {
  territory: Territory;
  match: MatchKind;
  /** The former commune (name or code) that matched, when the match is through it. */
  former?: string;
  /** Within a tier, higher first: trigram similarity for fuzzy, 1 / number of postcodes for postcode, else 1. */
  score: number;
}

export interface SearchOptions {
  limit?: number;
  offset?: number;
  kinds?: TerritoryKind[];
}

export interface SearchResult {
  total: number;
  hits: SearchHit[];
}

/** Fuzzy matching only runs when direct matches are fewer than this. */
const FUZZY_WHEN_FEWER_THAN = 20;
const FUZZY_MIN_SIMILARITY = 0.3;

const CODE_RE = /^(\d[\dab]\d{3}|\d{9}|\d{2}|2[ab]|97\d)$/;
/** A quartier prioritaire's code, lower case (`qn01301m`). */
const QPV_RE = /^qn[\dab]{3}\d{2}[a-z]$/;

/**
 * In-memory search over every territory: by code, postcode, or name (accent- and case-insensitive).
 * Ranking: postcode > code (a five-digit number is more often a postcode) > exact name > name prefix > every query word starts a word of the name >
 * fuzzy (trigrams); ties go to the bigger population, then the name.
 */
export class SearchIndex {
  private readonly items: Territory[];
  /** Every name a territory is known by: its own, then its former communes' (entries point to items). */
  private readonly names: { item: number; norm: string; former?: string }[] = [];
  private readonly byId = new Map<string, number[]>();
  private readonly byFormerCode = new Map<string, number[]>();
  private readonly byPostcode = new Map<string, number[]>();
  /** Sorted (word, name entry) pairs for word-prefix lookups. */
  private readonly words: string[] = [];
  private readonly wordEntries: number[] = [];
  private readonly grams = new Map<string, number[]>();
  private gramCounts = new Uint16Array(0);
  private hits = new Uint16Array(0);
  private built = false;
  /** The sorted hits of recent queries (territories do not change while the process runs): autocompletion asks the
   * same prefixes again and again. */
  private readonly recent = new Lru<SearchHit[]>(RECENT_QUERIES);

  /** Cheap: the index itself is built on the first search, or by warm() once the server listens. */
  constructor(territories: readonly Territory[]) {
    this.items = [...territories];
  }

  /** Builds the index now (about half a second for France), if not done yet. */
  warm(): void {
    if (this.built) return;
    this.built = true;
    this.items.forEach((t, i) => {
      // A région is found by its id (region-84) here, and by its bare code below, after the département.
      push(this.byId, t.id.toLowerCase(), i);
      for (const code of t.formerCodes) push(this.byFormerCode, code.toLowerCase(), i);
      for (const pc of t.postcodes) push(this.byPostcode, pc, i);
      this.names.push({ item: i, norm: normalize(t.name) });
      for (const former of t.formerNames) this.names.push({ item: i, norm: normalize(former), former });
    });
    const pairs: [string, number][] = [];
    const gramCounts = new Uint16Array(this.names.length);
    this.names.forEach((n, e) => {
      for (const w of new Set(n.norm.split(" "))) if (w) pairs.push([w, e]);
      const grams = trigrams(n.norm);
      gramCounts[e] = grams.size;
      for (const g of grams) push(this.grams, g, e);
    });
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    for (const [w, e] of pairs) {
      this.words.push(w);
      this.wordEntries.push(e);
    }
    this.gramCounts = gramCounts;
    this.hits = new Uint16Array(this.names.length);
  }

  get size(): number {
    return this.items.length;
  }

  search(query: string, opts: SearchOptions = {}): SearchResult {
    const limit = opts.limit ?? 10;
    const offset = opts.offset ?? 0;
    const key = `${(opts.kinds ?? []).join(",")}|${query}`;
    let sorted = this.recent.get(key);
    if (!sorted) {
      sorted = this.rank(query, opts);
      this.recent.set(key, sorted);
    }
    return { total: sorted.length, hits: sorted.slice(offset, offset + limit) };
  }

  /** Every territory matching the query, best first. */
  private rank(query: string, opts: SearchOptions): SearchHit[] {
    this.warm();
    const kinds = opts.kinds && opts.kinds.length > 0 ? new Set(opts.kinds) : null;
    const found = new Map<number, SearchHit>();
    const add = (i: number, match: MatchKind, score = 1, former?: string) => {
      const t = this.items[i];
      if (!t || (kinds && !kinds.has(t.kind))) return;
      const prev = found.get(i);
      if (!prev || TIER[match] < TIER[prev.match] || (prev.match === match && score > prev.score)) {
        found.set(
          i,
          former === undefined ? { territory: t, match, score } : { territory: t, match, score, former },
        );
      }
    };
    /** A match through a former commune ranks just after the same match on a current name. */
    const addEntry = (e: number, match: MatchKind, score = 1) => {
      const n = this.names[e];
      if (n) add(n.item, match, n.former ? score * 0.9 : score, n.former);
    };

    const raw = query.trim().toLowerCase().replace(/\s+/g, "");
    if (QPV_RE.test(raw)) for (const i of this.byId.get(raw) ?? []) add(i, "code");
    if (CODE_RE.test(raw)) {
      for (const i of this.byId.get(raw) ?? []) add(i, "code");
      // Two digits: the département first, then the région with the same code.
      if (/^\d{2}$/.test(raw)) for (const i of this.byId.get(`region-${raw}`) ?? []) add(i, "code", 0.5);
      // A former commune's code leads to the commune it now belongs to.
      for (const i of this.byFormerCode.get(raw) ?? []) add(i, "code", 0.5, raw.toUpperCase());
    }
    if (/^\d{5}$/.test(raw)) {
      // The most specific holder of a postcode first (Lyon 3e before Lyon, which holds nine).
      for (const i of this.byPostcode.get(raw) ?? [])
        add(i, "postcode", 1 / (this.items[i]?.postcodes.length || 1));
    }

    const q = normalize(query);
    if (q !== "") {
      const qWords = q.split(" ");
      let candidates: Set<number> | null = null;
      for (const w of [...new Set(qWords)].sort((a, b) => b.length - a.length)) {
        const set = new Set<number>();
        for (let k = this.lowerBound(w); k < this.words.length && (this.words[k] ?? "").startsWith(w); k++) {
          const entry = this.wordEntries[k];
          if (entry !== undefined && (!candidates || candidates.has(entry))) set.add(entry);
        }
        candidates = set;
        if (set.size === 0) break;
      }
      for (const e of candidates ?? []) {
        const norm = this.names[e]?.norm ?? "";
        addEntry(e, norm === q ? "exact" : norm.startsWith(q) ? "prefix" : "words");
      }
      if (found.size < FUZZY_WHEN_FEWER_THAN) this.fuzzy(q, addEntry);
    }

    return [...found.values()].sort(compareHits);
  }

  private fuzzy(q: string, add: (entry: number, m: MatchKind, s: number) => void): void {
    const qg = trigrams(q);
    const touched: number[] = [];
    for (const g of qg) {
      for (const i of this.grams.get(g) ?? []) {
        if (this.hits[i] === 0) touched.push(i);
        this.hits[i] = (this.hits[i] ?? 0) + 1;
      }
    }
    for (const i of touched) {
      const shared = this.hits[i] ?? 0;
      this.hits[i] = 0;
      const sim = shared / (qg.size + (this.gramCounts[i] ?? 0) - shared);
      if (sim >= FUZZY_MIN_SIMILARITY) add(i, "fuzzy", sim);
    }
  }

  private lowerBound(w: string): number {
    let lo = 0;
    let hi = this.words.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.words[mid] ?? "") < w) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const RECENT_QUERIES = 256;

/** One French collator for every comparison (`localeCompare` with a locale builds one per call). */
const FRENCH = new Intl.Collator("fr");

function compareHits(a: SearchHit, b: SearchHit): number {
  return (
    TIER[a.match] - TIER[b.match] ||
    b.score - a.score ||
    (b.territory.population ?? -1) - (a.territory.population ?? -1) ||
    FRENCH.compare(a.territory.name, b.territory.name)
  );
}
