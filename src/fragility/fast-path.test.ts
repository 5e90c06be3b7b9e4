import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import {
  referenceAggregates,
  referenceDistributions,
  referenceScores,
} from "../../test/support/fragility-reference.ts";
import { DATA_DIR } from "../../test/support/paths.ts";
import { fragilityInputs } from "../../test/support/real-data.ts";
import { aggregateScores } from "./aggregate.ts";
import { classOf } from "./classes.ts";
import { scoreTable } from "./compute.ts";
import { explainCommune } from "./explain.ts";
import { INDICATORS } from "./indicators.ts";
import type { FragilityInputs } from "./load.ts";
import { METHODS_DIR, parseMethod, readMethodFile, SHIPPED_METHODS } from "./method.ts";
import type { Method } from "./model.ts";
import { computeMethod } from "./sync.ts";

// Methods that take the other paths: every normalisation, imputation by département, re-weighting with deciles.
const OTHER_METHODS = [
  {
    id: "essai-departement",
    label: "Essai : médiane départementale",
    indicators: [
      { id: "revenu_median", normalisation: "zscore", weight: 2 },
      { id: "densite", normalisation: "minmax", weight: 1 },
      { id: "taux_pauvrete", normalisation: "deciles", weight: 1 },
      { id: "tranche_unite_urbaine", normalisation: "deciles", weight: 0.5 },
      { id: "ifn_total", normalisation: "none", weight: 1 },
    ],
    missing: "median-departement",
  },
  {
    id: "essai-reweight",
    label: "Essai : repondération",
    indicators: [
      { id: "taux_chomage", normalisation: "zscore", weight: 1 },
      { id: "taux_pauvrete", normalisation: "deciles", weight: 3 },
      { id: "densite", normalisation: "deciles", weight: 1 },
    ],
    missing: "reweight",
  },
];

describe("the typed-array computation equals the previous one exactly, on the real files", () => {
  let inputs: FragilityInputs;
  const methods: Method[] = [];
  before(async () => {
    inputs = await fragilityInputs(DATA_DIR);
    for (const file of SHIPPED_METHODS) methods.push(await readMethodFile(join(METHODS_DIR, file)));
    for (const m of OTHER_METHODS) methods.push(parseMethod(JSON.stringify(m)));
  });

  test("scores, parts, classes and aggregates of every commune, for each method", () => {
    for (const method of methods) {
      const table = scoreTable(method, inputs.columns);
      const expected = referenceScores(method, inputs.indicators, inputs.communes);
      const scores = table.all();
      assert.equal(scores.length, inputs.communes.length);
      assert.deepEqual(scores, expected, method.id);
      assert.deepEqual(
        scores.map((s) => classOf(s.score)),
        expected.map((s) => classOf(s.score)),
      );
      let imputed = 0;
      for (const s of expected) if (s.imputed.length > 0) imputed++;
      if (method.missing !== "reweight") assert.ok(imputed > 0, `${method.id}: imputation is exercised`);
      for (const level of ["epci", "departement", "region"] as const) {
        const ours = aggregateScores(table, level);
        assert.ok(ours.length > 0);
        assert.deepEqual(
          ours,
          referenceAggregates(expected, inputs.communes, level),
          `${method.id} ${level}`,
        );
      }
    }
  });

  test("explanation lines and summaries of every commune, as stored by the computation", () => {
    for (const method of methods) {
      const { explanations, aggregates } = computeMethod(method, inputs);
      const scores = referenceScores(method, inputs.indicators, inputs.communes);
      const d = referenceDistributions(
        inputs.indicators,
        inputs.communes,
        method.indicators.map((i) => i.id),
      );
      assert.equal(explanations.length, inputs.communes.length);
      inputs.communes.forEach((c, i) => {
        const expected = explainCommune(scores[i] as (typeof scores)[number], c, method, INDICATORS, d);
        assert.deepEqual(explanations[i], expected, `${method.id} ${c.code}`);
      });
      assert.deepEqual(
        aggregates,
        (["epci", "departement", "region"] as const).flatMap((l) =>
          referenceAggregates(scores, inputs.communes, l),
        ),
      );
    }
  });
});
