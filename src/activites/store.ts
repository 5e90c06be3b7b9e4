/**
 * The activity reports' tables (nothing else touches them):
 * - `activite`: one report, with the organisation and person who recorded it, the Idempotency-Key it came with and
 *   the fingerprint of its content — `UNIQUE (organisation_id, idempotency_key)`: a replay never makes two rows;
 * - `orientation_reference`: the short reference a prescriber hands with an orientation sheet, and when a place
 *   recorded it in a report (« accueilli le … »): no personal data travels, only the reference.
 * A report and its journal line (and the reference it welcomes) are written in one transaction.
 */
import { type Kysely, type Migration, sql } from "kysely";
import { appendJournal, type JournalBy } from "../accounts/store.ts";
import type { Db } from "../platform/db.ts";
import { ACTIVITY_TYPES, type Activity, DURATION_BRACKETS, fingerprint, type RawCell } from "./model.ts";

export const activityMigrations: Record<string, Migration> = {
  "0027_activites": {
    async up(db: Kysely<unknown>) {
      await sql`CREATE TABLE orientation_reference (
        code text PRIMARY KEY CHECK (code ~ '^[2-9A-HJKMNP-Z]{10}$'),
        organisation_id integer NOT NULL,
        person_id integer,
        created_at timestamptz NOT NULL,
        diagnostic_id integer,
        commune_code text,
        welcomed_at timestamptz,
        welcomed_on text,
        welcomed_by integer,
        activite_id integer
      )`.execute(db);
      await sql`CREATE INDEX orientation_reference_org ON orientation_reference (organisation_id, created_at)`.execute(
        db,
      );
      await sql`CREATE TABLE beneficiaire (
        id serial PRIMARY KEY,
        organisation_id integer NOT NULL,
        given_names text NOT NULL CHECK (length(given_names) BETWEEN 1 AND 100),
        family_name text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
        birth_year integer CHECK (birth_year BETWEEN 1900 AND 2100),
        commune_code text,
        consent_on text NOT NULL CHECK (consent_on ~ '^\\d{4}-\\d{2}-\\d{2}$'),
        created_at timestamptz NOT NULL,
        last_activity_at timestamptz NOT NULL,
        merged_into integer REFERENCES beneficiaire (id)
      )`.execute(db);
      await sql`CREATE INDEX beneficiaire_org ON beneficiaire (organisation_id, family_name)`.execute(db);
      await sql`CREATE TABLE activite (
        id serial PRIMARY KEY,
        organisation_id integer NOT NULL,
        person_id integer,
        idempotency_key text NOT NULL CHECK (idempotency_key ~ '^[A-Za-z0-9_-]{8,100}$'),
        fingerprint text NOT NULL,
        created_at timestamptz NOT NULL,
        type text NOT NULL CHECK (type IN (${sql.raw(ACTIVITY_TYPES.map((t) => `'${t}'`).join(","))})),
        date text NOT NULL CHECK (date ~ '^\\d{4}-\\d{2}-\\d{2}$'),
        minutes integer NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
        lieu text,
        place_id text,
        commune_code text,
        thematiques text[] NOT NULL DEFAULT '{}',
        materiel text[] NOT NULL DEFAULT '{}',
        autonomie text,
        redirection text,
        notes text CHECK (length(notes) <= 2000),
        titre text,
        niveau text,
        participants integer NOT NULL CHECK (participants >= 0 AND participants <= 500),
        coordination text,
        tranche_age text,
        statut text,
        beneficiaire_commune text,
        diagnostic_id integer,
        orientation text REFERENCES orientation_reference (code),
        utilisation_id integer,
        cheque text,
        beneficiaire_id integer REFERENCES beneficiaire (id),
        CHECK (type <> 'collectif' OR participants >= 1),
        UNIQUE (organisation_id, idempotency_key)
      )`.execute(db);
      await sql`CREATE INDEX activite_org_date ON activite (organisation_id, date)`.execute(db);
      await sql`CREATE INDEX activite_commune_date ON activite (commune_code, date)`.execute(db);
      await sql`CREATE INDEX activite_person ON activite (person_id, created_at)`.execute(db);
    },
  },
};

type Row = Record<string, unknown>;
const rows = async <T extends Row>(db: Db, q: ReturnType<typeof sql<T>>): Promise<T[]> =>
  (await q.execute(db)).rows;

async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute((trx) => work(trx as unknown as Db));
}

export interface StoredActivity extends Activity {
  id: number;
  organisationId: number;
  personId: number | null;
  createdAt: Date;
  /** The commune the activity counts for in a territory's statistics. */
  statsCommune: string | null;
}

type ActivityRow = {
  id: number;
  organisation_id: number;
  person_id: number | null;
  created_at: Date;
  type: string;
  date: string;
  minutes: number;
  lieu: string | null;
  place_id: string | null;
  commune_code: string | null;
  thematiques: string[];
  materiel: string[];
  autonomie: string | null;
  redirection: string | null;
  notes: string | null;
  titre: string | null;
  niveau: string | null;
  participants: number;
  coordination: string | null;
  tranche_age: string | null;
  statut: string | null;
  beneficiaire_commune: string | null;
  diagnostic_id: number | null;
  orientation: string | null;
  utilisation_id: number | null;
  cheque: string | null;
  beneficiaire_id: number | null;
  fingerprint: string;
};

const toActivity = (r: ActivityRow): StoredActivity =>
  ({
    id: r.id,
    organisationId: r.organisation_id,
    personId: r.person_id,
    createdAt: new Date(r.created_at),
    statsCommune: r.commune_code,
    type: r.type,
    date: r.date,
    minutes: r.minutes,
    lieu: r.lieu,
    placeId: r.place_id,
    communeCode: r.lieu === "lieu_activite" ? null : r.commune_code,
    thematiques: r.thematiques,
    materiel: r.materiel,
    autonomie: r.autonomie,
    redirection: r.redirection,
    notes: r.notes,
    titre: r.titre,
    niveau: r.niveau,
    participants: r.participants,
    coordination: r.coordination,
    trancheAge: r.tranche_age,
    statut: r.statut,
    beneficiaireCommune: r.beneficiaire_commune,
    diagnosticId: r.diagnostic_id,
    orientation: r.orientation,
    utilisationId: r.utilisation_id,
    cheque: r.cheque,
    beneficiaireId: r.beneficiaire_id,
  }) as StoredActivity;

export type SaveResult =
  | { kind: "created"; activity: StoredActivity }
  | { kind: "replayed"; activity: StoredActivity }
  | { kind: "conflict"; activity: StoredActivity }
  | { kind: "unknown-reference" };

/**
 * Saves a report under an Idempotency-Key, once: `INSERT … ON CONFLICT DO NOTHING` on (organisation, key). The
 * same key again returns the row already there (`replayed`), or `conflict` when its content differs. A reference
 * of an orientation is welcomed in the same transaction; an unknown one writes nothing.
 * `statsCommune` is where the activity counts (its place's commune, or the commune typed).
 */
export async function saveActivity(
  db: Db,
  a: Activity,
  w: { organisationId: number; personId: number | null; key: string; statsCommune: string | null },
  by: JournalBy,
  at: Date,
): Promise<SaveResult> {
  const print = fingerprint(a);
  const existing = async (trx: Db): Promise<SaveResult> => {
    const [r] = await rows<ActivityRow>(
      trx,
      sql`SELECT * FROM activite WHERE organisation_id = ${w.organisationId} AND idempotency_key = ${w.key}`,
    );
    const activity = toActivity(r as ActivityRow);
    return { kind: r?.fingerprint === print ? "replayed" : "conflict", activity };
  };
  try {
    return await inTransaction(db, async (trx) => {
      if (a.orientation) {
        const [known] = await rows<{ code: string }>(
          trx,
          sql`SELECT code FROM orientation_reference WHERE code = ${a.orientation}`,
        );
        if (!known) return { kind: "unknown-reference" } as const;
      }
      const [r] = await rows<ActivityRow>(
        trx,
        sql`INSERT INTO activite (organisation_id, person_id, idempotency_key, fingerprint, created_at, type, date, minutes,
            lieu, place_id, commune_code, thematiques, materiel, autonomie, redirection, notes, titre, niveau,
            participants, coordination, tranche_age, statut, beneficiaire_commune, diagnostic_id, orientation,
            utilisation_id, cheque, beneficiaire_id)
          VALUES (${w.organisationId}, ${w.personId}, ${w.key}, ${print}, ${at}, ${a.type}, ${a.date}, ${a.minutes},
            ${a.lieu}, ${a.placeId}, ${w.statsCommune}, ${a.thematiques}::text[], ${a.materiel}::text[], ${a.autonomie},
            ${a.redirection}, ${a.notes}, ${a.titre}, ${a.niveau}, ${a.participants}, ${a.coordination},
            ${a.trancheAge}, ${a.statut}, ${a.beneficiaireCommune}, ${a.diagnosticId}, ${a.orientation},
            ${a.utilisationId}, ${a.cheque}, ${a.beneficiaireId})
          ON CONFLICT (organisation_id, idempotency_key) DO NOTHING
          RETURNING *`,
      );
      if (!r) return existing(trx);
      if (a.beneficiaireId !== null)
        await sql`UPDATE beneficiaire SET last_activity_at = ${at} WHERE id = ${a.beneficiaireId}`.execute(
          trx,
        );
      if (a.orientation)
        await sql`UPDATE orientation_reference SET welcomed_at = ${at}, welcomed_on = ${a.date},
            welcomed_by = ${w.organisationId}, activite_id = ${r.id}
          WHERE code = ${a.orientation} AND welcomed_at IS NULL`.execute(trx);
      await appendJournal(trx, {
        ...by,
        at,
        action: "activite.saisir",
        target: `activite:${r.id}`,
        territoryId: w.statsCommune,
        details: {
          type: a.type,
          minutes: a.minutes,
          ...(a.orientation ? { orientation: a.orientation } : {}),
        },
      });
      return { kind: "created", activity: toActivity(r) };
    });
  } catch (e) {
    // Two first submissions at once: the loser's INSERT waited and did nothing, or (PGlite, one connection) failed
    // on the unique index; either way the row is there now.
    if (/activite_organisation_id_idempotency_key_key|duplicate key/.test(String((e as Error).message)))
      return existing(db);
    throw e;
  }
}

export async function getActivity(db: Db, id: number): Promise<StoredActivity | null> {
  const [r] = await rows<ActivityRow>(db, sql`SELECT * FROM activite WHERE id = ${id}`);
  return r ? toActivity(r) : null;
}

export interface ActivityFilter {
  organisationId: number;
  personId?: number;
  type?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

/** An organisation's reports (or one person's), newest first, one page and the total. */
export async function listActivities(
  db: Db,
  f: ActivityFilter,
): Promise<{ activities: StoredActivity[]; total: number }> {
  const where = sql.join(
    [
      sql`organisation_id = ${f.organisationId}`,
      ...(f.personId !== undefined ? [sql`person_id = ${f.personId}`] : []),
      ...(f.type ? [sql`type = ${f.type}`] : []),
      ...(f.from ? [sql`date >= ${f.from}`] : []),
      ...(f.to ? [sql`date <= ${f.to}`] : []),
    ],
    sql` AND `,
  );
  const page = await rows<ActivityRow>(
    db,
    sql`SELECT * FROM activite WHERE ${where} ORDER BY date DESC, id DESC LIMIT ${f.limit} OFFSET ${f.offset}`,
  );
  const [n] = await rows<{ n: string }>(db, sql`SELECT count(*)::text AS n FROM activite WHERE ${where}`);
  return { activities: page.map(toActivity), total: Number(n?.n ?? 0) };
}

/** The last report of a person, for the choices a new one starts from. */
export async function lastActivityOf(
  db: Db,
  personId: number,
  organisationId: number,
): Promise<StoredActivity | null> {
  const [r] = await rows<ActivityRow>(
    db,
    sql`SELECT * FROM activite WHERE person_id = ${personId} AND organisation_id = ${organisationId}
      ORDER BY created_at DESC, id DESC LIMIT 1`,
  );
  return r ? toActivity(r) : null;
}

// ————————————————————————————————————————————————————————————— orientation references

export interface Reference {
  code: string;
  organisationId: number;
  createdAt: Date;
  diagnosticId: number | null;
  communeCode: string | null;
  welcomedAt: Date | null;
  welcomedOn: string | null;
  welcomedBy: number | null;
}

type ReferenceRow = {
  code: string;
  organisation_id: number;
  created_at: Date;
  diagnostic_id: number | null;
  commune_code: string | null;
  welcomed_at: Date | null;
  welcomed_on: string | null;
  welcomed_by: number | null;
};
const toReference = (r: ReferenceRow): Reference => ({
  code: r.code,
  organisationId: r.organisation_id,
  createdAt: new Date(r.created_at),
  diagnosticId: r.diagnostic_id,
  communeCode: r.commune_code,
  welcomedAt: r.welcomed_at ? new Date(r.welcomed_at) : null,
  welcomedOn: r.welcomed_on,
  welcomedBy: r.welcomed_by,
});

/** A new reference for an orientation sheet (the code is random; a collision is retried by the caller). */
export async function createReference(
  db: Db,
  r: { code: string; organisationId: number; diagnosticId: number | null; communeCode: string | null },
  by: JournalBy,
  at: Date,
): Promise<Reference> {
  return inTransaction(db, async (trx) => {
    const [row] = await rows<ReferenceRow>(
      trx,
      sql`INSERT INTO orientation_reference (code, organisation_id, person_id, created_at, diagnostic_id, commune_code)
        VALUES (${r.code}, ${r.organisationId}, ${by.personId}, ${at}, ${r.diagnosticId}, ${r.communeCode}) RETURNING *`,
    );
    await appendJournal(trx, {
      ...by,
      at,
      action: "orientation.creer",
      target: `orientation:${r.code}`,
      territoryId: r.communeCode,
      details: r.diagnosticId ? { diagnostic: r.diagnosticId } : {},
    });
    return toReference(row as ReferenceRow);
  });
}

export async function getReference(db: Db, code: string): Promise<Reference | null> {
  const [r] = await rows<ReferenceRow>(db, sql`SELECT * FROM orientation_reference WHERE code = ${code}`);
  return r ? toReference(r) : null;
}

/** A prescriber organisation's references, newest first. */
export async function referencesOf(db: Db, organisationId: number, limit: number, offset: number) {
  const page = await rows<ReferenceRow>(
    db,
    sql`SELECT * FROM orientation_reference WHERE organisation_id = ${organisationId}
      ORDER BY created_at DESC, code LIMIT ${limit} OFFSET ${offset}`,
  );
  const [n] = await rows<{ n: string; welcomed: string }>(
    db,
    sql`SELECT count(*)::text AS n, count(welcomed_at)::text AS welcomed FROM orientation_reference
      WHERE organisation_id = ${organisationId}`,
  );
  return { references: page.map(toReference), total: Number(n?.n ?? 0), welcomed: Number(n?.welcomed ?? 0) };
}

// ————————————————————————————————————————————————————————————— statistics

/** Who the statistics are about: one person, one organisation, communes (a territory), or everyone. */
export type StatsScope =
  | { kind: "personne"; personId: number; organisationId: number }
  | { kind: "organisation"; organisationId: number }
  | { kind: "communes"; communes: readonly string[] }
  | { kind: "france" };

export const STAT_DIMENSIONS = ["type", "thematique", "autonomie", "duree", "age", "lieu", "mois"] as const;
export type StatDimension = (typeof STAT_DIMENSIONS)[number];

export interface RawStats {
  /** Reports, and accompaniments (an individual report is one, a workshop counts its participants). */
  activities: RawCell;
  accompaniments: RawCell;
  by: Record<StatDimension, RawCell[]>;
  /** Orientation references handed within the scope (prescribers' organisations) and those welcomed. */
  oriented: RawCell;
  welcomed: RawCell;
}

const durationCase = sql.raw(
  `CASE ${DURATION_BRACKETS.filter((b) => Number.isFinite(b.max))
    .map((b) => `WHEN minutes < ${b.max} THEN '${b.key}'`)
    .join(" ")} ELSE '${DURATION_BRACKETS[DURATION_BRACKETS.length - 1]?.key}' END`,
);

/** The counts of a scope over a period (days, inclusive), each with its number of organisations. */
export async function rawStats(db: Db, scope: StatsScope, from: string, to: string): Promise<RawStats> {
  const where = sql.join(
    [
      sql`date >= ${from} AND date <= ${to}`,
      scope.kind === "personne"
        ? sql`person_id = ${scope.personId} AND organisation_id = ${scope.organisationId}`
        : scope.kind === "organisation"
          ? sql`organisation_id = ${scope.organisationId}`
          : scope.kind === "communes"
            ? sql`commune_code = ANY(${[...scope.communes]}::text[])`
            : sql`true`,
    ],
    sql` AND `,
  );
  type ByOrg = { k: string | null; org: number; n: string; people: string; welcomed?: string };
  /** Cells from counts by key and organisation: the total and the largest organisation's part. */
  const fold = (rs: ByOrg[], value: (r: ByOrg) => number = (r) => Number(r.n)): RawCell[] => {
    const cells = new Map<string, RawCell>();
    for (const r of rs) {
      if (r.k === null) continue;
      const c = cells.get(r.k) ?? { key: r.k, count: 0, largest: 0 };
      c.count += value(r);
      c.largest = Math.max(c.largest, value(r));
      cells.set(r.k, c);
    }
    return [...cells.values()].sort((a, b) => a.key.localeCompare(b.key));
  };
  const grouped = (expr: ReturnType<typeof sql>, from_ = sql`activite`) =>
    rows<ByOrg>(
      db,
      sql`SELECT ${expr} AS k, organisation_id AS org, count(*)::text AS n,
          coalesce(sum(CASE WHEN type = 'collectif' THEN participants WHEN type = 'individuel' THEN 1 ELSE 0 END), 0)::text AS people
        FROM ${from_} WHERE ${where} GROUP BY 1, 2`,
    );
  const totals = await grouped(sql`'tout'`);
  const by: RawStats["by"] = {
    type: fold(await grouped(sql`type`)),
    thematique: fold(await grouped(sql`t`, sql`activite, unnest(thematiques) AS t`)),
    autonomie: fold(await grouped(sql`autonomie`)),
    duree: fold(await grouped(durationCase)),
    age: fold(await grouped(sql`tranche_age`)),
    lieu: fold(await grouped(sql`lieu`)),
    mois: fold(await grouped(sql`substr(date, 1, 7)`)),
  };
  // Orientation: references handed by organisations of the scope (for communes: those of the references'
  // communes), in the period, and how many were welcomed — by organisation, for the same protection.
  const refWhere =
    scope.kind === "personne" || scope.kind === "organisation"
      ? sql`organisation_id = ${scope.organisationId}`
      : scope.kind === "communes"
        ? sql`commune_code = ANY(${[...scope.communes]}::text[])`
        : sql`true`;
  const refs = await rows<ByOrg>(
    db,
    sql`SELECT 'tout' AS k, organisation_id AS org, count(*)::text AS n, count(welcomed_at)::text AS welcomed, '0' AS people
      FROM orientation_reference WHERE ${refWhere}
        AND to_char(created_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD') BETWEEN ${from} AND ${to}
      GROUP BY 2`,
  );
  const one = (cells: RawCell[], key: string): RawCell => ({
    ...(cells[0] ?? { count: 0, largest: 0 }),
    key,
  });
  return {
    activities: one(fold(totals), "activites"),
    accompaniments: one(
      fold(totals, (r) => Number(r.people)),
      "accompagnements",
    ),
    by,
    oriented: one(fold(refs), "orientes"),
    welcomed: one(
      fold(refs, (r) => Number(r.welcomed ?? 0)),
      "accueillis",
    ),
  };
}

/** Where the indicators count: communes (null: everywhere), or the published places of a quartier. */
export type IndicatorWhere = { communes: readonly string[] | null } | { placeIds: readonly string[] };

/** Counts of one month and one organisation (accompaniments only, coordination left out), before any protection. */
export interface MonthCounts {
  month: string;
  org: number;
  individuels: number;
  ateliers: number;
  participants: number;
  autonomes: number;
}

/**
 * The indicators' counts over a period (days inclusive), with the statistics' conventions (rawStats): a report's
 * `date`, its stats commune or its place; by month and organisation, so that the dominance rule can be applied.
 * Thématiques (only `codes`): reports and people (1 for an individual report, the participants of a workshop).
 * Mediators: each (month, organisation, person) that recorded at least one report of any type.
 */
export async function indicatorCounts(
  db: Db,
  where: IndicatorWhere,
  from: string,
  to: string,
  codes: readonly string[],
): Promise<{
  counts: MonthCounts[];
  thematiques: { month: string; org: number; code: string; reports: number; people: number }[];
  mediators: { month: string; org: number; person: number }[];
}> {
  const place =
    "placeIds" in where
      ? sql`place_id = ANY(${[...where.placeIds]}::text[])`
      : where.communes
        ? sql`commune_code = ANY(${[...where.communes]}::text[])`
        : sql`true`;
  const w = sql`date >= ${from} AND date <= ${to} AND ${place}`;
  const counts = await rows<Record<keyof MonthCounts, string | number>>(
    db,
    sql`SELECT substr(date, 1, 7) AS month, organisation_id AS org,
        count(*) FILTER (WHERE type = 'individuel')::text AS individuels,
        count(*) FILTER (WHERE type = 'collectif')::text AS ateliers,
        coalesce(sum(participants) FILTER (WHERE type = 'collectif'), 0)::text AS participants,
        count(*) FILTER (WHERE type = 'individuel' AND autonomie = 'autonome')::text AS autonomes
      FROM activite WHERE ${w} AND type IN ('individuel', 'collectif') GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const thematiques = await rows<{
    month: string;
    org: number;
    code: string;
    reports: string;
    people: string;
  }>(
    db,
    sql`SELECT substr(date, 1, 7) AS month, organisation_id AS org, t AS code, count(*)::text AS reports,
        sum(CASE WHEN type = 'collectif' THEN participants ELSE 1 END)::text AS people
      FROM activite, unnest(thematiques) AS t
      WHERE ${w} AND type IN ('individuel', 'collectif') AND t = ANY(${[...codes]}::text[])
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  const mediators = await rows<{ month: string; org: number; person: number }>(
    db,
    sql`SELECT DISTINCT substr(date, 1, 7) AS month, organisation_id AS org, person_id AS person
      FROM activite WHERE ${w} AND person_id IS NOT NULL ORDER BY 1, 2, 3`,
  );
  return {
    counts: counts.map((r) => ({
      month: String(r.month),
      org: Number(r.org),
      individuels: Number(r.individuels),
      ateliers: Number(r.ateliers),
      participants: Number(r.participants),
      autonomes: Number(r.autonomes),
    })),
    thematiques: thematiques.map((r) => ({ ...r, reports: Number(r.reports), people: Number(r.people) })),
    mediators,
  };
}

// ————————————————————————————————————————————————————————————— named follow-up files

/** How long a follow-up file is kept after its last report (then `maillage privacy purge` deletes it). */
export const FOLLOW_UP_RETENTION_DAYS = 730;

export interface Beneficiary {
  id: number;
  organisationId: number;
  givenNames: string;
  familyName: string;
  birthYear: number | null;
  communeCode: string | null;
  consentOn: string;
  createdAt: Date;
  lastActivityAt: Date;
  mergedInto: number | null;
}

type BeneficiaryRow = {
  id: number;
  organisation_id: number;
  given_names: string;
  family_name: string;
  birth_year: number | null;
  commune_code: string | null;
  consent_on: string;
  created_at: Date;
  last_activity_at: Date;
  merged_into: number | null;
};
const toBeneficiary = (r: BeneficiaryRow): Beneficiary => ({
  id: r.id,
  organisationId: r.organisation_id,
  givenNames: r.given_names,
  familyName: r.family_name,
  birthYear: r.birth_year,
  communeCode: r.commune_code,
  consentOn: r.consent_on,
  createdAt: new Date(r.created_at),
  lastActivityAt: new Date(r.last_activity_at),
  mergedInto: r.merged_into,
});

/** Opens a follow-up file, with the person's consent (the day it was given); the journal keeps no name. */
export async function createBeneficiary(
  db: Db,
  b: {
    organisationId: number;
    givenNames: string;
    familyName: string;
    birthYear: number | null;
    communeCode: string | null;
    consentOn: string;
  },
  by: JournalBy,
  at: Date,
): Promise<Beneficiary> {
  return inTransaction(db, async (trx) => {
    const [r] = await rows<BeneficiaryRow>(
      trx,
      sql`INSERT INTO beneficiaire (organisation_id, given_names, family_name, birth_year, commune_code, consent_on, created_at, last_activity_at)
        VALUES (${b.organisationId}, ${b.givenNames}, ${b.familyName}, ${b.birthYear}, ${b.communeCode}, ${b.consentOn}, ${at}, ${at})
        RETURNING *`,
    );
    const created = toBeneficiary(r as BeneficiaryRow);
    await appendJournal(trx, {
      ...by,
      at,
      action: "beneficiaire.creer",
      target: `beneficiaire:${created.id}`,
    });
    return created;
  });
}

export async function getBeneficiary(db: Db, id: number): Promise<Beneficiary | null> {
  const [r] = await rows<BeneficiaryRow>(db, sql`SELECT * FROM beneficiaire WHERE id = ${id}`);
  return r ? toBeneficiary(r) : null;
}

/** An organisation's follow-up files still open (not merged into another), by name. */
export async function beneficiariesOf(db: Db, organisationId: number, q = ""): Promise<Beneficiary[]> {
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const r = await rows<BeneficiaryRow>(
    db,
    sql`SELECT * FROM beneficiaire WHERE organisation_id = ${organisationId} AND merged_into IS NULL
      AND (family_name || ' ' || given_names) ILIKE ${like} ORDER BY family_name, given_names, id LIMIT 500`,
  );
  return r.map(toBeneficiary);
}

/** A file's reports, newest first. */
export async function activitiesOfBeneficiary(db: Db, id: number): Promise<StoredActivity[]> {
  const r = await rows<ActivityRow>(
    db,
    sql`SELECT * FROM activite WHERE beneficiaire_id = ${id} ORDER BY date DESC, id DESC`,
  );
  return r.map(toActivity);
}

/**
 * Merges two files of the same person in one organisation: the reports of `merged` move to `kept`, `merged` points
 * to `kept` (and is purged with it). False when either is not an open file of the organisation, or they are one.
 */
export async function mergeBeneficiaries(
  db: Db,
  organisationId: number,
  kept: number,
  merged: number,
  by: JournalBy,
  at: Date,
): Promise<boolean> {
  if (kept === merged) return false;
  return inTransaction(db, async (trx) => {
    const both = await rows<{ id: number }>(
      trx,
      sql`SELECT id FROM beneficiaire WHERE id IN (${kept}, ${merged}) AND organisation_id = ${organisationId}
        AND merged_into IS NULL FOR UPDATE`,
    );
    if (both.length !== 2) return false;
    const moved = await rows<{ id: number }>(
      trx,
      sql`UPDATE activite SET beneficiaire_id = ${kept} WHERE beneficiaire_id = ${merged} RETURNING id`,
    );
    await sql`UPDATE beneficiaire SET merged_into = ${kept} WHERE id = ${merged}`.execute(trx);
    await sql`UPDATE beneficiaire k SET last_activity_at = greatest(k.last_activity_at, m.last_activity_at)
      FROM beneficiaire m WHERE k.id = ${kept} AND m.id = ${merged}`.execute(trx);
    await appendJournal(trx, {
      ...by,
      at,
      action: "beneficiaire.fusionner",
      target: `beneficiaire:${kept}`,
      details: { fusionne: merged, comptes_rendus: moved.length },
    });
    return true;
  });
}

/** Files whose last report is older than the retention (merged ones go with the file they were merged into). */
const staleFiles = (now: Date) => {
  const cutoff = new Date(now.getTime() - FOLLOW_UP_RETENTION_DAYS * 86_400_000);
  return sql<{ id: number }>`SELECT id FROM beneficiaire b WHERE b.last_activity_at < ${cutoff}
    AND (b.merged_into IS NULL OR EXISTS (SELECT 1 FROM beneficiaire k WHERE k.id = b.merged_into AND k.last_activity_at < ${cutoff}))`;
};

export async function purgeableBeneficiaries(db: Db, now: Date): Promise<number> {
  const [r] = await rows<{ n: string }>(db, sql`SELECT count(*)::text AS n FROM (${staleFiles(now)}) s`);
  return Number(r?.n ?? 0);
}

/** Deletes the stale files in the purge's transaction: their reports stay, anonymous (the link is cleared). */
export async function purgeBeneficiaries(db: Db, now: Date): Promise<number> {
  const ids = (await rows<{ id: number }>(db, staleFiles(now))).map((r) => r.id);
  if (ids.length === 0) return 0;
  await sql`UPDATE activite SET beneficiaire_id = NULL WHERE beneficiaire_id = ANY(${ids}::integer[])`.execute(
    db,
  );
  await sql`UPDATE beneficiaire SET merged_into = NULL WHERE merged_into = ANY(${ids}::integer[])`.execute(
    db,
  );
  await sql`DELETE FROM beneficiaire WHERE id = ANY(${ids}::integer[])`.execute(db);
  return ids.length;
}
