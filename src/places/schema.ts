/**
 * The rules of the national standard, read at startup from standard/schema.json (a copy of
 * LaMednum/standard-mediation-num v1.0.2), and a per-row validator that collects every problem.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { normalize } from "../territories/normalize.ts";
import {
  LIST_FIELDS,
  type RawRow,
  type RowIssue,
  STANDARD_FIELDS,
  type StandardField,
  type StandardPlace,
} from "./model.ts";

interface FieldRule {
  name: StandardField;
  title: string;
  type: "string" | "number" | "date";
  required: boolean;
  unique: boolean;
  /** Whole-value pattern (for list fields: applied to each value). */
  pattern: RegExp | null;
  /** Allowed values, when the schema's pattern is a list of choices. */
  enumeration: string[] | null;
  /** The same values as a Set, for the per-row membership test. */
  enumSet: Set<string> | null;
  multi: boolean;
  maxLength: number | null;
}

export interface StandardRules {
  version: string;
  fields: FieldRule[];
  byName: Map<string, FieldRule>;
  required: StandardField[];
}

interface SchemaJson {
  version: string;
  fields: {
    name: string;
    title?: string;
    type: string;
    constraints?: { required?: boolean; unique?: boolean; pattern?: string; maxLength?: number };
  }[];
}

/** The choices inside a schema pattern of the form `(?:(?:^|\|)(A|B|C))+$`, unescaped; null otherwise. */
export function extractEnumeration(pattern: string): string[] | null {
  const start = pattern.indexOf("(?:^|\\|)(");
  if (start < 0) return null;
  let i = start + "(?:^|\\|)(".length;
  const values: string[] = [];
  let current = "";
  let depth = 0;
  for (; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\") {
      current += pattern[i + 1] ?? "";
      i++;
    } else if (c === "(") {
      depth++;
      current += c;
    } else if (c === ")") {
      if (depth === 0) break;
      depth--;
      current += c;
    } else if (c === "|" && depth === 0) {
      values.push(current);
      current = "";
    } else current += c;
  }
  values.push(current);
  return values;
}

/** Builds the rules from the schema's JSON text. */
function parseStandardRules(schemaText: string): StandardRules {
  const schema = JSON.parse(schemaText) as SchemaJson;
  const names = new Set<string>(STANDARD_FIELDS);
  const fields: FieldRule[] = schema.fields.map((f) => {
    if (!names.has(f.name)) throw new Error(`schema.json : champ inconnu « ${f.name} »`);
    const name = f.name as StandardField;
    const c = f.constraints ?? {};
    const enumeration = c.pattern ? extractEnumeration(c.pattern) : null;
    const multi = (LIST_FIELDS as readonly string[]).includes(name);
    // A list field's pattern checks each value (telephone), an enumeration is checked by membership.
    const pattern = c.pattern && !enumeration ? new RegExp(c.pattern) : null;
    return {
      name,
      title: f.title ?? name,
      type: f.type === "number" ? "number" : f.type === "date" ? "date" : "string",
      required: c.required === true,
      unique: c.unique === true,
      pattern,
      enumeration,
      enumSet: enumeration ? new Set(enumeration) : null,
      multi,
      maxLength: c.maxLength ?? null,
    };
  });
  const missing = STANDARD_FIELDS.filter((n) => !fields.some((f) => f.name === n));
  if (missing.length > 0) throw new Error(`schema.json : champ(s) absent(s) ${missing.join(", ")}`);
  return {
    version: schema.version,
    fields,
    byName: new Map(fields.map((f) => [f.name, f])),
    required: fields.filter((f) => f.required).map((f) => f.name),
  };
}

const SCHEMA_PATH = join(import.meta.dirname, "standard", "schema.json");
/** The standard's rules, read once at startup. */
export const STANDARD: StandardRules = parseStandardRules(readFileSync(SCHEMA_PATH, "utf8"));

/** Splits a multi-valued cell: `|` (standard), else `;` (older files). Values are trimmed; empties dropped. */
export function splitList(text: string): string[] {
  const sep = text.includes("|") ? "|" : ";";
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const end = text.indexOf(sep, start);
    const v = (end < 0 ? text.slice(start) : text.slice(start, end)).trim();
    if (v !== "") out.push(v);
    if (end < 0) return out;
    start = end + 1;
  }
}

/** The values without repeats, in their order (the arrays are short: no Set). */
function unique(values: string[]): string[] {
  for (let i = 1; i < values.length; i++)
    if (values.lastIndexOf(values[i] as string, i - 1) >= 0) return [...new Set(values)];
  return values;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** Similarity in [0, 1] of two texts once accents, case and punctuation are folded. */
export function textSimilarity(a: string, b: string): number {
  const x = normalize(a);
  const y = normalize(b);
  if (x === "" && y === "") return 1;
  return 1 - levenshtein(x, y) / Math.max(x.length, y.length);
}

/** The closest allowed value to an unknown one, when it is close enough to be a plausible typo. */
export function closestValue(value: string, allowed: string[]): string | null {
  let best: string | null = null;
  let bestScore = 0;
  const folded = normalize(value);
  for (const option of allowed) {
    const o = normalize(option);
    // A value that folds to the option, or contains it whole, is the best possible suggestion.
    let score = textSimilarity(value, option);
    if (folded === o) score = 2;
    else if (folded !== "" && (o.startsWith(folded) || folded.startsWith(o))) score = Math.max(score, 0.8);
    if (score > bestScore) {
      bestScore = score;
      best = option;
    }
  }
  return bestScore >= 0.5 ? best : null;
}

/** Bounding boxes of metropolitan France (with Corsica) and of the overseas départements and collectivities. */
const FRANCE_AREAS: {
  name: string;
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}[] = [
  { name: "France métropolitaine", minLat: 41.3, maxLat: 51.15, minLon: -5.25, maxLon: 9.65 },
  { name: "Guadeloupe", minLat: 15.8, maxLat: 16.55, minLon: -61.85, maxLon: -60.95 },
  { name: "Martinique", minLat: 14.35, maxLat: 14.9, minLon: -61.25, maxLon: -60.8 },
  { name: "Guyane", minLat: 2.1, maxLat: 5.8, minLon: -54.65, maxLon: -51.6 },
  { name: "La Réunion", minLat: -21.4, maxLat: -20.85, minLon: 55.2, maxLon: 55.85 },
  { name: "Mayotte", minLat: -13.05, maxLat: -12.6, minLon: 45.0, maxLon: 45.35 },
  { name: "Saint-Pierre-et-Miquelon", minLat: 46.7, maxLat: 47.15, minLon: -56.45, maxLon: -56.1 },
  { name: "Saint-Martin et Saint-Barthélemy", minLat: 17.85, maxLat: 18.15, minLon: -63.2, maxLon: -62.75 },
];

/** Name of the French area the point falls in, or null when it is outside France. */
export function franceArea(lat: number, lon: number): string | null {
  for (const a of FRANCE_AREAS)
    if (lat >= a.minLat && lat <= a.maxLat && lon >= a.minLon && lon <= a.maxLon) return a.name;
  return null;
}

export interface RowResult {
  /** The standard record, or null when the row has at least one error. */
  place: StandardPlace | null;
  issues: RowIssue[];
}

const show = (v: string) => (v.length > 80 ? `${v.slice(0, 77)}…` : v);

function issue(
  line: number,
  field: string,
  value: string,
  rule: string,
  detail: string,
  severity: RowIssue["severity"] = "error",
  suggestion?: string,
): RowIssue {
  const message = `ligne ${line}, champ ${field} : ${detail}`;
  return suggestion === undefined
    ? { line, field, value, rule, message, severity }
    : { line, field, value, rule, message, severity, suggestion };
}

/** Columns of a standard file's header that the standard requires and that are missing (reported on line 1). */
export function checkColumns(header: string[], rules: StandardRules = STANDARD): RowIssue[] {
  return rules.required
    .filter((name) => !header.includes(name))
    .map((name) => issue(1, name, "", "column", "colonne obligatoire absente de l'en-tête"));
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isRealDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > (MONTH_DAYS[month - 1] as number)) return false;
  if (month === 2 && day === 29) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return year >= 100;
}

/** Reads a coordinate written with a dot or a French decimal comma. */
function toNumber(text: string): number | null {
  const n = Number(text.includes(",") ? text.replace(",", ".") : text);
  return text.trim() !== "" && Number.isFinite(n) ? n : null;
}

/**
 * Checks one row against the standard and converts it. Every problem is collected: a required value
 * missing, a pattern not matched, an unknown value of a list (with the closest valid one), a bad date,
 * a text too long, coordinates outside France or with latitude and longitude swapped.
 */
export function validateRow(raw: RawRow, line: number, rules: StandardRules = STANDARD): RowResult {
  const issues: RowIssue[] = [];
  const out: Record<string, unknown> = {};
  let hasError = false;
  const fields = rules.fields;
  for (let k = 0; k < fields.length; k++) {
    const rule = fields[k] as FieldRule;
    const f = rule.name;
    const cell = raw[f];
    const text = cell === undefined ? "" : cell.trim();
    if (text === "") {
      if (rule.required) {
        issues.push(issue(line, f, text, "required", "valeur obligatoire manquante"));
        hasError = true;
      }
      out[f] = rule.multi ? [] : null;
      continue;
    }
    if (rule.multi) {
      const values = splitList(text);
      const enumSet = rule.enumSet;
      const pattern = rule.pattern;
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as string;
        if (enumSet !== null) {
          if (enumSet.has(v)) continue;
          const allowed = rule.enumeration as string[];
          const suggestion = closestValue(v, allowed);
          const hint = suggestion
            ? `Vouliez-vous dire « ${suggestion} » ?`
            : `Valeurs possibles : ${allowed.join(", ")}.`;
          issues.push(
            issue(
              line,
              f,
              v,
              "enum",
              `valeur « ${show(v)} » inconnue. ${hint}`,
              "error",
              suggestion ?? undefined,
            ),
          );
          hasError = true;
        } else if (pattern !== null && !pattern.test(v)) {
          issues.push(issue(line, f, v, "pattern", patternMessage(f, v)));
          hasError = true;
        }
      }
      out[f] = unique(values);
      continue;
    }
    if (rule.type === "number") {
      const n = toNumber(text);
      if (n === null) {
        issues.push(issue(line, f, text, "number", `nombre attendu, reçu « ${show(text)} »`));
        hasError = true;
      }
      out[f] = n;
      continue;
    }
    if (rule.type === "date" && !isRealDate(text)) {
      issues.push(issue(line, f, text, "date", `date au format AAAA-MM-JJ attendue, reçu « ${show(text)} »`));
      hasError = true;
    }
    if (rule.pattern !== null && !rule.pattern.test(text)) {
      issues.push(issue(line, f, text, "pattern", patternMessage(f, text)));
      hasError = true;
    }
    if (rule.maxLength !== null && text.length > rule.maxLength) {
      issues.push(
        issue(line, f, text, "maxLength", `${text.length} caractères, au plus ${rule.maxLength} sont permis`),
      );
      hasError = true;
    }
    out[f] = text;
  }
  const lat = out.latitude as number | null;
  const lon = out.longitude as number | null;
  // The common case (a point in France, or no point at all) needs no further check.
  if (!(lat === null && lon === null) && !(lat !== null && lon !== null && franceArea(lat, lon) !== null)) {
    for (const i of checkCoordinates(lat, lon, raw, line)) {
      issues.push(i);
      if (i.severity === "error") hasError = true;
    }
  }
  return { place: hasError ? null : (out as StandardPlace), issues };
}

function patternMessage(field: string, value: string): string {
  const v = `« ${show(value)} »`;
  switch (field) {
    case "code_postal":
      return `code postal invalide ${v} : 5 chiffres attendus`;
    case "code_insee":
      return `code INSEE invalide ${v} : 5 caractères attendus (2 chiffres ou 2A/2B, puis 3 chiffres)`;
    case "pivot":
      return `identifiant pivot invalide ${v} : SIRET, RNA ou RIDET de 9 à 14 lettres ou chiffres attendu`;
    case "telephone":
      return `numéro invalide ${v} : format international sans espace attendu, par exemple +33180059880`;
    default:
      return `valeur ${v} non conforme au format attendu`;
  }
}

function checkCoordinates(lat: number | null, lon: number | null, raw: RawRow, line: number): RowIssue[] {
  const latText = (raw.latitude ?? "").trim();
  const lonText = (raw.longitude ?? "").trim();
  if (lat === null && lon === null) return [];
  if (lat === null || lon === null) {
    const field = lat === null ? "latitude" : "longitude";
    if ((field === "latitude" ? latText : lonText) !== "") return []; // already reported as not a number
    return [
      issue(line, field, "", "coordinates", "la latitude et la longitude vont ensemble : l'une manque"),
    ];
  }
  if (franceArea(lat, lon)) return [];
  const value = `${latText} ; ${lonText}`;
  const swapped = franceArea(lon, lat);
  if (swapped) {
    return [
      issue(
        line,
        "latitude",
        value,
        "coordinates-swapped",
        `latitude et longitude semblent inversées (${latText} ; ${lonText}) : inversées, elles tombent en ${swapped}`,
        "error",
        `${lonText} ; ${latText}`,
      ),
    ];
  }
  return [
    issue(line, "latitude", value, "coordinates", `le point (${latText} ; ${lonText}) est hors de France`),
  ];
}

/**
 * A validator for one file: validateRow plus the uniqueness of `id` within the file.
 * It keeps the ids already seen, so use one per file.
 */
export function fileValidator(rules: StandardRules = STANDARD): (raw: RawRow, line: number) => RowResult {
  const seen = new Map<string, number>();
  return (raw, line) => {
    const result = validateRow(raw, line, rules);
    const id = (raw.id ?? "").trim();
    if (id === "") return result;
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, line);
      return result;
    }
    result.issues.push(
      issue(line, "id", id, "unique", `identifiant « ${show(id)} » déjà utilisé ligne ${first}`),
    );
    return { place: null, issues: result.issues };
  };
}

export { csvSafe } from "../platform/csv.ts";
