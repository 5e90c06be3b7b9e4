import assert from "node:assert/strict";
import { test } from "node:test";
import { capabilities } from "../src/capabilities.ts";
import { checkFields } from "./support/indicators.ts";

test("the capabilities' indicators: ids unique across all of them, every field said, the four providers wired, the CNV items answered", () => {
  const defs = capabilities.flatMap((c) => c.indicators?.definitions ?? []);
  checkFields(defs);
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
