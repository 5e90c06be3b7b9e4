import assert from "node:assert/strict";
import { test } from "node:test";
import { importPlaces } from "../src/places/import/rows.ts";
import { communes, FILES, realText } from "./support/places.ts";

/**
 * A 200 MB national file made of the real France Services rows, repeated with shifted ids (never invented
 * places: the same real rows under new identifiers), streamed through reading, validation and commune resolution.
 * The heap must not grow with the file: rows are validated one at a time and let go.
 */
test("a 200 MB file is imported as a stream, in constant memory", { timeout: 900_000 }, async () => {
  const lines = (await realText(FILES.franceServices)).trimEnd().split("\n");
  const header = lines[0] as string;
  const body = `${lines.slice(1).join("\n")}\n`;
  const size = Buffer.byteLength(body);
  const copies = Math.ceil((200 * 1024 * 1024) / size);
  async function* source() {
    yield Buffer.from(`${header}\n`);
    // Each copy gets new ids: "id_fs" is the first column, a quoted number in this file.
    for (let i = 1; i <= copies; i++)
      yield Buffer.from(body.replace(/^"(\d+)",/gm, (_, id) => `"${i}-${id}",`));
  }
  global.gc?.();
  const start = process.memoryUsage().heapUsed;
  let peak = 0;
  let n = 0;
  const { summary, outcomes } = importPlaces(source(), {
    source: "france-services",
    file: "national.csv",
    communes: await communes(),
    format: "france-services",
    dateMaj: "2024-08-01",
  });
  for await (const o of outcomes) {
    if (o.status !== "accepted") continue;
    n++;
    if (n % 25_000 === 0) {
      global.gc?.();
      peak = Math.max(peak, process.memoryUsage().heapUsed - start);
    }
  }
  console.log(
    `${Math.round((copies * size) / 1024 / 1024)} Mo, ${summary.read} lignes lues, ${summary.accepted} acceptées, croissance du tas ${Math.round(peak / 1024 / 1024)} Mo`,
  );
  assert.equal(summary.read, copies * 2845);
  assert.equal(summary.accepted, copies * 2845);
  // A 200 MB file held in memory would take far more than this.
  assert.ok(peak < 80 * 1024 * 1024, `heap grew by ${Math.round(peak / 1024 / 1024)} MB`);
});
