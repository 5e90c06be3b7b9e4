import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { DATA_DIR } from "../../test/support/paths.ts";
import { fragilityInputs } from "../../test/support/real-data.ts";
import { computeScores, scoreTable } from "./compute.ts";
import { buildDistributions, deCause, explainCommune, frenchDecimal } from "./explain.ts";
import { INDICATORS } from "./indicators.ts";
import type { FragilityInputs } from "./load.ts";
import { METHODS_DIR, readMethodFile } from "./method.ts";
import type { Method } from "./model.ts";

test("French decimals and « de » before a cause", () => {
  assert.equal(frenchDecimal(7.8449), "7,8");
  assert.equal(deCause("le faible revenu médian"), "du faible revenu médian");
  assert.equal(deCause("la pauvreté"), "de la pauvreté");
  assert.equal(deCause("l'absence de très haut débit"), "de l'absence de très haut débit");
});

describe("explanations on the real files", () => {
  let inputs: FragilityInputs;
  let official: Method;
  let maillage: Method;
  const explain = (method: Method, code: string) => {
    const table = scoreTable(method, inputs.columns);
    const i = inputs.communes.findIndex((c) => c.code === code);
    const commune = inputs.communes[i];
    assert.ok(commune);
    return explainCommune(table.at(i), commune, method, INDICATORS, buildDistributions(table));
  };
  before(async () => {
    inputs = await fragilityInputs(DATA_DIR);
    official = await readMethodFile(join(METHODS_DIR, "officiel-2023.json"));
    maillage = await readMethodFile(join(METHODS_DIR, "maillage-2025.json"));
  });

  test("L'Abergement-Clémenciat (01001), official method: THD and 4G drive the score", () => {
    const e = explain(official, "01001");
    assert.equal(
      e.summary,
      "Score 6,0/10, surtout à cause de l'absence de très haut débit et de la mauvaise couverture 4G.",
    );
    assert.deepEqual(e.method, { id: "officiel-2023", version: official.version });
    const thd = e.lines.find((l) => l.indicator === "ifn_thd");
    assert.equal(thd?.raw, 10);
    assert.equal(thd?.normalised, 10);
    assert.equal(thd?.weight, 1);
    assert.equal(thd?.effectiveWeight, 0.2);
    assert.equal(thd?.contribution, 2);
    assert.ok((thd?.nationalPercentile ?? 0) > 80 && (thd?.nationalPercentile ?? 100) <= 100);
    assert.ok(thd?.departementPercentile !== null && (thd?.departementPercentile ?? -1) >= 0);
    assert.ok(Math.abs(e.lines.reduce((t, l) => t + l.contribution, 0) - (e.score ?? 0)) < 1e-12);
  });

  test("Châtelard (23055, Creuse), official method: age and poverty drive the score", () => {
    assert.equal(
      explain(official, "23055").summary,
      "Score 6,8/10, surtout à cause de la part de personnes de plus de 65 ans et de la pauvreté.",
    );
  });

  test("Saint-Étienne (42218), maillage-2025: raw values in their units, income percentile low", () => {
    const e = explain(maillage, "42218");
    const income = e.lines.find((l) => l.indicator === "revenu_median");
    assert.equal(income?.raw, 19010);
    assert.equal(income?.unit, "€");
    assert.ok((income?.nationalPercentile ?? 100) < 10, `percentile ${income?.nationalPercentile}`);
    assert.match(e.summary, /^Score \d,\d\/10, surtout à cause (du|de la|de l'|des) /);
    console.log(`42218 maillage-2025: ${e.summary}`);
  });

  test("a commune without data says so; an imputed value is said in the summary", () => {
    assert.equal(
      explain(official, "15031").summary,
      "Score non calculable : aucune donnée n'est disponible pour cette commune.",
    );
    const scores = computeScores(maillage, inputs.indicators, inputs.communes);
    const imputed = scores.find((s) => s.imputed.includes("revenu_median"));
    assert.ok(imputed);
    const e = explain(maillage, imputed.code);
    assert.match(e.summary, /\(valeur estimée pour : revenu médian/);
    assert.equal(e.lines.find((l) => l.indicator === "revenu_median")?.status, "imputed-epci");
  });
});
