import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { backends } from "../../test/support/db.ts";
import { checkDefinitions, indicatorContext, scopeOf, territories } from "../../test/support/indicators.ts";
import { BY_SYSTEM } from "../accounts/store.ts";
import type { AppContext } from "../context.ts";
import { migrations } from "../migrations.ts";
import { type Database, migrate } from "../platform/db.ts";
import type { Referential } from "../territories/referential.ts";
import { ACTIVITY_INDICATORS, activityIndicators } from "./indicators.ts";
import { type ActivityInput, validateActivity } from "./model.ts";
import { saveActivity } from "./store.ts";

/** Real published places of Guéret (23096): La Quincaillerie and the Conseil départemental. */
const QUINCAILLERIE = "lieu-1c7bf8a54621eeaa";
const CONSEIL = "lieu-47b0323a2f20664a";

test("every accompaniment indicator is fully defined, once", () => {
  checkDefinitions(ACTIVITY_INDICATORS);
  assert.deepEqual(
    ACTIVITY_INDICATORS.filter((d) => d.cnv).map((d) => d.id),
    ["accompagnements.personnes", "formations.ateliers", "mediateurs.actifs"],
  );
});

const input = (over: Partial<ActivityInput>): ActivityInput => ({
  type: "individuel",
  date: "2026-11-05",
  duration: "45",
  lieu: "domicile",
  placeId: "",
  commune: "23096",
  thematiques: ["email", "aide_aux_demarches_administratives"],
  materiel: [],
  autonomie: "partiellement_autonome",
  redirection: "",
  notes: "",
  titre: "",
  niveau: "",
  participants: "",
  coordination: "",
  trancheAge: "",
  statut: "",
  beneficiaireCommune: "",
  diagnostic: "",
  orientation: "",
  utilisation: "",
  cheque: "",
  beneficiaire: "",
  ...over,
});

for (const backend of backends) {
  describe(`accompaniment indicators on ${backend.name}`, () => {
    let database: Database;
    let ctx: AppContext;
    let ref: Referential;
    let key = 0;
    /** A report of organisation `org` by person `person`, counted in `commune`. */
    const record = async (org: number, person: number, over: Partial<ActivityInput> = {}) => {
      const r = validateActivity(input(over), {
        today: "2026-12-02",
        placeIds: [QUINCAILLERIE, CONSEIL],
        isCommune: (c) => ["23096", "23008"].includes(c),
      });
      assert.ok(r.ok, JSON.stringify(r));
      const statsCommune = over.lieu === "lieu_activite" ? "23096" : (over.commune ?? "23096");
      const saved = await saveActivity(
        database.db,
        r.value,
        { organisationId: org, personId: person, key: `indicateur-${++key}`, statsCommune },
        { ...BY_SYSTEM, organisationId: org, personId: person, role: "mediateur" },
        new Date("2026-12-02T10:00:00Z"),
      );
      assert.equal(saved.kind, "created");
    };
    before(async () => {
      database = await backend.open();
      await migrate(database.db, migrations);
      ref = await territories();
      ctx = indicatorContext(database, ref);
    });
    after(() => database?.close());
    const gueretNovember = () => scopeOf(ref, "23096", "2026-11-01", "2026-11-30");

    test("individual reports: 4 hidden, 5 hidden by dominance, 6 shown; other periods and communes apart", async () => {
      for (let org = 21; org <= 24; org++) await record(org, 100 + org);
      let v = await activityIndicators.compute(ctx, gueretNovember());
      assert.deepEqual(v["accompagnements.individuels"], { value: null, hidden: true });
      assert.deepEqual(v["mediateurs.actifs"], { value: null, hidden: true });
      // 5 reports of 5 organisations: 4 once the largest part (1) is left out — still hidden (the dominance rule).
      await record(25, 125);
      v = await activityIndicators.compute(ctx, gueretNovember());
      assert.deepEqual(v["accompagnements.individuels"], { value: null, hidden: true });
      await record(26, 126);
      // Outside the period (31 October) and in another commune (Aubusson): not counted in Guéret's November.
      await record(40, 140, { date: "2026-10-31" });
      await record(41, 141, { commune: "23008" });
      v = await activityIndicators.compute(ctx, gueretNovember());
      assert.deepEqual(v["accompagnements.individuels"], { value: 6 });
      assert.deepEqual(v["accompagnements.personnes"], { value: 6 });
      assert.deepEqual(v["mediateurs.actifs"], { value: 6 });
      assert.deepEqual(v["accompagnements.autonomes"], { value: 0 });
      assert.deepEqual(v["formations.ateliers"], { value: 0 });
      assert.deepEqual(v["accompagnements.thematique.email"], { value: 6 });
      assert.deepEqual(v["accompagnements.thematique.securite_numerique"], { value: 0 });
      // Aubusson: one organisation records 11 more; 12 in all, but 12 − 11 = 1 without it: hidden.
      for (let i = 0; i < 11; i++) await record(28, 128, { commune: "23008" });
      v = await activityIndicators.compute(ctx, scopeOf(ref, "23008", "2026-11-01", "2026-11-30"));
      assert.deepEqual(v["accompagnements.individuels"], { value: null, hidden: true });
      // The département holds both communes' reports: 6 + 12 in November (18 − 11 = 7: shown).
      v = await activityIndicators.compute(ctx, scopeOf(ref, "23", "2026-11-01", "2026-11-30"));
      assert.deepEqual(v["accompagnements.individuels"], { value: 18 });
      assert.deepEqual(v["mediateurs.actifs"], { value: 8 });
    });

    test("workshops, participants and people accompanied; a hidden part hides its complement", async () => {
      for (let org = 21; org <= 26; org++)
        await record(org, 100 + org, {
          type: "collectif",
          date: "2026-11-10",
          titre: "Courriel",
          participants: "3",
          autonomie: "",
        });
      let v = await activityIndicators.compute(ctx, gueretNovember());
      assert.deepEqual(v["formations.ateliers"], { value: 6 });
      assert.deepEqual(v["formations.participants"], { value: 18 });
      assert.deepEqual(v["accompagnements.personnes"], { value: 24 });
      assert.deepEqual(v["accompagnements.thematique.email"], { value: 24 });
      assert.deepEqual(v["mediateurs.actifs"], { value: 6 });
      // Another organisation's 4 individual reports in December: hidden, and the people (4 + 0) with them.
      for (let i = 0; i < 4; i++) await record(29, 129, { date: "2026-12-01" });
      v = await activityIndicators.compute(ctx, scopeOf(ref, "23096", "2026-12-01", "2026-12-31"));
      assert.deepEqual(v["accompagnements.individuels"], { value: null, hidden: true });
      assert.deepEqual(v["accompagnements.personnes"], { value: null, hidden: true });
      assert.deepEqual(v["formations.participants"], { value: 0 });
      // Six workshops of 3 that day: 22 people shown (4 + 18), so the 18 participants are hidden with the 4.
      for (let org = 21; org <= 26; org++)
        await record(org, 100 + org, {
          type: "collectif",
          date: "2026-12-01",
          titre: "Sécurité",
          participants: "3",
          autonomie: "",
        });
      v = await activityIndicators.compute(ctx, scopeOf(ref, "23096", "2026-12-01", "2026-12-31"));
      assert.deepEqual(v["accompagnements.personnes"], { value: 22 });
      assert.deepEqual(v["formations.ateliers"], { value: 6 });
      assert.deepEqual(v["accompagnements.individuels"], { value: null, hidden: true });
      assert.deepEqual(v["formations.participants"], { value: null, hidden: true });
    });

    test("per month, with a lone hidden month's neighbour hidden", async () => {
      const gueret = scopeOf(ref, "23096", "2026-10-01", "2026-12-31");
      const months = await activityIndicators.monthly?.(ctx, gueret);
      const of = (ms: typeof months, id: string) =>
        Object.fromEntries(Object.entries(ms ?? {}).map(([m, v]) => [m, v[id]]));
      // Two hidden months (1 and 4) and the period (11) shown: no single month comes back by subtraction.
      assert.deepEqual(of(months, "accompagnements.individuels"), {
        "2026-10": { value: null, hidden: true },
        "2026-11": { value: 6 },
        "2026-12": { value: null, hidden: true },
      });
      assert.deepEqual(of(months, "formations.ateliers"), {
        "2026-10": { value: 0 },
        "2026-11": { value: 6 },
        "2026-12": { value: 6 },
      });
      const period = await activityIndicators.compute(ctx, gueret);
      assert.deepEqual(period["accompagnements.individuels"], { value: 11 });
      assert.deepEqual(period["mediateurs.actifs"], { value: 8 });
      // The département in October and November: October (1) alone hidden, so November (18) is too (19 shown).
      const creuse = scopeOf(ref, "23", "2026-10-01", "2026-11-30");
      assert.deepEqual((await activityIndicators.compute(ctx, creuse))["accompagnements.individuels"], {
        value: 19,
      });
      assert.deepEqual(of(await activityIndicators.monthly?.(ctx, creuse), "accompagnements.individuels"), {
        "2026-10": { value: null, hidden: true },
        "2026-11": { value: null, hidden: true },
      });
    });

    test("a quartier counts the reports made in its published places only", async () => {
      for (let org = 21; org <= 26; org++)
        await record(org, 100 + org, { lieu: "lieu_activite", placeId: QUINCAILLERIE, date: "2026-11-20" });
      let v = await activityIndicators.compute(
        ctx,
        scopeOf(ref, "23096", "2026-11-01", "2026-11-30", [QUINCAILLERIE]),
      );
      assert.deepEqual(v["accompagnements.individuels"], { value: 6 });
      assert.deepEqual(v["formations.ateliers"], { value: 0 });
      assert.deepEqual(v["mediateurs.actifs"], { value: 6 });
      v = await activityIndicators.compute(ctx, scopeOf(ref, "23096", "2026-11-01", "2026-11-30", [CONSEIL]));
      assert.deepEqual(v["accompagnements.individuels"], { value: 0 });
      // The commune counts them with the others.
      v = await activityIndicators.compute(ctx, gueretNovember());
      assert.deepEqual(v["accompagnements.individuels"], { value: 12 });
    });
  });
}
