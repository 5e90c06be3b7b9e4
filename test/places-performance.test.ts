/**
 * The fast paths added for speed give the same answers as the plain code: validation (Sets, one object
 * shape, no per-row allocations) and deduplication (features folded once per place, scores without
 * explanations for clearly distinct pairs), on the real shipped files.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { candidatePairs, dedupe, scorePair } from "../src/places/dedupe.ts";
import { mapStandard } from "../src/places/import/sources.ts";
import { type Place, type RawRow, STANDARD_FIELDS } from "../src/places/model.ts";
import { splitList, validateRow } from "../src/places/schema.ts";
import { FILES, importReal, realText } from "./support/places.ts";

test("mapStandard gives every field of the standard, in order, even for an empty row", () => {
  assert.deepEqual(Object.keys(mapStandard({}).row), [...STANDARD_FIELDS]);
});

test("splitList keeps the order, trims, drops empties; repeated values are kept once by validateRow", async () => {
  assert.deepEqual(splitList(" a | b ||c|"), ["a", "b", "c"]);
  assert.deepEqual(splitList("a;b; ;c"), ["a", "b", "c"]);
  const paca = JSON.parse(await realText(FILES.paca)) as Record<string, unknown>[];
  const raw = Object.fromEntries(
    Object.entries(paca[0] as object).map(([k, v]) => [k, v === null ? "" : String(v)]),
  ) as RawRow;
  const row = mapStandard(raw).row;
  const services = row.services as string;
  row.services = `${services}|${services}`;
  const r = validateRow(row, 2);
  assert.ok(r.place);
  assert.deepEqual(r.place.services, splitList(services));
});

test("dates: real calendar days only, 29 February on leap years", async () => {
  const paca = JSON.parse(await realText(FILES.paca)) as Record<string, unknown>[];
  const base = mapStandard(
    Object.fromEntries(Object.entries(paca[0] as object).map(([k, v]) => [k, v === null ? "" : String(v)])),
  ).row;
  const dateOk = (d: string) => validateRow({ ...base, date_maj: d }, 2).place !== null;
  assert.equal(dateOk("2024-02-29"), true);
  assert.equal(dateOk("2000-02-29"), true);
  assert.equal(dateOk("2023-02-29"), false);
  assert.equal(dateOk("1900-02-29"), false);
  assert.equal(dateOk("2023-04-31"), false);
  assert.equal(dateOk("2023-13-01"), false);
  assert.equal(dateOk("2023-00-10"), false);
  assert.equal(dateOk("2023-12-31"), true);
});

test("deduplication of the real places: every candidate pair left out by the quick score is 'distincts'", async () => {
  const places: Place[] = [];
  for (const [file, source] of [
    [FILES.franceServices, "france-services"],
    [FILES.cnfs, "conseillers-numeriques"],
    [FILES.paca, "hub-du-sud"],
  ] as const) {
    const { outcomes } = await importReal(file, source);
    for (const o of outcomes) if (o.status === "accepted") places.push(o.place);
  }
  const result = dedupe(places);
  const kept = new Set<string>();
  for (const m of result.merged) for (const p of m.pairs) kept.add(`${p.a} ${p.b}`);
  for (const p of result.toReview) kept.add(`${p.a} ${p.b}`);
  // The full explained score of every candidate pair: those above the review threshold are exactly the ones kept.
  let above = 0;
  for (const [i, j] of candidatePairs(places)) {
    const s = scorePair(places[i] as Place, places[j] as Place);
    if (s.decision === "distincts") assert.ok(!kept.has(`${s.a} ${s.b}`));
    else if (s.decision === "fusion") {
      above++;
      assert.ok(kept.has(`${s.a} ${s.b}`), `${s.a} ${s.b}`);
    }
  }
  assert.equal(
    above,
    result.merged.reduce((n, m) => n + m.pairs.length, 0),
  );
  // Replicated records (shifted ids, as in the national bench file) all merge back into the real places.
  const copies = places.slice(0, 3000).map((p) => ({ ...p, id: `${p.id}-copie` }));
  const again = dedupe([...places, ...copies]);
  assert.equal(again.places.length, result.places.length);
});
