import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { DATA_DIR } from "../../test/support/paths.ts";
import { fragilityInputs } from "../../test/support/real-data.ts";
import { computeScores, countAtMost, countBelow, median, normaliser, percentile } from "./compute.ts";
import { FILE_SPECS, FRAGILITY_FILES, readIndicatorFile } from "./indicators.ts";
import type { FragilityInputs } from "./load.ts";
import { METHODS_DIR, readMethodFile } from "./method.ts";
import type { CommuneScore, Method } from "./model.ts";

// The IFN 2023 totals of Lyon's 9 arrondissements (real values), as a small distribution.
const LYON_TOTALS = [
  3.0277322311809747, 3.390118795768918, 3.0079203271439474, 3.3858660199046584, 3.638970750829229,
  3.3277390789900574, 3.1315756664588763, 3.953331454472862, 4.083043682480037,
].sort((a, b) => a - b);

describe("normalisations on a small real distribution", () => {
  test("counts, median and percentile", () => {
    assert.equal(countBelow(LYON_TOTALS, 3.3277390789900574), 3);
    assert.equal(countAtMost(LYON_TOTALS, 3.3277390789900574), 4);
    assert.equal(median(LYON_TOTALS), 3.3858660199046584);
    assert.equal(percentile(LYON_TOTALS, 3.3277390789900574), (100 * 3.5) / 9);
    assert.equal(median([]), null);
  });

  test("deciles run from 1 to 10 and follow the direction", () => {
    const up = normaliser("deciles", "higher-is-more-fragile", LYON_TOTALS);
    const down = normaliser("deciles", "lower-is-more-fragile", LYON_TOTALS);
    assert.deepEqual(LYON_TOTALS.map(up), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(LYON_TOTALS.map(down), [9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  test("minmax spans 0–10 and zscore is 5 at the mean, clipped to 0–10", () => {
    const mm = normaliser("minmax", "higher-is-more-fragile", LYON_TOTALS);
    assert.equal(mm(LYON_TOTALS[0] as number), 0);
    assert.equal(mm(LYON_TOTALS[8] as number), 10);
    assert.equal(normaliser("minmax", "lower-is-more-fragile", LYON_TOTALS)(LYON_TOTALS[0] as number), 10);
    const z = normaliser("zscore", "higher-is-more-fragile", LYON_TOTALS);
    const mean = LYON_TOTALS.reduce((s, x) => s + x, 0) / 9;
    assert.ok(Math.abs(z(mean) - 5) < 1e-12);
    assert.equal(z(100), 10);
    assert.equal(z(-100), 0);
  });
});

describe("computeScores on the real files", () => {
  let inputs: FragilityInputs;
  let official: Method;
  let maillage: Method;
  let officialScores: CommuneScore[];
  let rawTotals: Map<string, number | null>;
  before(async () => {
    inputs = await fragilityInputs(DATA_DIR);
    official = await readMethodFile(join(METHODS_DIR, "officiel-2023.json"));
    maillage = await readMethodFile(join(METHODS_DIR, "maillage-2025.json"));
    officialScores = computeScores(official, inputs.indicators, inputs.communes);
    // The totals exactly as the file gives them (no Paris/Lyon/Marseille completion).
    const ifn = await readIndicatorFile(join(DATA_DIR, FRAGILITY_FILES.ifnCommunes), FILE_SPECS.ifnCommunes);
    rawTotals = ifn.values.get("ifn_total")?.values ?? new Map();
  });

  test("officiel-2023 reproduces the official total on every row of the file", () => {
    let compared = 0;
    let maxDiff = 0;
    for (const s of officialScores) {
      const total = rawTotals.get(s.code);
      if (total === undefined || total === null) continue;
      assert.notEqual(s.score, null);
      maxDiff = Math.max(maxDiff, Math.abs((s.score as number) - total));
      compared++;
    }
    console.log(`officiel-2023: ${compared} communes compared, max |score − total| = ${maxDiff}`);
    // 35,008 rows − 102 codes not in COG 2025 − Marseille 13055 (empty) = 34,905.
    assert.equal(compared, 34905);
    assert.ok(maxDiff <= 1e-12, `max difference ${maxDiff}`);
  });

  test("contributions sum to the score, effective weights to 1", () => {
    for (const s of officialScores.slice(0, 2000)) {
      if (s.score === null) continue;
      const sum = s.parts.reduce((t, p) => t + p.contribution, 0);
      assert.ok(Math.abs(sum - s.score) < 1e-12);
      assert.ok(Math.abs(s.parts.reduce((t, p) => t + p.effectiveWeight, 0) - 1) < 1e-12);
    }
  });

  test("Paris, Lyon, Marseille: the commune scores the population-weighted mean of its arrondissements", () => {
    const byCode = new Map(officialScores.map((s) => [s.code, s]));
    for (const city of ["75056", "69123", "13055"]) {
      const arrs = inputs.communes.filter((c) => c.parent === city);
      assert.ok(arrs.length >= 9);
      const pop = arrs.reduce((t, a) => t + (a.population ?? 0), 0);
      const mean = arrs.reduce((t, a) => t + (a.population ?? 0) * (byCode.get(a.code)?.score ?? 0), 0) / pop;
      const score = byCode.get(city)?.score;
      assert.ok(
        score !== null && score !== undefined && Math.abs(score - mean) < 1e-9,
        `${city}: ${score} vs ${mean}`,
      );
    }
  });

  test("COG 2025 communes without an IFN row: merged ones use their former communes, the rest are flagged missing", () => {
    const unscored = officialScores.filter((s) => s.score === null);
    const noRow = inputs.communes.filter((c) => !rawTotals.has(c.code)).map((c) => c.code);
    console.log(
      `COG 2025 communes and arrondissements without an IFN row: ${noRow.length} (${noRow.join(" ")})`,
    );
    assert.deepEqual(noRow.sort(), [
      "12218",
      "14581",
      "15031",
      "15035",
      "15047",
      "15171",
      "27676",
      "49126",
      "60694",
      "69114",
      "69123",
      "75056",
      "85165",
      "85212",
    ]);
    // Lyon and Paris are completed from their arrondissements; communes created by mergers after 2022 take
    // their former communes' values (COG rule, see indicators.ts); the six re-created ones stay unscored.
    const byCode = new Map(officialScores.map((s) => [s.code, s]));
    for (const merged of ["12218", "14581", "49126", "69114"]) {
      assert.notEqual(byCode.get(merged)?.score, null, `${merged} is scored from its former communes`);
    }
    // Les Trois Lacs (27676): its former code 27058 is in the file, but with every cell empty; 60694's former
    // commune (60455) is not in the file either.
    assert.deepEqual(unscored.map((s) => s.code).sort(), [
      "15031",
      "15035",
      "15047",
      "15171",
      "27676",
      "60694",
      "85165",
      "85212",
    ]);
    assert.ok(unscored.every((s) => s.missing.length === 5 && s.parts.every((p) => p.status === "missing")));
  });

  test("maillage-2025 scores every commune, flags imputed values, stays within 0–10 and is deterministic", () => {
    const t0 = performance.now();
    const scores = computeScores(maillage, inputs.indicators, inputs.communes);
    console.log(`maillage-2025: ${scores.length} communes in ${(performance.now() - t0).toFixed(0)} ms`);
    assert.ok(scores.every((s) => s.score !== null && s.score >= 0 && s.score <= 10));
    const imputed = scores.filter((s) => s.imputed.length > 0);
    console.log(`maillage-2025: ${imputed.length} communes with at least one value imputed (EPCI median)`);
    assert.ok(imputed.length > 0 && imputed.length < scores.length / 5);
    assert.ok(
      imputed.every((s) =>
        s.parts.some((p) => p.status === "imputed-epci" || p.status === "imputed-departement"),
      ),
    );
    // Saint-Étienne: its own MED21 (19,010 €) is in the lowest deciles, so the income score is high.
    const se = scores.find((s) => s.code === "42218");
    const income = se?.parts.find((p) => p.indicator === "revenu_median");
    assert.equal(income?.raw, 19010);
    assert.equal(income?.status, "observed");
    assert.ok((income?.normalised ?? 0) >= 9);
    assert.deepEqual(computeScores(maillage, inputs.indicators, inputs.communes.slice(0, 0)), []);
    assert.deepEqual(computeScores(maillage, inputs.indicators, inputs.communes)[500], scores[500]);
  });

  test("a method whose indicator has no data loaded is refused with a message", () => {
    const without = new Map(inputs.indicators);
    without.delete("taux_chomage");
    assert.throws(
      () => computeScores(maillage, without, inputs.communes),
      /Indicateur « taux_chomage » : aucune donnée chargée/,
    );
  });
});
