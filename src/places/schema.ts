/**
 * The rules of the national standard, read at startup from standard/schema.json (a copy of
 * LaMednum/standard-mediation-num v1.0.2), and a per-row validator that collects every problem.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { normalize } from "../territories/normalize.ts";
import { LINK_FIELDS, type LinkField, linkProblem, linkSuggestion } from "./links.ts";
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
  /** Values are links: http(s) only (links.ts). */
  link: boolean;
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
      link: (LINK_FIELDS as readonly string[]).includes(name),
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
  const sep = text.includes("|") ? "|" : text.includes(";") ? ";" : "";
  if (sep === "") {
    // One value, the common case: no search for separators, one array.
    const v = text.trim();
    return v === "" ? [] : [v];
  }
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

/** Two rows of the Levenshtein table, reused from call to call (grown when a text is longer). */
let previousRow = new Int32Array(128);
let currentRow = new Int32Array(128);

/** Levenshtein distance (insertions, deletions, substitutions). */
function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (previousRow.length <= b.length) {
    previousRow = new Int32Array(b.length + 1);
    currentRow = new Int32Array(b.length + 1);
  }
  let prev = previousRow;
  let cur = currentRow;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    const swap = prev;
    prev = cur;
    cur = swap;
  }
  return prev[b.length] as number;
}

/** Similarity in [0, 1] of two folded texts. */
function foldedSimilarity(x: string, y: string): number {
  if (x === "" && y === "") return 1;
  return 1 - levenshtein(x, y) / Math.max(x.length, y.length);
}

/** Similarity in [0, 1] of two texts once accents, case and punctuation are folded. */
export function textSimilarity(a: string, b: string): number {
  return foldedSimilarity(normalize(a), normalize(b));
}

/** A list of allowed values prepared for suggestions: folded once, and the answers already given. */
interface Choices {
  folded: string[];
  /** « Valeurs possibles : A, B, C. », for an unknown value without a close one. */
  hint: string;
  /** Unknown value → its suggestion (null: none); bounded, as unknown values come from files and queries. */
  answers: Map<string, string | null>;
}
const CHOICES = new WeakMap<readonly string[], Choices>();
const REMEMBERED_ANSWERS = 1000;
const REMEMBERED_LENGTH = 200;

/** The prepared form of a list of allowed values (the lists are the standard's, never changed). */
function choicesOf(allowed: string[]): Choices {
  let choices = CHOICES.get(allowed);
  if (choices === undefined) {
    choices = {
      folded: allowed.map(normalize),
      hint: `Valeurs possibles : ${allowed.join(", ")}.`,
      answers: new Map(),
    };
    CHOICES.set(allowed, choices);
  }
  return choices;
}

/** The closest allowed value to an unknown one, when it is close enough to be a plausible typo. */
export function closestValue(value: string, allowed: string[]): string | null {
  const choices = choicesOf(allowed);
  const known = choices.answers.get(value);
  if (known !== undefined) return known;
  let best: string | null = null;
  let bestScore = 0;
  const folded = normalize(value);
  for (let k = 0; k < allowed.length; k++) {
    const o = choices.folded[k] as string;
    // A value that folds to the option, or contains it whole, is the best possible suggestion.
    let score = foldedSimilarity(folded, o);
    if (folded === o) score = 2;
    else if (folded !== "" && (o.startsWith(folded) || folded.startsWith(o))) score = Math.max(score, 0.8);
    if (score > bestScore) {
      bestScore = score;
      best = allowed[k] as string;
    }
  }
  const answer = bestScore >= 0.5 ? best : null;
  if (value.length <= REMEMBERED_LENGTH && choices.answers.size < REMEMBERED_ANSWERS)
    choices.answers.set(value, answer);
  return answer;
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

const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The digit at `i` (0–9), or -1 when it is not an ASCII digit. */
function digitAt(text: string, i: number): number {
  const d = text.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/** A real calendar date written AAAA-MM-JJ (year 100 or later), read without a regular expression. */
function isRealDate(text: string): boolean {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const d = digitAt(text, i);
    if (d < 0) return false;
    year = year * 10 + d;
  }
  const m1 = digitAt(text, 5);
  const m2 = digitAt(text, 6);
  const d1 = digitAt(text, 8);
  const d2 = digitAt(text, 9);
  if (m1 < 0 || m2 < 0 || d1 < 0 || d2 < 0) return false;
  const month = m1 * 10 + m2;
  const day = d1 * 10 + d2;
  if (month < 1 || month > 12 || day < 1 || day > (MONTH_DAYS[month - 1] as number)) return false;
  if (month === 2 && day === 29) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return year >= 100;
}

/** Reads a coordinate written with a dot or a French decimal comma (`text`: trimmed, not empty). */
function toNumber(text: string): number | null {
  const n = Number(text.includes(",") ? text.replace(",", ".") : text);
  return Number.isFinite(n) ? n : null;
}

/** Valid list cells remembered per field: bounded, as the texts come from imported files. */
function remember(cells: Map<string, string[]>, cell: string, values: string[]): void {
  if (cell.length <= 500 && cells.size < 2000) cells.set(cell, values);
}

/** Message of an unknown value of a list, with the closest allowed one when there is a plausible one. */
function enumIssue(line: number, field: string, value: string, allowed: string[]): RowIssue {
  const suggestion = closestValue(value, allowed);
  const hint = suggestion ? `Vouliez-vous dire « ${suggestion} » ?` : choicesOf(allowed).hint;
  return issue(
    line,
    field,
    value,
    "enum",
    `valeur « ${show(value)} » inconnue. ${hint}`,
    "error",
    suggestion ?? undefined,
  );
}

/** The error of a value that is not a safe link (links.ts), or null. */
function linkIssue(line: number, field: LinkField, value: string): RowIssue | null {
  const problem = linkProblem(field, value);
  return problem === null ? null : issue(line, field, value, "url", problem, "error", linkSuggestion(value));
}

/** What the compiled code of a validator reaches: the helpers and, per field, its pattern and values. */
const COMPILED_HELPERS = {
  issue,
  enumIssue,
  patternMessage,
  splitList,
  unique,
  remember,
  toNumber,
  isRealDate,
  franceArea,
  checkCoordinates,
  show,
  linkIssue,
};

type RowValidator = (raw: RawRow, line: number) => RowResult;

/**
 * Compiles the rules into one function, once per set of rules: straight-line code per field, with the field
 * names as constants (monomorphic property reads, one object literal for the result), the schema's patterns
 * and value sets built once and captured. Field names are the standard's (checked by parseStandardRules) and
 * go into the code as JSON string literals; nothing of a row ever does.
 */
function compileRules(rules: StandardRules): RowValidator {
  const code: string[] = [];
  const fields = rules.fields;
  const local = (k: number) => `v${k}`;
  for (let k = 0; k < fields.length; k++) {
    const rule = fields[k] as FieldRule;
    const name = JSON.stringify(rule.name);
    const v = local(k);
    const fail = (make: string) => `{ issues.push(${make}); hasError = true; }`;
    const required = rule.required
      ? fail(`h.issue(line, ${name}, "", "required", "valeur obligatoire manquante")`)
      : "";
    code.push(`let ${v} = raw[${name}];`);
    code.push(`${v} = ${v} === undefined ? "" : ${v}.trim();`);
    if (rule.multi && rule.enumSet !== null) {
      // A list of allowed values: a cell already found valid (files repeat a few lists) is a copy away.
      code.push(`if (${v} === "") { ${required} ${v} = []; } else {`);
      code.push(`  const known = m${k}.get(${v});`);
      code.push(`  if (known !== undefined) ${v} = known.slice(); else {`);
      code.push(`    const before = issues.length;`);
      code.push(`    const list = h.splitList(${v});`);
      code.push(
        `    for (let i = 0; i < list.length; i++) { const x = list[i]; if (!e${k}.has(x)) ${fail(`h.enumIssue(line, ${name}, x, a${k})`)} }`,
      );
      code.push(`    const values = h.unique(list);`);
      code.push(`    if (issues.length === before) h.remember(m${k}, ${v}, values.slice());`);
      code.push(`    ${v} = values;`);
      code.push("  }");
      code.push("}");
      continue;
    }
    if (rule.multi) {
      const check =
        (rule.pattern === null
          ? ""
          : `if (!p${k}.test(x)) ${fail(`h.issue(line, ${name}, x, "pattern", h.patternMessage(${name}, x))`)}`) +
        (rule.link ? `{ const u = h.linkIssue(line, ${name}, x); if (u !== null) ${fail("u")} }` : "");
      code.push(`if (${v} === "") { ${required} ${v} = []; } else {`);
      code.push(`  const list = h.splitList(${v});`);
      if (check !== "") code.push(`  for (let i = 0; i < list.length; i++) { const x = list[i]; ${check} }`);
      code.push(`  ${v} = h.unique(list);`);
      code.push("}");
      continue;
    }
    if (rule.type === "number") {
      code.push(`if (${v} === "") { ${required} ${v} = null; } else {`);
      code.push(`  const n = h.toNumber(${v});`);
      code.push(
        `  if (n === null) ${fail(`h.issue(line, ${name}, ${v}, "number", \`nombre attendu, reçu « \${h.show(${v})} »\`)`)}`,
      );
      code.push(`  ${v} = n;`);
      code.push("}");
      continue;
    }
    code.push(`if (${v} === "") { ${required} ${v} = null; } else {`);
    if (rule.type === "date")
      code.push(
        `  if (!h.isRealDate(${v})) ${fail(`h.issue(line, ${name}, ${v}, "date", \`date au format AAAA-MM-JJ attendue, reçu « \${h.show(${v})} »\`)`)}`,
      );
    if (rule.pattern !== null)
      code.push(
        `  if (!p${k}.test(${v})) ${fail(`h.issue(line, ${name}, ${v}, "pattern", h.patternMessage(${name}, ${v}))`)}`,
      );
    if (rule.link)
      code.push(`  { const u = h.linkIssue(line, ${name}, ${v}); if (u !== null) ${fail("u")} }`);
    if (rule.maxLength !== null)
      code.push(
        `  if (${v}.length > ${rule.maxLength}) ${fail(`h.issue(line, ${name}, ${v}, "maxLength", \`\${${v}.length} caractères, au plus ${rule.maxLength} sont permis\`)`)}`,
      );
    code.push("}");
  }
  const lat = local(fields.findIndex((f) => f.name === "latitude"));
  const lon = local(fields.findIndex((f) => f.name === "longitude"));
  const perField = fields
    .map((rule, k) =>
      rule.enumSet !== null
        ? `const e${k} = rules.fields[${k}].enumSet; const a${k} = rules.fields[${k}].enumeration; const m${k} = new Map();`
        : rule.pattern !== null
          ? `const p${k} = rules.fields[${k}].pattern;`
          : "",
    )
    .join("\n");
  const source = `"use strict";
${perField}
return function validateStandardRow(raw, line) {
  const issues = [];
  let hasError = false;
${code.join("\n")}
  // The common case (a point in France, or no point at all) needs no further check.
  if (!(${lat} === null && ${lon} === null) && !(${lat} !== null && ${lon} !== null && h.franceArea(${lat}, ${lon}) !== null)) {
    for (const i of h.checkCoordinates(${lat}, ${lon}, raw, line)) {
      issues.push(i);
      if (i.severity === "error") hasError = true;
    }
  }
  if (hasError) return { place: null, issues };
  return { place: { ${fields.map((f, k) => `${JSON.stringify(f.name)}: ${local(k)}`).join(", ")} }, issues };
};`;
  // The code is generated from schema.json only (see above): no text of a row is ever compiled.
  return new Function("rules", "h", source)(rules, COMPILED_HELPERS) as RowValidator;
}

const compiled = new WeakMap<StandardRules, RowValidator>();

/** The compiled validator of a set of rules (compiled on first use). */
function validatorOf(rules: StandardRules): RowValidator {
  let validate = compiled.get(rules);
  if (validate === undefined) {
    validate = compileRules(rules);
    compiled.set(rules, validate);
  }
  return validate;
}

/**
 * Checks one row against the standard and converts it. Every problem is collected: a required value
 * missing, a pattern not matched, an unknown value of a list (with the closest valid one), a bad date,
 * a text too long, a link that is not http(s) (links.ts), coordinates outside France or with latitude and
 * longitude swapped.
 */
export function validateRow(raw: RawRow, line: number, rules: StandardRules = STANDARD): RowResult {
  return validatorOf(rules)(raw, line);
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
  const validate = validatorOf(rules);
  const seen = new Map<string, number>();
  return (raw, line) => {
    const result = validate(raw, line);
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
