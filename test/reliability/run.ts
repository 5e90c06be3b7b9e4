/**
 * The reliability harness (`npm run test:reliability`, `-- --short` in CI): the real server and commands as child
 * processes on 127.0.0.1, on a copy of the loaded test database, bounded in time and requests.
 * 1. malformed files over every importer (in this process, server stopped);
 * 2. load: mixed reads and writes (autocannon), throughput, p99, errors, server RSS before and after;
 * 3. fuzz: generated bad input over every route (fast-check), no 5xx, no unescaped reflection;
 * 4. faults: kill -9 of the server during a batch of writes, then of an import; nothing acknowledged lost, no
 *    half import, the space of the aborted import reclaimed by VACUUM;
 * 5. a large import (200 MB, 20 MB with --short) of real France Services rows repeated with distinct ids: peak RSS
 *    of the importing process, database growth;
 * 6. restart: the server comes back and serves what the database holds.
 * One line per figure; exit code 1 when data is lost, a 5xx or an unescaped reflection appears, a malformed file
 * is not handled cleanly, or the import's peak RSS exceeds 600 MB.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { sql } from "kysely";
import { registeredRoutes } from "../../src/api-docs.tsx";
import { openApp } from "../../src/app.ts";
import { openDatabase } from "../../src/platform/db.ts";
import { buildServer } from "../../src/server.ts";
import { professionalToken } from "../support/accounts.ts";
import { DATA_DIR } from "../support/paths.ts";
import { preparedDataDir, testConfig } from "../support/server.ts";
import { writeBigFile } from "./bigfile.ts";
import { malformedFiles } from "./files.ts";
import { fuzzRoutes } from "./fuzz.ts";
import { rss, runCommand, startServer } from "./processes.ts";

const { values } = parseArgs({ options: { short: { type: "boolean" }, seed: { type: "string" } } });
const short = values.short === true;
const seed = Number(values.seed ?? Date.now() % 1_000_000);
const LIMIT_RSS = 600 * 1024 * 1024;

const mb = (n: number) => `${Math.round(n / 1024 / 1024)} Mo`;
const failures: string[] = [];
const figure = (name: string, value: string | number, bad = false) => {
  console.log(`${name.padEnd(34)} ${value}${bad ? "   ← ÉCHEC" : ""}`);
  if (bad) failures.push(name);
};
const section = (s: string) => console.error(`\n== ${s} ==`);

function folderSize(dir: string): number {
  let n = 0;
  // A file may go between the listing and its size (PostgreSQL removes and renames files while it runs).
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) n += statSync(join(e.parentPath, e.name), { throwIfNoEntry: false })?.size ?? 0;
  return n;
}

/** Opens the embedded database of the data folder (never while a server runs on it). */
async function withDb<T>(
  dataDir: string,
  f: (db: Awaited<ReturnType<typeof openDatabase>>["db"]) => Promise<T>,
) {
  const database = await openDatabase({ pgliteDir: join(dataDir, "db") });
  try {
    return await f(database.db);
  } finally {
    await database.close();
  }
}

const one = async (db: Parameters<Parameters<typeof withDb>[1]>[0], query: ReturnType<typeof sql>) =>
  Number(((await query.execute(db)).rows[0] as { n: string }).n);

const placeCounts = (dataDir: string) =>
  withDb(dataDir, async (db) => {
    const r = await sql<Record<string, string>>`SELECT
      (SELECT count(*) FROM place_record) AS records,
      (SELECT count(*) FROM place) AS published,
      (SELECT count(*) FROM place_import) AS imports,
      (SELECT count(*) FROM place_history) AS history,
      (SELECT count(*) FROM place_pair) AS pairs,
      pg_total_relation_size('place_record') + pg_total_relation_size('place') +
        pg_total_relation_size('place_pair') AS bytes`.execute(db);
    return Object.fromEntries(Object.entries(r.rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
  });

const diagnostics = (dataDir: string) =>
  withDb(dataDir, (db) => one(db, sql`SELECT count(*) AS n FROM diagnostic_response`));

const DIAGNOSTIC = JSON.stringify({
  commune: "23096",
  mode: "accompagne",
  reponses: {
    equipement: "telephone",
    connexion: "oui",
    appareil: "aide",
    recherche: "aide",
    courriel: "jamais",
    "mot-de-passe": "jamais",
    demarche: "jamais",
    arnaque: "doute",
    messagerie: "seul",
    confiance: "peur",
    urgence: "oui",
    genes: ["lecture", "vue"],
    entourage: "non",
  },
});

const READS = [
  "/",
  "/territoires?q=gueret",
  "/territoires/23096",
  "/api/v1/territoires?q=aubusson",
  "/api/v1/territoires/23",
  "/lieux?territoire=23",
  "/api/v1/lieux?territoire=23&limit=20",
  "/fragilite?territoire=23",
  "/api/v1/fragilite?territoire=23",
  "/couverture?territoire=23",
  "/trouver?commune=23096&besoin=demarches",
  "/diagnostic",
  "/a-propos/donnees",
];

let lost = 0;
let fiveXX = 0;
const work = mkdtempSync(join(tmpdir(), "maillage-fiabilite-"));
section(`préparation (graine ${seed}${short ? ", mode court" : ""})`);
const dataDir = await preparedDataDir();
try {
  // 1. Routes and malformed files, in this process (no server on the folder).
  section("fichiers malformés");
  const ctx = await openApp({ ...testConfig(), dataDir });
  const app = await buildServer(ctx);
  const routes = [
    ...new Map((registeredRoutes.get(app) ?? []).map((r) => [`${r.method} ${r.url}`, r])).values(),
  ];
  await app.close();
  const files = await malformedFiles(ctx);
  // A prescriber's token: the diagnostics posted below count in the statistics (the writes checked after kills).
  const posting = {
    "content-type": "application/json",
    authorization: `Bearer ${await professionalToken(ctx.database.db, ctx.clock, "fiabilite@example.org")}`,
  };
  await ctx.database.close();
  figure(
    "fichiers malformés",
    `${files.runs} (${files.refused} refusés proprement, ${files.rejectedRows} lignes refusées)`,
  );
  figure("fichiers mal gérés", files.findings.length, files.findings.length > 0);
  for (const f of files.findings) console.log(`  ${f.file} : ${f.problem}`);

  // 2. Load.
  section("charge");
  const diagBefore = await diagnostics(dataDir);
  let server = await startServer(dataDir);
  const rssBefore = rss(server.pid).now;
  let acked = 0;
  const load = await autocannon({
    url: server.url,
    connections: 8,
    duration: short ? 10 : 30,
    requests: [
      ...READS.map((path) => ({ method: "GET" as const, path })),
      {
        method: "POST" as const,
        path: "/api/v1/diagnostic",
        headers: posting,
        body: DIAGNOSTIC,
        onResponse: (status: number) => {
          if (status === 200) acked++;
        },
      },
    ],
  });
  const rssAfter = rss(server.pid).now;
  const loadFiveXX = Object.entries(load.statusCodeStats ?? {})
    .filter(([code]) => Number(code) >= 500)
    .reduce((n, [, v]) => n + (v as { count: number }).count, 0);
  fiveXX += loadFiveXX;
  figure("requests", load.requests.total);
  figure("débit (req/s)", Math.round(load.requests.average));
  figure("p99", `${load.latency.p99} ms`);
  figure("erreurs (réseau, délais)", load.errors + load.timeouts, load.errors + load.timeouts > 0);
  figure("écritures acquittées (diagnostics)", acked);
  figure("RSS serveur avant / après", `${mb(rssBefore)} / ${mb(rssAfter)}`);
  figure("RSS growth", mb(rssAfter - rssBefore));

  // 3. Fuzz.
  section(`fuzz (${routes.length} routes)`);
  const fuzz = await fuzzRoutes(server.url, routes, { runs: short ? 12 : 80, seed });
  const fuzz5 = fuzz.findings.filter((f) => f.kind !== "reflection");
  const reflections = fuzz.findings.filter((f) => f.kind === "reflection");
  fiveXX += fuzz5.length;
  figure("requêtes malformées", fuzz.requests);
  figure("réflexions non échappées", reflections.length, reflections.length > 0);
  for (const f of fuzz.findings.slice(0, 30))
    console.log(`  ${f.kind} ${f.status} ${JSON.stringify(f.request)}`);
  await server.stop();
  const diagAfter = await diagnostics(dataDir);
  const loadLost = Math.max(0, diagBefore + acked - diagAfter);
  lost += loadLost;

  // 4a. kill -9 during a batch of writes: stops after 150 acknowledged writes, requests in flight.
  section("kill -9 pendant des écritures");
  const writesBefore = await diagnostics(dataDir);
  server = await startServer(dataDir);
  let writesAcked = 0;
  let sent = 0;
  const killer = server;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (writesAcked < 150) {
        sent++;
        const res = await fetch(`${killer.url}/api/v1/diagnostic`, {
          method: "POST",
          headers: posting,
          body: DIAGNOSTIC,
        }).catch(() => null);
        if (res?.status === 200) writesAcked++;
        if (writesAcked >= 150) await killer.kill();
      }
    }),
  );
  const writesAfter = await diagnostics(dataDir);
  const writesLost = Math.max(0, writesBefore + writesAcked - writesAfter);
  lost += writesLost;
  figure(
    "kill -9 écritures : acquittées",
    `${writesAcked} (envoyées ${sent}, en base ${writesAfter - writesBefore})`,
  );
  figure("kill -9 écritures : perdues", writesLost, writesLost > 0);
  if (writesAfter - writesBefore > sent) failures.push("écritures fantômes");

  // 4b. kill -9 during an import (with the command line, server stopped: importing through the running
  // server's admin endpoint comes with the database owner lock).
  section("kill -9 pendant un import");
  const medium = join(work, "moyen", "france-services-2024-08-01.csv");
  rmSync(join(work, "moyen"), { recursive: true, force: true });
  mkdirSync(join(work, "moyen"));
  await writeBigFile(DATA_DIR, medium, short ? 6 : 20);
  const beforeImport = await placeCounts(dataDir);
  const sizeBefore = folderSize(dataDir);
  // Killed once the database folder has grown by 40 MB: the import is writing, well inside its transaction.
  const aborted = await runCommand(dataDir, ["places", "import", medium, "--source", "fiabilite-coupe"], {
    timeoutMs: 600_000,
    killWhen: () => folderSize(dataDir) - sizeBefore > 40e6,
  });
  const afterKill = await placeCounts(dataDir);
  const half = ["records", "published", "imports", "history", "pairs"].some(
    (k) => afterKill[k] !== beforeImport[k],
  );
  if (aborted.signal !== "SIGKILL") console.log(`  l'import a fini avant d'être tué (code ${aborted.code})`);
  figure("kill -9 import : import à moitié", half ? "oui" : "non", half && aborted.signal === "SIGKILL");
  if (half && aborted.signal === "SIGKILL") lost++;
  await withDb(dataDir, (db) =>
    sql`VACUUM place_record, place, place_pair, place_history, place_import`.execute(db),
  );
  const vacuumed = await placeCounts(dataDir);
  figure(
    "espace mort après VACUUM",
    mb(Math.max(0, (vacuumed.bytes ?? 0) - (beforeImport.bytes ?? 0))),
    (vacuumed.bytes ?? 0) > (beforeImport.bytes ?? 0) * 1.1 + 8e6,
  );

  // 5. The large import.
  section("gros import");
  const size = short ? 20 : 200;
  mkdirSync(join(work, "gros"));
  const big = join(work, "gros", "france-services-2024-08-01.csv");
  const made = await writeBigFile(DATA_DIR, big, size);
  const grossBefore = folderSize(dataDir);
  const beforeBig = await placeCounts(dataDir);
  const run = await runCommand(dataDir, ["places", "import", big, "--source", "fiabilite-gros"], {
    timeoutMs: short ? 600_000 : 3_600_000,
  });
  const afterBig = await placeCounts(dataDir);
  const added = (afterBig.records ?? 0) - (beforeBig.records ?? 0);
  figure(
    `import ${size} MB : lignes`,
    `${made.rows} lues, ${added} enregistrées, code ${run.code ?? run.signal}`,
    run.code !== 0,
  );
  if (added !== made.rows) lost += Math.abs(made.rows - added);
  figure(`import ${size} MB peak RSS`, mb(run.peakRss), run.peakRss > LIMIT_RSS);
  figure(`import ${size} MB durée`, `${Math.round(run.seconds)} s`);
  figure(
    `import ${size} MB croissance de la base`,
    `${mb(folderSize(dataDir) - grossBefore)} (${Math.round((folderSize(dataDir) - grossBefore) / Math.max(1, added))} octets par ligne)`,
  );
  if (run.code !== 0) console.log(run.stderr.slice(-2000));

  // 6. Restart: the server serves what the database holds.
  section("redémarrage");
  server = await startServer(dataDir);
  const health = await fetch(`${server.url}/sante`);
  const api = (await (await fetch(`${server.url}/api/v1/lieux?limit=1`)).json()) as { total?: number };
  figure(
    "redémarrage",
    `${health.status}, ${api.total} lieux publiés (${afterBig.published} en base)`,
    health.status !== 200 || api.total !== afterBig.published,
  );
  figure("RSS serveur après le gros import", mb(rss(server.pid).now));
  await server.stop();
} finally {
  figure("5xx", fiveXX, fiveXX > 0);
  figure("data lost", lost, lost > 0);
  rmSync(work, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
  console.log(failures.length === 0 ? "fiabilité : OK" : `fiabilité : ÉCHEC (${failures.join(", ")})`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}
