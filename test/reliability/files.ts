/**
 * Malformed files over every importer (standard CSV and JSON, France Services CSV, data·inclusion JSON), each
 * made from real rows then damaged: a NUL byte in a row, UTF-16 with and without BOM, cut in the middle, bytes
 * that are not UTF-8, a 20 MB line, binary bytes, an empty file. Each must give a clean refusal (nothing written)
 * or clean per-row errors: never a crash, never a raw database error, never a control character in a message.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import iconv from "iconv-lite";
import type { AppContext } from "../../src/context.ts";
import { exportDataInclusion } from "../../src/places/data-inclusion.ts";
import { exportCsv, exportJson } from "../../src/places/export.ts";
import { importFile } from "../../src/places/import/ingest.ts";
import type { SourceFormat } from "../../src/places/import/sources.ts";
import type { Place } from "../../src/places/model.ts";
import { tableCounts } from "../../src/places/store/history.ts";
import { streamPlaces } from "../../src/places/store/published.ts";
import { communesOf } from "../../src/places/sync.ts";
import { DATA_DIR } from "../support/paths.ts";

export interface FileFinding {
  file: string;
  problem: string;
}

const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

async function collect(gen: AsyncIterable<string>): Promise<string> {
  let s = "";
  for await (const x of gen) s += x;
  return s;
}

/** Real files, small: 60 real places of the Creuse in each shape, and the head of the real France Services file. */
async function realFiles(ctx: AppContext): Promise<{ name: string; format: SourceFormat; text: string }[]> {
  const places: Place[] = [];
  for await (const p of streamPlaces(ctx.database.db, {})) {
    places.push(p);
    if (places.length >= 60) break;
  }
  const fs = gunzipSync(await readFile(join(DATA_DIR, "mediation/france-services-2024-08-01.csv.gz")))
    .toString("utf8")
    .split("\n")
    .slice(0, 61)
    .join("\n");
  return [
    { name: "standard.csv", format: "standard", text: await collect(exportCsv(places)) },
    { name: "standard.json", format: "standard", text: await collect(exportJson(places)) },
    { name: "france-services-2024-08-01.csv", format: "france-services", text: `${fs}\n` },
    {
      name: "data-inclusion.json",
      format: "data-inclusion",
      text: await collect(exportDataInclusion(places)),
    },
  ];
}

/** The damages: each takes the real file's text and gives bytes. */
const DAMAGES: [string, (text: string) => Buffer][] = [
  [
    "octet nul dans une ligne",
    (t) => {
      const i = t.indexOf("\n", t.indexOf("\n", t.indexOf("\n") + 1) + 1) + 8;
      return Buffer.from(`${t.slice(0, i)}\u0000${t.slice(i)}`);
    },
  ],
  ["UTF-16 avec BOM", (t) => Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(t, "utf16le")])],
  ["UTF-16 sans BOM", (t) => iconv.encode(t, "utf16le")],
  [
    "UTF-16 big-endian avec BOM",
    (t) => Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(t, "utf16be")]),
  ],
  ["tronqué", (t) => Buffer.from(t).subarray(0, Math.floor(Buffer.byteLength(t) * 0.6))],
  [
    "octets non UTF-8",
    (t) => {
      const b = Buffer.from(t);
      const i = b.indexOf(0x0a, b.length >> 1) + 10;
      return Buffer.concat([b.subarray(0, i), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), b.subarray(i)]);
    },
  ],
  [
    "ligne de 20 Mo",
    (t) => {
      const i = t.indexOf("\n", t.indexOf("\n") + 1) + 5;
      return Buffer.from(`${t.slice(0, i)}${"A".repeat(20 * 1024 * 1024)}${t.slice(i)}`);
    },
  ],
  [
    "binaire",
    () => {
      const b = Buffer.alloc(4096);
      for (let i = 0; i < b.length; i++) b[i] = (i * 7919 + 13) % 256;
      return b;
    },
  ],
  ["vide", () => Buffer.alloc(0)],
  ["en-tête seul", (t) => Buffer.from(t.startsWith("[") ? "[]" : `${t.split("\n")[0]}\n`)],
];

/** Runs every damage over every importer, in the process (the server is stopped). */
export async function malformedFiles(
  ctx: AppContext,
): Promise<{ runs: number; refused: number; rejectedRows: number; findings: FileFinding[] }> {
  const findings: FileFinding[] = [];
  let runs = 0;
  let refused = 0;
  let rejectedRows = 0;
  for (const real of await realFiles(ctx)) {
    for (const [damage, make] of DAMAGES) {
      const file = `${real.name} (${damage})`;
      runs++;
      const before = await tableCounts(ctx.database.db);
      try {
        const r = await importFile(ctx.database.db, Readable.from([make(real.text)]), {
          source: `fiabilite-${real.format}`,
          file: real.name,
          format: real.format,
          communes: communesOf(ctx.territories),
          by: "banc de fiabilité",
        });
        const messages = [r.refused ?? "", ...r.errors.map((e) => e.message)];
        if (messages.some((m) => CONTROL.test(m)))
          findings.push({ file, problem: "caractère de contrôle dans un message" });
        if (messages.some((m) => /syntax|invalid input|violates|\bSQL\b|postgres/i.test(m)))
          findings.push({ file, problem: `erreur brute de la base : ${messages.join(" | ").slice(0, 200)}` });
        if (r.refused) {
          refused++;
          const after = await tableCounts(ctx.database.db);
          if (JSON.stringify(after) !== JSON.stringify(before))
            findings.push({ file, problem: "fichier refusé mais la base a changé" });
        } else rejectedRows += r.counts.rejected;
      } catch (e) {
        findings.push({ file, problem: `plantage : ${String((e as Error).message).slice(0, 200)}` });
      }
    }
  }
  return { runs, refused, rejectedRows, findings };
}
