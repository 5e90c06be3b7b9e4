import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { copyDataDir } from "../../test/support/data-copy.ts";
import { backends } from "../../test/support/db.ts";
import { DATA_DIR } from "../../test/support/paths.ts";
import { COG_2025 } from "../../test/support/vintages.ts";
import { migrations } from "../migrations.ts";
import { loadedHash } from "../platform/datasets.ts";
import type { Database } from "../platform/db.ts";
import { migrate } from "../platform/db.ts";
import { DataFileError } from "../platform/files.ts";
import { readTerritoryDataset, TERRITORY_FILES } from "./load.ts";
import { ShapeCache } from "./shapes.ts";
import {
  countGeometries,
  DATASET,
  getGeometry,
  listTerritories,
  replaceTerritories,
  replaceTerritoriesByBatches,
} from "./store.ts";
import { syncTerritories } from "./sync.ts";

/** A fingerprint of the whole territory table, to prove that something did not change. */
async function fingerprint(database: Database): Promise<string> {
  const r = await sql<{
    f: string;
  }>`SELECT md5(string_agg(t::text, '|' ORDER BY id)) AS f FROM territory t`.execute(database.db);
  return r.rows[0]?.f ?? "";
}

/** Row count and a digest of every column of every row of each territory table, in id order. */
async function tableDigests(database: Database): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of ["territory", "territory_geometry", "territory_snapshot"]) {
    const r = await sql<{ n: string; f: string }>`
      SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY id)) AS f FROM ${sql.table(table)} t`.execute(
      database.db,
    );
    out[table] = `${r.rows[0]?.n} rows, ${r.rows[0]?.f}`;
  }
  return out;
}

for (const backend of backends) {
  describe(`territory store on ${backend.name}`, () => {
    let database: Database;
    before(async () => {
      database = await backend.open();
      await migrate(database.db, migrations);
    });
    after(() => database.close());

    test("migrations are versioned: a second run applies nothing", async () => {
      assert.deepEqual(await migrate(database.db, migrations), []);
    });

    test("data load stores every territory and boundary of the real files", async () => {
      const r = await syncTerritories(database.db, DATA_DIR);
      assert.equal(r.status, "loaded");
      const rows = await sql<{
        kind: string;
        n: string;
      }>`SELECT kind, count(*) AS n FROM territory GROUP BY kind ORDER BY kind`.execute(database.db);
      const { communeBoundaries, ...byKind } = COG_2025;
      assert.deepEqual(Object.fromEntries(rows.rows.map((x) => [x.kind, Number(x.n)])), byKind);
      assert.equal(
        await countGeometries(database.db),
        communeBoundaries + COG_2025.epci + COG_2025.departement + COG_2025.region + COG_2025.qpv,
      );
      const shape = await getGeometry(database.db, "23");
      assert.ok(shape && (shape.type === "Polygon" || shape.type === "MultiPolygon"));
      assert.equal(await getGeometry(database.db, "75101"), null);
    });

    test("boundaries kept in memory: the same as read, the least recently used leaving past the budget", async () => {
      const creuse = await getGeometry(database.db, "23");
      const gueret = await getGeometry(database.db, "23096");
      // A budget whose quarter (the largest kept) holds Guéret's boundary, not the Creuse's.
      const pairs = (g: unknown): number =>
        Array.isArray(g) ? (typeof g[0] === "number" ? 1 : g.reduce((n: number, x) => n + pairs(x), 0)) : 0;
      assert.ok(pairs(creuse?.coordinates) > pairs(gueret?.coordinates));
      const cache = new ShapeCache(database.db, 4 * (18 * pairs(gueret?.coordinates) + 40));
      const first = await cache.get(["23096", "75101", "23096"]);
      assert.deepEqual([...first.keys()], ["23096"]); // Paris 1er has no boundary of its own
      assert.deepEqual(first.get("23096"), gueret);
      assert.equal((await cache.get(["23096"])).get("23096"), first.get("23096"), "kept, not read again");
      const both = await cache.get(["23", "23096"]);
      assert.deepEqual(both.get("23"), creuse);
      assert.notEqual((await cache.get(["23"])).get("23"), both.get("23"), "too large to keep: read again");
    });

    test("the fast first load writes exactly the rows of the previous path (every column of every table)", async (t) => {
      const reference = await backend.open();
      t.after(() => reference.close());
      await migrate(reference.db, migrations);
      await replaceTerritoriesByBatches(reference.db, await readTerritoryDataset(DATA_DIR));
      const fast = await tableDigests(database);
      assert.equal(fast.territory?.startsWith("0 rows"), false);
      assert.deepEqual(fast, await tableDigests(reference));
    });

    test("territories read back equal what was read from the files", async () => {
      const fromFiles = await readTerritoryDataset(DATA_DIR, undefined, { geometries: false });
      const stored = await listTerritories(database.db);
      const byId = new Map(stored.map((t) => [t.id, t]));
      assert.equal(stored.length, fromFiles.territories.length);
      for (const t of fromFiles.territories) assert.deepEqual(byId.get(t.id), t);
    });

    test("loading twice changes nothing (same version: nothing to do; forced: same content)", async () => {
      const before = await fingerprint(database);
      const hash = await loadedHash(database.db, DATASET);
      assert.equal((await syncTerritories(database.db, DATA_DIR)).status, "unchanged");
      assert.equal(await fingerprint(database), before);
      // The same bytes elsewhere (a fresh checkout: new paths and dates) are recognised by their hash.
      const copy = copyDataDir();
      try {
        assert.equal((await syncTerritories(database.db, copy.dir)).status, "unchanged");
      } finally {
        copy.remove();
      }
      assert.equal((await syncTerritories(database.db, DATA_DIR, { force: true })).status, "loaded");
      assert.equal(await fingerprint(database), before);
      assert.equal(await loadedHash(database.db, DATASET), hash);
    });

    test("a damaged file stops the load with its name and line, and the database is left as it was", async (t) => {
      const before = await fingerprint(database);
      const copy = copyDataDir();
      t.after(() => copy.remove());
      copy.rewrite(TERRITORY_FILES.communes, (text) => text.replace("\n01005,", "\n01005X,"));
      await assert.rejects(syncTerritories(database.db, copy.dir), (e: Error) => {
        assert.ok(e instanceof DataFileError);
        assert.match(e.message, /ligne 5 : champ « code_insee »/);
        return true;
      });
      assert.equal(await fingerprint(database), before);
    });

    test("a failure in the middle of writing rolls the whole load back", async () => {
      const before = await fingerprint(database);
      const hash = await loadedHash(database.db, DATASET);
      const data = await readTerritoryDataset(DATA_DIR, undefined, { geometries: false });
      data.territories = data.territories.filter((t) => t.id !== "42218");
      data.hash = "interrupted";
      await assert.rejects(
        replaceTerritories(database.db, data, {}, (done) => {
          if (done > 20000) throw new Error("interrupted on purpose");
        }),
        /interrupted on purpose/,
      );
      assert.equal(await fingerprint(database), before);
      assert.equal(await loadedHash(database.db, DATASET), hash);
    });
  });
}
