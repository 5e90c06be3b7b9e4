import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { createPgConfig } from "@electric-sql/pglite/node-postgres";
import { Kysely, type Migration, Migrator, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { registerBlobQuery, registerCopyPool } from "./bulk.ts";
import { type FolderLock, lockFolder } from "./owner.ts";

/**
 * PostgreSQL settings of the embedded database, whose memory is the WebAssembly heap of the Node process: it grows
 * and never shrinks. PGlite's PostgreSQL touches all its shared buffers at start: 128 MB (the default) made every
 * process that opens the database 140 MB larger before its first query; its tables are read through the operating
 * system's file cache anyway. VACUUM's memory and ANALYZE's sample (300 rows per unit of statistics target, whole
 * rows) are bounded so that a large import's maintenance does not grow the process for good (docs/decisions.md).
 */
const EMBEDDED_SETTINGS = [
  ...["-c", "shared_buffers=32MB"],
  ...["-c", "maintenance_work_mem=16MB"],
  ...["-c", "default_statistics_target=30"],
];

/** The tables are declared by each capability's store (`db.withTables<…>()`); the platform knows none of them. */
// biome-ignore lint/complexity/noBannedTypes: no table is known at this level
export type Db = Kysely<{}>;

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /** The embedded database's folder lock (null in memory and on PostgreSQL): a server announces itself in it. */
  lock: FolderLock | null;
  /**
   * Runs `work` while holding the database-wide start lock: on PostgreSQL a session advisory lock held on a
   * connection of its own (other servers starting at the same moment wait, then find the work done); on PGlite
   * the folder lock already makes this process the only one.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** Calls `onNotify` on every NOTIFY of `channel` (a connection of its own on PostgreSQL), until close. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<void>;
  /** The connection pool under Kysely (its counts are in /metrics). */
  pool: pg.Pool;
  close(): Promise<void>;
}

/** The key of the start lock: one per schema, so that test schemas of one database do not wait for each other. */
const START_LOCK = 0x6d61696c; // "mail"

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
  /** The command opening an embedded folder, named to whoever tries to open it meanwhile. */
  command?: string;
}): Promise<Database> {
  if (opts.databaseUrl) {
    if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(opts.schema))
      throw new Error("invalid schema name");
    if (opts.schema) {
      const client = new pg.Client({ connectionString: opts.databaseUrl });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`);
      } catch (e) {
        // Two processes creating the same schema at once: one of them gets a unique violation; it exists now.
        if ((e as { code?: string }).code !== "23505") throw e;
      } finally {
        await client.end();
      }
    }
    const connection = {
      connectionString: opts.databaseUrl,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    };
    const pool = new pg.Pool({ ...connection, max: 10 });
    const db = new Kysely<object>({ dialect: new PostgresDialect({ pool }) });
    registerCopyPool(db, pool);
    const listeners: pg.Client[] = [];
    let closed = false;
    return {
      db,
      kind: "postgres",
      pool,
      lock: null,
      async exclusive(work) {
        const client = new pg.Client(connection);
        await client.connect();
        try {
          await client.query("SELECT pg_advisory_lock($1, hashtext(current_schema()))", [START_LOCK]);
          return await work();
        } finally {
          // Ending the session releases the lock even if the unlock below cannot run.
          await client
            .query("SELECT pg_advisory_unlock($1, hashtext(current_schema()))", [START_LOCK])
            .catch(() => {});
          await client.end();
        }
      },
      async listen(channel, onNotify) {
        if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error("invalid channel name");
        const client = new pg.Client(connection);
        // A lost listening connection is not fatal: the read models also re-check on their own.
        client.on("error", () => {});
        client.on("notification", (m) => onNotify(m.payload ?? ""));
        listeners.push(client);
        await client.connect();
        // Listening alone must not keep a finished command's process alive.
        (client as unknown as { connection?: { stream?: { unref?(): void } } }).connection?.stream?.unref?.();
        await client.query(`LISTEN ${channel}`);
        if (closed) await client.end();
      },
      async close() {
        closed = true;
        await Promise.all(listeners.map((c) => c.end().catch(() => {})));
        await db.destroy();
      },
    };
  }
  const dir = opts.pgliteDir ?? "memory://";
  const inMemory = dir.startsWith("memory://");
  if (!inMemory) mkdirSync(dir, { recursive: true });
  const lock = inMemory ? null : lockFolder(resolve(dir), opts.command ?? "?");
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS] });
  } catch (e) {
    lock?.release();
    throw e;
  }
  const pool = new pg.Pool(createPgConfig(pglite));
  const db = new Kysely<object>({ dialect: new PostgresDialect({ pool }) });
  registerBlobQuery(db, (statement, blob) => pglite.query(statement, [], { blob }));
  return {
    db,
    kind: "pglite",
    pool,
    lock,
    exclusive: (work) => work(),
    async listen(channel, onNotify) {
      await pglite.listen(channel, onNotify);
    },
    close: async () => {
      try {
        await db.destroy();
        await pglite.close();
      } finally {
        lock?.release();
      }
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
