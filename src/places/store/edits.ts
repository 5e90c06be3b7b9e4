/**
 * Manual edits of places (nothing else touches these tables):
 * - `place_edit`: per edited place, the fields a person set (overrides, applied on top of what the sources give
 *   at every publication), its current version number (the optimistic lock of the edit form) and, when a location
 *   field is set, the commune and point resolved at that moment;
 * - `place_version`: every version of an edited place, numbered from 1 (the place as published before its first
 *   edit), with who, when, why, what changed and the whole published record (a restore brings it back).
 * A place is keyed by its « anchor »: the record id it was published under when first edited. A later
 * deduplication may publish it under another member's id: the overrides of every member apply.
 * Two people saving the same version: `UNIQUE (place_id, version)` lets one through, the other is told.
 */
import { type Generated, type Kysely, type Migration, sql } from "kysely";
import type { Db } from "../../platform/db.ts";
import type { Overrides } from "../edit.ts";
import type { StandardPlace } from "../model.ts";
import type { FieldChange } from "./tables.ts";

/** Where an edit placed the place, when it set a location field (resolved then, kept as is). */
export interface EditedLocation {
  communeCode: string | null;
  lat: number | null;
  lon: number | null;
  approximate: boolean;
}

export type VersionKind = "origine" | "modification" | "restauration" | "libération";

type EditTables = {
  place_edit: {
    place_id: string;
    version: number;
    overrides: Overrides;
    location: EditedLocation | null;
    edited_on: string;
    updated_at: Date;
  };
  place_version: {
    id: Generated<number>;
    place_id: string;
    version: number;
    kind: VersionKind;
    at: Date;
    person_id: number | null;
    author: string;
    reason: string;
    changes: FieldChange[];
    standard: StandardPlace;
    overrides: Overrides;
  };
};

const tables = (db: Db): Kysely<EditTables> => db.withTables<EditTables>();

export const editMigrations: Record<string, Migration> = {
  "0021_place_edits": {
    async up(db: Kysely<unknown>) {
      await sql`CREATE TABLE place_edit (
        place_id text PRIMARY KEY,
        version integer NOT NULL CHECK (version > 0),
        overrides jsonb NOT NULL DEFAULT '{}'::jsonb,
        location jsonb,
        edited_on text NOT NULL,
        updated_at timestamptz NOT NULL
      )`.execute(db);
      await sql`CREATE TABLE place_version (
        id serial PRIMARY KEY,
        place_id text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        kind text NOT NULL CHECK (kind IN ('origine','modification','restauration','libération')),
        at timestamptz NOT NULL,
        person_id integer,
        author text NOT NULL,
        reason text NOT NULL DEFAULT '',
        changes jsonb NOT NULL,
        standard jsonb NOT NULL,
        overrides jsonb NOT NULL DEFAULT '{}'::jsonb,
        UNIQUE (place_id, version)
      )`.execute(db);
    },
  },
};

export interface PlaceEdit {
  placeId: string;
  version: number;
  overrides: Overrides;
  location: EditedLocation | null;
  editedOn: string;
  updatedAt: Date;
}

const toEdit = (r: EditTables["place_edit"]): PlaceEdit => ({
  placeId: r.place_id,
  version: r.version,
  overrides: r.overrides,
  location: r.location,
  editedOn: r.edited_on,
  updatedAt: new Date(r.updated_at),
});

/** The edits of these records (any member of a published place may carry one), oldest first. */
export async function editsOf(db: Db, recordIds: readonly string[]): Promise<PlaceEdit[]> {
  if (recordIds.length === 0) return [];
  const rows = await tables(db)
    .selectFrom("place_edit")
    .selectAll()
    .where("place_id", "in", [...recordIds])
    .orderBy("updated_at")
    .execute();
  return rows.map(toEdit);
}

/** Oldest edit first (a later edit wins on a field both set). */
export const byUpdate = (a: PlaceEdit, b: PlaceEdit): number => a.updatedAt.getTime() - b.updatedAt.getTime();

/** Every edit, by record id (a few hundred rows at most: read whole by each publication). */
export async function allEdits(db: Db): Promise<Map<string, PlaceEdit>> {
  const rows = await tables(db).selectFrom("place_edit").selectAll().execute();
  return new Map(rows.map((r) => [r.place_id, toEdit(r)]));
}

export interface VersionWrite {
  placeId: string;
  /** The version the person started from (0 when the place had never been edited). */
  from: number;
  kind: VersionKind;
  at: Date;
  personId: number | null;
  author: string;
  reason: string;
  changes: FieldChange[];
  /** The published record after this version. */
  standard: StandardPlace;
  overrides: Overrides;
  location: EditedLocation | null;
  editedOn: string;
  /** The published record before the first edit (written as version 1 when `from` is 0), with its overrides. */
  origin?: { standard: StandardPlace; author: string; overrides: Overrides };
  /** Other records of the same published place whose edits this version takes over (their rows are removed). */
  absorbs?: readonly string[];
}

/**
 * Writes a new version and the overrides, inside the caller's transaction. Returns the version written, or null
 * when someone else saved a version since `from` (nothing is written: the caller shows the difference).
 */
export async function saveVersion(db: Db, w: VersionWrite): Promise<{ id: number; version: number } | null> {
  const t = tables(db);
  let version = w.from + 1;
  if (w.from === 0) {
    const created = await t
      .insertInto("place_edit")
      .values({
        place_id: w.placeId,
        version: 2,
        overrides: JSON.stringify(w.overrides) as unknown as Overrides,
        location: JSON.stringify(w.location) as unknown as EditedLocation,
        edited_on: w.editedOn,
        updated_at: w.at,
      })
      .onConflict((oc) => oc.column("place_id").doNothing())
      .returning("version")
      .executeTakeFirst();
    if (!created) return null;
    await t
      .insertInto("place_version")
      .values({
        place_id: w.placeId,
        version: 1,
        kind: "origine",
        at: w.at,
        person_id: null,
        author: w.origin?.author ?? "les sources",
        reason: "Fiche publiée avant la première modification",
        changes: JSON.stringify([]) as unknown as FieldChange[],
        standard: JSON.stringify(w.origin?.standard ?? w.standard) as unknown as StandardPlace,
        overrides: JSON.stringify(w.origin?.overrides ?? {}) as unknown as Overrides,
      })
      .execute();
    version = 2;
  } else {
    const updated = await t
      .updateTable("place_edit")
      .set({
        version,
        overrides: JSON.stringify(w.overrides) as unknown as Overrides,
        location: JSON.stringify(w.location) as unknown as EditedLocation,
        edited_on: w.editedOn,
        updated_at: w.at,
      })
      .where("place_id", "=", w.placeId)
      .where("version", "=", w.from)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return null;
  }
  // The form started from the published record, which carried the other members' edits: they are in `overrides` now.
  const others = (w.absorbs ?? []).filter((id) => id !== w.placeId);
  if (others.length > 0) await t.deleteFrom("place_edit").where("place_id", "in", others).execute();
  const row = await t
    .insertInto("place_version")
    .values({
      place_id: w.placeId,
      version,
      kind: w.kind,
      at: w.at,
      person_id: w.personId,
      author: w.author,
      reason: w.reason,
      changes: JSON.stringify(w.changes) as unknown as FieldChange[],
      standard: JSON.stringify(w.standard) as unknown as StandardPlace,
      overrides: JSON.stringify(w.overrides) as unknown as Overrides,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, version };
}

export interface PlaceVersion {
  id: number;
  placeId: string;
  version: number;
  kind: VersionKind;
  at: Date;
  author: string;
  reason: string;
  changes: FieldChange[];
  standard: StandardPlace;
  /** The fields held by hand in this version (a restore brings these back, over what the sources give then). */
  overrides: Overrides;
}

const toVersion = (r: Omit<EditTables["place_version"], "id"> & { id: number }): PlaceVersion => ({
  id: r.id,
  placeId: r.place_id,
  version: r.version,
  kind: r.kind,
  at: new Date(r.at),
  author: r.author,
  reason: r.reason,
  changes: r.changes,
  standard: r.standard,
  overrides: r.overrides ?? {},
});

/** The versions of these anchors, newest first. */
export async function versionsOf(db: Db, placeIds: readonly string[], limit = 100): Promise<PlaceVersion[]> {
  if (placeIds.length === 0) return [];
  const rows = await tables(db)
    .selectFrom("place_version")
    .selectAll()
    .where("place_id", "in", [...placeIds])
    .orderBy("at", "desc")
    .orderBy("version", "desc")
    .limit(limit)
    .execute();
  return rows.map(toVersion);
}

/** One version of an anchor. */
export async function versionOf(db: Db, placeId: string, version: number): Promise<PlaceVersion | null> {
  const r = await tables(db)
    .selectFrom("place_version")
    .selectAll()
    .where("place_id", "=", placeId)
    .where("version", "=", version)
    .executeTakeFirst();
  return r ? toVersion(r) : null;
}

/** The newest version id (moves with every edit: part of the published places' freshness marker). */
export const LATEST_VERSION_SQL = "(SELECT coalesce(max(id), 0) FROM place_version)";
