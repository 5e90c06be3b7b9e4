/**
 * The mandates' tables (nothing else touches them):
 * - `mandat_organisation`: the families of démarches an organisation chose to cover (all ten until it chooses);
 * - `aidant_habilitation`: who a coordinator habilitated in which organisation, trained when, under which charter;
 * - `mandat`: the mandate between a person and an organisation, its identity as attested, its hash and its code;
 * - `mandat_autorisation`: one row per family of a mandate, ended by a revocation, a newer mandate or a transfer;
 *   at most one running authorisation per person, organisation and family (a partial unique index);
 * - `mandat_revocation`: each revocation (printable), `mandat_utilisation`: each use, `mandat_demande`: the
 *   revocations a person asked for.
 * Every change is one transaction with its journal line. A use is one conditional INSERT that re-checks the
 * authorisation and the aidant's habilitation in the database, so a revocation or an aidant leaving wins at once.
 */
import { type Kysely, type Migration, sql } from "kysely";
import { appendJournal, type JournalBy } from "../accounts/store.ts";
import type { Db } from "../platform/db.ts";
import {
  DEMARCHES,
  type Demarche,
  DOCUMENT_KINDS,
  type DocumentKind,
  DURATIONS,
  type Duration,
  END_REASONS,
  type EndReason,
  expiryOf,
  hashOf,
  type Mandant,
  personKey,
  REMINDED_DURATIONS,
  RETENTION_YEARS,
} from "./model.ts";

const list = (xs: readonly (string | number)[]) => xs.map((x) => `'${x}'`).join(",");

export const mandatMigrations: Record<string, Migration> = {
  "0026_mandats": {
    async up(db: Kysely<unknown>) {
      await sql`CREATE TABLE mandat_organisation (
        organisation_id integer PRIMARY KEY,
        demarches text[] NOT NULL CHECK (demarches <@ ARRAY[${sql.raw(list(DEMARCHES))}]::text[]),
        updated_at timestamptz NOT NULL
      )`.execute(db);
      await sql`CREATE TABLE aidant_habilitation (
        id serial PRIMARY KEY,
        person_id integer NOT NULL,
        organisation_id integer NOT NULL,
        trained_on text NOT NULL CHECK (trained_on ~ '^\\d{4}-\\d{2}-\\d{2}$'),
        charter text NOT NULL,
        habilitated_at timestamptz NOT NULL,
        habilitated_by integer,
        withdrawn_at timestamptz,
        withdrawn_by integer
      )`.execute(db);
      await sql`CREATE UNIQUE INDEX aidant_habilitation_once ON aidant_habilitation (person_id, organisation_id)
        WHERE withdrawn_at IS NULL`.execute(db);
      await sql`CREATE TABLE mandat (
        id serial PRIMARY KEY,
        organisation_id integer NOT NULL,
        territory_id text NOT NULL,
        zone text NOT NULL,
        aidant_id integer,
        template text NOT NULL,
        duration integer NOT NULL CHECK (duration IN (${sql.raw(list(DURATIONS))})),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL CHECK (expires_at > created_at),
        given_names text NOT NULL CHECK (length(given_names) BETWEEN 1 AND 100),
        family_name text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
        birth_date text NOT NULL CHECK (birth_date ~ '^\\d{4}-\\d{2}-\\d{2}$'),
        birth_place text NOT NULL CHECK (length(birth_place) BETWEEN 1 AND 100),
        document text NOT NULL CHECK (document IN (${sql.raw(list(DOCUMENT_KINDS))})),
        contact text CHECK (length(contact) <= 200),
        salt text NOT NULL,
        hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
        person_key text NOT NULL,
        code text NOT NULL UNIQUE,
        renews_id integer REFERENCES mandat (id),
        transferred_from integer REFERENCES mandat (id)
      )`.execute(db);
      await sql`CREATE INDEX mandat_organisation_idx ON mandat (organisation_id, created_at)`.execute(db);
      await sql`CREATE INDEX mandat_person_idx ON mandat (person_key)`.execute(db);
      await sql`CREATE TABLE mandat_revocation (
        id serial PRIMARY KEY,
        mandat_id integer NOT NULL REFERENCES mandat (id),
        at timestamptz NOT NULL,
        by_person integer,
        reason text NOT NULL CHECK (reason IN ('revocation', 'remplacement', 'transfert')),
        demarches text[] NOT NULL CHECK (cardinality(demarches) > 0),
        replaced_by integer REFERENCES mandat (id)
      )`.execute(db);
      await sql`CREATE TABLE mandat_autorisation (
        mandat_id integer NOT NULL REFERENCES mandat (id),
        demarche text NOT NULL CHECK (demarche IN (${sql.raw(list(DEMARCHES))})),
        organisation_id integer NOT NULL,
        person_key text NOT NULL,
        end_reason text CHECK (end_reason IN (${sql.raw(list(END_REASONS))})),
        ended_at timestamptz,
        revocation_id integer REFERENCES mandat_revocation (id),
        PRIMARY KEY (mandat_id, demarche),
        CHECK ((end_reason IS NULL) = (ended_at IS NULL))
      )`.execute(db);
      // One running authorisation per person, organisation and family: a newer mandate ends the older one first.
      await sql`CREATE UNIQUE INDEX mandat_autorisation_running ON mandat_autorisation (organisation_id, person_key, demarche)
        WHERE end_reason IS NULL`.execute(db);
      await sql`CREATE TABLE mandat_utilisation (
        id bigserial PRIMARY KEY,
        mandat_id integer NOT NULL REFERENCES mandat (id),
        demarche text NOT NULL,
        description text NOT NULL CHECK (length(description) BETWEEN 1 AND 1000),
        done_on text NOT NULL CHECK (done_on ~ '^\\d{4}-\\d{2}-\\d{2}$'),
        recorded_at timestamptz NOT NULL,
        aidant_id integer NOT NULL,
        FOREIGN KEY (mandat_id, demarche) REFERENCES mandat_autorisation (mandat_id, demarche)
      )`.execute(db);
      await sql`CREATE INDEX mandat_utilisation_mandat ON mandat_utilisation (mandat_id)`.execute(db);
      await sql`CREATE TABLE mandat_demande (
        id serial PRIMARY KEY,
        mandat_id integer NOT NULL REFERENCES mandat (id),
        demarches text[] NOT NULL CHECK (cardinality(demarches) > 0),
        message text CHECK (length(message) <= 1000),
        asked_at timestamptz NOT NULL,
        handled_at timestamptz,
        handled_by integer,
        revocation_id integer REFERENCES mandat_revocation (id)
      )`.execute(db);
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

// ————————————————————————————————————————————————————————————— organisations and aidants

/** The families an organisation covers (all ten until it chose). */
export async function familiesOf(db: Db, organisationId: number): Promise<Demarche[]> {
  const [r] = await rows<{ demarches: string[] }>(
    db,
    sql`SELECT demarches FROM mandat_organisation WHERE organisation_id = ${organisationId}`,
  );
  return r ? DEMARCHES.filter((d) => r.demarches.includes(d)) : [...DEMARCHES];
}

export async function setFamilies(
  db: Db,
  organisationId: number,
  demarches: readonly Demarche[],
  by: JournalBy,
  at: Date,
  territoryId: string,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await sql`INSERT INTO mandat_organisation (organisation_id, demarches, updated_at)
      VALUES (${organisationId}, ${[...demarches]}::text[], ${at})
      ON CONFLICT (organisation_id) DO UPDATE SET demarches = excluded.demarches, updated_at = excluded.updated_at`.execute(
      trx,
    );
    await appendJournal(trx, {
      ...by,
      at,
      action: "mandat.demarches-organisation",
      target: `organisation:${organisationId}`,
      territoryId,
      details: { demarches },
    });
  });
}

export interface Habilitation {
  id: number;
  personId: number;
  organisationId: number;
  trainedOn: string;
  charter: string;
  habilitatedAt: Date;
  withdrawnAt: Date | null;
}

const toHabilitation = (r: {
  id: number;
  person_id: number;
  organisation_id: number;
  trained_on: string;
  charter: string;
  habilitated_at: Date;
  withdrawn_at: Date | null;
}): Habilitation => ({
  id: r.id,
  personId: r.person_id,
  organisationId: r.organisation_id,
  trainedOn: r.trained_on,
  charter: r.charter,
  habilitatedAt: new Date(r.habilitated_at),
  withdrawnAt: r.withdrawn_at ? new Date(r.withdrawn_at) : null,
});

/** The habilitations of an organisation, the running ones first, then the withdrawn (newest first). */
export async function habilitationsOf(db: Db, organisationId: number): Promise<Habilitation[]> {
  const r = await rows<Parameters<typeof toHabilitation>[0]>(
    db,
    sql`SELECT id, person_id, organisation_id, trained_on, charter, habilitated_at, withdrawn_at
      FROM aidant_habilitation WHERE organisation_id = ${organisationId}
      ORDER BY withdrawn_at IS NOT NULL, habilitated_at DESC, id DESC`,
  );
  return r.map(toHabilitation);
}

/**
 * Habilitates a person of an organisation as aidant: the habilitation, and the `aidant` membership when they do not
 * have it yet (journaled by accounts), in one transaction. False when they are already habilitated there.
 */
export async function habilitate(
  db: Db,
  h: { personId: number; organisationId: number; trainedOn: string; charter: string; territoryId: string },
  by: JournalBy,
  at: Date,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const [done] = await rows<{ id: number }>(
      trx,
      sql`INSERT INTO aidant_habilitation (person_id, organisation_id, trained_on, charter, habilitated_at, habilitated_by)
        SELECT ${h.personId}, ${h.organisationId}, ${h.trainedOn}, ${h.charter}, ${at}, ${by.personId}
        WHERE EXISTS (SELECT 1 FROM membership WHERE person_id = ${h.personId} AND organisation_id = ${h.organisationId})
        ON CONFLICT (person_id, organisation_id) WHERE withdrawn_at IS NULL DO NOTHING
        RETURNING id`,
    );
    if (!done) return false;
    const [role] = await rows<{ id: number }>(
      trx,
      sql`INSERT INTO membership (person_id, organisation_id, role, territory_id)
        SELECT ${h.personId}, id, 'aidant', territory_id FROM organisation WHERE id = ${h.organisationId}
        ON CONFLICT (person_id, organisation_id, role) DO NOTHING RETURNING id`,
    );
    await appendJournal(trx, {
      ...by,
      at,
      action: "aidant.habiliter",
      target: `personne:${h.personId}`,
      territoryId: h.territoryId,
      details: {
        organisation: h.organisationId,
        formation: h.trainedOn,
        charte: h.charter,
        role_ajoute: !!role,
      },
    });
    return true;
  });
}

/** Withdraws a running habilitation: the person can no longer create or use mandates, at once. */
export async function withdrawHabilitation(
  db: Db,
  id: number,
  by: JournalBy,
  at: Date,
  territoryId: string,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const [done] = await rows<{ person_id: number; organisation_id: number }>(
      trx,
      sql`UPDATE aidant_habilitation SET withdrawn_at = ${at}, withdrawn_by = ${by.personId}
        WHERE id = ${id} AND withdrawn_at IS NULL RETURNING person_id, organisation_id`,
    );
    if (!done) return false;
    await appendJournal(trx, {
      ...by,
      at,
      action: "aidant.retirer-habilitation",
      target: `personne:${done.person_id}`,
      territoryId,
      details: { organisation: done.organisation_id },
    });
    return true;
  });
}

/** SQL: is this person, now, an habilitated aidant of this organisation with a second factor? */
const standingSql = (personId: number | null, organisationId: number) =>
  sql<boolean>`EXISTS (SELECT 1 FROM person p
    JOIN membership ms ON ms.person_id = p.id AND ms.organisation_id = ${organisationId} AND ms.role = 'aidant'
    JOIN aidant_habilitation h ON h.person_id = p.id AND h.organisation_id = ${organisationId} AND h.withdrawn_at IS NULL
    WHERE p.id = ${personId} AND p.active AND p.totp_secret IS NOT NULL)`;

/** Whether a person is habilitated in an organisation (an aidant membership and a running habilitation), and has 2FA. */
export async function standingOf(
  db: Db,
  personId: number,
  organisationId: number,
): Promise<{ habilitated: boolean; hasSecondFactor: boolean }> {
  const [r] = await rows<{ habilitated: boolean; second: boolean }>(
    db,
    sql`SELECT
      EXISTS (SELECT 1 FROM person p
        JOIN membership ms ON ms.person_id = p.id AND ms.organisation_id = ${organisationId} AND ms.role = 'aidant'
        JOIN aidant_habilitation h ON h.person_id = p.id AND h.organisation_id = ${organisationId} AND h.withdrawn_at IS NULL
        WHERE p.id = ${personId} AND p.active) AS habilitated,
      EXISTS (SELECT 1 FROM person WHERE id = ${personId} AND totp_secret IS NOT NULL) AS second`,
  );
  return { habilitated: !!r?.habilitated, hasSecondFactor: !!r?.second };
}

// ————————————————————————————————————————————————————————————— mandates

interface Family {
  demarche: Demarche;
  endReason: EndReason | null;
  endedAt: Date | null;
  revocationId: number | null;
}

export interface Mandat {
  id: number;
  organisationId: number;
  territoryId: string;
  zone: string;
  /** Null for a mandate transferred here, until it is signed. */
  aidantId: number | null;
  template: string;
  duration: Duration;
  createdAt: Date;
  expiresAt: Date;
  mandant: Mandant;
  salt: string;
  hash: string;
  code: string;
  renewsId: number | null;
  transferredFrom: number | null;
  families: Family[];
}

type MandatRow = {
  id: number;
  organisation_id: number;
  territory_id: string;
  zone: string;
  aidant_id: number | null;
  template: string;
  duration: number;
  created_at: Date;
  expires_at: Date;
  given_names: string;
  family_name: string;
  birth_date: string;
  birth_place: string;
  document: string;
  contact: string | null;
  salt: string;
  hash: string;
  code: string;
  renews_id: number | null;
  transferred_from: number | null;
  families: {
    demarche: string;
    end_reason: string | null;
    ended_at: string | null;
    revocation_id: number | null;
  }[];
};

const toMandat = (r: MandatRow): Mandat => ({
  id: r.id,
  organisationId: r.organisation_id,
  territoryId: r.territory_id,
  zone: r.zone,
  aidantId: r.aidant_id,
  template: r.template,
  duration: r.duration as Duration,
  createdAt: new Date(r.created_at),
  expiresAt: new Date(r.expires_at),
  mandant: {
    givenNames: r.given_names,
    familyName: r.family_name,
    birthDate: r.birth_date,
    birthPlace: r.birth_place,
    document: r.document as DocumentKind,
    contact: r.contact,
  },
  salt: r.salt,
  hash: r.hash,
  code: r.code,
  renewsId: r.renews_id,
  transferredFrom: r.transferred_from,
  families: (typeof r.families === "string" ? (JSON.parse(r.families) as MandatRow["families"]) : r.families)
    .map((f) => ({
      demarche: f.demarche as Demarche,
      endReason: f.end_reason as EndReason | null,
      endedAt: f.ended_at ? new Date(f.ended_at) : null,
      revocationId: f.revocation_id,
    }))
    .sort((a, b) => DEMARCHES.indexOf(a.demarche) - DEMARCHES.indexOf(b.demarche)),
});

const SELECT_MANDAT = sql`SELECT m.*, (SELECT coalesce(json_agg(json_build_object('demarche', a.demarche,
    'end_reason', a.end_reason, 'ended_at', a.ended_at, 'revocation_id', a.revocation_id)), '[]'::json)
    FROM mandat_autorisation a WHERE a.mandat_id = m.id) AS families FROM mandat m`;

export async function getMandat(db: Db, id: number): Promise<Mandat | null> {
  const [r] = await rows<MandatRow>(db, sql`${SELECT_MANDAT} WHERE m.id = ${id}`);
  return r ? toMandat(r) : null;
}

export async function mandatByHash(db: Db, hash: string): Promise<Mandat | null> {
  const [r] = await rows<MandatRow>(db, sql`${SELECT_MANDAT} WHERE m.hash = ${hash}`);
  return r ? toMandat(r) : null;
}

export async function mandatByCode(db: Db, code: string): Promise<Mandat | null> {
  const [r] = await rows<MandatRow>(db, sql`${SELECT_MANDAT} WHERE m.code = ${code}`);
  return r ? toMandat(r) : null;
}

/** Every mandate of the same person (all organisations), newest first. */
export async function mandatsOfPerson(db: Db, key: string): Promise<Mandat[]> {
  const r = await rows<MandatRow>(
    db,
    sql`${SELECT_MANDAT} WHERE m.person_key = ${key} ORDER BY m.created_at DESC`,
  );
  return r.map(toMandat);
}

export interface MandatFilter {
  organisationId: number;
  /** Part of the person's name. */
  q?: string;
  /** Only mandates with a running family at `now`. */
  running?: { now: Date };
  limit: number;
  offset: number;
}

/** An organisation's mandates, newest first, one page and the total. */
export async function listMandats(db: Db, f: MandatFilter): Promise<{ mandats: Mandat[]; total: number }> {
  const where = sql.join(
    [
      sql`m.organisation_id = ${f.organisationId}`,
      ...(f.q
        ? [
            sql`(m.family_name || ' ' || m.given_names) ILIKE ${`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`,
          ]
        : []),
      ...(f.running
        ? [
            sql`m.expires_at > ${f.running.now} AND EXISTS (SELECT 1 FROM mandat_autorisation a
              WHERE a.mandat_id = m.id AND a.end_reason IS NULL)`,
          ]
        : []),
    ],
    sql` AND `,
  );
  const page = await rows<MandatRow>(
    db,
    sql`${SELECT_MANDAT} WHERE ${where} ORDER BY m.created_at DESC, m.id DESC LIMIT ${f.limit} OFFSET ${f.offset}`,
  );
  const [n] = await rows<{ n: string }>(db, sql`SELECT count(*)::text AS n FROM mandat m WHERE ${where}`);
  return { mandats: page.map(toMandat), total: Number(n?.n ?? 0) };
}

/** The organisation's 6- and 12-month mandates still running that end within `days` days of `now`. */
export async function endingSoon(db: Db, organisationId: number, now: Date, days: number): Promise<Mandat[]> {
  const until = new Date(now.getTime() + days * 86_400_000);
  const r = await rows<MandatRow>(
    db,
    sql`${SELECT_MANDAT} WHERE m.organisation_id = ${organisationId} AND m.duration = ANY(${[...REMINDED_DURATIONS]}::integer[])
      AND m.expires_at > ${now} AND m.expires_at <= ${until}
      AND EXISTS (SELECT 1 FROM mandat_autorisation a WHERE a.mandat_id = m.id AND a.end_reason IS NULL)
      ORDER BY m.expires_at`,
  );
  return r.map(toMandat);
}

export interface NewMandat {
  organisationId: number;
  territoryId: string;
  zone: string;
  template: string;
  demarches: Demarche[];
  duration: Duration;
  mandant: Mandant;
  salt: string;
  code: string;
  /** Renewal: the mandate this one renews (journaled as `mandat.renouveler`). */
  renewsId?: number;
  /** Transfer: the mandate of another organisation this one comes from (the expiry is kept). */
  transferredFrom?: number;
  /** A transfer keeps the end of the mandate it comes from. */
  expiresAt?: Date;
}

export type CreateResult =
  | { ok: true; mandat: Mandat; replaced: number[] }
  | { ok: false; why: "non-habilite" };

/**
 * Writes a mandate and its families in the caller's transaction. The person's older authorisations for the same
 * families in this organisation are closed first — the expired ones as expired, the running ones replaced by this
 * mandate (one revocation row per older mandate, printable like any other) — and so are those of the mandate it
 * renews, even if the person's names were typed another way. Returns the mandate and the mandates it replaced.
 */
async function writeMandat(
  trx: Db,
  n: NewMandat,
  aidantId: number | null,
  by: JournalBy,
  at: Date,
): Promise<{ mandat: Mandat; replaced: number[] }> {
  const expiresAt = n.expiresAt ?? expiryOf(at, n.duration, n.zone);
  const hash = hashOf({
    template: n.template,
    organisationId: n.organisationId,
    aidantId,
    demarches: n.demarches,
    duration: n.duration,
    createdAt: at,
    expiresAt,
    mandant: n.mandant,
    salt: n.salt,
  });
  const key = personKey(n.mandant);
  const [m] = await rows<{ id: number }>(
    trx,
    sql`INSERT INTO mandat (organisation_id, territory_id, zone, aidant_id, template, duration, created_at, expires_at,
        given_names, family_name, birth_date, birth_place, document, contact, salt, hash, person_key, code, renews_id,
        transferred_from)
      VALUES (${n.organisationId}, ${n.territoryId}, ${n.zone}, ${aidantId}, ${n.template}, ${n.duration}, ${at},
        ${expiresAt}, ${n.mandant.givenNames}, ${n.mandant.familyName}, ${n.mandant.birthDate},
        ${n.mandant.birthPlace}, ${n.mandant.document}, ${n.mandant.contact}, ${n.salt}, ${hash}, ${key}, ${n.code},
        ${n.renewsId ?? null}, ${n.transferredFrom ?? null})
      RETURNING id`,
  );
  const id = (m as { id: number }).id;
  const same = sql`a.organisation_id = ${n.organisationId} AND a.demarche = ANY(${n.demarches}::text[])
    AND a.end_reason IS NULL AND (a.person_key = ${key} OR a.mandat_id = ${n.renewsId ?? -1})`;
  await sql`UPDATE mandat_autorisation a SET end_reason = 'expiration', ended_at = m.expires_at
    FROM mandat m WHERE m.id = a.mandat_id AND ${same} AND m.expires_at <= ${at}`.execute(trx);
  const older = await rows<{ mandat_id: number; demarches: string[] }>(
    trx,
    sql`SELECT a.mandat_id, array_agg(a.demarche ORDER BY a.demarche) AS demarches FROM mandat_autorisation a
      WHERE ${same} GROUP BY a.mandat_id ORDER BY a.mandat_id`,
  );
  for (const o of older) {
    const [rev] = await rows<{ id: number }>(
      trx,
      sql`INSERT INTO mandat_revocation (mandat_id, at, by_person, reason, demarches, replaced_by)
        VALUES (${o.mandat_id}, ${at}, ${by.personId}, 'remplacement', ${o.demarches}::text[], ${id}) RETURNING id`,
    );
    await sql`UPDATE mandat_autorisation SET end_reason = 'remplacement', ended_at = ${at},
        revocation_id = ${(rev as { id: number }).id}
      WHERE mandat_id = ${o.mandat_id} AND demarche = ANY(${o.demarches}::text[]) AND end_reason IS NULL`.execute(
      trx,
    );
  }
  await sql`INSERT INTO mandat_autorisation (mandat_id, demarche, organisation_id, person_key)
    SELECT ${id}, d, ${n.organisationId}, ${key} FROM unnest(${n.demarches}::text[]) AS d`.execute(trx);
  return { mandat: (await getMandat(trx, id)) as Mandat, replaced: older.map((o) => o.mandat_id) };
}

/**
 * Creates a mandate in one transaction: checks in the database that the aidant is habilitated (with a second
 * factor), writes the mandate (closing the older authorisations it replaces) and the journal line.
 */
export async function createMandat(
  db: Db,
  n: NewMandat,
  aidantId: number,
  by: JournalBy,
  at: Date,
): Promise<CreateResult> {
  return inTransaction(db, async (trx) => {
    const [ok] = await rows<{ ok: boolean }>(
      trx,
      sql`SELECT ${standingSql(aidantId, n.organisationId)} AS ok`,
    );
    if (!ok?.ok) return { ok: false, why: "non-habilite" };
    const { mandat, replaced } = await writeMandat(trx, n, aidantId, by, at);
    await appendJournal(trx, {
      ...by,
      at,
      action: n.renewsId ? "mandat.renouveler" : "mandat.creer",
      target: `mandat:${mandat.id}`,
      territoryId: n.territoryId,
      details: {
        demarches: n.demarches,
        duree: n.duration,
        gabarit: n.template,
        ...(n.renewsId ? { renouvelle: n.renewsId } : {}),
        ...(replaced.length ? { remplace: replaced } : {}),
      },
    });
    return { ok: true, mandat, replaced };
  });
}

export interface Revocation {
  id: number;
  mandatId: number;
  at: Date;
  byPerson: number | null;
  reason: "revocation" | "remplacement" | "transfert";
  demarches: Demarche[];
  replacedBy: number | null;
}

const toRevocation = (r: {
  id: number;
  mandat_id: number;
  at: Date;
  by_person: number | null;
  reason: Revocation["reason"];
  demarches: string[];
  replaced_by: number | null;
}): Revocation => ({
  id: r.id,
  mandatId: r.mandat_id,
  at: new Date(r.at),
  byPerson: r.by_person,
  reason: r.reason,
  demarches: DEMARCHES.filter((d) => r.demarches.includes(d)),
  replacedBy: r.replaced_by,
});

export async function revocationsOf(db: Db, mandatId: number): Promise<Revocation[]> {
  const r = await rows<Parameters<typeof toRevocation>[0]>(
    db,
    sql`SELECT * FROM mandat_revocation WHERE mandat_id = ${mandatId} ORDER BY at, id`,
  );
  return r.map(toRevocation);
}

/**
 * Revokes the running families `demarches` of a mandate (those not running are left as they are): one revocation
 * row, the families ended, a person's request marked handled when given, the journal line. Null when none of them
 * was running (nothing written).
 */
export async function revoke(
  db: Db,
  mandat: Pick<Mandat, "id" | "territoryId">,
  demarches: readonly Demarche[],
  by: JournalBy,
  at: Date,
  opts: { reason?: "revocation" | "transfert"; requestId?: number; journal?: boolean } = {},
): Promise<Revocation | null> {
  return inTransaction(db, async (trx) => {
    const running = await rows<{ demarche: string }>(
      trx,
      sql`SELECT a.demarche FROM mandat_autorisation a JOIN mandat m ON m.id = a.mandat_id
        WHERE a.mandat_id = ${mandat.id} AND a.demarche = ANY(${[...demarches]}::text[]) AND a.end_reason IS NULL
          AND m.expires_at > ${at}
        FOR UPDATE OF a`,
    );
    if (running.length === 0) return null;
    const ds = DEMARCHES.filter((d) => running.some((r) => r.demarche === d));
    const [rev] = await rows<Parameters<typeof toRevocation>[0]>(
      trx,
      sql`INSERT INTO mandat_revocation (mandat_id, at, by_person, reason, demarches)
        VALUES (${mandat.id}, ${at}, ${by.personId}, ${opts.reason ?? "revocation"}, ${ds}::text[]) RETURNING *`,
    );
    const r = toRevocation(rev as Parameters<typeof toRevocation>[0]);
    await sql`UPDATE mandat_autorisation SET end_reason = ${opts.reason ?? "revocation"}, ended_at = ${at},
        revocation_id = ${r.id}
      WHERE mandat_id = ${mandat.id} AND demarche = ANY(${ds}::text[]) AND end_reason IS NULL`.execute(trx);
    const handled =
      opts.requestId === undefined
        ? []
        : await rows<{ id: number }>(
            trx,
            sql`UPDATE mandat_demande SET handled_at = ${at}, handled_by = ${by.personId}, revocation_id = ${r.id}
              WHERE id = ${opts.requestId} AND mandat_id = ${mandat.id} AND handled_at IS NULL RETURNING id`,
          );
    if (opts.journal !== false)
      await appendJournal(trx, {
        ...by,
        at,
        action: "mandat.revoquer",
        target: `mandat:${mandat.id}`,
        territoryId: mandat.territoryId,
        details: { demarches: ds, revocation: r.id, ...(handled[0] ? { demande: handled[0].id } : {}) },
      });
    return r;
  });
}

/**
 * Transfers a mandate to another organisation at the person's request, in one transaction: the acting aidant must
 * be habilitated (with a second factor) in the mandate's organisation; its running families end here (reason
 * `transfert`) and a mandate with the same person, families and end is written for the other organisation —
 * without an aidant until it is signed there (its attestation leaves the aidant's name blank) — replacing any
 * authorisation that organisation already held for the person and these families. One journal line.
 */
export async function transfer(
  db: Db,
  from: Mandat,
  to: Omit<NewMandat, "transferredFrom" | "expiresAt" | "mandant" | "duration" | "renewsId">,
  aidantId: number,
  by: JournalBy,
  at: Date,
): Promise<{ ok: true; mandat: Mandat } | { ok: false; why: "rien-en-cours" | "non-habilite" }> {
  return inTransaction(db, async (trx) => {
    const [ok] = await rows<{ ok: boolean }>(
      trx,
      sql`SELECT ${standingSql(aidantId, from.organisationId)} AS ok`,
    );
    if (!ok?.ok) return { ok: false, why: "non-habilite" };
    const rev = await revoke(trx, from, to.demarches, by, at, { reason: "transfert", journal: false });
    if (!rev) return { ok: false, why: "rien-en-cours" };
    const { mandat } = await writeMandat(
      trx,
      {
        ...to,
        demarches: rev.demarches,
        duration: from.duration,
        mandant: from.mandant,
        transferredFrom: from.id,
        expiresAt: from.expiresAt,
      },
      null,
      by,
      at,
    );
    await appendJournal(trx, {
      ...by,
      at,
      action: "mandat.transferer",
      target: `mandat:${from.id}`,
      territoryId: from.territoryId,
      details: { vers_organisation: to.organisationId, nouveau_mandat: mandat.id, demarches: rev.demarches },
    });
    return { ok: true, mandat };
  });
}

// ————————————————————————————————————————————————————————————— uses

export interface Use {
  id: number;
  mandatId: number;
  demarche: Demarche;
  description: string;
  doneOn: string;
  recordedAt: Date;
  aidantId: number;
}

/**
 * Records a use in one conditional INSERT: the family must be running (not ended, mandate not expired at `at`),
 * the mandate of the aidant's organisation, the aidant habilitated with a second factor — all checked by the
 * database in the same statement. Null when refused: the caller says why and journals the refusal.
 */
export async function recordUse(
  db: Db,
  u: { mandatId: number; demarche: Demarche; description: string; doneOn: string; organisationId: number },
  aidantId: number,
  by: JournalBy,
  at: Date,
): Promise<Use | null> {
  return inTransaction(db, async (trx) => {
    const [r] = await rows<{ id: string; mandat_id: number; territory_id: string }>(
      trx,
      sql`INSERT INTO mandat_utilisation (mandat_id, demarche, description, done_on, recorded_at, aidant_id)
        SELECT m.id, a.demarche, ${u.description}, ${u.doneOn}, ${at}, ${aidantId}
        FROM mandat m JOIN mandat_autorisation a ON a.mandat_id = m.id AND a.demarche = ${u.demarche}
        WHERE m.id = ${u.mandatId} AND m.organisation_id = ${u.organisationId} AND a.end_reason IS NULL
          AND m.expires_at > ${at} AND ${standingSql(aidantId, u.organisationId)}
        RETURNING id::text, mandat_id, (SELECT territory_id FROM mandat WHERE id = ${u.mandatId}) AS territory_id`,
    );
    if (!r) return null;
    await appendJournal(trx, {
      ...by,
      at,
      action: "mandat.utiliser",
      target: `mandat:${u.mandatId}`,
      territoryId: r.territory_id,
      details: { demarche: u.demarche, jour: u.doneOn, utilisation: Number(r.id) },
    });
    return {
      id: Number(r.id),
      mandatId: u.mandatId,
      demarche: u.demarche,
      description: u.description,
      doneOn: u.doneOn,
      recordedAt: at,
      aidantId,
    };
  });
}

export async function usesOf(db: Db, mandatIds: readonly number[]): Promise<Use[]> {
  if (mandatIds.length === 0) return [];
  const r = await rows<{
    id: string;
    mandat_id: number;
    demarche: string;
    description: string;
    done_on: string;
    recorded_at: Date;
    aidant_id: number;
  }>(
    db,
    sql`SELECT id::text, mandat_id, demarche, description, done_on, recorded_at, aidant_id FROM mandat_utilisation
      WHERE mandat_id = ANY(${[...mandatIds]}::integer[]) ORDER BY done_on DESC, id DESC`,
  );
  return r.map((x) => ({
    id: Number(x.id),
    mandatId: x.mandat_id,
    demarche: x.demarche as Demarche,
    description: x.description,
    doneOn: x.done_on,
    recordedAt: new Date(x.recorded_at),
    aidantId: x.aidant_id,
  }));
}

// ————————————————————————————————————————————————————————————— the person's requests

export interface Request {
  id: number;
  mandatId: number;
  demarches: Demarche[];
  message: string | null;
  askedAt: Date;
  handledAt: Date | null;
}

/** A person asks their organisation to revoke families of a mandate (journaled; the organisation acts on it). */
export async function askRevocation(
  db: Db,
  mandat: Pick<Mandat, "id" | "territoryId" | "organisationId">,
  demarches: readonly Demarche[],
  message: string | null,
  by: JournalBy,
  at: Date,
): Promise<number> {
  return inTransaction(db, async (trx) => {
    const [r] = await rows<{ id: number }>(
      trx,
      sql`INSERT INTO mandat_demande (mandat_id, demarches, message, asked_at)
        VALUES (${mandat.id}, ${[...demarches]}::text[], ${message}, ${at}) RETURNING id`,
    );
    const id = (r as { id: number }).id;
    await appendJournal(trx, {
      ...by,
      at,
      action: "mandat.demander-revocation",
      target: `mandat:${mandat.id}`,
      territoryId: mandat.territoryId,
      details: { demande: id, demarches, organisation: mandat.organisationId },
    });
    return id;
  });
}

/** The requests not handled yet for an organisation's mandates, oldest first. */
export async function pendingRequests(db: Db, organisationId: number): Promise<Request[]> {
  const r = await rows<{
    id: number;
    mandat_id: number;
    demarches: string[];
    message: string | null;
    asked_at: Date;
    handled_at: Date | null;
  }>(
    db,
    sql`SELECT d.id, d.mandat_id, d.demarches, d.message, d.asked_at, d.handled_at FROM mandat_demande d
      JOIN mandat m ON m.id = d.mandat_id WHERE m.organisation_id = ${organisationId} AND d.handled_at IS NULL
      ORDER BY d.asked_at, d.id`,
  );
  return r.map((x) => ({
    id: x.id,
    mandatId: x.mandat_id,
    demarches: DEMARCHES.filter((d) => x.demarches.includes(d)),
    message: x.message,
    askedAt: new Date(x.asked_at),
    handledAt: x.handled_at ? new Date(x.handled_at) : null,
  }));
}

// ————————————————————————————————————————————————————————————— journal of reads, retention

/** Journals a read that must leave a trace (a print, a verification, the person's view). */
export async function journalRead(
  db: Db,
  action: "mandat.imprimer" | "mandat.verifier" | "mandat.consulter-personne",
  mandat: Pick<Mandat, "id" | "territoryId"> | null,
  by: JournalBy,
  at: Date,
  details: Record<string, unknown> = {},
): Promise<void> {
  await appendJournal(db, {
    ...by,
    at,
    action,
    target: mandat ? `mandat:${mandat.id}` : null,
    territoryId: mandat?.territoryId ?? null,
    details,
  });
}

/**
 * SQL: the ids of mandates that ended more than the retention before `now`. A mandate ends at its expiry, or when
 * its last family was revoked, replaced or transferred, whichever is first.
 */
const endedBefore = (cutoff: Date) => sql<{ id: number }>`SELECT m.id FROM mandat m
  WHERE least(m.expires_at, coalesce((SELECT max(a.ended_at) FROM mandat_autorisation a WHERE a.mandat_id = m.id
      HAVING bool_and(a.end_reason IS NOT NULL)), m.expires_at)) < ${cutoff}`;

const retentionCutoff = (now: Date) => {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - RETENTION_YEARS);
  return d;
};

/** How many mandates `purgeMandats` would delete at `now` (3 years after their end). */
export async function purgeableMandats(db: Db, now: Date): Promise<number> {
  const [r] = await rows<{ n: string }>(
    db,
    sql`SELECT count(*)::text AS n FROM (${endedBefore(retentionCutoff(now))}) x`,
  );
  return Number(r?.n ?? 0);
}

/**
 * Deletes the mandates ended more than 3 years before `now`, with their families, uses, revocations and requests
 * (in the caller's transaction, which journals the purge). Links from newer mandates are cleared first.
 */
export async function purgeMandats(db: Db, now: Date): Promise<number> {
  const ids = (await rows<{ id: number }>(db, endedBefore(retentionCutoff(now)))).map((r) => r.id);
  if (ids.length === 0) return 0;
  await sql`UPDATE mandat SET renews_id = NULL WHERE renews_id = ANY(${ids}::integer[])`.execute(db);
  await sql`UPDATE mandat SET transferred_from = NULL WHERE transferred_from = ANY(${ids}::integer[])`.execute(
    db,
  );
  await sql`UPDATE mandat_revocation SET replaced_by = NULL WHERE replaced_by = ANY(${ids}::integer[])`.execute(
    db,
  );
  await sql`DELETE FROM mandat_utilisation WHERE mandat_id = ANY(${ids}::integer[])`.execute(db);
  await sql`DELETE FROM mandat_demande WHERE mandat_id = ANY(${ids}::integer[])`.execute(db);
  await sql`DELETE FROM mandat_autorisation WHERE mandat_id = ANY(${ids}::integer[])`.execute(db);
  await sql`DELETE FROM mandat_revocation WHERE mandat_id = ANY(${ids}::integer[])`.execute(db);
  await sql`DELETE FROM mandat WHERE id = ANY(${ids}::integer[])`.execute(db);
  return ids.length;
}

// ————————————————————————————————————————————————————————————— indicators

/** The first instant of the Paris day after `day` (SQL): what is running « at the end of » that day. */
const endOf = (day: ReturnType<typeof sql>) =>
  sql`((${day})::date + 1)::timestamp AT TIME ZONE 'Europe/Paris'`;

/** Counts for the indicators, by month (or end day) and organisation (with its territory), before any protection. */
export interface MandatCounts {
  /** Mandates created (Paris day) in the period: once per family under `demarche`, once in all under "". */
  created: { month: string; territory: string; org: number; demarche: string; n: number }[];
  /** Uses done (their day) in the period. */
  uses: { month: string; territory: string; org: number; n: number }[];
  /** Mandates running at the end of each given day: not expired, at least one family not ended. */
  active: { day: string; territory: string; org: number; n: number }[];
  /** People with a running habilitation at the end of each given day, by organisation. */
  habilitated: { day: string; org: number; person: number }[];
}

/**
 * The indicators' counts: mandates created and uses in a period (Paris days, inclusive), by month; mandates running
 * and aidants habilitated at the end of each of `ends` (Paris days).
 */
export async function indicatorCounts(
  db: Db,
  from: string,
  to: string,
  ends: readonly string[],
): Promise<MandatCounts> {
  const created = sql`to_char(m.created_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD')`;
  const made = await rows<{ month: string; territory: string; org: number; demarche: string; n: string }>(
    db,
    sql`SELECT substr(${created}, 1, 7) AS month, m.territory_id AS territory, m.organisation_id AS org,
        a.demarche, count(*)::text AS n
      FROM mandat m JOIN mandat_autorisation a ON a.mandat_id = m.id
      WHERE ${created} >= ${from} AND ${created} <= ${to} GROUP BY 1, 2, 3, 4`,
  );
  const mandates = await rows<{ month: string; territory: string; org: number; n: string }>(
    db,
    sql`SELECT substr(${created}, 1, 7) AS month, m.territory_id AS territory, m.organisation_id AS org,
        count(*)::text AS n
      FROM mandat m WHERE ${created} >= ${from} AND ${created} <= ${to} GROUP BY 1, 2, 3`,
  );
  const uses = await rows<{ month: string; territory: string; org: number; n: string }>(
    db,
    sql`SELECT substr(u.done_on, 1, 7) AS month, m.territory_id AS territory, m.organisation_id AS org,
        count(*)::text AS n
      FROM mandat_utilisation u JOIN mandat m ON m.id = u.mandat_id
      WHERE u.done_on >= ${from} AND u.done_on <= ${to} GROUP BY 1, 2, 3`,
  );
  const days = [...ends];
  const bound = endOf(sql`e.day`);
  const active = await rows<{ day: string; territory: string; org: number; n: string }>(
    db,
    sql`SELECT e.day, m.territory_id AS territory, m.organisation_id AS org, count(*)::text AS n
      FROM unnest(${days}::text[]) AS e(day) JOIN mandat m ON m.created_at < ${bound} AND m.expires_at > ${bound}
      WHERE EXISTS (SELECT 1 FROM mandat_autorisation a WHERE a.mandat_id = m.id
        AND (a.ended_at IS NULL OR a.ended_at > ${bound}))
      GROUP BY 1, 2, 3`,
  );
  const habilitated = await rows<{ day: string; org: number; person: number }>(
    db,
    sql`SELECT DISTINCT e.day, h.organisation_id AS org, h.person_id AS person
      FROM unnest(${days}::text[]) AS e(day) JOIN aidant_habilitation h
        ON h.habilitated_at < ${bound} AND (h.withdrawn_at IS NULL OR h.withdrawn_at > ${bound})`,
  );
  return {
    created: [
      ...made.map((r) => ({ ...r, n: Number(r.n) })),
      ...mandates.map((r) => ({ ...r, demarche: "", n: Number(r.n) })),
    ],
    uses: uses.map((r) => ({ ...r, n: Number(r.n) })),
    active: active.map((r) => ({ ...r, n: Number(r.n) })),
    habilitated,
  };
}
