/**
 * SQL of the diagnostic capability (nothing else touches its table). `diagnostic_response` holds, for each finished
 * questionnaire, only what the statistics need: the answers, the result, the commune, the day and the mode — no
 * name, no contact, no address, no time of day, no network address.
 */
import { type Generated, type Kysely, type Migration, sql } from "kysely";
import type { Db } from "../platform/db.ts";
import type { Answers, Barrier, DiagnosticResult, Level, Mode, Profile } from "./model.ts";
import type { RawCounts } from "./stats.ts";

type DiagnosticTables = {
  diagnostic_response: {
    id: Generated<number>;
    questionnaire_version: string;
    mode: Mode;
    commune_code: string;
    answered_on: string;
    answers: Answers;
    profile: Profile;
    urgent: boolean;
    level: Level;
    barriers: Barrier[];
    nonce: string | null;
  };
};

/** The columns of the table: a test checks that no other (personal) column appears. */
export const RESPONSE_COLUMNS = [
  "id",
  "questionnaire_version",
  "mode",
  "commune_code",
  "answered_on",
  "answers",
  "profile",
  "urgent",
  "level",
  "barriers",
  "nonce",
] as const;

export const diagnosticMigrations: Record<string, Migration> = {
  "0010_diagnostic": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("diagnostic_response")
        .addColumn("id", "serial", (c) => c.primaryKey())
        .addColumn("questionnaire_version", "text", (c) => c.notNull())
        .addColumn("mode", "text", (c) => c.notNull().check(sql`mode IN ('seul', 'accompagne')`))
        .addColumn("commune_code", "text", (c) => c.notNull())
        .addColumn("answered_on", "date", (c) => c.notNull())
        .addColumn("answers", "jsonb", (c) => c.notNull())
        .addColumn("profile", "text", (c) => c.notNull())
        .addColumn("urgent", "boolean", (c) => c.notNull())
        .addColumn("level", "text", (c) => c.notNull())
        .addColumn("barriers", sql`text[]`, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("diagnostic_response_commune")
        .on("diagnostic_response")
        .column("commune_code")
        .execute();
    },
  },
};

/**
 * Each questionnaire is counted once, by the database: its nonce (random, carried by the signed flow's token) is
 * unique, so that a result page opened again, in two tabs or by two servers, adds nothing.
 */
export const diagnosticOnceMigrations: Record<string, Migration> = {
  "0011_diagnostic_once": {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("diagnostic_response").addColumn("nonce", "text").execute();
      await db.schema
        .createIndex("diagnostic_response_nonce")
        .on("diagnostic_response")
        .column("nonce")
        .unique()
        .execute();
    },
  },
};

const tables = (db: Db) => db.withTables<DiagnosticTables>();

export interface NewResponse {
  mode: Mode;
  communeCode: string;
  /** The day, YYYY-MM-DD (local). */
  day: string;
  answers: Answers;
  result: DiagnosticResult;
  /** The questionnaire's nonce: a second response with the same one is not recorded. */
  nonce: string;
}

/** Records a response; false when its questionnaire was already counted. */
export async function saveResponse(db: Db, r: NewResponse): Promise<boolean> {
  const inserted = await tables(db)
    .insertInto("diagnostic_response")
    .values({
      questionnaire_version: r.result.version,
      mode: r.mode,
      commune_code: r.communeCode,
      answered_on: r.day,
      answers: JSON.stringify(r.answers) as unknown as Answers,
      profile: r.result.profile,
      urgent: r.result.urgent,
      level: r.result.level,
      barriers: r.result.barriers,
      nonce: r.nonce,
    })
    .onConflict((oc) => oc.column("nonce").doNothing())
    .returning("id")
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The number of the response recorded with this questionnaire's nonce, or null. */
export async function responseIdOf(db: Db, nonce: string): Promise<number | null> {
  const r = await tables(db)
    .selectFrom("diagnostic_response")
    .select("id")
    .where("nonce", "=", nonce)
    .executeTakeFirst();
  return r?.id ?? null;
}

/** Counts of the responses of these communes (before any suppression). */
export async function countResponses(db: Db, communeCodes: string[]): Promise<RawCounts> {
  const counts: RawCounts = {
    total: 0,
    urgent: 0,
    profiles: {},
    levels: {},
    modes: {},
    barriers: {},
    first: null,
    last: null,
  };
  if (communeCodes.length === 0) return counts;
  const inCommunes = sql`commune_code IN (${sql.join(communeCodes)})`;
  const head = await sql<{ total: string; urgent: string; first: string | null; last: string | null }>`
    SELECT count(*)::text AS total, (count(*) FILTER (WHERE urgent))::text AS urgent,
      min(answered_on)::text AS first, max(answered_on)::text AS last
    FROM diagnostic_response WHERE ${inCommunes}`.execute(db);
  const row = head.rows[0];
  counts.total = Number(row?.total ?? 0);
  counts.urgent = Number(row?.urgent ?? 0);
  counts.first = row?.first ?? null;
  counts.last = row?.last ?? null;
  const groups = await sql<{ kind: string; value: string; n: string }>`
    SELECT 'profile' AS kind, profile AS value, count(*)::text AS n FROM diagnostic_response
      WHERE ${inCommunes} GROUP BY profile
    UNION ALL
    SELECT 'level', level, count(*)::text FROM diagnostic_response WHERE ${inCommunes} GROUP BY level
    UNION ALL
    SELECT 'mode', mode, count(*)::text FROM diagnostic_response WHERE ${inCommunes} GROUP BY mode
    UNION ALL
    SELECT 'barrier', b, count(*)::text FROM diagnostic_response, unnest(barriers) AS b
      WHERE ${inCommunes} GROUP BY b`.execute(db);
  const target = {
    profile: counts.profiles,
    level: counts.levels,
    mode: counts.modes,
    barrier: counts.barriers,
  };
  for (const g of groups.rows) {
    const into = target[g.kind as keyof typeof target];
    if (into) into[g.value] = Number(g.n);
  }
  return counts;
}

/**
 * Counts by month (`AAAA-MM`) of the responses answered in a period (days inclusive) in these communes (null:
 * everywhere): total, urgent, profiles and levels, before any suppression — for the indicators. A month without
 * any response is absent.
 */
export async function countResponsesByMonth(
  db: Db,
  communeCodes: readonly string[] | null,
  from: string,
  to: string,
): Promise<Map<string, RawCounts>> {
  const out = new Map<string, RawCounts>();
  if (communeCodes?.length === 0) return out;
  const where = sql.join(
    [
      sql`answered_on >= ${from}::date AND answered_on <= ${to}::date`,
      ...(communeCodes ? [sql`commune_code = ANY(${[...communeCodes]}::text[])`] : []),
    ],
    sql` AND `,
  );
  const r = await sql<{ month: string; kind: string; value: string; n: string }>`
    SELECT to_char(answered_on, 'YYYY-MM') AS month, 'total' AS kind, '' AS value, count(*)::text AS n
      FROM diagnostic_response WHERE ${where} GROUP BY 1
    UNION ALL
    SELECT to_char(answered_on, 'YYYY-MM'), 'urgent', '', count(*)::text
      FROM diagnostic_response WHERE ${where} AND urgent GROUP BY 1
    UNION ALL
    SELECT to_char(answered_on, 'YYYY-MM'), 'profile', profile, count(*)::text
      FROM diagnostic_response WHERE ${where} GROUP BY 1, 3
    UNION ALL
    SELECT to_char(answered_on, 'YYYY-MM'), 'level', level, count(*)::text
      FROM diagnostic_response WHERE ${where} GROUP BY 1, 3`.execute(db);
  for (const g of r.rows) {
    const c = out.get(g.month) ?? {
      total: 0,
      urgent: 0,
      profiles: {},
      levels: {},
      modes: {},
      barriers: {},
      first: null,
      last: null,
    };
    const n = Number(g.n);
    if (g.kind === "total") c.total = n;
    else if (g.kind === "urgent") c.urgent = n;
    else if (g.kind === "profile") c.profiles[g.value] = n;
    else if (g.kind === "level") c.levels[g.value] = n;
    out.set(g.month, c);
  }
  return out;
}
