import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { backends } from "../../test/support/db.ts";
import { checkDefinitions, indicatorContext, scopeOf, territories } from "../../test/support/indicators.ts";
import { BY_SYSTEM, type JournalBy } from "../accounts/store.ts";
import type { AppContext } from "../context.ts";
import { migrations } from "../migrations.ts";
import { type Database, migrate } from "../platform/db.ts";
import { NOT_AT_QPV } from "../platform/indicators.ts";
import type { Referential } from "../territories/referential.ts";
import { PASS_INDICATORS, passIndicators } from "./indicators.ts";
import type { Programme } from "./model.ts";
import {
  allocateBooklets,
  createProgramme,
  handBooklet,
  type NewProgramme,
  orderBooklets,
  redeemCheque,
} from "./store.ts";

test("every pass indicator is fully defined, once", () => {
  checkDefinitions(PASS_INDICATORS);
});

/** Fictitious organisations (ids only): a financeur, prescribers 31 to 37, labelled places 51 to 57. */
const FINANCEUR = 1;
const PLACES = [51, 52, 53, 54, 55, 56, 57];
const by = (organisationId: number): JournalBy => ({ ...BY_SYSTEM, organisationId, personId: null });
const T = (iso: string) => new Date(iso);
const programmeOf = (over: Partial<NewProgramme>): NewProgramme => ({
  name: "Pass numérique (essai des indicateurs)",
  organisationId: FINANCEUR,
  territoryId: "23096",
  zone: "Europe/Paris",
  publics: ["seniors"],
  faceValueCents: 1000,
  bookletSize: 5,
  validityMonths: 12,
  lastDate: "2027-06-30",
  graceDays: 59,
  budgetCents: 100_000_000,
  placeOrganisationIds: PLACES,
  ...over,
});

for (const backend of backends) {
  describe(`pass indicators on ${backend.name}`, () => {
    let database: Database;
    let ctx: AppContext;
    let ref: Referential;
    let gueret: Programme;
    let creuse: Programme;
    /** Orders one booklet and allocates it to the prescriber on that day; hands it when a commune is given. */
    async function booklet(p: Programme, prescriber: number, day: string, commune?: string) {
      const db = database.db;
      const order = await orderBooklets(db, p.id, 1, by(FINANCEUR), T(`${day}T08:00:00Z`));
      assert.ok(order.ok);
      const b = order.booklets[0] as { serial: string; codes: string[] };
      const allocated = await allocateBooklets(
        db,
        p,
        { serials: [b.serial] },
        prescriber,
        by(FINANCEUR),
        T(`${day}T08:00:00Z`),
      );
      assert.ok(allocated.ok);
      if (commune) {
        const h = await handBooklet(
          db,
          p,
          b.serial,
          prescriber,
          { beneficiary: null, communeCode: commune, ageBracket: null, diagnosticId: null, handedOn: day },
          by(prescriber),
          T(`${day}T09:00:00Z`),
        );
        assert.ok(h.ok, JSON.stringify(h));
      }
      return b;
    }
    const redeem = async (code: string, place: number) =>
      assert.ok(
        (
          await redeemCheque(
            database.db,
            code,
            { organisationId: place, workshopOn: "2026-11-20", workshopMinutes: 90 },
            by(place),
            T("2026-11-20T10:00:00Z"),
          )
        ).redeemed,
      );
    before(async () => {
      database = await backend.open();
      await migrate(database.db, migrations);
      ref = await territories();
      ctx = indicatorContext(database, ref);
      gueret = await createProgramme(database.db, programmeOf({}), by(FINANCEUR), T("2026-09-01T08:00:00Z"));
      creuse = await createProgramme(
        database.db,
        programmeOf({ territoryId: "23", bookletSize: 10 }),
        by(FINANCEUR),
        T("2026-09-01T08:00:00Z"),
      );
    });
    after(() => database?.close());
    const gueretNovember = () => scopeOf(ref, "23096", "2026-11-01", "2026-11-30");
    const handed: { codes: string[] }[] = [];

    test("issued, handed, redeemed: 4 hidden, 5 hidden by dominance, 6 shown; periods, communes, programmes apart", async () => {
      for (let p = 31; p <= 34; p++) handed.push(await booklet(gueret, p, "2026-11-05", "23096"));
      let v = await passIndicators.compute(ctx, gueretNovember());
      assert.deepEqual(v["pass.remis"], { value: null, hidden: true });
      assert.deepEqual(v["pass.emis"], { value: 20 });
      handed.push(await booklet(gueret, 35, "2026-11-05", "23096"));
      v = await passIndicators.compute(ctx, gueretNovember());
      assert.deepEqual(v["pass.remis"], { value: null, hidden: true });
      handed.push(await booklet(gueret, 36, "2026-11-05", "23096"));
      // Outside the period, to a person of Aubusson, and a départemental programme's booklet not handed.
      await booklet(gueret, 37, "2026-10-31", "23096");
      await booklet(gueret, 31, "2026-11-06", "23008");
      await booklet(creuse, 31, "2026-11-07");
      v = await passIndicators.compute(ctx, gueretNovember());
      assert.deepEqual(v, {
        "pass.emis": { value: 35 },
        "pass.remis": { value: 6 },
        "pass.utilises": { value: 0 },
        "pass.montant_utilise": { value: 0 },
        // None of the 30 cheques used yet: a real 0 %.
        "pass.taux_utilisation": { value: 0 },
      });
      // The département counts the départemental programme's 10 cheques as well.
      v = await passIndicators.compute(ctx, scopeOf(ref, "23", "2026-11-01", "2026-11-30"));
      assert.deepEqual(v["pass.emis"], { value: 45 });
      assert.deepEqual(v["pass.remis"], { value: 7 });
      // Paris: nothing handed, no rate.
      v = await passIndicators.compute(ctx, scopeOf(ref, "75056", "2026-11-01", "2026-11-30"));
      assert.deepEqual(v["pass.remis"], { value: 0 });
      assert.deepEqual(v["pass.taux_utilisation"], {
        value: undefined,
        note: "aucun chèque remis dans la période",
      });
    });

    test("cheques used and the share of handed ones, hidden while fewer than 5 or one place", async () => {
      for (let i = 0; i < 4; i++) await redeem(handed[i]?.codes[0] as string, PLACES[i] as number);
      let v = await passIndicators.compute(ctx, gueretNovember());
      assert.deepEqual(v["pass.utilises"], { value: null, hidden: true });
      assert.deepEqual(v["pass.montant_utilise"], { value: null, hidden: true });
      assert.deepEqual(v["pass.taux_utilisation"], { value: null, hidden: true });
      for (let i = 4; i < 6; i++) await redeem(handed[i]?.codes[0] as string, PLACES[i] as number);
      v = await passIndicators.compute(ctx, gueretNovember());
      assert.deepEqual(v["pass.utilises"], { value: 6 });
      assert.deepEqual(v["pass.montant_utilise"], { value: 6000 });
      // 6 of the 30 cheques handed in November.
      assert.deepEqual(v["pass.taux_utilisation"], { value: 20 });
      // Used by the end of October: none yet.
      v = await passIndicators.compute(ctx, scopeOf(ref, "23096", "2026-10-01", "2026-10-31"));
      assert.deepEqual(v["pass.utilises"], { value: 0 });
    });

    test("per month: handings of October hidden, so are November's; the rate of each month's handings", async () => {
      const months = await passIndicators.monthly?.(ctx, scopeOf(ref, null, "2026-10-01", "2026-11-30"));
      assert.deepEqual(months?.["2026-10"], {
        "pass.emis": { value: null, hidden: true },
        "pass.remis": { value: null, hidden: true },
        "pass.utilises": { value: 0 },
        "pass.montant_utilise": { value: 0 },
        "pass.taux_utilisation": { value: null, hidden: true },
      });
      assert.deepEqual(months?.["2026-11"], {
        "pass.emis": { value: null, hidden: true },
        "pass.remis": { value: null, hidden: true },
        "pass.utilises": { value: 6 },
        "pass.montant_utilise": { value: 6000 },
        // 6 of the 35 cheques handed in November (Guéret and Aubusson).
        "pass.taux_utilisation": { value: 17.1 },
      });
      const period = await passIndicators.compute(ctx, scopeOf(ref, null, "2026-10-01", "2026-11-30"));
      assert.deepEqual(period["pass.remis"], { value: 8 });
      assert.deepEqual(period["pass.emis"], { value: 50 });
    });

    test("a quartier: not available, a handing records a commune and a redemption an organisation", async () => {
      const v = await passIndicators.compute(
        ctx,
        scopeOf(ref, "23096", "2026-11-01", "2026-11-30", ["lieu-1c7bf8a54621eeaa"]),
      );
      for (const d of PASS_INDICATORS) assert.deepEqual(v[d.id], { value: undefined, note: NOT_AT_QPV });
    });
  });
}
