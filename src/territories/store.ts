import { type Kysely, type Migration, sql } from "kysely";
import { bulkTransaction } from "../platform/bulk.ts";
import { recordDataset } from "../platform/datasets.ts";
import type { Db } from "../platform/db.ts";
import type { TerritoryDataset } from "./load.ts";
import type { ContratDeVille, Geometry, Territory, TerritoryKind } from "./model.ts";

type TerritoryTables = {
  territory: {
    id: string;
    kind: TerritoryKind;
    code: string;
    name: string;
    population: number | null;
    departement: string | null;
    region: string | null;
    epci: string | null;
    parent: string | null;
    epci_type: string | null;
    lat: number | null;
    lon: number | null;
    postcodes: string[];
    former_codes: string[];
    former_names: string[];
    communes: string[];
  };
  territory_geometry: { id: string; geojson: string };
  contrat_ville: {
    code: string;
    departement: string;
    name: string;
    carrier: string;
    qpv_population: number | null;
  };
  territory_snapshot: { id: number; doc: string };
};

export const DATASET = "territoires";

export const territoryMigrations: Record<string, Migration> = {
  "0028_territory_qpv": {
    async up(db: Kysely<unknown>) {
      // Quartiers prioritaires are territories too (kind 'qpv', linked to their communes); the contrats de ville
      // 2015–2023 are kept beside them, loaded with the same files.
      await sql`ALTER TABLE territory DROP CONSTRAINT IF EXISTS territory_kind_check`.execute(db);
      await sql`ALTER TABLE territory ADD CONSTRAINT territory_kind_check
        CHECK (kind IN ('commune','arrondissement','epci','departement','region','qpv'))`.execute(db);
      await sql`ALTER TABLE territory ADD COLUMN communes text[] NOT NULL DEFAULT '{}'`.execute(db);
      await sql`CREATE TABLE contrat_ville (
        code text NOT NULL,
        departement text NOT NULL,
        name text NOT NULL,
        carrier text NOT NULL,
        qpv_population integer,
        PRIMARY KEY (code, departement)
      )`.execute(db);
      // The stored snapshot has no quartiers: the next start reloads the territories (new files, new hash).
      await sql`DELETE FROM territory_snapshot`.execute(db);
    },
  },
  "0007_territory_snapshot": {
    async up(db: Kysely<unknown>) {
      // The whole referential as one JSON document, written with the rows: read at every start (one value
      // instead of 36 000 rows). The territory table stays the source of truth for queries.
      await sql`CREATE TABLE territory_snapshot (id integer PRIMARY KEY CHECK (id = 1), doc text NOT NULL)`.execute(
        db,
      );
    },
  },
  "0006_territory_former_communes": {
    async up(db: Kysely<unknown>) {
      await sql`ALTER TABLE territory ADD COLUMN former_codes text[] NOT NULL DEFAULT '{}'`.execute(db);
      await sql`ALTER TABLE territory ADD COLUMN former_names text[] NOT NULL DEFAULT '{}'`.execute(db);
    },
  },
  "0002_territories": {
    async up(db: Kysely<unknown>) {
      await sql`CREATE TABLE territory (
        id text PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('commune','arrondissement','epci','departement','region')),
        code text NOT NULL,
        name text NOT NULL,
        population integer,
        departement text,
        region text,
        epci text,
        parent text,
        epci_type text,
        lat double precision,
        lon double precision,
        postcodes text[] NOT NULL DEFAULT '{}'
      )`.execute(db);
      await sql`CREATE INDEX territory_kind_idx ON territory (kind)`.execute(db);
      await sql`CREATE INDEX territory_departement_idx ON territory (departement)`.execute(db);
      await sql`CREATE TABLE territory_geometry (
        id text PRIMARY KEY REFERENCES territory (id) ON DELETE CASCADE,
        geojson text NOT NULL
      )`.execute(db);
    },
  },
};

const tables = (db: Db) => db.withTables<TerritoryTables>();

const TERRITORY_COLUMNS = [
  "id",
  "kind",
  "code",
  "name",
  "population",
  "departement",
  "region",
  "epci",
  "parent",
  "epci_type",
  "lat",
  "lon",
  "postcodes",
  "former_codes",
  "former_names",
  "communes",
];

/** Replaces every territory and boundary in one transaction, and records the dataset version. */
export function replaceTerritories(
  db: Db,
  data: TerritoryDataset,
  version: { fingerprint?: string } = {},
  onBatch?: (done: number, total: number) => void,
): Promise<void> {
  return replaceWith(true, db, data, version, onBatch);
}

/** The same by the previous path only (Kysely inserts of 1 000 and 500 rows): the reference of the fast one. */
export function replaceTerritoriesByBatches(
  db: Db,
  data: TerritoryDataset,
  version: { fingerprint?: string } = {},
): Promise<void> {
  return replaceWith(false, db, data, version);
}

/**
 * `bulk`: one COPY per table on PostgreSQL; on the embedded database, COPY of the territories and inserts by
 * batches of the boundaries (27 MB of GeoJSON: PGlite's COPY from a blob is slower there, docs/decisions.md).
 * Otherwise, and as the reference, Kysely inserts by batches.
 */
async function replaceWith(
  bulk: boolean,
  db: Db,
  data: TerritoryDataset,
  version: { fingerprint?: string },
  onBatch?: (done: number, total: number) => void,
) {
  const total = data.territories.length + data.geometries.length;
  let done = 0;
  const wrote = (rows: number) => {
    done += rows;
    onBatch?.(done, total);
  };
  await bulkTransaction(db, async (trxDb, copy) => {
    const trx = tables(trxDb);
    await trx.deleteFrom("territory_geometry").execute();
    await trx.deleteFrom("territory").execute();
    const bulkCopy = bulk ? copy : null;
    if (bulkCopy) {
      await bulkCopy("territory", TERRITORY_COLUMNS, data.territories.map(toRow));
      wrote(data.territories.length);
    } else {
      for (const batch of chunks(data.territories, 1000)) {
        await trx
          .insertInto("territory")
          .values(
            batch.map((t) => ({
              id: t.id,
              kind: t.kind,
              code: t.code,
              name: t.name,
              population: t.population,
              departement: t.departement,
              region: t.region,
              epci: t.epci,
              parent: t.parent,
              epci_type: t.epciType,
              lat: t.lat,
              lon: t.lon,
              postcodes: t.postcodes,
              former_codes: t.formerCodes,
              former_names: t.formerNames,
              communes: t.communes,
            })),
          )
          .execute();
        wrote(batch.length);
      }
    }
    if (bulkCopy && !bulkCopy.fromBlob) {
      await bulkCopy(
        "territory_geometry",
        ["id", "geojson"],
        data.geometries.map((g) => [g.id, JSON.stringify(g.geometry)]),
      );
      wrote(data.geometries.length);
    } else {
      for (const batch of chunks(data.geometries, 500)) {
        await trx
          .insertInto("territory_geometry")
          .values(batch.map((g) => ({ id: g.id, geojson: JSON.stringify(g.geometry) })))
          .execute();
        wrote(batch.length);
      }
    }
    await trx.deleteFrom("contrat_ville").execute();
    for (const batch of chunks(data.contrats, 500)) {
      await trx
        .insertInto("contrat_ville")
        .values(
          batch.map((c) => ({
            code: c.code,
            departement: c.departement,
            name: c.name,
            carrier: c.carrier,
            qpv_population: c.qpvPopulation,
          })),
        )
        .execute();
    }
    await trx.deleteFrom("territory_snapshot").execute();
    await trx
      .insertInto("territory_snapshot")
      .values({
        id: 1,
        doc: JSON.stringify(data.territories.map(toRow).sort((a, b) => (a[0] < b[0] ? -1 : 1))),
      })
      .execute();
    await recordDataset(
      trxDb,
      DATASET,
      { hash: data.hash, fingerprint: version.fingerprint },
      countByKind(data.territories),
    );
  });
}

export function countByKind(territories: readonly Territory[]): Record<TerritoryKind, number> {
  const counts: Record<TerritoryKind, number> = {
    commune: 0,
    arrondissement: 0,
    epci: 0,
    departement: 0,
    region: 0,
    qpv: 0,
  };
  for (const t of territories) counts[t.kind]++;
  return counts;
}

type Row = [
  string,
  TerritoryKind,
  string,
  string,
  number | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  number | null,
  number | null,
  string[],
  string[],
  string[],
  string[],
];

const toRow = (t: Territory): Row => [
  t.id,
  t.kind,
  t.code,
  t.name,
  t.population,
  t.departement,
  t.region,
  t.epci,
  t.parent,
  t.epciType,
  t.lat,
  t.lon,
  t.postcodes,
  t.formerCodes,
  t.formerNames,
  t.communes,
];

const fromRow = (r: Row): Territory => ({
  id: r[0],
  kind: r[1],
  code: r[2],
  name: r[3],
  population: r[4],
  departement: r[5],
  region: r[6],
  epci: r[7],
  parent: r[8],
  epciType: r[9],
  lat: r[10],
  lon: r[11],
  postcodes: r[12],
  formerCodes: r[13],
  formerNames: r[14],
  communes: r[15],
});

/**
 * Every territory, sorted by id: from the snapshot written with the last load (one value, read in a few tens of
 * milliseconds), else from the table as one JSON document.
 */
export async function listTerritories(db: Db): Promise<Territory[]> {
  const snapshot = await tables(db)
    .selectFrom("territory_snapshot")
    .select("doc")
    .where("id", "=", 1)
    .executeTakeFirst();
  if (snapshot) return (JSON.parse(snapshot.doc) as Row[]).map(fromRow);
  const result = await sql<{ doc: string | null }>`
    SELECT json_agg(json_build_array(id, kind, code, name, population, departement, region, epci, parent,
                                     epci_type, lat, lon, postcodes, former_codes, former_names, communes) ORDER BY id)::text AS doc
    FROM territory`.execute(db);
  return ((JSON.parse(result.rows[0]?.doc ?? "null") as Row[] | null) ?? []).map(fromRow);
}

/** The contrats de ville 2015–2023, by code. */
export async function listContrats(db: Db): Promise<ContratDeVille[]> {
  const rows = await tables(db)
    .selectFrom("contrat_ville")
    .selectAll()
    .orderBy("code")
    .orderBy("departement")
    .execute();
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    carrier: r.carrier,
    departement: r.departement,
    qpvPopulation: r.qpv_population,
  }));
}

export async function getGeometry(db: Db, id: string): Promise<Geometry | null> {
  const row = await tables(db)
    .selectFrom("territory_geometry")
    .select("geojson")
    .where("id", "=", id)
    .executeTakeFirst();
  return row ? (JSON.parse(row.geojson) as Geometry) : null;
}

/** Boundaries of several territories at once (those without one are absent from the map). */
export async function getGeometries(db: Db, ids: string[]): Promise<Map<string, Geometry>> {
  const out = new Map<string, Geometry>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await tables(db)
      .selectFrom("territory_geometry")
      .select(["id", "geojson"])
      .where("id", "in", ids.slice(i, i + 1000))
      .execute();
    for (const r of rows) out.set(r.id, JSON.parse(r.geojson) as Geometry);
  }
  return out;
}

export async function countGeometries(db: Db): Promise<number> {
  const row = await tables(db)
    .selectFrom("territory_geometry")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
