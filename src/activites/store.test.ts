import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { backends } from "../../test/support/db.ts";
import { BY_SYSTEM, type JournalBy, listJournal } from "../accounts/store.ts";
import { migrations } from "../migrations.ts";
import { type Database, type Db, migrate } from "../platform/db.ts";
import { type Activity, type ActivityInput, validateActivity } from "./model.ts";
import { createReference, getReference, rawStats, saveActivity } from "./store.ts";

/** Organisations by id only: the store keeps none of its own. Guéret (23096) and Aubusson (23008) are real. */
const ORG = 11;
const by: JournalBy = { ...BY_SYSTEM, organisationId: ORG, personId: 5, role: "mediateur" };
const input = (over: Partial<ActivityInput> = {}): ActivityInput => ({
  type: "individuel",
  date: "2026-12-01",
  duration: "45",
  lieu: "domicile",
  placeId: "",
  commune: "23096",
  thematiques: ["email", "aide_aux_demarches_administratives", "social_sante"],
  materiel: ["telephone"],
  autonomie: "partiellement_autonome",
  redirection: "",
  notes: "",
  titre: "",
  niveau: "",
  participants: "",
  coordination: "",
  trancheAge: "soixante_dix_plus",
  statut: "retraite",
  beneficiaireCommune: "23096",
  diagnostic: "",
  orientation: "",
  utilisation: "",
  cheque: "",
  beneficiaire: "",
  ...over,
});
const valid = (over: Partial<ActivityInput> = {}): Activity => {
  const r = validateActivity(input(over), {
    today: "2026-12-02",
    placeIds: [],
    isCommune: (c) => ["23096", "23008"].includes(c),
  });
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
};

for (const backend of backends) {
  describe(`activity reports store on ${backend.name}`, () => {
    let database: Database;
    let db: Db;
    before(async () => {
      database = await backend.open();
      db = database.db;
      await migrate(db, migrations);
    });
    after(() => database?.close());
    const at = new Date("2026-12-02T10:00:00Z");
    const count = async () =>
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM activite`.execute(db)).rows[0]?.n);

    test("the same Idempotency-Key twice: one row, the same report; another content under it: a conflict", async () => {
      const w = { organisationId: ORG, personId: 5, key: "cle-essai-0001", statsCommune: "23096" };
      const first = await saveActivity(db, valid(), w, by, at);
      assert.equal(first.kind, "created");
      const again = await saveActivity(db, valid(), w, by, new Date("2026-12-02T10:05:00Z"));
      assert.equal(again.kind, "replayed");
      assert.equal(
        (again as { activity: { id: number } }).activity.id,
        (first as { activity: { id: number } }).activity.id,
      );
      const other = await saveActivity(db, valid({ duration: "60" }), w, by, at);
      assert.equal(other.kind, "conflict");
      assert.equal(await count(), 1);
      // The same key in another organisation is another report.
      assert.equal(
        (await saveActivity(db, valid(), { ...w, organisationId: ORG + 1 }, by, at)).kind,
        "created",
      );
      assert.equal((await listJournal(db, { action: "activite.saisir", limit: 10, offset: 0 })).total, 2);
    });

    test("50 concurrent replays of one submission: exactly one row", async () => {
      const before = await count();
      const w = { organisationId: ORG, personId: 5, key: "cle-concurrente-0042", statsCommune: "23096" };
      const results = await Promise.all(
        Array.from({ length: 50 }, () => saveActivity(db, valid(), w, by, at)),
      );
      assert.equal(results.filter((r) => r.kind === "created").length, 1);
      assert.equal(results.filter((r) => r.kind === "replayed").length, 49);
      const ids = new Set(results.map((r) => (r.kind === "unknown-reference" ? 0 : r.activity.id)));
      assert.equal(ids.size, 1);
      assert.equal(await count(), before + 1);
    });

    test("a reference welcomed by a report; an unknown reference writes nothing", async () => {
      const ref = await createReference(
        db,
        { code: "4KX7M2QP9T", organisationId: 20, diagnosticId: null, communeCode: "23096" },
        by,
        at,
      );
      assert.equal(ref.welcomedAt, null);
      const before = await count();
      const unknown = await saveActivity(
        db,
        valid({ orientation: "2345678922" }),
        { organisationId: ORG, personId: 5, key: "cle-ref-inconnue", statsCommune: "23096" },
        by,
        at,
      );
      assert.equal(unknown.kind, "unknown-reference");
      assert.equal(await count(), before);
      const r = await saveActivity(
        db,
        valid({ orientation: "4kx7-m2qp-9t" }),
        { organisationId: ORG, personId: 5, key: "cle-ref-connue", statsCommune: "23096" },
        by,
        at,
      );
      assert.equal(r.kind, "created");
      const welcomed = await getReference(db, "4KX7M2QP9T");
      assert.equal(welcomed?.welcomedOn, "2026-12-01");
      assert.equal(welcomed?.welcomedBy, ORG);
    });

    test("statistics count what was recorded, by dimension, with the largest organisation's part of each cell", async () => {
      const s = await rawStats(db, { kind: "communes", communes: ["23096"] }, "2026-12-01", "2026-12-31");
      // Rows: key 0001 (ORG), key 0001 (ORG+1), the concurrent one, the one with the reference: 4 reports, 2 organisations.
      assert.equal(s.activities.count, 4);
      // ORG recorded 3 of them, ORG + 1 one: the largest organisation's part is 3.
      assert.equal(s.activities.largest, 3);
      assert.deepEqual(
        s.by.thematique.find((c) => c.key === "email"),
        { key: "email", count: 4, largest: 3 },
      );
      assert.deepEqual(s.by.duree, [{ key: "30-60", count: 4, largest: 3 }]);
      assert.equal(s.oriented.count, 1);
      assert.equal(s.welcomed.count, 1);
    });
  });
}
