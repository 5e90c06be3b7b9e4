/**
 * The one territory resolver: what a person (or a link, or an API client) typed → one territory, or the candidates
 * to choose from (« Laquelle ? »), or nothing. Pure: the referential and the search index are given.
 *
 * Understood: a name with or without accents, hyphens or case (« saint etienne », « Sainte Marie »), a name with a
 * qualifier in parentheses (« Saint-Martin (Gers) », « Saint-Martin (32) », « Paris (commune) »: what the forms show
 * after a choice), a postcode, a postcode with a name or a whole address (« 12 rue Voltaire, 42000 Saint-Étienne »),
 * an INSEE code (commune or arrondissement), a former commune's code, the SIREN of an EPCI, a département code
 * (`23`, `2A`, `971`) and `region-<code>`.
 *
 * Rules: a name shared by several territories is always ambiguous (never the most populated); a postcode shared by
 * several communes is ambiguous (an arrondissement of Paris, Lyon or Marseille before its commune); a name that
 * matches nothing exactly gives suggestions, never a guess. Five digits are both postcodes and INSEE codes (01090 is
 * the INSEE code of Châtenay and the postcode of six other communes): `prefer: "postcode"` (what inhabitants type:
 * the finder, the diagnostic) reads a postcode first, `prefer: "code"` (parameters documented as ids: fragility,
 * coverage, places, the APIs and commands) reads the code first; the other reading is in `others`.
 */
import { contextLabel } from "./describe.ts";
import type { Territory, TerritoryKind } from "./model.ts";
import { normalize } from "./normalize.ts";
import type { Referential } from "./referential.ts";
import type { SearchIndex } from "./search.ts";

/** Longest input looked at (the search box's limit). */
const MAX_INPUT_LENGTH = 100;

export interface ResolveOptions {
  referential: Referential;
  search: SearchIndex;
  /** Only these kinds (the finder and the diagnostic want communes and arrondissements); all when absent. */
  kinds?: readonly TerritoryKind[];
  /** How to read five digits that are both a postcode and an INSEE code; "postcode" when absent. */
  prefer?: "postcode" | "code";
}

/** How the input designated the territory. */
type Via = "id" | "former-code" | "postcode" | "name" | "former-name";

export interface Candidate {
  territory: Territory;
  /** Text for a form field, that resolves back to this territory alone: « Saint-Martin (Gers) », else the name. */
  label: string;
  /** One line that tells it apart from its namesakes: « commune · Gers (32) · 252 habitants ». */
  context: string;
  /** What a link's parameter carries: the id, or the label when the id would be read as a postcode. */
  value: string;
  via: Via;
}

export type Resolution =
  | ({ kind: "found"; input: string; others: Candidate[] } & Candidate)
  | { kind: "ambiguous"; input: string; candidates: Candidate[] }
  | { kind: "none"; input: string; message: string; suggestions: Candidate[] }
  | { kind: "invalid"; input: string; message: string };

interface Hit {
  t: Territory;
  via: Via;
  /** The former commune's name that matched. */
  former?: string;
}

const KIND_WORDS: Record<string, TerritoryKind> = {
  commune: "commune",
  arrondissement: "arrondissement",
  "arrondissement municipal": "arrondissement",
  epci: "epci",
  intercommunalite: "epci",
  departement: "departement",
  region: "region",
};
const KIND_WORD: Record<TerritoryKind, string> = {
  commune: "commune",
  arrondissement: "arrondissement",
  epci: "intercommunalité",
  departement: "département",
  region: "région",
  qpv: "quartier prioritaire",
};

/**
 * The kinds a name is looked for in when the caller names none: every kind but the quartiers prioritaires, which
 * a code always finds (QN…) but whose names often repeat a commune's (« Fourmies », « Montreuil »): a commune's
 * name must not become ambiguous because a quartier bears it. The search page lists quartiers by name.
 */
const NAMED_KINDS: TerritoryKind[] = ["commune", "arrondissement", "epci", "departement", "region"];

const communesOnly = (kinds: readonly TerritoryKind[] | undefined) =>
  !!kinds && kinds.length > 0 && kinds.every((k) => k === "commune" || k === "arrondissement");

/** French words for what is looked for: « commune » or « territoire ». */
const noun = (o: ResolveOptions) => (communesOnly(o.kinds) ? "commune" : "territoire");

/** Lower case, NFC, words only, « st » = « saint »: accents kept (accents typed are meant). */
function strictFold(text: string): string {
  return normalize(text) === ""
    ? ""
    : text
        .normalize("NFC")
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, " ")
        .trim()
        .split(" ")
        .map((w) => ({ st: "saint", ste: "sainte" })[w] ?? w)
        .join(" ");
}

class Resolver {
  private readonly kinds: Set<TerritoryKind> | null;
  private readonly kindList: TerritoryKind[] | undefined;

  constructor(private readonly o: ResolveOptions) {
    this.kinds = o.kinds && o.kinds.length > 0 ? new Set(o.kinds) : null;
    this.kindList = this.kinds ? [...this.kinds] : NAMED_KINDS;
  }

  private allowed(t: Territory | undefined): t is Territory {
    return !!t && (!this.kinds || this.kinds.has(t.kind));
  }

  /** The territory of an id (`2a` = `2A`, `region-84`), or of a former commune's code. */
  private byCode(compact: string): Hit | null {
    const ref = this.o.referential;
    const upper = compact.toUpperCase();
    for (const id of [compact, upper, compact.toLowerCase()]) {
      const t = ref.get(id);
      if (this.allowed(t)) return { t, via: "id" };
    }
    // A bare région code when only régions are wanted.
    if (/^\d{2}$/.test(compact) && !this.allowed(ref.get(compact))) {
      const r = ref.get(`region-${compact}`);
      if (this.allowed(r)) return { t: r, via: "id" };
    }
    if (/^\d[\dAB]\d{3}$/.test(upper)) {
      const t = ref.currentOf(upper);
      if (this.allowed(t)) return { t, via: "former-code" };
    }
    return null;
  }

  /** The holders of a postcode; an arrondissement hides its commune (which holds all its arrondissements' codes). */
  holders(postcode: string): Territory[] {
    const list = this.o.search
      .search(postcode, { limit: 500, kinds: this.kindList })
      .hits.filter((h) => h.match === "postcode")
      .map((h) => h.territory);
    const parents = new Set(list.filter((t) => t.kind === "arrondissement").map((t) => t.parent));
    return list.filter((t) => !parents.has(t.id)).sort(byName);
  }

  /** Territories whose name is exactly this (normalised), current names first, else former communes' names. */
  named(text: string): Hit[] {
    const q = normalize(text);
    if (q === "") return [];
    const exact = this.o.search
      .search(text, { limit: 1000, kinds: this.kindList })
      .hits.filter((h) => h.match === "exact");
    const current = exact.filter((h) => h.former === undefined);
    const hits: Hit[] = (current.length > 0 ? current : exact).map((h) =>
      h.former === undefined
        ? { t: h.territory, via: "name" }
        : { t: h.territory, via: "former-name", former: h.former },
    );
    // Accents typed are meant: « Loiré » is not « Loire » (but « loire » may be either).
    if (hits.length > 1 && /[^\p{ASCII}]/u.test(text)) {
      const strict = strictFold(text);
      const same = hits.filter((h) => strictFold(h.former ?? h.t.name) === strict);
      if (same.length > 0 && same.length < hits.length) return same;
    }
    return hits;
  }

  /** Whether a territory fits a qualifier: its département (code or name), kind, postcode or id. */
  private fits(t: Territory, qualifier: string): boolean {
    const q = normalize(qualifier);
    const kind = KIND_WORDS[q];
    if (kind) return t.kind === kind;
    const compact = qualifier.replace(/\s+/g, "");
    if (t.id.toLowerCase() === compact.toLowerCase()) return true;
    if (/^\d{5}$/.test(compact) && t.postcodes.includes(compact)) return true;
    const deps =
      t.kind === "commune" || t.kind === "arrondissement"
        ? [t.departement]
        : t.kind === "epci"
          ? this.o.referential.parentsOf(t).map((p) => (p.kind === "departement" ? p.id : null))
          : [];
    return deps.some((d) => {
      if (!d) return false;
      if (d.toLowerCase() === compact.toLowerCase()) return true;
      const dep = this.o.referential.get(d);
      return !!dep && normalize(dep.name) === q;
    });
  }

  /** « Saint-Martin (Gers) »: the namesakes that fit the qualifier. */
  private qualified(text: string): Hit[] | null {
    const m = /^(.+?)\s*\(([^()]+)\)$/.exec(text);
    if (!m) return null;
    const [, base = "", qualifier = ""] = m;
    const named = this.named(base);
    if (named.length === 0) return null;
    return named.filter((h) => this.fits(h.t, qualifier));
  }

  /** « 12 rue Voltaire, 42000 Saint-Étienne », « 32300 Saint-Martin »: the postcode's communes, by the name. */
  private address(text: string): { pick: Territory[]; all: Territory[] } | null {
    const m = /^(.*?)\b(\d{5})\b(.*)$/.exec(text);
    if (!m || !/\p{L}/u.test(text)) return null;
    const [, before = "", postcode = "", after = ""] = m;
    const all = this.holders(postcode);
    if (all.length === 0) return null;
    const b = ` ${normalize(before)} `;
    const a = ` ${normalize(after)} `;
    const pick = all.filter((t) => {
      const n = ` ${normalize(t.name)} `;
      return a.startsWith(n) || b.endsWith(n) || a.trim() === n.trim();
    });
    return { pick, all };
  }

  resolve(input: string): Resolution {
    const text = input.normalize("NFC").replace(/\s+/g, " ").trim();
    if (text === "")
      return {
        kind: "invalid",
        input: text,
        message: communesOnly(this.o.kinds)
          ? "Écrivez le nom de la commune ou son code postal."
          : "Tapez le nom ou le code d'une commune, d'une intercommunalité, d'un département ou d'une région, ou un code postal.",
      };
    if (text.length > MAX_INPUT_LENGTH)
      return {
        kind: "invalid",
        input: text.slice(0, MAX_INPUT_LENGTH),
        message: `Votre recherche est trop longue (${text.length} caractères). Tapez ${MAX_INPUT_LENGTH} caractères au plus, par exemple le nom d'une commune.`,
      };

    const compact = text.replace(/\s+/g, "");
    const coded = this.byCode(compact);
    const postcodes = /^\d{5}$/.test(compact) ? this.holders(compact) : [];
    if (coded || postcodes.length > 0) {
      const byPostcode = postcodes.map((t): Hit => ({ t, via: "postcode" }));
      const others = byPostcode.filter((h) => h.t !== coded?.t);
      // A former commune's code never hides a postcode; a current id does when ids are preferred.
      const codeWins = coded && ((coded.via === "id" && this.o.prefer === "code") || others.length === 0);
      if (coded && codeWins) return this.found(text, coded, others);
      if (coded && others.length > 1) return this.ambiguous(text, [...others, coded]);
      if (others.length === 1 && others[0]) return this.found(text, others[0], coded ? [coded] : []);
      return this.ambiguous(text, byPostcode);
    }

    const named = this.named(text);
    const hits = named.length > 0 ? named : (this.qualified(text) ?? []);
    if (hits.length === 1 && hits[0]) return this.found(text, hits[0], []);
    if (hits.length > 1) return this.ambiguous(text, hits);

    const address = this.address(text);
    if (address) {
      const { pick, all } = address;
      const chosen = pick.length > 0 ? pick : all;
      const as = (t: Territory): Hit => ({ t, via: "postcode" });
      if (chosen.length === 1 && chosen[0]) return this.found(text, as(chosen[0]), []);
      return this.ambiguous(text, chosen.map(as));
    }

    // Nothing exact: one territory only that the words start, else suggestions (never a guess).
    const r = this.o.search.search(text, { limit: 8, kinds: this.kindList });
    const [only] = r.hits;
    if (r.total === 1 && only && only.match !== "fuzzy")
      return this.found(text, { t: only.territory, via: only.former ? "former-name" : "name" }, []);
    const what = noun(this.o);
    return {
      kind: "none",
      input: text,
      message:
        what === "commune"
          ? `Nous ne trouvons pas la commune « ${text} ».`
          : `Aucun territoire ne correspond à « ${text} ».`,
      suggestions: r.hits.map((h) => this.candidate({ t: h.territory, via: "name" })),
    };
  }

  private found(input: string, hit: Hit, others: Hit[]): Resolution {
    return { kind: "found", input, ...this.candidate(hit), others: others.map((h) => this.candidate(h)) };
  }

  /** Candidates by label (« Saint-Martin (Bas-Rhin) », « Saint-Martin (Gers) »…); a code's holder stays last. */
  private ambiguous(input: string, hits: Hit[]): Resolution {
    const candidates = hits.map((h) => this.candidate(h));
    const rank = (c: Candidate) => (c.via === "id" || c.via === "former-code" ? 1 : 0);
    candidates.sort((a, b) => rank(a) - rank(b) || a.label.localeCompare(b.label, "fr"));
    return { kind: "ambiguous", input, candidates };
  }

  candidate(hit: Hit): Candidate {
    const label = this.label(hit.t);
    return {
      territory: hit.t,
      label,
      context: contextLabel(hit.t, this.o.referential),
      value: this.value(hit.t, label),
      via: hit.via,
    };
  }

  /** The name, with what tells it from its namesakes when it has some: département, then kind, else its id. */
  label(t: Territory): string {
    const namesakes = this.named(t.name).map((h) => h.t);
    if (namesakes.length <= 1) return t.name;
    const dep = t.departement ? this.o.referential.get(t.departement) : undefined;
    const byDep = t.kind === "commune" || t.kind === "arrondissement" ? dep?.name : undefined;
    const mixed = namesakes.some((n) => n.kind !== t.kind);
    const qualifiers = [byDep, KIND_WORD[t.kind]];
    if (mixed) qualifiers.reverse();
    for (const q of qualifiers) {
      if (!q) continue;
      const left = namesakes.filter((n) => this.fits(n, q));
      if (left.length === 1 && left[0] === t) return `${t.name} (${q})`;
    }
    return `${t.name} (${t.id})`;
  }

  /** The id, unless this resolver would read it as a postcode (then the label, which always leads back). */
  private value(t: Territory, label: string): string {
    if (this.o.prefer === "code" || !/^\d{5}$/.test(t.id)) return t.id;
    const holders = this.holders(t.id);
    return holders.length === 0 || (holders.length === 1 && holders[0] === t) ? t.id : label;
  }
}

const byName = (a: Territory, b: Territory) => a.name.localeCompare(b.name, "fr") || a.id.localeCompare(b.id);

/** Resolves what was typed into one territory, candidates (« Laquelle ? »), suggestions, or a French problem. */
export function resolveTerritory(input: string, options: ResolveOptions): Resolution {
  return new Resolver(options).resolve(input);
}

/** The candidate form of a known territory (its label for a field, its value for a link). */
export function describeTerritory(t: Territory, options: ResolveOptions): Candidate {
  return new Resolver(options).candidate({ t, via: "id" });
}

/** The French sentence that lists the candidates, for an API's problem or a command's error. */
export function ambiguityDetail(
  r: Extract<Resolution, { kind: "ambiguous" }>,
  options: ResolveOptions,
): string {
  const what = noun(options) === "commune" ? "communes" : "territoires";
  const list = r.candidates.map((c) => `${c.label} [${c.territory.id}, ${c.context}]`).join(" ; ");
  return `Plusieurs ${what} correspondent à « ${r.input} » : ${list}. Laquelle ? Donnez son code ou son nom suivi du département entre parenthèses.`;
}

/** A candidate as the JSON APIs show it (in a problem's `candidats` or `suggestions`). */
export function candidateJson(c: Candidate) {
  return {
    id: c.territory.id,
    type: c.territory.kind,
    nom: c.territory.name,
    libelle: c.label,
    precision: c.context,
  };
}

type Unresolved = Exclude<Resolution, { kind: "found" }>;

/** « Laquelle ? » for communes, intercommunalités and régions; « Lequel ? » as soon as a département or arrondissement is among them. */
function whichQuestion(candidates: readonly Candidate[]): string {
  const feminine = candidates.every((c) => ["commune", "epci", "region"].includes(c.territory.kind));
  return feminine ? "Laquelle ?" : "Lequel ?";
}

/** What a page shows when no single territory was found: the problem, and the candidates or the close names. */
export function unresolvedView(
  r: Unresolved,
  options: ResolveOptions,
): {
  problem?: string;
  choices?: { title: string; candidates: Candidate[] };
} {
  switch (r.kind) {
    case "ambiguous":
      return {
        choices: {
          title: `Plusieurs ${noun(options)}s correspondent à « ${r.input} ». ${whichQuestion(r.candidates)}`,
          candidates: r.candidates,
        },
      };
    case "none":
      return r.suggestions.length > 0
        ? { problem: r.message, choices: { title: "Vouliez-vous dire :", candidates: r.suggestions } }
        : { problem: r.message };
    case "invalid":
      return { problem: r.message };
  }
}

/** What an API answers when no single territory was found: a French problem, the candidates as an extra field. */
export function unresolvedProblem(
  r: Unresolved,
  options: ResolveOptions,
): { status: number; title: string; detail: string; extra: Record<string, unknown> } {
  switch (r.kind) {
    case "ambiguous":
      return {
        status: 400,
        title: noun(options) === "commune" ? "Commune ambiguë" : "Territoire ambigu",
        detail: ambiguityDetail(r, options),
        extra: { candidats: r.candidates.map(candidateJson) },
      };
    case "none": {
      const hint =
        r.suggestions.length > 0
          ? ` Vouliez-vous dire : ${r.suggestions.map((c) => `${c.label} (${c.territory.id})`).join(", ")} ?`
          : "";
      return {
        status: 400,
        title: noun(options) === "commune" ? "Commune inconnue" : "Territoire inconnu",
        detail: `${r.message}${hint}`,
        extra: { suggestions: r.suggestions.map(candidateJson) },
      };
    }
    case "invalid":
      return { status: 400, title: "Demande incorrecte", detail: r.message, extra: {} };
  }
}
