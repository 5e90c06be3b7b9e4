/**
 * `npm run bench -- mandats`: recording uses of mandates by 20 simultaneous aidants (p50, p99, per second) — each
 * use re-checks the authorisation and the aidant's habilitation in its INSERT — against a minimal transaction of the
 * same run; the public verification by hash among 2 000 mandates. On PGlite and, when DATABASE_URL is set,
 * PostgreSQL.
 */
import { sql } from "kysely";
import {
  addMembership,
  BY_SYSTEM,
  createOrganisation,
  createPerson,
  setTotp,
} from "../src/accounts/store.ts";
import { createMandat, habilitate, mandatByHash, recordUse } from "../src/mandats/store.ts";
import { migrations } from "../src/migrations.ts";
import { newCode } from "../src/pass/code.ts";
import { migrate } from "../src/platform/db.ts";
import { backends } from "../test/support/db.ts";
import { percentile, report } from "./stats.ts";

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

export async function benchMandates(): Promise<void> {
  for (const backend of backends) {
    console.log(`\n== mandats (${backend.name}) ==`);
    const database = await backend.open();
    const db = database.db;
    try {
      await migrate(db, migrations);
      await sql`CREATE TABLE bench_reference (id serial PRIMARY KEY, k text, n integer)`.execute(db);
      const at = new Date("2026-12-02T09:00:00Z");
      const org = await createOrganisation(
        db,
        { name: "France Services (mesure)", kind: "france-services", siret: null, territoryId: "23096" },
        at,
        BY_SYSTEM,
      );
      const person = await createPerson(
        db,
        { email: "aidant.mesure@example.org", name: "Aidant (mesure)" },
        at,
        BY_SYSTEM,
      );
      await addMembership(db, { personId: person.id, organisationId: org.id, role: "aidant" }, at, BY_SYSTEM);
      await setTotp(db, person.id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", [], at, BY_SYSTEM);
      await habilitate(
        db,
        {
          personId: person.id,
          organisationId: org.id,
          trainedOn: "2026-11-01",
          charter: "2026-12",
          territoryId: "23096",
        },
        BY_SYSTEM,
        at,
      );
      const by = { ...BY_SYSTEM, personId: person.id, organisationId: org.id, role: "aidant" as const };
      const ids: number[] = [];
      const hashes: string[] = [];
      for (let i = 0; i < 2000; i++) {
        const r = await createMandat(
          db,
          {
            organisationId: org.id,
            territoryId: "23096",
            zone: "Europe/Paris",
            template: "2026-12",
            demarches: ["social", "logement"],
            duration: 365,
            mandant: {
              givenNames: `Personne ${i}`,
              familyName: "Fictive",
              birthDate: "1950-01-01",
              birthPlace: "Guéret",
              document: "carte-identite",
              contact: null,
            },
            salt: `sel-${i}`,
            code: newCode(),
          },
          person.id,
          by,
          at,
        );
        if (!r.ok) throw new Error("mandat refusé");
        ids.push(r.mandat.id);
        hashes.push(r.mandat.hash);
      }
      const n = 1000;
      const uses = await concurrently(n, 20, (i) =>
        recordUse(
          db,
          {
            mandatId: ids[i % ids.length] as number,
            demarche: "social",
            description: "Démarche (mesure)",
            doneOn: "2026-12-02",
            organisationId: org.id,
          },
          person.id,
          by,
          at,
        ),
      );
      const reference = await concurrently(n, 20, (i) =>
        db
          .transaction()
          .execute((trx) => sql`INSERT INTO bench_reference (k, n) VALUES (${String(i)}, 1)`.execute(trx)),
      );
      report("démarche notée sous mandat, 20 aidants simultanés", (1000 * n) / uses.total, "/s");
      report("  p50", percentile(uses.times, 50), "ms");
      report("  p99", percentile(uses.times, 99), "ms");
      report("  référence (transaction minimale) p99", percentile(reference.times, 99), "ms");
      report("  rapport p99 / référence", percentile(uses.times, 99) / percentile(reference.times, 99), "×");
      const lookups: number[] = [];
      for (let i = 0; i < 500; i++) {
        const t = performance.now();
        await mandatByHash(db, hashes[(i * 7) % hashes.length] as string);
        lookups.push(performance.now() - t);
      }
      lookups.sort((a, b) => a - b);
      report("vérification par empreinte parmi 2 000 mandats p50", percentile(lookups, 50), "ms");
      report("  p99", percentile(lookups, 99), "ms");
    } finally {
      await database.close();
    }
  }
}
