import assert from "node:assert/strict";
import { test } from "node:test";
import { capabilities } from "../src/capabilities.ts";

test("the capabilities' indicators: ids unique across all of them, every field said, the four providers wired, the CNV items answered", () => {
  const defs = capabilities.flatMap((c) => c.indicators?.definitions ?? []);
  const ids = defs.map((d) => d.id);
  assert.deepEqual(
    ids.filter((id, i) => ids.indexOf(id) !== i),
    [],
    "identifiants en double",
  );
  for (const d of defs)
    for (const k of [
      "id",
      "family",
      "label",
      "definition",
      "formula",
      "source",
      "vintage",
      "unit",
      "hidden",
    ] as const)
      assert.ok(d[k].trim().length > 0, `${d.id} : ${k} vide`);
  const providers = capabilities.filter((c) => c.indicators).map((c) => c.name);
  for (const name of ["diagnostic", "activites", "pass", "mandats"])
    assert.ok(providers.includes(name), name);
  // Each Conseil national des villes item asked of the operational data is answered.
  const cnv = new Set(defs.filter((d) => d.access === "operationnel").map((d) => d.cnv));
  for (const item of [
    "nombre de diagnostics numériques réalisés",
    "nombre de formations délivrées",
    "% des populations prises en charge",
    "nombre d'aidants numériques et de médiateurs sociaux",
  ])
    assert.ok(cnv.has(item), item);
});
