import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { backends } from "../../test/support/db.ts";
import { member, organisation } from "../../test/support/people.ts";
import {
  BY_SYSTEM,
  JOURNAL_IMMUTABLE,
  type JournalBy,
  listJournal,
  membershipsOf,
  purge,
  removeMembership,
  setTotp,
} from "../accounts/store.ts";
import { migrations } from "../migrations.ts";
import { type Clock, fixedClock } from "../platform/clock.ts";
import { type Database, type Db, migrate } from "../platform/db.ts";
import { mandats as capability } from "./capability.ts";
import { CURRENT_CHARTER, type Demarche, type Duration, hashOf, type Mandant } from "./model.ts";
import {
  createMandat,
  getMandat,
  habilitate,
  habilitationsOf,
  type Mandat,
  mandatByHash,
  type NewMandat,
  purgeableMandats,
  recordUse,
  revoke,
  transfer,
  usesOf,
  withdrawHabilitation,
} from "./store.ts";

/** A fictitious person (never a real one). */
const CAMILLE: Mandant = {
  givenNames: "Camille",
  familyName: "Exemple",
  birthDate: "1948-07-04",
  birthPlace: "Guéret",
  document: "carte-identite",
  contact: null,
};
const T = (iso: string) => new Date(iso);
const DAY = 86_400_000;
let codes = 0;

for (const backend of backends) {
  describe(`mandates store on ${backend.name}`, () => {
    let database: Database;
    let db: Db;
    const clock: Clock = fixedClock("2026-12-02T09:00:00Z");
    let orgA = 0;
    let orgB = 0;
    let aidant = 0;
    let aidantB = 0;
    let byA: JournalBy;

    const newMandat = (
      demarches: Demarche[],
      duration: Duration = 31,
      over: Partial<NewMandat> = {},
    ): NewMandat => ({
      organisationId: orgA,
      territoryId: "23",
      zone: "Europe/Paris",
      template: "2026-12",
      demarches,
      duration,
      mandant: CAMILLE,
      salt: `sel-${codes}`,
      code: `CODE${String(codes++).padStart(6, "0")}`,
      ...over,
    });
    async function create(
      demarches: Demarche[],
      at: Date,
      duration: Duration = 31,
      over: Partial<NewMandat> = {},
    ) {
      const r = await createMandat(
        db,
        newMandat(demarches, duration, over),
        over.organisationId === orgB ? aidantB : aidant,
        byA,
        at,
      );
      assert.ok(r.ok);
      return r.mandat;
    }
    const use = (m: Mandat, demarche: Demarche, at: Date, who = aidant, organisationId = orgA) =>
      recordUse(
        db,
        {
          mandatId: m.id,
          demarche,
          description: "Demande d'aide au logement déposée",
          doneOn: at.toISOString().slice(0, 10),
          organisationId,
        },
        who,
        byA,
        at,
      );

    before(async () => {
      database = await backend.open();
      db = database.db;
      await migrate(db, migrations);
      orgA = await organisation(db, clock, {
        name: "France Services d'essai (Creuse)",
        kind: "france-services",
        territoryId: "23",
      });
      orgB = await organisation(db, clock, {
        name: "Association d'essai (Corrèze)",
        kind: "association",
        territoryId: "19",
      });
      aidant = await member(db, clock, "aidant.mandats@example.org", orgA, "aidant");
      aidantB = await member(db, clock, "aidant.correze@example.org", orgB, "aidant");
      byA = { personId: aidant, organisationId: orgA, role: "aidant", address: null };
      for (const [p, o] of [
        [aidant, orgA],
        [aidantB, orgB],
      ] as const)
        assert.ok(
          await habilitate(
            db,
            {
              personId: p,
              organisationId: o,
              trainedOn: "2026-11-20",
              charter: CURRENT_CHARTER,
              territoryId: "23",
            },
            BY_SYSTEM,
            clock.now(),
          ),
        );
    });
    after(() => database?.close());

    test("a mandate: its hash is the hash of what is stored, its families run, its creation is journaled", async () => {
      const m = await create(["social", "logement"], T("2026-12-02T09:00:00Z"));
      assert.equal(m.expiresAt.toISOString(), "2027-01-02T09:00:00.000Z");
      assert.deepEqual(
        m.families.map((f) => [f.demarche, f.endReason]),
        [
          ["social", null],
          ["logement", null],
        ],
      );
      assert.equal(
        hashOf({
          ...m,
          organisationId: m.organisationId,
          aidantId: m.aidantId,
          demarches: ["social", "logement"],
        }),
        m.hash,
      );
      assert.equal((await mandatByHash(db, m.hash))?.id, m.id);
      const { entries } = await listJournal(db, { target: `mandat:${m.id}`, limit: 10, offset: 0 });
      assert.deepEqual(
        entries.map((e) => e.action),
        ["mandat.creer"],
      );
      assert.equal(
        entries[0]?.details.empreinte,
        undefined,
        "the hash opens the person's view: not in the journal",
      );
    });

    test("uses: recorded while the family runs, refused after its revocation and after expiry (injected clock)", async () => {
      const m = await create(["social", "logement"], T("2026-12-03T09:00:00Z"), 31, {
        mandant: { ...CAMILLE, givenNames: "Dominique" },
      });
      assert.ok(await use(m, "logement", T("2026-12-04T10:00:00Z")));
      const rev = await revoke(db, m, ["logement"], byA, T("2026-12-05T10:00:00Z"));
      assert.deepEqual(rev?.demarches, ["logement"]);
      assert.equal(await use(m, "logement", T("2026-12-05T10:00:01Z")), null, "revoked family");
      assert.ok(await use(m, "social", T("2026-12-05T10:00:01Z")), "the other family still runs");
      assert.equal(await use(m, "social", T("2027-01-03T09:00:00Z")), null, "expired (31 days)");
      assert.equal(
        (await use(m, "social", T("2027-01-03T08:59:59Z")))?.demarche,
        "social",
        "the last second still counts",
      );
      assert.equal(
        await revoke(db, m, ["logement"], byA, T("2026-12-06T10:00:00Z")),
        null,
        "nothing left to revoke",
      );
      const uses = await usesOf(db, [m.id]);
      assert.equal(uses.length, 3);
      const fresh = (await getMandat(db, m.id)) as Mandat;
      assert.equal(fresh.families.find((f) => f.demarche === "logement")?.endReason, "revocation");
    });

    test("uses: refused to another organisation's aidant, to an aidant without habilitation, second factor or membership", async () => {
      const m = await create(["social"], T("2026-12-04T09:00:00Z"), 182, {
        mandant: { ...CAMILLE, givenNames: "Alix" },
      });
      const at = T("2026-12-05T09:00:00Z");
      assert.equal(await use(m, "social", at, aidantB, orgB), null, "another organisation");
      assert.equal(await use(m, "social", at, aidantB, orgA), null, "not a member of this organisation");
      const second = await member(db, clock, "aidant.sans.habilitation@example.org", orgA, "aidant");
      assert.equal(await use(m, "social", at, second), null, "not habilitated");
      assert.ok(
        await habilitate(
          db,
          {
            personId: second,
            organisationId: orgA,
            trainedOn: "2026-11-01",
            charter: CURRENT_CHARTER,
            territoryId: "23",
          },
          BY_SYSTEM,
          at,
        ),
      );
      assert.ok(await use(m, "social", at, second), "habilitated now");
      await setTotp(db, second, null, [], at, BY_SYSTEM);
      assert.equal(await use(m, "social", at, second), null, "no second factor");
      await setTotp(db, second, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", [], at, BY_SYSTEM);
      assert.ok(await use(m, "social", at, second));
      // Leaving the organisation: the right goes at once.
      const membership = (await membershipsOf(db, second)).find(
        (x) => x.organisationId === orgA && x.role === "aidant",
      );
      assert.ok(membership && (await removeMembership(db, membership.id, at, BY_SYSTEM)));
      assert.equal(await use(m, "social", at, second), null, "left the organisation");
      // A withdrawn habilitation too.
      const h = (await habilitationsOf(db, orgA)).find((x) => x.personId === aidant && !x.withdrawnAt);
      assert.ok(h && (await withdrawHabilitation(db, h.id, BY_SYSTEM, at, "23")));
      assert.equal(await use(m, "social", at), null, "habilitation withdrawn");
      assert.ok(
        await habilitate(
          db,
          {
            personId: aidant,
            organisationId: orgA,
            trainedOn: "2026-11-20",
            charter: CURRENT_CHARTER,
            territoryId: "23",
          },
          BY_SYSTEM,
          at,
        ),
      );
      assert.ok(await use(m, "social", at));
    });

    test("a new mandate for a family already covered revokes the older authorisation for that family only", async () => {
      const who = { ...CAMILLE, givenNames: "Sacha" };
      const first = await create(["social", "logement"], T("2026-12-05T09:00:00Z"), 365, { mandant: who });
      // Same person, typed with other capitals and accents: the same person for the organisation.
      const second = await create(["logement", "travail"], T("2026-12-06T09:00:00Z"), 31, {
        mandant: { ...who, givenNames: "SACHA", familyName: "exemple" },
      });
      const older = (await getMandat(db, first.id)) as Mandat;
      assert.deepEqual(
        older.families.map((f) => [f.demarche, f.endReason]),
        [
          ["social", null],
          ["logement", "remplacement"],
        ],
      );
      assert.equal(await use(first, "logement", T("2026-12-06T10:00:00Z")), null);
      assert.ok(await use(second, "logement", T("2026-12-06T10:00:00Z")));
      // The database holds one running authorisation per person, organisation and family.
      await assert.rejects(
        sql`INSERT INTO mandat_autorisation (mandat_id, demarche, organisation_id, person_key)
          SELECT ${first.id}, 'travail', organisation_id, person_key FROM mandat WHERE id = ${second.id}`.execute(
          db,
        ),
      );
      // Another organisation's mandate for the same person and family does not touch this one.
      await create(["social"], T("2026-12-07T09:00:00Z"), 31, {
        mandant: who,
        organisationId: orgB,
        territoryId: "19",
      });
      assert.equal(((await getMandat(db, first.id)) as Mandat).families[0]?.endReason, null);
    });

    test("transfer: the families end here and a mandate with the same end starts with the other organisation", async () => {
      const m = await create(["famille", "papiers"], T("2026-12-08T09:00:00Z"), 182, {
        mandant: { ...CAMILLE, givenNames: "Noa" },
      });
      const r = await transfer(
        db,
        m,
        {
          organisationId: orgB,
          territoryId: "19",
          zone: "Europe/Paris",
          template: "2026-12",
          demarches: ["famille"],
          salt: "sel-transfert",
          code: "TRANSFERT01",
        },
        aidant,
        byA,
        T("2026-12-09T09:00:00Z"),
      );
      assert.ok(r.ok);
      assert.equal(r.mandat.organisationId, orgB);
      assert.equal(r.mandat.expiresAt.toISOString(), m.expiresAt.toISOString());
      assert.equal(r.mandat.transferredFrom, m.id);
      const old = (await getMandat(db, m.id)) as Mandat;
      assert.deepEqual(
        old.families.map((f) => [f.demarche, f.endReason]),
        [
          ["papiers", null],
          ["famille", "transfert"],
        ],
      );
      assert.ok(await use(r.mandat, "famille", T("2026-12-10T09:00:00Z"), aidantB, orgB));
      assert.equal(r.mandat.aidantId, null, "no aidant until it is signed there");
      // The receiving organisation already held « papiers » for the person: a transfer replaces it, no error.
      const held = await create(["papiers"], T("2026-12-11T09:00:00Z"), 31, {
        mandant: { ...CAMILLE, givenNames: "Noa" },
        organisationId: orgB,
        territoryId: "19",
      });
      const again = await transfer(
        db,
        (await getMandat(db, m.id)) as Mandat,
        {
          organisationId: orgB,
          territoryId: "19",
          zone: "Europe/Paris",
          template: "2026-12",
          demarches: ["papiers"],
          salt: "sel-transfert-2",
          code: "TRANSFERT02",
        },
        aidant,
        byA,
        T("2026-12-12T09:00:00Z"),
      );
      assert.ok(again.ok);
      assert.equal(((await getMandat(db, held.id)) as Mandat).families[0]?.endReason, "remplacement");
      // A transfer by an aidant who is not habilitated is refused, nothing written.
      const refused = await transfer(
        db,
        again.mandat,
        {
          organisationId: orgA,
          territoryId: "23",
          zone: "Europe/Paris",
          template: "2026-12",
          demarches: ["papiers"],
          salt: "sel-transfert-3",
          code: "TRANSFERT03",
        },
        aidant,
        byA,
        T("2026-12-12T10:00:00Z"),
      );
      assert.deepEqual(refused, { ok: false, why: "non-habilite" });
      const { entries } = await listJournal(db, { action: "mandat.transferer", limit: 5, offset: 0 });
      assert.equal(entries[0]?.target, `mandat:${m.id}`);
    });

    test("every action is in the journal, and the journal refuses UPDATE and DELETE", async () => {
      const { entries } = await listJournal(db, { limit: 500, offset: 0 });
      const actions = new Set(entries.map((e) => e.action));
      for (const a of [
        "mandat.creer",
        "mandat.utiliser",
        "mandat.revoquer",
        "mandat.transferer",
        "aidant.habiliter",
        "aidant.retirer-habilitation",
      ])
        assert.ok(actions.has(a), a);
      const line = entries.find((e) => e.action === "mandat.utiliser");
      await assert.rejects(sql`UPDATE journal SET action = 'x' WHERE id = ${line?.id}`.execute(db), {
        message: new RegExp(JOURNAL_IMMUTABLE),
      });
      await assert.rejects(sql`DELETE FROM journal WHERE id = ${line?.id}`.execute(db), {
        message: new RegExp(JOURNAL_IMMUTABLE),
      });
    });

    test("retention: a mandate is purged 3 years after its end, with its uses, and the purge is journaled", async () => {
      const m = await create(["justice"], T("2026-12-10T09:00:00Z"), 1, {
        mandant: { ...CAMILLE, givenNames: "Eden" },
      });
      assert.ok(await use(m, "justice", T("2026-12-10T10:00:00Z")));
      const rules = capability.retention ?? [];
      const justBefore = new Date(m.expiresAt.getTime() + 3 * 365 * DAY);
      assert.equal(await purgeableMandats(db, justBefore), 0, "not 3 years yet (2028 has a 29 February)");
      const after3 = new Date(m.expiresAt.getTime() + (3 * 365 + 2) * DAY);
      const before = await purgeableMandats(db, after3);
      assert.ok(before >= 1);
      const retention = {
        journalDays: 100_000,
        sessionsDays: 100_000,
        invitationsDays: 100_000,
        inactiveAccountsDays: 100_000,
      };
      const found = await purge(db, after3, retention, BY_SYSTEM, rules);
      assert.equal(found.others[0]?.count, before);
      assert.equal(await getMandat(db, m.id), null);
      assert.deepEqual(await usesOf(db, [m.id]), []);
      const { entries } = await listJournal(db, { action: "confidentialite.purger", limit: 1, offset: 0 });
      assert.equal(Object.values(entries[0]?.details ?? {}).includes(before), true);
      assert.equal(await purgeableMandats(db, after3), 0);
    });
  });
}
