import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { sql } from "kysely";
import { openDatabase } from "../src/platform/db.ts";
import { cli } from "./support/cli.ts";
import { DATA_DIR } from "./support/paths.ts";
import { FILES } from "./support/places.ts";
import { spawnServe, tableCounts } from "./support/serve.ts";
import { pagesOf, preparedDataDir } from "./support/server.ts";

/** The pages whose bytes must survive a backup and a restore. */
const PAGES = ["/territoires/23", "/lieux?territoire=23", "/fragilite?territoire=23"];

async function countsOf(dataDir: string): Promise<Record<string, number>> {
  const database = await openDatabase({ pgliteDir: join(dataDir, "db"), command: "test" });
  try {
    return await tableCounts(database.db);
  } finally {
    await database.close();
  }
}

test("the embedded database has one owner: a second server or command is refused, imports and backups go through the server", async (t) => {
  const dataDir = await preparedDataDir();
  const work = mkdtempSync(join(tmpdir(), "maillage-owner-"));
  t.after(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });
  const env = { MAILLAGE_DATA_DIR: dataDir };
  const before = await countsOf(dataDir);

  const server = await spawnServe(env);
  t.after(() => server.kill());
  const lockFile = join(dataDir, "db.lock");
  assert.equal(statSync(lockFile).mode & 0o777, 0o600, "the lock file holds the admin token: owner only");
  const owner = JSON.parse(readFileSync(lockFile, "utf8")) as { pid: number; url: string; token: string };
  assert.equal(owner.pid, server.pid);
  assert.equal(owner.url, server.url);

  // A second server, and a command that would open the folder: refused, naming the running process.
  for (const args of [["serve"], ["db", "migrate"], ["places", "export", "--format", "csv"]]) {
    const r = await cli(args, { ...env, PORT: "0" });
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(
      r.stderr,
      new RegExp(
        `Erreur : la base embarquée .*db est déjà ouverte par un autre processus Maillage : « maillage serve » \\(pid ${server.pid}, depuis le .*, sur ${server.url.replace(/[.]/g, "\\.")}\\)`,
      ),
    );
  }

  // The admin endpoints want the token.
  const anonymous = await fetch(`${server.url}/admin/sauvegarde`);
  assert.equal(anonymous.status, 401);
  const wrong = await fetch(`${server.url}/admin/lieux/import?source=x&fichier=x.csv&par=x`, {
    method: "POST",
    headers: { authorization: `Bearer ${owner.token.slice(0, -1)}x` },
    body: "a,b\n",
  });
  assert.equal(wrong.status, 401);

  // An import while serving: sent to the server, which prints the same summary; the server sees it at once.
  const paca = join(DATA_DIR, FILES.paca);
  const imported = await cli(["places", "import", paca, "--source", "essai-serveur"], env);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stderr, new RegExp(`Un serveur Maillage utilise cette base \\(${server.url}`));
  assert.match(
    imported.stdout,
    /\(source « essai-serveur »\) : 646 lignes lues, 646 acceptées, 0 refusées ; 646 nouveaux lieux, 0 mis à jour/,
  );
  const strict = await cli(["places", "import", paca, "--source", "hub-du-sud", "--full", "--strict"], env);
  assert.equal(strict.code, 0, strict.stderr);
  assert.match(strict.stdout, /646 inchangés, 0 retirés/);

  // A backup while serving, made by the server.
  const backup = join(work, "sauvegarde.gz");
  const saved = await cli(["db", "backup", "--output", backup], env);
  assert.equal(saved.code, 0, saved.stderr);
  assert.match(saved.stderr, /il fait la sauvegarde/);
  // Every table of the database, the accounts' and the journal's too (one line each).
  const tables = Number(/^Sauvegarde écrite : .*\((\d+) tables, \d+ lignes/.exec(saved.stdout)?.[1]);
  assert.equal(saved.stdout.trimEnd().split("\n").length - 1, tables);
  assert.ok(tables >= 22, `${tables} tables`);
  assert.match(saved.stdout, /^ {2}journal +\d+$/m);

  // Killed with -9: its lock file stays, and the next command takes the folder over at once.
  await server.kill();
  assert.ok(existsSync(lockFile));
  const migrate = await cli(["db", "migrate"], env);
  assert.equal(migrate.code, 0, migrate.stderr);
  assert.ok(!existsSync(lockFile), "released when the command ends");

  // Nothing lost: both imports are there.
  const after = await countsOf(dataDir);
  assert.equal(after.place_record, (before.place_record ?? 0) + 646);
  assert.equal(after.place_import, (before.place_import ?? 0) + 2);

  // Restored into a fresh folder: the same rows in every table and the same pages, byte for byte.
  const restored = mkdtempSync(join(tmpdir(), "maillage-restored-"));
  t.after(() => rmSync(restored, { recursive: true, force: true }));
  const r = await cli(["db", "restore", backup], { MAILLAGE_DATA_DIR: restored });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await countsOf(restored), after);
  // Ids continue after the restored rows (the next import does not collide).
  const db = await openDatabase({ pgliteDir: join(restored, "db"), command: "test" });
  const seq = await sql<{ next: number; max: number }>`
    SELECT nextval(pg_get_serial_sequence('place_import', 'id'))::int AS next, max(id) AS max FROM place_import`.execute(
    db.db,
  );
  await db.close();
  assert.equal(seq.rows[0]?.next, (seq.rows[0]?.max ?? 0) + 1);
  assert.deepEqual(await pagesOf({ dataDir: restored }, PAGES), await pagesOf({ dataDir }, PAGES));

  // A truncated backup restores nothing.
  const truncated = join(work, "tronquee.gz");
  writeFileSync(truncated, readFileSync(backup).subarray(0, 1_000_000));
  const empty = mkdtempSync(join(tmpdir(), "maillage-restored-"));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  const partial = await cli(["db", "restore", truncated], { MAILLAGE_DATA_DIR: empty });
  assert.equal(partial.code, 2, partial.stderr);
  assert.match(partial.stderr, /Erreur : sauvegarde incomplète ou abîmée .*rien n'a été restauré/);
  assert.deepEqual(readdirSync(empty), []);

  // A folder that holds a database is not overwritten without --force.
  const again = await cli(["db", "restore", backup], { MAILLAGE_DATA_DIR: restored });
  assert.equal(again.code, 2);
  assert.match(again.stderr, /contient déjà une base .* --force/);
});
