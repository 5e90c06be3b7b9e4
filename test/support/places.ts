/** Real files and helpers shared by the places tests (not shipped code). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { type CommuneIndex, communeIndex } from "../../src/places/import/communes.ts";
import { openFile } from "../../src/places/import/read.ts";
import { type ImportOptions, importPlaces, type RowOutcome } from "../../src/places/import/rows.ts";
import { DATA_DIR } from "./paths.ts";
import { territoriesWithoutGeometries } from "./real-data.ts";

export const FILES = {
  franceServices: "mediation/france-services-2024-08-01.csv.gz",
  cnfs: "mediation/lieux-conseillers-numeriques-cnfs-2022-12.json.gz",
  paca: "mediation/lieux-mediation-numerique-paca-hub-du-sud-2023-05.json.gz",
} as const;

export const EXAMPLE_CSV = join(import.meta.dirname, "../../src/places/standard/exemple-valide.csv");

let index: Promise<CommuneIndex> | null = null;
/** The real COG 2025 communes, loaded once per test file. */
export function communes(): Promise<CommuneIndex> {
  index ??= territoriesWithoutGeometries(DATA_DIR).then((d) => communeIndex(d.territories));
  return index;
}

/** The real file's text (gunzipped). */
export async function realText(name: string): Promise<string> {
  return gunzipSync(await readFile(join(DATA_DIR, name))).toString("utf8");
}

export const bytes = (b: Buffer | string): AsyncIterable<Buffer> =>
  Readable.from([Buffer.isBuffer(b) ? b : Buffer.from(b, "utf8")]);

/** Imports everything and returns the outcomes and the summary. */
export async function importAll(input: AsyncIterable<Buffer>, opts: Omit<ImportOptions, "communes">) {
  const { summary, outcomes } = importPlaces(input, { ...opts, communes: await communes() });
  const all: RowOutcome[] = [];
  for await (const o of outcomes) all.push(o);
  return { summary, outcomes: all };
}

export const importReal = (name: string, source: string) =>
  importAll(openFile(join(DATA_DIR, name)), { source, file: name.split("/").pop() as string });
