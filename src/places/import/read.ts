/**
 * Reading place files whatever their shape: CSV (`,` `;` or tab; UTF-8, UTF-8 with BOM or Windows-1252)
 * and JSON arrays of objects. Both are streamed row by row (constant memory on a 200 MB file).
 * Each row comes with its line: in a CSV the file's line (header = line 1, a multi-line quoted cell counts its
 * lines); in JSON the object's rank + 1, so that the first object is "ligne 2" as in a CSV (real JSON exports
 * are often a single line).
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import chardet from "chardet";
import { parse } from "csv-parse";
import iconv from "iconv-lite";
import { DataFileError } from "../../platform/files.ts";
import type { RawRow } from "../model.ts";

export type Encoding = "utf-8" | "utf-8-bom" | "utf-16le" | "utf-16be" | "windows-1252";

/** iconv-lite's name of each encoding. */
const ICONV: Record<Encoding, string> = {
  "utf-8": "utf8",
  "utf-8-bom": "utf8",
  "utf-16le": "utf16le",
  "utf-16be": "utf16be",
  "windows-1252": "win1252",
};
export type Separator = "," | ";" | "\t";

export interface SourceRow {
  line: number;
  row: RawRow;
}

/** What was found about a file before reading it. */
export interface FileShape {
  format: "csv" | "json";
  encoding: Encoding;
  separator: Separator | null;
  /** CSV header (trimmed, without BOM); null for JSON. */
  header: string[] | null;
}

/** True when the bytes are valid UTF-8 (a sequence cut at the end of the sample is tolerated). */
function isUtf8(bytes: Buffer, complete: boolean): boolean {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const n = b < 0x80 ? 0 : b >> 5 === 6 ? 1 : b >> 4 === 14 ? 2 : b >> 3 === 30 ? 3 : -1;
    if (n < 0) return false;
    if (i + n >= bytes.length) return !complete && n > 0 ? true : i + n < bytes.length;
    for (let k = 1; k <= n; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return false;
    i += n + 1;
  }
  return true;
}

/**
 * Encoding of a file from its first bytes: BOM (UTF-8, UTF-16), else UTF-16 without BOM (a zero byte every other
 * byte: what spreadsheet programs write as « Unicode text »), else valid UTF-8, else Windows-1252 (a superset
 * of Latin-1).
 */
export function detectEncoding(sample: Buffer, complete = true): Encoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return "utf-8-bom";
  if (sample[0] === 0xff && sample[1] === 0xfe) return "utf-16le";
  if (sample[0] === 0xfe && sample[1] === 0xff) return "utf-16be";
  const pairs = Math.min(sample.length >> 1, 512);
  let zeroOdd = 0;
  let zeroEven = 0;
  for (let i = 0; i < pairs; i++) {
    if (sample[2 * i] === 0) zeroEven++;
    if (sample[2 * i + 1] === 0) zeroOdd++;
  }
  if (pairs >= 4 && zeroOdd > pairs * 0.6 && zeroEven === 0) return "utf-16le";
  if (pairs >= 4 && zeroEven > pairs * 0.6 && zeroOdd === 0) return "utf-16be";
  if (isUtf8(sample, complete)) return "utf-8";
  const guess = chardet.detect(sample);
  // chardet tells Latin-1 and Windows-1252 apart unreliably; Windows-1252 decodes both (plus € œ ’ …).
  if (guess && /^(ISO-8859-1|ISO-8859-15|windows-1252)$/i.test(guess)) return "windows-1252";
  return "windows-1252";
}

/** The separator of a CSV header line: the most frequent of `,` `;` tab outside quotes. */
export function detectSeparator(headerLine: string): Separator {
  const counts: Record<Separator, number> = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const c of headerLine) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "," || c === ";" || c === "\t")) counts[c]++;
  }
  const best = (Object.entries(counts) as [Separator, number][]).sort((a, b) => b[1] - a[1])[0];
  return best && best[1] > 0 ? best[0] : ",";
}

const SAMPLE_BYTES = 64 * 1024;

/** Reads the first bytes of a stream and gives them back with a stream of the whole content. */
async function peek(
  input: AsyncIterable<Buffer>,
): Promise<{ head: Buffer; all: Readable; complete: boolean }> {
  const it = input[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < SAMPLE_BYTES) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest() {
    yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, all: Readable.from(rest(), { objectMode: false }), complete: done };
}

/** A stream of the file's bytes (gunzipped when the name ends in .gz). */
export function openFile(path: string): Readable {
  const raw = createReadStream(path);
  if (!path.endsWith(".gz")) return raw;
  const gunzip = createGunzip();
  raw.on("error", (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/**
 * Reads rows from a byte stream, detecting format, encoding and separator.
 * `file` names the file in messages. Throws DataFileError (French) for what makes the whole file unreadable.
 */
export async function readRows(
  input: AsyncIterable<Buffer>,
  file: string,
): Promise<{ shape: FileShape; rows: AsyncGenerator<SourceRow> }> {
  let peeked: Awaited<ReturnType<typeof peek>>;
  try {
    peeked = await peek(input);
  } catch (e) {
    throw ioError(file, e);
  }
  const { head, all, complete } = peeked;
  const encoding = detectEncoding(head, complete);
  const text = iconv.decode(head, ICONV[encoding]);
  const start = text.replace(/^\uFEFF/, "").trimStart();
  if (start === "") throw new DataFileError(file, null, "fichier vide");
  // A zero byte is never text: a few are refused row by row (rows.ts), many at the start make a binary file.
  if (start.slice(0, 4096).split("\u0000").length > 8)
    throw new DataFileError(
      file,
      null,
      "fichier binaire ou encodage inconnu (octets nuls) : un fichier CSV ou JSON est attendu",
    );
  const decoder = iconv.decodeStream(ICONV[encoding]) as unknown as Readable;
  const decoded = all.pipe(decoder as unknown as NodeJS.WritableStream) as unknown as Readable;
  all.on("error", (e) => decoded.destroy(e));
  if (start.startsWith("[") || start.startsWith("{")) {
    return {
      shape: { format: "json", encoding, separator: null, header: null },
      rows: jsonRows(decoded, file),
    };
  }
  const firstLine = start.split(/\r?\n/)[0] ?? "";
  const separator = detectSeparator(firstLine);
  const header = parseHeader(firstLine, separator);
  return {
    shape: { format: "csv", encoding, separator, header },
    rows: csvRows(decoded, file, separator),
  };
}

function parseHeader(line: string, sep: Separator): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      if (quoted && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === sep && !quoted) {
      out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

function ioError(file: string, e: unknown): DataFileError {
  const err = e as { code?: string; message?: string };
  if (err.code === "ENOENT") return new DataFileError(file, null, "fichier introuvable");
  if (err.code === "EISDIR") return new DataFileError(file, null, "c'est un dossier, pas un fichier");
  if (err.code?.startsWith("Z_"))
    return new DataFileError(file, null, "fichier compressé illisible (gzip corrompu)");
  return new DataFileError(file, null, `lecture impossible (${err.message ?? String(e)})`);
}

async function* csvRows(text: Readable, file: string, delimiter: Separator): AsyncGenerator<SourceRow> {
  const parser = parse({
    delimiter,
    columns: (header: string[]) => header.map((h) => h.replace(/^\uFEFF/, "").trim()),
    info: true,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
  });
  text.on("error", (e) => parser.destroy(e));
  text.pipe(parser);
  try {
    for await (const rec of parser as AsyncIterable<{
      record: Record<string, string | undefined>;
      info: { lines: number };
    }>) {
      const row: RawRow = {};
      for (const [k, v] of Object.entries(rec.record)) row[k] = v ?? "";
      yield { line: rec.info.lines, row };
    }
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    const err = e as { code?: string; lines?: number; message?: string };
    if (err.code?.startsWith("CSV_")) {
      throw new DataFileError(file, err.lines ?? null, `CSV mal formé (${err.message ?? String(e)})`);
    }
    throw ioError(file, e);
  }
}

/** A JSON value as cell text: numbers and booleans as written, lists joined with `|`, null as empty. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map(cellText).join("|");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/**
 * Streams the objects of a JSON array (`[ {...}, {...} ]`) without holding the whole file:
 * a small scanner cuts each top-level object out of the text and parses it alone.
 */
async function* jsonRows(text: Readable, file: string): AsyncGenerator<SourceRow> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  let rank = 0;
  let buf = "";
  let collecting = false;
  let sawArray = false;
  try {
    for await (const chunk of text as AsyncIterable<string>) {
      let from = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i];
        if (c === "\n") line++;
        if (inString) {
          if (escaped) escaped = false;
          else if (c === "\\") escaped = true;
          else if (c === '"') inString = false;
          continue;
        }
        if (c === '"') {
          inString = true;
        } else if (c === "[" || c === "{") {
          if (depth === 0) {
            if (c !== "[")
              throw new DataFileError(file, line, "un tableau JSON de lieux est attendu ([ {…}, {…} ])");
            sawArray = true;
          } else if (depth === 1) {
            if (c !== "{")
              throw new DataFileError(file, line, "chaque élément du tableau doit être un objet {…}");
            collecting = true;
            rank++;
            from = i;
            buf = "";
          }
          depth++;
        } else if (c === "]" || c === "}") {
          depth--;
          if (depth === 1 && collecting) {
            buf += chunk.slice(from, i + 1);
            collecting = false;
            let obj: Record<string, unknown>;
            try {
              obj = JSON.parse(buf) as Record<string, unknown>;
            } catch {
              throw new DataFileError(file, rank + 1, `JSON invalide dans l'objet n° ${rank}`);
            }
            const row: RawRow = {};
            for (const [k, v] of Object.entries(obj)) row[k] = cellText(v);
            yield { line: rank + 1, row };
            buf = "";
          }
          if (depth < 0) throw new DataFileError(file, line, "JSON invalide (crochet fermant en trop)");
        } else if (depth === 1 && !/[\s,]/.test(c as string)) {
          throw new DataFileError(file, line, "chaque élément du tableau doit être un objet {…}");
        }
      }
      if (collecting) {
        buf += chunk.slice(from);
      }
    }
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    throw ioError(file, e);
  }
  if (!sawArray) throw new DataFileError(file, null, "un tableau JSON de lieux est attendu");
  if (depth !== 0 || inString) throw new DataFileError(file, line, "JSON incomplet (fichier tronqué ?)");
}
