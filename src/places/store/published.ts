/** Published places (after deduplication): replaced as a whole by each deduplication, listed, streamed, read. */
import { sql } from "kysely";
import type { Db } from "../../platform/db.ts";
import { normalize } from "../../territories/normalize.ts";
import type { PairScore } from "../dedupe.ts";
import { withSafeLinks } from "../links.ts";
import { type PlaceFilter, searchText, sortName } from "../listing.ts";
import type { Place } from "../model.ts";
import type { StoredRecord } from "./records.ts";
import { insertJson, type PlaceDb, type PlaceTables, type PlaceTrx, placeTables } from "./tables.ts";

/** Empties the published places and the scored pairs (a deduplication is about to write them again). */
export async function clearPublished(trx: PlaceTrx): Promise<void> {
  await trx.deleteFrom("place").execute();
  await trx.deleteFrom("place_pair").execute();
}

/** Writes published places (each with the ids of the records it stands for). */
export async function insertPublished(trx: PlaceTrx, places: { place: Place; members: string[] }[]) {
  const rows = places.map(({ place: p, members }) => ({
    id: p.id,
    nom: p.standard.nom,
    nom_sort: sortName(p.standard),
    search: searchText(p.standard),
    commune_code: p.communeCode,
    lat: p.location?.lat ?? null,
    lon: p.location?.lon ?? null,
    approximate: p.flags.approximateCoordinates,
    unparsed_hours: p.flags.unparsedHours,
    services: p.standard.services,
    standard: p.standard,
    provenance: p.provenance,
    members,
  }));
  await insertJson(trx, "place", PLACE_COLUMNS, rows);
}

/** Sets the published place of records, writing only the records whose group changed. */
export async function setGroups(trx: PlaceTrx, ids: string[], groups: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`UPDATE place_record SET group_id = x.g
            FROM unnest(${ids}::text[], ${groups}::text[]) AS x(id, g)
            WHERE place_record.id = x.id AND place_record.group_id IS DISTINCT FROM x.g`.execute(trx);
}

/** Writes scored pairs (merged or to review). */
export async function insertPairs(trx: PlaceTrx, pairs: PairScore[]): Promise<void> {
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
    // A link stored before links were checked is never handed out (links.ts).
    standard: withSafeLinks(r.standard),
    communeCode: r.commune_code,
    communeMatch: null,
    location: r.lat !== null && r.lon !== null ? { lat: r.lat, lon: r.lon } : null,
    flags: { approximateCoordinates: r.approximate, unparsedHours: r.unparsed_hours },
    provenance: r.provenance,
  };
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

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A published place with its records, or the id of the place a record was merged into. */
export async function getPlace(
  db: Db,
  id: string,
): Promise<{ place: PublishedRow; records: StoredRecord[] } | { mergedInto: string } | null> {
  // PostgreSQL text holds no NUL byte and no lone surrogate: such an id is no place (and must not reach the query).
  if (id.includes("\u0000") || LONE_SURROGATE.test(id)) return null;
  const t = placeTables(db);
  const place = await t.selectFrom("place").selectAll().where("id", "=", id).executeTakeFirst();
  if (!place) {
    // A withdrawn record keeps its last group: it is no place (and must not redirect to itself).
    const r = await t
      .selectFrom("place_record")
      .select(["group_id", "status"])
      .where("id", "=", id)
      .executeTakeFirst();
    return r?.group_id && r.status === "active" && r.group_id !== id ? { mergedInto: r.group_id } : null;
  }
  const records = await t
    .selectFrom("place_record")
    .selectAll()
    .where("id", "in", place.members)
    .orderBy("source")
    .execute();
  return { place, records };
}

/** Rewrites one published place after a manual edit (same id, same members). */
export async function updatePublished(db: Db, p: Place): Promise<void> {
  await placeTables(db)
    .updateTable("place")
    .set({
      nom: p.standard.nom,
      nom_sort: sortName(p.standard),
      search: searchText(p.standard),
      commune_code: p.communeCode,
      lat: p.location?.lat ?? null,
      lon: p.location?.lon ?? null,
      approximate: p.flags.approximateCoordinates,
      unparsed_hours: p.flags.unparsedHours,
      services: sql`${p.standard.services}::text[]`,
      standard: JSON.stringify(p.standard) as unknown as Place["standard"],
    })
    .where("id", "=", p.id)
    .execute();
}
