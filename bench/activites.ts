/**
 * `npm run bench -- activites`: saving reports by 20 simultaneous writers (p50, p99, per second) against a minimal
 * transaction of the same run; 50 simultaneous replays of one submission (exactly one row); the statistics of the
 * Creuse with 100 000 reports (spread over its 255 real communes, La Coop's vocabulary) against a plain count of
 * the same rows. On PGlite and, when DATABASE_URL is set, PostgreSQL.
 */
import { sql } from "kysely";
import { BY_SYSTEM } from "../src/accounts/store.ts";
import { type ActivityInput, validateActivity } from "../src/activites/model.ts";
import { rawStats, saveActivity } from "../src/activites/store.ts";
import { AUTONOMIES, THEMATIQUES, TRANCHES_AGE } from "../src/activites/vocabulary.ts";
import { migrations } from "../src/migrations.ts";
import { migrate } from "../src/platform/db.ts";
import { creuse } from "../test/support/creuse.ts";
import { backends } from "../test/support/db.ts";
import { percentile, report } from "./stats.ts";

const communes = creuse.communes.map((c) => c.code);
const input = (i: number): ActivityInput => ({
  type: "individuel",
  date: "2026-11-30",
  duration: String(15 + (i % 8) * 15),
  lieu: "domicile",
  placeId: "",
  commune: communes[i % communes.length] as string,
  thematiques: [THEMATIQUES[i % THEMATIQUES.length] as string],
  materiel: ["telephone"],
  autonomie: AUTONOMIES[i % 3] as string,
  redirection: "",
  notes: "",
  titre: "",
  niveau: "",
  participants: "",
  coordination: "",
  trancheAge: TRANCHES_AGE[i % 7] as string,
  statut: "",
  beneficiaireCommune: "",
  diagnostic: "",
  orientation: "",
  utilisation: "",
  cheque: "",
  beneficiaire: "",
});

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

export async function benchActivities(): Promise<void> {
  const ctx = { today: "2026-12-02", placeIds: [], isCommune: (c: string) => communes.includes(c) };
  for (const backend of backends) {
    console.log(`\n== comptes rendus d'activité (${backend.name}) ==`);
    const database = await backend.open();
    const db = database.db;
    try {
      await migrate(db, migrations);
      await sql`CREATE TABLE bench_reference (id serial PRIMARY KEY, k text, n integer)`.execute(db);
      const at = new Date("2026-12-01T10:00:00Z");
      const save = (i: number, key: string) => {
        const v = validateActivity(input(i), ctx);
        if (!v.ok) throw new Error(JSON.stringify(v.errors));
        return saveActivity(
          db,
          v.value,
          { organisationId: 1 + (i % 20), personId: i % 20, key, statsCommune: v.value.communeCode },
          BY_SYSTEM,
          at,
        );
      };
      const n = 1000;
      const writes = await concurrently(n, 20, (i) => save(i, `bench-cle-${String(i).padStart(6, "0")}`));
      const reference = await concurrently(n, 20, (i) =>
        db
          .transaction()
          .execute((trx) => sql`INSERT INTO bench_reference (k, n) VALUES (${String(i)}, 1)`.execute(trx)),
      );
      report("enregistrement d'un compte rendu, 20 rédacteurs simultanés", (1000 * n) / writes.total, "/s");
      report("  p50", percentile(writes.times, 50), "ms");
      report("  p99", percentile(writes.times, 99), "ms");
      report(
        "  référence (transaction minimale, mêmes 20 clients) p99",
        percentile(reference.times, 99),
        "ms",
      );
      report(
        "  rapport p99 / référence",
        percentile(writes.times, 99) / percentile(reference.times, 99),
        "×",
      );
      const replays = await Promise.all(Array.from({ length: 50 }, () => save(7, "bench-rejeu-000001")));
      report(
        "50 rejeux simultanés d'une même saisie : lignes créées",
        replays.filter((r) => r.kind === "created").length,
        "",
        "exactement 1",
      );

      // 100 000 reports in the Creuse (written by one INSERT … SELECT, the store's columns).
      await sql`INSERT INTO activite (organisation_id, person_id, idempotency_key, fingerprint, created_at, type, date,
          minutes, lieu, commune_code, thematiques, materiel, autonomie, tranche_age, participants)
        SELECT 100 + (g % 40), g % 200, 'masse-cle-' || g, 'x', ${at}, CASE WHEN g % 10 = 0 THEN 'collectif' ELSE 'individuel' END,
          to_char(date '2026-01-01' + (g % 334), 'YYYY-MM-DD'), 15 + (g % 8) * 15, 'domicile',
          (${communes}::text[])[1 + g % ${communes.length}], ARRAY[(${[...THEMATIQUES]}::text[])[1 + g % 19]], ARRAY['telephone'],
          (${[...AUTONOMIES]}::text[])[1 + g % 3], (${[...TRANCHES_AGE]}::text[])[1 + g % 7],
          CASE WHEN g % 10 = 0 THEN 6 ELSE 1 END
        FROM generate_series(1, 100000) AS g`.execute(db);
      await sql`ANALYZE activite`.execute(db);
      const runs: number[] = [];
      const refs: number[] = [];
      for (let r = 0; r < 5; r++) {
        let t = performance.now();
        await rawStats(db, { kind: "communes", communes }, "2026-01-01", "2026-12-31");
        runs.push(performance.now() - t);
        t = performance.now();
        await sql`SELECT count(*) FROM activite WHERE commune_code = ANY(${communes}::text[]) AND date BETWEEN '2026-01-01' AND '2026-12-31'`.execute(
          db,
        );
        refs.push(performance.now() - t);
      }
      const med = (xs: number[]) =>
        percentile(
          [...xs].sort((a, b) => a - b),
          50,
        );
      report("statistiques de la Creuse, 100 000 comptes rendus (médiane de 5)", med(runs), "ms");
      report("  référence (un simple comptage des mêmes lignes)", med(refs), "ms");
      report("  rapport", med(runs) / med(refs), "×");
    } finally {
      await database.close();
    }
  }
}
