/**
 * Reports from the public (« Signaler une erreur »), table `place_report`: the place and its commune at the time of
 * the report (the queue of a territory reads the commune), what is wrong, a free text, the state a coordinator
 * gives it (nouveau → en cours → corrigé or rejeté, with a note), and the version of the place that fixed it
 * (`fixed_by_version`: an id of the place's versions, written by the edit that closes the report). Nothing about
 * the person who reports is stored (no name, no address, no contact).
 */
import { type Generated, type Kysely, type Migration, type Selectable, sql } from "kysely";
import { appendJournal, type JournalBy, withJournal } from "../../accounts/store.ts";
import type { Db } from "../../platform/db.ts";

export const REPORT_KINDS = ["ferme", "horaires", "adresse", "telephone", "services", "autre"] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const REPORT_KIND_LABELS: Record<ReportKind, string> = {
  ferme: "Le lieu a fermé définitivement",
  horaires: "Les horaires sont faux",
  adresse: "L'adresse est fausse",
  telephone: "Le téléphone est faux",
  services: "Les services proposés sont faux",
  autre: "Autre chose",
};

export const REPORT_STATES = ["nouveau", "en cours", "corrigé", "rejeté"] as const;
export type ReportState = (typeof REPORT_STATES)[number];

/** The longest free text of a report (characters). */
export const REPORT_TEXT_MAX = 1000;

type ReportTables = {
  place_report: {
    id: Generated<number>;
    place_id: string;
    place_name: string;
    commune_code: string | null;
    kind: ReportKind;
    message: string;
    state: Generated<ReportState>;
    note: Generated<string>;
    created_at: Date;
    updated_at: Date;
    fixed_by_version: number | null;
  };
};

export const reportMigrations: Record<string, Migration> = {
  "0022_place_reports": {
    async up(db: Kysely<unknown>) {
      // No foreign key to `place` (rebuilt by every deduplication) nor to the place versions (another table).
      await sql`CREATE TABLE place_report (
        id serial PRIMARY KEY,
        place_id text NOT NULL,
        place_name text NOT NULL,
        commune_code text,
        kind text NOT NULL CHECK (kind IN ('ferme','horaires','adresse','telephone','services','autre')),
        message text NOT NULL DEFAULT '',
        state text NOT NULL DEFAULT 'nouveau' CHECK (state IN ('nouveau','en cours','corrigé','rejeté')),
        note text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        fixed_by_version integer
      )`.execute(db);
      await sql`CREATE INDEX place_report_queue_idx ON place_report (state, commune_code, created_at)`.execute(
        db,
      );
      await sql`CREATE INDEX place_report_place_idx ON place_report (place_id)`.execute(db);
    },
  },
};

const tables = (db: Db) => db.withTables<ReportTables>();

export interface PlaceReport {
  id: number;
  placeId: string;
  placeName: string;
  communeCode: string | null;
  kind: ReportKind;
  message: string;
  state: ReportState;
  note: string;
  createdAt: Date;
  updatedAt: Date;
  fixedByVersion: number | null;
}

type ReportRow = Selectable<ReportTables["place_report"]>;

const toReport = (r: ReportRow): PlaceReport => ({
  id: r.id,
  placeId: r.place_id,
  placeName: r.place_name,
  communeCode: r.commune_code,
  kind: r.kind,
  message: r.message,
  state: r.state,
  note: r.note,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  fixedByVersion: r.fixed_by_version,
});

/** Records a report from the public (not journaled: it is no person's act in the back-office, see decisions.md). */
export async function addReport(
  db: Db,
  r: {
    placeId: string;
    placeName: string;
    communeCode: string | null;
    kind: ReportKind;
    message: string;
    at: Date;
  },
): Promise<number> {
  const row = await tables(db)
    .insertInto("place_report")
    .values({
      place_id: r.placeId,
      place_name: r.placeName,
      commune_code: r.communeCode,
      kind: r.kind,
      message: r.message,
      created_at: r.at,
      updated_at: r.at,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function getReport(db: Db, id: number): Promise<PlaceReport | null> {
  const r = await tables(db).selectFrom("place_report").selectAll().where("id", "=", id).executeTakeFirst();
  return r ? toReport(r) : null;
}

/** The states a queue shows: one state, or « à traiter » (nouveau and en cours), or all. */
export type ReportFilter = ReportState | "à traiter" | "tous";

const statesOf = (f: ReportFilter): ReportState[] | null =>
  f === "tous" ? null : f === "à traiter" ? ["nouveau", "en cours"] : [f];

/** One page of the reports of `communes` (null: everywhere) in the states of `filter`, the oldest first. */
export async function listReports(
  db: Db,
  communes: string[] | null,
  filter: ReportFilter,
  page: { limit: number; offset: number },
): Promise<{ reports: PlaceReport[]; total: number }> {
  const states = statesOf(filter);
  let q = tables(db).selectFrom("place_report");
  if (states) q = q.where("state", "in", states);
  if (communes !== null) {
    if (communes.length === 0) return { reports: [], total: 0 };
    q = q.where("commune_code", "in", communes);
  }
  const [rows, total] = await Promise.all([
    q.selectAll().orderBy("created_at").orderBy("id").limit(page.limit).offset(page.offset).execute(),
    q.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { reports: rows.map(toReport), total: Number(total.n) };
}

/** Reports still to handle (nouveau or en cours) of `communes` (null: everywhere): for the dashboard. */
export async function pendingReportsCount(db: Db, communes: string[] | null): Promise<number> {
  return (await listReports(db, communes, "à traiter", { limit: 0, offset: 0 })).total;
}

/** The reports of a place still to handle, the oldest first (for the place's edit form). */
export async function openReportsOf(db: Db, placeId: string): Promise<PlaceReport[]> {
  const rows = await tables(db)
    .selectFrom("place_report")
    .selectAll()
    .where("place_id", "=", placeId)
    .where("state", "in", ["nouveau", "en cours"])
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toReport);
}

/**
 * A coordinator changes the state of a report, with a note; journaled in the same transaction
 * (`signalement.traiter`). Null when the report does not exist.
 */
export async function setReportState(
  db: Db,
  id: number,
  change: { state: ReportState; note: string },
  by: JournalBy,
  at: Date,
): Promise<PlaceReport | null> {
  let before: ReportRow | undefined;
  const after = await withJournal(
    db,
    (r: PlaceReport | null) =>
      r && before
        ? {
            ...by,
            at,
            action: "signalement.traiter",
            target: `signalement:${id}`,
            territoryId: before.commune_code,
            details: { lieu: before.place_id, de: before.state, vers: change.state, note: change.note },
          }
        : null,
    async (trx) => {
      const t = tables(trx);
      before = await t
        .selectFrom("place_report")
        .selectAll()
        .where("id", "=", id)
        .forUpdate()
        .executeTakeFirst();
      if (!before) return null;
      const row = await t
        .updateTable("place_report")
        .set({ state: change.state, note: change.note, updated_at: at })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toReport(row);
    },
  );
  return after;
}

/**
 * Closes reports of a place as « corrigé » by a version of the place (`versionId`), inside the edit's transaction
 * (`trx`), each journaled (`signalement.traiter`). Reports of another place, or already closed, are left alone.
 * Returns the ids closed.
 */
export async function fixReports(
  trx: Db,
  reportIds: number[],
  placeId: string,
  versionId: number,
  by: JournalBy,
  at: Date,
): Promise<number[]> {
  if (reportIds.length === 0) return [];
  const rows = await tables(trx)
    .updateTable("place_report")
    .set({ state: "corrigé", fixed_by_version: versionId, updated_at: at })
    .where("id", "in", reportIds)
    .where("place_id", "=", placeId)
    .where("state", "in", ["nouveau", "en cours"])
    .returning(["id", "commune_code"])
    .execute();
  for (const r of rows)
    await appendJournal(trx, {
      ...by,
      at,
      action: "signalement.traiter",
      target: `signalement:${r.id}`,
      territoryId: r.commune_code,
      details: { lieu: placeId, vers: "corrigé", version: versionId },
    });
  return rows.map((r) => r.id);
}
