import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { backends } from "../../test/support/db.ts";
import { migrations } from "../migrations.ts";
import { type Database, type Db, migrate } from "../platform/db.ts";
import {
  accountMigrations,
  appendJournal,
  BY_SYSTEM,
  createOrganisation,
  createPerson,
  createSession,
  createToken,
  deactivatePerson,
  JOURNAL_IMMUTABLE,
  type JournalBy,
  journalPages,
  listJournal,
  purge,
  purgeable,
  recordFailure,
  withJournal,
} from "./store.ts";

const T0 = new Date("2026-11-02T09:00:00Z");
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);
const COORDINATOR: JournalBy = {
  personId: 7,
  organisationId: 3,
  role: "coordinateur",
  address: "192.0.2.10",
};

const count = async (db: Db) =>
  Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM journal`.execute(db)).rows[0]?.n);

for (const backend of backends) {
  describe(`the journal on ${backend.name}`, () => {
    let database: Database;
    let db: Db;
    before(async () => {
      database = await backend.open();
      db = database.db;
      await migrate(db, { ...migrations, ...accountMigrations });
    });
    after(() => database?.close());

    test("UPDATE, DELETE and TRUNCATE are refused by the database; the rows stay", async () => {
      await appendJournal(db, { ...COORDINATOR, at: T0, action: "connexion", target: "personne:7" });
      await appendJournal(db, {
        ...BY_SYSTEM,
        at: T0,
        action: "connexion.echec",
        target: "email:x@example.org",
      });
      const before = await count(db);
      const refused = { message: new RegExp(JOURNAL_IMMUTABLE) };
      await assert.rejects(sql`UPDATE journal SET action = 'x'`.execute(db), refused);
      await assert.rejects(sql`DELETE FROM journal`.execute(db), refused);
      await assert.rejects(sql`DELETE FROM journal WHERE action = 'connexion'`.execute(db), refused);
      await assert.rejects(sql`TRUNCATE journal`.execute(db), refused);
      // Even inside a transaction that asks for the purge without a cutoff, or with a cutoff before the rows.
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await sql`SET LOCAL maillage.purge_journal = 'on'`.execute(trx);
          await sql`DELETE FROM journal`.execute(trx);
        }),
        refused,
      );
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await sql`SELECT set_config('maillage.purge_journal', 'on', true),
            set_config('maillage.purge_before', ${days(-1).toISOString()}, true)`.execute(trx);
          await sql`DELETE FROM journal`.execute(trx);
        }),
        refused,
      );
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await sql`SELECT set_config('maillage.purge_journal', 'on', true),
            set_config('maillage.purge_before', ${days(1).toISOString()}, true)`.execute(trx);
          await sql`UPDATE journal SET action = 'x'`.execute(trx);
        }),
        refused,
      );
      assert.equal(await count(db), before);
      const actions = await sql<{ action: string }>`SELECT action FROM journal ORDER BY id`.execute(db);
      assert.deepEqual(actions.rows.map((r) => r.action).slice(0, 2), ["connexion", "connexion.echec"]);
    });

    test("a change and its journal row are written together: a failing change leaves no row", async () => {
      const before = await count(db);
      const entry = { ...COORDINATOR, at: T0, action: "organisation.creer" };
      await assert.rejects(
        withJournal(db, entry, async (trx) => {
          await createOrganisation(
            trx,
            { name: "A", kind: "ccas", siret: null, territoryId: "23" },
            T0,
            COORDINATOR,
          );
          await sql`INSERT INTO organisation (name, kind, territory_id, created_at) VALUES ('B', 'inconnu', '23', ${T0})`.execute(
            trx,
          );
        }),
      );
      assert.equal(await count(db), before);
      const orgs = await sql<{ n: string }>`SELECT count(*)::text AS n FROM organisation`.execute(db);
      assert.equal(orgs.rows[0]?.n, "0");
      // A row appended inside the transaction goes away with a failure that follows it.
      await assert.rejects(
        withJournal(db, entry, async (trx) => {
          await appendJournal(trx, { ...entry, action: "avant-echec" });
          throw new Error("échec");
        }),
      );
      assert.equal(await count(db), before);
      // The row is computed from the result; null writes nothing.
      const org = await withJournal(
        db,
        (o: { id: number }) => ({
          ...entry,
          action: "lieu.lier",
          target: `organisation:${o.id}`,
          territoryId: "23",
        }),
        (trx) =>
          createOrganisation(
            trx,
            { name: "C", kind: "ccas", siret: null, territoryId: "23" },
            T0,
            COORDINATOR,
          ),
      );
      assert.equal(await count(db), before + 2, "the organisation's own row and the wrapping one");
      const [last] = (await listJournal(db, { limit: 1, offset: 0 })).entries;
      assert.deepEqual([last?.action, last?.target], ["lieu.lier", `organisation:${org.id}`]);
      assert.equal(
        await withJournal(
          db,
          () => null,
          async () => 42,
        ),
        42,
      );
      assert.equal(await count(db), before + 2);
    });

    test("listJournal filters by person, action, target, period and a coordinator's territories", async () => {
      const at = (d: number, action: string, territoryId: string | null, by = COORDINATOR) =>
        appendJournal(db, { ...by, at: days(d), action, target: `t:${action}`, territoryId, details: { d } });
      await at(10, "lieu.modifier", "23");
      await at(11, "lieu.modifier", "23096");
      await at(12, "lieu.modifier", "19");
      await at(13, "personne.creer", "19", { ...COORDINATOR, personId: 8 });
      await at(14, "personne.creer", null);
      const creuse = await listJournal(db, {
        territories: ["23", "23096"],
        from: days(10),
        to: days(20),
        limit: 10,
        offset: 0,
      });
      assert.equal(creuse.total, 2);
      assert.deepEqual(
        creuse.entries.map((e) => [e.territoryId, e.details]),
        [
          ["23096", { d: 11 }],
          ["23", { d: 10 }],
        ],
      );
      assert.equal(
        (await listJournal(db, { territories: ["19"], from: days(10), limit: 10, offset: 0 })).total,
        2,
      );
      assert.equal((await listJournal(db, { territories: [], limit: 10, offset: 0 })).total, 0);
      assert.equal((await listJournal(db, { personId: 8, limit: 10, offset: 0 })).total, 1);
      assert.equal(
        (
          await listJournal(db, {
            action: "lieu.modifier",
            from: days(11),
            to: days(12),
            limit: 10,
            offset: 0,
          })
        ).total,
        1,
      );
      assert.equal((await listJournal(db, { target: "t:personne.creer", limit: 10, offset: 0 })).total, 2);
      const page2 = await listJournal(db, { from: days(10), limit: 2, offset: 2 });
      assert.deepEqual(
        page2.entries.map((e) => e.details.d),
        [12, 11],
      );
      assert.equal(page2.total, 5);
      // The export reads every row in pages, newest first, none twice.
      const pages: number[][] = [];
      for await (const p of journalPages(db, { from: days(10) }, 2))
        pages.push(p.map((e) => e.details.d as number));
      assert.deepEqual(pages, [[14, 13], [12, 11], [10]]);
      const coordinator: number[] = [];
      for await (const p of journalPages(db, { territories: ["23", "23096"], from: days(10) }, 1000))
        coordinator.push(...p.map((e) => e.details.d as number));
      assert.deepEqual(coordinator, [11, 10]);
      for await (const _ of journalPages(db, { territories: [] })) assert.fail("no territory, no row");
    });

    test("purge: what is past retention is listed, then deleted with --apply; the purge is journaled", async () => {
      const now = days(400);
      const retention = { journalDays: 365, sessionsDays: 30, invitationsDays: 30, inactiveAccountsDays: 90 };
      const p = await createPerson(db, { email: "ancien@example.org", name: "Ancien" }, days(0), BY_SYSTEM);
      await createSession(
        db,
        { idHash: "old", personId: p.id, csrfSecret: "c", idleMinutes: 120, secondFactorDone: true },
        days(1),
      );
      await createToken(
        db,
        { personId: p.id, label: "t", tokenHash: "old-token", expiresAt: days(5) },
        days(1),
        BY_SYSTEM,
      );
      await recordFailure(db, "email:ancien@example.org", days(2));
      await recordFailure(db, "email:ancien@example.org", days(399));
      await deactivatePerson(db, p.id, days(300), BY_SYSTEM);
      const keep = await createPerson(
        db,
        { email: "recent@example.org", name: "Récent" },
        days(399),
        BY_SYSTEM,
      );
      await deactivatePerson(db, keep.id, days(350), BY_SYSTEM);
      const journalBefore = await count(db);
      const old = Number(
        (await sql<{ n: string }>`SELECT count(*)::text AS n FROM journal WHERE at < ${days(35)}`.execute(db))
          .rows[0]?.n,
      );
      assert.ok(old > 0);
      const found = await purgeable(db, now, retention);
      assert.deepEqual(
        { ...found, people: found.people.map((x) => x.email) },
        {
          journal: old,
          sessions: 1,
          tokens: 1,
          failures: 1,
          invitations: 0,
          people: ["ancien@example.org"],
          others: [],
        },
      );
      // Listing deletes nothing.
      assert.equal(await count(db), journalBefore);
      const done = await purge(db, now, retention, { ...COORDINATOR, role: "admin" });
      assert.deepEqual(done, found);
      assert.equal(await count(db), journalBefore - old + 1);
      const [row] = (await listJournal(db, { action: "confidentialite.purger", limit: 1, offset: 0 }))
        .entries;
      assert.equal(row?.details.comptes, 1);
      assert.equal(row?.details.journal, old);
      assert.deepEqual(await purgeable(db, now, retention), {
        journal: 0,
        sessions: 0,
        tokens: 0,
        failures: 0,
        invitations: 0,
        people: [],
        others: [],
      });
      // The purge's settings do not outlive it: a plain DELETE still fails, on every row.
      await assert.rejects(sql`DELETE FROM journal`.execute(db), { message: new RegExp(JOURNAL_IMMUTABLE) });
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await purge(trx, now, retention, BY_SYSTEM);
          await sql`DELETE FROM journal`.execute(trx);
        }),
        { message: new RegExp(JOURNAL_IMMUTABLE) },
      );
      assert.equal(await count(db), journalBefore - old + 1);
    });
  });
}
