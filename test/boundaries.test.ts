import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { importViolations, readSources, SRC } from "./support/boundaries.ts";

describe("boundaries between capabilities", () => {
  test("the checker names an import of another capability's store, routes, views, or of the application", () => {
    const files = new Map([
      ["coverage/engine.ts", 'import type { StoredMethod } from "../fragility/store.ts";'],
      ["coverage/routes.tsx", 'import { resolveTerritory } from "../fragility/routes.tsx";'],
      [
        "diagnostic/x.tsx",
        'import { Page } from "../places/views/place.tsx";\nimport { a } from "../app.ts";',
      ],
      ["orientation/when.ts", 'import { parseHours } from "../places/hours.ts";'],
      ["places/a.ts", 'import { b } from "./store.ts";\nimport type { AppContext } from "../context.ts";'],
    ]);
    assert.deepEqual(
      importViolations(files).map((v) => `${v.file} → ${v.imports}`),
      [
        "coverage/engine.ts → fragility/store.ts",
        "coverage/routes.tsx → fragility/routes.tsx",
        "diagnostic/x.tsx → places/views/place.tsx",
        "diagnostic/x.tsx → app.ts",
      ],
    );
  });

  test("no capability imports another capability's store, routes, views, commands or the application", () => {
    const violations = importViolations(readSources(SRC));
    assert.deepEqual(
      violations.map((v) => `${v.file} importe ${v.imports} : ${v.why}`),
      [],
      "Passez par le modèle, le cœur pur ou le modèle de lecture (AppContext) de l'autre capacité.",
    );
  });
});
