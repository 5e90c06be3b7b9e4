import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { backends } from "../../test/support/db.ts";
import { migrations } from "../migrations.ts";
import { type Database, type Db, migrate } from "../platform/db.ts";
import { IDLE_MINUTES } from "./model.ts";
import {
  accountMigrations,
  addMembership,
  BY_SYSTEM,
  clearFailures,
  countFailures,
  countRecoveryCodesLeft,
  createInvitation,
  createOrganisation,
  createPerson,
  createSession,
  createToken,
  deactivateInactive,
  deactivatePerson,
  findPersonByEmail,
  findSession,
  findToken,
  getOrganisation,
  getPerson,
  type JournalBy,
  listJournal,
  listOrganisations,
  listSessions,
  listTokens,
  membershipsOf,
  recordFailure,
  recordLogin,
  recordTotpStep,
  removeMembership,
  revokeSession,
  revokeSessionsOf,
  revokeToken,
  setPassword,
  setTotp,
  touchSession,
  updateSession,
  useInvitation,
  useRecoveryCode,
} from "./store.ts";

const T0 = new Date("2026-11-02T09:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const hours = (n: number) => minutes(n * 60);
const days = (n: number) => minutes(n * 24 * 60);

/** The first admin, created by the command line. */
const ADMIN: JournalBy = { personId: 1, organisationId: 1, role: "admin", address: "192.0.2.1" };

async function journalCount(db: Db, action?: string): Promise<number> {
  return (await listJournal(db, { ...(action ? { action } : {}), limit: 1, offset: 0 })).total;
}

for (const backend of backends) {
  describe(`accounts store on ${backend.name}`, () => {
    let database: Database;
    let db: Db;
    before(async () => {
      database = await backend.open();
      db = database.db;
      await migrate(db, { ...migrations, ...accountMigrations });
    });
    after(() => database?.close());

    let serial = 0;
    const email = (name: string) => `${name}.${++serial}@example.org`;
    const person = (name: string, at = T0) => createPerson(db, { email: email(name), name }, at, BY_SYSTEM);
    const organisation = (territoryId = "23", siret: string | null = null) =>
      createOrganisation(
        db,
        { name: `Maison France Services ${++serial}`, kind: "france-services", siret, territoryId },
        T0,
        ADMIN,
      );

    test("organisations: created with their journal row, read, listed by territory", async () => {
      const before = await journalCount(db, "organisation.creer");
      const creuse = await createOrganisation(
        db,
        {
          name: "Conseil départemental de la Creuse",
          kind: "collectivite",
          siret: "22230001400019",
          territoryId: "23",
          placeIds: ["a", "b"],
        },
        T0,
        ADMIN,
      );
      const correze = await createOrganisation(
        db,
        { name: "CCAS de Tulle", kind: "ccas", siret: null, territoryId: "19" },
        T0,
        ADMIN,
      );
      assert.deepEqual(await getOrganisation(db, creuse.id), {
        id: creuse.id,
        name: "Conseil départemental de la Creuse",
        kind: "collectivite",
        siret: "22230001400019",
        territoryId: "23",
        placeIds: ["a", "b"],
        createdAt: T0,
      });
      assert.equal(await getOrganisation(db, 999_999), null);
      assert.equal(await journalCount(db, "organisation.creer"), before + 2);
      const row = (await listJournal(db, { target: `organisation:${correze.id}`, limit: 5, offset: 0 }))
        .entries;
      assert.deepEqual(
        row.map((e) => [e.action, e.territoryId, e.personId, e.role, e.address, e.details]),
        [["organisation.creer", "19", 1, "admin", "192.0.2.1", { type: "ccas" }]],
      );
      const inCreuse = await listOrganisations(db, {
        withinTerritories: ["23", "23096"],
        limit: 50,
        offset: 0,
      });
      assert.ok(inCreuse.organisations.some((o) => o.id === creuse.id));
      assert.ok(inCreuse.organisations.every((o) => o.territoryId !== "19"));
      assert.equal(inCreuse.total, inCreuse.organisations.length);
      assert.deepEqual(await listOrganisations(db, { withinTerritories: [], limit: 50, offset: 0 }), {
        organisations: [],
        total: 0,
      });
      const all = await listOrganisations(db, { limit: 1, offset: 1 });
      assert.equal(all.organisations.length, 1);
      assert.ok(all.total >= 2);
    });

    test("organisations: the database refuses a bad SIRET, a repeated SIRET, an unknown kind", async () => {
      const before = await journalCount(db);
      const bad = (siret: string) =>
        createOrganisation(db, { name: "X", kind: "association", siret, territoryId: "23" }, T0, ADMIN);
      await organisation("23", "21230096400016");
      await assert.rejects(bad("2123009640001"));
      await assert.rejects(bad("2123009640001A"));
      await assert.rejects(bad("21230096400016"));
      await assert.rejects(
        createOrganisation(
          db,
          // @ts-expect-error: a kind outside the list
          { name: "X", kind: "entreprise", siret: null, territoryId: "23" },
          T0,
          ADMIN,
        ),
      );
      // The failed changes left no journal row (same transaction).
      assert.equal(await journalCount(db), before + 1);
    });

    test("people: e-mails lower-cased and unique, read by e-mail or id, password set later", async () => {
      const p = await createPerson(
        db,
        { email: "  Jeanne.Martin@Example.org ", name: "Jeanne Martin", phone: "05 55 00 00 00" },
        T0,
        ADMIN,
      );
      assert.equal(p.email, "jeanne.martin@example.org");
      assert.equal(p.passwordHash, null);
      assert.equal(p.active, true);
      assert.equal(p.hasSecondFactor, false);
      assert.deepEqual(await findPersonByEmail(db, "JEANNE.MARTIN@example.org"), p);
      assert.deepEqual(await getPerson(db, p.id), p);
      assert.equal(await findPersonByEmail(db, "personne@example.org"), null);
      await assert.rejects(
        createPerson(db, { email: "jeanne.martin@EXAMPLE.org", name: "Autre" }, T0, ADMIN),
      );
      await assert.rejects(
        sql`INSERT INTO person (email, name, created_at) VALUES ('Majuscule@example.org', 'M', ${T0})`.execute(
          db,
        ),
      );
      // Setting the password closes every other session.
      const s = (id: string) =>
        createSession(
          db,
          { idHash: id, personId: p.id, csrfSecret: "c", idleMinutes: 120, secondFactorDone: true },
          T0,
        );
      await s("pw-keep");
      await s("pw-other");
      await setPassword(db, p.id, "$scrypt$hash", minutes(1), { ...ADMIN, personId: p.id }, "pw-keep");
      assert.equal((await getPerson(db, p.id))?.passwordHash, "$scrypt$hash");
      assert.notEqual(await findSession(db, "pw-keep", minutes(2)), null);
      assert.equal(await findSession(db, "pw-other", minutes(2)), null);
      assert.equal(await journalCount(db, "mot-de-passe.changer"), 1);
      await recordLogin(db, p.id, minutes(3));
      assert.deepEqual((await getPerson(db, p.id))?.lastLoginAt, minutes(3));
    });

    test("TOTP: enrolment replaces secret and codes; a replayed or older step is refused by the database", async () => {
      const p = await person("totp");
      assert.equal(await recordTotpStep(db, p.id, 100), false, "no secret, no step");
      await setTotp(db, p.id, "SECRET-1", ["c1", "c2", "c2"], T0, { ...ADMIN, personId: p.id });
      assert.equal((await getPerson(db, p.id))?.hasSecondFactor, true);
      assert.equal(await countRecoveryCodesLeft(db, p.id), 2);
      assert.equal(await recordTotpStep(db, p.id, 59_000_000), true);
      assert.equal(await recordTotpStep(db, p.id, 59_000_000), false, "same step: replay");
      assert.equal(await recordTotpStep(db, p.id, 58_999_999), false, "older step");
      assert.equal(await recordTotpStep(db, p.id, 59_000_001), true);
      // The same code sent twice at once: one passes.
      const both = await Promise.all([
        recordTotpStep(db, p.id, 59_000_002),
        recordTotpStep(db, p.id, 59_000_002),
      ]);
      assert.deepEqual(both.sort(), [false, true]);
      // Recovery codes: each once.
      assert.equal(await useRecoveryCode(db, p.id, "c1", minutes(1)), true);
      assert.equal(await useRecoveryCode(db, p.id, "c1", minutes(2)), false);
      assert.equal(await useRecoveryCode(db, p.id, "inconnu", minutes(2)), false);
      assert.equal(await countRecoveryCodesLeft(db, p.id), 1);
      // Re-enrolment: new secret, the old codes are gone, the step starts again.
      await setTotp(db, p.id, "SECRET-2", ["d1"], minutes(5), { ...ADMIN, personId: p.id });
      assert.equal(await useRecoveryCode(db, p.id, "c2", minutes(6)), false);
      assert.equal(await useRecoveryCode(db, p.id, "d1", minutes(6)), true);
      assert.equal(await recordTotpStep(db, p.id, 10), true);
      assert.equal((await getPerson(db, p.id))?.totpSecret, "SECRET-2");
      // Removal.
      await setTotp(db, p.id, null, ["ignored"], minutes(7), ADMIN);
      assert.equal((await getPerson(db, p.id))?.hasSecondFactor, false);
      assert.equal(await countRecoveryCodesLeft(db, p.id), 0);
      const actions = (
        await listJournal(db, { target: `personne:${p.id}`, limit: 10, offset: 0 })
      ).entries.map((e) => e.action);
      assert.deepEqual(actions, [
        "second-facteur.retirer",
        "second-facteur.activer",
        "second-facteur.activer",
        "personne.creer",
      ]);
    });

    test("memberships: territory from the organisation by default, unique, listed with their organisation", async () => {
      const p = await person("membre");
      const creuse = await organisation("23");
      const gueret = await organisation("23096");
      const m1 = await addMembership(
        db,
        { personId: p.id, organisationId: gueret.id, role: "mediateur" },
        T0,
        ADMIN,
      );
      assert.equal(m1.territoryId, "23096");
      const m2 = await addMembership(
        db,
        { personId: p.id, organisationId: creuse.id, role: "coordinateur", territoryId: "23" },
        T0,
        ADMIN,
      );
      const m3 = await addMembership(
        db,
        { personId: p.id, organisationId: creuse.id, role: "admin" },
        T0,
        ADMIN,
      );
      await assert.rejects(
        addMembership(db, { personId: p.id, organisationId: creuse.id, role: "admin" }, T0, ADMIN),
      );
      await assert.rejects(
        addMembership(db, { personId: p.id, organisationId: 999_999, role: "admin" }, T0, ADMIN),
      );
      await assert.rejects(
        // @ts-expect-error: a role outside the list
        addMembership(db, { personId: p.id, organisationId: creuse.id, role: "chef" }, T0, ADMIN),
      );
      const mine = await membershipsOf(db, p.id);
      assert.deepEqual(
        mine.map((m) => [m.id, m.role, m.territoryId, m.organisation.id, m.organisation.territoryId]),
        [
          [m3.id, "admin", "23", creuse.id, "23"],
          [m2.id, "coordinateur", "23", creuse.id, "23"],
          [m1.id, "mediateur", "23096", gueret.id, "23096"],
        ],
      );
      const journal = await listJournal(db, {
        action: "membre.ajouter",
        target: `personne:${p.id}`,
        limit: 9,
        offset: 0,
      });
      assert.equal(journal.total, 3);
      // Removing a membership revokes the sessions acting for it.
      await createSession(
        db,
        {
          idHash: "m-session",
          personId: p.id,
          membershipId: m1.id,
          csrfSecret: "c",
          idleMinutes: 120,
          secondFactorDone: true,
        },
        T0,
      );
      assert.equal(await removeMembership(db, m1.id, minutes(1), ADMIN), true);
      assert.equal(await removeMembership(db, m1.id, minutes(1), ADMIN), false);
      assert.equal(await findSession(db, "m-session", minutes(2)), null);
      assert.deepEqual(
        (await membershipsOf(db, p.id)).map((m) => m.role),
        ["admin", "coordinateur"],
      );
      assert.equal(await journalCount(db, "membre.retirer"), 1);
    });

    test("invitations: single use, expiry at the passed clock, two uses at once give exactly one", async () => {
      const org = await organisation("23");
      const invite = (tokenHash: string, expiresAt = hours(72)) =>
        createInvitation(
          db,
          {
            tokenHash,
            email: "Coordinatrice@Example.org",
            organisationId: org.id,
            role: "coordinateur",
            territoryId: "23",
            expiresAt,
            purpose: "invitation",
          },
          T0,
          ADMIN,
        );
      const i = await invite("inv-1");
      assert.equal(i.email, "coordinatrice@example.org");
      assert.equal(i.invitedBy, 1);
      const used = await useInvitation(db, "inv-1", hours(1));
      assert.deepEqual(used, { ...i, usedAt: hours(1) });
      assert.equal(await useInvitation(db, "inv-1", hours(2)), null, "reused");
      assert.equal(await useInvitation(db, "inconnue", hours(2)), null);
      await invite("inv-2");
      assert.equal(await useInvitation(db, "inv-2", hours(72)), null, "expired at 72 h");
      assert.notEqual(await useInvitation(db, "inv-2", minutes(72 * 60 - 1)), null);
      for (let round = 0; round < 5; round++) {
        await invite(`inv-race-${round}`);
        const results = await Promise.all(
          Array.from({ length: 4 }, () => useInvitation(db, `inv-race-${round}`, hours(1))),
        );
        assert.equal(results.filter((r) => r !== null).length, 1);
      }
      await assert.rejects(
        createInvitation(
          db,
          {
            tokenHash: "x",
            email: "a@example.org",
            organisationId: org.id,
            role: "admin",
            territoryId: "23",
            expiresAt: T0,
            // @ts-expect-error: a purpose outside the three
            purpose: "autre",
          },
          T0,
          ADMIN,
        ),
      );
      const sent = await listJournal(db, { action: "invitation.envoyer", limit: 1, offset: 0 });
      assert.equal(sent.total, 7);
      assert.equal(sent.entries[0]?.target, "email:coordinatrice@example.org");
    });

    test("sessions: idle and absolute expiry with the passed clock, revocation, listing", async () => {
      const p = await person("session");
      const admin = await createSession(
        db,
        {
          idHash: "s-admin",
          personId: p.id,
          csrfSecret: "csrf",
          idleMinutes: IDLE_MINUTES.admin,
          secondFactorDone: false,
          address: "198.51.100.7",
          userAgent: "Firefox",
        },
        T0,
      );
      assert.deepEqual(await findSession(db, "s-admin", minutes(14)), admin);
      assert.equal(await findSession(db, "s-admin", minutes(15)), null, "idle 15 minutes");
      assert.equal(
        await touchSession(db, "s-admin", minutes(15)),
        false,
        "an expired session is not revived",
      );
      assert.equal(await findSession(db, "nope", T0), null);
      // Seen every 10 minutes, it lives until the absolute 12 hours.
      await createSession(
        db,
        { idHash: "s-busy", personId: p.id, csrfSecret: "c", idleMinutes: 15, secondFactorDone: true },
        T0,
      );
      for (let m = 10; m < 12 * 60; m += 10)
        assert.equal(await touchSession(db, "s-busy", minutes(m)), true, `${m}`);
      assert.notEqual(await findSession(db, "s-busy", minutes(12 * 60 - 1)), null);
      assert.equal(await findSession(db, "s-busy", hours(12)), null, "absolute 12 h");
      // Membership chosen and second factor done.
      const org = await organisation("19");
      const m = await addMembership(
        db,
        { personId: p.id, organisationId: org.id, role: "prescripteur" },
        T0,
        ADMIN,
      );
      await createSession(
        db,
        { idHash: "s-a", personId: p.id, csrfSecret: "c", idleMinutes: 15, secondFactorDone: false },
        hours(20),
      );
      await updateSession(db, "s-a", {
        membershipId: m.id,
        idleMinutes: IDLE_MINUTES.prescripteur,
        secondFactorDone: true,
      });
      const a = await findSession(db, "s-a", hours(21));
      assert.equal(a?.membershipId, m.id);
      assert.equal(a?.secondFactorDone, true);
      assert.equal(a?.idleMinutes, 120);
      await createSession(
        db,
        { idHash: "s-b", personId: p.id, csrfSecret: "c", idleMinutes: 120, secondFactorDone: true },
        hours(20.5),
      );
      await createSession(
        db,
        { idHash: "s-c", personId: p.id, csrfSecret: "c", idleMinutes: 120, secondFactorDone: true },
        hours(20.25),
      );
      assert.deepEqual(
        (await listSessions(db, p.id, hours(21))).map((s) => s.idHash),
        ["s-b", "s-c", "s-a"],
      );
      assert.equal(await revokeSession(db, "s-c", hours(21)), true);
      assert.equal(await revokeSession(db, "s-c", hours(21)), false);
      assert.equal(await findSession(db, "s-c", hours(21)), null, "after logout");
      assert.equal(await touchSession(db, "s-c", hours(21)), false);
      assert.equal(await revokeSessionsOf(db, p.id, hours(21), "s-a"), 3, "s-b and the two expired ones");
      assert.deepEqual(
        (await listSessions(db, p.id, hours(21))).map((s) => s.idHash),
        ["s-a"],
      );
      assert.equal(await revokeSessionsOf(db, p.id, hours(21)), 1);
      assert.deepEqual(await listSessions(db, p.id, hours(21)), []);
      // Only the hash is stored: the column holds what was given, nothing else identifies the cookie.
      const cols = await sql<{ column_name: string }>`SELECT column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'session' ORDER BY column_name`.execute(db);
      assert.ok(cols.rows.every((c) => c.column_name !== "id"));
    });

    test("API tokens: found by hash while valid, marked used, expired or revoked refused", async () => {
      const p = await person("jeton");
      const other = await person("autre");
      const t1 = await createToken(
        db,
        { personId: p.id, label: "Tableur", tokenHash: "tok-1", expiresAt: days(30) },
        T0,
        { ...ADMIN, personId: p.id },
      );
      const t2 = await createToken(
        db,
        { personId: p.id, label: "Script", tokenHash: "tok-2", expiresAt: null },
        T0,
        ADMIN,
      );
      await assert.rejects(
        createToken(
          db,
          { personId: other.id, label: "Doublon", tokenHash: "tok-1", expiresAt: null },
          T0,
          ADMIN,
        ),
      );
      const found = await findToken(db, "tok-1", days(1));
      assert.deepEqual(found, { ...t1, lastUsedAt: days(1) });
      assert.equal(await findToken(db, "tok-1", days(30)), null, "expired");
      assert.equal(await findToken(db, "inconnu", days(1)), null);
      assert.equal(await revokeToken(db, other.id, t2.id, days(2), ADMIN), false, "not theirs");
      assert.equal(await revokeToken(db, p.id, t2.id, days(2), ADMIN), true);
      assert.equal(await revokeToken(db, p.id, t2.id, days(2), ADMIN), false);
      assert.equal(await findToken(db, "tok-2", days(3)), null, "revoked");
      assert.deepEqual(
        (await listTokens(db, p.id)).map((t) => [t.label, t.revokedAt]),
        [
          ["Script", days(2)],
          ["Tableur", null],
        ],
      );
      assert.deepEqual(await listTokens(db, other.id), []);
      assert.equal(await journalCount(db, "jeton.creer"), 2);
      assert.equal(await journalCount(db, "jeton.revoquer"), 1);
    });

    test("sign-in failures: counted per key since an instant, cleared", async () => {
      const key = `email:${email("echec")}`;
      for (let i = 0; i < 10; i++) await recordFailure(db, key, minutes(i));
      await recordFailure(db, "adresse:203.0.113.9", minutes(1));
      assert.equal(await countFailures(db, key, T0), 10);
      assert.equal(await countFailures(db, key, minutes(5)), 5);
      assert.equal(await countFailures(db, "adresse:203.0.113.9", T0), 1);
      await clearFailures(db, key);
      assert.equal(await countFailures(db, key, T0), 0);
      assert.equal(await countFailures(db, "adresse:203.0.113.9", T0), 1);
    });

    test("deactivation: by an admin or after 6 months unused, sessions and tokens revoked", async () => {
      const gone = await person("parti", days(-400));
      await recordLogin(db, gone.id, days(-200));
      const never = await person("jamais", days(-190));
      const recent = await person("recent", days(-400));
      await recordLogin(db, recent.id, days(-30));
      const young = await person("nouveau", days(-150));
      for (const [p, id] of [
        [gone, "d-gone"],
        [recent, "d-recent"],
      ] as const) {
        await createSession(
          db,
          { idHash: id, personId: p.id, csrfSecret: "c", idleMinutes: 120, secondFactorDone: true },
          T0,
        );
        await createToken(
          db,
          { personId: p.id, label: "t", tokenHash: `tok-${id}`, expiresAt: null },
          T0,
          ADMIN,
        );
      }
      assert.notEqual(await findSession(db, "d-gone", minutes(1)), null);
      const done = await deactivateInactive(db, minutes(1));
      const ids = done.map((p) => p.id);
      assert.ok(ids.includes(gone.id) && ids.includes(never.id));
      assert.ok(!ids.includes(recent.id) && !ids.includes(young.id));
      assert.ok(done.every((p) => !p.active && p.deactivatedAt?.getTime() === minutes(1).getTime()));
      assert.equal(await findSession(db, "d-gone", minutes(2)), null);
      assert.equal(await findToken(db, "tok-d-gone", minutes(2)), null);
      assert.notEqual(await findSession(db, "d-recent", minutes(2)), null);
      assert.deepEqual(await deactivateInactive(db, minutes(2)), [], "nothing twice");
      const rows = await listJournal(db, {
        target: `personne:${gone.id}`,
        action: "personne.desactiver",
        limit: 5,
        offset: 0,
      });
      assert.deepEqual(
        rows.entries.map((e) => [e.personId, e.details]),
        [[null, { motif: "inactivite", mois: 6 }]],
      );
      // By an admin.
      assert.equal(await deactivatePerson(db, recent.id, minutes(3), ADMIN), true);
      assert.equal(await deactivatePerson(db, recent.id, minutes(3), ADMIN), false);
      assert.equal(await findSession(db, "d-recent", minutes(4)), null);
      assert.equal(await findToken(db, "tok-d-recent", minutes(4)), null);
      assert.equal((await getPerson(db, recent.id))?.active, false);
    });
  });
}
