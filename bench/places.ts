/**
 * Places: import + validation + deduplication of the shipped real files and of a national-size file, validation
 * side by side with the official library, streamed national export, and the place list API under load.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  fromSchemaLieuDeMediationNumerique,
  type SchemaLieuMediationNumerique,
} from "@gouvfr-anct/lieux-de-mediation-numerique";
import autocannon from "autocannon";
import { openApp } from "../src/app.ts";
import { migrations } from "../src/migrations.ts";
import { dedupe } from "../src/places/dedupe.ts";
import { exportCsv } from "../src/places/export.ts";
import { type CommuneIndex, communeIndex } from "../src/places/import/communes.ts";
import { openFile } from "../src/places/import/read.ts";
import { importPlaces } from "../src/places/import/rows.ts";
import { mapStandard } from "../src/places/import/sources.ts";
import type { Place, RawRow } from "../src/places/model.ts";
import { fileValidator } from "../src/places/schema.ts";
import { streamPlaces } from "../src/places/store/published.ts";
import { SHIPPED, syncPlaces } from "../src/places/sync.ts";
import { migrate, openDatabase } from "../src/platform/db.ts";
import { buildServer, listen } from "../src/server.ts";
import { readTerritoryDataset } from "../src/territories/load.ts";
import { preparedDataDir, testConfig } from "../test/support/server.ts";
import { median, report } from "./stats.ts";

const DATA = join(import.meta.dirname, "..", "data");
const mb = (n: number) => n / 1024 / 1024;

function memory(label: string): void {
  const m = process.memoryUsage();
  console.log(`  mémoire ${label} : tas ${mb(m.heapUsed).toFixed(0)} Mo, RSS ${mb(m.rss).toFixed(0)} Mo`);
}

/** Reads, validates and resolves every row of a byte stream; returns the accepted places. */
async function importAccepted(
  input: AsyncIterable<Buffer>,
  file: string,
  source: string,
  communes: CommuneIndex,
) {
  const { outcomes, summary } = importPlaces(input, { source, file, communes });
  const places: Place[] = [];
  for await (const o of outcomes) if (o.status === "accepted") places.push(o.place);
  return { places, summary };
}

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = "";
  for await (const c of chunks) out += c;
  return out;
}

/** Peak heap and RSS while `run` works (sampled every 5 ms), and at the start, in MB. */
async function peakMemory<T>(
  run: () => Promise<T>,
): Promise<{ result: T; heap: [number, number]; rss: [number, number]; ms: number }> {
  global.gc?.();
  const start = process.memoryUsage();
  let heap = start.heapUsed;
  let rss = start.rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    rss = Math.max(rss, m.rss);
  }, 5);
  const t0 = performance.now();
  try {
    const result = await run();
    return {
      result,
      heap: [mb(start.heapUsed), mb(heap)],
      rss: [mb(start.rss), mb(rss)],
      ms: performance.now() - t0,
    };
  } finally {
    clearInterval(timer);
  }
}

export async function benchPlaces(): Promise<void> {
  console.log("# Lieux de médiation numérique");
  await validationFigures();

  const territories = await readTerritoryDataset(DATA, undefined, { geometries: false });
  const communes = communeIndex(territories.territories);

  // 2. The shipped real files: read, validate, resolve the commune, then deduplicate (in memory).
  memory("avant");
  let t0 = performance.now();
  const real: Place[] = [];
  for (const s of SHIPPED) {
    const { places } = await importAccepted(openFile(join(DATA, s.file)), s.file, s.source, communes);
    real.push(...places);
  }
  const tImport = performance.now() - t0;
  t0 = performance.now();
  const d = dedupe(real);
  const tDedupe = performance.now() - t0;
  report(`import + validation des ${real.length} lieux réels (3 fichiers)`, tImport / 1000, "s");
  report(
    `dédoublonnage des ${real.length} lieux réels (${d.places.length} lieux publiés)`,
    tDedupe / 1000,
    "s",
  );
  report("import + validation + dédoublonnage, lieux réels", (tImport + tDedupe) / 1000, "s", "< 5 s");
  memory("après les lieux réels");

  // The same into the embedded database (one transaction, batched writes, deduplication, published places).
  const database = await openDatabase({ pgliteDir: "memory://" });
  await migrate(database.db, migrations);
  t0 = performance.now();
  await syncPlaces(database.db, DATA, communes);
  report(
    "chargement des 3 fichiers réels dans la base PGlite (import, écriture, dédoublonnage)",
    (performance.now() - t0) / 1000,
    "s",
  );
  t0 = performance.now();
  await syncPlaces(database.db, DATA, communes, { force: true });
  report("ré-import des 3 mêmes fichiers (tout inchangé)", (performance.now() - t0) / 1000, "s");
  await database.close();

  // 3. A national-size file: the real rows in the standard (CSV), replicated with shifted ids.
  const csv = await text(exportCsv(real));
  const [header, ...lines] = csv.trimEnd().split("\n");
  const copies: string[] = [header as string];
  for (let k = 0; copies.length <= 20_000; k++)
    for (const line of lines) {
      if (copies.length > 20_000) break;
      copies.push(k === 0 ? line : line.replace(/^"([^"]*)"/, `"$1-copie-${k}"`));
    }
  const national = Buffer.from(`${copies.join("\n")}\n`);
  const rows = copies.length - 1;
  global.gc?.();
  memory(`avant le fichier national (${rows} lignes, ${mb(national.length).toFixed(1)} Mo)`);
  t0 = performance.now();
  const big = await importAccepted(Readable.from([national]), "national.csv", "national", communes);
  const tBig = performance.now() - t0;
  t0 = performance.now();
  const dBig = dedupe(big.places);
  const tBigDedupe = performance.now() - t0;
  report(`import + validation, fichier national (${rows} lignes)`, tBig / 1000, "s");
  report(
    `dédoublonnage, fichier national (${dBig.places.length} lieux après fusion des copies)`,
    tBigDedupe / 1000,
    "s",
  );
  report("import + validation + dédoublonnage, fichier national", (tBig + tBigDedupe) / 1000, "s", "< 5 s");
  memory("après le fichier national");

  // 4 and 5 need a loaded database: the test template (territories and places) copied to a temp folder.
  const dataDir = await preparedDataDir();
  const ctx = await openApp({ ...testConfig(), dataDir });
  try {
    let count = 0;
    const sink = new Writable({
      write(chunk, _enc, done) {
        count += chunk.length;
        done();
      },
    });
    const exp = await peakMemory(() =>
      pipeline(Readable.from(exportCsv(streamPlaces(ctx.database.db, {}))), sink),
    );
    report(`export CSV national en flux (${(count / 1024 / 1024).toFixed(1)} Mo)`, exp.ms / 1000, "s");
    report(`export CSV national, pic du tas (${exp.heap[0].toFixed(0)} Mo au départ)`, exp.heap[1], "Mo");
    report(`export CSV national, pic RSS (${exp.rss[0].toFixed(0)} Mo au départ)`, exp.rss[1], "Mo");

    const app = await buildServer(ctx);
    const url = await listen(app, 0, "127.0.0.1");
    const path = `/api/v1/lieux?territoire=13&service=${encodeURIComponent("Aide aux démarches administratives")}&q=marseille&limit=20`;
    const result = await autocannon({ url: url + path, connections: 10, duration: 10 });
    report(
      "HTTP GET /api/v1/lieux (département 13, service, texte ; 10 connexions, 10 s), moyenne",
      result.requests.average,
      "req/s",
    );
    report("HTTP GET /api/v1/lieux, latence p99", result.latency.p99, "ms");
    if (result.non2xx > 0) console.log(`  attention : ${result.non2xx} réponses non 2xx`);
    await app.close();
  } finally {
    await ctx.database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * 1. Validation side by side with the official library, on the same standard rows (PACA hub, 646 rows). First,
 * on a fresh heap: the imports below keep hundreds of MB alive and train Maillage's code on other row shapes,
 * while the library never runs there (measured later in the run, the ratio dropped by up to a third).
 */
async function validationFigures(): Promise<void> {
  const paca = SHIPPED.find((s) => s.source === "hub-du-sud");
  const pacaRows = JSON.parse(
    await text(
      (async function* () {
        for await (const c of openFile(join(DATA, paca?.file ?? ""))) yield (c as Buffer).toString("utf8");
      })(),
    ),
  ) as Record<string, unknown>[];
  benchValidation("lignes réelles", pacaRows, "≥ 2×");
  // The same rows, each made invalid three times over: Maillage collects the three errors, the library throws.
  benchValidation(
    "mêmes lignes rendues invalides (pivot, code postal, service)",
    pacaRows.map((o) => ({
      ...o,
      pivot: "0000",
      code_postal: String(o.code_postal ?? "").slice(0, 4),
      services: `${o.services ?? ""}|Cuisine`,
    })),
  );
}

/** CPU time of this process, in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Validation throughput of Maillage (mapping of older fields, then every rule, every error collected) and of the
 * official library (`fromSchemaLieuDeMediationNumerique`, which throws at the first error) on the same rows:
 * both get the same parsed JSON objects (Maillage as text cells, as its importer reads them). The machine is
 * shared: times are the process's CPU time (not the wall clock, which counts the other programs' turns),
 * trials alternate the two in both orders, and the ratio is the median of the per-trial ratios.
 */
function benchValidation(label: string, objects: Record<string, unknown>[], goal?: string): void {
  const cells: RawRow[] = objects.map((o) => {
    const row: RawRow = {};
    for (const [k, v] of Object.entries(o)) row[k] = v === null || v === undefined ? "" : String(v);
    return row;
  });
  const rounds = 10;
  let valid = 0;
  let errors = 0;
  const ours = (): number => {
    valid = 0;
    errors = 0;
    const t0 = cpuMs();
    for (let r = 0; r < rounds; r++) {
      const validate = fileValidator();
      for (let i = 0; i < cells.length; i++) {
        const result = validate(mapStandard(cells[i] as RawRow).row, i + 2);
        if (result.place) valid++;
        for (const issue of result.issues) if (issue.severity === "error") errors++;
      }
    }
    return cpuMs() - t0;
  };
  let accepted = 0;
  let thrown = 0;
  const theirs = (): number => {
    accepted = 0;
    thrown = 0;
    const t0 = cpuMs();
    for (let r = 0; r < rounds; r++) {
      for (const row of objects) {
        try {
          fromSchemaLieuDeMediationNumerique(row as unknown as SchemaLieuMediationNumerique);
          accepted++;
        } catch {
          thrown++;
        }
      }
    }
    return cpuMs() - t0;
  };
  ours();
  theirs(); // warm-up of both
  const tOurs: number[] = [];
  const tTheirs: number[] = [];
  const ratios: number[] = [];
  for (let trial = 0; trial < 15; trial++) {
    global.gc?.();
    let a: number;
    let b: number;
    if (trial % 2 === 0) {
      a = ours();
      b = theirs();
    } else {
      b = theirs();
      a = ours();
    }
    tOurs.push(a);
    tTheirs.push(b);
    ratios.push(b / a);
  }
  const n = rounds * objects.length;
  report(
    `validation Maillage, ${label} (toutes les erreurs collectées) : ${valid / rounds} valides sur ${objects.length}, ${errors / rounds} erreurs`,
    n / (median(tOurs) / 1000),
    "lignes par seconde de processeur",
  );
  report(
    `validation bibliothèque officielle, ${label} (s'arrête à la 1re erreur) : ${accepted / rounds} valides, ${thrown / rounds} refusées`,
    n / (median(tTheirs) / 1000),
    "lignes par seconde de processeur",
  );
  report(
    `rapport de débit Maillage / bibliothèque officielle, ${label} (médiane de 15 essais alternés)`,
    median(ratios),
    "×",
    goal,
  );
}
