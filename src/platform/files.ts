import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { pipeline } from "node:stream";
import { createGunzip, gunzipSync } from "node:zlib";
import { parse } from "csv-parse";

/** A problem in a data file, named by file and line so that a person can open it and look. */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly detail: string,
  ) {
    super(`${file}${line !== null ? `, ligne ${line}` : ""} : ${detail}`);
  }
}

/** Path shown to people: relative to the current folder when shorter. */
export const displayPath = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel.length < path.length ? rel : path;
};

/** sha256 of files' bytes, in the given order. */
export async function hashFiles(paths: string[]): Promise<string> {
  const hash = createHash("sha256");
  for (const p of paths) hash.update(await readFile(p));
  return hash.digest("hex");
}

/**
 * Streams the rows of a CSV (gzipped when the name ends in .gz) as records keyed by header,
 * with the file's line number (header = line 1). Checks that the required columns are present.
 */
export async function* readCsv(
  path: string,
  opts: { delimiter?: string; required?: string[] } = {},
): AsyncGenerator<{ line: number; row: Record<string, string> }> {
  const file = displayPath(path);
  const parser = parse({
    delimiter: opts.delimiter ?? ",",
    columns: (header: string[]) => {
      const cols = header.map((h) => h.replace(/^\uFEFF/, "").trim());
      const missing = (opts.required ?? []).filter((c) => !cols.includes(c));
      if (missing.length > 0) {
        throw new DataFileError(
          file,
          1,
          `colonne(s) manquante(s) : ${missing.map((m) => `« ${m} »`).join(", ")}`,
        );
      }
      return cols;
    },
    info: true,
    skip_empty_lines: true,
  });
  // pipeline() carries an error of any stage (missing file, bad gzip) to the parser, hence to the loop below.
  const ignore = () => {};
  if (path.endsWith(".gz")) pipeline(createReadStream(path), createGunzip(), parser, ignore);
  else pipeline(createReadStream(path), parser, ignore);
  try {
    for await (const rec of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      yield { line: rec.info.lines, row: rec.record };
    }
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    const err = e as { code?: string; lines?: number; message?: string };
    if (err.code === "ENOENT") throw new DataFileError(file, null, "fichier introuvable");
    if (err.code?.startsWith("Z_"))
      throw new DataFileError(file, null, "fichier compressé illisible (gzip corrompu)");
    throw new DataFileError(file, err.lines ?? null, `CSV mal formé (${err.message ?? String(e)})`);
  }
}

/** Reads a (gzipped) JSON file; a syntax error names the line. */
export async function readJson(path: string): Promise<unknown> {
  const file = displayPath(path);
  let text: string;
  try {
    const bytes = await readFile(path);
    text = (path.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT") throw new DataFileError(file, null, "fichier introuvable");
    throw new DataFileError(file, null, "fichier illisible (gzip corrompu ?)");
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = Number(/position (\d+)/.exec(msg)?.[1] ?? Number.NaN);
    const line = Number.isNaN(pos) ? null : text.slice(0, pos).split("\n").length;
    throw new DataFileError(file, line, "JSON invalide");
  }
}
