/**
 * The pass numérique's tables (nothing else touches them):
 * - `pass_programme` and `pass_programme_place`: a financeur's programme and the organisations allowed to redeem;
 * - `pass_booklet`: each booklet, its state and what its handing recorded (pseudonymous: no name);
 * - `pass_cheque`: each cheque, its unique code and state; `valid_until`/`claim_until` set when handed;
 * - `pass_ledger`: the append-only ledger, one row per transition of a booklet or a cheque, with its cheques and
 *   cents; balances are derived from it (`ledgerSums`), never stored twice; a trigger refuses updates and deletes;
 * - `pass_statement`: the monthly statement of a place for a programme, and its payment.
 * Every transition is one conditional UPDATE (`WHERE state = …`) and its ledger rows in one transaction: two people
 * (or 200 requests) doing the same transition, one gets through. A cheque's redemption is also unique in the ledger
 * (a partial unique index): it happens once, ever, by the database.
 * Days are text "AAAA-MM-JJ" in the programme's zone, as elsewhere in Maillage.
 */
import { type Kysely, type Migration, sql } from "kysely";
import { appendJournal, type JournalBy } from "../accounts/store.ts";
import { dayIn } from "../platform/clock.ts";
import type { Db } from "../platform/db.ts";
import { newCode } from "./code.ts";
import {
  type AgeBracket,
  bookletSerial,
  CHEQUE_STATES,
  type ChequeState,
  type ChequeView,
  claimUntil,
  type LedgerKind,
  type LedgerSums,
  monthBounds,
  type Programme,
  type Public,
  type StateCounts,
  validUntil,
} from "./model.ts";

export const LEDGER_IMMUTABLE = "le registre des pass ne s'efface pas et ne se modifie pas";

export const passMigrations: Record<string, Migration> = {
  "0025_pass": {
    async up(db: Kysely<unknown>) {
      await sql`CREATE TABLE pass_programme (
        id serial PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        organisation_id integer NOT NULL,
        territory_id text NOT NULL,
        zone text NOT NULL,
        publics text[] NOT NULL,
        face_value_cents integer NOT NULL CHECK (face_value_cents > 0),
        booklet_size integer NOT NULL CHECK (booklet_size IN (5, 10)),
        validity_months integer NOT NULL CHECK (validity_months BETWEEN 1 AND 36),
        last_date text NOT NULL CHECK (last_date ~ '^\\d{4}-\\d{2}-\\d{2}$'),
        grace_days integer NOT NULL CHECK (grace_days BETWEEN 0 AND 180),
        budget_cents bigint NOT NULL CHECK (budget_cents >= 0),
        next_rank integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL
      )`.execute(db);
      await sql`CREATE TABLE pass_programme_place (
        programme_id integer NOT NULL REFERENCES pass_programme(id),
        organisation_id integer NOT NULL,
        PRIMARY KEY (programme_id, organisation_id)
      )`.execute(db);
      await sql`CREATE TABLE pass_booklet (
        serial text PRIMARY KEY,
        programme_id integer NOT NULL REFERENCES pass_programme(id),
        rank integer NOT NULL,
        state text NOT NULL CHECK (state IN ('commande','attribue','remis','annule')),
        ordered_at timestamptz NOT NULL,
        allocated_to integer,
        allocated_at timestamptz,
        handed_by integer,
        handed_on text,
        beneficiary text,
        commune_code text,
        age_bracket text,
        diagnostic_id integer,
        valid_until text,
        claim_until text,
        UNIQUE (programme_id, rank),
        CHECK (state IN ('commande','annule') OR allocated_to IS NOT NULL),
        CHECK ((state = 'remis') = (handed_on IS NOT NULL))
      )`.execute(db);
      await sql`CREATE INDEX pass_booklet_allocated ON pass_booklet (allocated_to, state)`.execute(db);
      await sql`CREATE TABLE pass_cheque (
        code text PRIMARY KEY CHECK (code ~ '^[2-9A-HJKMNP-Z]{10}$'),
        serial text NOT NULL REFERENCES pass_booklet(serial),
        programme_id integer NOT NULL REFERENCES pass_programme(id),
        rank smallint NOT NULL,
        state text NOT NULL CHECK (state IN (${sql.raw(CHEQUE_STATES.map((s) => `'${s}'`).join(","))})),
        valid_until text,
        claim_until text,
        redeemed_at timestamptz,
        redeemed_on text,
        redeemed_by integer,
        workshop_on text,
        workshop_minutes integer CHECK (workshop_minutes BETWEEN 15 AND 120),
        UNIQUE (serial, rank),
        CHECK ((state = 'encaisse') = (redeemed_at IS NOT NULL))
      )`.execute(db);
      await sql`CREATE INDEX pass_cheque_programme ON pass_cheque (programme_id, state)`.execute(db);
      await sql`CREATE INDEX pass_cheque_redeemed ON pass_cheque (redeemed_on) WHERE redeemed_on IS NOT NULL`.execute(
        db,
      );
      await sql`CREATE TABLE pass_statement (
        id serial PRIMARY KEY,
        month text NOT NULL CHECK (month ~ '^\\d{4}-\\d{2}$'),
        programme_id integer NOT NULL REFERENCES pass_programme(id),
        organisation_id integer NOT NULL,
        cheques integer NOT NULL CHECK (cheques > 0),
        cents bigint NOT NULL CHECK (cents > 0),
        drawn_at timestamptz NOT NULL,
        paid_at timestamptz,
        UNIQUE (month, programme_id, organisation_id)
      )`.execute(db);
      await sql`CREATE TABLE pass_ledger (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        programme_id integer NOT NULL REFERENCES pass_programme(id),
        kind text NOT NULL CHECK (kind IN ('commande','attribution','remise','encaissement','expiration','annulation','paiement')),
        serial text,
        code text,
        statement_id integer,
        organisation_id integer,
        person_id integer,
        cheques integer NOT NULL CHECK (cheques >= 0),
        cents bigint NOT NULL CHECK (cents >= 0)
      )`.execute(db);
      await sql`CREATE INDEX pass_ledger_programme ON pass_ledger (programme_id, kind)`.execute(db);
      // Once, ever: a cheque is redeemed once, a booklet handed once, a statement paid once.
      await sql`CREATE UNIQUE INDEX pass_ledger_once_redeemed ON pass_ledger (code) WHERE kind = 'encaissement'`.execute(
        db,
      );
      await sql`CREATE UNIQUE INDEX pass_ledger_once_handed ON pass_ledger (serial) WHERE kind = 'remise'`.execute(
        db,
      );
      await sql`CREATE UNIQUE INDEX pass_ledger_once_paid ON pass_ledger (statement_id) WHERE kind = 'paiement'`.execute(
        db,
      );
      await sql`CREATE FUNCTION pass_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
          RAISE EXCEPTION '${sql.raw(LEDGER_IMMUTABLE.replaceAll("'", "''"))}' USING ERRCODE = 'insufficient_privilege';
        END
      $body$`.execute(db);
      await sql`CREATE TRIGGER pass_ledger_append_only BEFORE UPDATE OR DELETE ON pass_ledger
        FOR EACH ROW EXECUTE FUNCTION pass_ledger_append_only()`.execute(db);
      await sql`CREATE TRIGGER pass_ledger_no_truncate BEFORE TRUNCATE ON pass_ledger
        FOR EACH STATEMENT EXECUTE FUNCTION pass_ledger_append_only()`.execute(db);
    },
  },
};

type Row = Record<string, unknown>;
const rows = async <T extends Row>(db: Db, q: ReturnType<typeof sql<T>>): Promise<T[]> =>
  (await q.execute(db)).rows;

/** Runs `work` in a transaction, or in the one `db` already is. */
async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute((trx) => work(trx as unknown as Db));
}

interface LedgerWrite {
  at: Date;
  programmeId: number;
  kind: LedgerKind;
  serial?: string | null;
  code?: string | null;
  statementId?: number | null;
  organisationId?: number | null;
  personId?: number | null;
  cheques: number;
  cents: number;
}

/** The ledger row of a whole booklet moving on (allocation, handing): its cheques and their value. */
const bookletRow = (
  p: Pick<Programme, "id" | "bookletSize" | "faceValueCents">,
  kind: "attribution" | "remise",
  serial: string,
  organisationId: number,
  by: JournalBy,
  at: Date,
): LedgerWrite => ({
  at,
  programmeId: p.id,
  kind,
  serial,
  organisationId,
  personId: by.personId,
  cheques: p.bookletSize,
  cents: p.bookletSize * p.faceValueCents,
});

async function appendLedger(db: Db, entries: LedgerWrite[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 1000) {
    const part = entries.slice(i, i + 1000);
    await sql`INSERT INTO pass_ledger (at, programme_id, kind, serial, code, statement_id, organisation_id, person_id, cheques, cents)
      VALUES ${sql.join(
        part.map(
          (e) =>
            sql`(${e.at}, ${e.programmeId}, ${e.kind}, ${e.serial ?? null}, ${e.code ?? null}, ${e.statementId ?? null}, ${e.organisationId ?? null}, ${e.personId ?? null}, ${e.cheques}, ${e.cents})`,
        ),
      )}`.execute(db);
  }
}

// ————————————————————————————————————————————————————————————— programmes

export interface NewProgramme {
  name: string;
  organisationId: number;
  territoryId: string;
  zone: string;
  publics: Public[];
  faceValueCents: number;
  bookletSize: 5 | 10;
  validityMonths: number;
  lastDate: string;
  graceDays: number;
  budgetCents: number;
  placeOrganisationIds: number[];
}

type ProgrammeRow = {
  id: number;
  name: string;
  organisation_id: number;
  territory_id: string;
  zone: string;
  publics: string[];
  face_value_cents: number;
  booklet_size: number;
  validity_months: number;
  last_date: string;
  grace_days: number;
  budget_cents: string | number;
  created_at: Date;
  places: number[] | null;
};

const toProgramme = (r: ProgrammeRow): Programme => ({
  id: r.id,
  name: r.name,
  organisationId: r.organisation_id,
  territoryId: r.territory_id,
  zone: r.zone,
  publics: r.publics as Public[],
  faceValueCents: r.face_value_cents,
  bookletSize: r.booklet_size as 5 | 10,
  validityMonths: r.validity_months,
  lastDate: r.last_date,
  graceDays: r.grace_days,
  budgetCents: Number(r.budget_cents),
  placeOrganisationIds: (r.places ?? []).map(Number),
  createdAt: r.created_at,
});

const PROGRAMME_SELECT = sql`SELECT p.*, (SELECT array_agg(organisation_id ORDER BY organisation_id)
  FROM pass_programme_place pp WHERE pp.programme_id = p.id) AS places FROM pass_programme p`;

/** Creates a programme (journaled `pass.programme.creer`). */
export async function createProgramme(db: Db, p: NewProgramme, by: JournalBy, at: Date): Promise<Programme> {
  return inTransaction(db, async (trx) => {
    const [r] = await rows<{ id: number }>(
      trx,
      sql`INSERT INTO pass_programme (name, organisation_id, territory_id, zone, publics, face_value_cents,
          booklet_size, validity_months, last_date, grace_days, budget_cents, created_at)
        VALUES (${p.name}, ${p.organisationId}, ${p.territoryId}, ${p.zone}, ${p.publics}, ${p.faceValueCents},
          ${p.bookletSize}, ${p.validityMonths}, ${p.lastDate}, ${p.graceDays}, ${p.budgetCents}, ${at})
        RETURNING id`,
    );
    const id = (r as { id: number }).id;
    await setProgrammePlaces(trx, id, p.placeOrganisationIds);
    await appendJournal(trx, {
      ...by,
      at,
      action: "pass.programme.creer",
      target: `programme:${id}`,
      territoryId: p.territoryId,
      details: { nom: p.name, valeur: p.faceValueCents, carnet: p.bookletSize, budget: p.budgetCents },
    });
    return (await getProgramme(trx, id)) as Programme;
  });
}

async function setProgrammePlaces(trx: Db, id: number, organisationIds: number[]): Promise<void> {
  await sql`DELETE FROM pass_programme_place WHERE programme_id = ${id}`.execute(trx);
  if (organisationIds.length > 0)
    await sql`INSERT INTO pass_programme_place (programme_id, organisation_id)
      VALUES ${sql.join([...new Set(organisationIds)].map((o) => sql`(${id}, ${o})`))}`.execute(trx);
}

export async function getProgramme(db: Db, id: number): Promise<Programme | null> {
  const [r] = await rows<ProgrammeRow>(db, sql`${PROGRAMME_SELECT} WHERE p.id = ${id}`);
  return r ? toProgramme(r) : null;
}

/**
 * Every programme (newest first, at most 500), each with whether `organisationId` takes part in it: as its
 * financeur, as a labelled place, or as a prescriber with booklets. The routes keep those the actor may see.
 */
export async function programmesFor(
  db: Db,
  organisationId: number,
): Promise<{ programme: Programme; takesPart: boolean }[]> {
  const list = await rows<ProgrammeRow & { takes_part: boolean }>(
    db,
    sql`SELECT * FROM (${PROGRAMME_SELECT}) x, LATERAL (SELECT x.organisation_id = ${organisationId}
      OR ${organisationId} = ANY(coalesce(x.places, '{}'))
      OR EXISTS (SELECT 1 FROM pass_booklet b WHERE b.programme_id = x.id AND b.allocated_to = ${organisationId})
      AS takes_part) t
      ORDER BY x.id DESC LIMIT 500`,
  );
  return list.map((r) => ({ programme: toProgramme(r), takesPart: r.takes_part }));
}

// ————————————————————————————————————————————————————————————— booklets

interface OrderedBooklet {
  serial: string;
  codes: string[];
}

export type OrderResult = { ok: true; booklets: OrderedBooklet[] } | { ok: false; message: string };

/**
 * Orders `count` booklets of a programme: serials follow the programme's counter, each cheque gets a new code. The
 * budget is checked under the programme's row lock (two orders at once cannot exceed it together).
 */
export async function orderBooklets(
  db: Db,
  programmeId: number,
  count: number,
  by: JournalBy,
  at: Date,
): Promise<OrderResult> {
  return inTransaction(db, async (trx) => {
    const [p] = await rows<{
      next_rank: number;
      booklet_size: number;
      face_value_cents: number;
      budget_cents: string;
      territory_id: string;
      ordered: string;
    }>(
      trx,
      sql`SELECT next_rank, booklet_size, face_value_cents, budget_cents, territory_id,
        (SELECT coalesce(sum(cents), 0) FROM pass_ledger l WHERE l.programme_id = p.id AND l.kind = 'commande')
          - (SELECT coalesce(sum(cents), 0) FROM pass_ledger l WHERE l.programme_id = p.id AND l.kind = 'annulation') AS ordered
        FROM pass_programme p WHERE id = ${programmeId} FOR UPDATE`,
    );
    if (!p) return { ok: false, message: "Ce programme n'existe pas." };
    const bookletCents = p.booklet_size * p.face_value_cents;
    const left = Number(p.budget_cents) - Number(p.ordered);
    if (count * bookletCents > left)
      return {
        ok: false,
        message: `Le budget restant du programme permet ${Math.max(0, Math.floor(left / bookletCents))} carnet(s) : commandez-en moins ou augmentez le budget. Rien n'a été commandé.`,
      };
    const booklets: OrderedBooklet[] = [];
    for (let i = 0; i < count; i++) {
      const codes = Array.from({ length: p.booklet_size }, newCode);
      booklets.push({ serial: bookletSerial(programmeId, p.next_rank + i), codes });
    }
    for (let i = 0; i < booklets.length; i += 500) {
      const part = booklets.slice(i, i + 500);
      await sql`INSERT INTO pass_booklet (serial, programme_id, rank, state, ordered_at)
        VALUES ${sql.join(part.map((b, j) => sql`(${b.serial}, ${programmeId}, ${p.next_rank + i + j}, 'commande', ${at})`))}`.execute(
        trx,
      );
      await sql`INSERT INTO pass_cheque (code, serial, programme_id, rank, state)
        VALUES ${sql.join(
          part.flatMap((b) =>
            b.codes.map((c, k) => sql`(${c}, ${b.serial}, ${programmeId}, ${k + 1}, 'commande')`),
          ),
        )}`.execute(trx);
    }
    await sql`UPDATE pass_programme SET next_rank = next_rank + ${count} WHERE id = ${programmeId}`.execute(
      trx,
    );
    await appendLedger(
      trx,
      booklets.map((b) => ({
        at,
        programmeId,
        kind: "commande" as const,
        serial: b.serial,
        organisationId: by.organisationId,
        personId: by.personId,
        cheques: p.booklet_size,
        cents: bookletCents,
      })),
    );
    await appendJournal(trx, {
      ...by,
      at,
      action: "pass.commander",
      target: `programme:${programmeId}`,
      territoryId: p.territory_id,
      details: { carnets: count, premier: booklets[0]?.serial, dernier: booklets.at(-1)?.serial },
    });
    return { ok: true, booklets };
  });
}

export interface Booklet {
  serial: string;
  programmeId: number;
  rank: number;
  state: "commande" | "attribue" | "remis" | "annule";
  orderedAt: Date;
  allocatedTo: number | null;
  allocatedAt: Date | null;
  handedBy: number | null;
  handedOn: string | null;
  beneficiary: string | null;
  communeCode: string | null;
  ageBracket: AgeBracket | null;
  diagnosticId: number | null;
  validUntil: string | null;
  claimUntil: string | null;
  cheques: { code: string; rank: number; state: ChequeState; redeemedOn: string | null }[];
}

type BookletRow = {
  serial: string;
  programme_id: number;
  rank: number;
  state: Booklet["state"];
  ordered_at: Date;
  allocated_to: number | null;
  allocated_at: Date | null;
  handed_by: number | null;
  handed_on: string | null;
  beneficiary: string | null;
  commune_code: string | null;
  age_bracket: AgeBracket | null;
  diagnostic_id: number | null;
  valid_until: string | null;
  claim_until: string | null;
};

const toBooklet = (r: BookletRow, cheques: Booklet["cheques"]): Booklet => ({
  serial: r.serial,
  programmeId: r.programme_id,
  rank: r.rank,
  state: r.state,
  orderedAt: r.ordered_at,
  allocatedTo: r.allocated_to,
  allocatedAt: r.allocated_at,
  handedBy: r.handed_by,
  handedOn: r.handed_on,
  beneficiary: r.beneficiary,
  communeCode: r.commune_code,
  ageBracket: r.age_bracket,
  diagnosticId: r.diagnostic_id,
  validUntil: r.valid_until,
  claimUntil: r.claim_until,
  cheques,
});

export async function getBooklet(db: Db, serial: string): Promise<Booklet | null> {
  const [r] = await rows<BookletRow>(db, sql`SELECT * FROM pass_booklet WHERE serial = ${serial}`);
  if (!r) return null;
  const cheques = await rows<{ code: string; rank: number; state: ChequeState; redeemed_on: string | null }>(
    db,
    sql`SELECT code, rank, state, redeemed_on FROM pass_cheque WHERE serial = ${serial} ORDER BY rank`,
  );
  return toBooklet(
    r,
    cheques.map((c) => ({ code: c.code, rank: c.rank, state: c.state, redeemedOn: c.redeemed_on })),
  );
}

export interface BookletFilter {
  programmeId: number;
  state?: Booklet["state"];
  allocatedTo?: number;
}

/** Booklets of a programme, by rank, a page at a time (without their cheques). */
export async function listBooklets(
  db: Db,
  f: BookletFilter,
  page: { limit: number; offset: number },
): Promise<{ booklets: Booklet[]; total: number }> {
  const where = sql.join(
    [
      sql`programme_id = ${f.programmeId}`,
      ...(f.state ? [sql`state = ${f.state}`] : []),
      ...(f.allocatedTo !== undefined ? [sql`allocated_to = ${f.allocatedTo}`] : []),
    ],
    sql` AND `,
  );
  const list = await rows<BookletRow>(
    db,
    sql`SELECT * FROM pass_booklet WHERE ${where} ORDER BY rank LIMIT ${page.limit} OFFSET ${page.offset}`,
  );
  const [n] = await rows<{ n: string }>(db, sql`SELECT count(*) AS n FROM pass_booklet WHERE ${where}`);
  return { booklets: list.map((r) => toBooklet(r, [])), total: Number(n?.n ?? 0) };
}

export type AllocationResult = { ok: true; serials: string[] } | { ok: false; message: string };

/**
 * Allocates booklets not yet allocated to a prescriber organisation: the given serials, or the first `count` in rank
 * order. A booklet already allocated, handed or cancelled is refused (nothing written).
 */
export async function allocateBooklets(
  db: Db,
  programme: Programme,
  which: { serials: string[] } | { count: number },
  organisationId: number,
  by: JournalBy,
  at: Date,
): Promise<AllocationResult> {
  return inTransaction(db, async (trx) => {
    // The booklets asked for, locked; « the first n » picked once (a CTE: a LIMIT in the UPDATE's own subquery may
    // be evaluated again and update more rows than asked).
    const picked =
      "serials" in which
        ? sql`SELECT serial FROM pass_booklet WHERE serial IN (${sql.join(which.serials)}) FOR UPDATE`
        : sql`SELECT serial FROM pass_booklet WHERE programme_id = ${programme.id} AND state = 'commande'
            ORDER BY rank LIMIT ${which.count} FOR UPDATE SKIP LOCKED`;
    const wanted = "serials" in which ? which.serials.length : which.count;
    const done = await rows<{ serial: string }>(
      trx,
      sql`WITH picked AS MATERIALIZED (${picked})
        UPDATE pass_booklet SET state = 'attribue', allocated_to = ${organisationId}, allocated_at = ${at}
        WHERE serial IN (SELECT serial FROM picked) AND programme_id = ${programme.id} AND state = 'commande'
        RETURNING serial`,
    );
    if (done.length !== wanted) {
      const refused =
        "serials" in which
          ? `${wanted - done.length} de ces carnets ne sont pas disponibles (déjà attribués, remis ou annulés)`
          : `il ne reste que ${done.length} carnet(s) non attribué(s)`;
      // Undo this transaction's update: nothing is written when part of the request cannot be done.
      throw new RefusedAllocation(`Attribution impossible : ${refused}. Rien n'a été attribué.`);
    }
    const serials = done.map((d) => d.serial).sort();
    await sql`UPDATE pass_cheque SET state = 'attribue' WHERE serial IN (${sql.join(serials)})`.execute(trx);
    await appendLedger(
      trx,
      serials.map((serial) => bookletRow(programme, "attribution", serial, organisationId, by, at)),
    );
    await appendJournal(trx, {
      ...by,
      at,
      action: "pass.attribuer",
      target: `organisation:${organisationId}`,
      territoryId: programme.territoryId,
      details: {
        programme: programme.id,
        carnets: serials.length,
        premier: serials[0],
        dernier: serials.at(-1),
      },
    });
    return { ok: true as const, serials };
  }).catch((e: unknown) => {
    if (e instanceof RefusedAllocation) return { ok: false as const, message: e.message };
    throw e;
  });
}

class RefusedAllocation extends Error {}

export interface Handing {
  beneficiary: string | null;
  communeCode: string;
  ageBracket: AgeBracket | null;
  diagnosticId: number | null;
  handedOn: string;
}

export type HandingResult =
  | { ok: true; validUntil: string }
  | { ok: false; kind: "inconnu" | "deja-remis" | "pas-a-vous" | "annule" | "trop-tard"; message: string };

/**
 * Records that the prescriber organisation `organisationId` handed a booklet it was allocated: once (a conditional
 * update and the ledger's unique handing), never after the programme's last date.
 */
export async function handBooklet(
  db: Db,
  programme: Programme,
  serial: string,
  organisationId: number,
  h: Handing,
  by: JournalBy,
  at: Date,
): Promise<HandingResult> {
  if (h.handedOn > programme.lastDate)
    return {
      ok: false,
      kind: "trop-tard",
      message: "La date limite de remise de ce programme est passée : ce carnet ne peut plus être remis.",
    };
  const until = validUntil(programme, h.handedOn);
  const claim = claimUntil(programme, until);
  return inTransaction(db, async (trx) => {
    const [done] = await rows<{ serial: string }>(
      trx,
      sql`UPDATE pass_booklet SET state = 'remis', handed_by = ${organisationId}, handed_on = ${h.handedOn},
          beneficiary = ${h.beneficiary}, commune_code = ${h.communeCode}, age_bracket = ${h.ageBracket},
          diagnostic_id = ${h.diagnosticId}, valid_until = ${until}, claim_until = ${claim}
        WHERE serial = ${serial} AND programme_id = ${programme.id} AND state = 'attribue'
          AND allocated_to = ${organisationId}
        RETURNING serial`,
    );
    if (!done) {
      const [b] = await rows<{ state: string; allocated_to: number | null }>(
        trx,
        sql`SELECT state, allocated_to FROM pass_booklet WHERE serial = ${serial} AND programme_id = ${programme.id}`,
      );
      if (!b)
        return {
          ok: false as const,
          kind: "inconnu" as const,
          message: `Aucun carnet n'a le numéro ${serial}.`,
        };
      if (b.state === "remis")
        return {
          ok: false as const,
          kind: "deja-remis" as const,
          message: `Le carnet ${serial} a déjà été remis : un carnet ne se remet qu'une fois.`,
        };
      if (b.state === "annule")
        return {
          ok: false as const,
          kind: "annule" as const,
          message: `Le carnet ${serial} a été annulé : il ne peut plus être remis.`,
        };
      return {
        ok: false as const,
        kind: "pas-a-vous" as const,
        message: `Le carnet ${serial} n'a pas été attribué à votre structure : elle ne peut pas le remettre.`,
      };
    }
    await sql`UPDATE pass_cheque SET state = 'remis', valid_until = ${until}, claim_until = ${claim}
      WHERE serial = ${serial}`.execute(trx);
    await appendLedger(trx, [bookletRow(programme, "remise", serial, organisationId, by, at)]);
    await appendJournal(trx, {
      ...by,
      at,
      action: "pass.remettre",
      target: `carnet:${serial}`,
      territoryId: h.communeCode,
      details: { programme: programme.id, diagnostic: h.diagnosticId !== null },
    });
    return { ok: true as const, validUntil: until };
  });
}

// ————————————————————————————————————————————————————————————— cheques

type ChequeRow = {
  code: string;
  serial: string;
  state: ChequeState;
  programme_id: number;
  programme_name: string;
  face_value_cents: number;
  valid_until: string | null;
  claim_until: string | null;
  redeemed_at: Date | null;
  redeemed_by: number | null;
  places: number[] | null;
};

const CHEQUE_SELECT = sql`SELECT c.code, c.serial, c.state, c.programme_id, p.name AS programme_name,
  p.face_value_cents, c.valid_until, c.claim_until, c.redeemed_at, c.redeemed_by,
  (SELECT array_agg(organisation_id) FROM pass_programme_place pp WHERE pp.programme_id = p.id) AS places
  FROM pass_cheque c JOIN pass_programme p ON p.id = c.programme_id`;

const toCheque = (r: ChequeRow): ChequeView => ({
  code: r.code,
  serial: r.serial,
  state: r.state,
  programmeId: r.programme_id,
  programmeName: r.programme_name,
  faceValueCents: r.face_value_cents,
  validUntil: r.valid_until,
  claimUntil: r.claim_until,
  redeemedAt: r.redeemed_at,
  redeemedBy: r.redeemed_by === null ? null : String(r.redeemed_by),
  placeOrganisationIds: (r.places ?? []).map(Number),
});

export async function getCheque(db: Db, code: string): Promise<ChequeView | null> {
  const [r] = await rows<ChequeRow>(db, sql`${CHEQUE_SELECT} WHERE c.code = ${code}`);
  return r ? toCheque(r) : null;
}

export interface Redemption {
  organisationId: number;
  workshopOn: string;
  workshopMinutes: number;
}

/**
 * Redeems a cheque, once, ever: one conditional UPDATE (handed, within its claim period, a workshop held while it
 * was valid, at an organisation the programme allows), and its ledger row under a unique index, in one
 * transaction. Returns the cheque after the attempt and whether this call redeemed it.
 */
export async function redeemCheque(
  db: Db,
  code: string,
  r: Redemption,
  by: JournalBy,
  at: Date,
): Promise<{ redeemed: boolean; cheque: ChequeView | null }> {
  return inTransaction(db, async (trx) => {
    const [done] = await rows<{
      programme_id: number;
      face_value_cents: number;
      serial: string;
      zone: string;
    }>(
      trx,
      sql`UPDATE pass_cheque c SET state = 'encaisse', redeemed_at = ${at}, redeemed_by = ${r.organisationId},
          redeemed_on = to_char(${at}::timestamptz AT TIME ZONE p.zone, 'YYYY-MM-DD'),
          workshop_on = ${r.workshopOn}, workshop_minutes = ${r.workshopMinutes}
        FROM pass_programme p
        WHERE c.code = ${code} AND c.state = 'remis' AND p.id = c.programme_id
          AND ${r.workshopOn} <= c.valid_until
          AND to_char(${at}::timestamptz AT TIME ZONE p.zone, 'YYYY-MM-DD') <= c.claim_until
          AND EXISTS (SELECT 1 FROM pass_programme_place pp
            WHERE pp.programme_id = p.id AND pp.organisation_id = ${r.organisationId})
        RETURNING c.programme_id, p.face_value_cents, c.serial, p.zone`,
    );
    if (done) {
      await appendLedger(trx, [
        {
          at,
          programmeId: done.programme_id,
          kind: "encaissement",
          serial: done.serial,
          code,
          organisationId: r.organisationId,
          personId: by.personId,
          cheques: 1,
          cents: done.face_value_cents,
        },
      ]);
      await appendJournal(trx, {
        ...by,
        at,
        action: "pass.encaisser",
        target: `cheque:${code}`,
        details: { programme: done.programme_id, minutes: r.workshopMinutes },
      });
    }
    return { redeemed: done !== undefined, cheque: await getCheque(trx, code) };
  });
}

// ————————————————————————————————————————————————————————————— expiry

export interface ExpiryResult {
  expiredCheques: number;
  cancelledBooklets: number;
  /** Credit notes to financeurs: the value of the cancelled booklets, by programme. */
  credits: { programmeId: number; booklets: number; cents: number }[];
}

/**
 * Expires, in each programme's zone on the day of `now`: handed cheques past their claim period become expired;
 * booklets not handed by the programme's last date are cancelled and their value credited back to the financeur
 * (the ledger's `annulation` rows are the credit notes). Run on schedule by the server and `maillage pass expire`;
 * running it twice changes nothing.
 */
export async function expire(db: Db, now: Date, by: JournalBy): Promise<ExpiryResult> {
  const programmes = await rows<{
    id: number;
    zone: string;
    booklet_size: number;
    face_value_cents: number;
    territory_id: string;
  }>(db, sql`SELECT id, zone, booklet_size, face_value_cents, territory_id FROM pass_programme ORDER BY id`);
  const result: ExpiryResult = { expiredCheques: 0, cancelledBooklets: 0, credits: [] };
  for (const p of programmes) {
    const today = dayIn(now, p.zone);
    await inTransaction(db, async (trx) => {
      const expired = await rows<{ serial: string; n: string }>(
        trx,
        sql`WITH e AS (UPDATE pass_cheque SET state = 'expire'
            WHERE programme_id = ${p.id} AND state = 'remis' AND claim_until < ${today} RETURNING serial)
          SELECT serial, count(*) AS n FROM e GROUP BY serial ORDER BY serial`,
      );
      const cancelled = await rows<{ serial: string }>(
        trx,
        sql`UPDATE pass_booklet b SET state = 'annule' FROM pass_programme p
          WHERE b.programme_id = ${p.id} AND p.id = b.programme_id AND b.state IN ('commande', 'attribue')
            AND p.last_date < ${today}
          RETURNING b.serial`,
      );
      if (cancelled.length > 0)
        await sql`UPDATE pass_cheque SET state = 'annule' WHERE serial IN (${sql.join(cancelled.map((c) => c.serial))})`.execute(
          trx,
        );
      const bookletCents = p.booklet_size * p.face_value_cents;
      await appendLedger(trx, [
        ...expired.map((e) => ({
          at: now,
          programmeId: p.id,
          kind: "expiration" as const,
          serial: e.serial,
          cheques: Number(e.n),
          cents: Number(e.n) * p.face_value_cents,
        })),
        ...cancelled.map((c) => ({
          at: now,
          programmeId: p.id,
          kind: "annulation" as const,
          serial: c.serial,
          cheques: p.booklet_size,
          cents: bookletCents,
        })),
      ]);
      const n = expired.reduce((a, e) => a + Number(e.n), 0);
      if (n > 0 || cancelled.length > 0)
        await appendJournal(trx, {
          ...by,
          at: now,
          action: "pass.expirer",
          target: `programme:${p.id}`,
          territoryId: p.territory_id,
          details: {
            cheques_expires: n,
            carnets_annules: cancelled.length,
            avoir: cancelled.length * bookletCents,
          },
        });
      result.expiredCheques += n;
      result.cancelledBooklets += cancelled.length;
      if (cancelled.length > 0)
        result.credits.push({
          programmeId: p.id,
          booklets: cancelled.length,
          cents: cancelled.length * bookletCents,
        });
    });
  }
  return result;
}

// ————————————————————————————————————————————————————————————— statements

export interface Statement {
  id: number;
  month: string;
  programmeId: number;
  programmeName: string;
  financeurId: number;
  organisationId: number;
  cheques: number;
  cents: number;
  drawnAt: Date;
  paidAt: Date | null;
}

/**
 * Draws the statements of a finished month: per programme and place, the cheques recorded that month (in the
 * programme's zone). Drawing again adds only what is missing (a statement, once drawn, does not change).
 */
export async function drawStatements(db: Db, month: string, at: Date, by: JournalBy): Promise<number> {
  const { first, next } = monthBounds(month);
  return inTransaction(db, async (trx) => {
    const made = await rows<{ id: number }>(
      trx,
      sql`INSERT INTO pass_statement (month, programme_id, organisation_id, cheques, cents, drawn_at)
        SELECT ${month}, c.programme_id, c.redeemed_by, count(*), sum(p.face_value_cents), ${at}
        FROM pass_cheque c JOIN pass_programme p ON p.id = c.programme_id
        WHERE c.redeemed_on >= ${first} AND c.redeemed_on < ${next}
        GROUP BY c.programme_id, c.redeemed_by
        ON CONFLICT (month, programme_id, organisation_id) DO NOTHING
        RETURNING id`,
    );
    if (made.length > 0)
      await appendJournal(trx, {
        ...by,
        at,
        action: "pass.releves",
        target: `mois:${month}`,
        details: { releves: made.length },
      });
    return made.length;
  });
}

export interface StatementFilter {
  month?: string;
  /** Statements of programmes of this financeur. */
  financeurId?: number;
  /** Statements of this place's organisation. */
  organisationId?: number;
  programmeId?: number;
}

export async function listStatements(db: Db, f: StatementFilter): Promise<Statement[]> {
  const conditions = [
    ...(f.month ? [sql`s.month = ${f.month}`] : []),
    ...(f.financeurId !== undefined ? [sql`p.organisation_id = ${f.financeurId}`] : []),
    ...(f.organisationId !== undefined ? [sql`s.organisation_id = ${f.organisationId}`] : []),
    ...(f.programmeId !== undefined ? [sql`s.programme_id = ${f.programmeId}`] : []),
  ];
  const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
  const list = await rows<{
    id: number;
    month: string;
    programme_id: number;
    name: string;
    financeur: number;
    organisation_id: number;
    cheques: number;
    cents: string;
    drawn_at: Date;
    paid_at: Date | null;
  }>(
    db,
    sql`SELECT s.*, p.name, p.organisation_id AS financeur FROM pass_statement s
      JOIN pass_programme p ON p.id = s.programme_id ${where}
      ORDER BY s.month DESC, p.name, s.organisation_id LIMIT 1000`,
  );
  return list.map((s) => ({
    id: s.id,
    month: s.month,
    programmeId: s.programme_id,
    programmeName: s.name,
    financeurId: s.financeur,
    organisationId: s.organisation_id,
    cheques: s.cheques,
    cents: Number(s.cents),
    drawnAt: s.drawn_at,
    paidAt: s.paid_at,
  }));
}

/** Marks a statement paid, once (the ledger's `paiement`); false when it already was. */
export async function markPaid(db: Db, s: Statement, by: JournalBy, at: Date): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const [done] = await rows<{ id: number }>(
      trx,
      sql`UPDATE pass_statement SET paid_at = ${at} WHERE id = ${s.id} AND paid_at IS NULL RETURNING id`,
    );
    if (!done) return false;
    await appendLedger(trx, [
      {
        at,
        programmeId: s.programmeId,
        kind: "paiement",
        statementId: s.id,
        organisationId: s.organisationId,
        personId: by.personId,
        cheques: s.cheques,
        cents: s.cents,
      },
    ]);
    await appendJournal(trx, {
      ...by,
      at,
      action: "pass.payer",
      target: `releve:${s.id}`,
      details: { mois: s.month, montant: s.cents },
    });
    return true;
  });
}

// ————————————————————————————————————————————————————————————— indicators

/** Counts of one month and one organisation, before any protection (see `indicatorCounts`). */
export interface PassCounts {
  issued: { month: string; territory: string; org: number; cheques: number }[];
  handed: { month: string; org: number; booklets: number; cheques: number; redeemedByEnd: number }[];
  redeemed: { month: string; org: number; cheques: number; cents: number }[];
}

/**
 * The indicators' counts over a period (days inclusive), by month and organisation:
 * - issued: cheques of the booklets allocated to a prescriber that day (Paris time), with the programme's territory
 *   (a booklet not handed has no commune);
 * - handed: booklets handed (`handed_on`, the programme's day) to people of these communes (null: everywhere), by
 *   prescriber, their cheques, and how many of those were redeemed by the period's last day;
 * - redeemed: cheques redeemed (`redeemed_on`), counted in the commune of the booklet's handing, by place, and their
 *   face value in cents.
 */
export async function indicatorCounts(
  db: Db,
  communes: readonly string[] | null,
  from: string,
  to: string,
): Promise<PassCounts> {
  const inCommunes = communes ? sql`b.commune_code = ANY(${[...communes]}::text[])` : sql`true`;
  const paris = sql`to_char(b.allocated_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD')`;
  const issued = await rows<{ month: string; territory: string; org: number; cheques: string }>(
    db,
    sql`SELECT substr(${paris}, 1, 7) AS month, p.territory_id AS territory, b.allocated_to AS org,
        sum(p.booklet_size)::text AS cheques
      FROM pass_booklet b JOIN pass_programme p ON p.id = b.programme_id
      WHERE b.allocated_at IS NOT NULL AND ${paris} >= ${from} AND ${paris} <= ${to}
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  const handed = await rows<{
    month: string;
    org: number;
    booklets: string;
    cheques: string;
    redeemed: string;
  }>(
    db,
    sql`SELECT substr(b.handed_on, 1, 7) AS month, b.handed_by AS org, count(DISTINCT b.serial)::text AS booklets,
        count(c.code)::text AS cheques, (count(c.code) FILTER (WHERE c.redeemed_on <= ${to}))::text AS redeemed
      FROM pass_booklet b JOIN pass_cheque c ON c.serial = b.serial
      WHERE b.handed_on >= ${from} AND b.handed_on <= ${to} AND ${inCommunes}
      GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const redeemed = await rows<{ month: string; org: number; cheques: string; cents: string }>(
    db,
    sql`SELECT substr(c.redeemed_on, 1, 7) AS month, c.redeemed_by AS org, count(*)::text AS cheques,
        sum(p.face_value_cents)::text AS cents
      FROM pass_cheque c JOIN pass_booklet b ON b.serial = c.serial JOIN pass_programme p ON p.id = c.programme_id
      WHERE c.redeemed_on >= ${from} AND c.redeemed_on <= ${to} AND ${inCommunes}
      GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return {
    issued: issued.map((r) => ({ ...r, cheques: Number(r.cheques) })),
    handed: handed.map((r) => ({
      month: r.month,
      org: r.org,
      booklets: Number(r.booklets),
      cheques: Number(r.cheques),
      redeemedByEnd: Number(r.redeemed),
    })),
    redeemed: redeemed.map((r) => ({ ...r, cheques: Number(r.cheques), cents: Number(r.cents) })),
  };
}

// ————————————————————————————————————————————————————————————— the books

/** The ledger's sums by programme and kind. */
export async function ledgerSums(db: Db): Promise<Map<number, LedgerSums>> {
  const list = await rows<{ programme_id: number; kind: LedgerKind; cheques: string; cents: string }>(
    db,
    sql`SELECT programme_id, kind, sum(cheques) AS cheques, sum(cents) AS cents FROM pass_ledger GROUP BY 1, 2`,
  );
  const out = new Map<number, LedgerSums>();
  for (const r of list) {
    const s = out.get(r.programme_id) ?? {};
    s[r.kind] = { cheques: Number(r.cheques), cents: Number(r.cents) };
    out.set(r.programme_id, s);
  }
  return out;
}

/** Cheques by state, by programme. */
export async function stateCounts(db: Db): Promise<Map<number, StateCounts>> {
  const list = await rows<{ programme_id: number; state: ChequeState; n: string }>(
    db,
    sql`SELECT programme_id, state, count(*) AS n FROM pass_cheque GROUP BY 1, 2`,
  );
  const out = new Map<number, StateCounts>();
  for (const r of list) {
    const s =
      out.get(r.programme_id) ?? (Object.fromEntries(CHEQUE_STATES.map((k) => [k, 0])) as StateCounts);
    s[r.state] = Number(r.n);
    out.set(r.programme_id, s);
  }
  return out;
}

/** Every programme's id, name and face value (for the check). */
export async function programmeFaces(
  db: Db,
): Promise<{ id: number; name: string; faceValueCents: number }[]> {
  return (
    await rows<{ id: number; name: string; face_value_cents: number }>(
      db,
      sql`SELECT id, name, face_value_cents FROM pass_programme ORDER BY id`,
    )
  ).map((r) => ({ id: r.id, name: r.name, faceValueCents: r.face_value_cents }));
}
