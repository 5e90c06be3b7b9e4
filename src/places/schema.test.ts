import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { EXAMPLE_CSV, FILES, realText } from "../../test/support/places.ts";
import { mapStandard } from "./import/sources.ts";
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

/** A real row of the PACA hub file (France services Tende: coordinates, phone, services), mapped to v1. */
async function tende(): Promise<Record<string, string>> {
  const paca = JSON.parse(await realText(FILES.paca)) as Record<string, unknown>[];
  const src = paca.find((o) => o.id === "mediation-numerique-france-services-19") as object;
  return mapStandard(Object.fromEntries(Object.entries(src).map(([k, v]) => [k, String(v)]))).row;
}

test("each rule of the standard, alone, rejects a real row with its own French message", async () => {
  const base = await tende();
  assert.deepEqual(validateRow(base, 5).issues, []);
  const cases: [Record<string, string>, string][] = [
    [{ id: " " }, "ligne 5, champ id : valeur obligatoire manquante"],
    [{ pivot: "" }, "ligne 5, champ pivot : valeur obligatoire manquante"],
    [{ nom: "" }, "ligne 5, champ nom : valeur obligatoire manquante"],
    [{ commune: "" }, "ligne 5, champ commune : valeur obligatoire manquante"],
    [{ code_postal: "" }, "ligne 5, champ code_postal : valeur obligatoire manquante"],
    [{ adresse: "" }, "ligne 5, champ adresse : valeur obligatoire manquante"],
    [{ date_maj: "" }, "ligne 5, champ date_maj : valeur obligatoire manquante"],
    [
      { pivot: "0000-0000" },
      "ligne 5, champ pivot : identifiant pivot invalide « 0000-0000 » : SIRET, RNA ou RIDET de 9 à 14 lettres ou chiffres attendu",
    ],
    [
      { code_postal: "6430" },
      "ligne 5, champ code_postal : code postal invalide « 6430 » : 5 chiffres attendus",
    ],
    [
      { code_insee: "06 163" },
      "ligne 5, champ code_insee : code INSEE invalide « 06 163 » : 5 caractères attendus (2 chiffres ou 2A/2B, puis 3 chiffres)",
    ],
    [
      { telephone: "04 92 00 32 59" },
      "ligne 5, champ telephone : numéro invalide « 04 92 00 32 59 » : format international sans espace attendu, par exemple +33180059880",
    ],
    [
      { itinerance: "Itinerant" },
      "ligne 5, champ itinerance : valeur « Itinerant » inconnue. Vouliez-vous dire « Itinérant » ?",
    ],
    [
      { frais_a_charge: "Sur adhésion" },
      "ligne 5, champ frais_a_charge : valeur « Sur adhésion » inconnue. Valeurs possibles : Gratuit, Gratuit sous condition, Payant.",
    ],
    [{ latitude: "44,09N" }, "ligne 5, champ latitude : nombre attendu, reçu « 44,09N »"],
    [{ longitude: "est" }, "ligne 5, champ longitude : nombre attendu, reçu « est »"],
    [
      { date_maj: "01/01/2020" },
      "ligne 5, champ date_maj : date au format AAAA-MM-JJ attendue, reçu « 01/01/2020 »",
    ],
    [
      { date_maj: "2019-02-29" },
      "ligne 5, champ date_maj : date au format AAAA-MM-JJ attendue, reçu « 2019-02-29 »",
    ],
    [
      { presentation_resume: "é".repeat(281) },
      "ligne 5, champ presentation_resume : 281 caractères, au plus 280 sont permis",
    ],
    [
      { latitude: "7.5923428", longitude: "44.0907633" },
      "ligne 5, champ latitude : latitude et longitude semblent inversées (7.5923428 ; 44.0907633) : inversées, elles tombent en France métropolitaine",
    ],
    [
      { latitude: "44.0907633", longitude: "-7.5923428" },
      "ligne 5, champ latitude : le point (44.0907633 ; -7.5923428) est hors de France",
    ],
    [
      { longitude: "" },
      "ligne 5, champ longitude : la latitude et la longitude vont ensemble : l'une manque",
    ],
  ];
  for (const [change, message] of cases) {
    const r = validateRow({ ...base, ...change }, 5);
    assert.equal(r.place, null, message);
    assert.deepEqual(
      r.issues.map((i) => i.message),
      [message],
    );
  }
});

test("every error of a real row is collected, several in one list, in the order of the standard's fields", async () => {
  const row = {
    ...(await tende()),
    pivot: "",
    code_postal: "6430",
    code_insee: "2C163",
    latitude: "quarante-quatre",
    telephone: "+33492003259|04 92 00 32 59|0492003259",
    presentation_resume: "x".repeat(300),
    itinerance: "Fixe|Itinerant",
    date_maj: "2020-13-01",
    services: "Aide aux démarches administrativs|Insertion professionnelle via le numérique|Cuisine",
    frais_a_charge: "Gratuite",
  };
  const validate = fileValidator();
  assert.ok(validate(await tende(), 2).place);
  const r = validate(row, 9);
  assert.equal(r.place, null);
  assert.deepEqual(
    r.issues.map((i) => `${i.field} ${i.rule} ${i.value.slice(0, 40)}`),
    [
      "pivot required ",
      "code_postal pattern 6430",
      "code_insee pattern 2C163",
      "latitude number quarante-quatre",
      "telephone pattern 04 92 00 32 59",
      "telephone pattern 0492003259",
      "presentation_resume maxLength xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      "itinerance enum Itinerant",
      "date_maj date 2020-13-01",
      "services enum Aide aux démarches administrativs",
      "services enum Cuisine",
      "frais_a_charge enum Gratuite",
      "id unique mediation-numerique-france-services-19",
    ],
  );
  assert.ok(
    r.issues.every((i) => i.severity === "error" && i.message.startsWith(`ligne 9, champ ${i.field} : `)),
  );
  assert.deepEqual(
    r.issues.filter((i) => i.rule === "enum").map((i) => i.suggestion ?? null),
    ["Itinérant", "Aide aux démarches administratives", null, "Gratuit"],
  );
  // The same row corrected is accepted again: nothing is left over from the rejected one.
  assert.deepEqual(validateRow(await tende(), 10).issues, []);
});

test("rows validated alike get their own lists: changing one place's services leaves the next one's alone", async () => {
  const row = await tende();
  const first = validateRow(row, 2).place;
  first?.services.push("Cuisine");
  first?.frais_a_charge.splice(0);
  const second = validateRow(row, 3).place;
  assert.deepEqual(second?.services, [
    "Aide aux démarches administratives",
    "Insertion professionnelle via le numérique",
  ]);
  assert.deepEqual(second?.frais_a_charge, ["Gratuit"]);
});

test("an unknown value is reported on every row where it appears, with the same suggestion", async () => {
  const row = { ...(await tende()), services: "Aide aux démarches administrativs" };
  for (const line of [2, 3, 4]) {
    const r = validateRow(row, line);
    assert.equal(r.place, null);
    assert.deepEqual(
      r.issues.map((i) => [i.message, i.suggestion]),
      [
        [
          `ligne ${line}, champ services : valeur « Aide aux démarches administrativs » inconnue. Vouliez-vous dire « Aide aux démarches administratives » ?`,
          "Aide aux démarches administratives",
        ],
      ],
    );
  }
  // A valid list first seen valid stays valid; the same values with one unknown are still refused.
  assert.ok(validateRow({ ...row, services: "Aide aux démarches administratives" }, 5).place);
  assert.equal(
    validateRow({ ...row, services: "Aide aux démarches administratives|Cuisine" }, 6).issues[0]?.message,
    "ligne 6, champ services : valeur « Cuisine » inconnue. Valeurs possibles : Aide aux démarches administratives, Maîtrise des outils numériques du quotidien, Insertion professionnelle via le numérique, Utilisation sécurisée du numérique, Parentalité et éducation avec le numérique, Loisirs et créations numériques, Compréhension du monde numérique, Accès internet et matériel informatique, Acquisition de matériel informatique à prix solidaire.",
  );
});
