/** Records and imports: what an import writes (inside the caller's transaction). */
import { sql } from "kysely";
import type { DedupeEntry } from "../dedupe.ts";
import { type CommuneMatch, type Place, type Provenance, STANDARD_FIELDS } from "../model.ts";
import {
  chunks,
  type FieldChange,
  type HistoryKind,
  insertJson,
  json,
  type PlaceTables,
  type PlaceTrx,
} from "./tables.ts";

export type StoredRecord = PlaceTables["place_record"];

export async function createImport(
  trx: PlaceTrx,
  v: { source: string; file: string; sha256: string; by: string; full: boolean },
): Promise<number> {
  const row = await trx
    .insertInto("place_import")
    .values({
      source: v.source,
      file: v.file,
      sha256: v.sha256,
      imported_by: v.by,
      full_import: v.full,
      counts: json({}) as never,
    } as never)
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function finishImport(
  trx: PlaceTrx,
  id: number,
  sha256: string,
  counts: Record<string, number>,
): Promise<void> {
  await trx
    .updateTable("place_import")
    .set({ sha256, counts: json(counts) as never })
    .where("id", "=", id)
    .execute();
  // Delivered when the import commits: every server's published places re-check at once (published.ts).
  await sql`SELECT pg_notify(${PLACES_CHANNEL}, current_schema())`.execute(trx);
}

/** The channel of the notification sent by every import. */
export const PLACES_CHANNEL = "maillage_lieux";

export async function recordsById(trx: PlaceTrx, ids: string[]): Promise<Map<string, StoredRecord>> {
  if (ids.length === 0) return new Map();
  const rows = await trx.selectFrom("place_record").selectAll().where("id", "in", ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** The record as stored for a place of a source file. */
export function recordOf(place: Place, importId: number, firstImport = importId): StoredRecord {
  const p = place.provenance[0] as Provenance;
  return {
    id: place.id,
    source: p.source,
    source_id: p.sourceId,
    standard: place.standard,
    commune_code: place.communeCode,
    commune_match: place.communeMatch,
    lat: place.location?.lat ?? null,
    lon: place.location?.lon ?? null,
    approximate: place.flags.approximateCoordinates,
    unparsed_hours: place.flags.unparsedHours,
    status: "active",
    // Its own published place until deduplication says otherwise: most records stay alone, and are not rewritten.
    group_id: place.id,
    file: p.file,
    line: p.line,
    first_import: firstImport,
    last_import: importId,
  };
}

const same = (a: unknown, b: unknown) => json(a ?? null) === json(b ?? null);

/** What an import changes in a stored record: every standard field, the commune, the flags and the status. */
export function diffRecord(before: StoredRecord, after: StoredRecord): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const f of STANDARD_FIELDS) {
    const x = before.standard[f];
    const y = after.standard[f];
    if (!same(x, y)) changes.push({ field: f, before: x ?? null, after: y ?? null });
  }
  const extra: [string, keyof StoredRecord][] = [
    ["commune (code INSEE résolu)", "commune_code"],
    ["coordonnées approximatives", "approximate"],
    ["horaires illisibles", "unparsed_hours"],
    ["statut", "status"],
  ];
  for (const [label, key] of extra)
    if (!same(before[key], after[key]))
      changes.push({ field: label, before: before[key], after: after[key] });
  return changes;
}

/** Column types, for the JSON-to-rows inserts. */
const RECORD_COLUMNS: [keyof StoredRecord, string][] = [
  ["id", "text"],
  ["source", "text"],
  ["source_id", "text"],
  ["standard", "jsonb"],
  ["commune_code", "text"],
  ["commune_match", "text"],
  ["lat", "double precision"],
  ["lon", "double precision"],
  ["approximate", "boolean"],
  ["unparsed_hours", "boolean"],
  ["status", "text"],
  ["group_id", "text"],
  ["file", "text"],
  ["line", "integer"],
  ["first_import", "integer"],
  ["last_import", "integer"],
];

/** Inserts records (new, or replaced after a delete) in batches. */
export async function insertRecords(trx: PlaceTrx, records: StoredRecord[]): Promise<void> {
  await insertJson(trx, "place_record", RECORD_COLUMNS, records);
}

/** Replaces changed records: one DELETE and one INSERT per batch rather than one UPDATE per row. */
export async function replaceRecords(trx: PlaceTrx, records: StoredRecord[]): Promise<void> {
  for (const batch of chunks(records)) {
    await trx
      .deleteFrom("place_record")
      .where(
        "id",
        "in",
        batch.map((r) => r.id),
      )
      .execute();
    await insertRecords(trx, batch);
  }
}

export async function addHistory(
  trx: PlaceTrx,
  rows: { recordId: string; importId: number; change: HistoryKind; fields: FieldChange[] }[],
): Promise<void> {
  await insertJson(
    trx,
    "place_history",
    [
      ["record_id", "text"],
      ["import_id", "integer"],
      ["change", "text"],
      ["fields", "jsonb"],
    ],
    rows.map((h) => ({ record_id: h.recordId, import_id: h.importId, change: h.change, fields: h.fields })),
  );
}

/** Ids of the active records of a source. */
export async function activeIds(trx: PlaceTrx, source: string): Promise<string[]> {
  const rows = await trx
    .selectFrom("place_record")
    .select("id")
    .where("source", "=", source)
    .where("status", "=", "active")
    .execute();
  return rows.map((r) => r.id);
}

export async function withdrawRecords(trx: PlaceTrx, ids: string[], importId: number): Promise<void> {
  for (const batch of chunks(ids)) {
    await trx
      .updateTable("place_record")
      .set({ status: "withdrawn", last_import: importId, group_id: null })
      .where("id", "in", batch)
      .execute();
  }
  await addHistory(
    trx,
    ids.map((id) => ({
      recordId: id,
      importId,
      change: "retiré",
      fields: [{ field: "statut", before: "active", after: "withdrawn" }],
    })),
  );
}

export function placeFromRecord(r: StoredRecord): Place {
  return {
    id: r.id,
    standard: r.standard,
    communeCode: r.commune_code,
    communeMatch: r.commune_match as CommuneMatch | null,
    location: r.lat !== null && r.lon !== null ? { lat: r.lat, lon: r.lon } : null,
    flags: { approximateCoordinates: r.approximate, unparsedHours: r.unparsed_hours },
    provenance: [{ source: r.source, file: r.file, line: r.line, sourceId: r.source_id }],
  };
}

/** What deduplication reads of the active records, in id order, by pages (never every record at once). */
export async function* activeEntries(trx: PlaceTrx, size = 5000): AsyncGenerator<DedupeEntry> {
  let after = "";
  for (;;) {
    const rows = await sql<{
      id: string;
      commune_code: string | null;
      lat: number | null;
      lon: number | null;
      approximate: boolean;
      nom: string;
      adresse: string;
      commune: string;
      pivot: string;
    }>`SELECT id, commune_code, lat, lon, approximate, standard->>'nom' AS nom, standard->>'adresse' AS adresse,
              standard->>'commune' AS commune, standard->>'pivot' AS pivot
       FROM place_record WHERE status = 'active' AND id > ${after} ORDER BY id LIMIT ${size}`.execute(trx);
    for (const r of rows.rows)
      yield {
        id: r.id,
        communeCode: r.commune_code,
        location: r.lat !== null && r.lon !== null ? { lat: r.lat, lon: r.lon } : null,
        flags: { approximateCoordinates: r.approximate },
        standard: {
          nom: r.nom ?? "",
          adresse: r.adresse ?? "",
          commune: r.commune ?? "",
          pivot: r.pivot ?? "",
        },
      };
    const last = rows.rows.at(-1);
    if (!last || rows.rows.length < size) return;
    after = last.id;
  }
}

/** The active records, whole, in id order, by pages. */
export async function* activeRecords(trx: PlaceTrx, size = 1000): AsyncGenerator<StoredRecord> {
  let after = "";
  for (;;) {
    const rows = await trx
      .selectFrom("place_record")
      .selectAll()
      .where("status", "=", "active")
      .where("id", ">", after)
      .orderBy("id")
      .limit(size)
      .execute();
    yield* rows;
    const last = rows.at(-1);
    if (!last || rows.length < size) return;
    after = last.id;
  }
}
