/**
 * The fast path of checkHours (a regular expression for the plain weekly subset) must agree with the
 * `opening_hours` library on every distinct `horaires` value of the shipped real files, and on the hours
 * converted from France Services' per-day columns.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "csv-parse/sync";
import {
  checkHours,
  dayColumnsToOpeningHours,
  isSimpleHours,
  libraryCheck,
  parseHours,
  simpleWeek,
  weekSchedule,
} from "../src/places/hours.ts";
import { FILES, realText } from "./support/places.ts";

async function realHours(): Promise<{ json: Set<string>; franceServices: Set<string> }> {
  const json = new Set<string>();
  for (const f of [FILES.cnfs, FILES.paca]) {
    const rows = JSON.parse(await realText(f)) as { horaires?: unknown }[];
    for (const r of rows)
      if (typeof r.horaires === "string" && r.horaires.trim() !== "") json.add(r.horaires.trim());
  }
  const franceServices = new Set<string>();
  const csv = parse(await realText(FILES.franceServices), {
    columns: true,
    bom: true,
  }) as Record<string, string>[];
  const days = ["h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi", "h_samedi"];
  for (const r of csv) {
    const h = dayColumnsToOpeningHours(days.map((d) => r[d]));
    if (h.ok && h.value) franceServices.add(h.value);
  }
  return { json, franceServices };
}

test("checkHours accepts exactly what the opening_hours library accepts, on every real value", async () => {
  const { json, franceServices } = await realHours();
  assert.ok(json.size > 500, `${json.size} distinct values in the JSON files`);
  assert.ok(franceServices.size > 500, `${franceServices.size} distinct converted France Services values`);
  let fast = 0;
  for (const value of [...json, ...franceServices]) {
    const lib = libraryCheck(value);
    const ours = checkHours(value);
    assert.equal(ours.ok, lib.ok, `« ${value} » : checkHours ${ours.ok}, bibliothèque ${lib.ok}`);
    if (isSimpleHours(value)) {
      fast++;
      // The fast path claims a valid value without warnings: the library must agree on both.
      assert.deepEqual(lib, { ok: true, warnings: [] }, `« ${value} »`);
    } else assert.deepEqual(ours, lib, `« ${value} »`);
  }
  // Nearly every France Services conversion takes the fast path (not the few with overlapping ranges).
  const fsFast = [...franceServices].filter(isSimpleHours).length;
  assert.ok(fsFast > franceServices.size * 0.95, `${fsFast} / ${franceServices.size} on the fast path`);
  assert.ok(fast > json.size / 2, `${fast} values on the fast path`);
});

test("simpleWeek reads the open days and latest closing times as the library does, on every real simple value", async () => {
  const { json, franceServices } = await realHours();
  let compared = 0;
  for (const value of [...json, ...franceServices]) {
    const week = simpleWeek(value);
    if (!isSimpleHours(value)) {
      assert.equal(week, null, value);
      continue;
    }
    assert.ok(week, value);
    const h = parseHours(value);
    assert.ok(h, value);
    // A week without public holiday (16 November 2026), on the place's wall clock.
    const days = weekSchedule(h, "2026-11-16");
    const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
    assert.deepEqual(
      week.open,
      days.map((d) => d.intervals.length > 0),
      value,
    );
    assert.deepEqual(
      week.closes,
      days.map((d) => Math.max(0, ...d.intervals.map((i) => minutesOf(i.to)))),
      value,
    );
    compared++;
  }
  assert.ok(compared > 1000, `${compared} values compared`);
});
