import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseCandidateCodes, parseLayer, planProblem } from "./inputs.ts";

describe("plan inputs in plain French", () => {
  test("services and dispositifs by name, without accents or case; 'tous' by default", () => {
    assert.deepEqual(parseLayer(undefined), { kind: "tous" });
    assert.deepEqual(parseLayer("france-services"), { kind: "dispositif", name: "France Services" });
    assert.deepEqual(parseLayer("aide aux demarches administratives"), {
      kind: "service",
      name: "Aide aux démarches administratives",
    });
    const bad = parseLayer("Cours de cuisine");
    assert.ok("problem" in bad);
    assert.match(bad.problem, /^Service inconnu « Cours de cuisine »/);
  });

  test("N, radius and candidates", () => {
    assert.equal(planProblem(5, 10, 255), null);
    assert.match(
      planProblem(300, 10, 255) ?? "",
      /Vous demandez 300 sites, mais il n'y a que 255 communes candidates/,
    );
    assert.match(planProblem(0, 10, 255) ?? "", /au moins 1/);
    assert.match(planProblem(2.5, 10, 255) ?? "", /entier/);
    assert.match(planProblem(5, 0, 255) ?? "", /supérieur à 0/);
    assert.match(planProblem(5, -3, 255) ?? "", /supérieur à 0/);
    assert.match(planProblem(5, Number.NaN, 255) ?? "", /supérieur à 0/);
    assert.match(planProblem(5, 5000, 255) ?? "", /5000 km n'a pas de sens/);
    assert.match(planProblem(1, 10, 0) ?? "", /aucune commune candidate/);
  });

  test("a candidate file: one code per line or a CSV's first column, header skipped, duplicates once", () => {
    assert.deepEqual(
      parseCandidateCodes(
        "\uFEFFcode_insee;nom\n23096;Guéret\n23176;La Souterraine\r\n23096;Guéret\n\n2a004\n",
      ),
      ["23096", "23176", "2A004"],
    );
  });
});
