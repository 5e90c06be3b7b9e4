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
 * Writes happen inside the caller's transaction (see ingest.ts): PGlite is one connection.
 */
import { type Kysely, type Migration, sql, type Transaction } from "kysely";
import type { Db } from "../platform/db.ts";
import { normalize } from "../territories/normalize.ts";
import type { DedupeResult, PairScore } from "./dedupe.ts";
import {
  type CommuneMatch,
  type Place,
  type Provenance,
  STANDARD_FIELDS,
  type StandardPlace,
} from "./model.ts";

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

export type HistoryKind = "modifié" | "retiré" | "réactivé";

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

function* chunks<T>(items: readonly T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

const json = (v: unknown) => JSON.stringify(v);

// ---------------------------------------------------------------------------------------------------------
// Records and imports

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
}

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
    group_id: null,
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

/**
 * Inserts rows given as one JSON document per batch (`jsonb_to_recordset`): on PGlite, three times faster than
 * thousands of bound parameters. `columns` are trusted names and SQL types written in this file.
 */
async function insertJson(
  trx: PlaceTrx,
  table: keyof PlaceTables,
  columns: [string, string][],
  rows: object[],
  size = 2000,
): Promise<void> {
  const names = columns.map(([c]) => c).join(", ");
  const types = columns.map(([c, t]) => `${c} ${t}`).join(", ");
  for (const batch of chunks(rows, size)) {
    await sql`INSERT INTO ${sql.table(table)} (${sql.raw(names)})
              SELECT ${sql.raw(names)} FROM jsonb_to_recordset(${json(batch)}::jsonb) AS x(${sql.raw(types)})`.execute(
      trx,
    );
  }
}

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

function placeFromRecord(r: StoredRecord): Place {
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

/** Every active record as a Place, in id order (deduplication input). */
export async function activePlaces(trx: PlaceTrx): Promise<Place[]> {
  const rows = await trx
    .selectFrom("place_record")
    .selectAll()
    .where("status", "=", "active")
    .orderBy("id")
    .execute();
  return rows.map(placeFromRecord);
}

// ---------------------------------------------------------------------------------------------------------
// Published places (after deduplication)

/** Text the list's free-text filter searches: name, address, commune, postcode, folded. */
const searchText = (s: StandardPlace) =>
  normalize([s.nom, s.adresse, s.complement_adresse ?? "", s.commune, s.code_postal].join(" "));

/** Replaces the published places, the record groups and the scored pairs with a deduplication result. */
export async function replacePublished(trx: PlaceTrx, result: DedupeResult): Promise<void> {
  await trx.deleteFrom("place").execute();
  await trx.deleteFrom("place_pair").execute();
  const members = new Map<string, string[]>();
  for (const m of result.merged) members.set(m.id, m.from);
  const ids: string[] = [];
  const groups: string[] = [];
  const rows = result.places.map((p) => {
    const from = members.get(p.id) ?? [p.id];
    for (const id of from) {
      ids.push(id);
      groups.push(p.id);
    }
    return {
      id: p.id,
      nom: p.standard.nom,
      nom_sort: normalize(p.standard.nom),
      search: searchText(p.standard),
      commune_code: p.communeCode,
      lat: p.location?.lat ?? null,
      lon: p.location?.lon ?? null,
      approximate: p.flags.approximateCoordinates,
      unparsed_hours: p.flags.unparsedHours,
      services: p.standard.services,
      standard: p.standard,
      provenance: p.provenance,
      members: from,
    };
  });
  await insertJson(trx, "place", PLACE_COLUMNS, rows);
  await sql`UPDATE place_record SET group_id = x.g
            FROM unnest(${ids}::text[], ${groups}::text[]) AS x(id, g)
            WHERE place_record.id = x.id`.execute(trx);
  const seen = new Set<string>();
  const pairs = [...result.merged.flatMap((m) => m.pairs), ...result.toReview].filter((p) => {
    const key = `${p.a} ${p.b}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  await insertJson(
    trx,
    "place_pair",
    [
      ["a", "text"],
      ["b", "text"],
      ["score", "real"],
      ["decision", "text"],
      ["parts", "jsonb"],
    ],
    pairs,
  );
}

const PLACE_COLUMNS: [string, string][] = [
  ["id", "text"],
  ["nom", "text"],
  ["nom_sort", "text"],
  ["search", "text"],
  ["commune_code", "text"],
  ["lat", "double precision"],
  ["lon", "double precision"],
  ["approximate", "boolean"],
  ["unparsed_hours", "boolean"],
  ["services", "text[]"],
  ["standard", "jsonb"],
  ["provenance", "jsonb"],
  ["members", "text[]"],
];

export type PublishedRow = PlaceTables["place"];

export function placeFromPublished(r: PublishedRow): Place {
  return {
    id: r.id,
    standard: r.standard,
    communeCode: r.commune_code,
    communeMatch: null,
    location: r.lat !== null && r.lon !== null ? { lat: r.lat, lon: r.lon } : null,
    flags: { approximateCoordinates: r.approximate, unparsedHours: r.unparsed_hours },
    provenance: r.provenance,
  };
}

export interface PlaceFilter {
  /** INSEE codes of the communes and arrondissements of a territory; undefined: all of France. */
  communes?: string[];
  service?: string;
  /** A value of publics_specifiquement_adresses, frais_a_charge, modalites_accompagnement the place must have. */
  public?: string;
  frais?: string;
  modalite?: string;
  /** Free text: every word must appear in the name, address, commune or postcode. */
  q?: string;
}

function filtered(db: PlaceDb, f: PlaceFilter) {
  let query = db.selectFrom("place");
  if (f.communes) query = query.where(sql<boolean>`commune_code = ANY(${f.communes}::text[])`);
  if (f.service) query = query.where(sql<boolean>`${f.service} = ANY(services)`);
  // The standard record is jsonb: list fields are arrays, so a containment test needs no column of its own.
  for (const [field, value] of [
    ["publics_specifiquement_adresses", f.public],
    ["frais_a_charge", f.frais],
    ["modalites_accompagnement", f.modalite],
  ] as const) {
    if (value)
      query = query.where(sql<boolean>`standard -> ${field}::text @> ${JSON.stringify([value])}::jsonb`);
  }
  for (const word of normalize(f.q ?? "")
    .split(" ")
    .filter(Boolean)
    .slice(0, 8)) {
    query = query.where("search", "like", `%${word}%`);
  }
  return query;
}

export async function listPlaces(
  db: Db,
  f: PlaceFilter,
  page: { limit: number; offset: number },
): Promise<{ total: number; places: Place[] }> {
  const t = placeTables(db);
  const [count, rows] = await Promise.all([
    filtered(t, f)
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow(),
    filtered(t, f)
      .selectAll()
      .orderBy("nom_sort")
      .orderBy("id")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  return { total: Number(count.n), places: rows.map(placeFromPublished) };
}

/** Streams the published places (all of France or some communes) by pages of `size`, in id order. */
export async function* streamPlaces(db: Db, f: PlaceFilter, size = 1000): AsyncGenerator<Place> {
  const t = placeTables(db);
  let after = "";
  for (;;) {
    const rows = await filtered(t, f).selectAll().where("id", ">", after).orderBy("id").limit(size).execute();
    for (const r of rows) yield placeFromPublished(r);
    const last = rows.at(-1);
    if (!last || rows.length < size) return;
    after = last.id;
  }
}

/** A published place with its records, or the id of the place a record was merged into. */
export async function getPlace(
  db: Db,
  id: string,
): Promise<{ place: PublishedRow; records: StoredRecord[] } | { mergedInto: string } | null> {
  const t = placeTables(db);
  const place = await t.selectFrom("place").selectAll().where("id", "=", id).executeTakeFirst();
  if (!place) {
    const r = await t.selectFrom("place_record").select("group_id").where("id", "=", id).executeTakeFirst();
    return r?.group_id ? { mergedInto: r.group_id } : null;
  }
  const records = await t
    .selectFrom("place_record")
    .selectAll()
    .where("id", "in", place.members)
    .orderBy("source")
    .execute();
  return { place, records };
}

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
