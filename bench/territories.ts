import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { sql } from "kysely";
import { openApp } from "../src/app.ts";
import { migrations } from "../src/migrations.ts";
import { loadConfig } from "../src/platform/config.ts";
import { migrate, openDatabase } from "../src/platform/db.ts";
import { buildServer, listen } from "../src/server.ts";
import { readTerritoryDataset, type TerritoryDataset } from "../src/territories/load.ts";
import type { Territory } from "../src/territories/model.ts";
import { territoryJson } from "../src/territories/routes.ts";
import { replaceTerritories, replaceTerritoriesByBatches } from "../src/territories/store.ts";
import { median, percentile, report } from "./stats.ts";

const ROOT = join(import.meta.dirname, "..");

/** 1 000 representative queries taken from the real referential, in a fixed order (no randomness). */
function representativeQueries(all: readonly Territory[]): string[] {
  const communes = all.filter((t) => t.kind === "commune");
  const step = Math.floor(communes.length / 200);
  const queries: string[] = [];
  for (let i = 0; i < 200; i++) {
    const c = communes[i * step];
    if (!c) continue;
    const plain = c.name
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
    queries.push(c.name); // with accents and capitals, as written
    queries.push(plain.replace(/-/g, " ")); // without accents, as typed on a phone
    queries.push(plain.slice(0, Math.max(3, Math.ceil(plain.length / 2)))); // a prefix, as when typing
    queries.push(c.id); // INSEE code
    queries.push(c.postcodes[0] ?? c.id); // postcode
  }
  return queries.slice(0, 1000);
}

/**
 * Starts `maillage serve` as `npm start` does (or the bare reference script), in a child process; returns the
 * seconds until it is ready.
 */
function timeStart(dataDir: string, bare = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const args = bare ? ["bench/bare-start.mjs", dataDir] : ["scripts/start.mjs", "serve"];
    const ready = bare ? "prêt" : "Maillage est prêt";
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, MAILLAGE_DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "silent", DATABASE_URL: "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes(ready)) {
        const s = (performance.now() - t0) / 1000;
        child.kill("SIGTERM");
        child.once("exit", () => resolve(s));
      }
    });
    child.once("exit", (code) => {
      if (!err.includes(ready)) reject(new Error(`serve stopped (${code}): ${err.slice(-500)}`));
    });
  });
}

/** Seconds to write the whole referential into a freshly migrated database, by `write`. */
async function timeWrite(
  data: TerritoryDataset,
  databaseUrl: string | undefined,
  write: typeof replaceTerritoriesByBatches,
): Promise<number> {
  const schema = databaseUrl ? `bench_territories_${process.pid}` : undefined;
  const database = await openDatabase(databaseUrl ? { databaseUrl, schema } : { pgliteDir: "memory://" });
  try {
    await migrate(database.db, migrations);
    const t0 = performance.now();
    await write(database.db, data);
    return (performance.now() - t0) / 1000;
  } finally {
    if (schema) await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(database.db);
    await database.close();
  }
}

/**
 * The territories phase of a first start: reading the reference files, then writing them (the path of the first
 * start, against the previous one: Kysely inserts by batches), alternated over 3 trials on each database.
 */
async function benchTerritoryPhase(): Promise<void> {
  const reads: number[] = [];
  let data: TerritoryDataset | undefined;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    data = await readTerritoryDataset(join(ROOT, "data"));
    reads.push((performance.now() - t0) / 1000);
  }
  if (!data) return;
  report(
    `premier démarrage, lecture des territoires (${data.territories.length} territoires, ${data.geometries.length} contours ; médiane de 3)`,
    median(reads),
    "s",
  );
  const targets: [string, string | undefined][] = [["PGlite", undefined]];
  if (process.env.DATABASE_URL) targets.push(["PostgreSQL", process.env.DATABASE_URL]);
  for (const [name, url] of targets) {
    const fast: number[] = [];
    const previous: number[] = [];
    for (let trial = 0; trial < 3; trial++) {
      const order = trial % 2 === 0 ? [true, false] : [false, true];
      for (const isFast of order) {
        const s = await timeWrite(data, url, isFast ? replaceTerritories : replaceTerritoriesByBatches);
        (isFast ? fast : previous).push(s);
      }
    }
    report(`premier démarrage, enregistrement des territoires sur ${name} (médiane de 3)`, median(fast), "s");
    report(
      `  référence : chemin précédent (insertions par lots de 1 000 et 500) sur ${name}`,
      median(previous),
      "s",
    );
    report(
      `  rapport chemin précédent / premier démarrage sur ${name}`,
      median(previous) / median(fast),
      "×",
    );
  }
}

export async function benchTerritories(): Promise<void> {
  console.log("# Territoires");
  await benchTerritoryPhase();
  const dataDir = mkdtempSync(join(tmpdir(), "maillage-bench-"));
  try {
    // Cold start: create the database, migrate, load every territory. Then warm starts on the same folder.
    report(
      "premier démarrage (création, migrations, chargement de tout)",
      await timeStart(dataDir),
      "s",
      "≤ 10 s",
    );
    // Warm starts alternated with the bare reference on the same folder (both open the same database).
    const warm: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < 3; i++) {
      warm.push(await timeStart(dataDir));
      bare.push(await timeStart(dataDir, true));
    }
    report("démarrage à chaud (médiane de 3)", median(warm), "s", "≤ 1 s");
    report(
      "  référence : script nu (ouvre la même base PGlite, écoute avec Fastify ; médiane de 3)",
      median(bare),
      "s",
    );
    report("  rapport démarrage à chaud / script nu", median(warm) / median(bare), "×", "≤ 2");

    const config = {
      ...loadConfig({}),
      dataDir,
      databaseUrl: undefined,
      port: 0,
      logLevel: "silent" as const,
      rateLimit: 0,
    };
    const ctx = await openApp(config);
    const queries = representativeQueries(ctx.territories.all);
    // Server time of a query: search + the JSON the API sends.
    const times: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const q of queries) {
        const t0 = performance.now();
        const r = ctx.search.search(q, { limit: 10 });
        JSON.stringify(r.hits.map((h) => territoryJson(h.territory, ctx.territories)));
        if (round > 0) times.push(performance.now() - t0);
      }
    }
    times.sort((a, b) => a - b);
    report(
      `recherche de territoire, p50 (${queries.length} requêtes × 2)`,
      percentile(times, 50),
      "ms",
      "< 2 ms",
    );
    report("recherche de territoire, p99", percentile(times, 99), "ms", "< 10 ms");

    const app = await buildServer(ctx);
    const url = await listen(app, 0, "127.0.0.1");
    const paths = queries.slice(0, 200).map((q) => `/api/v1/territoires?q=${encodeURIComponent(q)}`);
    let k = 0;
    const result = await autocannon({
      url,
      connections: 10,
      duration: 10,
      requests: [{ setupRequest: (req) => ({ ...req, path: paths[k++ % paths.length] }) }],
    });
    report(
      "HTTP GET /api/v1/territoires?q= (autocannon, 10 connexions, 10 s), moyenne",
      result.requests.average,
      "req/s",
    );
    report("HTTP GET /api/v1/territoires?q=, latence p99", result.latency.p99, "ms");
    if (result.non2xx > 0) console.log(`  attention : ${result.non2xx} réponses non 2xx`);
    await app.close();
    await ctx.database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
