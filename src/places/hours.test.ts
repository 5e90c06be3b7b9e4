import assert from "node:assert/strict";
import { test } from "node:test";
import { checkHours, dayColumnsToOpeningHours, parseHours } from "./hours.ts";

test("valid OSM hours of the standard's example parse, with French public holidays", () => {
  assert.deepEqual(checkHours("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00"), { ok: true, warnings: [] });
  const oh = parseHours("Mo-Fr 09:00-12:00; PH off");
  assert.ok(oh);
  // 14 July 2025 is a Monday and a public holiday: closed; the next Monday is open.
  assert.equal(oh.isOpen(new Date("2025-07-14T10:00:00+02:00")), false);
  assert.equal(oh.isOpen(new Date("2025-07-21T10:00:00+02:00")), true);
});

test("hours the library cannot read are reported; French day names it can fix give warnings", () => {
  assert.equal(checkHours("lundi 9h").ok, false);
  assert.equal(checkHours("Mo 09:00-12:00 / 14:00-17:00").ok, false);
  const fixed = checkHours("lundi 9h-12h");
  assert.equal(fixed.ok, true);
  assert.ok(fixed.ok && fixed.warnings.length > 0);
});

test("France Services day columns (real row id_fs 1, Valserhône) become one OSM value", () => {
  const r = dayColumnsToOpeningHours([
    "13:30 - 17:00",
    "09:00 - 12:00 / 13:30 - 17:00",
    "09:00 - 12:00 / 13:30 - 17:00",
    "09:00 - 12:00 / 13:30 - 17:00",
    "09:00 - 12:00 / 13:30 - 16:00",
    "",
  ]);
  assert.deepEqual(r, {
    ok: true,
    value: "Mo 13:30-17:00; Tu-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00,13:30-16:00",
  });
  assert.equal(r.ok && r.value !== null && checkHours(r.value).ok, true);
});

test("two consecutive days use a comma, '00:00 - 00:00' means closed, no hours at all gives null", () => {
  const r = dayColumnsToOpeningHours(["09:00 - 12:00", "09:00 - 12:00", "00:00 - 00:00", "", "", ""]);
  assert.deepEqual(r, { ok: true, value: "Mo,Tu 09:00-12:00" });
  assert.deepEqual(dayColumnsToOpeningHours(["", "", "", "", "", ""]), { ok: true, value: null });
});

test("an unreadable day keeps the original text of every day, in French", () => {
  const r = dayColumnsToOpeningHours(["9h-12h le matin", "09:00 - 12:00", "", "", "", ""]);
  assert.deepEqual(r, { ok: false, original: "lundi : 9h-12h le matin ; mardi : 09:00 - 12:00" });
});
