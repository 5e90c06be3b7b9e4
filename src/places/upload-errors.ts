/**
 * The full error report of an import, as CSV (ligne, champ, valeur, règle, message), written by one function for
 * the browser (`/admin/imports/:id/erreurs.csv`) and the command (`places import … --erreurs FICHIER.csv`). Errors
 * can be many: they are streamed, read again from the file (`fileErrors`), never held in memory.
 * Also the refusal of rows outside a coordinator's territory, shared by the dry run, the import and the CSV.
 */
import { csvCell } from "../platform/csv.ts";
import { type ImportOptions, importPlaces } from "./import/rows.ts";
import type { Place, RowIssue } from "./model.ts";

/** The header of the error CSV (with a byte order mark, as the house's other CSV files for spreadsheets). */
export const ERROR_CSV_HEADER = "\uFEFFligne,champ,valeur,règle,message\r\n";

/** One error as a CSV line: cells through the house's `csvCell` (formulas neutralised). Pure. */
function errorCsvLine(e: RowIssue): string {
  return `${[e.line, e.field, e.value, e.rule, e.message].map(csvCell).join(",")}\r\n`;
}

/** The CSV of errors, by chunks of lines (memory bounded by the chunk, whatever the number of errors). */
export async function* errorCsv(
  issues: AsyncIterable<RowIssue> | Iterable<RowIssue>,
): AsyncGenerator<string> {
  yield ERROR_CSV_HEADER;
  let chunk = "";
  for await (const e of issues) {
    chunk += errorCsvLine(e);
    if (chunk.length >= 64 * 1024) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

/** Refuses a valid row for a reason of the importer's (see `StoreImportOptions.refuse`). */
export type RowRefusal = (place: Place, line: number) => RowIssue | null;

/**
 * Every error of a file, in file order, read again from its bytes: what the import refuses (the whole file, or
 * rows), plus the rows `refuse` refuses. Streams: one row at a time.
 */
export async function* fileErrors(
  input: AsyncIterable<Buffer>,
  opts: ImportOptions & { refuse?: RowRefusal },
): AsyncGenerator<RowIssue> {
  const { outcomes } = importPlaces(input, opts);
  for await (const o of outcomes) {
    if (o.status === "file-error") {
      if (o.issues.length > 0) yield* o.issues;
      else
        yield {
          line: o.line ?? 0,
          field: "",
          value: "",
          rule: "fichier",
          message: o.message,
          severity: "error",
        };
      return;
    }
    if (o.status === "rejected") {
      for (const i of o.issues) if (i.severity === "error") yield i;
      continue;
    }
    const refusal = opts.refuse?.(o.place, o.line);
    if (refusal) yield refusal;
  }
}

/**
 * Rows whose commune is not in `communes` (a coordinator's territory) are refused, with a plain French reason; a
 * row whose commune is unknown too, since nothing says it lies in the territory. Pure.
 */
export function outsideTerritory(communes: ReadonlySet<string>, territoryName: string): RowRefusal {
  return (place, line) => {
    const code = place.communeCode;
    if (code !== null && communes.has(code)) return null;
    const commune = place.standard.commune;
    const value = code ? `${commune} (${code})` : commune;
    return {
      line,
      field: "commune",
      value,
      rule: "territoire",
      message: code
        ? `ligne ${line}, champ commune : ${commune} (${code}) n'est pas dans votre territoire (${territoryName}) : ligne refusée ; un lieu hors de votre territoire est importé par son coordinateur ou un administrateur`
        : `ligne ${line}, champ commune : commune « ${commune} » introuvable, impossible de vérifier qu'elle est dans votre territoire (${territoryName}) : ligne refusée`,
      severity: "error",
    };
  };
}
