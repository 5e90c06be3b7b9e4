/** What changed and why: the history of the records, the scored pairs of the deduplication, table counts. */
import { sql } from "kysely";
import type { Db } from "../../platform/db.ts";
import type { PairScore } from "../dedupe.ts";
import type { ImportedSource } from "../model.ts";
import { type FieldChange, type HistoryKind, placeTables } from "./tables.ts";

export interface HistoryEntry {
  recordId: string;
  at: Date;
  change: HistoryKind;
  fields: FieldChange[];
  source: string;
  file: string;
  importedBy: string;
}

export async function historyOf(db: Db, recordIds: string[]): Promise<HistoryEntry[]> {
  if (recordIds.length === 0) return [];
  const rows = await placeTables(db)
    .selectFrom("place_history as h")
    .innerJoin("place_import as i", "i.id", "h.import_id")
    .select(["h.record_id", "h.at", "h.change", "h.fields", "i.source", "i.file", "i.imported_by"])
    .where("h.record_id", "in", recordIds)
    .orderBy("h.id", "desc")
    .limit(100)
    .execute();
  return rows.map((r) => ({
    recordId: r.record_id,
    at: new Date(r.at),
    change: r.change,
    fields: r.fields,
    source: r.source,
    file: r.file,
    importedBy: r.imported_by,
  }));
}

export interface StoredPair {
  a: string;
  b: string;
  score: number;
  decision: string;
  parts: PairScore["parts"];
  /** The published place on the other side and its name. */
  other: { id: string; nom: string } | null;
}

/** Pairs involving these records: "à vérifier" ones, or "fusion" ones (why they were merged). */
export async function pairsOf(db: Db, recordIds: string[], decision: string): Promise<StoredPair[]> {
  if (recordIds.length === 0) return [];
  const t = placeTables(db);
  const pairs = await t
    .selectFrom("place_pair")
    .selectAll()
    .where("decision", "=", decision)
    .where((eb) => eb.or([eb("a", "in", recordIds), eb("b", "in", recordIds)]))
    .orderBy("score", "desc")
    .execute();
  const mine = new Set(recordIds);
  const others = [...new Set(pairs.map((p) => (mine.has(p.a) ? p.b : p.a)))];
  const groups =
    others.length === 0
      ? []
      : await t
          .selectFrom("place_record as r")
          .innerJoin("place as p", "p.id", "r.group_id")
          .select(["r.id", "p.id as gid", "p.nom"])
          .where("r.id", "in", others)
          .execute();
  const byRecord = new Map(groups.map((g) => [g.id, { id: g.gid, nom: g.nom }]));
  return pairs.map((p) => ({ ...p, other: byRecord.get(mine.has(p.a) ? p.b : p.a) ?? null }));
}

/** Counts for tests and status lines. */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const r = await sql<Record<string, string>>`SELECT
      (SELECT count(*) FROM place_record WHERE status = 'active') AS active,
      (SELECT count(*) FROM place_record WHERE status = 'withdrawn') AS withdrawn,
      (SELECT count(*) FROM place) AS published,
      (SELECT count(*) FROM place_history) AS history,
      (SELECT count(*) FROM place_import) AS imports,
      (SELECT count(*) FROM place_pair WHERE decision = 'à vérifier') AS review`.execute(db);
  return Object.fromEntries(Object.entries(r.rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
}

/**
 * Each source of places as last imported: its file, when, how many of its records are active, and the most
 * recent update date its records give (ignoring missing dates and the epoch, which some producers write for none).
 */
export async function importedSources(db: Db): Promise<ImportedSource[]> {
  const r = await sql<{
    source: string;
    file: string;
    imported_at: Date | string;
    active: string;
    latest: string | null;
  }>`
    SELECT i.source, i.file, i.imported_at,
      (SELECT count(*) FROM place_record r WHERE r.source = i.source AND r.status = 'active')::text AS active,
      (SELECT max(r.standard->>'date_maj') FROM place_record r
        WHERE r.source = i.source AND r.status = 'active' AND r.standard->>'date_maj' > '1970-01-01') AS latest
    FROM place_import i
    WHERE i.id = (SELECT max(j.id) FROM place_import j WHERE j.source = i.source)
    ORDER BY i.source`.execute(db);
  return r.rows.map((row) => ({
    source: row.source,
    file: row.file,
    importedAt: new Date(row.imported_at),
    activeRecords: Number(row.active),
    latestUpdate: row.latest ? row.latest.slice(0, 10) : null,
  }));
}
