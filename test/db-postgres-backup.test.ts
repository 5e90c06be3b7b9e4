import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openDatabase } from "../src/platform/db.ts";
import { cli } from "./support/cli.ts";
import { freshSchema, POSTGRES_URL } from "./support/pg.ts";
import { tableCounts } from "./support/serve.ts";
import { pagesOf, preparedDataDir } from "./support/server.ts";

const skip = POSTGRES_URL ? false : "DATABASE_URL is not set";
const PAGES = ["/territoires/23", "/lieux?territoire=23", "/fragilite?territoire=23"];

async function countsAt(url: string): Promise<Record<string, number>> {
  const database = await openDatabase({ databaseUrl: url });
  try {
    return await tableCounts(database.db);
  } finally {
    await database.close();
  }
}

test("db copy moves an embedded database to PostgreSQL; a backup of it restores identical", {
  skip,
}, async (t) => {
  const embedded = await preparedDataDir();
  const work = mkdtempSync(join(tmpdir(), "maillage-pg-backup-"));
  t.after(() => {
    rmSync(embedded, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });
  const copy = await freshSchema("copie");
  t.after(() => copy.drop());

  // Every table copied, and the command compares the counts table by table.
  const copied = await cli(["db", "copy", "--to", copy.url], { MAILLAGE_DATA_DIR: embedded });
  assert.equal(copied.code, 0, copied.stderr);
  assert.match(copied.stdout, /Les nombres de lignes sont identiques pour chaque table/);
  assert.match(copied.stdout, /^ {2}territory +\d+ +\d+$/m);
  const database = await openDatabase({ pgliteDir: join(embedded, "db"), command: "test" });
  const expected = await tableCounts(database.db);
  await database.close();
  assert.deepEqual(await countsAt(copy.url), expected);
  // Into a database that is not empty: refused.
  const twice = await cli(["db", "copy", "--to", copy.url], { MAILLAGE_DATA_DIR: embedded });
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /la base de destination n'est pas vide .* --force/);

  // Backup of the PostgreSQL database, restored into another, empty one: same rows, same pages.
  const backup = join(work, "sauvegarde.gz");
  const saved = await cli(["db", "backup", "--output", backup], { DATABASE_URL: copy.url });
  assert.equal(saved.code, 0, saved.stderr);
  const restored = await freshSchema("restauree");
  t.after(() => restored.drop());
  const r = await cli(["db", "restore", backup], { DATABASE_URL: restored.url });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await countsAt(restored.url), expected);
  assert.deepEqual(
    await pagesOf({ databaseUrl: restored.url, dataDir: work }, PAGES),
    await pagesOf({ databaseUrl: copy.url, dataDir: work }, PAGES),
  );
});
