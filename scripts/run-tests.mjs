#!/usr/bin/env node
// Runs every *.test.ts of src/ and test/ with node:test, several files at a time, the longest first. Each file's output
// is printed whole when it ends, with its time; the slowest files and the failed ones are listed at the end.
// `--unit` runs only the tests next to the code (src/); `--record` writes each file's time to test/durations.json when
// every file passed (the order of the next runs). Any other argument narrows to the files whose path contains it.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundle } from "./bundle.mjs";

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === "node_modules" ? [] : walk(join(dir, e.name))) : [join(dir, e.name)],
  );
const DURATIONS = "test/durations.json";
const args = process.argv.slice(2);
const unitOnly = args.includes("--unit");
const filters = args.filter((a) => !a.startsWith("--"));
const files = [...walk("src"), ...(unitOnly ? [] : walk("test"))]
  .filter((f) => f.endsWith(".test.ts"))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)));
// The longest files first, by the durations measured in an earlier full run (test/durations.json, rewritten by
// `--record`), so that the last minutes are not spent waiting for one long file while the other slots are idle. A file
// not measured yet gets a guess from where it lives (browser journeys and database operations, then server and store
// tests, then unit tests).
const measured = existsSync(DURATIONS) ? JSON.parse(readFileSync(DURATIONS, "utf8")) : {};
const guess = (f) =>
  f.startsWith("test/e2e") || f.startsWith("test/db-")
    ? 150
    : f.startsWith("test") || f.includes("store")
      ? 60
      : 10;
const expected = (f) => measured[f] ?? guess(f);
files.sort((a, b) => expected(b) - expected(a) || a.localeCompare(b));
// No TZ here: the tests run in the machine's time zone, as production does (.ci/run picks a non-Paris one).
const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" };
// The commands and servers that tests start as child processes run the bundle of `npm start` (scripts/start.mjs):
// built here, once, before any file starts, rather than by whichever file needs it first.
await bundle();
// The files of test/ copy the loaded test database, built once by test/support/prepare.ts before any of them starts.
// The files of src/ do not need it: they run on the other slots meanwhile.
const needsPrepared = (f) => f.startsWith("test/");
/** @type {Promise<void> | null} */
let prepared = null;
if (files.some(needsPrepared)) {
  prepared = new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/support/prepare.ts"], {
      stdio: "inherit",
      env,
    });
    child.on("close", (code) => {
      if (code !== 0) {
        console.error(`test/support/prepare.ts failed (${code})`);
        process.exit(code ?? 1);
      }
      prepared = null;
      resolve();
    });
  });
}

const concurrency = Math.max(1, Number(process.env.MAILLAGE_TEST_CONCURRENCY ?? 4));
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
/** The longest file that can start now: while the test database is being prepared, only files of src/. */
const next = () => {
  const i = queue.findIndex((f) => !prepared || !needsPrepared(f));
  return i === -1 ? undefined : queue.splice(i, 1)[0];
};
// One slot waits for the preparation (it uses a core itself); the others take files of src/ meanwhile.
const waitPrepared = async () => {
  if (prepared) await prepared;
};
await Promise.all(
  Array.from({ length: Math.min(concurrency, queue.length) }, async (_, slot) => {
    if (slot === 0) await waitPrepared();
    while (queue.length > 0) {
      const f = next();
      if (f) await runFile(f);
      else await waitPrepared();
    }
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
if (args.includes("--record")) {
  // Keeps the figures of the files that ran, adds the new ones, drops the files that no longer exist.
  const all = new Set([...walk("src"), ...walk("test")]);
  const next = Object.fromEntries(
    [
      ...Object.entries(measured).filter(([f]) => all.has(f)),
      ...done.map((d) => [d.file, Math.round(d.ms / 1000)]),
    ].sort(([fa, a], [fb, b]) => b - a || fa.localeCompare(fb)),
  );
  writeFileSync(DURATIONS, `${JSON.stringify(next, null, 2)}\n`);
  console.log(`durations written to ${DURATIONS}`);
}
console.log("all files passed");
