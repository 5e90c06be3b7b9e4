import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { backends } from "../../test/support/db.ts";
import { checkDefinitions, indicatorContext, scopeOf, territories } from "../../test/support/indicators.ts";
import type { AppContext } from "../context.ts";
import { migrations } from "../migrations.ts";
import { type Database, migrate } from "../platform/db.ts";
import { NOT_AT_QPV } from "../platform/indicators.ts";
import type { Referential } from "../territories/referential.ts";
import { DIAGNOSTIC_INDICATORS, diagnosticIndicators } from "./indicators.ts";
import { QUESTIONNAIRE } from "./questionnaire.ts";
import { score } from "./score.ts";
import { saveResponse } from "./store.ts";

test("every diagnostic indicator is fully defined, once", () => {
  checkDefinitions(DIAGNOSTIC_INDICATORS);
  assert.deepEqual(
    DIAGNOSTIC_INDICATORS.filter((d) => d.cnv).map((d) => d.id),
    ["diagnostics.realises"],
  );
});

/** Answers giving « exclu du numérique » without urgency, and « éloigné » with an urgency. */
const EXCLU = { equipement: "aucun", genes: ["vue"] };
const URGENT = { equipement: "les-deux", urgence: "oui", genes: ["lecture", "vue"] };

for (const backend of backends) {
  describe(`diagnostic indicators on ${backend.name}`, () => {
    let database: Database;
    let ctx: AppContext;
    let ref: Referential;
    let nonce = 0;
    const save = (commune: string, day: string, answers: Record<string, string | string[]>) =>
      saveResponse(database.db, {
        mode: "accompagne",
        communeCode: commune,
        day,
        answers,
        result: score(answers, QUESTIONNAIRE.version),
        nonce: `indicateurs-${++nonce}`,
      });
    before(async () => {
      database = await backend.open();
      await migrate(database.db, migrations);
      ref = await territories();
      ctx = indicatorContext(database, ref);
    });
    after(() => database?.close());

    test("counts in the period and the commune, hides 1 to 4, shows 5 and a real 0", async () => {
      // Guéret (23096): 4 diagnostics in October, and two just outside it.
      for (let i = 0; i < 4; i++) await save("23096", "2026-10-15", EXCLU);
      await save("23096", "2026-09-30", EXCLU);
      await save("23096", "2026-11-01", EXCLU);
      const gueretOctober = scopeOf(ref, "23096", "2026-10-01", "2026-10-31");
      let v = await diagnosticIndicators.compute(ctx, gueretOctober);
      assert.deepEqual(v["diagnostics.realises"], { value: null, hidden: true });
      assert.deepEqual(v["diagnostics.profil.exclu"], { value: null, hidden: true });
      // A fifth, urgent: the total shows; the one urgency, the 4 « exclus » and the 1 « éloigné » stay hidden.
      await save("23096", "2026-10-20", URGENT);
      v = await diagnosticIndicators.compute(ctx, gueretOctober);
      assert.deepEqual(v, {
        "diagnostics.realises": { value: 5 },
        "diagnostics.urgence": { value: null, hidden: true },
        "diagnostics.profil.autonome": { value: 0 },
        "diagnostics.profil.proche": { value: 0 },
        "diagnostics.profil.eloigne": { value: null, hidden: true },
        "diagnostics.profil.exclu": { value: null, hidden: true },
      });
      // Aubusson (23008): 6 « exclus » in November, none urgent (a shown 0).
      for (let i = 0; i < 6; i++) await save("23008", "2026-11-03", EXCLU);
      v = await diagnosticIndicators.compute(ctx, scopeOf(ref, "23008", "2026-11-01", "2026-11-30"));
      assert.deepEqual(v["diagnostics.realises"], { value: 6 });
      assert.deepEqual(v["diagnostics.urgence"], { value: 0 });
      assert.deepEqual(v["diagnostics.profil.exclu"], { value: 6 });
      // Guéret in November: 1 only; Paris: none at all (0, not hidden).
      v = await diagnosticIndicators.compute(ctx, scopeOf(ref, "23096", "2026-11-01", "2026-11-30"));
      assert.deepEqual(v["diagnostics.realises"], { value: null, hidden: true });
      v = await diagnosticIndicators.compute(ctx, scopeOf(ref, "75056", "2026-09-01", "2026-11-30"));
      assert.deepEqual(v["diagnostics.realises"], { value: 0 });
      // The département (23) holds both communes: 1 + 5 + 7. The lone « éloigné » is hidden, so the 12 « exclus »
      // are too (13 − 12 would give it back).
      v = await diagnosticIndicators.compute(ctx, scopeOf(ref, "23", "2026-09-01", "2026-11-30"));
      assert.deepEqual(v["diagnostics.realises"], { value: 13 });
      assert.deepEqual(v["diagnostics.profil.eloigne"], { value: null, hidden: true });
      assert.deepEqual(v["diagnostics.profil.exclu"], { value: null, hidden: true });
    });

    test("per month: a lone hidden month hides the next smallest, as in a partition", async () => {
      const months = await diagnosticIndicators.monthly?.(
        ctx,
        scopeOf(ref, null, "2026-08-15", "2026-11-30"),
      );
      assert.deepEqual(
        Object.fromEntries(Object.entries(months ?? {}).map(([m, v]) => [m, v["diagnostics.realises"]])),
        {
          "2026-08": { value: 0 },
          // September (1) is hidden; October (5) too, else 13 − 7 − 5 would give September back.
          "2026-09": { value: null, hidden: true },
          "2026-10": { value: null, hidden: true },
          "2026-11": { value: 7 },
        },
      );
    });

    test("a quartier: not available, the diagnostics carry only a commune", async () => {
      const scope = scopeOf(ref, "23096", "2026-09-01", "2026-11-30", ["lieu-1c7bf8a54621eeaa"]);
      const v = await diagnosticIndicators.compute(ctx, scope);
      for (const d of DIAGNOSTIC_INDICATORS)
        assert.deepEqual(v[d.id], { value: undefined, note: NOT_AT_QPV });
      const months = await diagnosticIndicators.monthly?.(ctx, scope);
      assert.deepEqual(Object.keys(months ?? {}), ["2026-09", "2026-10", "2026-11"]);
      assert.equal(months?.["2026-10"]?.["diagnostics.realises"]?.note, NOT_AT_QPV);
    });
  });
}
