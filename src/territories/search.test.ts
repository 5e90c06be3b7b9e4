import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { DATA_DIR } from "../../test/support/paths.ts";
import { territoriesWithoutGeometries } from "../../test/support/real-data.ts";
import type { Territory } from "./model.ts";
import { SearchIndex } from "./search.ts";

// The real COG 2025 referential (without boundaries, which search does not need).
let index: SearchIndex;
before(async () => {
  const data = await territoriesWithoutGeometries(DATA_DIR);
  index = new SearchIndex(data.territories);
});

const top = (q: string, n = 1, kinds?: Territory["kind"][]) =>
  index.search(q, { limit: n, kinds }).hits.map((h) => `${h.territory.id} ${h.territory.name}`);

describe("territory search on the real referential", () => {
  test("'saint etienne' and 'st-etienne' find Saint-Étienne (42218) first", () => {
    assert.deepEqual(top("saint etienne"), ["42218 Saint-Étienne"]);
    assert.deepEqual(top("st-etienne"), ["42218 Saint-Étienne"]);
    assert.deepEqual(top("st etienne"), ["42218 Saint-Étienne"]);
    assert.deepEqual(top("SAINT ÉTIENNE"), ["42218 Saint-Étienne"]);
  });

  test("a postcode gives its communes", () => {
    assert.deepEqual(top("42000"), ["42218 Saint-Étienne"]);
    // One postcode, several communes (01400: Châtillon-sur-Chalaronne and its neighbours)…
    const hits = index.search("01400", { limit: 50 }).hits;
    const byPostcode = hits.filter((h) => h.match === "postcode");
    assert.ok(byPostcode.length >= 10, `01400 should match several communes, got ${byPostcode.length}`);
    assert.ok(byPostcode.every((h) => h.territory.postcodes.includes("01400")));
    // …and, after them, the commune whose INSEE code is 01400 (Seillonnaz, postcode 01470).
    assert.equal(hits.at(-1)?.territory.name, "Seillonnaz");
    assert.equal(hits.at(-1)?.match, "code");
  });

  test("'69003' finds the Lyon 3e arrondissement before Lyon, and the commune with that INSEE code", () => {
    const ids = index.search("69003", { limit: 5 }).hits.map((h) => h.territory.id);
    assert.equal(ids[0], "69383");
    assert.ok(ids.indexOf("69123") > 0, "Lyon holds 69003 among its postcodes");
    assert.ok(ids.includes("69003"), "69003 is also the INSEE code of Albigny-sur-Saône");
  });

  test("'Évry' and 'evry' find Évry (Yonne) exactly, then Évry-Courcouronnes", () => {
    assert.deepEqual(top("Évry", 2), ["89162 Évry", "91228 Évry-Courcouronnes"]);
    assert.deepEqual(top("evry", 2), top("Évry", 2));
  });

  test("'les abymes' finds the DROM commune Les Abymes (97101)", () => {
    assert.deepEqual(top("les abymes"), ["97101 Les Abymes"]);
  });

  test("'cc du' lists communautés de communes, the most populated first", () => {
    const r = index.search("cc du", { limit: 20 });
    assert.ok(r.total > 100);
    assert.ok(r.hits.every((h) => h.territory.kind === "epci" && h.territory.epciType === "CC"));
    const pops = r.hits.map((h) => h.territory.population ?? 0);
    assert.deepEqual(
      pops,
      [...pops].sort((a, b) => b - a),
    );
  });

  test("a SIREN finds its EPCI; a département or région code finds both, département first", () => {
    assert.deepEqual(top("244200770"), ["244200770 Saint-Étienne Métropole"]);
    assert.deepEqual(top("84", 2), ["84 Vaucluse", "region-84 Auvergne-Rhône-Alpes"]);
    assert.deepEqual(top("2a"), ["2A Corse-du-Sud"]);
    assert.deepEqual(top("971", 1, ["departement"]), ["971 Guadeloupe"]);
  });

  test("ranking: exact name, then prefix, then word match; bigger population first on ties", () => {
    const hits = index.search("saint etienne", { limit: 30 }).hits;
    assert.equal(hits[0]?.match, "exact");
    const tiers = hits.map((h) => ["exact", "prefix", "words", "fuzzy"].indexOf(h.match));
    assert.deepEqual(
      tiers,
      [...tiers].sort((a, b) => a - b),
    );
    const prefix = hits.filter((h) => h.match === "prefix").map((h) => h.territory.population ?? 0);
    assert.deepEqual(
      prefix,
      [...prefix].sort((a, b) => b - a),
    );
  });

  test("a typo still finds the place (fuzzy), after the direct matches", () => {
    assert.deepEqual(top("marseile"), ["13055 Marseille"]);
    assert.equal(index.search("marseile").hits[0]?.match, "fuzzy");
  });

  test("filters by kind and pages through results", () => {
    const all = index.search("saint", { limit: 10, kinds: ["departement"] });
    assert.ok(all.hits.every((h) => h.territory.kind === "departement"));
    const p1 = index.search("saint", { limit: 10 }).hits.map((h) => h.territory.id);
    const p2 = index.search("saint", { limit: 10, offset: 10 }).hits.map((h) => h.territory.id);
    assert.equal(p1.filter((id) => p2.includes(id)).length, 0);
    assert.equal(index.search("saint", { limit: 10, offset: 10 }).total, index.search("saint").total);
  });

  test("a former commune, by code or by name, leads to the commune it belongs to now", () => {
    // Pierrefitte-sur-Seine (93059) joined Saint-Denis (93066) on 1 January 2025.
    const byCode = index.search("93059").hits[0];
    assert.equal(byCode?.territory.id, "93066");
    assert.equal(byCode?.former, "93059");
    const byName = index.search("pierrefitte sur seine").hits[0];
    assert.equal(byName?.territory.id, "93066");
    assert.equal(byName?.former, "Pierrefitte-sur-Seine");
    // A current name beats a former one on the same kind of match.
    assert.equal(index.search("Saint-Denis").hits[0]?.former, undefined);
  });

  test("nothing matches nonsense, and an empty query finds nothing", () => {
    assert.equal(index.search("zzqxw").total, 0);
    assert.equal(index.search("   ").total, 0);
    assert.equal(index.search("'-'").total, 0);
  });
});

describe("recent queries", () => {
  test("a query asked again gives the same pages; kinds and pages stay apart", () => {
    const first = index.search("saint", { limit: 20 });
    assert.ok(first.total > 4000, String(first.total));
    const again = index.search("saint", { limit: 20 });
    assert.deepEqual(
      again.hits.map((h) => h.territory.id),
      first.hits.map((h) => h.territory.id),
    );
    const page2 = index.search("saint", { limit: 20, offset: 20 });
    assert.equal(page2.total, first.total);
    assert.ok(!page2.hits.some((h) => first.hits.includes(h)));
    const epci = index.search("saint", { limit: 20, kinds: ["epci"] });
    assert.ok(epci.total > 0 && epci.total < first.total);
    assert.ok(epci.hits.every((h) => h.territory.kind === "epci"));
  });
});
