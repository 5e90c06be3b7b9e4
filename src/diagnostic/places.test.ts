import assert from "node:assert/strict";
import { test } from "node:test";
import type { Territory } from "../territories/model.ts";
import { orientationQuery } from "./places.ts";
import { score } from "./score.ts";

const GUERET = { id: "23096", kind: "commune", name: "Guéret" } as Territory;

test("a result becomes the finder's query: first service required, care and ways of helping to rank", () => {
  const urgent = score({ urgence: "oui", genes: ["lecture", "langue", "audition"], appareil: "aide" }, "v");
  const q = orientationQuery(urgent, GUERET);
  assert.equal(q.commune, "23096");
  assert.deepEqual(q.services, ["Aide aux démarches administratives"]);
  assert.deepEqual(q.supports, ["surdite", "illettrisme", "langue-etrangere"]);
  assert.deepEqual(q.modalites, ["individuel"]);
  assert.deepEqual(q.indispensables, ["besoin", "distance"]);
  const workshops = orientationQuery(
    score(
      { appareil: "seul", recherche: "seul", courriel: "aide", demarche: "aide", equipement: "aucun" },
      "v",
    ),
    GUERET,
  );
  assert.deepEqual(workshops.services, ["Maîtrise des outils numériques du quotidien"]);
  assert.deepEqual(workshops.modalites, ["individuel"]);
});
