/**
 * The pure core of manual edits: overrides against what the sources give, publication with edits on top, the
 * weekly hours editor both ways. The record is a real one: line 2 of the shipped France Services file
 * (data/mediation/france-services-2024-08-01.csv.gz), as its import reads it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { monthsSince } from "./describe.ts";
import {
  applyOverrides,
  changesBetween,
  hoursOfWeek,
  overridesFor,
  rawOfStandard,
  sameValue,
  timeOf,
  type WeekDay,
  weekOfHours,
  withEdits,
} from "./edit.ts";
import type { Place, StandardPlace } from "./model.ts";
import { freshness } from "./views/edit.tsx";

// France services de Valserhône (fields the file does not give are empty).
const VALSERHONE: StandardPlace = {
  id: "1",
  pivot: "00000000000000",
  nom: "France services de Valserhône",
  commune: "Valserhône",
  code_postal: "01200",
  code_insee: "01033",
  adresse: "5-9 Rue des Papetiers",
  complement_adresse: null,
  latitude: 46.1060711578546,
  longitude: 5.8260084241619,
  typologie: [],
  telephone: ["+33450568749"],
  courriels: ["franceservices@ccpb01.fr"],
  site_web: [],
  horaires: "Mo 13:30-17:00; Tu-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00,13:30-16:00",
  presentation_resume: null,
  presentation_detail: null,
  source: null,
  itinerance: [],
  structure_parente: null,
  date_maj: "2024-08-01",
  services: ["Aide aux démarches administratives"],
  publics_specifiquement_adresses: [],
  prise_en_charge_specifique: [],
  frais_a_charge: ["Gratuit"],
  dispositif_programmes_nationaux: ["France Services"],
  formations_labels: [],
  autres_formations_labels: null,
  modalites_acces: [],
  modalites_accompagnement: [],
  fiche_acces_libre: null,
  prise_rdv: null,
};

const place = (standard: StandardPlace): Place => ({
  id: "lieu-essai",
  standard,
  communeCode: null,
  communeMatch: null,
  location: null,
  flags: { approximateCoordinates: false, unparsedHours: false },
  provenance: [{ source: "france-services", file: "france-services-2024-08-01.csv", line: 2, sourceId: "x" }],
});

test("overrides are the editable fields that differ; null and empty alike; lists in order", () => {
  assert.ok(sameValue(null, ""));
  assert.ok(sameValue([], undefined));
  assert.ok(!sameValue(["a", "b"], ["b", "a"]));
  const desired = {
    ...VALSERHONE,
    horaires: "Mo-Fr 09:00-12:00",
    complement_adresse: "",
    date_maj: "2026-12-01",
  };
  assert.deepEqual(
    overridesFor(VALSERHONE, desired),
    { horaires: "Mo-Fr 09:00-12:00" },
    "date_maj is not a person's",
  );
  assert.deepEqual(
    changesBetween(VALSERHONE, desired).map((c) => c.field),
    ["horaires", "date_maj"],
  );
});

test("publication: overrides on top, the later update date, the hours flag and the location follow the edit", () => {
  const edited = applyOverrides(VALSERHONE, { nom: "France Services de Valserhône" }, "2026-12-01");
  assert.equal(edited.nom, "France Services de Valserhône");
  assert.equal(edited.date_maj, "2026-12-01");
  assert.equal(
    applyOverrides({ ...VALSERHONE, date_maj: "2027-01-05" }, {}, "2026-12-01").date_maj,
    "2027-01-05",
  );
  const unreadable = withEdits(place(VALSERHONE), [
    { overrides: { horaires: "le matin" }, location: null, editedOn: "2026-12-01" },
  ]);
  assert.equal(unreadable.flags.unparsedHours, true);
  const moved = withEdits(place(VALSERHONE), [
    { overrides: { complement_adresse: "Rez-de-chaussée" }, location: null, editedOn: "2026-11-01" },
    {
      overrides: { code_insee: "01033" },
      location: { communeCode: "01033", lat: 46.1060711578546, lon: 5.8260084241619, approximate: false },
      editedOn: "2026-12-01",
    },
  ]);
  assert.equal(moved.communeCode, "01033", "the commune resolved with the edit");
  assert.deepEqual(moved.location, { lat: 46.1060711578546, lon: 5.8260084241619 });
  assert.equal(moved.standard.complement_adresse, "Rez-de-chaussée", "an older edit's field stays");
  assert.equal(withEdits(place(VALSERHONE), []).standard, VALSERHONE);
});

test("a record as an import row: lists joined by |, numbers as text, null as empty", () => {
  const raw = rawOfStandard({ ...VALSERHONE, services: ["A", "B"] });
  assert.equal(raw.services, "A|B");
  assert.equal(raw.latitude, "46.1060711578546");
  assert.equal(raw.complement_adresse, "");
});

test("times as people type them", () => {
  const cases: [string, string][] = [
    ["9h30", "09:30"],
    ["09:30", "09:30"],
    ["0930", "09:30"],
    ["9", "09:00"],
    ["14 h 00", "14:00"],
    ["midi", "midi"],
  ];
  for (const [typed, read] of cases) assert.equal(timeOf(typed), read, typed);
});

test("the weekly editor: a plain week both ways; hours that say more open as text", () => {
  const hours = VALSERHONE.horaires as string;
  const week = weekOfHours(hours) as WeekDay[];
  assert.deepEqual(week[0], [["13:30", "17:00"]]);
  assert.deepEqual(week[1], [
    ["09:00", "12:00"],
    ["13:30", "17:00"],
  ]);
  assert.deepEqual(week[6], []);
  assert.deepEqual(hoursOfWeek(week), { ok: true, value: hours });
  assert.deepEqual(weekOfHours(null)?.flat(), []);
  assert.equal(weekOfHours("Mo-Fr 09:00-12:00; PH off"), null);
  assert.equal(weekOfHours("Mo 08:00-09:00,10:00-11:00,12:00-13:00"), null, "three ranges a day");
  assert.equal(weekOfHours("Mo-Fr 09:00-12:00; We 14:00-16:00"), null, "a day given twice");
  const empty: WeekDay[] = Array.from(
    { length: 7 },
    () =>
      [
        ["", ""],
        ["", ""],
      ] as WeekDay,
  );
  assert.deepEqual(hoursOfWeek(empty), { ok: true, value: null });
  const tuesday = empty.map((d, i) =>
    i === 1
      ? ([
          ["9h30", "12h15"],
          ["", ""],
        ] as WeekDay)
      : d,
  );
  assert.deepEqual(hoursOfWeek(tuesday), { ok: true, value: "Tu 09:30-12:15" });
});

test("the weekly editor's errors name the day in French", () => {
  const day = (ranges: [string, string][]): WeekDay[] =>
    Array.from({ length: 7 }, (_, i) => (i === 2 ? ranges : [])) as WeekDay[];
  const backwards = hoursOfWeek(day([["17:00", "09:00"]]));
  assert.deepEqual(backwards, {
    ok: false,
    errors: ["mercredi : la fermeture (09:00) doit venir après l'ouverture (17:00)"],
  });
  const half = hoursOfWeek(day([["09:00", ""]]));
  assert.equal(half.ok, false);
  assert.match(
    (half as { errors: string[] }).errors[0] ?? "",
    /^mercredi : indiquez l'heure d'ouverture et l'heure de fermeture/,
  );
  const overlap = hoursOfWeek(
    day([
      ["09:00", "13:00"],
      ["12:00", "17:00"],
    ]),
  );
  assert.match((overlap as { errors: string[] }).errors[0] ?? "", /se chevauchent/);
});

test("freshness: whole months since the update date; a missing or epoch date says so", () => {
  assert.equal(monthsSince(VALSERHONE.date_maj, "2026-12-01"), 28);
  assert.equal(monthsSince("2026-11-02", "2026-12-01"), 0);
  assert.equal(monthsSince("2025-12-01", "2026-12-01"), 12);
  assert.equal(monthsSince("1970-01-01", "2026-12-01"), null);
  assert.equal(monthsSince("", "2026-12-01"), null);
  assert.equal(freshness(28), "mis à jour il y a 28 mois");
  assert.equal(freshness(0), "mis à jour ce mois-ci");
  assert.equal(freshness(null), "date de mise à jour inconnue");
});
