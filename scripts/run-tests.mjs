#!/usr/bin/env node
// Runs every *.test.ts of src/ and test/ with node:test (unit tests first, browser tests last).
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
const rank = (f) => (f.startsWith("test/e2e") ? 2 : f.startsWith("test") || f.includes("store") ? 1 : 0);
files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
const result = spawnSync(
  process.execPath,
  [
    "--expose-gc",
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${process.env.MAILLAGE_TEST_CONCURRENCY ?? 2}`,
    ...files,
  ],
  {
    stdio: "inherit",
    env: { ...process.env, TZ: "Europe/Paris", LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" },
  },
);
process.exit(result.status ?? 1);
