import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { DATA_DIR } from "../../test/support/paths.ts";
import { fragilityInputs } from "../../test/support/real-data.ts";
import { aggregateScores, compareAggregates } from "./aggregate.ts";
import { type ScoreTable, scoreTable } from "./compute.ts";
import type { FragilityInputs } from "./load.ts";
import { METHODS_DIR, readMethodFile } from "./method.ts";
import type { CommuneScore } from "./model.ts";

describe("aggregates on the real files", () => {
  let inputs: FragilityInputs;
  let table: ScoreTable;
  let scores: CommuneScore[];
  before(async () => {
    inputs = await fragilityInputs(DATA_DIR);
    table = scoreTable(await readMethodFile(join(METHODS_DIR, "officiel-2023.json")), inputs.columns);
    scores = table.all();
  });

  test("an EPCI's score is the population-weighted mean of its communes (Saint-Étienne Métropole)", () => {
    const sem = aggregateScores(table, "epci").find((a) => a.code === "244200770");
    assert.ok(sem);
    const members = inputs.communes.filter((c) => c.epci === "244200770");
    const byCode = new Map(scores.map((s) => [s.code, s.score]));
    const pop = members.reduce((t, c) => t + (c.population ?? 0), 0);
    const mean = members.reduce((t, c) => t + (c.population ?? 0) * (byCode.get(c.code) ?? 0), 0) / pop;
    assert.equal(sem.communes, members.length);
    assert.equal(sem.population, pop);
    assert.ok(Math.abs((sem.score ?? 0) - mean) < 1e-9);
    const fragile = members
      .filter((c) => (byCode.get(c.code) ?? 0) >= 7)
      .reduce((t, c) => t + (c.population ?? 0), 0);
    assert.ok(Math.abs((sem.shareAtLeast7 ?? 0) - fragile / pop) < 1e-12);
    assert.ok(
      Math.abs(
        (sem.indicators.ifn_thd ?? 0) -
          members.reduce(
            (t, c) =>
              t + (c.population ?? 0) * (scores.find((s) => s.code === c.code)?.parts[0]?.normalised ?? 0),
            0,
          ) /
            pop,
      ) < 1e-9,
    );
  });

  test("départements and régions: arrondissements are not counted twice", () => {
    const deps = aggregateScores(table, "departement");
    const regions = aggregateScores(table, "region");
    assert.equal(deps.length, 101);
    assert.equal(regions.length, 18);
    const paris = deps.find((d) => d.code === "75");
    assert.equal(paris?.communes, 1);
    assert.equal(paris?.population, 2103778);
    const popFrance = inputs.communes
      .filter((c) => c.kind === "commune")
      .reduce((t, c) => t + (c.population ?? 0), 0);
    assert.equal(
      regions.reduce((t, r) => t + r.population, 0),
      popFrance,
    );
    for (const a of [...deps, ...regions]) {
      assert.ok(a.score !== null && a.score > 0 && a.score < 10);
      assert.ok(a.shareAtLeast7 !== null && a.shareAtLeast7 >= 0 && a.shareAtLeast7 <= 1);
    }
  });

  test("our EPCI aggregate of officiel-2023 matches the official IFN per EPCI", () => {
    const ours = aggregateScores(table, "epci");
    const reference = new Map([...inputs.officialEpci].map(([code, e]) => [code, e.total]));
    const c = compareAggregates(ours, reference);
    console.log(
      `EPCI officiel-2023 vs ifn-epci-2023.csv: ${c.matched} matched, mean |Δ| = ${c.meanAbsoluteDifference?.toFixed(4)}, ` +
        `max |Δ| = ${c.maxAbsoluteDifference?.toFixed(4)} (${c.worst}), correlation = ${c.correlation?.toFixed(5)}; ` +
        `only ours: ${c.onlyOurs.join(" ")}; only official: ${c.onlyReference.join(" ")}`,
    );
    assert.ok(c.matched >= 1245);
    assert.ok((c.correlation ?? 0) > 0.999);
    assert.ok((c.meanAbsoluteDifference ?? 1) < 0.02);
    assert.ok((c.maxAbsoluteDifference ?? 1) < 0.25);
  });
});
