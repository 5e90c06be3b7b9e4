/**
 * A large France Services file made of the real rows of data/ repeated with distinct ids (never an invented place:
 * the same real rows under new identifiers), written to a temporary folder, never committed.
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

const FRANCE_SERVICES = "mediation/france-services-2024-08-01.csv.gz";

/** Writes `megabytes` of real France Services rows to `path`; returns the number of rows and bytes. */
export async function writeBigFile(
  dataDir: string,
  path: string,
  megabytes: number,
): Promise<{ rows: number; bytes: number }> {
  const text = gunzipSync(await readFile(join(dataDir, FRANCE_SERVICES))).toString("utf8");
  const lines = text.trimEnd().split("\n");
  const header = lines[0] as string;
  const body = `${lines.slice(1).join("\n")}\n`;
  // Records, not lines: a quoted cell may hold line breaks.
  const perCopy = body.match(/^"(\d+)",/gm)?.length ?? 0;
  const copies = Math.max(1, Math.ceil((megabytes * 1024 * 1024) / Buffer.byteLength(body)));
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (s: string) => {
    bytes += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, "drain");
  };
  await write(`${header}\n`);
  // "id_fs" is the first column, a quoted number: each copy gets new ids.
  for (let i = 1; i <= copies; i++) await write(body.replace(/^"(\d+)",/gm, (_, id) => `"${i}-${id}",`));
  out.end();
  await once(out, "finish");
  return { rows: copies * perCopy, bytes };
}
