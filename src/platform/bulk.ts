import { Kysely, PostgresDialect } from "kysely";
import type pg from "pg";
import type { Db } from "./db.ts";

/**
 * Bulk loading inside one transaction: one COPY per table, in PostgreSQL's text format. On PostgreSQL,
 * `COPY … FROM STDIN` on the transaction's own connection (node-postgres' copy protocol, without another package).
 * On the embedded database, `COPY … FROM '/dev/blob'` with the rows as one Blob: PGlite runs one session, shared by
 * every connection of the pool, so the COPY runs inside the transaction opened through Kysely. PGlite reads the
 * blob slowly: faster than batched inserts for short rows, slower for large values (docs/decisions.md), hence
 * `copy.fromBlob`, for the caller to choose.
 */

/** A cell: text, number, null, or a text array. */
export type BulkValue = string | number | null | readonly string[];

/** Copies `rows` (cells in the order of `columns`) into `table`; names are trusted, written by the store. */
export interface CopyIn {
  (table: string, columns: readonly string[], rows: Iterable<readonly BulkValue[]>): Promise<void>;
  /** True on the embedded database, whose COPY reads a blob slowly (large values: insert by batches instead). */
  fromBlob: boolean;
}

type BlobQuery = (statement: string, blob: Blob) => Promise<unknown>;
const pools = new WeakMap<object, pg.Pool>();
const blobQueries = new WeakMap<object, BlobQuery>();

/** Called by openDatabase for the embedded database: how to run a statement with a blob on it. */
export function registerBlobQuery(db: Db, query: BlobQuery): void {
  blobQueries.set(db, query);
}

/** Called by openDatabase for PostgreSQL: the pool whose connections can copy. */
export function registerCopyPool(db: Db, pool: pg.Pool): void {
  pools.set(db, pool);
}

/**
 * Runs `work` in one transaction of `db` with a `copy` into it (null on a database opened otherwise than by
 * openDatabase). The transaction is a Kysely transaction like any other: whatever `work` throws rolls it all back.
 */
export async function bulkTransaction<T>(
  db: Db,
  work: (trx: Db, copy: CopyIn | null) => Promise<T>,
): Promise<T> {
  const pool = pools.get(db);
  if (!pool) {
    const query = blobQueries.get(db);
    const copy = query
      ? Object.assign(
          (table: string, columns: readonly string[], rows: Iterable<readonly BulkValue[]>) => {
            const lines: string[] = [];
            for (const row of rows) lines.push(`${row.map(copyField).join("\t")}\n`);
            return lines.length === 0
              ? Promise.resolve()
              : query(`COPY ${table} (${columns.join(", ")}) FROM '/dev/blob'`, new Blob(lines)).then(
                  () => {},
                );
          },
          { fromBlob: true },
        )
      : null;
    return db.transaction().execute((trx) => work(trx as unknown as Db, copy));
  }
  const client = await pool.connect();
  // A Kysely of this one connection, so that its transaction and the copies share it.
  const single = new Kysely<object>({
    dialect: new PostgresDialect({
      pool: {
        connect: async () => ({
          query: (...args: unknown[]) => (client.query as (...a: unknown[]) => unknown)(...args),
          release() {},
        }),
        end: async () => {},
      } as unknown as pg.Pool,
    }),
  });
  try {
    return await single.transaction().execute((trx) =>
      work(
        trx as unknown as Db,
        Object.assign(
          (table: string, columns: readonly string[], rows: Iterable<readonly BulkValue[]>) =>
            copyIn(client, table, columns, rows),
          { fromBlob: false },
        ),
      ),
    );
  } finally {
    client.release();
    await single.destroy();
  }
}

/** Bytes of COPY data per message to the server. */
const CHUNK_CHARS = 1 << 20;

function copyIn(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly BulkValue[]>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let error: Error | undefined;
    // A node-postgres "submittable": the client hands it the connection and the server's answers.
    const submittable = {
      submit(connection: Connection) {
        connection.query(`COPY ${table} (${columns.join(", ")}) FROM STDIN`);
      },
      handleCopyInResponse(connection: Connection) {
        try {
          let chunk = "";
          for (const row of rows) {
            chunk += `${row.map(copyField).join("\t")}\n`;
            if (chunk.length >= CHUNK_CHARS) {
              connection.sendCopyFromChunk(Buffer.from(chunk));
              chunk = "";
            }
          }
          if (chunk) connection.sendCopyFromChunk(Buffer.from(chunk));
          connection.endCopyFrom();
        } catch (e) {
          error = e as Error;
          connection.sendCopyFail(error.message);
        }
      },
      handleError(e: Error) {
        error ??= e;
      },
      handleCommandComplete() {},
      handleReadyForQuery() {
        if (error) reject(error);
        else resolve();
      },
    };
    client.query(submittable as unknown as pg.Submittable);
  });
}

interface Connection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

/** One field of COPY's text format: `\N` for null, backslash escapes for the characters that delimit. */
export function copyField(v: BulkValue): string {
  if (v === null) return "\\N";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`copy: non-finite number ${v}`);
    return String(v);
  }
  if (typeof v === "string") return escapeCopy(v);
  // An array literal, every element quoted: {"a","b"}.
  return escapeCopy(`{${v.map((e) => `"${e.replace(/[\\"]/g, "\\$&")}"`).join(",")}}`);
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const escapeCopy = (s: string): string =>
  COPY_SPECIAL.test(s)
    ? s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"))
    : s;
