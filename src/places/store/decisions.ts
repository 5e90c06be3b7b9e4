/**
 * People's decisions on possible duplicates (`place_pair_decision`): a pair of records (ids of records, made of
 * the source and the producer's id, so stable across imports; the smaller id first) « fusionner » or « séparer »
 * (« garder séparés »). Every deduplication reads them (`pairDecisions`, see ../import/ingest.ts `republish`) and
 * applies them (../dedupe.ts `Deduplication.run`). Also the queue of the pairs to review of a territory, read
 * from `place_pair` (the last deduplication) and the records' communes.
 */
import { type Kysely, type Migration, sql } from "kysely";
import type { Db } from "../../platform/db.ts";
import type { PairDecision, PairScore } from "../dedupe.ts";
import type { StandardPlace } from "../model.ts";
import type { PlaceTables } from "./tables.ts";

type DecisionTables = PlaceTables & {
  place_pair_decision: {
    a: string;
    b: string;
    decision: PairDecision["decision"];
    note: string;
    decided_at: Date;
  };
};

export const decisionMigrations: Record<string, Migration> = {
  "0023_place_pair_decisions": {
    async up(db: Kysely<unknown>) {
      // No foreign key to place_record: a decision outlives the withdrawal of a record (it applies again if the
      // record comes back).
      await sql`CREATE TABLE place_pair_decision (
        a text NOT NULL,
        b text NOT NULL,
        decision text NOT NULL CHECK (decision IN ('fusionner','séparer')),
        note text NOT NULL DEFAULT '',
        decided_at timestamptz NOT NULL,
        PRIMARY KEY (a, b)
      )`.execute(db);
    },
  },
};

const tables = (db: Db | Kysely<PlaceTables>) => (db as Db).withTables<DecisionTables>();

/** The two ids of a pair in the order the table keeps them (code-unit order, as JavaScript compares). */
export const orderedPair = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);

/** Every decision, for a deduplication. */
export async function pairDecisions(db: Db | Kysely<PlaceTables>): Promise<PairDecision[]> {
  return tables(db)
    .selectFrom("place_pair_decision")
    .select(["a", "b", "decision"])
    .orderBy("a")
    .orderBy("b")
    .execute();
}

export interface StoredDecision {
  decision: PairDecision["decision"];
  note: string;
  decidedAt: Date;
}

/**
 * Records (or replaces) a decision. Call it in a transaction that also journals it and republishes the places
 * (the decision's effect is seen at once); `lockPlaces` first, so that two decisions republish one after the other.
 */
export async function decidePair(trx: Db, d: PairDecision & { note: string; at: Date }): Promise<void> {
  const [a, b] = orderedPair(d.a, d.b);
  await tables(trx)
    .insertInto("place_pair_decision")
    .values({ a, b, decision: d.decision, note: d.note, decided_at: d.at })
    .onConflict((oc) =>
      oc.columns(["a", "b"]).doUpdateSet({ decision: d.decision, note: d.note, decided_at: d.at }),
    )
    .execute();
}

/** Withdraws a decision (the right to error); true when there was one. */
export async function withdrawDecision(trx: Db, x: string, y: string): Promise<StoredDecision | null> {
  const [a, b] = orderedPair(x, y);
  const r = await tables(trx)
    .deleteFrom("place_pair_decision")
    .where("a", "=", a)
    .where("b", "=", b)
    .returningAll()
    .executeTakeFirst();
  return r ? { decision: r.decision, note: r.note, decidedAt: r.decided_at } : null;
}

/**
 * Serialises the writers of the published places within a transaction (PostgreSQL: two decisions, or a decision
 * and an import, would otherwise rebuild `place` at once); released at commit.
 */
export async function lockPlaces(trx: Db): Promise<void> {
  await sql`LOCK TABLE place IN EXCLUSIVE MODE`.execute(trx);
}

/** One side of a pair, as the queue and the side-by-side page show it. */
export interface PairSide {
  id: string;
  source: string;
  sourceId: string;
  communeCode: string | null;
  status: "active" | "withdrawn";
  /** The published place the record is part of (null when withdrawn). */
  placeId: string | null;
  standard: StandardPlace;
}

export interface ListedPair {
  a: PairSide;
  b: PairSide;
  score: number;
  /** "à vérifier", "fusion" or "distincts" (as the last deduplication left it). */
  outcome: string;
  parts: PairScore["parts"];
  decision: StoredDecision | null;
}

/** The pairs whose records touch `communes` (null: everywhere): at least one side in them. */
const touching = (communes: string[] | null) =>
  communes === null
    ? sql<boolean>`true`
    : communes.length === 0
      ? sql<boolean>`false`
      : sql<boolean>`(ra.commune_code IN (${sql.join(communes)}) OR rb.commune_code IN (${sql.join(communes)}))`;

/** Pairs « à vérifier » of the last deduplication, with at least one side in `communes` (null: everywhere). */
export async function pairsToReviewCount(db: Db, communes: string[] | null): Promise<number> {
  const r = await sql<{ n: string }>`SELECT count(*)::text AS n FROM place_pair p
    JOIN place_record ra ON ra.id = p.a JOIN place_record rb ON rb.id = p.b
    WHERE p.decision = 'à vérifier' AND ${touching(communes)}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

interface PairRow {
  pa: string;
  pb: string;
  score: number;
  outcome: string | null;
  parts: PairScore["parts"] | null;
  decision: PairDecision["decision"] | null;
  note: string | null;
  decided_at: Date | null;
}

const sideColumns = (alias: "ra" | "rb") =>
  sql.raw(
    `${alias}.id AS ${alias}_id, ${alias}.source AS ${alias}_source, ${alias}.source_id AS ${alias}_source_id,
    ${alias}.commune_code AS ${alias}_commune, ${alias}.status AS ${alias}_status, ${alias}.group_id AS ${alias}_group,
    ${alias}.standard AS ${alias}_standard`,
  );

function sideOf(row: Record<string, unknown>, alias: "ra" | "rb"): PairSide {
  const status = row[`${alias}_status`] as PairSide["status"];
  return {
    id: row[`${alias}_id`] as string,
    source: row[`${alias}_source`] as string,
    sourceId: row[`${alias}_source_id`] as string,
    communeCode: (row[`${alias}_commune`] as string | null) ?? null,
    status,
    placeId: status === "active" ? ((row[`${alias}_group`] as string | null) ?? null) : null,
    standard: row[`${alias}_standard`] as StandardPlace,
  };
}

function listed(row: PairRow & Record<string, unknown>): ListedPair {
  return {
    a: sideOf(row, "ra"),
    b: sideOf(row, "rb"),
    score: row.score,
    outcome: row.outcome ?? "hors des paires de la dernière déduplication",
    parts: row.parts ?? [],
    decision:
      row.decision && row.decided_at
        ? { decision: row.decision, note: row.note ?? "", decidedAt: new Date(row.decided_at) }
        : null,
  };
}

/** One page of the pairs to review of `communes` (null: everywhere), strongest score first. */
export async function pairsToReview(
  db: Db,
  communes: string[] | null,
  page: { limit: number; offset: number },
): Promise<{ pairs: ListedPair[]; total: number }> {
  const [rows, total] = await Promise.all([
    sql<
      PairRow & Record<string, unknown>
    >`SELECT p.a AS pa, p.b AS pb, p.score, p.decision AS outcome, p.parts,
        NULL AS decision, NULL AS note, NULL AS decided_at, ${sideColumns("ra")}, ${sideColumns("rb")}
      FROM place_pair p JOIN place_record ra ON ra.id = p.a JOIN place_record rb ON rb.id = p.b
      WHERE p.decision = 'à vérifier' AND ${touching(communes)}
      ORDER BY p.score DESC, p.a, p.b LIMIT ${page.limit} OFFSET ${page.offset}`.execute(db),
    pairsToReviewCount(db, communes),
  ]);
  return { pairs: rows.rows.map(listed), total };
}

/** One page of the decisions taken on pairs of `communes` (null: everywhere), the latest first. */
export async function decidedPairs(
  db: Db,
  communes: string[] | null,
  page: { limit: number; offset: number },
): Promise<{ pairs: ListedPair[]; total: number }> {
  const from = sql`FROM place_pair_decision d JOIN place_record ra ON ra.id = d.a JOIN place_record rb ON rb.id = d.b
    LEFT JOIN place_pair p ON (p.a = d.a AND p.b = d.b) OR (p.a = d.b AND p.b = d.a)
    WHERE ${touching(communes)}`;
  const [rows, total] = await Promise.all([
    sql<PairRow & Record<string, unknown>>`SELECT d.a AS pa, d.b AS pb, coalesce(p.score, 0) AS score,
        p.decision AS outcome, p.parts, d.decision, d.note, d.decided_at, ${sideColumns("ra")}, ${sideColumns("rb")}
      ${from} ORDER BY d.decided_at DESC, d.a, d.b LIMIT ${page.limit} OFFSET ${page.offset}`.execute(db),
    sql<{ n: string }>`SELECT count(*)::text AS n ${from}`.execute(db),
  ]);
  return { pairs: rows.rows.map(listed), total: Number(total.rows[0]?.n ?? 0) };
}

/**
 * One pair by its two record ids (either order): both records, the last deduplication's score and parts when it
 * kept the pair, the decision when there is one. Null when a record is unknown, or when the pair was neither
 * scored by the last deduplication nor decided (nothing to decide about).
 */
export async function pairOf(db: Db, x: string, y: string): Promise<ListedPair | null> {
  const [a, b] = orderedPair(x, y);
  if (a === b) return null;
  const r = await sql<PairRow & Record<string, unknown>>`SELECT ra.id AS pa, rb.id AS pb,
      coalesce(p.score, 0) AS score, p.decision AS outcome, p.parts, d.decision, d.note, d.decided_at,
      ${sideColumns("ra")}, ${sideColumns("rb")}
    FROM place_record ra JOIN place_record rb ON rb.id = ${b}
    LEFT JOIN place_pair p ON (p.a = ra.id AND p.b = rb.id) OR (p.a = rb.id AND p.b = ra.id)
    LEFT JOIN place_pair_decision d ON d.a = ra.id AND d.b = rb.id
    WHERE ra.id = ${a}`.execute(db);
  const row = r.rows[0];
  if (!row || (row.outcome === null && row.decision === null)) return null;
  return listed(row);
}
