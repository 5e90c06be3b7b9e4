import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { DATA_DIR } from "../../test/support/paths.ts";
import { territoriesWithoutGeometries } from "../../test/support/real-data.ts";
import type { TerritoryKind } from "./model.ts";
import { Referential } from "./referential.ts";
import { ambiguityDetail, describeTerritory, type Resolution, resolveTerritory } from "./resolve.ts";
import { SearchIndex } from "./search.ts";

// The real COG 2025 referential (without boundaries).
let referential: Referential;
let search: SearchIndex;
before(async () => {
  const data = await territoriesWithoutGeometries(DATA_DIR);
  referential = new Referential(data.territories);
  search = new SearchIndex(data.territories);
});

const COMMUNES: TerritoryKind[] = ["commune", "arrondissement"];

/** A resolution in one line: « found 42218 », « ambiguous 32389 Saint-Martin (Gers), … », « none », « invalid ». */
function brief(r: Resolution): string {
  switch (r.kind) {
    case "found":
      return `found ${r.territory.id} ${r.label}`;
    case "ambiguous":
      return `ambiguous ${r.candidates.map((c) => `${c.territory.id} ${c.label}`).join(", ")}`;
    case "none":
      return "none";
    case "invalid":
      return "invalid";
  }
}

interface Row {
  input: string;
  kinds?: TerritoryKind[];
  prefer?: "postcode" | "code";
  expected: string;
}

const TABLE: Row[] = [
  // Names shared by several communes: always « Laquelle ? », with the département in each label.
  {
    input: "Saint-Martin",
    kinds: COMMUNES,
    expected:
      "ambiguous 67426 Saint-Martin (Bas-Rhin), 32389 Saint-Martin (Gers), 65392 Saint-Martin (Hautes-Pyrénées), 54480 Saint-Martin (Meurthe-et-Moselle)",
  },
  {
    input: "Sainte Marie",
    kinds: COMMUNES,
    expected:
      "ambiguous 08390 Sainte-Marie (Ardennes), 15198 Sainte-Marie (Cantal), 25523 Sainte-Marie (Doubs), 32388 Sainte-Marie (Gers), 65391 Sainte-Marie (Hautes-Pyrénées), 35294 Sainte-Marie (Ille-et-Vilaine), 97418 Sainte-Marie (La Réunion), 97228 Sainte-Marie (Martinique), 58253 Sainte-Marie (Nièvre)",
  },
  {
    input: "le vernet",
    kinds: COMMUNES,
    expected:
      "ambiguous 03306 Le Vernet (Allier), 04237 Le Vernet (Alpes-de-Haute-Provence), 09331 Le Vernet (Ariège), 43260 Le Vernet (Haute-Loire)",
  },
  // What a form shows after a choice leads back to that commune alone.
  { input: "Saint-Martin (Gers)", kinds: COMMUNES, expected: "found 32389 Saint-Martin (Gers)" },
  { input: "Saint-Martin (32)", kinds: COMMUNES, expected: "found 32389 Saint-Martin (Gers)" },
  { input: "Sainte-Marie (97418)", kinds: COMMUNES, expected: "found 97418 Sainte-Marie (La Réunion)" },
  // A unique name, with or without accents, hyphens, capitals or abbreviations.
  { input: "Saint-Étienne", kinds: COMMUNES, expected: "found 42218 Saint-Étienne" },
  { input: "saint etienne", expected: "found 42218 Saint-Étienne" },
  { input: "ST ETIENNE", expected: "found 42218 Saint-Étienne" },
  { input: "gueret", kinds: COMMUNES, expected: "found 23096 Guéret" },
  // A former commune's name leads to the commune it belongs to now.
  { input: "Annecy-le-Vieux", kinds: COMMUNES, expected: "found 74010 Annecy" },
  // A name shared by territories of different kinds asks too; accents typed are meant.
  { input: "Paris", expected: "ambiguous 75056 Paris (commune), 75 Paris (département)" },
  { input: "Paris", kinds: COMMUNES, expected: "found 75056 Paris" },
  { input: "Loire", expected: "ambiguous 49178 Loiré, 42 Loire (département)" },
  { input: "Loiré", expected: "found 49178 Loiré" },
  // Postcodes: one commune, or several to choose from (Guéret shares 23000 with 14 communes).
  { input: "42000", kinds: COMMUNES, expected: "found 42218 Saint-Étienne" },
  { input: "06800", kinds: COMMUNES, expected: "found 06027 Cagnes-sur-Mer" },
  { input: "12 rue Voltaire, 42000 Saint-Étienne", kinds: COMMUNES, expected: "found 42218 Saint-Étienne" },
  { input: "23000 Guéret", kinds: COMMUNES, expected: "found 23096 Guéret" },
  // An arrondissement's postcode gives the arrondissement, not Paris which holds all of them.
  { input: "75011", kinds: COMMUNES, expected: "found 75111 Paris 11e Arrondissement" },
  // INSEE codes: a commune, an arrondissement; a former commune's code gives the commune now.
  { input: "23096", kinds: COMMUNES, expected: "found 23096 Guéret" },
  { input: "69383", expected: "found 69383 Lyon 3e Arrondissement" },
  // Five digits that are a postcode (Lyon 3e) and an INSEE code (Albigny-sur-Saône): read as people type them…
  { input: "69003", kinds: COMMUNES, expected: "found 69383 Lyon 3e Arrondissement" },
  // …or as the code where ids are documented (APIs, fragility, coverage).
  { input: "69003", prefer: "code", expected: "found 69003 Albigny-sur-Saône" },
  // SIREN, départements (metropolitan, Corsica, overseas), région.
  { input: "244200770", expected: "found 244200770 Saint-Étienne Métropole" },
  // (a commune of the Somme is called Creuse too: the label says which.)
  { input: "23", expected: "found 23 Creuse (département)" },
  { input: "2A", expected: "found 2A Corse-du-Sud" },
  { input: "2a", expected: "found 2A Corse-du-Sud" },
  { input: "971", expected: "found 971 Guadeloupe (département)" },
  { input: "region-84", expected: "found region-84 Auvergne-Rhône-Alpes" },
  { input: "84", kinds: ["region"], expected: "found region-84 Auvergne-Rhône-Alpes" },
  // Restricted to communes, a département's code is not one.
  { input: "23", kinds: COMMUNES, expected: "none" },
  // Nothing, nothing to read, too much to read.
  { input: "qqqqzzzz", expected: "none" },
  { input: "Cagnes-sur-Mez", kinds: COMMUNES, expected: "none" },
  { input: "", expected: "invalid" },
  { input: "   ", kinds: COMMUNES, expected: "invalid" },
  { input: "Saint-Martin ".repeat(10), expected: "invalid" },
];

describe("territory resolver on the real referential", () => {
  for (const row of TABLE) {
    const where = `${row.kinds ? ` (${row.kinds.join(", ")})` : ""}${row.prefer ? ` prefer ${row.prefer}` : ""}`;
    test(`« ${row.input.slice(0, 40)} »${where} → ${row.expected.slice(0, 60)}`, () => {
      const r = resolveTerritory(row.input, { referential, search, kinds: row.kinds, prefer: row.prefer });
      assert.equal(brief(r), row.expected);
    });
  }

  test("every candidate of « Laquelle ? » says its département, and its label leads back to it alone", () => {
    for (const name of ["Saint-Martin", "Sainte-Marie", "Le Vernet"]) {
      const o = { referential, search, kinds: COMMUNES };
      const r = resolveTerritory(name, o);
      assert.equal(r.kind, "ambiguous");
      if (r.kind !== "ambiguous") continue;
      for (const c of r.candidates) {
        const dep = referential.get(c.territory.departement ?? "");
        assert.ok(dep && c.context.includes(`${dep.name} (${dep.code})`), c.context);
        const back = resolveTerritory(c.label, o);
        assert.equal(back.kind === "found" && back.territory.id, c.territory.id, c.label);
        const link = resolveTerritory(c.value, o);
        assert.equal(link.kind === "found" && link.territory.id, c.territory.id, c.value);
      }
    }
  });

  test("a link to a commune whose INSEE code is another's postcode carries its name, not the code", () => {
    // 01090 is Châtenay's INSEE code and the postcode of Montmerle-sur-Saône and five others.
    const o = { referential, search, kinds: COMMUNES };
    const chatenay = referential.get("01090");
    assert.ok(chatenay);
    const c = describeTerritory(chatenay, o);
    assert.equal(c.value, "Châtenay (Ain)");
    const typed = resolveTerritory("01090", o);
    assert.equal(typed.kind, "ambiguous");
    if (typed.kind === "ambiguous") {
      assert.equal(typed.candidates.at(-1)?.territory.id, "01090", "the code's commune is offered last");
      assert.ok(typed.candidates.some((x) => x.territory.name === "Montmerle-sur-Saône"));
    }
    // Where ids are documented, the code is read first and the postcode's communes are the other reading.
    const asCode = resolveTerritory("01090", { ...o, prefer: "code" });
    assert.equal(asCode.kind === "found" && asCode.territory.id, "01090");
    assert.equal(asCode.kind === "found" && asCode.others.length, 6);
    assert.equal(describeTerritory(chatenay, { ...o, prefer: "code" }).value, "01090");
  });

  test("after a postcode, the commune with that INSEE code is offered as the other reading", () => {
    const r = resolveTerritory("69003", { referential, search, kinds: COMMUNES });
    assert.equal(r.kind, "found");
    if (r.kind === "found") {
      assert.deepEqual(
        r.others.map((c) => [c.territory.id, c.value]),
        [["69003", "Albigny-sur-Saône"]],
      );
    }
  });

  test("an unknown name gets suggestions, never a guess", () => {
    const r = resolveTerritory("Cagnes-sur-Mez", { referential, search, kinds: COMMUNES });
    assert.equal(r.kind, "none");
    if (r.kind === "none") {
      assert.equal(r.suggestions[0]?.territory.id, "06027");
      assert.match(r.message, /Cagnes-sur-Mez/);
    }
  });

  test("the API's sentence lists every candidate with its code and département", () => {
    const o = { referential, search, kinds: COMMUNES };
    const r = resolveTerritory("Le Vernet", o);
    assert.equal(r.kind, "ambiguous");
    if (r.kind !== "ambiguous") return;
    const detail = ambiguityDetail(r, o);
    for (const id of ["03306", "04237", "09331", "43260"]) assert.ok(detail.includes(id), id);
    assert.match(detail, /Haute-Loire \(43\)/);
    assert.match(detail, /Laquelle \?/);
  });
});
