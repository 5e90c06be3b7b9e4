import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { creuse } from "../../test/support/creuse.ts";
import { computeAccess } from "./access.ts";
import { DEFAULT_PARAMS, thresholdOf } from "./model.ts";
import { coverageStats, distanceClass, rankGaps, share } from "./stats.ts";

const { communes, places } = creuse;
const table = computeAccess(communes, places, DEFAULT_PARAMS.detour);
const distOf = (key: string) => table.dist.get(key) as Float64Array;

describe("coverage of Creuse (real extract)", () => {
  test("urban communes (TUU ≥ 1) get 5 km, rural ones 15 km; one distance for all when asked", () => {
    const gueret = communes.find((c) => c.code === "23096");
    const rural = communes.find((c) => c.tuu === 0);
    assert.equal(gueret?.tuu !== null && (gueret?.tuu ?? 0) >= 1, true);
    assert.equal(thresholdOf(gueret ?? { tuu: null }, DEFAULT_PARAMS), 5);
    assert.equal(thresholdOf(rural ?? { tuu: null }, DEFAULT_PARAMS), 15);
    assert.equal(thresholdOf(rural ?? { tuu: null }, DEFAULT_PARAMS, 8), 8);
  });

  test("covered population and fragile population agree with a direct count", () => {
    for (const key of table.layers) {
      const d = distOf(key);
      const s = coverageStats(key, communes, d, table.inCommune.get(key) ?? new Set(), DEFAULT_PARAMS);
      let pop = 0;
      let covered = 0;
      let fragile = 0;
      let fragileCovered = 0;
      communes.forEach((c, i) => {
        const limit = c.tuu !== null && c.tuu > 0 ? 5 : 15;
        const ok = (d[i] as number) <= limit; // NaN compares false
        pop += c.population;
        if (ok) covered += c.population;
        if (c.score !== null && c.score >= 7) {
          fragile += c.population;
          if (ok) fragileCovered += c.population;
        }
      });
      assert.equal(s.population, pop);
      assert.equal(s.coveredPopulation, covered, key);
      assert.equal(s.fragilePopulation, fragile);
      assert.equal(s.coveredFragilePopulation, fragileCovered, key);
    }
  });

  test("the seed's '26 %' figure for Creuse: share of fragile communes without a conseiller numérique", () => {
    const key = "Conseillers numériques";
    const s = coverageStats(
      key,
      communes,
      distOf(key),
      table.inCommune.get(key) ?? new Set(),
      DEFAULT_PARAMS,
    );
    const fragile = communes.filter((c) => c.score !== null && c.score >= 7);
    const withCn = new Set(places.filter((p) => p.dispositifs.includes(key)).map((p) => p.communeCode));
    assert.equal(s.fragileCommunes, fragile.length);
    assert.equal(s.fragileWithoutInCommune, fragile.filter((c) => !withCn.has(c.code)).length);
    // Pinned on the shipped data: 217 fragile communes (IFN officiel 2023 ≥ 7), 204 without any conseiller numérique.
    assert.equal(s.fragileCommunes, 217);
    assert.equal(s.fragileWithoutInCommune, 204);
    assert.equal(Math.round(share(s.fragileWithoutInCommune, s.fragileCommunes) * 1000), 940);
    // A stricter threshold counts fewer fragile communes.
    const strict = coverageStats(key, communes, distOf(key), table.inCommune.get(key) ?? new Set(), {
      ...DEFAULT_PARAMS,
      fragileFrom: 8,
    });
    assert.ok(strict.fragileCommunes < s.fragileCommunes);
  });

  test("a layer without any place: 0 % covered, every commune unreachable, not an error", () => {
    const key = "Utilisation sécurisée du numérique";
    const s = coverageStats(key, communes, distOf(key), new Set(), DEFAULT_PARAMS);
    assert.equal(s.coveredPopulation, 0);
    assert.equal(s.unreachable, communes.length);
    assert.equal(s.fragileWithoutNearby, s.fragileCommunes);
    assert.equal(share(0, 0), 0);
  });
});

describe("ranked gaps", () => {
  test("fragile uncovered communes only, the largest population first", () => {
    const key = "France Services";
    const gaps = rankGaps(communes, distOf(key), DEFAULT_PARAMS);
    assert.ok(gaps.length > 0);
    for (const g of gaps) {
      assert.ok(g.score >= 7);
      assert.ok(g.distanceKm === null || g.distanceKm > g.thresholdKm);
    }
    for (let i = 1; i < gaps.length; i++)
      assert.ok((gaps[i - 1]?.population ?? 0) >= (gaps[i]?.population ?? 0));
    const s = coverageStats(key, communes, distOf(key), new Set(), DEFAULT_PARAMS);
    assert.equal(gaps.length, s.fragileWithoutNearby);
    assert.equal(
      gaps.reduce((a, g) => a + g.population, 0),
      s.fragilePopulation - s.coveredFragilePopulation,
    );
  });

  test("distance classes", () => {
    assert.deepEqual([0.5, 2, 4.9, 9, 14, 24, 30, Number.NaN].map(distanceClass), [0, 0, 1, 2, 3, 4, 5, 5]);
  });
});
