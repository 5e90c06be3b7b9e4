/**
 * SQL of the places capability (nothing else touches these tables):
 * - `place_record`: one row per record of a source (source + producer id), the standard fields as jsonb, the
 *   resolved commune, the point and quality flags, its status (active | withdrawn) and the published place
 *   it was merged into (`group_id`);
 * - `place`: the published places, after deduplication across sources (one per group of records), with the
 *   columns the lists filter on;
 * - `place_import`: each import (who, when, file, sha256, counts);
 * - `place_history`: what each import changed in a record (fields with before and after);
 * - `place_pair`: the scored pairs of the last deduplication, merged or to review, with their score parts.
 * Writes happen inside the caller's transaction (see ../import/ingest.ts): PGlite is one connection.
 *
 * This file holds the tables and their migrations; records.ts the writes of an import, published.ts the published
 * places (deduplication result, lists), history.ts what changed and why.
 */
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { type Kysely, type Migration, sql, type Transaction } from "kysely";
import type { Db } from "../../platform/db.ts";
import type { PairScore } from "../dedupe.ts";
import type { Provenance, StandardPlace } from "../model.ts";

type PlaceStatus = "active" | "withdrawn";

export type PlaceTables = {
  place_record: {
    id: string;
    source: string;
    source_id: string;
    standard: StandardPlace;
    commune_code: string | null;
    commune_match: string | null;
    lat: number | null;
    lon: number | null;
    approximate: boolean;
    unparsed_hours: boolean;
    status: PlaceStatus;
    group_id: string | null;
    file: string;
    line: number;
    first_import: number;
    last_import: number;
  };
  place: {
    id: string;
    nom: string;
    nom_sort: string;
    search: string;
    commune_code: string | null;
    lat: number | null;
    lon: number | null;
    approximate: boolean;
    unparsed_hours: boolean;
    services: string[];
    standard: StandardPlace;
    provenance: Provenance[];
    members: string[];
  };
  place_import: {
    id: number;
    source: string;
    file: string;
    sha256: string;
    imported_by: string;
    imported_at: Date;
    full_import: boolean;
    counts: Record<string, number>;
  };
  place_history: {
    id: number;
    record_id: string;
    import_id: number;
    at: Date;
    change: HistoryKind;
    fields: FieldChange[];
  };
  place_pair: {
    a: string;
    b: string;
    score: number;
    decision: string;
    parts: PairScore["parts"];
  };
};

/** « traduit »: the cells of an older standard (0.1.x) translated on import, with their original text (standard/v0.ts). */
export type HistoryKind = "modifié" | "retiré" | "réactivé" | "traduit";

/** One field changed by an import. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export type PlaceDb = Kysely<PlaceTables>;
export const placeTables = (db: Db): PlaceDb => db.withTables<PlaceTables>();
export type PlaceTrx = Transaction<PlaceTables> | PlaceDb;

export const placeMigrations: Record<string, Migration> = {
  "0005_places": {
    async up(db: Kysely<unknown>) {
      await sql`CREATE TABLE place_import (
        id serial PRIMARY KEY,
        source text NOT NULL,
        file text NOT NULL,
        sha256 text NOT NULL,
        imported_by text NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now(),
        full_import boolean NOT NULL,
        counts jsonb NOT NULL DEFAULT '{}'::jsonb
      )`.execute(db);
      await sql`CREATE TABLE place_record (
        id text PRIMARY KEY,
        source text NOT NULL,
        source_id text NOT NULL,
        standard jsonb NOT NULL,
        commune_code text,
        commune_match text,
        lat double precision,
        lon double precision,
        approximate boolean NOT NULL DEFAULT false,
        unparsed_hours boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','withdrawn')),
        group_id text,
        file text NOT NULL,
        line integer NOT NULL,
        first_import integer NOT NULL REFERENCES place_import (id),
        last_import integer NOT NULL REFERENCES place_import (id),
        UNIQUE (source, source_id)
      )`.execute(db);
      await sql`CREATE INDEX place_record_group_idx ON place_record (group_id)`.execute(db);
      await sql`CREATE TABLE place (
        id text PRIMARY KEY,
        nom text NOT NULL,
        nom_sort text NOT NULL,
        search text NOT NULL,
        commune_code text,
        lat double precision,
        lon double precision,
        approximate boolean NOT NULL,
        unparsed_hours boolean NOT NULL,
        services text[] NOT NULL DEFAULT '{}',
        standard jsonb NOT NULL,
        provenance jsonb NOT NULL,
        members text[] NOT NULL
      )`.execute(db);
      await sql`CREATE INDEX place_commune_idx ON place (commune_code, nom_sort)`.execute(db);
      await sql`CREATE INDEX place_nom_idx ON place (nom_sort, id)`.execute(db);
      await sql`CREATE TABLE place_history (
        id serial PRIMARY KEY,
        record_id text NOT NULL,
        import_id integer NOT NULL REFERENCES place_import (id),
        at timestamptz NOT NULL DEFAULT now(),
        change text NOT NULL,
        fields jsonb NOT NULL
      )`.execute(db);
      await sql`CREATE INDEX place_history_record_idx ON place_history (record_id)`.execute(db);
      await sql`CREATE TABLE place_pair (
        a text NOT NULL,
        b text NOT NULL,
        score real NOT NULL,
        decision text NOT NULL,
        parts jsonb NOT NULL,
        PRIMARY KEY (a, b)
      )`.execute(db);
      await sql`CREATE INDEX place_pair_b_idx ON place_pair (b)`.execute(db);
    },
  },
};

/** Rows per INSERT statement. */
export const BATCH = 500;

export function* chunks<T>(items: readonly T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

export const json = (v: unknown) => JSON.stringify(v);

/**
 * Inserts rows given as one JSON document per batch (`jsonb_to_recordset`): on PGlite, three times faster than
 * thousands of bound parameters. `columns` are trusted names and SQL types written in this file.
 */
/**
 * Characters of JSON sent in one statement. PostgreSQL parses the whole parameter, then the recordset, in memory:
 * on PGlite that memory is the WebAssembly heap, which grows and never shrinks. A batch of merged places with
 * long member lists made one statement of tens of megabytes and the importing process half a gigabyte larger.
 */
const JSON_BATCH_CHARS = 1_000_000;

/**
 * Inserts rows through one jsonb parameter per batch (one round trip for many rows), batches bounded by `size`
 * rows and by JSON_BATCH_CHARS characters.
 */
export async function insertJson(
  trx: PlaceTrx,
  table: keyof PlaceTables,
  columns: [string, string][],
  rows: object[],
  size = 2000,
): Promise<void> {
  const names = columns.map(([c]) => c).join(", ");
  const types = columns.map(([c, t]) => `${c} ${t}`).join(", ");
  let parts: string[] = [];
  let chars = 0;
  const flush = async () => {
    if (parts.length === 0) return;
    const text = `[${parts.join(",")}]`;
    parts = [];
    chars = 0;
    await sql`INSERT INTO ${sql.table(table)} (${sql.raw(names)})
              SELECT ${sql.raw(names)} FROM jsonb_to_recordset(${text}::jsonb) AS x(${sql.raw(types)})`.execute(
      trx,
    );
  };
  for (const row of rows) {
    const part = json(row);
    if (parts.length > 0 && (parts.length >= size || chars + part.length > JSON_BATCH_CHARS)) await flush();
    parts.push(part);
    chars += part.length;
  }
  await flush();
}

/** Rows written between two maintenance steps of a long import, and between two garbage collections. */
const MAINTENANCE_ROWS = 50_000;
const COLLECT_ROWS = 5_000;

/**
 * A full garbage collection. V8 sizes its heap from the machine's memory and lets garbage pile up to hundreds
 * of megabytes before collecting; an import that streams hundreds of thousands of rows collects every
 * COLLECT_ROWS rows instead, so that its resident memory stays near what it really holds.
 */
const collectGarbage: () => void = (() => {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    return typeof gc === "function" ? (gc as () => void) : () => {};
  } catch {
    return () => {};
  }
})();

/** Counts rows handled (read or written) and collects the garbage every COLLECT_ROWS of them. */
export function collector(): (rows: number) => void {
  let count = 0;
  return (rows) => {
    count += rows;
    if (count < COLLECT_ROWS) return;
    count = 0;
    collectGarbage();
  };
}

/**
 * Called with the rows just written. Every MAINTENANCE_ROWS rows: ANALYZE of the records (a table that grew from
 * thousands to hundreds of thousands of rows inside the transaction would otherwise be read whole by each batch's
 * lookup, the planner still believing it small) and, on the embedded database, a CHECKPOINT: PGlite runs
 * PostgreSQL in single-user mode, without the background checkpointer, and the write-ahead log of a long
 * transaction grows until one (9 GB for a 65 MB file). Every COLLECT_ROWS rows, a garbage collection.
 */
export function maintenance(trx: PlaceTrx, embedded: boolean): (rows: number) => Promise<void> {
  let written = 0;
  const collect = collector();
  return async (rows) => {
    collect(rows);
    written += rows;
    if (written < MAINTENANCE_ROWS) return;
    written = 0;
    await sql`ANALYZE place_record`.execute(trx);
    if (embedded) await sql`CHECKPOINT`.execute(trx);
  };
}

/**
 * Reclaims the space of the rows an import replaced or rolled back and refreshes the planner's statistics
 * (PGlite has no autovacuum). Outside any transaction.
 */
export async function vacuumPlaces(db: Db): Promise<void> {
  await sql`VACUUM ANALYZE place_record, place, place_pair, place_history, place_import`.execute(db);
}
