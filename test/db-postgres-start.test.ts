import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PublishedPlaces } from "../src/places/published.ts";
import { PLACES_CHANNEL } from "../src/places/store/records.ts";
import { openDatabase } from "../src/platform/db.ts";
import { cli } from "./support/cli.ts";
import { DATA_DIR } from "./support/paths.ts";
import { freshSchema, POSTGRES_URL } from "./support/pg.ts";
import { FILES } from "./support/places.ts";
import { spawnServe, tableCounts } from "./support/serve.ts";
import { preparedDataDir } from "./support/server.ts";

const skip = POSTGRES_URL ? false : "DATABASE_URL is not set";

/** Waits until `check` holds, for at most `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("three servers started at once on an empty PostgreSQL all become ready; the data is loaded once", {
  skip,
}, async (t) => {
  const schema = await freshSchema("trois_serveurs");
  t.after(() => schema.drop());
  const dirs = [1, 2, 3].map(() => mkdtempSync(join(tmpdir(), "maillage-pg-serve-")));
  t.after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const servers = await Promise.all(
    dirs.map((dir) =>
      spawnServe(
        {
          DATABASE_URL: schema.url,
          MAILLAGE_DATA_DIR: dir,
          MAILLAGE_SECRET: "un secret de test partagé par les trois serveurs",
        },
        420_000,
      ),
    ),
  );
  t.after(() => Promise.all(servers.map((s) => s.stop())));
  for (const s of servers) {
    const res = await fetch(`${s.url}/sante`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { statut: string }).statut, "ok");
    const page = await fetch(`${s.url}/territoires/23`);
    assert.equal(page.status, 200);
  }
  // One of them loaded the territories; the two others waited for it and found them there.
  assert.equal(servers.filter((s) => s.stderr().includes("Territoires chargés")).length, 1);

  // The same rows as one embedded database loaded alone: nothing loaded twice.
  const embedded = await preparedDataDir();
  t.after(() => rmSync(embedded, { recursive: true, force: true }));
  const alone = await openDatabase({ pgliteDir: join(embedded, "db"), command: "test" });
  const expected = await tableCounts(alone.db);
  await alone.close();
  const database = await openDatabase({ databaseUrl: schema.url });
  t.after(() => database.close());
  assert.deepEqual(await tableCounts(database.db), expected);

  // An import elsewhere NOTIFYs: a read model listening re-reads at once, though its clock never moves.
  const places = new PublishedPlaces(database.db, () => 0);
  await database.listen(PLACES_CHANNEL, () => places.recheck());
  await places.all();
  const generation = places.generation;
  const imported = await cli(["places", "import", join(DATA_DIR, FILES.paca), "--source", "essai-notify"], {
    DATABASE_URL: schema.url,
    MAILLAGE_DATA_DIR: dirs[0] as string,
  });
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /646 nouveaux lieux/);
  await until(
    async () => {
      await places.all();
      return places.generation !== generation;
    },
    20_000,
    "the NOTIFY of the import",
  );
});
