import assert from "node:assert/strict";
import { test } from "node:test";
import {
  addDays,
  dayAt,
  dayIn,
  daysBetween,
  fixedClock,
  fromWallDate,
  mondayOf,
  parseDay,
  toWallDate,
  wallTime,
  zonedInstant,
} from "./clock.ts";
import { formatDateTime, formatDay, formatNumber, frenchClock, frenchTime } from "./format.ts";

test("the wall clock of an instant in a named zone, whatever the machine's zone", () => {
  const t = new Date("2026-11-22T23:30:00Z"); // Sunday 23:30 UTC
  assert.deepEqual(wallTime(t, "Europe/Paris"), {
    year: 2026,
    month: 11,
    day: 23,
    hour: 0,
    minute: 30,
    second: 0,
    weekday: 0,
  });
  assert.equal(dayIn(t, "UTC"), "2026-11-22");
  assert.equal(dayIn(t, "Indian/Reunion"), "2026-11-23");
  assert.equal(dayIn(t, "America/Cayenne"), "2026-11-22");
  assert.equal(wallTime(t, "America/Cayenne").hour, 20);
});

test("from a wall clock back to the instant, across summer time changes", () => {
  assert.equal(zonedInstant("Europe/Paris", 2026, 1, 15, 10).toISOString(), "2026-01-15T09:00:00.000Z");
  assert.equal(zonedInstant("Europe/Paris", 2026, 7, 15, 10).toISOString(), "2026-07-15T08:00:00.000Z");
  // 29 March 2026: 01:30 is still winter time, 02:30 does not exist (taken as 03:30), 03:30 is summer time.
  assert.equal(zonedInstant("Europe/Paris", 2026, 3, 29, 1, 30).toISOString(), "2026-03-29T00:30:00.000Z");
  assert.equal(zonedInstant("Europe/Paris", 2026, 3, 29, 2, 30).toISOString(), "2026-03-29T01:30:00.000Z");
  assert.equal(zonedInstant("Europe/Paris", 2026, 3, 29, 3, 30).toISOString(), "2026-03-29T01:30:00.000Z");
  // 25 October 2026: 02:30 happens twice; either is a 02:30 of Paris.
  const twice = zonedInstant("Europe/Paris", 2026, 10, 25, 2, 30);
  assert.equal(wallTime(twice, "Europe/Paris").hour, 2);
  // Hour 24 is the next midnight; La Réunion has no summer time.
  assert.equal(dayAt("2026-11-18", "Indian/Reunion", 24).toISOString(), "2026-11-18T20:00:00.000Z");
  assert.equal(dayAt("2026-06-10", "America/Cayenne", 10).toISOString(), "2026-06-10T13:00:00.000Z");
});

test("wall Dates for libraries that read local components go there and back", () => {
  const t = new Date("2026-05-27T14:00:00Z");
  const wall = toWallDate(t, "America/Guadeloupe");
  assert.deepEqual([wall.getDate(), wall.getHours(), wall.getMinutes()], [27, 10, 0]);
  assert.equal(fromWallDate(wall, "America/Guadeloupe").toISOString(), t.toISOString());
});

test("calendar days: parse, add, count, Monday of the week", () => {
  assert.equal(parseDay("2026-02-29"), null);
  assert.equal(parseDay("2028-02-29"), "2028-02-29");
  assert.equal(parseDay("1999-12-31"), null);
  assert.equal(parseDay(["2026-01-01"]), null);
  assert.equal(addDays("2026-12-28", 7), "2027-01-04");
  assert.equal(addDays("2026-03-30", -1), "2026-03-29");
  assert.equal(daysBetween("2026-03-28", "2026-03-30"), 2);
  assert.equal(mondayOf("2026-11-22"), "2026-11-16");
  assert.equal(mondayOf("2026-11-16"), "2026-11-16");
});

test("a fixed clock always says the same instant; a bad one is refused", () => {
  const c = fixedClock("2026-11-18T09:00:00Z");
  assert.equal(c.now().toISOString(), "2026-11-18T09:00:00.000Z");
  c.now().setFullYear(2000);
  assert.equal(c.now().toISOString(), "2026-11-18T09:00:00.000Z");
  assert.throws(() => fixedClock("hier"));
});

test("French days, times and numbers", () => {
  assert.equal(frenchTime(9, 0), "9 h");
  assert.equal(frenchTime(13, 5), "13 h 05");
  assert.equal(frenchClock("08:30"), "8 h 30");
  assert.equal(frenchClock("24:00"), "24 h");
  assert.equal(formatDay("2026-11-01"), "dimanche 1er novembre");
  assert.equal(formatDay("2026-12-26", { weekday: false, year: true }), "26 décembre 2026");
  assert.equal(
    formatDateTime(new Date("2026-11-18T09:05:00Z"), "Indian/Reunion"),
    "mercredi 18 novembre 2026 à 13 h 05",
  );
  assert.equal(
    formatDateTime(new Date("2026-11-18T23:30:00Z"), "Europe/Paris"),
    "jeudi 19 novembre 2026 à 0 h 30",
  );
  assert.equal(formatNumber(1234567), "1\u202f234\u202f567");
  assert.equal(formatNumber(3.456, 1), "3,5");
  assert.equal(formatNumber(3, 1, 1), "3,0");
});
