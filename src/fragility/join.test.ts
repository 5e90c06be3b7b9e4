import assert from "node:assert/strict";
import { test } from "node:test";
import { completeParisLyonMarseille } from "./join.ts";
import type { CommuneRef } from "./model.ts";

// Lyon and its 9 arrondissements as in COG 2025 (populations) and their IFN 2023 totals (real values).
const LYON: [string, number, number][] = [
  ["69381", 28717, 3.0277322311809747],
  ["69382", 29981, 3.390118795768918],
  ["69383", 100679, 3.0079203271439474],
  ["69384", 34752, 3.3858660199046584],
  ["69385", 47777, 3.638970750829229],
  ["69386", 49385, 3.3277390789900574],
  ["69387", 88326, 3.1315756664588763],
  ["69388", 85943, 3.953331454472862],
  ["69389", 53567, 4.083043682480037],
];
const ref = (code: string, kind: CommuneRef["kind"], population: number): CommuneRef => ({
  code,
  kind,
  population,
  epci: kind === "commune" ? "200046977" : null,
  departement: "69",
  region: "84",
  parent: kind === "arrondissement" ? "69123" : null,
});
const communes = [ref("69123", "commune", 519127), ...LYON.map(([c, p]) => ref(c, "arrondissement", p))];

test("a commune given only as arrondissements gets their population-weighted mean", () => {
  const values = new Map<string, number | null>(LYON.map(([c, , v]) => [c, v]));
  const out = completeParisLyonMarseille(values, communes);
  const pop = LYON.reduce((s, [, p]) => s + p, 0);
  const expected = LYON.reduce((s, [, p, v]) => s + p * v, 0) / pop;
  assert.equal(out.get("69123"), expected);
  assert.ok(Math.abs(expected - 3.433) < 0.001, `Lyon ≈ 3.433, got ${expected}`);
  // The input is not changed, the arrondissements keep their own values.
  assert.equal(values.has("69123"), false);
  assert.equal(out.get("69381"), 3.0277322311809747);
});

test("an empty commune row (Marseille 13055 in the IFN) is replaced the same way; arrondissements without a value are skipped", () => {
  const values = new Map<string, number | null>([
    ["69123", null],
    ...LYON.map(([c, , v]): [string, number | null] => [c, v]),
  ]);
  values.set("69389", null);
  const out = completeParisLyonMarseille(values, communes);
  const kept = LYON.filter(([c]) => c !== "69389");
  const expected = kept.reduce((s, [, p, v]) => s + p * v, 0) / kept.reduce((s, [, p]) => s + p, 0);
  assert.equal(out.get("69123"), expected);
  assert.equal(out.get("69389"), null, "a value the file gives as missing stays missing");
});

test("arrondissements absent from a file given by commune (table d'appartenance) take the commune's value", () => {
  const out = completeParisLyonMarseille(new Map([["69123", 7]]), communes);
  for (const [c] of LYON) assert.equal(out.get(c), 7);
});
