import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { backends } from "../../test/support/db.ts";
import { DATA_DIR } from "../../test/support/paths.ts";
import { bytes, communes, FILES, realText } from "../../test/support/places.ts";
import { SHIPPED_PLACES } from "../../test/support/vintages.ts";
import { migrations } from "../migrations.ts";
import { type Database, migrate } from "../platform/db.ts";
import type { CommuneIndex } from "./import/communes.ts";
import { importFile, type StoreImportOptions } from "./import/ingest.ts";
import { openFile } from "./import/read.ts";
import { placeId } from "./import/rows.ts";
import { PlaceListing } from "./listing.ts";
import type { Place, StandardPlace } from "./model.ts";
import { historyOf, tableCounts } from "./store/history.ts";
import { getPlace, streamPlaces } from "./store/published.ts";
import { syncPlaces } from "./sync.ts";

/** The list of the published places as the routes read it: from memory, over every published place. */
async function listingOf(db: Database["db"]): Promise<PlaceListing> {
  const all: Place[] = [];
  for await (const p of streamPlaces(db, {})) all.push(p);
  return new PlaceListing(all);
}

const PACA_FILE = "lieux-mediation-numerique-paca-hub-du-sud-2023-05.json";

/** Snapshot of everything an import may touch, to compare before and after a failed one. */
async function snapshot(db: Database["db"]) {
  const r = await sql<{
    doc: string;
  }>`SELECT md5(string_agg(id || status || standard::text || coalesce(group_id, ''), ',' ORDER BY id)) AS doc
    FROM place_record`.execute(db);
  return { counts: await tableCounts(db), records: r.rows[0]?.doc };
}

for (const backend of backends) {
  describe(`places store on ${backend.name}`, () => {
    let database: Database;
    let index: CommuneIndex;
    let paca: Record<string, unknown>[];
    const importText = (text: string, opts: Partial<StoreImportOptions> = {}) =>
      importFile(database.db, bytes(text), {
        source: "hub-du-sud",
        file: PACA_FILE,
        communes: index,
        ...opts,
      });

    before(async () => {
      database = await backend.open();
      await migrate(database.db, migrations);
      index = await communes();
      paca = JSON.parse(await realText(FILES.paca)) as Record<string, unknown>[];
    });
    after(() => database?.close());

    test("the shipped files load as three sources, deduplicated, once", async () => {
      const r = await syncPlaces(database.db, DATA_DIR, index);
      assert.equal(r.status, "loaded");
      assert.deepEqual(
        r.imports.map((i) => [
          i.summary.source,
          i.counts.accepted,
          i.counts.rejected,
          i.counts.created,
          i.counts.approximateCoordinates,
          i.counts.unparsedHours,
        ]),
        [
          ["france-services", 2845, 0, 2845, 0, 0],
          ["conseillers-numeriques", 4930, 0, 4930, 21, 57],
          ["hub-du-sud", 646, 0, 646, 4, 6],
        ],
      );
      assert.deepEqual(r.published, {
        places: SHIPPED_PLACES.published,
        merged: SHIPPED_PLACES.merged,
        toReview: SHIPPED_PLACES.toReview,
      });
      const counts = await tableCounts(database.db);
      assert.deepEqual(counts, {
        active: SHIPPED_PLACES.active,
        withdrawn: 0,
        published: SHIPPED_PLACES.published,
        // Nothing changed yet: only the older cells translated on import, with their original text.
        history: SHIPPED_PLACES.translated,
        imports: 3,
        review: SHIPPED_PLACES.toReview,
      });
      // Same files: nothing to do.
      assert.equal((await syncPlaces(database.db, DATA_DIR, index)).status, "unchanged");
    });

    test("re-importing a real file changes nothing: all unchanged, no history", async () => {
      const before = await snapshot(database.db);
      const r = await importFile(database.db, openFile(join(DATA_DIR, FILES.paca)), {
        source: "hub-du-sud",
        file: PACA_FILE,
        communes: index,
        full: true,
      });
      assert.deepEqual(
        [r.counts.accepted, r.counts.created, r.counts.updated, r.counts.unchanged, r.counts.withdrawn],
        [646, 0, 0, 646, 0],
      );
      assert.match(r.sha256, /^[0-9a-f]{64}$/);
      const afterImport = await snapshot(database.db);
      assert.equal(afterImport.records, before.records);
      assert.deepEqual(afterImport.counts, { ...before.counts, imports: (before.counts.imports ?? 0) + 1 });
    });

    test("a modified real row is updated in place, with what changed in its history", async () => {
      const rows = structuredClone(paca);
      const row = rows[1] as Record<string, unknown>;
      const oldHours = row.horaires;
      row.horaires = "Mo-Fr 09:00-12:00; PH off";
      const r = await importText(JSON.stringify(rows));
      assert.deepEqual([r.counts.updated, r.counts.unchanged, r.counts.created], [1, 645, 0]);
      const id = (await listingOf(database.db))
        .list({ q: String(row.nom) }, { limit: 50, offset: 0 })
        .places.find((p) => p.provenance.some((x) => x.sourceId === row.id))?.id;
      assert.ok(id);
      const found = await getPlace(database.db, id);
      assert.ok(found && "place" in found);
      const record = found.records.find((x) => x.source_id === row.id);
      assert.equal(record?.standard.horaires, "Mo-Fr 09:00-12:00; PH off");
      const history = await historyOf(database.db, [record?.id ?? ""]);
      assert.equal(history.length, 1);
      assert.equal(history[0]?.change, "modifié");
      assert.deepEqual(history[0]?.fields, [
        { field: "horaires", before: oldHours ?? null, after: "Mo-Fr 09:00-12:00; PH off" },
      ]);
    });

    test("a full import without a row withdraws it (kept, not deleted); it comes back when listed again", async () => {
      const before = await tableCounts(database.db);
      const rows = structuredClone(paca);
      const gone = rows.splice(5, 1)[0] as Record<string, unknown>;
      const r = await importText(JSON.stringify(rows), { full: true });
      assert.deepEqual([r.counts.withdrawn, r.counts.updated], [1, 1]); // row 1 goes back to its real hours
      const counts = await tableCounts(database.db);
      assert.equal(counts.withdrawn, 1);
      assert.equal(counts.active, (before.active ?? 0) - 1);
      const partial = await importText(JSON.stringify(rows.slice(0, 10)));
      assert.equal(partial.counts.withdrawn, 0, "a partial import withdraws nothing");
      const back = await importText(JSON.stringify(paca), { full: true });
      assert.deepEqual([back.counts.updated, back.counts.withdrawn], [1, 0]);
      assert.equal((await tableCounts(database.db)).withdrawn, 0);
      const places = [];
      for await (const p of streamPlaces(database.db, {}))
        if (p.provenance.some((x) => x.sourceId === gone.id)) places.push(p);
      assert.equal(places.length, 1);
    });

    test("an import killed midway leaves the previous data intact", async () => {
      const before = await snapshot(database.db);
      const rows = structuredClone(paca).map((r) => ({ ...r, telephone: "+33400000000" }));
      await assert.rejects(
        importText(JSON.stringify(rows), {
          full: true,
          onProgress: (n) => {
            if (n >= 500) throw new Error("arrêt brutal");
          },
        }),
        /arrêt brutal/,
      );
      assert.deepEqual(await snapshot(database.db), before);
    });

    test("--strict refuses the whole file when one row is rejected; every error is listed", async () => {
      const before = await snapshot(database.db);
      const rows = structuredClone(paca).map((r) => ({ ...r, telephone: "+33400000000" }));
      (rows[3] as Record<string, unknown>).code_postal = "1300";
      (rows[7] as Record<string, unknown>).frais_a_charge = "Gratuite";
      const r = await importText(JSON.stringify(rows), { strict: true });
      assert.match(
        r.refused ?? "",
        /2 ligne\(s\) refusée\(s\) sur 646 : avec --strict, le fichier entier est refusé/,
      );
      assert.equal(r.importId, null);
      assert.deepEqual(
        r.errors.map((e) => e.message),
        [
          "ligne 5, champ code_postal : code postal invalide « 1300 » : 5 chiffres attendus",
          "ligne 9, champ frais_a_charge : valeur « Gratuite » inconnue. Vouliez-vous dire « Gratuit » ?",
        ],
      );
      assert.deepEqual(await snapshot(database.db), before);
      // Without --strict, the valid rows are imported and the two others reported.
      const loose = await importText(JSON.stringify(rows));
      assert.deepEqual([loose.counts.accepted, loose.counts.rejected, loose.counts.updated], [644, 2, 644]);
    });

    test("an unreadable file is refused with its reason, nothing written", async () => {
      const before = await snapshot(database.db);
      const r = await importText("");
      assert.match(r.refused ?? "", /fichier vide/);
      const truncated = await importText(JSON.stringify(paca).slice(0, 5000));
      assert.match(truncated.refused ?? "", /JSON/);
      assert.deepEqual(await snapshot(database.db), before);
    });

    test("filters on public, frais and modalité (jsonb containment) select the places that have the value", async () => {
      const published: Place[] = [];
      for await (const p of streamPlaces(database.db, {})) published.push(p);
      const count = (keep: (s: StandardPlace) => boolean) => published.filter((p) => keep(p.standard)).length;
      const page = { limit: 1, offset: 0 };
      for (const [filter, expected] of [
        [{ public: "Jeunes" }, count((s) => s.publics_specifiquement_adresses.includes("Jeunes"))],
        [{ frais: "Gratuit" }, count((s) => s.frais_a_charge.includes("Gratuit"))],
        [{ frais: "Payant" }, count((s) => s.frais_a_charge.includes("Payant"))],
        [
          { modalite: "Dans un atelier collectif", frais: "Gratuit" },
          count(
            (s) =>
              s.modalites_accompagnement.includes("Dans un atelier collectif") &&
              s.frais_a_charge.includes("Gratuit"),
          ),
        ],
        // A value with a quote and a slash goes through as a parameter.
        [
          { public: "Familles et/ou enfants" },
          count((s) => s.publics_specifiquement_adresses.includes("Familles et/ou enfants")),
        ],
        [{ frais: "Gratuit'); DROP TABLE place; --" }, 0],
      ] as const) {
        assert.ok(expected < published.length, JSON.stringify(filter));
        const r = (await listingOf(database.db)).list(filter, page);
        assert.equal(r.total, expected, JSON.stringify(filter));
      }
      assert.ok(count((s) => s.frais_a_charge.includes("Gratuit")) > 0);
      assert.ok(count((s) => s.publics_specifiquement_adresses.includes("Jeunes")) > 0);
      assert.equal((await tableCounts(database.db)).published, published.length);
    });

    test("an older-vintage file keeps each translated cell's original text in the record's history, once", async () => {
      const file = join(import.meta.dirname, "../../test/data/v0-2022-2023.json");
      const opts = { source: "anciens", file: "v0-2022-2023.json", communes: index };
      const r = await importFile(database.db, openFile(file), opts);
      assert.deepEqual([r.counts.accepted, r.counts.rejected, r.counts.created], [6, 0, 6]);
      assert.ok(r.warningCount >= 6);
      const id = placeId("anciens", "62ab16a88255a806e299c876");
      const history = await historyOf(database.db, [id]);
      assert.deepEqual(
        history.map((h) => h.change),
        ["traduit"],
      );
      assert.deepEqual(history[0]?.fields.at(-1), {
        field: "labels_nationaux (ancien standard 0.1)",
        before: "CNFS;Aidants Connect;France Services",
        after: "dispositif_programmes_nationaux : Conseillers numériques | Aidants Connect | France Services",
      });
      // The same file again: nothing changed, nothing written again.
      const again = await importFile(database.db, openFile(file), opts);
      assert.equal(again.counts.unchanged, 6);
      assert.equal((await historyOf(database.db, [id])).length, 1);
    });
  });
}
