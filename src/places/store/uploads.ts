/**
 * SQL of the imports from the browser (`place_upload`, nothing else touches it): one row per uploaded file, from
 * its dry run to its end. The file itself is in the data folder (see ../upload.ts); the row keeps the report of the
 * dry run and, once imported, the counts. One import at a time per source is the database's rule: a unique
 * partial index on the source of the uploads « en cours ».
 */
import { type Kysely, type Migration, sql } from "kysely";
import type { Db } from "../../platform/db.ts";
import type { RowIssue } from "../model.ts";
import type { PlaceTrx } from "./tables.ts";

const UPLOAD_STATES = [
  "prêt",
  "en cours",
  "terminé",
  "annulé",
  "refusé",
  "échoué",
  "interrompu",
  "abandonné",
] as const;
export type UploadState = (typeof UPLOAD_STATES)[number];

/** A place the import would create, update or withdraw, as the report lists it. */
export interface ReportPlace {
  id: string;
  nom: string;
  commune: string | null;
  /** The fields an update changes. */
  fields?: string[];
}

/** What the dry run found: the same figures as the command's report, the first errors and places. */
export interface UploadReport {
  format: string | null;
  counts: Record<string, number>;
  errorCount: number;
  warningCount: number;
  /** The first errors (all of them in the CSV). */
  errors: RowIssue[];
  /** Why the whole file is refused, or null. */
  refused: string | null;
  created: ReportPlace[];
  updated: ReportPlace[];
  withdrawn: ReportPlace[];
}

type UploadTables = {
  place_upload: {
    id: number;
    state: UploadState;
    source: string;
    file_name: string;
    stored: string | null;
    bytes: number;
    format: string | null;
    full_import: boolean;
    territory_id: string;
    restricted: boolean;
    person_id: number | null;
    organisation_id: number | null;
    uploaded_by: string;
    created_at: Date;
    updated_at: Date;
    report: UploadReport;
    result: Record<string, number> | null;
    message: string | null;
  };
};

export interface Upload {
  id: number;
  state: UploadState;
  source: string;
  fileName: string;
  /** The kept file's name in the uploads folder (null once removed). */
  stored: string | null;
  bytes: number;
  format: string | null;
  full: boolean;
  /** The uploader's territory: who may see and confirm it, and where its rows must lie when `restricted`. */
  territoryId: string;
  restricted: boolean;
  personId: number | null;
  organisationId: number | null;
  uploadedBy: string;
  createdAt: Date;
  updatedAt: Date;
  report: UploadReport;
  result: Record<string, number> | null;
  message: string | null;
}

export const uploadMigrations: Record<string, Migration> = {
  "0024_place_uploads": {
    async up(db: Kysely<unknown>) {
      await sql`CREATE TABLE place_upload (
        id serial PRIMARY KEY,
        state text NOT NULL CHECK (state IN (${sql.join(UPLOAD_STATES.map((s) => sql.lit(s)))})),
        source text NOT NULL,
        file_name text NOT NULL,
        stored text,
        bytes bigint NOT NULL,
        format text,
        full_import boolean NOT NULL,
        territory_id text NOT NULL,
        restricted boolean NOT NULL,
        person_id integer,
        organisation_id integer,
        uploaded_by text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        report jsonb NOT NULL,
        result jsonb,
        message text
      )`.execute(db);
      // One import at a time per source, whichever server runs it.
      await sql`CREATE UNIQUE INDEX place_upload_running ON place_upload (source) WHERE state = 'en cours'`.execute(
        db,
      );
      await sql`CREATE INDEX place_upload_territory_idx ON place_upload (territory_id, id)`.execute(db);
    },
  },
};

const tables = (db: Db | PlaceTrx) => (db as Db).withTables<UploadTables>();

const toUpload = (r: UploadTables["place_upload"]): Upload => ({
  id: r.id,
  state: r.state,
  source: r.source,
  fileName: r.file_name,
  stored: r.stored,
  bytes: Number(r.bytes),
  format: r.format,
  full: r.full_import,
  territoryId: r.territory_id,
  restricted: r.restricted,
  personId: r.person_id,
  organisationId: r.organisation_id,
  uploadedBy: r.uploaded_by,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  report: r.report,
  result: r.result,
  message: r.message,
});

export async function createUpload(
  db: Db,
  v: Omit<Upload, "id" | "updatedAt" | "result" | "message">,
): Promise<Upload> {
  const row = await tables(db)
    .insertInto("place_upload")
    .values({
      state: v.state,
      source: v.source,
      file_name: v.fileName,
      stored: v.stored,
      bytes: v.bytes,
      format: v.format,
      full_import: v.full,
      territory_id: v.territoryId,
      restricted: v.restricted,
      person_id: v.personId,
      organisation_id: v.organisationId,
      uploaded_by: v.uploadedBy,
      created_at: v.createdAt,
      updated_at: v.createdAt,
      report: JSON.stringify(v.report) as never,
    } as never)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUpload(row);
}

export async function getUpload(db: Db, id: number): Promise<Upload | null> {
  const row = await tables(db).selectFrom("place_upload").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toUpload(row) : null;
}

/** The latest uploads, of some territories (undefined: all). */
export async function listUploads(db: Db, territories: string[] | undefined, limit = 30): Promise<Upload[]> {
  let q = tables(db).selectFrom("place_upload").selectAll().orderBy("id", "desc").limit(limit);
  if (territories) {
    if (territories.length === 0) return [];
    q = q.where("territory_id", "in", territories);
  }
  return (await q.execute()).map(toUpload);
}

/**
 * Moves an upload from one state to another; false when it was not in `from` any more (someone else moved it).
 * Throws the database's unique violation when it would be a second upload « en cours » of its source.
 */
export async function moveUpload(
  db: Db | PlaceTrx,
  id: number,
  from: UploadState[],
  to: UploadState,
  at: Date,
  extra: { result?: Record<string, number>; message?: string; stored?: null } = {},
): Promise<boolean> {
  const r = await tables(db)
    .updateTable("place_upload")
    .set({
      state: to,
      updated_at: at,
      ...(extra.result ? { result: JSON.stringify(extra.result) as never } : {}),
      ...(extra.message !== undefined ? { message: extra.message } : {}),
      ...(extra.stored === null ? { stored: null } : {}),
    })
    .where("id", "=", id)
    .where("state", "in", from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Whether the database refused a second import « en cours » of a source (the unique partial index). */
export function isRunningConflict(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string; message?: string };
  return (
    err?.code === "23505" &&
    (err.constraint === "place_upload_running" || /place_upload_running/.test(String(err.message)))
  );
}

/** Uploads left in `states` since before `before` (abandoned reports, imports of a server that died). */
export async function staleUploads(db: Db, states: UploadState[], before: Date): Promise<Upload[]> {
  const rows = await tables(db)
    .selectFrom("place_upload")
    .selectAll()
    .where("state", "in", states)
    .where("updated_at", "<", before)
    .orderBy("id")
    .execute();
  return rows.map(toUpload);
}

/** The stored file names still referenced (the others in the folder are leftovers). */
export async function keptFiles(db: Db): Promise<Set<string>> {
  const rows = await tables(db)
    .selectFrom("place_upload")
    .select("stored")
    .where("stored", "is not", null)
    .execute();
  return new Set(rows.map((r) => r.stored as string));
}

/**
 * The sources a territory may update: those whose every record (active or withdrawn) lies in one of `communes`
 * (null: every source, for the admin), with their count of records.
 */
export async function sourcesWithin(
  db: Db,
  communes: string[] | null,
): Promise<{ source: string; records: number }[]> {
  const r =
    communes === null
      ? await sql<{ source: string; n: string }>`
          SELECT source, count(*)::text AS n FROM place_record GROUP BY source ORDER BY source`.execute(db)
      : await sql<{ source: string; n: string }>`
          SELECT source, count(*)::text AS n FROM place_record GROUP BY source
          HAVING bool_and(coalesce(commune_code = ANY(${communes}::text[]), false))
          ORDER BY source`.execute(db);
  return r.rows.map((x) => ({ source: x.source, records: Number(x.n) }));
}

/** Places the report lists: read inside the dry run's transaction, from what its import wrote. */
export async function changesOf(
  trx: PlaceTrx,
  importId: number,
  limit: number,
): Promise<{ created: ReportPlace[]; updated: ReportPlace[]; withdrawn: ReportPlace[] }> {
  const created = await sql<{ id: string; nom: string; commune: string | null }>`
    SELECT id, standard->>'nom' AS nom, commune_code AS commune FROM place_record
    WHERE first_import = ${importId} ORDER BY line LIMIT ${limit}`.execute(trx);
  const changed = await sql<{
    id: string;
    nom: string;
    commune: string | null;
    change: string;
    fields: unknown;
  }>`
    SELECT r.id, r.standard->>'nom' AS nom, r.commune_code AS commune, h.change, h.fields
    FROM place_history h JOIN place_record r ON r.id = h.record_id
    WHERE h.import_id = ${importId} AND h.change = ANY(${["modifié", "réactivé"]}::text[])
    ORDER BY r.line LIMIT ${limit}`.execute(trx);
  const withdrawn = await sql<{ id: string; nom: string; commune: string | null }>`
    SELECT r.id, r.standard->>'nom' AS nom, r.commune_code AS commune
    FROM place_history h JOIN place_record r ON r.id = h.record_id
    WHERE h.import_id = ${importId} AND h.change = 'retiré'
    ORDER BY nom LIMIT ${limit}`.execute(trx);
  return {
    created: created.rows.map((r) => ({ id: r.id, nom: r.nom, commune: r.commune })),
    updated: changed.rows.map((r) => ({
      id: r.id,
      nom: r.nom,
      commune: r.commune,
      fields: (Array.isArray(r.fields) ? r.fields : []).map((f: { field: string }) => f.field),
    })),
    withdrawn: withdrawn.rows.map((r) => ({ id: r.id, nom: r.nom, commune: r.commune })),
  };
}
