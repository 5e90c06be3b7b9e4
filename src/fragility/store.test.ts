import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { backends } from "../../test/support/db.ts";
import { DATA_DIR } from "../../test/support/paths.ts";
import { fragilityInputs } from "../../test/support/real-data.ts";
import { FRAGILITY_SCORES } from "../../test/support/vintages.ts";
import { migrations } from "../migrations.ts";
import { type Database, migrate } from "../platform/db.ts";
import type { FragilityInputs } from "./load.ts";
import { METHODS_DIR, readMethodFile, SHIPPED_METHODS } from "./method.ts";
import type { Method } from "./model.ts";
import { countScores, getAggregates, getScores, listMethods, replaceMethodResults } from "./store.ts";
import { computeMethod } from "./sync.ts";

let inputs: FragilityInputs;
let official: Method;
let ours: Method;
before(async () => {
  inputs = await fragilityInputs(DATA_DIR);
  official = await readMethodFile(join(METHODS_DIR, SHIPPED_METHODS[0]));
  ours = await readMethodFile(join(METHODS_DIR, SHIPPED_METHODS[1]));
});

for (const backend of backends) {
  describe(`fragility store on ${backend.name}`, () => {
    let database: Database;
    before(async () => {
      database = await backend.open();
      await migrate(database.db, migrations);
    });
    after(() => database.close());

    test("stores a method's scores, explanations and aggregates with its version", async () => {
      const r = computeMethod(official, inputs);
      await replaceMethodResults(database.db, { ...r, inputsHash: "test" });
      assert.equal(await countScores(database.db, official.version), FRAGILITY_SCORES);
      const se = (await getScores(database.db, official.version, ["42218"])).get("42218");
      const computed = r.explanations.find((e) => e.code === "42218");
      assert.ok(se && computed && computed.score !== null);
      assert.ok(Math.abs((se.score ?? 0) - computed.score) < 1e-6);
      assert.equal(se.summary, computed.summary);
      assert.equal(se.lines.length, 5);
      assert.equal(se.lines[0]?.label, "Absence de très haut débit (score IFN)");
      const creuse = (await getAggregates(database.db, official.version, "departement", ["23"])).get("23");
      assert.ok(creuse && creuse.score !== null && creuse.score > 7, "the Creuse is among the most fragile");
      assert.equal(creuse.communes, 255, "the 255 communes of the Creuse");
      // The official EPCI index is kept beside our aggregate.
      const gueret = (await getAggregates(database.db, official.version, "epci", ["200034825"])).get(
        "200034825",
      );
      assert.ok(gueret && gueret.official !== null && Math.abs((gueret.score ?? 0) - gueret.official) < 0.2);
    });

    test("two methods coexist; storing a version again replaces it", async () => {
      const r = computeMethod(ours, inputs);
      await replaceMethodResults(database.db, { ...r, inputsHash: "test" });
      await replaceMethodResults(database.db, { ...r, inputsHash: "again" });
      const methods = await listMethods(database.db);
      assert.deepEqual(methods.map((m) => m.id).sort(), ["maillage-2025", "officiel-2023"]);
      assert.equal(methods.find((m) => m.id === "maillage-2025")?.inputsHash, "again");
      assert.equal(await countScores(database.db, ours.version), FRAGILITY_SCORES);
      const a = (await getScores(database.db, official.version, ["23096"])).get("23096");
      const b = (await getScores(database.db, ours.version, ["23096"])).get("23096");
      assert.ok(a && b);
      assert.notEqual(a.lines.length, b.lines.length);
    });
  });
}
