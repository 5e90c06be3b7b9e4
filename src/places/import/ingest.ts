/**
 * An import into the database: the file is read and validated row by row (rows.ts), accepted places are
 * compared with what the source gave before and written by batches, all in ONE transaction. Same source and
 * same id: updated in place with the changed fields in the history; identical: counted unchanged, not written;
 * missing from a full import: withdrawn (kept, not deleted). Then the published places are deduplicated again.
 * A failure anywhere (a bad file, --strict with a rejected row, an interrupted run) leaves the database as it was.
 */
import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "../../platform/db.ts";
import { DEFAULT_DEDUPE, type DedupeConfig, Deduplication, mergePlaces, type PairScore } from "../dedupe.ts";
import { withEdits } from "../edit.ts";
import type { Place, RowIssue } from "../model.ts";
import { pairDecisions } from "../store/decisions.ts";
import { allEdits, byUpdate } from "../store/edits.ts";
import { clearPublished, insertPairs, insertPublished, setGroups } from "../store/published.ts";
import {
  activeEntries,
  activeIds,
  activeRecords,
  addHistory,
  createImport,
  diffRecord,
  finishImport,
  insertRecords,
  placeFromRecord,
  recordOf,
  recordsById,
  replaceRecords,
  type StoredRecord,
  withdrawRecords,
} from "../store/records.ts";
import {
  BATCH,
  collector,
  type FieldChange,
  type HistoryKind,
  maintenance,
  type PlaceTrx,
  placeTables,
  vacuumPlaces,
} from "../store/tables.ts";
import { emptySummary, type ImportOptions, type ImportSummary, importPlaces } from "./rows.ts";

export interface StoreImportOptions extends ImportOptions {
  /** A full import: the source's places missing from the file are withdrawn. */
  full?: boolean;
  /** Refuse the whole file when one row is rejected. */
  strict?: boolean;
  /** Who imports (a person, "chargement initial"…). */
  by?: string;
  /** Called after each batch with the number of rows read so far (inside the transaction). */
  onProgress?: (rows: number) => void;
  /** Errors kept in the result (the count is always exact). */
  maxIssues?: number;
  /** The embedded database (PGlite): checkpoints during the import keep its write-ahead log bounded. */
  embedded?: boolean;
  /**
   * Refuses a valid row for a reason of the importer's (a commune outside a coordinator's territory): its error,
   * or null to accept it. A refused row is counted and reported like any rejected row.
   */
  refuse?: (place: Place, line: number) => RowIssue | null;
}

interface ImportCounts {
  read: number;
  accepted: number;
  rejected: number;
  created: number;
  updated: number;
  unchanged: number;
  withdrawn: number;
  approximateCoordinates: number;
  unparsedHours: number;
}

export interface StoreImportResult {
  /** Null when nothing was written (refused). */
  importId: number | null;
  summary: ImportSummary;
  counts: ImportCounts;
  /** Errors of rejected rows and of the file, in file order (the first `maxIssues`). */
  errors: RowIssue[];
  errorCount: number;
  warningCount: number;
  /** Why nothing was written: the file cannot be read, or --strict and some rows were rejected. */
  refused: string | null;
  sha256: string;
}

/** Thrown inside the transaction to roll it back when the file is refused. */
class Refused extends Error {}

async function* hashing(input: AsyncIterable<Buffer>, hash: ReturnType<typeof createHash>) {
  for await (const chunk of input) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    hash.update(b);
    yield b;
  }
}

/**
 * Imports one file inside an open transaction (`trx`), without deduplicating. Throws to roll back: Refused
 * when the file is refused, or whatever a progress callback or the database throws.
 */
export async function importInto(
  trx: PlaceTrx,
  input: AsyncIterable<Buffer>,
  opts: StoreImportOptions,
  result: StoreImportResult,
): Promise<void> {
  const hash = createHash("sha256");
  const { summary, outcomes } = importPlaces(hashing(input, hash), opts);
  result.summary = summary;
  const counts = result.counts;
  const maxIssues = opts.maxIssues ?? 1000;
  const importId = await createImport(trx, {
    source: opts.source,
    file: opts.file,
    sha256: "",
    by: opts.by ?? "inconnu",
    full: opts.full === true,
  });
  const seen = new Set<string>();
  const written = maintenance(trx, opts.embedded === true);
  let batch: Place[] = [];
  /** The older cells translated in the batch's rows, by place: written in the history with their original text. */
  let older = new Map<string, FieldChange[]>();
  const flush = async () => {
    if (batch.length === 0) return;
    const existing = await recordsById(
      trx,
      batch.map((p) => p.id),
    );
    const fresh: StoredRecord[] = [];
    const changed: StoredRecord[] = [];
    const history: { recordId: string; importId: number; change: HistoryKind; fields: FieldChange[] }[] = [];
    for (const p of batch) {
      const before = existing.get(p.id);
      const translated = older.get(p.id);
      if (!before) {
        fresh.push(recordOf(p, importId));
        if (translated) history.push({ recordId: p.id, importId, change: "traduit", fields: translated });
        continue;
      }
      const after = recordOf(p, importId, before.first_import);
      after.group_id = before.group_id ?? p.id;
      const fields = diffRecord(before, after);
      if (fields.length === 0) {
        counts.unchanged++;
        continue;
      }
      changed.push(after);
      history.push({
        recordId: p.id,
        importId,
        change: before.status === "withdrawn" ? "réactivé" : "modifié",
        fields,
      });
      if (translated) history.push({ recordId: p.id, importId, change: "traduit", fields: translated });
    }
    await insertRecords(trx, fresh);
    await replaceRecords(trx, changed);
    await addHistory(trx, history);
    counts.created += fresh.length;
    counts.updated += changed.length;
    await written(Math.max(batch.length, fresh.length + 2 * changed.length + history.length));
    batch = [];
    older = new Map();
    opts.onProgress?.(summary.read);
  };
  for await (const o of outcomes) {
    if (o.status === "file-error") {
      const issues = o.issues.length > 0 ? o.issues : [];
      result.errors.push(...issues.slice(0, maxIssues));
      result.errorCount += Math.max(1, issues.length);
      throw new Refused(o.message);
    }
    if (o.status === "rejected") {
      const errors = o.issues.filter((i) => i.severity === "error");
      result.errorCount += errors.length;
      for (const e of errors) if (result.errors.length < maxIssues) result.errors.push(e);
      continue;
    }
    const refusal = opts.refuse?.(o.place, o.line);
    if (refusal) {
      summary.accepted--;
      summary.rejected++;
      if (o.issues.length > 0) summary.withWarnings--;
      if (o.place.flags.approximateCoordinates) summary.approximateCoordinates--;
      if (o.place.flags.unparsedHours) summary.unparsedHours--;
      result.errorCount++;
      if (result.errors.length < maxIssues) result.errors.push(refusal);
      continue;
    }
    result.warningCount += o.issues.length;
    // Only a full import needs every id it saw (to withdraw the others).
    if (opts.full) seen.add(o.place.id);
    batch.push(o.place);
    if (o.older)
      older.set(
        o.place.id,
        o.older.map((n) => ({
          field: `${n.field} (ancien standard 0.1)`,
          before: n.original,
          after: n.result,
        })),
      );
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  counts.read = summary.read;
  counts.accepted = summary.accepted;
  counts.rejected = summary.rejected;
  counts.approximateCoordinates = summary.approximateCoordinates;
  counts.unparsedHours = summary.unparsedHours;
  if (opts.strict && summary.rejected > 0) {
    throw new Refused(
      `${summary.rejected} ligne(s) refusée(s) sur ${summary.read} : avec --strict, le fichier entier est refusé`,
    );
  }
  if (opts.full) {
    const gone = (await activeIds(trx, opts.source)).filter((id) => !seen.has(id));
    await withdrawRecords(trx, gone, importId);
    counts.withdrawn = gone.length;
  }
  result.sha256 = hash.digest("hex");
  await finishImport(trx, importId, result.sha256, { ...counts });
  result.importId = importId;
}

/** True when the import changed a record (new, updated, withdrawn): the published places must be rebuilt. */
export const changed = (r: StoreImportResult) => r.counts.created + r.counts.updated + r.counts.withdrawn > 0;

/** Published places written per statement. */
const PUBLISH_BATCH = 1000;

/**
 * Deduplicates every active record again and republishes the places (inside the transaction), in bounded
 * memory: a first pass reads what the score needs of each record (Deduplication); a second pass streams the
 * records in the same order and writes those left alone; merged groups are read whole, merged and written
 * a few at a time; pairs are written as they are produced. Only records whose published place changed are
 * written again.
 */
export async function republish(trx: PlaceTrx, config: DedupeConfig = DEFAULT_DEDUPE, embedded = false) {
  const written = maintenance(trx, embedded);
  // The statistics of a table that just grew: the passes below read it by pages of its primary key.
  await sql`ANALYZE place_record`.execute(trx);
  // People's decisions on pairs (« fusionner », « garder séparés ») apply at every deduplication.
  const d = new Deduplication(config, await pairDecisions(trx));
  // Both passes read every active record: hundreds of thousands of rows of garbage between two writes.
  const collect = collector();
  for await (const e of activeEntries(trx)) {
    d.add(e);
    collect(1);
  }
  d.run();
  // One writer of the published places at a time: an edit or a decision waits for this publication to commit.
  await sql`LOCK TABLE place IN EXCLUSIVE MODE`.execute(trx);
  // Manual edits (a few hundred at most) go on top of what the sources give.
  const edits = await allEdits(trx as unknown as Db);
  const edited = (place: Place, members: readonly string[]) =>
    edits.size === 0 ? place : withEdits(place, members.flatMap((m) => edits.get(m) ?? []).sort(byUpdate));
  await clearPublished(trx);
  let places: { place: Place; members: string[] }[] = [];
  let regroup: { ids: string[]; groups: string[] } = { ids: [], groups: [] };
  const flush = async (force = false) => {
    if (force || places.length >= PUBLISH_BATCH) {
      await insertPublished(trx, places);
      await written(places.length);
      places = [];
    }
    if (force || regroup.ids.length >= PUBLISH_BATCH) {
      await setGroups(trx, regroup.ids, regroup.groups);
      await written(regroup.ids.length);
      regroup = { ids: [], groups: [] };
    }
  };
  let i = 0;
  for await (const r of activeRecords(trx)) {
    collect(1);
    if (r.id !== d.ids[i]) throw new Error(`place_record a changé pendant la déduplication (${r.id})`);
    if (d.groupOf(i) === -1) {
      places.push({ place: edited(placeFromRecord(r), [r.id]), members: [r.id] });
      if (r.group_id !== r.id) {
        regroup.ids.push(r.id);
        regroup.groups.push(r.id);
      }
      await flush();
    }
    i++;
  }
  if (i !== d.size) throw new Error("place_record a changé pendant la déduplication");
  // Merged groups, read whole a few at a time (the members of one group are read together).
  for (let g = 0; g < d.merged.length; ) {
    const batch: number[][] = [];
    let n = 0;
    while (g < d.merged.length && (n === 0 || n + (d.merged[g] as number[]).length <= PUBLISH_BATCH)) {
      const members = d.merged[g++] as number[];
      batch.push(members);
      n += members.length;
    }
    const records = await recordsById(
      trx,
      batch.flat().map((k) => d.ids[k] as string),
    );
    collect(records.size);
    for (const members of batch) {
      const rows = members.map((k) => records.get(d.ids[k] as string) as StoredRecord);
      const ids = rows.map((r) => r.id);
      const place = edited(mergePlaces(rows.map(placeFromRecord)), ids);
      places.push({ place, members: ids });
      for (const r of rows)
        if (r.group_id !== place.id) {
          regroup.ids.push(r.id);
          regroup.groups.push(place.id);
        }
      await flush();
    }
  }
  await flush(true);
  let pairs: PairScore[] = [];
  let toReview = 0;
  for (const { pair, group } of d.pairs()) {
    if (group === null && pair.decision === "à vérifier") toReview++;
    pairs.push(pair);
    if (pairs.length >= 2000) {
      await insertPairs(trx, pairs);
      await written(pairs.length);
      pairs = [];
    }
  }
  await insertPairs(trx, pairs);
  return { places: d.places, merged: d.merged.length, toReview };
}

export const emptyResult = (opts: Pick<ImportOptions, "file" | "source">): StoreImportResult => ({
  importId: null,
  summary: emptySummary(opts),
  counts: {
    read: 0,
    accepted: 0,
    rejected: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    withdrawn: 0,
    approximateCoordinates: 0,
    unparsedHours: 0,
  },
  errors: [],
  errorCount: 0,
  warningCount: 0,
  refused: null,
  sha256: "",
});

/**
 * Imports one file in its own transaction, then deduplicates. A refused file returns `refused` (nothing
 * written); any other failure is thrown, and nothing is written either.
 */
export async function importFile(
  db: Db,
  input: AsyncIterable<Buffer>,
  opts: StoreImportOptions & {
    dedupe?: DedupeConfig;
    /** Runs last in the import's transaction (the caller's own bookkeeping, committed with the import or not). */
    beforeCommit?: (trx: PlaceTrx, result: StoreImportResult) => Promise<void>;
  },
): Promise<StoreImportResult> {
  const result = emptyResult(opts);
  try {
    await placeTables(db)
      .transaction()
      .execute(async (trx) => {
        await importInto(trx, input, opts, result);
        if (changed(result)) await republish(trx, opts.dedupe, opts.embedded);
        await opts.beforeCommit?.(trx, result);
      });
  } catch (e) {
    // A rolled-back import leaves dead rows: reclaimed now rather than by a later VACUUM.
    if (!(e instanceof Refused)) {
      await vacuumPlaces(db).catch(() => {});
      throw e;
    }
    result.importId = null;
    result.refused = e.message;
    result.counts.created = 0;
    result.counts.updated = 0;
    result.counts.unchanged = 0;
    result.counts.withdrawn = 0;
  }
  await vacuumPlaces(db);
  return result;
}

/** Thrown at the end of a dry run: its transaction is always rolled back. */
class DryRun extends Error {}

/**
 * What importing a file would do, nothing written: the same `importInto` in a transaction that is always rolled
 * back (no deduplication). `inspect` runs inside it, after the import, to read what the import would change (the
 * records it creates, updates, withdraws).
 */
export async function dryRun<T>(
  db: Db,
  input: AsyncIterable<Buffer>,
  opts: StoreImportOptions,
  inspect: (trx: PlaceTrx, result: StoreImportResult) => Promise<T>,
): Promise<{ result: StoreImportResult; inspected: T | null }> {
  const result = emptyResult(opts);
  let inspected: T | null = null;
  try {
    await placeTables(db)
      .transaction()
      .execute(async (trx) => {
        await importInto(trx, input, opts, result);
        inspected = await inspect(trx, result);
        throw new DryRun();
      });
  } catch (e) {
    if (e instanceof Refused) {
      result.refused = e.message;
      inspected = null;
    } else if (!(e instanceof DryRun)) {
      await vacuumPlaces(db).catch(() => {});
      throw e;
    }
  }
  result.importId = null;
  // The rolled-back rows are dead: reclaimed now (PGlite has no autovacuum).
  await vacuumPlaces(db);
  return { result, inspected };
}

/** The summary of a stored import, in French, one line. */
export function countsText(r: StoreImportResult): string {
  const c = r.counts;
  if (r.refused) return `${r.summary.file} : fichier refusé, rien n'a été enregistré — ${r.refused}`;
  return (
    `${r.summary.file} (source « ${r.summary.source} ») : ${c.read} lignes lues, ${c.accepted} acceptées, ` +
    `${c.rejected} refusées ; ${c.created} nouveaux lieux, ${c.updated} mis à jour, ${c.unchanged} inchangés, ` +
    `${c.withdrawn} retirés (${c.approximateCoordinates} coordonnées approximatives, ${c.unparsedHours} horaires illisibles)`
  );
}
