import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mapStandard } from "../import/sources.ts";
import type { StandardField } from "../model.ts";
import { STANDARD } from "../schema.ts";
import { labelKey, OLDER_VOCABULARIES, type OlderField, OlderVocabularies, olderUrlList } from "./v0.ts";

const current = (f: StandardField) => STANDARD.byName.get(f)?.enumeration ?? [];
const older = () => new OlderVocabularies(current);
/** What one cell of an older field becomes, as `field: values` pairs. */
const into = (field: OlderField, text: string) =>
  Object.fromEntries([...older().cell(field, text).into].map(([f, vs]) => [f, vs]));

/** The vocabularies as Schema_V0.1.json lists them (conditions_access is the same list under another spelling). */
const FIELDS = [
  "services",
  "publics_accueillis",
  "conditions_acces",
  "labels_nationaux",
  "modalites_accompagnement",
] as const;

test("the table holds every value of Schema_V0.1.json: 15 services, 11 publics, 5 conditions, 11 labels, 4 modalités", () => {
  assert.deepEqual(
    FIELDS.map((f) => OLDER_VOCABULARIES[f].length),
    [15, 11, 5, 11, 4],
  );
  assert.equal(OLDER_VOCABULARIES.conditions_access, OLDER_VOCABULARIES.conditions_acces);
  for (const f of FIELDS) {
    const keys = OLDER_VOCABULARIES[f].map((o) => labelKey(o.value));
    assert.equal(new Set(keys).size, keys.length, `${f}: two values share a label`);
  }
});

// One test per value of the older vocabularies: what it becomes, each result a value of the current standard.
for (const field of FIELDS) {
  describe(`${field} (standard 0.1)`, () => {
    for (const o of OLDER_VOCABULARIES[field]) {
      const expected = o.becomes.map(([f, v]) => `${f} : ${v}`).join(" ; ") || "sans équivalent";
      test(`« ${o.value} » → ${expected}`, () => {
        const t = older().cell(field, o.value);
        const got: [string, string][] = [];
        for (const [f, vs] of t.into) for (const v of vs) got.push([f, v]);
        assert.deepEqual(
          got,
          o.becomes.map(([f, v]) => [f, v]),
        );
        assert.deepEqual(t.unknown, []);
        assert.equal(t.translated, true);
        if (o.becomes.length === 0) assert.deepEqual(t.dropped, [o.value]);
        for (const [f, v] of o.becomes) {
          // Every target is a value of the current standard, but the free text of other labels.
          if (f !== "autres_formations_labels") assert.ok(current(f).includes(v), `${f} « ${v} »`);
        }
        // « Label : explication » values match on their label alone, in any case, with or without accents.
        const label = o.value.includes(" : ") ? (o.value.split(" : ")[0] as string) : o.value;
        const variant = label
          .toUpperCase()
          .normalize("NFD")
          .replace(/[\u0300-\u036f]/g, "");
        assert.deepEqual(older().cell(field, variant).into, t.into);
      });
    }
  });
}

test("an older label never changes a value of the current standard that reads the same", () => {
  const pairs: [OlderField, StandardField[]][] = [
    ["services", ["services"]],
    ["publics_accueillis", ["publics_specifiquement_adresses", "prise_en_charge_specifique"]],
    ["conditions_acces", ["frais_a_charge"]],
    ["labels_nationaux", ["dispositif_programmes_nationaux", "formations_labels"]],
    ["modalites_accompagnement", ["modalites_accompagnement"]],
  ];
  for (const [field, targets] of pairs)
    for (const f of targets)
      for (const v of current(f)) assert.deepEqual(into(field, v), { [f]: [v] }, `${field} « ${v} »`);
});

test("cells of several values: « ; » or « | », repeats merged, the current values kept as they are", () => {
  assert.deepEqual(
    into(
      "services",
      "Prendre en main un smartphone ou une tablette;Prendre en main un ordinateur;Utiliser le numérique au quotidien;Approfondir ma culture numérique",
    ),
    { services: ["Maîtrise des outils numériques du quotidien", "Compréhension du monde numérique"] },
  );
  const paca = older().cell("services", "Aide aux démarches administratives|Loisirs et créations numériques");
  assert.equal(paca.translated, false);
  assert.deepEqual(into("labels_nationaux", "CNFS;Aidants Connect;France Services"), {
    dispositif_programmes_nationaux: ["Conseillers numériques", "Aidants Connect", "France Services"],
  });
});

test("« Adultes » among the publics: the place is for everyone, no public is specifically addressed", () => {
  const t = older().cell(
    "publics_accueillis",
    "Adultes;Familles/enfants;Jeunes (16-26 ans);Seniors (+ 65 ans);Surdité",
  );
  assert.deepEqual(Object.fromEntries(t.into), { prise_en_charge_specifique: ["Surdité"] });
  assert.deepEqual(t.dropped, ["Adultes", "Familles/enfants", "Jeunes (16-26 ans)", "Seniors (+ 65 ans)"]);
});

test("values unknown to both vintages: left for validation, kept as other labels, or dropped from the publics", () => {
  const s = older().cell("services", "Prendre en main un ordinateur;Tricot");
  assert.deepEqual(s.unknown, ["Tricot"]);
  assert.deepEqual(into("labels_nationaux", "CNFS;Label du Pays"), {
    dispositif_programmes_nationaux: ["Conseillers numériques"],
    autres_formations_labels: ["Label du Pays"],
  });
  assert.deepEqual(older().cell("publics_accueillis", "Voyageurs").dropped, ["Voyageurs"]);
  assert.deepEqual(into("conditions_acces", "Sur devis : selon la demande"), {
    frais_a_charge: ["Sur devis"],
  });
});

describe("a whole row of the older standard (mapStandard)", () => {
  const row = {
    id: "x",
    nom: "n",
    services: "Accéder à du matériel",
    courriel: "contact@example.org",
    accessibilite: "https://acceslibre.beta.gouv.fr/app/x/",
    conditions_access: "Adhésion : L'accès au lieu et/ou à ses services nécessite d'y adhérer",
    labels_nationaux: "CNFS;APTIC",
    labels_autres: "SudLabs;Nièvre médiation numérique",
    publics_accueillis:
      "Handicaps psychiques : troubles psychiatriques donnant lieu à des atteintes comportementales",
    modalites_accompagnement: "Seul;A ma place",
    site_web: "https://www.example.org/,https://m.example.org/",
  };

  test("renamed fields, translated values, « A ma place » as Aidants Connect, one note per translated cell", () => {
    const m = mapStandard(row);
    assert.equal(m.row.services, "Accès internet et matériel informatique");
    assert.equal(m.row.courriels, "contact@example.org");
    assert.equal(m.row.fiche_acces_libre, "https://acceslibre.beta.gouv.fr/app/x/");
    assert.equal(m.row.frais_a_charge, "Payant");
    assert.equal(m.row.dispositif_programmes_nationaux, "Conseillers numériques|Aidants Connect");
    assert.equal(m.row.autres_formations_labels, "SudLabs, Nièvre médiation numérique, APTIC");
    assert.equal(m.row.modalites_accompagnement, "En autonomie|Accompagnement individuel");
    assert.equal(m.row.prise_en_charge_specifique, "");
    assert.equal(m.row.site_web, "https://www.example.org/|https://m.example.org/");
    assert.deepEqual(
      m.older?.map((n) => n.field),
      ["services", "publics_accueillis", "conditions_access", "labels_nationaux", "modalites_accompagnement"],
    );
    const publics = m.older?.find((n) => n.field === "publics_accueillis");
    assert.equal(publics?.original, row.publics_accueillis);
    assert.match(publics?.result ?? "", /sans équivalent dans le standard actuel : Handicaps psychiques/);
  });

  test("a value of the current standard given in the row wins over the older field's translation", () => {
    const m = mapStandard({
      ...row,
      dispositif_programmes_nationaux: "France Services",
      frais_a_charge: "Gratuit",
    });
    assert.equal(m.row.dispositif_programmes_nationaux, "France Services");
    assert.equal(m.row.frais_a_charge, "Gratuit");
    assert.match(m.older?.find((n) => n.field === "labels_nationaux")?.result ?? "", /déjà renseigné, gardé/);
  });

  test("a row of the current standard gets no note", () => {
    const m = mapStandard({
      id: "x",
      nom: "n",
      services: "Aide aux démarches administratives",
      frais_a_charge: "Gratuit",
    });
    assert.equal(m.older, undefined);
  });
});

test("site_web of the older standard: URLs separated by commas become a list; other texts unchanged", () => {
  assert.equal(
    olderUrlList("https://a.example.org/,https://b.example.org/"),
    "https://a.example.org/|https://b.example.org/",
  );
  assert.equal(olderUrlList("https://a.example.org/?q=1,2"), "https://a.example.org/?q=1,2");
  assert.equal(
    olderUrlList("https://a.example.org/|https://b.example.org/"),
    "https://a.example.org/|https://b.example.org/",
  );
});
