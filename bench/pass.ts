/**
 * `npm run bench -- pass`: the pass numérique's figures, on PGlite and, when DATABASE_URL is set, PostgreSQL (the
 * server's pool of 10 connections). 200 simultaneous redemptions of one cheque (exactly one must succeed);
 * redemptions of distinct cheques by 50 simultaneous clients (per second, p50, p99) against a minimal transaction of
 * the same run; an order of 1 000 booklets of 10 against inserting the same rows plainly; the statements of a month
 * with 100 000 redemptions against the plain aggregate of those rows.
 */
import { sql } from "kysely";
import { BY_SYSTEM } from "../src/accounts/store.ts";
import { migrations } from "../src/migrations.ts";
import { newCode } from "../src/pass/code.ts";
import {
  allocateBooklets,
  createProgramme,
  drawStatements,
  handBooklet,
  orderBooklets,
  redeemCheque,
} from "../src/pass/store.ts";
import { type Db, migrate } from "../src/platform/db.ts";
import { backends } from "../test/support/db.ts";
import { percentile, report } from "./stats.ts";

const PLACE = 7;
const PRESCRIBER = 2;
const by = { ...BY_SYSTEM, organisationId: 1 };

const time = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const r = await f();
  return [r, performance.now() - t];
};

async function programme(db: Db, budgetCents = 2_000_000_000) {
  return createProgramme(
    db,
    {
      name: "Programme de mesure (essai)",
      organisationId: 1,
      territoryId: "23",
      zone: "Europe/Paris",
      publics: ["tout-public"],
      faceValueCents: 1000,
      bookletSize: 10,
      validityMonths: 12,
      lastDate: "2027-12-31",
      graceDays: 59,
      budgetCents,
      placeOrganisationIds: [PLACE],
    },
    by,
    new Date("2026-11-02T09:00:00Z"),
  );
}

/** `count` booklets ordered, allocated and handed: their cheque codes. */
async function handedCodes(db: Db, count: number): Promise<string[]> {
  const p = await programme(db);
  const at = new Date("2026-11-02T09:00:00Z");
  const order = await orderBooklets(db, p.id, count, by, at);
  if (!order.ok) throw new Error(order.message);
  await allocateBooklets(db, p, { count }, PRESCRIBER, by, at);
  for (const b of order.booklets)
    await handBooklet(
      db,
      p,
      b.serial,
      PRESCRIBER,
      {
        beneficiary: null,
        communeCode: "23096",
        ageBracket: null,
        diagnosticId: null,
        handedOn: "2026-11-02",
      },
      { ...BY_SYSTEM, organisationId: PRESCRIBER },
      at,
    );
  return order.booklets.flatMap((b) => b.codes);
}

/** `clients` simultaneous workers calling `call(i)` for i in 0…n−1: per-call times (ms) and the total (ms). */
async function concurrently(n: number, clients: number, call: (i: number) => Promise<unknown>) {
  const times: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < n; i = next++) {
        const t = performance.now();
        await call(i);
        times.push(performance.now() - t);
      }
    }),
  );
  return { times: times.sort((a, b) => a - b), total: performance.now() - t0 };
}

export async function benchPass(): Promise<void> {
  for (const backend of backends) {
    console.log(`\n== pass numérique (${backend.name}) ==`);
    const database = await backend.open();
    const db = database.db;
    try {
      await migrate(db, migrations);
      await sql`CREATE TABLE bench_reference (id serial PRIMARY KEY, code text, serial text, n integer)`.execute(
        db,
      );

      // 200 redemptions of one cheque at once.
      const [one] = await handedCodes(db, 1);
      const at = new Date("2026-11-10T10:00:00Z");
      const attempts = await Promise.all(
        Array.from({ length: 200 }, () =>
          redeemCheque(
            db,
            one as string,
            { organisationId: PLACE, workshopOn: "2026-11-10", workshopMinutes: 60 },
            by,
            at,
          ),
        ),
      );
      report(
        "200 encaissements simultanés d'un même chèque : réussis",
        attempts.filter((a) => a.redeemed).length,
        "",
        "exactement 1",
      );

      // Distinct cheques, 50 clients.
      const codes = await handedCodes(db, 300);
      const redeem = await concurrently(codes.length, 50, (i) =>
        redeemCheque(
          db,
          codes[i] as string,
          { organisationId: PLACE, workshopOn: "2026-11-10", workshopMinutes: 60 },
          by,
          at,
        ),
      );
      const reference = await concurrently(codes.length, 50, (i) =>
        db
          .transaction()
          .execute((trx) => sql`INSERT INTO bench_reference (code, n) VALUES (${codes[i]}, 1)`.execute(trx)),
      );
      report("encaissements de chèques distincts, 50 clients", (1000 * codes.length) / redeem.total, "/s");
      report("  p50", percentile(redeem.times, 50), "ms");
      report("  p99", percentile(redeem.times, 99), "ms");
      report(
        "référence : transaction minimale (un INSERT), 50 clients, même passage",
        (1000 * codes.length) / reference.total,
        "/s",
      );
      report("  p99 de la référence", percentile(reference.times, 99), "ms");
      report(
        "rapport p99 encaissement / référence",
        percentile(redeem.times, 99) / percentile(reference.times, 99),
        "×",
      );

      // An order of 1 000 booklets of 10.
      const p = await programme(db);
      const [, orderMs] = await time(() => orderBooklets(db, p.id, 1000, by, at));
      const rows = Array.from({ length: 10_000 }, (_, i) => ({
        code: newCode(),
        serial: `R-${Math.floor(i / 10)}`,
      }));
      const [, plainMs] = await time(() =>
        db.transaction().execute(async (trx) => {
          for (let i = 0; i < rows.length; i += 5000)
            await sql`INSERT INTO bench_reference (code, serial, n) VALUES ${sql.join(
              rows.slice(i, i + 5000).map((r) => sql`(${r.code}, ${r.serial}, 1)`),
            )}`.execute(trx);
        }),
      );
      report("commande de 1 000 carnets de 10 (codes, registre, journal)", orderMs, "ms");
      report("référence : insérer 10 000 lignes simples en une transaction, même passage", plainMs, "ms");
      report("rapport commande / référence", orderMs / plainMs, "×");

      // A month with 100 000 redemptions: 10 000 booklets ordered, then their cheques marked redeemed in bulk
      // (set-up, not measured), then the statements drawn.
      const q = await programme(db);
      for (let k = 0; k < 10; k++) await orderBooklets(db, q.id, 1000, by, at);
      await sql`UPDATE pass_cheque SET state = 'encaisse', redeemed_at = ${at}, redeemed_on = '2026-11-' || lpad(((rank % 28) + 1)::text, 2, '0'),
        redeemed_by = ${PLACE} + (rank % 20), valid_until = '2027-11-01', claim_until = '2027-12-31'
        WHERE programme_id = ${q.id}`.execute(db);
      const [made, statementMs] = await time(() =>
        drawStatements(db, "2026-11", new Date("2026-12-01T08:00:00Z"), BY_SYSTEM),
      );
      const [, aggregateMs] = await time(() =>
        sql`SELECT programme_id, redeemed_by, count(*), sum(1000) FROM pass_cheque
          WHERE redeemed_on >= '2026-11-01' AND redeemed_on < '2026-12-01' GROUP BY 1, 2`.execute(db),
      );
      report(`relevés d'un mois de 100 000 encaissements (${made} relevés)`, statementMs, "ms");
      report("référence : l'agrégat simple des mêmes lignes, même passage", aggregateMs, "ms");
      report("rapport relevés / référence", statementMs / aggregateMs, "×");
    } finally {
      await database.close();
    }
  }
}
