#!/usr/bin/env node
// Runs every *.test.ts of src/ and test/ with node:test, several files at a time, the longest first.
// `--unit` runs only the tests next to the code (src/). Node 20's --test takes no globs, so files are listed here.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === "node_modules" ? [] : walk(join(dir, e.name))) : [join(dir, e.name)],
  );
const unitOnly = process.argv.includes("--unit");
const files = [...walk("src"), ...(unitOnly ? [] : walk("test"))].filter((f) => f.endsWith(".test.ts"));
// The longest files first (browser journeys and database operations, then server and store tests, then unit tests), so that the last
// minutes are not spent waiting for one long file while the other cores are idle.
const rank = (f) =>
  f.startsWith("test/e2e") || f.startsWith("test/db-")
    ? 0
    : f.startsWith("test") || f.includes("store")
      ? 1
      : 2;
files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
// No TZ here: the tests run in the machine's time zone, as production does (.ci/run picks a non-Paris one).
const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" };
if (!unitOnly) {
  // The loaded test database, built once before the files that copy it start.
  const prepared = spawnSync(process.execPath, ["--import", "tsx", "test/support/prepare.ts"], {
    stdio: "inherit",
    env,
  });
  if (prepared.status !== 0) process.exit(prepared.status ?? 1);
}
const result = spawnSync(
  process.execPath,
  [
    "--expose-gc",
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${process.env.MAILLAGE_TEST_CONCURRENCY ?? 3}`,
    ...files,
  ],
  {
    stdio: "inherit",
    env,
  },
);
process.exit(result.status ?? 1);
