/**
 * SQL of the accounts capability (nothing else touches its tables): organisations, people, memberships, second
 * factor and recovery codes, invitations, sessions, API tokens, login failures, and the append-only `journal`.
 *
 * Secrets never arrive here in clear: passwords, TOTP secrets (as the pure core encodes them), recovery codes,
 * invitation links, session cookies and API tokens are given already hashed or sealed. Time is always passed in
 * (`now`, the clock's), never read from SQL `now()`, so that tests and the database agree on expiry.
 *
 * Every write made by someone records a journal row in the same transaction (`withJournal`, `appendJournal`);
 * the database refuses UPDATE, DELETE and TRUNCATE on `journal` (a trigger), except the retention purge.
 */
import { type Generated, type Kysely, type Migration, type Selectable, sql, type Transaction } from "kysely";
import type { RetentionRule } from "../context.ts";
import type { Db } from "../platform/db.ts";
import {
  type JournalEntry,
  type Membership,
  ORGANISATION_KINDS,
  type Organisation,
  type OrganisationKind,
  type Person,
  ROLES,
  type Role,
  SESSION_ABSOLUTE_HOURS,
} from "./model.ts";

type AccountTables = {
  organisation: {
    id: Generated<number>;
    name: string;
    kind: OrganisationKind;
    siret: string | null;
    territory_id: string;
    place_ids: string[];
    created_at: Date;
  };
  person: {
    id: Generated<number>;
    email: string;
    name: string;
    phone: string | null;
    password_hash: string | null;
    totp_secret: string | null;
    totp_last_step: string | number | null;
    active: Generated<boolean>;
    created_at: Date;
    last_login_at: Date | null;
    deactivated_at: Date | null;
  };
  membership: {
    id: Generated<number>;
    person_id: number;
    organisation_id: number;
    role: Role;
    territory_id: string;
  };
  recovery_code: { person_id: number; code_hash: string; used_at: Date | null };
  invitation: {
    token_hash: string;
    email: string;
    organisation_id: number;
    role: Role;
    territory_id: string;
    invited_by: number | null;
    created_at: Date;
    expires_at: Date;
    used_at: Date | null;
    purpose: InvitationPurpose;
  };
  session: {
    id_hash: string;
    person_id: number;
    membership_id: number | null;
    csrf_secret: string;
    created_at: Date;
    last_seen_at: Date;
    idle_minutes: number;
    second_factor_done: boolean;
    address: string | null;
    user_agent: string | null;
    revoked_at: Date | null;
  };
  api_token: {
    id: Generated<number>;
    person_id: number;
    label: string;
    token_hash: string;
    created_at: Date;
    expires_at: Date | null;
    last_used_at: Date | null;
    revoked_at: Date | null;
  };
  login_failure: { key: string; at: Date };
  journal: {
    id: Generated<string>;
    at: Date;
    person_id: number | null;
    organisation_id: number | null;
    role: Role | null;
    action: string;
    target: string | null;
    territory_id: string | null;
    address: string | null;
    details: string;
  };
};

type AccountDb = Kysely<AccountTables>;
const tables = (db: Db): AccountDb => db.withTables<AccountTables>();

/** The message of the journal's trigger (the database's own words when anything tries to change it). */
export const JOURNAL_IMMUTABLE = "le journal ne s'efface pas et ne se modifie pas";

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(", ");

export const accountMigrations: Record<string, Migration> = {
  "0020_accounts": {
    async up(db: Kysely<unknown>) {
      await sql`CREATE TABLE organisation (
        id serial PRIMARY KEY,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN (${sql.raw(list(ORGANISATION_KINDS))})),
        siret text UNIQUE CHECK (siret ~ '^[0-9]{14}$'),
        territory_id text NOT NULL,
        place_ids text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL
      )`.execute(db);
      await sql`CREATE INDEX organisation_territory_idx ON organisation (territory_id)`.execute(db);
      await sql`CREATE TABLE person (
        id serial PRIMARY KEY,
        email text NOT NULL UNIQUE CHECK (email = lower(email)),
        name text NOT NULL,
        phone text,
        password_hash text,
        totp_secret text,
        totp_last_step bigint,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL,
        last_login_at timestamptz,
        deactivated_at timestamptz
      )`.execute(db);
      await sql`CREATE TABLE membership (
        id serial PRIMARY KEY,
        person_id integer NOT NULL REFERENCES person (id) ON DELETE CASCADE,
        organisation_id integer NOT NULL REFERENCES organisation (id),
        role text NOT NULL CHECK (role IN (${sql.raw(list(ROLES))})),
        territory_id text NOT NULL,
        UNIQUE (person_id, organisation_id, role)
      )`.execute(db);
      await sql`CREATE INDEX membership_organisation_idx ON membership (organisation_id)`.execute(db);
      await sql`CREATE TABLE recovery_code (
        person_id integer NOT NULL REFERENCES person (id) ON DELETE CASCADE,
        code_hash text NOT NULL,
        used_at timestamptz,
        PRIMARY KEY (person_id, code_hash)
      )`.execute(db);
      await sql`CREATE TABLE invitation (
        token_hash text PRIMARY KEY,
        email text NOT NULL CHECK (email = lower(email)),
        organisation_id integer NOT NULL REFERENCES organisation (id),
        role text NOT NULL CHECK (role IN (${sql.raw(list(ROLES))})),
        territory_id text NOT NULL,
        invited_by integer REFERENCES person (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        purpose text NOT NULL CHECK (purpose IN ('invitation', 'reinitialisation', 'installation'))
      )`.execute(db);
      await sql`CREATE TABLE session (
        id_hash text PRIMARY KEY,
        person_id integer NOT NULL REFERENCES person (id) ON DELETE CASCADE,
        membership_id integer REFERENCES membership (id) ON DELETE SET NULL,
        csrf_secret text NOT NULL,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        idle_minutes integer NOT NULL CHECK (idle_minutes > 0),
        second_factor_done boolean NOT NULL DEFAULT false,
        address text,
        user_agent text,
        revoked_at timestamptz
      )`.execute(db);
      await sql`CREATE INDEX session_person_idx ON session (person_id)`.execute(db);
      await sql`CREATE TABLE api_token (
        id serial PRIMARY KEY,
        person_id integer NOT NULL REFERENCES person (id) ON DELETE CASCADE,
        label text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz
      )`.execute(db);
      await sql`CREATE INDEX api_token_person_idx ON api_token (person_id)`.execute(db);
      await sql`CREATE TABLE login_failure (key text NOT NULL, at timestamptz NOT NULL)`.execute(db);
      await sql`CREATE INDEX login_failure_key_at_idx ON login_failure (key, at)`.execute(db);
      // No foreign key to person or organisation: the journal outlives the accounts it names.
      await sql`CREATE TABLE journal (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        person_id integer,
        organisation_id integer,
        role text,
        action text NOT NULL,
        target text,
        territory_id text,
        address text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb
      )`.execute(db);
      await sql`CREATE INDEX journal_at_idx ON journal (at)`.execute(db);
      await sql`CREATE INDEX journal_person_idx ON journal (person_id, id)`.execute(db);
      await sql`CREATE INDEX journal_territory_idx ON journal (territory_id, id)`.execute(db);
      // Append-only: the one exception is the retention purge, which sets two transaction-local settings
      // (`maillage.purge_journal` = 'on' and `maillage.purge_before`) and may then delete rows older than that
      // instant only. Nested IFs: OLD is not assigned in the TRUNCATE (statement) trigger.
      await sql`CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
          IF TG_OP = 'DELETE' THEN
            IF coalesce(current_setting('maillage.purge_journal', true), '') = 'on'
              AND coalesce(current_setting('maillage.purge_before', true), '') <> '' THEN
              IF OLD.at < current_setting('maillage.purge_before', true)::timestamptz THEN
                RETURN OLD;
              END IF;
            END IF;
          END IF;
          RAISE EXCEPTION '${sql.raw(JOURNAL_IMMUTABLE.replaceAll("'", "''"))}' USING ERRCODE = 'insufficient_privilege';
        END
      $body$`.execute(db);
      await sql`CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON journal
        FOR EACH ROW EXECUTE FUNCTION journal_append_only()`.execute(db);
      await sql`CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal
        FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only()`.execute(db);
    },
  },
};

// ————————————————————————————————————————————————————————————— transactions and the journal

let generation = 0;

/**
 * A number that moves after every write of this store in this process (each transaction once it is over, each
 * session write): the web's short cache of live sessions (web.ts) drops what it read before.
 */
export const accountsGeneration = (): number => generation;

/** Runs `work` in a transaction, or in the one `db` already is. */
async function inTransaction<T>(db: Db, work: (trx: AccountDb) => Promise<T>): Promise<T> {
  const t = tables(db);
  generation++;
  if (t.isTransaction) return work(t);
  try {
    return await t.transaction().execute((trx: Transaction<AccountTables>) => work(trx));
  } finally {
    generation++;
  }
}

/** Who makes a change, for which organisation and role, from which address (null fields for commands). */
export interface JournalBy {
  personId: number | null;
  organisationId: number | null;
  role: Role | null;
  address: string | null;
}

/** The command line or the server itself (deactivation of unused accounts, purge). */
export const BY_SYSTEM: JournalBy = { personId: null, organisationId: null, role: null, address: null };

/** A journal row to write: who (`JournalBy`), when, and what. */
export interface JournalWrite extends JournalBy {
  at: Date;
  action: string;
  target?: string | null;
  territoryId?: string | null;
  details?: Record<string, unknown>;
}

/** Appends one row to the journal (give it the transaction of the change it records). */
export async function appendJournal(db: Db, entry: JournalWrite): Promise<void> {
  await tables(db)
    .insertInto("journal")
    .values({
      at: entry.at,
      person_id: entry.personId,
      organisation_id: entry.organisationId,
      role: entry.role,
      action: entry.action,
      target: entry.target ?? null,
      territory_id: entry.territoryId ?? null,
      address: entry.address,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

/**
 * Runs `work` and writes its journal row in the same transaction: if either fails, neither stays. `entry` may be
 * computed from the result (the id of what was created); null writes nothing (nothing happened).
 */
export async function withJournal<T>(
  db: Db,
  entry: JournalWrite | ((result: T) => JournalWrite | null),
  work: (trx: Db) => Promise<T>,
): Promise<T> {
  return inTransaction(db, async (trx) => {
    const result = await work(trx as unknown as Db);
    const row = typeof entry === "function" ? entry(result) : entry;
    if (row) await appendJournal(trx as unknown as Db, row);
    return result;
  });
}

// ————————————————————————————————————————————————————————————— organisations

type OrganisationRow = Selectable<AccountTables["organisation"]>;

const toOrganisation = (r: OrganisationRow): Organisation => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  siret: r.siret,
  territoryId: r.territory_id,
  placeIds: r.place_ids,
  createdAt: r.created_at,
});

export interface NewOrganisation {
  name: string;
  kind: OrganisationKind;
  /** Already checked (Luhn) by the pure core; the database checks only its 14 digits and uniqueness. */
  siret: string | null;
  territoryId: string;
  placeIds?: string[];
}

export async function createOrganisation(
  db: Db,
  o: NewOrganisation,
  now: Date,
  by: JournalBy,
): Promise<Organisation> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .insertInto("organisation")
      .values({
        name: o.name,
        kind: o.kind,
        siret: o.siret,
        territory_id: o.territoryId,
        place_ids: o.placeIds ?? [],
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendJournal(trx as unknown as Db, {
      ...by,
      at: now,
      action: "organisation.creer",
      target: `organisation:${row.id}`,
      territoryId: row.territory_id,
      details: { type: row.kind },
    });
    return toOrganisation(row);
  });
}

export async function getOrganisation(db: Db, id: number): Promise<Organisation | null> {
  const row = await tables(db).selectFrom("organisation").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toOrganisation(row) : null;
}

/** `%` and `_` typed by someone match themselves in a LIKE pattern. */
const likeText = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Organisations by name; `withinTerritories` keeps those acting on one of these territory ids (a coordinator's),
 * `name` those whose name contains it (case ignored), `kind` those of that kind.
 */
export async function listOrganisations(
  db: Db,
  q: {
    withinTerritories?: string[];
    /** Only these organisations (a mediator's list: their own). */
    ids?: number[];
    name?: string;
    kind?: OrganisationKind;
    limit: number;
    offset: number;
  },
): Promise<{ organisations: Organisation[]; total: number }> {
  if (q.withinTerritories?.length === 0 || q.ids?.length === 0) return { organisations: [], total: 0 };
  let base = tables(db).selectFrom("organisation");
  if (q.withinTerritories) base = base.where("territory_id", "in", q.withinTerritories);
  if (q.ids) base = base.where("id", "in", q.ids);
  if (q.name) base = base.where("name", "ilike", likeText(q.name));
  if (q.kind) base = base.where("kind", "=", q.kind);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy("name").orderBy("id").limit(q.limit).offset(q.offset).execute(),
    base.select((e) => e.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { organisations: rows.map(toOrganisation), total: Number(count.n) };
}

// ————————————————————————————————————————————————————————————— people

/** A person as the store keeps them, with the hashes that signing in needs. */
export interface StoredPerson extends Person {
  passwordHash: string | null;
  totpSecret: string | null;
  deactivatedAt: Date | null;
}

type PersonRow = Selectable<AccountTables["person"]>;

const toPerson = (r: PersonRow): StoredPerson => ({
  id: r.id,
  email: r.email,
  name: r.name,
  phone: r.phone,
  active: r.active,
  hasSecondFactor: r.totp_secret !== null,
  createdAt: r.created_at,
  lastLoginAt: r.last_login_at,
  passwordHash: r.password_hash,
  totpSecret: r.totp_secret,
  deactivatedAt: r.deactivated_at,
});

/** E-mails are the login: kept trimmed and lower-cased. */
const normaliseEmail = (email: string) => email.trim().toLowerCase();

export async function createPerson(
  db: Db,
  p: { email: string; name: string; phone?: string | null; passwordHash?: string | null },
  now: Date,
  by: JournalBy,
): Promise<StoredPerson> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .insertInto("person")
      .values({
        email: normaliseEmail(p.email),
        name: p.name,
        phone: p.phone ?? null,
        password_hash: p.passwordHash ?? null,
        totp_secret: null,
        totp_last_step: null,
        created_at: now,
        last_login_at: null,
        deactivated_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendJournal(trx as unknown as Db, {
      ...by,
      at: now,
      action: "personne.creer",
      target: `personne:${row.id}`,
    });
    return toPerson(row);
  });
}

export async function findPersonByEmail(db: Db, email: string): Promise<StoredPerson | null> {
  const row = await tables(db)
    .selectFrom("person")
    .selectAll()
    .where("email", "=", normaliseEmail(email))
    .executeTakeFirst();
  return row ? toPerson(row) : null;
}

export async function getPerson(db: Db, id: number): Promise<StoredPerson | null> {
  const row = await tables(db).selectFrom("person").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toPerson(row) : null;
}

/** A person as the administration pages list them. */
export type ListedPerson = Pick<
  StoredPerson,
  "id" | "email" | "name" | "active" | "hasSecondFactor" | "lastLoginAt"
>;

const listed = (r: PersonRow): ListedPerson => ({
  id: r.id,
  email: r.email,
  name: r.name,
  active: r.active,
  hasSecondFactor: r.totp_secret !== null,
  lastLoginAt: r.last_login_at,
});

/**
 * People by name, then id; `withinTerritories` keeps those with a membership in an organisation acting on one of
 * these territories (a coordinator's reach), `search` those whose name or e-mail contains it (case ignored).
 */
export async function listPeople(
  db: Db,
  q: { withinTerritories?: string[]; search?: string; limit: number; offset: number },
): Promise<{ people: ListedPerson[]; total: number }> {
  if (q.withinTerritories?.length === 0) return { people: [], total: 0 };
  const t = tables(db);
  let base = t.selectFrom("person as p");
  const within = q.withinTerritories;
  if (within)
    base = base.where((e) =>
      e.exists(
        e
          .selectFrom("membership as m")
          .innerJoin("organisation as o", "o.id", "m.organisation_id")
          .select("m.id")
          .whereRef("m.person_id", "=", "p.id")
          .where("o.territory_id", "in", within),
      ),
    );
  if (q.search) {
    const like = likeText(q.search);
    base = base.where((e) => e.or([e("p.name", "ilike", like), e("p.email", "ilike", like)]));
  }
  const [rows, count] = await Promise.all([
    base.selectAll("p").orderBy("p.name").orderBy("p.id").limit(q.limit).offset(q.offset).execute(),
    base.select((e) => e.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { people: rows.map(listed), total: Number(count.n) };
}

/** The e-mails of these people (the journal's pages and export name who did what); unknown ids are left out. */
export async function emailsOf(db: Db, ids: readonly number[]): Promise<Map<number, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await tables(db)
    .selectFrom("person")
    .select(["id", "email"])
    .where("id", "in", unique)
    .execute();
  return new Map(rows.map((r) => [r.id, r.email]));
}

/**
 * Sets the password hash, and closes every session of the person but `keepSession` (the one changing it, if any).
 */
export async function setPassword(
  db: Db,
  personId: number,
  passwordHash: string,
  now: Date,
  by: JournalBy,
  keepSession?: string,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx.updateTable("person").set({ password_hash: passwordHash }).where("id", "=", personId).execute();
    await revokeSessionsOf(trx as unknown as Db, personId, now, keepSession);
    await appendJournal(trx as unknown as Db, {
      ...by,
      at: now,
      action: "mot-de-passe.changer",
      target: `personne:${personId}`,
    });
  });
}

/** Records a successful sign-in (what `deactivateInactive` reads). */
export async function recordLogin(db: Db, personId: number, now: Date): Promise<void> {
  await tables(db).updateTable("person").set({ last_login_at: now }).where("id", "=", personId).execute();
}

/** Changes a person's name and phone (their own profile, or an admin's correction). */
export async function updateProfile(
  db: Db,
  personId: number,
  p: { name: string; phone: string | null },
  now: Date,
  by: JournalBy,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable("person")
      .set({ name: p.name, phone: p.phone })
      .where("id", "=", personId)
      .execute();
    await appendJournal(trx as unknown as Db, {
      ...by,
      at: now,
      action: "personne.modifier",
      target: `personne:${personId}`,
      details: { champs: ["nom", "telephone"] },
    });
  });
}

/**
 * Enrols a TOTP secret with its recovery codes (hashes), replacing any previous secret and codes; a null secret
 * removes the second factor (and the codes).
 */
export async function setTotp(
  db: Db,
  personId: number,
  secret: string | null,
  recoveryCodeHashes: string[],
  now: Date,
  by: JournalBy,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable("person")
      .set({ totp_secret: secret, totp_last_step: null })
      .where("id", "=", personId)
      .execute();
    await trx.deleteFrom("recovery_code").where("person_id", "=", personId).execute();
    const codes = secret === null ? [] : [...new Set(recoveryCodeHashes)];
    if (codes.length > 0)
      await trx
        .insertInto("recovery_code")
        .values(codes.map((code_hash) => ({ person_id: personId, code_hash, used_at: null })))
        .execute();
    await appendJournal(trx as unknown as Db, {
      ...by,
      at: now,
      action: secret === null ? "second-facteur.retirer" : "second-facteur.activer",
      target: `personne:${personId}`,
      details: { codesDeSecours: codes.length },
    });
  });
}

/** Uses a recovery code once: true the first time, false when unknown or already used (one conditional UPDATE). */
export async function useRecoveryCode(
  db: Db,
  personId: number,
  codeHash: string,
  now: Date,
): Promise<boolean> {
  const r = await tables(db)
    .updateTable("recovery_code")
    .set({ used_at: now })
    .where("person_id", "=", personId)
    .where("code_hash", "=", codeHash)
    .where("used_at", "is", null)
    .returning("code_hash")
    .executeTakeFirst();
  return r !== undefined;
}

export async function countRecoveryCodesLeft(db: Db, personId: number): Promise<number> {
  const r = await tables(db)
    .selectFrom("recovery_code")
    .select((e) => e.fn.countAll<string>().as("n"))
    .where("person_id", "=", personId)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Remembers the TOTP time step just accepted, only if it is later than the last one: false for a replayed (or
 * older) code. The database decides, so two requests with the same code cannot both pass.
 */
export async function recordTotpStep(db: Db, personId: number, step: number): Promise<boolean> {
  const r = await tables(db)
    .updateTable("person")
    .set({ totp_last_step: step })
    .where("id", "=", personId)
    .where("totp_secret", "is not", null)
    .where((e) => e.or([e("totp_last_step", "is", null), e("totp_last_step", "<", step)]))
    .returning("id")
    .executeTakeFirst();
  generation++;
  return r !== undefined;
}

/** Deactivates a person: no sign-in, every session and token revoked. False when already inactive or unknown. */
export async function deactivatePerson(db: Db, personId: number, now: Date, by: JournalBy): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const done = await deactivate(trx, [personId], now);
    if (done.length === 0) return false;
    await appendJournal(trx as unknown as Db, {
      ...by,
      at: now,
      action: "personne.desactiver",
      target: `personne:${personId}`,
    });
    return true;
  });
}

async function deactivate(trx: AccountDb, ids: number[], now: Date): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await trx
    .updateTable("person")
    .set({ active: false, deactivated_at: now })
    .where("id", "in", ids)
    .where("active", "=", true)
    .returning("id")
    .execute();
  const done = rows.map((r) => r.id);
  if (done.length === 0) return done;
  await trx
    .updateTable("session")
    .set({ revoked_at: now })
    .where("person_id", "in", done)
    .where("revoked_at", "is", null)
    .execute();
  await trx
    .updateTable("api_token")
    .set({ revoked_at: now })
    .where("person_id", "in", done)
    .where("revoked_at", "is", null)
    .execute();
  return done;
}

/** `months` calendar months before `now` (UTC), the day clamped to the month's end. */
function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/**
 * Deactivates every active person who has not signed in for `months` months (never signed in: since their
 * account was created), revokes their sessions and tokens, and journals each one. Returns the people deactivated.
 */
export async function deactivateInactive(
  db: Db,
  now: Date,
  months = 6,
  by: JournalBy = BY_SYSTEM,
): Promise<StoredPerson[]> {
  const cutoff = monthsBefore(now, months);
  return inTransaction(db, async (trx) => {
    const idle = await trx
      .selectFrom("person")
      .select("id")
      .where("active", "=", true)
      .where(sql<boolean>`coalesce(last_login_at, created_at) < ${cutoff}`)
      .orderBy("id")
      .forUpdate()
      .execute();
    const done = await deactivate(
      trx,
      idle.map((r) => r.id),
      now,
    );
    for (const id of done)
      await appendJournal(trx as unknown as Db, {
        ...by,
        at: now,
        action: "personne.desactiver",
        target: `personne:${id}`,
        details: { motif: "inactivite", mois: months },
      });
    if (done.length === 0) return [];
    const rows = await trx.selectFrom("person").selectAll().where("id", "in", done).orderBy("id").execute();
    return rows.map(toPerson);
  });
}

// ————————————————————————————————————————————————————————————— memberships

export interface MembershipWithOrganisation extends Membership {
  organisation: Organisation;
}

/** Adds a membership; its territory defaults to the organisation's. Fails if the same one exists. */
export async function addMembership(
  db: Db,
  m: { personId: number; organisationId: number; role: Role; territoryId?: string },
  now: Date,
  by: JournalBy,
): Promise<Membership> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .insertInto("membership")
      .columns(["person_id", "organisation_id", "role", "territory_id"])
      .expression((e) =>
        e
          .selectFrom("organisation")
          .select([
            sql<number>`${m.personId}::integer`.as("person_id"),
            "id",
            sql<Role>`${m.role}::text`.as("role"),
            sql<string>`coalesce(${m.territoryId ?? null}::text, territory_id)`.as("territory_id"),
          ])
          .where("id", "=", m.organisationId),
      )
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new Error(`organisation ${m.organisationId} inconnue`);
    await appendJournal(trx as unknown as Db, {
      ...by,
      at: now,
      action: "membre.ajouter",
      target: `personne:${m.personId}`,
      territoryId: row.territory_id,
      details: { organisation: row.organisation_id, role: row.role },
    });
    return toMembership(row);
  });
}

const toMembership = (r: Selectable<AccountTables["membership"]>): Membership => ({
  id: r.id,
  personId: r.person_id,
  organisationId: r.organisation_id,
  role: r.role,
  territoryId: r.territory_id,
});

/** Removes a membership and revokes the sessions acting for it. False when it did not exist. */
export async function removeMembership(
  db: Db,
  membershipId: number,
  now: Date,
  by: JournalBy,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    await trx
      .updateTable("session")
      .set({ revoked_at: now })
      .where("membership_id", "=", membershipId)
      .where("revoked_at", "is", null)
      .execute();
    const row = await trx
      .deleteFrom("membership")
      .where("id", "=", membershipId)
      .returningAll()
      .executeTakeFirst();
    if (!row) return false;
    await appendJournal(trx as unknown as Db, {
      ...by,
      at: now,
      action: "membre.retirer",
      target: `personne:${row.person_id}`,
      territoryId: row.territory_id,
      details: { organisation: row.organisation_id, role: row.role },
    });
    return true;
  });
}

/** A person's memberships with their organisations, by organisation name then role order. */
export async function membershipsOf(db: Db, personId: number): Promise<MembershipWithOrganisation[]> {
  const rows = await tables(db)
    .selectFrom("membership as m")
    .innerJoin("organisation as o", "o.id", "m.organisation_id")
    .select([
      "m.id",
      "m.person_id",
      "m.organisation_id",
      "m.role",
      "m.territory_id",
      "o.name",
      "o.kind",
      "o.siret",
      "o.territory_id as o_territory_id",
      "o.place_ids",
      "o.created_at",
    ])
    .where("m.person_id", "=", personId)
    .orderBy("o.name")
    .orderBy("o.id")
    .execute();
  return rows
    .map((r) => ({
      ...toMembership(r),
      organisation: toOrganisation({
        id: r.organisation_id,
        name: r.name,
        kind: r.kind,
        siret: r.siret,
        territory_id: r.o_territory_id,
        place_ids: r.place_ids,
        created_at: r.created_at,
      }),
    }))
    .sort(
      (a, b) =>
        a.organisation.name.localeCompare(b.organisation.name, "fr") ||
        a.organisationId - b.organisationId ||
        ROLES.indexOf(a.role) - ROLES.indexOf(b.role),
    );
}

/** The members of an organisation (membership and person), by name then role order. */
export async function membersOf(
  db: Db,
  organisationId: number,
): Promise<{ membership: Membership; person: ListedPerson }[]> {
  const rows = await tables(db)
    .selectFrom("membership as m")
    .innerJoin("person as p", "p.id", "m.person_id")
    .selectAll("p")
    .select(["m.id as m_id", "m.person_id as m_person_id", "m.organisation_id", "m.role", "m.territory_id"])
    .where("m.organisation_id", "=", organisationId)
    .orderBy("p.name")
    .orderBy("p.id")
    .execute();
  return rows
    .map((r) => ({
      membership: toMembership({
        id: r.m_id,
        person_id: r.m_person_id,
        organisation_id: r.organisation_id,
        role: r.role,
        territory_id: r.territory_id,
      }),
      person: listed(r),
    }))
    .sort(
      (a, b) =>
        a.person.name.localeCompare(b.person.name, "fr") ||
        a.person.id - b.person.id ||
        ROLES.indexOf(a.membership.role) - ROLES.indexOf(b.membership.role),
    );
}

// ————————————————————————————————————————————————————————————— invitations

export type InvitationPurpose = "invitation" | "reinitialisation" | "installation";

export interface Invitation {
  tokenHash: string;
  email: string;
  organisationId: number;
  role: Role;
  territoryId: string;
  invitedBy: number | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  purpose: InvitationPurpose;
}

const toInvitation = (r: AccountTables["invitation"]): Invitation => ({
  tokenHash: r.token_hash,
  email: r.email,
  organisationId: r.organisation_id,
  role: r.role,
  territoryId: r.territory_id,
  invitedBy: r.invited_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  purpose: r.purpose,
});

/** Records an invitation (or a reset or set-up link): only the hash of the link's token is kept. */
export async function createInvitation(
  db: Db,
  i: {
    tokenHash: string;
    email: string;
    organisationId: number;
    role: Role;
    territoryId: string;
    expiresAt: Date;
    purpose: InvitationPurpose;
  },
  now: Date,
  by: JournalBy,
): Promise<Invitation> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .insertInto("invitation")
      .values({
        token_hash: i.tokenHash,
        email: normaliseEmail(i.email),
        organisation_id: i.organisationId,
        role: i.role,
        territory_id: i.territoryId,
        invited_by: by.personId,
        created_at: now,
        expires_at: i.expiresAt,
        used_at: null,
        purpose: i.purpose,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendJournal(trx as unknown as Db, {
      ...by,
      at: now,
      action: `${i.purpose}.envoyer`,
      target: `email:${row.email}`,
      territoryId: row.territory_id,
      details: { organisation: row.organisation_id, role: row.role },
    });
    return toInvitation(row);
  });
}

/**
 * Uses an invitation once: one conditional UPDATE (not used, not expired at `now`), so of two concurrent uses
 * exactly one gets the invitation; the other, like an unknown, used or expired link, gets null.
 */
export async function useInvitation(db: Db, tokenHash: string, now: Date): Promise<Invitation | null> {
  const row = await tables(db)
    .updateTable("invitation")
    .set({ used_at: now })
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .returningAll()
    .executeTakeFirst();
  return row ? toInvitation(row) : null;
}

/** A link that can still be used at `now` (not used, not expired), or null: what its page shows before use. */
export async function pendingInvitation(db: Db, tokenHash: string, now: Date): Promise<Invitation | null> {
  const row = await tables(db)
    .selectFrom("invitation")
    .selectAll()
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return row ? toInvitation(row) : null;
}

/** An organisation's invitations still usable at `now`, the newest first (resets and set-up links left out). */
export async function pendingInvitationsOf(db: Db, organisationId: number, now: Date): Promise<Invitation[]> {
  const rows = await tables(db)
    .selectFrom("invitation")
    .selectAll()
    .where("organisation_id", "=", organisationId)
    .where("purpose", "=", "invitation")
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .orderBy("created_at", "desc")
    .orderBy("email")
    .limit(200)
    .execute();
  return rows.map(toInvitation);
}

// ————————————————————————————————————————————————————————————— sessions

export interface Session {
  /** SHA-256 of the cookie's value: the value itself is never stored. */
  idHash: string;
  personId: number;
  membershipId: number | null;
  csrfSecret: string;
  createdAt: Date;
  lastSeenAt: Date;
  idleMinutes: number;
  secondFactorDone: boolean;
  address: string | null;
  userAgent: string | null;
}

const toSession = (r: AccountTables["session"]): Session => ({
  idHash: r.id_hash,
  personId: r.person_id,
  membershipId: r.membership_id,
  csrfSecret: r.csrf_secret,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  idleMinutes: r.idle_minutes,
  secondFactorDone: r.second_factor_done,
  address: r.address,
  userAgent: r.user_agent,
});

export async function createSession(
  db: Db,
  s: {
    idHash: string;
    personId: number;
    membershipId?: number | null;
    csrfSecret: string;
    idleMinutes: number;
    secondFactorDone: boolean;
    address?: string | null;
    userAgent?: string | null;
  },
  now: Date,
): Promise<Session> {
  const row = await tables(db)
    .insertInto("session")
    .values({
      id_hash: s.idHash,
      person_id: s.personId,
      membership_id: s.membershipId ?? null,
      csrf_secret: s.csrfSecret,
      created_at: now,
      last_seen_at: now,
      idle_minutes: s.idleMinutes,
      second_factor_done: s.secondFactorDone,
      address: s.address ?? null,
      user_agent: s.userAgent?.slice(0, 300) ?? null,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSession(row);
}

const absoluteStart = (now: Date) => new Date(now.getTime() - SESSION_ABSOLUTE_HOURS * 3_600_000);

/** The conditions of a live session at `now`: not revoked, seen within its idle time, younger than 12 h. */
const live = (now: Date) =>
  sql<boolean>`s.revoked_at IS NULL
    AND s.last_seen_at + s.idle_minutes * interval '1 minute' > ${now}
    AND s.created_at > ${absoluteStart(now)}
    AND p.active`;

/** The live session of this hash at `now`, or null (unknown, revoked, idle too long, older than 12 h, inactive). */
export async function findSession(db: Db, idHash: string, now: Date): Promise<Session | null> {
  const row = await tables(db)
    .selectFrom("session as s")
    .innerJoin("person as p", "p.id", "s.person_id")
    .selectAll("s")
    .where("s.id_hash", "=", idHash)
    .where(live(now))
    .executeTakeFirst();
  return row ? toSession(row) : null;
}

/** Marks the session seen at `now` (it stays open for its idle time from there); false when not live. */
export async function touchSession(db: Db, idHash: string, now: Date): Promise<boolean> {
  const r = await sql<{ id_hash: string }>`
    UPDATE session AS s SET last_seen_at = ${now} FROM person AS p
    WHERE p.id = s.person_id AND s.id_hash = ${idHash} AND ${live(now)}
    RETURNING s.id_hash`.execute(db);
  return r.rows.length > 0;
}

/** After the second factor, or when the person picks the membership they act for (and its idle timeout). */
export async function updateSession(
  db: Db,
  idHash: string,
  change: { membershipId?: number; idleMinutes?: number; secondFactorDone?: boolean },
): Promise<void> {
  const set: Partial<AccountTables["session"]> = {};
  if (change.membershipId !== undefined) set.membership_id = change.membershipId;
  if (change.idleMinutes !== undefined) set.idle_minutes = change.idleMinutes;
  if (change.secondFactorDone !== undefined) set.second_factor_done = change.secondFactorDone;
  if (Object.keys(set).length === 0) return;
  await tables(db).updateTable("session").set(set).where("id_hash", "=", idHash).execute();
  generation++;
}

export async function revokeSession(db: Db, idHash: string, now: Date): Promise<boolean> {
  const r = await tables(db)
    .updateTable("session")
    .set({ revoked_at: now })
    .where("id_hash", "=", idHash)
    .where("revoked_at", "is", null)
    .returning("id_hash")
    .executeTakeFirst();
  generation++;
  return r !== undefined;
}

/** Revokes every open session of a person but `exceptIdHash`; returns how many. */
export async function revokeSessionsOf(
  db: Db,
  personId: number,
  now: Date,
  exceptIdHash?: string,
): Promise<number> {
  let q = tables(db)
    .updateTable("session")
    .set({ revoked_at: now })
    .where("person_id", "=", personId)
    .where("revoked_at", "is", null);
  if (exceptIdHash !== undefined) q = q.where("id_hash", "<>", exceptIdHash);
  const rows = await q.returning("id_hash").execute();
  generation++;
  return rows.length;
}

/** A person's live sessions at `now`, the most recently seen first. */
export async function listSessions(db: Db, personId: number, now: Date): Promise<Session[]> {
  const rows = await tables(db)
    .selectFrom("session as s")
    .innerJoin("person as p", "p.id", "s.person_id")
    .selectAll("s")
    .where("s.person_id", "=", personId)
    .where(live(now))
    .orderBy("s.last_seen_at", "desc")
    .orderBy("s.id_hash")
    .execute();
  return rows.map(toSession);
}

// ————————————————————————————————————————————————————————————— API tokens

export interface ApiToken {
  id: number;
  personId: number;
  label: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const toToken = (r: Selectable<AccountTables["api_token"]>): ApiToken => ({
  id: r.id,
  personId: r.person_id,
  label: r.label,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

export async function createToken(
  db: Db,
  t: { personId: number; label: string; tokenHash: string; expiresAt: Date | null },
  now: Date,
  by: JournalBy,
): Promise<ApiToken> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .insertInto("api_token")
      .values({
        person_id: t.personId,
        label: t.label,
        token_hash: t.tokenHash,
        created_at: now,
        expires_at: t.expiresAt,
        last_used_at: null,
        revoked_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendJournal(trx as unknown as Db, {
      ...by,
      at: now,
      action: "jeton.creer",
      target: `jeton:${row.id}`,
      details: { personne: t.personId },
    });
    return toToken(row);
  });
}

/**
 * The token of this hash if usable at `now` (not revoked, not expired, its person active), marked used at `now`;
 * else null.
 */
export async function findToken(db: Db, tokenHash: string, now: Date): Promise<ApiToken | null> {
  const r = await sql<Selectable<AccountTables["api_token"]>>`
    UPDATE api_token AS t SET last_used_at = ${now} FROM person AS p
    WHERE p.id = t.person_id AND p.active AND t.token_hash = ${tokenHash} AND t.revoked_at IS NULL
      AND (t.expires_at IS NULL OR t.expires_at > ${now})
    RETURNING t.*`.execute(db);
  const row = r.rows[0];
  return row ? toToken(row) : null;
}

/** Revokes one of the person's tokens; false when it is not theirs or already revoked. */
export async function revokeToken(
  db: Db,
  personId: number,
  tokenId: number,
  now: Date,
  by: JournalBy,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .updateTable("api_token")
      .set({ revoked_at: now })
      .where("id", "=", tokenId)
      .where("person_id", "=", personId)
      .where("revoked_at", "is", null)
      .returning("id")
      .executeTakeFirst();
    if (!row) return false;
    await appendJournal(trx as unknown as Db, {
      ...by,
      at: now,
      action: "jeton.revoquer",
      target: `jeton:${tokenId}`,
      details: { personne: personId },
    });
    return true;
  });
}

/** A person's tokens, revoked ones included, the newest first. */
export async function listTokens(db: Db, personId: number): Promise<ApiToken[]> {
  const rows = await tables(db)
    .selectFrom("api_token")
    .selectAll()
    .where("person_id", "=", personId)
    .orderBy("id", "desc")
    .execute();
  return rows.map(toToken);
}

// ————————————————————————————————————————————————————————————— sign-in throttling

/** Failures recorded under `key` ("email:…" or "adresse:…") since `since`. */
export async function countFailures(db: Db, key: string, since: Date): Promise<number> {
  const r = await tables(db)
    .selectFrom("login_failure")
    .select((e) => e.fn.countAll<string>().as("n"))
    .where("key", "=", key)
    .where("at", ">=", since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function recordFailure(db: Db, key: string, at: Date): Promise<void> {
  await tables(db).insertInto("login_failure").values({ key, at }).execute();
}

export async function clearFailures(db: Db, key: string): Promise<void> {
  await tables(db).deleteFrom("login_failure").where("key", "=", key).execute();
}

// ————————————————————————————————————————————————————————————— the journal

export interface JournalFilter {
  personId?: number;
  action?: string;
  target?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** Only rows whose territory is one of these (a coordinator's territory and what it contains). */
  territories?: string[];
}

type JournalRow = Selectable<AccountTables["journal"]>;

const toEntry = (r: JournalRow): JournalEntry => ({
  id: Number(r.id),
  at: r.at,
  personId: r.person_id,
  organisationId: r.organisation_id,
  role: r.role,
  action: r.action,
  target: r.target,
  territoryId: r.territory_id,
  address: r.address,
  details: (typeof r.details === "string" ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
});

function filtered(db: Db, f: JournalFilter) {
  let q = tables(db).selectFrom("journal");
  if (f.personId !== undefined) q = q.where("person_id", "=", f.personId);
  if (f.action !== undefined) q = q.where("action", "=", f.action);
  if (f.target !== undefined) q = q.where("target", "=", f.target);
  if (f.from !== undefined) q = q.where("at", ">=", f.from);
  if (f.to !== undefined) q = q.where("at", "<", f.to);
  if (f.territories !== undefined) q = q.where("territory_id", "in", f.territories);
  return q;
}

/** One page of the journal, the newest first, with the number of rows that match. */
export async function listJournal(
  db: Db,
  f: JournalFilter & { limit: number; offset: number },
): Promise<{ entries: JournalEntry[]; total: number }> {
  if (f.territories?.length === 0) return { entries: [], total: 0 };
  const [rows, count] = await Promise.all([
    filtered(db, f).selectAll().orderBy("id", "desc").limit(f.limit).offset(f.offset).execute(),
    filtered(db, f)
      .select((e) => e.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { entries: rows.map((r) => toEntry(r as JournalRow)), total: Number(count.n) };
}

/**
 * Every matching row, the newest first, read in pages of `pageSize` by id (keyset: constant memory, no row
 * missed or repeated while others are appended), for the CSV export.
 */
export async function* journalPages(
  db: Db,
  f: JournalFilter,
  pageSize = 1000,
): AsyncGenerator<JournalEntry[]> {
  if (f.territories?.length === 0) return;
  let before: string | null = null;
  for (;;) {
    let q = filtered(db, f).selectAll();
    if (before !== null) q = q.where("id", "<", before);
    const rows = await q.orderBy("id", "desc").limit(pageSize).execute();
    if (rows.length === 0) return;
    yield rows.map((r) => toEntry(r as JournalRow));
    if (rows.length < pageSize) return;
    before = rows[rows.length - 1]?.id ?? null;
  }
}

// ————————————————————————————————————————————————————————————— retention

/** How long each kind of personal data is kept, in days (`maillage privacy purge`). */
export interface Retention {
  /** Journal rows older than this are deleted. */
  journalDays: number;
  /** Sessions created, tokens revoked or expired, and sign-in failures recorded longer ago than this. */
  sessionsDays: number;
  /** Invitations (used or not) created longer ago than this. */
  invitationsDays: number;
  /** People deactivated longer ago than this are deleted, with their memberships, codes, sessions and tokens. */
  inactiveAccountsDays: number;
}

export interface Purgeable {
  journal: number;
  sessions: number;
  tokens: number;
  failures: number;
  invitations: number;
  /** The people whose accounts would be deleted. */
  people: Pick<Person, "id" | "email" | "name">[];
  /** The other capabilities' personal data past retention (mandates…), by the rule's label. */
  others: { label: string; count: number }[];
}

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);

function cutoffs(now: Date, r: Retention) {
  return {
    journal: daysBefore(now, r.journalDays),
    sessions: daysBefore(now, r.sessionsDays),
    invitations: daysBefore(now, r.invitationsDays),
    accounts: daysBefore(now, r.inactiveAccountsDays),
  };
}

/** What a purge at `now` would delete. */
export async function purgeable(
  db: Db,
  now: Date,
  retention: Retention,
  rules: readonly RetentionRule[] = [],
): Promise<Purgeable> {
  const c = cutoffs(now, retention);
  const counts = await sql<Record<Exclude<keyof Purgeable, "people">, string>>`SELECT
    (SELECT count(*) FROM journal WHERE at < ${c.journal})::text AS journal,
    (SELECT count(*) FROM session WHERE created_at < ${c.sessions})::text AS sessions,
    (SELECT count(*) FROM api_token WHERE revoked_at < ${c.sessions} OR expires_at < ${c.sessions})::text AS tokens,
    (SELECT count(*) FROM login_failure WHERE at < ${c.sessions})::text AS failures,
    (SELECT count(*) FROM invitation WHERE created_at < ${c.invitations})::text AS invitations`.execute(db);
  const n = counts.rows[0];
  const people = await tables(db)
    .selectFrom("person")
    .select(["id", "email", "name"])
    .where("active", "=", false)
    .where("deactivated_at", "<", c.accounts)
    .orderBy("id")
    .execute();
  return {
    journal: Number(n?.journal ?? 0),
    sessions: Number(n?.sessions ?? 0),
    tokens: Number(n?.tokens ?? 0),
    failures: Number(n?.failures ?? 0),
    invitations: Number(n?.invitations ?? 0),
    people,
    others: await Promise.all(rules.map(async (r) => ({ label: r.label, count: await r.count(db, now) }))),
  };
}

/**
 * Deletes what is past retention at `now`, in one transaction that also journals the purge (with the counts).
 * Old journal rows go through the one path the trigger allows: the transaction-local settings
 * `maillage.purge_journal` = 'on' and `maillage.purge_before` = the cutoff, cleared again before anything else.
 */
export async function purge(
  db: Db,
  now: Date,
  retention: Retention,
  by: JournalBy,
  rules: readonly RetentionRule[] = [],
): Promise<Purgeable> {
  return inTransaction(db, async (trx) => {
    const found = await purgeable(trx as unknown as Db, now, retention, rules);
    const c = cutoffs(now, retention);
    const journalCutoff = c.journal;
    await sql`SELECT set_config('maillage.purge_journal', 'on', true),
      set_config('maillage.purge_before', ${journalCutoff.toISOString()}, true)`.execute(trx);
    await trx.deleteFrom("journal").where("at", "<", journalCutoff).execute();
    await sql`SELECT set_config('maillage.purge_journal', 'off', true),
      set_config('maillage.purge_before', '', true)`.execute(trx);
    const sessionsCutoff = c.sessions;
    await trx.deleteFrom("session").where("created_at", "<", sessionsCutoff).execute();
    await trx
      .deleteFrom("api_token")
      .where((e) => e.or([e("revoked_at", "<", sessionsCutoff), e("expires_at", "<", sessionsCutoff)]))
      .execute();
    await trx.deleteFrom("login_failure").where("at", "<", sessionsCutoff).execute();
    await trx.deleteFrom("invitation").where("created_at", "<", c.invitations).execute();
    if (found.people.length > 0)
      await trx
        .deleteFrom("person")
        .where(
          "id",
          "in",
          found.people.map((p) => p.id),
        )
        .execute();
    for (const rule of rules) await rule.purge(trx as unknown as Db, now);
    await appendJournal(trx as unknown as Db, {
      ...by,
      at: now,
      action: "confidentialite.purger",
      details: {
        journal: found.journal,
        sessions: found.sessions,
        jetons: found.tokens,
        echecs: found.failures,
        invitations: found.invitations,
        comptes: found.people.length,
        ...Object.fromEntries(found.others.map((o) => [o.label, o.count])),
        ...retention,
      },
    });
    return found;
  });
}
