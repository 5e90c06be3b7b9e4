#!/usr/bin/env node
// Runs every *.test.ts of src/ and test/ with node:test, several files at a time, the longest first. Each file's output
// is printed whole when it ends, with its time; the slowest files and the failed ones are listed at the end.
// `--unit` runs only the tests next to the code (src/). Any other argument narrows to the files whose path contains it.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === "node_modules" ? [] : walk(join(dir, e.name))) : [join(dir, e.name)],
  );
const args = process.argv.slice(2);
const unitOnly = args.includes("--unit");
const filters = args.filter((a) => !a.startsWith("--"));
const files = [...walk("src"), ...(unitOnly ? [] : walk("test"))]
  .filter((f) => f.endsWith(".test.ts"))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)));
// The longest files first (browser journeys and database operations, then server and store tests, then unit tests), so
// that the last minutes are not spent waiting for one long file while the other cores are idle.
const rank = (f) =>
  f.startsWith("test/e2e") || f.startsWith("test/db-")
    ? 0
    : f.startsWith("test") || f.includes("store")
      ? 1
      : 2;
files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
// No TZ here: the tests run in the machine's time zone, as production does (.ci/run picks a non-Paris one).
const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" };
if (files.some((f) => f.startsWith("test/"))) {
  // The loaded test database, built once before the files that copy it start.
  const prepared = spawnSync(process.execPath, ["--import", "tsx", "test/support/prepare.ts"], {
    stdio: "inherit",
    env,
  });
  if (prepared.status !== 0) process.exit(prepared.status ?? 1);
}

const concurrency = Math.max(1, Number(process.env.MAILLAGE_TEST_CONCURRENCY ?? 3));
const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
/** @type {{file: string, ms: number, ok: boolean}[]} */
const done = [];

function runFile(file) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "--test-reporter=spec", file], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const chunks = [];
    child.stdout.on("data", (d) => chunks.push(d));
    child.stderr.on("data", (d) => chunks.push(d));
    child.on("close", (code, signal) => {
      const ms = Date.now() - t0;
      const ok = code === 0;
      done.push({ file, ms, ok });
      const head = `\n━━ ${file} — ${ok ? "ok" : `ÉCHEC (${signal ?? code})`} in ${seconds(ms)} [${done.length}/${files.length}, ${seconds(Date.now() - started)} elapsed]`;
      process.stdout.write(`${head}\n${Buffer.concat(chunks).toString("utf8")}`);
      resolve();
    });
  });
}

const queue = [...files];
await Promise.all(
  Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let f = queue.shift(); f; f = queue.shift()) await runFile(f);
  }),
);

const failed = done.filter((d) => !d.ok);
const slowest = [...done].sort((a, b) => b.ms - a.ms).slice(0, 15);
console.log(`\n━━ ${files.length} files, ${concurrency} at a time, in ${seconds(Date.now() - started)}`);
console.log("slowest files:");
for (const d of slowest) console.log(`  ${seconds(d.ms).padStart(8)}  ${d.file}`);
if (failed.length > 0) {
  console.log(`failed files (${failed.length}):`);
  for (const d of failed) console.log(`  ${d.file}`);
  process.exit(1);
}
console.log("all files passed");
