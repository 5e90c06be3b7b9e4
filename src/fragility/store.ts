import { type Kysely, type Migration, sql } from "kysely";
import type { Db } from "../platform/db.ts";
import { INDICATORS } from "./indicators.ts";
import type {
  AggregateLevel,
  Explanation,
  ExplanationLine,
  Method,
  StoredMethod,
  TerritoryAggregate,
} from "./model.ts";

export type { StoredMethod };

type StoredLine = Omit<ExplanationLine, "label" | "unit">;

type FragilityTables = {
  fragility_method: {
    version: string;
    id: string;
    label: string;
    definition: string;
    inputs_hash: string;
    computed_at: Date;
  };
  fragility_score: {
    method_version: string;
    code: string;
    score: number | null;
    summary: string;
    lines: string;
  };
  fragility_aggregate: {
    method_version: string;
    level: AggregateLevel;
    code: string;
    score: number | null;
    share_at_least_7: number | null;
    population: number;
    scored_population: number;
    communes: number;
    scored_communes: number;
    indicators: string;
    official: number | null;
  };
};

export const fragilityMigrations: Record<string, Migration> = {
  "0004_fragility": {
    async up(db: Kysely<unknown>) {
      await sql`CREATE TABLE fragility_method (
        version text PRIMARY KEY,
        id text NOT NULL,
        label text NOT NULL,
        definition jsonb NOT NULL,
        inputs_hash text NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now()
      )`.execute(db);
      await sql`CREATE TABLE fragility_score (
        method_version text NOT NULL REFERENCES fragility_method (version) ON DELETE CASCADE,
        code text NOT NULL,
        score double precision,
        summary text NOT NULL,
        lines jsonb NOT NULL,
        PRIMARY KEY (method_version, code)
      )`.execute(db);
      await sql`CREATE TABLE fragility_aggregate (
        method_version text NOT NULL REFERENCES fragility_method (version) ON DELETE CASCADE,
        level text NOT NULL CHECK (level IN ('epci','departement','region')),
        code text NOT NULL,
        score double precision,
        share_at_least_7 double precision,
        population bigint NOT NULL,
        scored_population bigint NOT NULL,
        communes integer NOT NULL,
        scored_communes integer NOT NULL,
        indicators jsonb NOT NULL,
        official double precision,
        PRIMARY KEY (method_version, level, code)
      )`.execute(db);
    },
  },
};

const tables = (db: Db) => db.withTables<FragilityTables>();

/** A method whose results are stored. */
export interface MethodResults {
  method: Method;
  inputsHash: string;
  explanations: Explanation[];
  aggregates: TerritoryAggregate[];
  /** The official IFN 2023 per EPCI (SIREN → total), shown beside our aggregate. */
  officialEpci: Map<string, number | null>;
}

const round = (x: number | null, digits = 6) => (x === null ? null : Number(x.toFixed(digits)));

/** Stores (or replaces) the results of one method version, in one transaction. */
export async function replaceMethodResults(
  db: Db,
  r: MethodResults,
  onBatch?: (done: number) => void,
): Promise<void> {
  await tables(db)
    .transaction()
    .execute(async (trx) => {
      await trx.deleteFrom("fragility_method").where("version", "=", r.method.version).execute();
      await trx
        .insertInto("fragility_method")
        .values({
          version: r.method.version,
          id: r.method.id,
          label: r.method.label,
          definition: JSON.stringify(r.method),
          inputs_hash: r.inputsHash,
          computed_at: new Date(),
        })
        .execute();
      let done = 0;
      for (let i = 0; i < r.explanations.length; i += 1000) {
        const batch = r.explanations.slice(i, i + 1000);
        await trx
          .insertInto("fragility_score")
          .values(
            batch.map((e) => ({
              method_version: r.method.version,
              code: e.code,
              score: round(e.score),
              summary: e.summary,
              lines: JSON.stringify(
                e.lines.map(
                  ({ label: _l, unit: _u, ...line }): StoredLine => ({
                    ...line,
                    raw: round(line.raw),
                    nationalPercentile: round(line.nationalPercentile, 2),
                    departementPercentile: round(line.departementPercentile, 2),
                    normalised: round(line.normalised),
                    effectiveWeight: round(line.effectiveWeight) ?? 0,
                    contribution: round(line.contribution) ?? 0,
                  }),
                ),
              ),
            })),
          )
          .execute();
        done += batch.length;
        onBatch?.(done);
      }
      for (let i = 0; i < r.aggregates.length; i += 1000) {
        await trx
          .insertInto("fragility_aggregate")
          .values(
            r.aggregates.slice(i, i + 1000).map((a) => ({
              method_version: r.method.version,
              level: a.level,
              code: a.code,
              score: round(a.score),
              share_at_least_7: round(a.shareAtLeast7),
              population: a.population,
              scored_population: a.scoredPopulation,
              communes: a.communes,
              scored_communes: a.scoredCommunes,
              indicators: JSON.stringify(a.indicators),
              official: a.level === "epci" ? (r.officialEpci.get(a.code) ?? null) : null,
            })),
          )
          .execute();
      }
    });
}

/** Every stored method version, the most recently computed first. */
export async function listMethods(db: Db): Promise<StoredMethod[]> {
  const rows = await tables(db)
    .selectFrom("fragility_method")
    .select(["version", "id", "label", "definition", "inputs_hash", "computed_at"])
    .orderBy("computed_at", "desc")
    .execute();
  return rows.map((r) => {
    const def = (typeof r.definition === "string" ? JSON.parse(r.definition) : r.definition) as Method;
    return {
      version: r.version,
      id: r.id,
      label: r.label,
      description: def.description,
      indicators: def.indicators.map((i) => i.id),
      inputsHash: r.inputs_hash,
      computedAt: new Date(r.computed_at),
    };
  });
}

export interface StoredScore {
  code: string;
  score: number | null;
  summary: string;
  lines: ExplanationLine[];
}

const toScore = (r: { code: string; score: number | null; summary: string; lines: unknown }): StoredScore => {
  const lines = (typeof r.lines === "string" ? JSON.parse(r.lines) : r.lines) as StoredLine[];
  return {
    code: r.code,
    score: r.score,
    summary: r.summary,
    lines: lines.map((l) => ({
      ...l,
      label: INDICATORS[l.indicator]?.label ?? l.indicator,
      unit: INDICATORS[l.indicator]?.unit ?? "",
    })),
  };
};

export async function getScores(db: Db, version: string, codes: string[]): Promise<Map<string, StoredScore>> {
  if (codes.length === 0) return new Map();
  const rows = await tables(db)
    .selectFrom("fragility_score")
    .select(["code", "score", "summary", "lines"])
    .where("method_version", "=", version)
    .where("code", "in", codes)
    .execute();
  return new Map(rows.map((r) => [r.code, toScore(r)]));
}

/** Only the scores (no explanation), for maps and tables of many communes. */
export async function getScoreValues(
  db: Db,
  version: string,
  codes: string[],
): Promise<Map<string, number | null>> {
  if (codes.length === 0) return new Map();
  const rows = await tables(db)
    .selectFrom("fragility_score")
    .select(["code", "score"])
    .where("method_version", "=", version)
    .where("code", "in", codes)
    .execute();
  return new Map(rows.map((r) => [r.code, r.score]));
}

/** Every commune's and arrondissement's score for a method version. */
export async function getAllScoreValues(db: Db, version: string): Promise<Map<string, number | null>> {
  const rows = await tables(db)
    .selectFrom("fragility_score")
    .select(["code", "score"])
    .where("method_version", "=", version)
    .execute();
  return new Map(rows.map((r) => [r.code, r.score]));
}

export interface StoredAggregate extends TerritoryAggregate {
  official: number | null;
}

export async function getAggregates(
  db: Db,
  version: string,
  level: AggregateLevel,
  codes?: string[],
): Promise<Map<string, StoredAggregate>> {
  if (codes && codes.length === 0) return new Map();
  let q = tables(db)
    .selectFrom("fragility_aggregate")
    .selectAll()
    .where("method_version", "=", version)
    .where("level", "=", level);
  if (codes) q = q.where("code", "in", codes);
  const rows = await q.execute();
  return new Map(
    rows.map((r) => [
      r.code,
      {
        level: r.level,
        code: r.code,
        score: r.score,
        shareAtLeast7: r.share_at_least_7,
        population: Number(r.population),
        scoredPopulation: Number(r.scored_population),
        communes: r.communes,
        scoredCommunes: r.scored_communes,
        indicators: (typeof r.indicators === "string" ? JSON.parse(r.indicators) : r.indicators) as Record<
          string,
          number | null
        >,
        official: r.official,
      },
    ]),
  );
}

/** Number of scored communes and arrondissements stored for a method version. */
export async function countScores(db: Db, version: string): Promise<number> {
  const row = await tables(db)
    .selectFrom("fragility_score")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("method_version", "=", version)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
