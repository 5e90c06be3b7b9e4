import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { sql } from "kysely";
import { openApp } from "../src/app.ts";
import { cli } from "./support/cli.ts";
import { buildReadModels, keptReadModels } from "./support/read-models.ts";
import { preparedDataDir, preparedTemplate, testConfig } from "./support/server.ts";
import { TERRITORIES_2025 } from "./support/vintages.ts";

test("starting on an existing database reuses it: no migration, no reload", async (t) => {
  const dataDir = await preparedDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const logs: string[] = [];
  const ctx = await openApp({ ...testConfig(), dataDir }, { log: (m) => logs.push(m) });
  try {
    assert.deepEqual(logs, []);
    const r = await sql<{ n: string }>`SELECT count(*) AS n FROM territory`.execute(ctx.database.db);
    assert.equal(Number(r.rows[0]?.n), TERRITORIES_2025);
    assert.equal(ctx.territories.all.length, TERRITORIES_2025);
  } finally {
    await ctx.database.close();
  }
});

test("the read models kept between test processes are those a server builds from its database", async (t) => {
  const template = await preparedTemplate();
  const open = async () => {
    const dataDir = await preparedDataDir();
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    return openApp({ ...testConfig(), dataDir });
  };
  // Kept already by an earlier test server, or built now from a first copy of the template.
  const first = await open();
  await keptReadModels(template, first).finally(() => first.database.close());
  // Built from scratch on a second copy (nothing preloaded), then compared with what the cache gives back.
  const ctx = await open();
  try {
    const fresh = await buildReadModels(ctx);
    assert.ok((fresh.places?.places.length ?? 0) > 7000);
    assert.ok(fresh.fragility.scores.length >= 2 && fresh.fragility.urbanClasses);
    const kept = await keptReadModels(template, ctx);
    assert.equal(kept.built, false);
    assert.deepEqual(kept.models, fresh);
  } finally {
    await ctx.database.close();
  }
});

test("CLI: help, a data load that has nothing to do, a search, and clear errors", async (t) => {
  const dataDir = await preparedDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { MAILLAGE_DATA_DIR: dataDir };

  // The sources run through tsx (`node --import tsx src/cli.ts`, README) answer as the bundle of `npm start`
  // (scripts/start.mjs), which the other commands of the tests run.
  const sources = await cli(["--help"], {}, "src/cli.ts");
  assert.equal(sources.code, 0, sources.stderr);
  assert.match(sources.stdout, /Usage : maillage <commande>/);
  const sourcesSearch = await cli(["territoires", "les", "abymes"], env, "src/cli.ts");
  assert.match(sourcesSearch.stdout, /^97101\tLes Abymes\tcommune/m);

  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage : maillage <commande>/);
  assert.match((await cli(["data", "load", "--help"])).stdout, /une seule transaction/);

  const load = await cli(["data", "load"], env);
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, /déjà à jour/);

  const migrate = await cli(["db", "migrate"], env);
  assert.match(migrate.stdout, /La base est à jour/);

  const search = await cli(["territoires", "les", "abymes"], env);
  assert.equal(search.code, 0, search.stderr);
  assert.match(search.stdout, /^97101\tLes Abymes\tcommune/m);

  const unknown = await cli(["demarrer"], env);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Erreur : Commande inconnue « demarrer »/);

  const badPort = await cli(["serve"], { ...env, PORT: "quatre-vingt" });
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /PORT doit être un nombre entier entre 0 et 65535/);

  const badOption = await cli(["data", "load", "--vite"], env);
  assert.equal(badOption.code, 2);

  // A method file with a negative weight and an unknown indicator: refused, each field named.
  const method = join(dataDir, "methode.json");
  writeFileSync(
    method,
    JSON.stringify({
      id: "essai",
      label: "Essai",
      indicators: [
        { id: "ifn_thd", normalisation: "none", weight: -1 },
        { id: "wifi_gratuit", normalisation: "deciles", weight: 1 },
      ],
      missing: "reweight",
    }),
  );
  const bad = await cli(["fragility", "compute", "--method", method], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Erreur : Méthode « .*methode\.json » invalide/);
  assert.match(bad.stderr, /champ « indicators\[0\]\.weight »/);
  assert.match(bad.stderr, /champ « indicators\[1\]\.id » : indicateur inconnu « wifi_gratuit »/);

  // The shipped methods are already computed: nothing to do.
  const compute = await cli(["fragility", "compute"], env);
  assert.equal(compute.code, 0, compute.stderr);
  assert.match(compute.stdout, /déjà à jour/);
});
