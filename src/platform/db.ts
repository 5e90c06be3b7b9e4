import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { createPgConfig } from "@electric-sql/pglite/node-postgres";
import { Kysely, type Migration, Migrator, PostgresDialect, sql } from "kysely";
import pg from "pg";

/** The tables are declared by each capability's store (`db.withTables<…>()`); the platform knows none of them. */
// biome-ignore lint/complexity/noBannedTypes: no table is known at this level
export type Db = Kysely<{}>;

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  close(): Promise<void>;
}

/**
 * Opens the database: PostgreSQL when a URL is given, else the embedded PGlite in `pgliteDir`
 * (created on first use, reopened afterwards; `memory://` keeps it in memory).
 * Both go through the same Kysely PostgresDialect over node-postgres.
 */
export async function openDatabase(opts: {
  databaseUrl?: string;
  pgliteDir?: string;
  /** PostgreSQL only: work in this schema (created if missing), e.g. to isolate a test run. */
  schema?: string;
}): Promise<Database> {
  if (opts.databaseUrl) {
    if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(opts.schema))
      throw new Error("invalid schema name");
    if (opts.schema) {
      const client = new pg.Client({ connectionString: opts.databaseUrl });
      await client.connect();
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`);
      await client.end();
    }
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 10,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    const db = new Kysely<object>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: "postgres", close: () => db.destroy() };
  }
  const dir = opts.pgliteDir ?? "memory://";
  if (!dir.startsWith("memory://")) mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir);
  const pool = new pg.Pool(createPgConfig(pglite));
  const db = new Kysely<object>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: "pglite",
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}

/** Applies every pending migration in name order; returns the names applied now. */
export async function migrate(db: Db, migrations: Record<string, Migration>): Promise<string[]> {
  // The bookkeeping tables go in the current schema, explicitly: otherwise Kysely may find another schema's.
  const schema = (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(db)).rows[0]?.s ?? "public";
  // Fast path for every start but the first: when every migration is recorded, there is nothing to lock.
  const applied = await sql<{ name: string }>`
    SELECT name FROM kysely_migration WHERE to_regclass(${`${schema}.kysely_migration`}) IS NOT NULL`
    .execute(db)
    .then((r) => new Set(r.rows.map((x) => x.name)))
    .catch(() => new Set<string>());
  if (Object.keys(migrations).every((name) => applied.has(name))) return [];
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "?";
    throw new Error(
      `La migration « ${failed} » a échoué : ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
