import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { EXAMPLE_CSV } from "../../test/support/places.ts";
import { STANDARD_FIELDS } from "./model.ts";
import {
  closestValue,
  csvSafe,
  extractEnumeration,
  fileValidator,
  franceArea,
  STANDARD,
  splitList,
  validateRow,
} from "./schema.ts";

/** The standard's own valid example (exemple-valide.csv, one row), as a record. */
function exampleRow(): Record<string, string> {
  const [header, values] = readFileSync(EXAMPLE_CSV, "utf8").trim().split("\n");
  const cells = (line: string) =>
    [...line.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)]
      .map((m) => (m[1] ?? "").replace(/^"|"$/g, ""))
      .slice(0, 32);
  const h = cells(header as string);
  const v = cells(values as string);
  return Object.fromEntries(h.map((k, i) => [k, v[i] ?? ""]));
}

test("the rules come from schema.json v1.0.2: 32 fields, 7 required, enumerations and patterns", () => {
  assert.equal(STANDARD.version, "v1.0.2");
  assert.deepEqual(
    STANDARD.fields.map((f) => f.name),
    [...STANDARD_FIELDS],
  );
  assert.deepEqual(STANDARD.required, [
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "adresse",
    "date_maj",
  ]);
  assert.deepEqual(STANDARD.byName.get("frais_a_charge")?.enumeration, [
    "Gratuit",
    "Gratuit sous condition",
    "Payant",
  ]);
  assert.equal(STANDARD.byName.get("services")?.enumeration?.length, 9);
  assert.ok(
    STANDARD.byName.get("prise_en_charge_specifique")?.enumeration?.includes("Langues étrangères (anglais)"),
  );
  assert.equal(STANDARD.byName.get("presentation_resume")?.maxLength, 280);
  assert.equal(extractEnumeration("^\\d{5}$"), null);
});

test("the standard's valid example passes", () => {
  const r = validateRow(exampleRow(), 2);
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.place?.services, [
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Loisirs et créations numériques",
  ]);
  assert.equal(r.place?.latitude, 43.52609);
});

test("every error of a row is collected, each naming line, field and value in French", () => {
  const row = {
    ...exampleRow(),
    pivot: "",
    code_postal: "5110",
    code_insee: "2C454",
    frais_a_charge: "Gratuite|Payant",
    date_maj: "02/04/2024",
    telephone: "01 80 05 98 80",
  };
  const r = validateRow(row, 7);
  assert.equal(r.place, null);
  assert.deepEqual(
    r.issues.map((i) => `${i.field} ${i.rule}`),
    [
      "pivot required",
      "code_postal pattern",
      "code_insee pattern",
      "telephone pattern",
      "date_maj date",
      "frais_a_charge enum",
    ],
  );
  const enumIssue = r.issues.find((i) => i.rule === "enum");
  assert.equal(enumIssue?.suggestion, "Gratuit");
  assert.equal(
    enumIssue?.message,
    "ligne 7, champ frais_a_charge : valeur « Gratuite » inconnue. Vouliez-vous dire « Gratuit » ?",
  );
  assert.equal(
    r.issues[1]?.message,
    "ligne 7, champ code_postal : code postal invalide « 5110 » : 5 chiffres attendus",
  );
});

test("unknown values get the closest valid one, accents and case aside", () => {
  const services = STANDARD.byName.get("services")?.enumeration ?? [];
  assert.equal(
    closestValue("aide aux demarches administratives", services),
    "Aide aux démarches administratives",
  );
  assert.equal(
    closestValue("Maitrise des outils numerique du quotidien", services),
    "Maîtrise des outils numériques du quotidien",
  );
  assert.equal(closestValue("Cuisine", services), null);
});

test("multi-valued fields accept the legacy ';' separator", () => {
  assert.deepEqual(splitList("Jeunes;Femmes"), ["Jeunes", "Femmes"]);
  assert.deepEqual(splitList("Jeunes | Femmes"), ["Jeunes", "Femmes"]);
  const r = validateRow({ ...exampleRow(), publics_specifiquement_adresses: "Jeunes;Seniors" }, 2);
  assert.deepEqual(r.place?.publics_specifiquement_adresses, ["Jeunes", "Seniors"]);
});

test("coordinates outside France are refused, swapped ones are detected", () => {
  assert.equal(franceArea(43.52609, 5.41423), "France métropolitaine");
  assert.equal(franceArea(-21.1151, 55.5364), "La Réunion");
  const swapped = validateRow({ ...exampleRow(), latitude: "5.41423", longitude: "43.52609" }, 3);
  assert.equal(swapped.place, null);
  assert.equal(swapped.issues[0]?.rule, "coordinates-swapped");
  assert.equal(swapped.issues[0]?.suggestion, "43.52609 ; 5.41423");
  assert.match(
    swapped.issues[0]?.message ?? "",
    /^ligne 3, champ latitude : latitude et longitude semblent inversées/,
  );
  const outside = validateRow({ ...exampleRow(), latitude: "40.4168", longitude: "-3.7038" }, 4);
  assert.equal(outside.issues[0]?.rule, "coordinates");
  assert.equal(
    outside.issues[0]?.message,
    "ligne 4, champ latitude : le point (40.4168 ; -3.7038) est hors de France",
  );
  const half = validateRow({ ...exampleRow(), longitude: "" }, 5);
  assert.equal(half.issues[0]?.field, "longitude");
});

test("duplicate ids within a file are errors naming the first line", () => {
  const validate = fileValidator();
  assert.equal(validate(exampleRow(), 2).issues.length, 0);
  const dup = validate(exampleRow(), 9);
  assert.equal(dup.place, null);
  assert.equal(
    dup.issues[0]?.message,
    "ligne 9, champ id : identifiant « structure-1 » déjà utilisé ligne 2",
  );
});

test("csvSafe neutralises formulas only", () => {
  assert.equal(csvSafe("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
  for (const c of ["+", "-", "@", "\t", "\r"]) assert.equal(csvSafe(`${c}x`), `'${c}x`);
  assert.equal(csvSafe("Médiathèque"), "Médiathèque");
});
