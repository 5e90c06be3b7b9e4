/**
 * Export to the national standard, streamed: CSV (every cell quoted, free-text cells neutralised against
 * spreadsheet formulas) and JSON (an array of objects). Each row is validated against schema.json before it
 * is written; an invalid one is skipped and handed to `onInvalid`.
 */
import { withSafeLinks } from "./links.ts";
import { type Place, type RawRow, type RowIssue, STANDARD_FIELDS, type StandardPlace } from "./model.ts";
import { csvSafe, STANDARD, type StandardRules, validateRow } from "./schema.ts";

/** The standard record as cell texts (lists joined with `|`, absent values empty; never an unsafe link). */
function toStandardRow(place: StandardPlace): RawRow {
  const s = withSafeLinks(place);
  const row: RawRow = {};
  for (const f of STANDARD_FIELDS) {
    const v = s[f];
    row[f] = Array.isArray(v) ? v.join("|") : v === null ? "" : String(v);
  }
  return row;
}

/** Free-text fields (no pattern, no list of values, not a number or date): the ones a formula could hide in. */
const freeText = (rules: StandardRules) =>
  new Set(rules.fields.filter((f) => f.type === "string" && !f.pattern && !f.enumeration).map((f) => f.name));

const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;

export interface ExportOptions {
  /** Called for each place that does not satisfy the standard; default: ignored (counted by the caller). */
  onInvalid?: (place: Place, issues: RowIssue[]) => void;
  rules?: StandardRules;
}

/** Checks the exported row; `line` is the row's line in the output (header = 1). */
function valid(place: Place, row: RawRow, line: number, opts: ExportOptions): boolean {
  const errors = validateRow(row, line, opts.rules ?? STANDARD).issues.filter((i) => i.severity === "error");
  if (errors.length === 0) return true;
  opts.onInvalid?.(place, errors);
  return false;
}

/** Streams the standard CSV (UTF-8, `,`, CRLF-free), one chunk per line. */
export async function* exportCsv(
  places: AsyncIterable<Place> | Iterable<Place>,
  opts: ExportOptions = {},
): AsyncGenerator<string> {
  const safe = freeText(opts.rules ?? STANDARD);
  yield `${STANDARD_FIELDS.map(quote).join(",")}\n`;
  let line = 1;
  for await (const place of places) {
    const row = toStandardRow(place.standard);
    if (!valid(place, row, line + 1, opts)) continue;
    line++;
    yield `${STANDARD_FIELDS.map((f) => quote(safe.has(f) ? csvSafe(row[f] ?? "") : (row[f] ?? ""))).join(",")}\n`;
  }
}

/** Streams the standard JSON: an array of objects, empty fields left out, coordinates as numbers. */
export async function* exportJson(
  places: AsyncIterable<Place> | Iterable<Place>,
  opts: ExportOptions = {},
): AsyncGenerator<string> {
  yield "[";
  let first = true;
  let line = 1;
  for await (const place of places) {
    const row = toStandardRow(place.standard);
    if (!valid(place, row, line + 1, opts)) continue;
    line++;
    const obj: Record<string, string | number> = {};
    for (const f of STANDARD_FIELDS) {
      const text = row[f] ?? "";
      if (text === "") continue;
      obj[f] = f === "latitude" || f === "longitude" ? Number(text) : text;
    }
    yield `${first ? "\n" : ",\n"}${JSON.stringify(obj)}`;
    first = false;
  }
  yield "\n]\n";
}
