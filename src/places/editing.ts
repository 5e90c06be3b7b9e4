/**
 * Editing a published place: what the form starts from (the place as the sources give it, its edits, the current
 * version), and saving a version (an edit, a restore, a release) in one transaction with the journal line, the
 * published row rewritten at once and every server told. Validation is the import's (`validateRow`).
 */
import { sql } from "kysely";
import { appendJournal, type JournalBy } from "../accounts/store.ts";
import type { AppContext } from "../context.ts";
import { dayIn } from "../platform/clock.ts";
import type { Db } from "../platform/db.ts";
import { mergePlaces } from "./dedupe.ts";
import { SOURCE_LABELS } from "./describe.ts";
import {
  changesBetween,
  type EditOverlay,
  LOCATION_FIELDS,
  type Overrides,
  overridesFor,
  rawOfStandard,
  withEdits,
} from "./edit.ts";
import { buildPlace } from "./import/rows.ts";
import type { Place, RowIssue, StandardPlace } from "./model.ts";
import { validateRow } from "./schema.ts";
import {
  byUpdate,
  type EditedLocation,
  editsOf,
  type PlaceEdit,
  saveVersion,
  type VersionKind,
} from "./store/edits.ts";
import { getPlace, placeFromPublished, updatePublished } from "./store/published.ts";
import { PLACES_CHANNEL, placeFromRecord, type StoredRecord } from "./store/records.ts";
import { communesOf } from "./sync.ts";

export interface Editable {
  /** The id the edits of this place are kept under (the published id when first edited). */
  anchor: string;
  /** The published place (with its edits). */
  published: Place;
  /** What the sources give, without edits. */
  base: Place;
  records: StoredRecord[];
  members: string[];
  /** The current version (0: never edited). */
  version: number;
  /** The overrides in force (empty when none). */
  overrides: Overrides;
  edit: PlaceEdit | null;
}

export type Lookup = { kind: "found"; place: Editable } | { kind: "moved"; to: string } | { kind: "none" };

/** The place to edit, by its published id (or the id of a record merged into it: `moved`). */
export async function editable(db: Db, id: string): Promise<Lookup> {
  const found = await getPlace(db, id);
  if (!found) return { kind: "none" };
  if ("mergedInto" in found) return { kind: "moved", to: found.mergedInto };
  const members = found.place.members;
  const records = found.records.filter((r) => r.status === "active");
  const base =
    records.length === 1
      ? placeFromRecord(records[0] as StoredRecord)
      : mergePlaces(records.map(placeFromRecord));
  const edits = (await editsOf(db, members)).sort(byUpdate);
  const edit = edits.at(-1) ?? null;
  return {
    kind: "found",
    place: {
      anchor: edit?.placeId ?? found.place.id,
      published: placeFromPublished(found.place),
      base,
      records,
      members,
      version: edit?.version ?? 0,
      overrides: Object.assign({}, ...edits.map((e) => e.overrides)),
      edit,
    },
  };
}

/** Errors of the import's validation on the fields a person changed (untouched fields are the sources'). */
export function validateEdit(desired: StandardPlace, changed: readonly string[]): RowIssue[] {
  const { issues } = validateRow(rawOfStandard(desired), 1);
  return issues.filter((i) => i.severity === "error" && changed.includes(i.field));
}

/** « ligne 1, champ horaires : … » → « … » (a form has no line). */
export const issueText = (i: RowIssue): string => i.message.replace(/^ligne \d+, champ [^:]+ : /, "");

export interface SaveRequest {
  place: Editable;
  /** The version the person started from. */
  from: number;
  kind: VersionKind;
  /** The record the person wants published (for a release: what the sources give). */
  desired: StandardPlace;
  reason: string;
  by: JournalBy;
  author: string;
  /** Called inside the transaction with the version's id (reports closed by this edit). */
  alsoInTransaction?: (trx: Db, versionId: number) => Promise<void>;
}

export type SaveResult =
  | { kind: "saved"; version: number; versionId: number; changes: number }
  | { kind: "unchanged" }
  | { kind: "conflict" };

/**
 * Saves a version. The overrides become what differs between `desired` and what the sources give; the published
 * row is rewritten; the journal says who changed which fields. `conflict` when someone saved since `from`.
 */
export async function saveEdit(ctx: AppContext, r: SaveRequest): Promise<SaveResult> {
  const db = ctx.database.db;
  const now = ctx.clock.now();
  const base = r.place.base;
  const overrides = r.kind === "libération" ? {} : overridesFor(base.standard, r.desired);
  let location: EditedLocation | null = null;
  if (LOCATION_FIELDS.some((f) => f in overrides)) {
    const source = r.place.records[0]?.source ?? "manuel";
    const built = buildPlace({ ...r.desired }, 1, {
      source,
      file: "modification manuelle",
      communes: communesOf(ctx.territories),
    });
    location = {
      communeCode: built.place.communeCode,
      lat: built.place.location?.lat ?? null,
      lon: built.place.location?.lon ?? null,
      approximate: built.place.flags.approximateCoordinates,
    };
  }
  const editedOn = dayIn(now, "Europe/Paris");
  const overlay: EditOverlay = { overrides, location, editedOn };
  const published = withEdits(base, [overlay]);
  // The update date follows the edit by itself: not a change a person made.
  const changes = changesBetween(r.place.published.standard, published.standard).filter(
    (c) => c.field !== "date_maj",
  );
  if (r.kind === "modification" && changes.length === 0) return { kind: "unchanged" };
  const territoryId = published.communeCode ?? r.place.published.communeCode;
  try {
    return await db.transaction().execute(async (trx) => {
      const t = trx as unknown as Db;
      // One writer of the published places at a time (a decision, an import's publication, an edit).
      await sql`LOCK TABLE place IN EXCLUSIVE MODE`.execute(trx);
      const saved = await saveVersion(t, {
        placeId: r.place.anchor,
        from: r.from,
        kind: r.kind,
        at: now,
        personId: r.by.personId,
        author: r.author,
        reason: r.reason,
        changes,
        standard: published.standard,
        overrides,
        location,
        editedOn,
        origin: {
          standard: r.place.published.standard,
          author: r.place.records.map((x) => SOURCE_LABELS[x.source] ?? x.source).join(", "),
          overrides: r.place.overrides,
        },
        absorbs: r.place.members,
      });
      if (!saved) throw new Conflict();
      await updatePublished(t, published);
      await r.alsoInTransaction?.(t, saved.id);
      await appendJournal(t, {
        ...r.by,
        at: now,
        action:
          r.kind === "modification"
            ? "lieu.modifier"
            : r.kind === "restauration"
              ? "lieu.restaurer"
              : "lieu.liberer",
        target: `lieu:${r.place.published.id}`,
        territoryId,
        details: { version: saved.version, champs: changes.map((c) => c.field), motif: r.reason || null },
      });
      await sql`SELECT pg_notify(${PLACES_CHANNEL}, current_schema())`.execute(trx);
      return { kind: "saved" as const, version: saved.version, versionId: saved.id, changes: changes.length };
    });
  } catch (e) {
    if (e instanceof Conflict || isUniqueViolation(e)) return { kind: "conflict" };
    throw e;
  } finally {
    ctx.places.invalidate();
  }
}

class Conflict extends Error {}

const isUniqueViolation = (e: unknown) => (e as { code?: string } | null)?.code === "23505";
