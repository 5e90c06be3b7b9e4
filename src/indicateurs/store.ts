/**
 * The targets of a contrat de ville: per territory (a quartier, or the rest of a commune or EPCI), indicator and
 * year, one value set by a coordinator. Setting one again replaces it; every change is journaled with the value
 * before and after, in the same transaction (undo is setting the old value back, or removing it).
 */
import { type Kysely, type Migration, sql } from "kysely";
import { type JournalBy, withJournal } from "../accounts/store.ts";
import type { Db } from "../platform/db.ts";

type Tables = {
  indicateur_objectif: {
    territory_id: string;
    indicator_id: string;
    year: number;
    value: number;
    set_by: number | null;
    set_at: Date;
  };
};

export const objectiveMigrations: Record<string, Migration> = {
  "0029_indicateur_objectif": {
    async up(db: Kysely<unknown>) {
      await sql`CREATE TABLE indicateur_objectif (
        territory_id text NOT NULL,
        indicator_id text NOT NULL,
        year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
        value double precision NOT NULL CHECK (value >= 0),
        set_by integer,
        set_at timestamptz NOT NULL,
        PRIMARY KEY (territory_id, indicator_id, year)
      )`.execute(db);
    },
  },
};

const tables = (db: Db) => db.withTables<Tables>();

export interface Objective {
  territoryId: string;
  indicatorId: string;
  year: number;
  value: number;
}

/** The targets of these territories for a year. */
export async function objectivesOf(db: Db, territoryIds: string[], year: number): Promise<Objective[]> {
  if (territoryIds.length === 0) return [];
  const rows = await tables(db)
    .selectFrom("indicateur_objectif")
    .select(["territory_id", "indicator_id", "year", "value"])
    .where("territory_id", "in", territoryIds)
    .where("year", "=", year)
    .execute();
  return rows.map((r) => ({
    territoryId: r.territory_id,
    indicatorId: r.indicator_id,
    year: r.year,
    value: r.value,
  }));
}

/**
 * Sets (or with `value` null removes) a target, journaled as `objectif.fixer` with the previous value. Returns the
 * previous value (null when there was none).
 */
export async function setObjective(
  db: Db,
  o: Omit<Objective, "value"> & { value: number | null },
  by: JournalBy,
  at: Date,
): Promise<number | null> {
  let before: number | null = null;
  await withJournal(
    db,
    () => ({
      ...by,
      at,
      action: "objectif.fixer",
      target: `objectif:${o.territoryId}:${o.indicatorId}:${o.year}`,
      territoryId: o.territoryId,
      details: { indicateur: o.indicatorId, annee: o.year, avant: before, apres: o.value },
    }),
    async (trx) => {
      const old = await tables(trx)
        .selectFrom("indicateur_objectif")
        .select("value")
        .where("territory_id", "=", o.territoryId)
        .where("indicator_id", "=", o.indicatorId)
        .where("year", "=", o.year)
        .forUpdate()
        .executeTakeFirst();
      before = old?.value ?? null;
      if (o.value === null) {
        await tables(trx)
          .deleteFrom("indicateur_objectif")
          .where("territory_id", "=", o.territoryId)
          .where("indicator_id", "=", o.indicatorId)
          .where("year", "=", o.year)
          .execute();
        return;
      }
      await tables(trx)
        .insertInto("indicateur_objectif")
        .values({
          territory_id: o.territoryId,
          indicator_id: o.indicatorId,
          year: o.year,
          value: o.value,
          set_by: by.personId,
          set_at: at,
        })
        .onConflict((c) =>
          c
            .columns(["territory_id", "indicator_id", "year"])
            .doUpdateSet({ value: o.value as number, set_by: by.personId, set_at: at }),
        )
        .execute();
    },
  );
  return before;
}
