import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { openApp } from "../src/app.ts";
import { loadConfig } from "../src/platform/config.ts";
import { buildServer, listen } from "../src/server.ts";
import type { Territory } from "../src/territories/model.ts";
import { territoryJson } from "../src/territories/routes.ts";
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

/** Starts `maillage serve` as `npm start` does, in a child process; returns the seconds until it is ready. */
function timeStart(dataDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ["scripts/start.mjs", "serve"], {
      cwd: ROOT,
      env: { ...process.env, MAILLAGE_DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "silent", DATABASE_URL: "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes("Maillage est prêt")) {
        const s = (performance.now() - t0) / 1000;
        child.kill("SIGTERM");
        child.once("exit", () => resolve(s));
      }
    });
    child.once("exit", (code) => {
      if (!err.includes("Maillage est prêt"))
        reject(new Error(`serve stopped (${code}): ${err.slice(-500)}`));
    });
  });
}

export async function benchTerritories(): Promise<void> {
  console.log("# Territoires");
  const dataDir = mkdtempSync(join(tmpdir(), "maillage-bench-"));
  try {
    // Cold start: create the database, migrate, load every territory. Then warm starts on the same folder.
    report("démarrage à froid (création, migrations, chargement)", await timeStart(dataDir), "s");
    const warm: number[] = [];
    for (let i = 0; i < 3; i++) warm.push(await timeStart(dataDir));
    report("démarrage à chaud (médiane de 3)", median(warm), "s", "< 2 s");

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
