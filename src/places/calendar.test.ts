/**
 * Each place's hours are read on its own wall clock and with its own public holidays, whatever the server's time
 * zone: the hours and commune codes below are those of real France Services of the shipped file
 * (data/mediation/france-services-2024-08-01.csv.gz). Instants are written in UTC so the reader can check them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dayAt } from "../platform/clock.ts";
import {
  calendarOf,
  departementOf,
  isPublicHoliday,
  METROPOLE,
  openStatus,
  placeCalendar,
  placeHours,
  weekSchedule,
} from "./hours.ts";

/** France services de Saint-Denis - Le Brûlé (id_fs 2311), commune 97411, La Réunion (UTC+4, no summer time). */
const REUNION = { communeCode: "97411", standard: { code_postal: "97400" } };
const REUNION_HOURS = "Mo-Fr 08:00-12:00,13:00-16:00";
/** France services Vic sur Seille, commune 57712, Moselle. */
const MOSELLE = { communeCode: "57712", standard: { code_postal: "57630" } };
const MOSELLE_HOURS = "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00";
/** France services Les Abymes - Espace René Elie (id_fs 1848), commune 97101, Guadeloupe (UTC−4). */
const GUADELOUPE = { communeCode: "97101", standard: { code_postal: "97139" } };
const GUADELOUPE_HOURS = "Mo-Fr 08:00-17:00";
/** France services de Cayenne (id_fs 2133), commune 97302, Guyane (UTC−3). */
const GUYANE = { communeCode: "97302", standard: { code_postal: "97300" } };
const GUYANE_HOURS = "Mo-Fr 08:00-13:00";

const hoursOf = (place: typeof REUNION, text: string) => {
  const h = placeHours(text, placeCalendar(place));
  assert.ok(h, text);
  return h;
};

test("a place's calendar comes from its commune code, else its postcode; 3 characters overseas", () => {
  assert.equal(departementOf("97411"), "974");
  assert.equal(departementOf("2A004"), "2A");
  assert.equal(departementOf("57712"), "57");
  assert.equal(departementOf("nowhere"), null);
  assert.equal(placeCalendar(REUNION).zone, "Indian/Reunion");
  assert.equal(placeCalendar(GUADELOUPE).zone, "America/Guadeloupe");
  assert.equal(placeCalendar(GUYANE).zone, "America/Cayenne");
  assert.equal(calendarOf("976").zone, "Indian/Mayotte");
  assert.equal(calendarOf("972").zone, "America/Martinique");
  assert.equal(placeCalendar(MOSELLE).zone, "Europe/Paris");
  assert.equal(placeCalendar(MOSELLE).state, "Moselle");
  // France services de Sandy Ground (Saint-Martin) has no resolved commune in the shipped data: its postcode.
  assert.equal(placeCalendar({ communeCode: null, standard: { code_postal: "97150" } }).key, "971");
  assert.equal(calendarOf("75056"), METROPOLE);
  assert.equal(calendarOf(null), METROPOLE);
});

test("La Réunion at 10:00 local time (06:00 UTC, 07:00 in Paris): open, closes at 12 h Réunion time", () => {
  const h = hoursOf(REUNION, REUNION_HOURS);
  const tenAm = new Date("2026-11-18T06:00:00Z"); // Wednesday
  assert.deepEqual(openStatus(h, tenAm), { open: true, text: "Ouvert, ferme à 12 h" });
  // 16:30 in Réunion: closed until the next morning, said in Réunion time.
  assert.deepEqual(openStatus(h, new Date("2026-11-18T12:30:00Z")), {
    open: false,
    text: "Fermé, ouvre demain (jeudi) à 8 h",
  });
  // Read in Paris time the same instant would be 07:00, before opening: the zone is what makes this pass.
  const asParis = placeHours(REUNION_HOURS, METROPOLE);
  assert.ok(asParis);
  assert.deepEqual(openStatus(asParis, tenAm), { open: false, text: "Fermé, ouvre à 8 h" });
  // The week table: Monday to Friday open, the weekend closed, labelled from Monday.
  const week = weekSchedule(h, "2026-11-16");
  assert.deepEqual(
    week.map((d) => `${d.label}: ${d.intervals.map((i) => `${i.from}-${i.to}`).join(",") || "fermé"}`),
    [
      "lundi 16 novembre: 08:00-12:00,13:00-16:00",
      "mardi 17 novembre: 08:00-12:00,13:00-16:00",
      "mercredi 18 novembre: 08:00-12:00,13:00-16:00",
      "jeudi 19 novembre: 08:00-12:00,13:00-16:00",
      "vendredi 20 novembre: 08:00-12:00,13:00-16:00",
      "samedi 21 novembre: fermé",
      "dimanche 22 novembre: fermé",
    ],
  );
  // 20 December, the abolition of slavery in La Réunion, is a holiday there only.
  assert.equal(isPublicHoliday("2027-12-20", h.calendar), true);
  assert.equal(isPublicHoliday("2027-12-20", METROPOLE), false);
});

test("26 December in Moselle is a public holiday (not in Paris): a Saturday place is closed", () => {
  const moselle = hoursOf(MOSELLE, MOSELLE_HOURS);
  const paris = placeHours(MOSELLE_HOURS, METROPOLE);
  assert.ok(paris);
  assert.equal(isPublicHoliday("2026-12-26", moselle.calendar), true);
  assert.equal(isPublicHoliday("2026-12-26", METROPOLE), false);
  // Saturday 26 December 2026, 10:00 in Metz (09:00 UTC).
  const saturday = dayAt("2026-12-26", "Europe/Paris", 10);
  assert.equal(saturday.toISOString(), "2026-12-26T09:00:00.000Z");
  assert.deepEqual(openStatus(moselle, saturday), {
    open: false,
    text: "Fermé, ouvre lundi à 9 h",
  });
  assert.deepEqual(openStatus(paris, saturday), { open: true, text: "Ouvert, ferme à 12 h" });
  const day = weekSchedule(moselle, "2026-12-21").find((d) => d.day === "2026-12-26");
  assert.deepEqual(day, { day: "2026-12-26", label: "samedi 26 décembre", intervals: [], holiday: true });
  // Good Friday is the other holiday of Alsace-Moselle: 3 April 2026.
  assert.equal(isPublicHoliday("2026-04-03", moselle.calendar), true);
  assert.equal(isPublicHoliday("2026-04-03", METROPOLE), false);
});

test("27 May in Guadeloupe and 10 June in Guyane are public holidays there, at their local 10:00", () => {
  const guadeloupe = hoursOf(GUADELOUPE, GUADELOUPE_HOURS);
  const guyane = hoursOf(GUYANE, GUYANE_HOURS);
  // Wednesday 27 May 2026, 10:00 in Les Abymes = 14:00 UTC.
  const may27 = new Date("2026-05-27T14:00:00Z");
  assert.equal(isPublicHoliday("2026-05-27", guadeloupe.calendar), true);
  assert.deepEqual(openStatus(guadeloupe, may27), { open: false, text: "Fermé, ouvre demain (jeudi) à 8 h" });
  // The same hours in Guyane that day (10:00 in Cayenne = 13:00 UTC) are open: not a holiday there.
  assert.equal(isPublicHoliday("2026-05-27", guyane.calendar), false);
  assert.deepEqual(openStatus(guyane, new Date("2026-05-27T13:00:00Z")), {
    open: true,
    text: "Ouvert, ferme à 13 h",
  });
  // Wednesday 10 June 2026, 10:00 in Cayenne = 13:00 UTC.
  assert.equal(isPublicHoliday("2026-06-10", guyane.calendar), true);
  assert.deepEqual(openStatus(guyane, new Date("2026-06-10T13:00:00Z")), {
    open: false,
    text: "Fermé, ouvre demain (jeudi) à 8 h",
  });
  assert.equal(isPublicHoliday("2026-06-10", guadeloupe.calendar), false);
  assert.equal(isPublicHoliday("2026-06-10", METROPOLE), false);
});

test("the issue's case: Mo-Fr 09:00-18:00 in Paris is Monday to Friday, closing at 18 h, on any server", () => {
  const h = placeHours("Mo-Fr 09:00-18:00", METROPOLE);
  assert.ok(h);
  const week = weekSchedule(h, "2026-11-16");
  assert.deepEqual(
    week.map((d) => [d.label, d.intervals.map((i) => `${i.from}-${i.to}`).join(",")]),
    [
      ["lundi 16 novembre", "09:00-18:00"],
      ["mardi 17 novembre", "09:00-18:00"],
      ["mercredi 18 novembre", "09:00-18:00"],
      ["jeudi 19 novembre", "09:00-18:00"],
      ["vendredi 20 novembre", "09:00-18:00"],
      ["samedi 21 novembre", ""],
      ["dimanche 22 novembre", ""],
    ],
  );
  // 16:30 in Paris is 15:30 UTC in November.
  assert.deepEqual(openStatus(h, new Date("2026-11-18T15:30:00Z")), {
    open: true,
    text: "Ouvert, ferme à 18 h",
  });
  // Sunday 23:30 UTC is already Monday 00:30 in Paris.
  assert.deepEqual(openStatus(h, new Date("2026-11-22T23:30:00Z")), {
    open: false,
    text: "Fermé, ouvre à 9 h",
  });
  // Summer time: 17:30 in Paris on 1 July is 15:30 UTC.
  assert.deepEqual(openStatus(h, new Date("2026-07-01T15:30:00Z")), {
    open: true,
    text: "Ouvert, ferme à 18 h",
  });
});

test("hours without a PH rule are closed on holidays; with one, their own rule applies", () => {
  const closed = placeHours("Mo-Fr 09:00-12:00", METROPOLE);
  const open = placeHours("Mo-Fr 09:00-12:00; PH 10:00-11:00", METROPOLE);
  assert.ok(closed && open);
  const bastille = new Date("2026-07-14T08:30:00Z"); // Tuesday 14 July 2026, 10:30 in Paris
  assert.equal(closed.isOpen(bastille), false);
  assert.equal(open.isOpen(bastille), true);
  // The text is kept as written (without the added rule).
  assert.equal(closed.text, "Mo-Fr 09:00-12:00");
});

test("each overseas département and Alsace-Moselle has its own holidays, from the library's French states", () => {
  const cases: [string, string, boolean][] = [
    ["2026-05-22", "972", true], // Martinique, abolition of slavery
    ["2026-05-22", "971", false],
    ["2026-04-27", "976", true], // Mayotte
    ["2026-04-27", "75", false],
    ["2026-07-21", "972", true], // Victor Schœlcher day, Martinique and Guadeloupe
    ["2026-04-03", "971", true], // Good Friday in Guadeloupe…
    ["2026-04-03", "974", false], // …not in La Réunion
    ["2026-12-26", "67", true],
    ["2026-12-26", "68", true],
    ["2026-07-14", "974", true], // national holidays everywhere
  ];
  for (const [day, dep, expected] of cases)
    assert.equal(isPublicHoliday(day, calendarOf(dep)), expected, `${day} en ${dep}`);
});
