/**
 * Backups as a logical export, the same on PGlite and PostgreSQL (so that a backup of one restores into the
 * other, and `db copy` is an export piped into a restore). The file is gzipped text, one line each:
 *
 *   {"format":"maillage-sauvegarde","version":1,…,"migrations":[…],"tables":[{"name":…,"columns":[…]}…]}
 *   =territory                       a table starts (tables in foreign-key order: parents first)
 *   {"id":"01001",…}                 one row, as PostgreSQL's row_to_json writes it
 *   .{"counts":{"territory":…}}      the end, with the number of rows of every table
 *
 * Every table is read inside ONE repeatable-read, read-only transaction: a consistent snapshot while the server
 * keeps serving (on PostgreSQL it blocks nobody; on PGlite, whose one connection is shared, the other requests
 * wait for the backup to finish). A file without its end line is truncated and refused by the restore.
 */
import { once } from "node:events";
import { createInterface } from "node:readline";
import { PassThrough, type Readable } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import { type Migration, Migrator, sql } from "kysely";
import { UsageError } from "./command.ts";
import type { Database, Db } from "./db.ts";
import { migrate } from "./db.ts";

const FORMAT = "maillage-sauvegarde";
const VERSION = 1;
/** Rows fetched at a time from the cursor, and written at a time by the restore (also bounded in bytes). */
const FETCH = 2000;
const BATCH_BYTES = 4 * 1024 * 1024;
const MIGRATION_TABLES = ["kysely_migration", "kysely_migration_lock"];

interface TableShape {
  name: string;
  columns: string[];
}

interface Header {
  format: string;
  version: number;
  engine: Database["kind"];
  created: string;
  migrations: string[];
  tables: TableShape[];
}

export type TableCounts = Record<string, number>;

const ident = (name: string) => sql.id(name);

/** The tables of the current schema (Maillage's migration bookkeeping aside), parents before children. */
export async function listTables(db: Db): Promise<TableShape[]> {
  const names = (
    await sql<{ name: string }>`
      SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
      ORDER BY table_name`.execute(db)
  ).rows
    .map((r) => r.name)
    .filter((n) => !MIGRATION_TABLES.includes(n));
  const edges = (
    await sql<{ child: string; parent: string }>`
      SELECT c.relname AS child, p.relname AS parent
      FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid
      JOIN pg_class p ON p.oid = k.confrelid
      WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace`.execute(db)
  ).rows;
  const columns = (
    await sql<{ table: string; column: string }>`
      SELECT table_name AS table, column_name AS column FROM information_schema.columns
      WHERE table_schema = current_schema() AND is_generated = 'NEVER'
      ORDER BY table_name, ordinal_position`.execute(db)
  ).rows;
  // Topological order (names sorted among equals, so that two exports list tables alike).
  const ordered: string[] = [];
  const visit = (name: string, path: Set<string>) => {
    if (ordered.includes(name) || path.has(name)) return;
    path.add(name);
    for (const e of edges) if (e.child === name && e.parent !== name) visit(e.parent, path);
    path.delete(name);
    ordered.push(name);
  };
  for (const n of names) visit(n, new Set());
  return ordered
    .filter((n) => names.includes(n))
    .map((name) => ({ name, columns: columns.filter((c) => c.table === name).map((c) => c.column) }));
}

async function appliedMigrations(db: Db): Promise<string[]> {
  return (
    await sql<{ name: string }>`
      SELECT name FROM kysely_migration
      WHERE to_regclass(current_schema() || '.kysely_migration') IS NOT NULL ORDER BY name`
      .execute(db)
      .catch(() => ({ rows: [] as { name: string }[] }))
  ).rows.map((r) => r.name);
}

/**
 * Writes the export's lines to `write` (which waits when the reader is slower), several lines per call
 * (joined by newlines); returns the counts.
 */
async function exportDatabase(
  database: Database,
  write: (line: string) => Promise<void>,
): Promise<TableCounts> {
  return database.db
    .transaction()
    .setIsolationLevel("repeatable read")
    .setAccessMode("read only")
    .execute(async (trx) => {
      const tables = await listTables(trx);
      const header: Header = {
        format: FORMAT,
        version: VERSION,
        engine: database.kind,
        created: new Date().toISOString(),
        migrations: await appliedMigrations(trx),
        tables,
      };
      await write(JSON.stringify(header));
      const counts: TableCounts = {};
      for (const t of tables) {
        await write(`=${t.name}`);
        let n = 0;
        await sql`DECLARE maillage_backup NO SCROLL CURSOR FOR
          SELECT row_to_json(t)::text AS j FROM ${ident(t.name)} t`.execute(trx);
        for (;;) {
          const rows = (
            await sql<{ j: string }>`FETCH ${sql.raw(String(FETCH))} FROM maillage_backup`.execute(trx)
          ).rows;
          if (rows.length > 0) await write(rows.map((r) => r.j).join("\n"));
          n += rows.length;
          if (rows.length < FETCH) break;
        }
        await sql`CLOSE maillage_backup`.execute(trx);
        counts[t.name] = n;
      }
      await write(`.${JSON.stringify({ counts })}`);
      return counts;
    });
}

/** The export as a gzipped byte stream (what `db backup` writes and the server's admin endpoint sends). */
export function backupStream(database: Database): Readable {
  const text = new PassThrough({ highWaterMark: 1024 * 1024 });
  // Level 1: rows of JSON compress about as well, several times faster than the default.
  const gzip = createGzip({ level: 1 });
  text.pipe(gzip);
  const write = async (line: string) => {
    if (!text.write(`${line}\n`)) await once(text, "drain");
  };
  exportDatabase(database, write).then(
    () => text.end(),
    (e) => gzip.destroy(e),
  );
  return gzip;
}

class BackupError extends UsageError {}

/** The lines of a gzipped backup. */
export async function* backupLines(gz: Readable): AsyncGenerator<string> {
  const gunzip = createGunzip();
  gz.on("error", (e) => gunzip.destroy(e));
  try {
    yield* createInterface({ input: gz.pipe(gunzip), crlfDelay: Number.POSITIVE_INFINITY });
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith("Z_"))
      throw new BackupError(
        "sauvegarde incomplète ou abîmée (compression illisible) : rien n'a été restauré.",
      );
    throw e;
  }
}

/** Drops every table of the current schema (`restore --force`). */
export async function dropAllTables(db: Db): Promise<void> {
  const tables = (await listTables(db)).map((t) => t.name).concat(MIGRATION_TABLES);
  for (const t of tables) await sql`DROP TABLE IF EXISTS ${ident(t)} CASCADE`.execute(db);
}

/**
 * Restores a backup into an empty database: the backup's migrations are applied (a backup made by an older
 * version is restored as it was, then migrated), every row is written in one transaction, sequences are set past
 * the highest id, the counts are checked against the backup's end line, then the remaining migrations run.
 */
export async function restoreDatabase(
  database: Database,
  lines: AsyncIterable<string>,
  migrations: Record<string, Migration>,
): Promise<TableCounts> {
  const db = database.db;
  const it = lines[Symbol.asyncIterator]();
  const first = await it.next();
  let header: Header;
  try {
    header = JSON.parse(first.done ? "" : first.value) as Header;
  } catch {
    throw new BackupError("ce fichier n'est pas une sauvegarde de Maillage (en-tête illisible).");
  }
  if (header.format !== FORMAT) throw new BackupError("ce fichier n'est pas une sauvegarde de Maillage.");
  if (header.version !== VERSION)
    throw new BackupError(`sauvegarde au format ${header.version}, cette version lit le format ${VERSION}.`);
  const known = Object.keys(migrations).sort();
  const unknown = header.migrations.filter((m) => !known.includes(m));
  if (unknown.length > 0)
    throw new BackupError(
      `sauvegarde faite par une version plus récente de Maillage (migrations inconnues : ${unknown.join(", ")}).`,
    );
  const busy = await listTables(db);
  if (busy.length > 0)
    throw new BackupError(
      `la base de destination n'est pas vide (tables : ${busy
        .slice(0, 5)
        .map((t) => t.name)
        .join(", ")}${busy.length > 5 ? "…" : ""}).`,
    );
  const last = header.migrations.at(-1);
  if (last) {
    const schema =
      (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(db)).rows[0]?.s ?? "public";
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      migrationTableSchema: schema,
    });
    const { error } = await migrator.migrateTo(last);
    if (error) throw error;
  }
  const shapes = new Map(header.tables.map((t) => [t.name, t]));
  const counts: TableCounts = {};
  await db.transaction().execute(async (trx) => {
    let table: TableShape | null = null;
    let batch: string[] = [];
    let bytes = 0;
    const flush = async () => {
      if (!table || batch.length === 0) return;
      const cols = sql.join(table.columns.map(ident));
      await sql`INSERT INTO ${ident(table.name)} (${cols}) OVERRIDING SYSTEM VALUE
        SELECT ${cols} FROM json_populate_recordset(NULL::${ident(table.name)}, ${`[${batch.join(",")}]`}::json)`.execute(
        trx,
      );
      counts[table.name] = (counts[table.name] ?? 0) + batch.length;
      batch = [];
      bytes = 0;
    };
    let end: { counts: TableCounts } | null = null;
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      const line = r.value;
      if (line.startsWith("{")) {
        if (!table) throw new BackupError("sauvegarde abîmée : une ligne hors de toute table.");
        batch.push(line);
        bytes += line.length;
        if (batch.length >= FETCH || bytes >= BATCH_BYTES) await flush();
      } else if (line.startsWith("=")) {
        await flush();
        table = shapes.get(line.slice(1)) ?? null;
        if (!table)
          throw new BackupError(`sauvegarde abîmée : table « ${line.slice(1)} » absente de l'en-tête.`);
        counts[table.name] = 0;
      } else if (line.startsWith(".")) {
        await flush();
        end = JSON.parse(line.slice(1)) as { counts: TableCounts };
        break;
      } else if (line !== "") {
        throw new BackupError("sauvegarde abîmée : ligne inattendue.");
      }
    }
    if (!end) throw new BackupError("sauvegarde incomplète (fichier tronqué) : rien n'a été restauré.");
    for (const t of header.tables) {
      if ((counts[t.name] ?? 0) !== (end.counts[t.name] ?? 0))
        throw new BackupError(
          `sauvegarde abîmée : ${counts[t.name] ?? 0} lignes lues pour ${t.name}, ${end.counts[t.name]} attendues.`,
        );
    }
    // Sequences (serial ids) continue after the restored rows.
    for (const t of header.tables) {
      for (const c of t.columns) {
        const seq = (
          await sql<{ s: string | null }>`SELECT pg_get_serial_sequence(${`"${t.name}"`}, ${c}) AS s`.execute(
            trx,
          )
        ).rows[0]?.s;
        if (seq)
          await sql`SELECT setval(${seq}::regclass, coalesce((SELECT max(${ident(c)}) FROM ${ident(t.name)}), 0) + 1, false)`.execute(
            trx,
          );
      }
    }
  });
  await migrate(db, migrations);
  await sql`ANALYZE`.execute(db);
  return counts;
}

/** Rows of every table, counted now. */
export async function countRows(db: Db): Promise<TableCounts> {
  const counts: TableCounts = {};
  for (const t of await listTables(db)) {
    const r = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${ident(t.name)}`.execute(db);
    counts[t.name] = Number(r.rows[0]?.n ?? 0);
  }
  return counts;
}
