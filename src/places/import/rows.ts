/**
 * Import of a place file: read (any encoding, separator, CSV or JSON), map the source to the standard,
 * validate every row (all errors collected), resolve the commune, check coordinates and hours, and
 * yield one outcome per row. Nothing is written: the store decides what to do with accepted places.
 */
import { createHash } from "node:crypto";
import { DataFileError } from "../../platform/files.ts";
import { mapDataInclusion } from "../data-inclusion.ts";
import { checkHours } from "../hours.ts";
import type { Place, RowIssue, StandardPlace } from "../model.ts";
import { checkColumns, fileValidator, type RowResult } from "../schema.ts";
import type { OlderNote } from "../standard/v0.ts";
import { type CommuneIndex, coordinatesMismatch, resolveCommune } from "./communes.ts";
import { type FileShape, readRows, type SourceRow } from "./read.ts";
import {
  dateFromFileName,
  detectSourceFormat,
  type MappedRow,
  mapFranceServices,
  mapStandard,
  type SourceFormat,
} from "./sources.ts";

export interface ImportOptions {
  /** Name of the source, kept in the provenance (e.g. "france-services", "hub-du-sud"). */
  source: string;
  /** File name shown in messages and kept in the provenance. */
  file: string;
  communes: CommuneIndex;
  /** Forces the format instead of detecting it from the columns. */
  format?: SourceFormat;
  /** Update date for sources that have none (France Services): default, the date in the file name. */
  dateMaj?: string;
}

export type RowOutcome =
  | {
      status: "accepted";
      line: number;
      place: Place;
      issues: RowIssue[];
      /** Cells of the older standard (0.1.x) translated to the current one: the record's history keeps them. */
      older?: OlderNote[];
    }
  | { status: "rejected"; line: number; issues: RowIssue[] }
  /** The whole file cannot be read (empty, not CSV/JSON, missing required column…): nothing is imported. */
  | { status: "file-error"; line: number | null; message: string; issues: RowIssue[] };

export interface ImportSummary {
  file: string;
  source: string;
  format: SourceFormat | null;
  shape: FileShape | null;
  read: number;
  accepted: number;
  rejected: number;
  approximateCoordinates: number;
  unparsedHours: number;
  /** Rows accepted with at least one warning. */
  withWarnings: number;
  fileError: string | null;
}

/** The stable internal id of a place: from its source and the producer's id, so re-imports find it. */
export function placeId(source: string, sourceId: string): string {
  return `lieu-${createHash("sha256").update(`${source}\u0000${sourceId}`).digest("hex").slice(0, 16)}`;
}

const warning = (line: number, field: string, value: string, rule: string, detail: string): RowIssue => ({
  line,
  field,
  value,
  rule,
  message: `ligne ${line}, champ ${field} : ${detail}`,
  severity: "warning",
});

/**
 * One warning per cell of the older standard that was translated (never an error: the row is kept), naming the
 * field as the file does and its original text.
 */
function olderWarnings(line: number, notes: OlderNote[]): RowIssue[] {
  return notes.map((n) =>
    warning(
      line,
      n.field,
      n.original,
      "ancien-standard",
      `valeur de l'ancien standard (0.1) « ${printable(n.original)} » traduite : ${printable(n.result, 300)} (l'original est gardé dans l'historique)`,
    ),
  );
}

/** From a valid standard record to a Place: commune, location, hours flag, provenance. Pure. */
export function buildPlace(
  standard: StandardPlace,
  line: number,
  opts: Pick<ImportOptions, "source" | "file" | "communes">,
  hoursUnparsed = false,
): { place: Place; issues: RowIssue[] } {
  const issues: RowIssue[] = [];
  const resolution = resolveCommune(opts.communes, standard);
  if (resolution?.note)
    issues.push(warning(line, "code_insee", standard.code_insee ?? "", "code_insee", resolution.note));
  const commune = resolution?.territory ?? null;
  if (!commune) {
    issues.push(
      warning(
        line,
        "commune",
        standard.commune,
        "commune",
        `commune « ${standard.commune} » introuvable avec le code postal ${standard.code_postal}`,
      ),
    );
  }
  const std: StandardPlace = { ...standard };
  // The resolved code fills an empty code_insee (it is derived from the referential, not invented).
  if (!std.code_insee && commune) std.code_insee = commune.id;
  let location: Place["location"] = null;
  let approximate = false;
  if (std.latitude !== null && std.longitude !== null) {
    location = { lat: std.latitude, lon: std.longitude };
    const mismatch = commune ? coordinatesMismatch(commune, std.latitude, std.longitude) : null;
    if (mismatch)
      issues.push(
        warning(line, "latitude", `${std.latitude} ; ${std.longitude}`, "coordinates-commune", mismatch),
      );
  } else if (commune && commune.lat !== null && commune.lon !== null) {
    location = { lat: commune.lat, lon: commune.lon };
    approximate = true;
  }
  let unparsed = hoursUnparsed;
  if (std.horaires && !unparsed && !checkHours(std.horaires).ok) unparsed = true;
  if (unparsed) {
    issues.push(
      warning(
        line,
        "horaires",
        std.horaires ?? "",
        "hours",
        `horaires illisibles au format OpenStreetMap (« ${std.horaires} ») : le texte d'origine est conservé`,
      ),
    );
  }
  return {
    place: {
      id: placeId(opts.source, std.id),
      standard: std,
      communeCode: commune?.id ?? null,
      communeMatch: resolution?.match ?? null,
      location,
      flags: { approximateCoordinates: approximate, unparsedHours: unparsed },
      provenance: [{ source: opts.source, file: opts.file, line, sourceId: std.id }],
    },
    issues,
  };
}

/**
 * Control characters (but tab, line feed, carriage return), lone UTF-16 surrogates and « � » (what bytes that are
 * not UTF-8 become when decoded; none of the real files holds one): never text to store.
 */
const UNREADABLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNREADABLE_ALL = new RegExp(UNREADABLE.source, "g");

/** A text shown in a message, its control characters replaced by « ? » (never echoed raw). */
const printable = (s: string, max = 80): string => {
  const t = s.replace(UNREADABLE_ALL, "?");
  return t.length > max ? `${t.slice(0, max)}…` : t;
};

/** Longest cell accepted (the longest real one is 499 characters), and for the indexed identifiers and names. */
const MAX_CELL = 10_000;
const MAX_KEY_CELL = 500;
const KEY_FIELDS = new Set(["id", "id_fs", "nom", "lib_fs"]);

/**
 * One error per cell holding a zero byte, another control character or a broken character, or too long to be
 * a value (a cut file, a missing quote that swallowed the rest of the file).
 */
function unreadableCells(row: SourceRow["row"], line: number): RowIssue[] {
  const issues: RowIssue[] = [];
  for (const [field, value] of Object.entries(row)) {
    const max = KEY_FIELDS.has(field) ? MAX_KEY_CELL : MAX_CELL;
    const broken = UNREADABLE.test(value) || UNREADABLE.test(field);
    if (!broken && value.length <= max) continue;
    const name = printable(field, 40);
    issues.push({
      line,
      field: name,
      value: printable(value),
      rule: broken ? "characters" : "length",
      message: broken
        ? `ligne ${line}, champ ${name} : caractère de contrôle ou octet nul (fichier abîmé ou mal encodé) : ligne refusée`
        : `ligne ${line}, champ ${name} : valeur trop longue (${value.length} caractères, ${max} au plus) : ligne refusée`,
      severity: "error",
    });
  }
  return issues;
}

const FS_REQUIRED = ["id_fs", "lib_fs", "adresse", "code_postal", "lib_com"];
const DI_REQUIRED = ["id", "nom", "adresse", "code_postal", "commune", "date_maj"];

/**
 * Imports a byte stream (a file, an upload): yields one outcome per row and fills `summary` as it goes.
 * Never throws for bad input: a file that cannot be read gives one "file-error" outcome.
 */
export function importPlaces(
  input: AsyncIterable<Buffer>,
  opts: ImportOptions,
): { summary: ImportSummary; outcomes: AsyncGenerator<RowOutcome> } {
  const summary = emptySummary(opts);
  async function* run(): AsyncGenerator<RowOutcome> {
    const fileError = (line: number | null, raw: string, issues: RowIssue[] = []): RowOutcome => {
      const message = printable(raw, 500);
      summary.fileError = message;
      return { status: "file-error", line, message, issues };
    };
    try {
      const { shape, rows } = await readRows(input, opts.file);
      summary.shape = shape;
      const first = await rows.next();
      if (first.done) {
        yield fileError(null, `${opts.file} : aucune ligne de données (seulement l'en-tête)`);
        return;
      }
      const columns = shape.header ?? Object.keys(first.value.row);
      const format = opts.format ?? detectSourceFormat(columns);
      if (!format) {
        yield fileError(
          1,
          `${opts.file} : format non reconnu (colonnes ${columns.slice(0, 6).map(printable).join(", ")}…) ; attendu : le standard des lieux de médiation numérique, la liste France Services ou des structures data·inclusion`,
        );
        return;
      }
      summary.format = format;
      const missing =
        shape.format === "csv"
          ? format === "standard"
            ? checkColumns(columns)
            : (format === "france-services" ? FS_REQUIRED : DI_REQUIRED)
                .filter((c) => !columns.includes(c))
                .map((c) => ({
                  line: 1,
                  field: c,
                  value: "",
                  rule: "column",
                  message: `ligne 1, champ ${c} : colonne obligatoire absente de l'en-tête`,
                  severity: "error" as const,
                }))
          : [];
      if (missing.length > 0) {
        yield fileError(
          1,
          `${opts.file} : colonne(s) obligatoire(s) absente(s) : ${missing.map((m) => printable(m.field)).join(", ")}`,
          missing,
        );
        return;
      }
      const dateMaj = opts.dateMaj ?? dateFromFileName(opts.file) ?? "";
      const map = (row: SourceRow["row"]): MappedRow =>
        format === "france-services"
          ? mapFranceServices(row, dateMaj)
          : format === "data-inclusion"
            ? mapDataInclusion(row)
            : mapStandard(row);
      const validate = fileValidator();
      async function* all(): AsyncGenerator<SourceRow> {
        yield first.value as SourceRow;
        yield* rows;
      }
      for await (const { line, row } of all()) {
        summary.read++;
        const unreadable = unreadableCells(row, line);
        if (unreadable.length > 0) {
          summary.rejected++;
          yield { status: "rejected", line, issues: unreadable };
          continue;
        }
        const mapped = map(row);
        const result: RowResult = validate(mapped.row, line);
        const older = mapped.older === undefined ? [] : olderWarnings(line, mapped.older);
        if (!result.place) {
          summary.rejected++;
          yield { status: "rejected", line, issues: [...result.issues, ...older] };
          continue;
        }
        const built = buildPlace(result.place, line, opts, mapped.hoursUnparsed === true);
        const issues = [...older, ...result.issues, ...built.issues];
        summary.accepted++;
        if (built.place.flags.approximateCoordinates) summary.approximateCoordinates++;
        if (built.place.flags.unparsedHours) summary.unparsedHours++;
        if (issues.length > 0) summary.withWarnings++;
        yield mapped.older === undefined
          ? { status: "accepted", line, place: built.place, issues }
          : { status: "accepted", line, place: built.place, issues, older: mapped.older };
      }
    } catch (e) {
      if (e instanceof DataFileError) {
        yield fileError(e.line, e.message);
        return;
      }
      throw e;
    }
  }
  return { summary, outcomes: run() };
}

/** One line per summary, in French, for the CLI. */
export function summaryText(s: ImportSummary): string {
  if (s.fileError) return `${s.file} : fichier refusé — ${s.fileError}`;
  return (
    `${s.file} : ${s.read} lignes lues, ${s.accepted} acceptées, ${s.rejected} refusées` +
    ` (${s.approximateCoordinates} coordonnées approximatives, ${s.unparsedHours} horaires illisibles)`
  );
}

/** The summary of an import before its first row. */
export function emptySummary(opts: Pick<ImportOptions, "file" | "source">): ImportSummary {
  return {
    file: opts.file,
    source: opts.source,
    format: null,
    shape: null,
    read: 0,
    accepted: 0,
    rejected: 0,
    approximateCoordinates: 0,
    unparsedHours: 0,
    withWarnings: 0,
    fileError: null,
  };
}
