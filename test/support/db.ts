import { type Database, openDatabase } from "../../src/platform/db.ts";

/** The database engines every store test runs on: PGlite always, PostgreSQL when DATABASE_URL is set. */
export interface Backend {
  name: string;
  open(): Promise<Database>;
}

let serial = 0;

export const backends: Backend[] = [{ name: "PGlite", open: () => openDatabase({ pgliteDir: "memory://" }) }];

const url = process.env.DATABASE_URL;
if (url) {
  backends.push({
    name: "PostgreSQL",
    async open() {
      // Each test file works in a schema of its own, dropped on close.
      const schema = `test_${process.pid}_${serial++}`;
      const database = await openDatabase({ databaseUrl: url, schema });
      return {
        ...database,
        async close() {
          await database.close();
          const admin = await openDatabase({ databaseUrl: url });
          await (await import("kysely")).sql.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).execute(admin.db);
          await admin.close();
        },
      };
    },
  });
} else if (process.env.MAILLAGE_REQUIRE_POSTGRES === "1") {
  throw new Error(
    "MAILLAGE_REQUIRE_POSTGRES=1 mais DATABASE_URL n'est pas défini : les tests PostgreSQL ne peuvent pas tourner.",
  );
}
