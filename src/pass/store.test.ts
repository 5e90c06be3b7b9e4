import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { sql } from "kysely";
import { backends } from "../../test/support/db.ts";
import { BY_SYSTEM, type JournalBy } from "../accounts/store.ts";
import { migrations } from "../migrations.ts";
import { type Database, type Db, migrate } from "../platform/db.ts";
import { checkBooks } from "./books.ts";
import type { Programme } from "./model.ts";
import {
  allocateBooklets,
  createProgramme,
  drawStatements,
  expire,
  getBooklet,
  getCheque,
  handBooklet,
  LEDGER_IMMUTABLE,
  listStatements,
  markPaid,
  type NewProgramme,
  orderBooklets,
  redeemCheque,
} from "./store.ts";

/** Fictitious organisations (ids only: the pass store keeps no organisation of its own). */
const FINANCEUR = 1;
const PRESCRIBER = 2;
const OTHER_PRESCRIBER = 3;
const PLACE = 7;
const UNLABELLED = 8;
const by = (organisationId: number): JournalBy => ({ ...BY_SYSTEM, organisationId, personId: null });

const programmeOf = (over: Partial<NewProgramme> = {}): NewProgramme => ({
  name: "Pass numérique de la Creuse (essai)",
  organisationId: FINANCEUR,
  territoryId: "23",
  zone: "Europe/Paris",
  publics: ["seniors"],
  faceValueCents: 1000,
  bookletSize: 5,
  validityMonths: 12,
  lastDate: "2026-12-31",
  graceDays: 59,
  budgetCents: 100_000_000,
  placeOrganisationIds: [PLACE],
  ...over,
});

for (const backend of backends) {
  describe(`pass numérique store on ${backend.name}`, () => {
    let database: Database;
    let db: Db;
    before(async () => {
      database = await backend.open();
      db = database.db;
      await migrate(db, migrations);
    });
    after(() => database?.close());

    const T = (iso: string) => new Date(iso);
    async function handedBooklet(p: Programme, handedOn: string) {
      const order = await orderBooklets(db, p.id, 1, by(FINANCEUR), T(`${handedOn}T08:00:00Z`));
      assert.ok(order.ok);
      const serial = order.booklets[0]?.serial as string;
      assert.ok(
        (
          await allocateBooklets(
            db,
            p,
            { serials: [serial] },
            PRESCRIBER,
            by(FINANCEUR),
            T(`${handedOn}T08:00:00Z`),
          )
        ).ok,
      );
      const h = await handBooklet(
        db,
        p,
        serial,
        PRESCRIBER,
        { beneficiary: null, communeCode: "23096", ageBracket: "75-et-plus", diagnosticId: null, handedOn },
        by(PRESCRIBER),
        T(`${handedOn}T09:00:00Z`),
      );
      assert.ok(h.ok, JSON.stringify(h));
      return order.booklets[0] as { serial: string; codes: string[] };
    }

    test("200 redemptions of one cheque at once: exactly one succeeds, the ledger has one row", async () => {
      const p = await createProgramme(db, programmeOf(), by(FINANCEUR), T("2026-03-01T08:00:00Z"));
      const b = await handedBooklet(p, "2026-03-15");
      const code = b.codes[0] as string;
      const results = await Promise.all(
        Array.from({ length: 200 }, () =>
          redeemCheque(
            db,
            code,
            { organisationId: PLACE, workshopOn: "2026-03-20", workshopMinutes: 90 },
            by(PLACE),
            T("2026-03-20T10:00:00Z"),
          ),
        ),
      );
      assert.equal(results.filter((r) => r.redeemed).length, 1);
      assert.ok(results.every((r) => r.cheque?.state === "encaisse"));
      const { rows } = await sql<{
        n: string;
      }>`SELECT count(*) AS n FROM pass_ledger WHERE code = ${code}`.execute(db);
      assert.equal(Number(rows[0]?.n), 1);
      assert.deepEqual(await checkBooks(db), []);
    });

    test("a second redemption row is refused by the database itself; the ledger cannot be changed", async () => {
      const p = await createProgramme(db, programmeOf(), by(FINANCEUR), T("2026-03-01T08:00:00Z"));
      const b = await handedBooklet(p, "2026-03-15");
      const code = b.codes[1] as string;
      assert.ok(
        (
          await redeemCheque(
            db,
            code,
            { organisationId: PLACE, workshopOn: "2026-03-20", workshopMinutes: 60 },
            by(PLACE),
            T("2026-03-20T10:00:00Z"),
          )
        ).redeemed,
      );
      await assert.rejects(
        sql`INSERT INTO pass_ledger (at, programme_id, kind, code, cheques, cents) VALUES (now(), ${p.id}, 'encaissement', ${code}, 1, 1000)`.execute(
          db,
        ),
        /pass_ledger_once_redeemed/,
      );
      await assert.rejects(sql`UPDATE pass_ledger SET cents = 0`.execute(db), new RegExp(LEDGER_IMMUTABLE));
      await assert.rejects(sql`DELETE FROM pass_ledger`.execute(db), new RegExp(LEDGER_IMMUTABLE));
    });

    test("bad transitions write nothing: handed twice, by another prescriber, unlabelled place, not handed, over budget", async () => {
      const p = await createProgramme(
        db,
        programmeOf({ budgetCents: 3 * 5 * 1000 }),
        by(FINANCEUR),
        T("2026-03-01T08:00:00Z"),
      );
      const count = async () =>
        Number(
          (
            await sql<{
              n: string;
            }>`SELECT count(*) AS n FROM pass_ledger WHERE programme_id = ${p.id}`.execute(db)
          ).rows[0]?.n,
        );
      const over = await orderBooklets(db, p.id, 4, by(FINANCEUR), T("2026-03-02T08:00:00Z"));
      assert.equal(over.ok, false);
      assert.match(over.ok ? "" : over.message, /permet 3 carnet\(s\)/);
      assert.equal(await count(), 0);
      const order = await orderBooklets(db, p.id, 2, by(FINANCEUR), T("2026-03-02T08:00:00Z"));
      assert.ok(order.ok);
      const [b1, b2] = order.booklets as [
        { serial: string; codes: string[] },
        { serial: string; codes: string[] },
      ];
      const before = await count();
      // Not allocated yet: cannot be handed. Allocating one already allocated: nothing written.
      const hand = (serial: string, org = PRESCRIBER, handedOn = "2026-03-15") =>
        handBooklet(
          db,
          p,
          serial,
          org,
          { beneficiary: "B-0042", communeCode: "23096", ageBracket: null, diagnosticId: null, handedOn },
          by(org),
          T(`${handedOn}T10:00:00Z`),
        );
      assert.equal(((await hand(b1.serial)) as { kind: string }).kind, "pas-a-vous");
      assert.ok(
        (
          await allocateBooklets(
            db,
            p,
            { serials: [b1.serial] },
            PRESCRIBER,
            by(FINANCEUR),
            T("2026-03-03T08:00:00Z"),
          )
        ).ok,
      );
      const again = await allocateBooklets(
        db,
        p,
        { serials: [b1.serial, b2.serial] },
        OTHER_PRESCRIBER,
        by(FINANCEUR),
        T("2026-03-03T08:00:00Z"),
      );
      assert.equal(again.ok, false);
      assert.equal(
        (await getBooklet(db, b2.serial))?.state,
        "commande",
        "the other booklet of the refused request stays unallocated",
      );
      assert.equal(await count(), before + 1);
      assert.equal(((await hand(b1.serial, OTHER_PRESCRIBER)) as { kind: string }).kind, "pas-a-vous");
      assert.ok((await hand(b1.serial)).ok);
      assert.equal(((await hand(b1.serial)) as { kind: string }).kind, "deja-remis");
      const code = b1.codes[0] as string;
      const attempt = (org: number, workshopOn: string, at: string) =>
        redeemCheque(db, code, { organisationId: org, workshopOn, workshopMinutes: 60 }, by(org), T(at));
      assert.equal((await attempt(UNLABELLED, "2026-03-20", "2026-03-20T10:00:00Z")).redeemed, false);
      assert.equal(
        (
          await redeemCheque(
            db,
            b2.codes[0] as string,
            { organisationId: PLACE, workshopOn: "2026-03-20", workshopMinutes: 60 },
            by(PLACE),
            T("2026-03-20T10:00:00Z"),
          )
        ).redeemed,
        false,
        "not handed",
      );
      assert.equal(await count(), before + 2, "only the allocation and the handing");
      assert.ok((await attempt(PLACE, "2026-03-20", "2026-03-20T10:00:00Z")).redeemed);
      assert.equal((await getCheque(db, code))?.state, "encaisse");
      assert.deepEqual(await checkBooks(db), []);
    });

    test("expiry and credit notes across the last date (in Paris time) and the grace period", async () => {
      const p = await createProgramme(
        db,
        programmeOf({ name: "Programme à échéance (essai)" }),
        by(FINANCEUR),
        T("2026-03-01T08:00:00Z"),
      );
      const handed = await handedBooklet(p, "2026-03-15");
      const allocated = await orderBooklets(db, p.id, 1, by(FINANCEUR), T("2026-03-02T08:00:00Z"));
      const ordered = await orderBooklets(db, p.id, 1, by(FINANCEUR), T("2026-03-02T08:00:00Z"));
      assert.ok(allocated.ok && ordered.ok);
      const allocatedSerial = allocated.booklets[0]?.serial as string;
      assert.ok(
        (
          await allocateBooklets(
            db,
            p,
            { serials: [allocatedSerial] },
            PRESCRIBER,
            by(FINANCEUR),
            T("2026-03-03T08:00:00Z"),
          )
        ).ok,
      );
      const mine = async () => ({
        handed: (await getBooklet(db, handed.serial))?.cheques.map((c) => c.state),
        allocated: (await getBooklet(db, allocatedSerial))?.state,
        ordered: (await getBooklet(db, ordered.booklets[0]?.serial as string))?.state,
      });
      // 31 December, 23:00 in Paris (22:00 UTC): still the last day; nothing changes.
      await expire(db, T("2026-12-31T22:00:00Z"), BY_SYSTEM);
      assert.deepEqual(await mine(), {
        handed: Array(5).fill("remis"),
        allocated: "attribue",
        ordered: "commande",
      });
      // Handing on the last day is still possible; on the next it is refused.
      const late = await handBooklet(
        db,
        p,
        allocatedSerial,
        PRESCRIBER,
        {
          beneficiary: null,
          communeCode: "23096",
          ageBracket: null,
          diagnosticId: null,
          handedOn: "2027-01-01",
        },
        by(PRESCRIBER),
        T("2026-12-31T23:30:00Z"),
      );
      assert.equal(late.ok, false);
      // 1 January, 00:30 in Paris: the unhanded booklets are cancelled and credited back, once.
      const first = await expire(db, T("2026-12-31T23:30:00Z"), BY_SYSTEM);
      const credit = first.credits.find((c) => c.programmeId === p.id);
      assert.deepEqual(credit, { programmeId: p.id, booklets: 2, cents: 2 * 5 * 1000 });
      assert.deepEqual(await mine(), {
        handed: Array(5).fill("remis"),
        allocated: "annule",
        ordered: "annule",
      });
      assert.equal(
        (await expire(db, T("2027-01-01T10:00:00Z"), BY_SYSTEM)).credits.find((c) => c.programmeId === p.id),
        undefined,
        "nothing twice",
      );
      // In the grace period (59 days: until 28 February), a workshop of 30 December is still paid; one of 2 January is not.
      const redeem = (code: string, workshopOn: string, at: string) =>
        redeemCheque(db, code, { organisationId: PLACE, workshopOn, workshopMinutes: 120 }, by(PLACE), T(at));
      assert.ok((await redeem(handed.codes[0] as string, "2026-12-30", "2027-02-10T10:00:00Z")).redeemed);
      assert.equal(
        (await redeem(handed.codes[1] as string, "2027-01-02", "2027-02-10T10:00:00Z")).redeemed,
        false,
      );
      // 28 February, 23:59 in Paris: the rest are still claimable; at midnight they expire.
      await expire(db, T("2027-02-28T22:59:00Z"), BY_SYSTEM);
      assert.equal((await getCheque(db, handed.codes[1] as string))?.state, "remis");
      assert.ok(
        (await redeem(handed.codes[1] as string, "2026-12-31", "2027-02-28T22:59:00Z")).redeemed,
        "last minute of the grace period",
      );
      const end = await expire(db, T("2027-02-28T23:00:00Z"), BY_SYSTEM);
      assert.ok(end.expiredCheques >= 3);
      assert.deepEqual(
        (await getBooklet(db, handed.serial))?.cheques.map((c) => c.state),
        ["encaisse", "encaisse", "expire", "expire", "expire"],
      );
      assert.equal(
        (await redeem(handed.codes[2] as string, "2026-12-30", "2027-03-01T10:00:00Z")).redeemed,
        false,
      );
      assert.deepEqual(await checkBooks(db), []);
    });

    test("statements: a month's redemptions per place, drawn once, paid once", async () => {
      const p = await createProgramme(
        db,
        programmeOf({ name: "Programme des relevés (essai)" }),
        by(FINANCEUR),
        T("2026-03-01T08:00:00Z"),
      );
      const b = await handedBooklet(p, "2026-04-01");
      for (const [i, at] of [
        "2026-04-10T10:00:00Z",
        "2026-04-30T21:30:00Z",
        "2026-04-30T22:30:00Z",
      ].entries())
        assert.ok(
          (
            await redeemCheque(
              db,
              b.codes[i] as string,
              { organisationId: PLACE, workshopOn: "2026-04-10", workshopMinutes: 60 },
              by(PLACE),
              T(at),
            )
          ).redeemed,
        );
      assert.equal(await drawStatements(db, "2026-04", T("2026-05-02T08:00:00Z"), BY_SYSTEM), 1);
      assert.equal(
        await drawStatements(db, "2026-04", T("2026-05-03T08:00:00Z"), BY_SYSTEM),
        0,
        "drawn once",
      );
      const [april] = await listStatements(db, { month: "2026-04", programmeId: p.id });
      // 30 April 22:30 UTC is 1 May 00:30 in Paris: in May's statement.
      assert.equal(april?.cheques, 2);
      assert.equal(april?.cents, 2000);
      assert.ok(april && (await markPaid(db, april, by(FINANCEUR), T("2026-05-05T08:00:00Z"))));
      assert.ok(april && !(await markPaid(db, april, by(FINANCEUR), T("2026-05-06T08:00:00Z"))), "paid once");
      assert.deepEqual(await checkBooks(db), []);
    });

    test("the books balance after a random sequence of 10 000 operations, each one as a model of the rules predicts", async () => {
      const p = await createProgramme(
        db,
        programmeOf({
          name: "Programme aléatoire (essai)",
          lastDate: "2027-06-30",
          validityMonths: 2,
          graceDays: 10,
        }),
        by(FINANCEUR),
        T("2026-01-01T08:00:00Z"),
      );
      const op = fc.oneof(
        {
          arbitrary: fc.record({ k: fc.constant("order" as const), n: fc.integer({ min: 1, max: 3 }) }),
          weight: 1,
        },
        {
          arbitrary: fc.record({
            k: fc.constant("allocate" as const),
            n: fc.integer({ min: 1, max: 3 }),
            org: fc.constantFrom(PRESCRIBER, OTHER_PRESCRIBER),
          }),
          weight: 2,
        },
        {
          arbitrary: fc.record({
            k: fc.constant("hand" as const),
            i: fc.nat(),
            org: fc.constantFrom(PRESCRIBER, PRESCRIBER, OTHER_PRESCRIBER),
          }),
          weight: 3,
        },
        {
          arbitrary: fc.record({
            k: fc.constant("redeem" as const),
            i: fc.nat(),
            org: fc.constantFrom(PLACE, PLACE, PLACE, UNLABELLED),
            back: fc.integer({ min: 0, max: 40 }),
          }),
          weight: 8,
        },
        {
          arbitrary: fc.record({ k: fc.constant("wait" as const), hours: fc.integer({ min: 1, max: 72 }) }),
          weight: 3,
        },
        { arbitrary: fc.record({ k: fc.constant("expire" as const) }), weight: 1 },
      );
      // One run of 10 000 operations from a seed printed on failure (fast-check's own report would print them all).
      const seed = Number(process.env.PASS_SEED ?? Date.now() % 1_000_000);
      const [ops] = fc.sample(fc.array(op, { minLength: 10_000, maxLength: 10_000 }), { seed, numRuns: 1 });
      let step = 0;
      try {
        {
          let now = T("2026-01-02T08:00:00Z").getTime();
          const day = (ms: number) => new Date(ms).toLocaleDateString("sv-SE", { timeZone: "Europe/Paris" });
          const booklets: {
            serial: string;
            codes: string[];
            state: string;
            org?: number;
            until?: string;
            claim?: string;
          }[] = [];
          const cheques = new Map<string, { state: string; booklet: number }>();
          for (const o of ops ?? []) {
            step++;
            const at = new Date(now);
            const today = day(now);
            switch (o.k) {
              case "order": {
                const r = await orderBooklets(db, p.id, o.n, by(FINANCEUR), at);
                assert.ok(r.ok);
                for (const b of r.booklets) {
                  booklets.push({ ...b, state: "commande" });
                  for (const c of b.codes)
                    cheques.set(c, { state: "commande", booklet: booklets.length - 1 });
                }
                break;
              }
              case "allocate": {
                const free = booklets.filter((b) => b.state === "commande");
                const r = await allocateBooklets(db, p, { count: o.n }, o.org, by(FINANCEUR), at);
                assert.equal(
                  r.ok,
                  free.length >= o.n,
                  `${free.length} free, ${o.n} asked: ${JSON.stringify(r)}`,
                );
                if (r.ok)
                  for (const b of free.slice(0, o.n)) {
                    assert.ok(r.serials.includes(b.serial));
                    b.state = "attribue";
                    b.org = o.org;
                    for (const c of b.codes) (cheques.get(c) as { state: string }).state = "attribue";
                  }
                break;
              }
              case "hand": {
                const pool = booklets.filter((b) => b.state !== "commande");
                const b = pool[o.i % Math.max(1, pool.length)];
                if (!b) break;
                const r = await handBooklet(
                  db,
                  p,
                  b.serial,
                  o.org,
                  {
                    beneficiary: null,
                    communeCode: "23096",
                    ageBracket: null,
                    diagnosticId: null,
                    handedOn: today,
                  },
                  by(o.org),
                  at,
                );
                const expected = b.state === "attribue" && b.org === o.org && today <= p.lastDate;
                assert.equal(r.ok, expected, `${b.serial} ${b.state} ${JSON.stringify(r)}`);
                if (r.ok) {
                  b.state = "remis";
                  b.until = r.validUntil;
                  b.claim = new Date(Date.parse(`${r.validUntil}T12:00:00Z`) + p.graceDays * 86_400_000)
                    .toISOString()
                    .slice(0, 10);
                  for (const c of b.codes) (cheques.get(c) as { state: string }).state = "remis";
                }
                break;
              }
              case "redeem": {
                const handed = booklets.filter((b) => b.state === "remis");
                const b = handed[o.i % Math.max(1, handed.length)];
                if (!b) break;
                const code = b.codes[o.i % b.codes.length] as string;
                const c = cheques.get(code) as { state: string };
                const workshopOn = day(now - o.back * 86_400_000);
                const r = await redeemCheque(
                  db,
                  code,
                  { organisationId: o.org, workshopOn, workshopMinutes: 60 },
                  by(o.org),
                  at,
                );
                const expected =
                  c.state === "remis" &&
                  o.org === PLACE &&
                  workshopOn <= (b.until as string) &&
                  today <= (b.claim as string);
                assert.equal(r.redeemed, expected, `${code} ${c.state} ${workshopOn} ${today} ${b.until}`);
                if (r.redeemed) c.state = "encaisse";
                break;
              }
              case "wait":
                now += o.hours * 3_600_000;
                break;
              case "expire": {
                await expire(db, at, BY_SYSTEM);
                for (const b of booklets) {
                  if ((b.state === "commande" || b.state === "attribue") && today > p.lastDate) {
                    b.state = "annule";
                    for (const c of b.codes) (cheques.get(c) as { state: string }).state = "annule";
                  }
                  if (b.state === "remis" && today > (b.claim as string))
                    for (const c of b.codes) {
                      const x = cheques.get(c) as { state: string };
                      if (x.state === "remis") x.state = "expire";
                    }
                }
                break;
              }
            }
          }
          assert.deepEqual(await checkBooks(db), []);
          const { rows } = await sql<{
            code: string;
            state: string;
          }>`SELECT code, state FROM pass_cheque WHERE programme_id = ${p.id}`.execute(db);
          assert.equal(rows.length, cheques.size);
          for (const r of rows)
            assert.equal(
              r.state,
              cheques.get(r.code)?.state,
              `${r.code}: ${JSON.stringify(booklets[cheques.get(r.code)?.booklet ?? -1])}`,
            );
        }
      } catch (e) {
        throw new Error(`PASS_SEED=${seed}, operation ${step} of 10 000: ${(e as Error).message}`, {
          cause: e,
        });
      }
    });
  });
}
