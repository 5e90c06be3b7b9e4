import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { backends } from "../../test/support/db.ts";
import { checkDefinitions, indicatorContext, scopeOf, territories } from "../../test/support/indicators.ts";
import { member, organisation } from "../../test/support/people.ts";
import { BY_SYSTEM, type JournalBy } from "../accounts/store.ts";
import type { AppContext } from "../context.ts";
import { migrations } from "../migrations.ts";
import { fixedClock } from "../platform/clock.ts";
import { type Database, migrate } from "../platform/db.ts";
import { NOT_AT_QPV } from "../platform/indicators.ts";
import type { Referential } from "../territories/referential.ts";
import { MANDAT_INDICATORS, mandatIndicators } from "./indicators.ts";
import { CURRENT_CHARTER, type Demarche, type Duration } from "./model.ts";
import { createMandat, habilitate, type Mandat, recordUse, revoke, withdrawHabilitation } from "./store.ts";

test("every mandate indicator is fully defined, once, with the 10 families", () => {
  checkDefinitions(MANDAT_INDICATORS);
  assert.equal(MANDAT_INDICATORS.filter((d) => d.id.startsWith("mandats.demarche.")).length, 10);
  assert.deepEqual(
    MANDAT_INDICATORS.filter((d) => d.cnv).map((d) => d.id),
    ["aidants.habilites"],
  );
});

const T = (iso: string) => new Date(iso);

for (const backend of backends) {
  describe(`mandate indicators on ${backend.name}`, () => {
    let database: Database;
    let ctx: AppContext;
    let ref: Referential;
    /** Six organisations acting on Guéret (23096), one on the département (23); one aidant each. */
    const orgs: number[] = [];
    const aidants: number[] = [];
    let departemental = 0;
    let departementalAidant = 0;
    let extraHabilitation = 0;
    let n = 0;
    const byOf = (org: number, aidant: number): JournalBy => ({
      personId: aidant,
      organisationId: org,
      role: "aidant",
      address: null,
    });
    async function sign(i: number, at: string, demarches: Demarche[], duration: Duration = 365) {
      const [org, aidant] = i < 0 ? [departemental, departementalAidant] : [orgs[i] ?? 0, aidants[i] ?? 0];
      n += 1;
      const r = await createMandat(
        database.db,
        {
          organisationId: org,
          territoryId: i < 0 ? "23" : "23096",
          zone: "Europe/Paris",
          template: "2026-12",
          demarches,
          duration,
          mandant: {
            givenNames: "Dominique",
            familyName: `Exemple ${"ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n % 26]}${"ABCDEFGHIJKLMNOPQRSTUVWXYZ"[Math.floor(n / 26)]}`,
            birthDate: "1950-01-01",
            birthPlace: "Guéret",
            document: "carte-identite",
            contact: null,
          },
          salt: `sel-indicateurs-${n}`,
          code: `IND${String(n).padStart(7, "0")}`,
        },
        aidant,
        byOf(org, aidant),
        T(at),
      );
      assert.ok(r.ok);
      return r.mandat;
    }
    const habilitateAt = async (person: number, org: number, at: string) =>
      assert.ok(
        await habilitate(
          database.db,
          {
            personId: person,
            organisationId: org,
            trainedOn: "2026-09-20",
            charter: CURRENT_CHARTER,
            territoryId: "23096",
          },
          BY_SYSTEM,
          T(at),
        ),
      );
    before(async () => {
      database = await backend.open();
      const db = database.db;
      await migrate(db, migrations);
      ref = await territories();
      ctx = indicatorContext(database, ref);
      const clock = fixedClock("2026-09-01T08:00:00Z");
      for (let i = 0; i < 6; i++) {
        const org = await organisation(db, clock, {
          name: `Structure d'essai ${i + 1} (Guéret)`,
          kind: "association",
          territoryId: "23096",
        });
        orgs.push(org);
        aidants.push(await member(db, clock, `aidant.indicateurs${i + 1}@example.org`, org, "aidant"));
      }
      departemental = await organisation(db, clock, {
        name: "France Services départementale d'essai",
        kind: "france-services",
        territoryId: "23",
      });
      departementalAidant = await member(
        db,
        clock,
        "aidant.departement@example.org",
        departemental,
        "aidant",
      );
      // Habilitated in October: four aidants of Guéret, a second one in the first structure, the département's.
      for (let i = 0; i < 4; i++) await habilitateAt(aidants[i] ?? 0, orgs[i] ?? 0, "2026-10-01T08:00:00Z");
      extraHabilitation = await member(db, clock, "aidant.second@example.org", orgs[0] ?? 0, "aidant");
      await habilitateAt(extraHabilitation, orgs[0] ?? 0, "2026-10-01T08:00:00Z");
      await habilitateAt(departementalAidant, departemental, "2026-10-01T08:00:00Z");
    });
    after(() => database?.close());

    test("aidants habilitated at the end of a period: 5 hidden by dominance, 6 shown, a withdrawal counted", async () => {
      const octoberEnd = scopeOf(ref, "23096", "2026-10-01", "2026-10-31");
      let v = await mandatIndicators.compute(ctx, octoberEnd);
      // 5 people, 2 of them in one structure: 3 without it.
      assert.deepEqual(v["aidants.habilites"], { value: null, hidden: true });
      for (let i = 4; i < 6; i++) await habilitateAt(aidants[i] ?? 0, orgs[i] ?? 0, "2026-11-02T08:00:00Z");
      const [second] = (
        await import("./store.ts").then((s) => s.habilitationsOf(database.db, orgs[0] ?? 0))
      ).filter((h) => h.personId === extraHabilitation);
      assert.ok(
        await withdrawHabilitation(
          database.db,
          second?.id ?? 0,
          BY_SYSTEM,
          T("2026-11-15T10:00:00Z"),
          "23096",
        ),
      );
      v = await mandatIndicators.compute(ctx, scopeOf(ref, "23096", "2026-11-01", "2026-11-30"));
      assert.deepEqual(v["aidants.habilites"], { value: 6 });
      // Still 5 (with the second one) at the end of October; the département adds its own aidant.
      assert.deepEqual((await mandatIndicators.compute(ctx, octoberEnd))["aidants.habilites"], {
        value: null,
        hidden: true,
      });
      v = await mandatIndicators.compute(ctx, scopeOf(ref, "23", "2026-11-01", "2026-11-30"));
      assert.deepEqual(v["aidants.habilites"], { value: 7 });
      v = await mandatIndicators.compute(ctx, scopeOf(ref, "75056", "2026-11-01", "2026-11-30"));
      assert.deepEqual(v["aidants.habilites"], { value: 0 });
    });

    let october: Mandat;
    test("mandates created, by family, running, and uses: 4 hidden, 6 shown, Paris days, territories apart", async () => {
      // 31 October 23:30 in Paris (22:30 UTC): October, not November.
      october = await sign(0, "2026-10-31T22:30:00Z", ["papiers"], 31);
      const november = scopeOf(ref, "23096", "2026-11-01", "2026-11-30");
      const mandates: Mandat[] = [];
      for (let i = 0; i < 4; i++)
        mandates.push(await sign(i, "2026-11-05T10:00:00Z", ["social", "logement"]));
      let v = await mandatIndicators.compute(ctx, november);
      assert.deepEqual(v["mandats.crees"], { value: null, hidden: true });
      for (let i = 4; i < 6; i++)
        mandates.push(await sign(i, "2026-11-05T10:00:00Z", ["social", "logement"]));
      await sign(-1, "2026-11-06T10:00:00Z", ["social"]);
      // 30 November 23:30 UTC is 1 December 00:30 in Paris: not November's, not running at its end.
      await sign(1, "2026-11-30T23:30:00Z", ["social"]);
      for (let i = 0; i < 6; i++) {
        const m = mandates[i] as Mandat;
        const used = await recordUse(
          database.db,
          {
            mandatId: m.id,
            demarche: "social",
            description: "Dossier RSA déposé",
            doneOn: "2026-11-10",
            organisationId: m.organisationId,
          },
          aidants[i] ?? 0,
          byOf(m.organisationId, aidants[i] ?? 0),
          T("2026-11-10T10:00:00Z"),
        );
        assert.ok(used);
      }
      v = await mandatIndicators.compute(ctx, november);
      assert.deepEqual(v["mandats.crees"], { value: 6 });
      assert.deepEqual(v["mandats.demarche.social"], { value: 6 });
      assert.deepEqual(v["mandats.demarche.logement"], { value: 6 });
      assert.deepEqual(v["mandats.demarche.papiers"], { value: 0 });
      assert.deepEqual(v["mandats.utilisations"], { value: 6 });
      // Running at the end of November: the 6 and October's (the first structure has 2: 5 without it).
      assert.deepEqual(v["mandats.actifs"], { value: 7 });
      // The département's own mandate counts in the département, not in Guéret.
      v = await mandatIndicators.compute(ctx, scopeOf(ref, "23", "2026-11-01", "2026-11-30"));
      assert.deepEqual(v["mandats.crees"], { value: 7 });
      assert.deepEqual(v["mandats.demarche.social"], { value: 7 });
      // October's mandate revoked on 20 November: no longer running at the end of November, still at the end of October.
      assert.ok(
        await revoke(
          database.db,
          october,
          ["papiers"],
          byOf(orgs[0] ?? 0, aidants[0] ?? 0),
          T("2026-11-20T10:00:00Z"),
        ),
      );
      v = await mandatIndicators.compute(ctx, november);
      assert.deepEqual(v["mandats.actifs"], { value: 6 });
    });

    test("per month: stocks at each month's end, flows with a lone hidden month's neighbour hidden", async () => {
      const months = await mandatIndicators.monthly?.(ctx, scopeOf(ref, "23096", "2026-10-01", "2026-11-30"));
      const of = (id: string) => Object.fromEntries(Object.entries(months ?? {}).map(([m, v]) => [m, v[id]]));
      assert.deepEqual(of("mandats.actifs"), {
        "2026-10": { value: null, hidden: true },
        "2026-11": { value: 6 },
      });
      assert.deepEqual(of("aidants.habilites"), {
        "2026-10": { value: null, hidden: true },
        "2026-11": { value: 6 },
      });
      // 1 in October (hidden) and 6 in November, 7 in all (shown): November is hidden too.
      assert.deepEqual(of("mandats.crees"), {
        "2026-10": { value: null, hidden: true },
        "2026-11": { value: null, hidden: true },
      });
      assert.deepEqual(of("mandats.utilisations"), { "2026-10": { value: 0 }, "2026-11": { value: 6 } });
    });

    test("a quartier: not available, mandates and habilitations carry no place", async () => {
      const scope = scopeOf(ref, "23096", "2026-11-01", "2026-11-30", ["lieu-1c7bf8a54621eeaa"]);
      const v = await mandatIndicators.compute(ctx, scope);
      for (const d of MANDAT_INDICATORS) assert.deepEqual(v[d.id], { value: undefined, note: NOT_AT_QPV });
    });
  });
}
