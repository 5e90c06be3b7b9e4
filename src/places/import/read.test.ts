import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import iconv from "iconv-lite";
import { bytes, FILES, realText } from "../../../test/support/places.ts";
import { detectEncoding, detectSeparator, readRows } from "./read.ts";

const collect = async (input: AsyncIterable<Buffer>, file = "f") => {
  const { shape, rows } = await readRows(input, file);
  const all = [];
  for await (const r of rows) all.push(r);
  return { shape, rows: all };
};

test("encoding: UTF-8, UTF-8 with BOM, Windows-1252", () => {
  assert.equal(detectEncoding(Buffer.from("nom\nValserhône\n")), "utf-8");
  assert.equal(detectEncoding(Buffer.from("\uFEFFnom\nValserhône\n")), "utf-8-bom");
  assert.equal(detectEncoding(iconv.encode("nom\nValserhône\n", "win1252")), "windows-1252");
  // A multi-byte character cut at the end of a sample is still UTF-8.
  assert.equal(detectEncoding(Buffer.from("Valserhô").subarray(0, -1), false), "utf-8");
});

test("separator: the most frequent of , ; tab outside quotes", () => {
  assert.equal(detectSeparator('"id","nom";x'), ",");
  assert.equal(detectSeparator("Raison sociale;Commune INSEE;Département"), ";");
  assert.equal(detectSeparator("a\tb\tc"), "\t");
  assert.equal(detectSeparator('"a,b";"c,d";e'), ";");
});

test("real PACA JSON: 646 objects, lines as rank + 1, numbers as text", async () => {
  const { shape, rows } = await collect(bytes(await realText(FILES.paca)));
  assert.equal(shape.format, "json");
  assert.equal(rows.length, 646);
  assert.equal(rows[0]?.line, 2);
  assert.equal(rows[0]?.row.id, "dora-3d647b3a-a5b6-41f8-8374-ba37c1ff1746");
  assert.equal(typeof rows.find((r) => r.row.latitude)?.row.latitude, "string");
});

test("JSON cut into tiny chunks (strings with brackets and escapes across chunks) reads the same", async () => {
  const text = await realText(FILES.paca);
  const whole = await collect(bytes(text));
  const buf = Buffer.from(text);
  const chunks = [];
  for (let i = 0; i < buf.length; i += 7) chunks.push(buf.subarray(i, i + 7));
  const pieces = await collect(Readable.from(chunks));
  assert.deepEqual(pieces.rows, whole.rows);
});

test("a large CSV is streamed in constant memory (real France Services rows repeated to ~30 MB)", async () => {
  const lines = (await realText(FILES.franceServices)).trimEnd().split("\n");
  const header = lines[0] as string;
  const body = Buffer.from(`${lines.slice(1).join("\n")}\n`);
  const copies = Math.ceil((30 * 1024 * 1024) / body.length);
  async function* source() {
    yield Buffer.from(`${header}\n`);
    for (let i = 0; i < copies; i++) yield body;
  }
  const { rows } = await readRows(source(), "gros.csv");
  let n = 0;
  let peak = 0;
  const start = process.memoryUsage().heapUsed;
  for await (const _ of rows) {
    n++;
    if (n % 20_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - start);
  }
  // 2845 records per copy (some quoted cells span several lines).
  assert.equal(n, copies * 2845);
  assert.ok(peak < 100 * 1024 * 1024, `heap grew by ${Math.round(peak / 1e6)} MB`);
});
