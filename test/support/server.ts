import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { openApp } from "../../src/app.ts";
import type { AppContext } from "../../src/context.ts";
import { migrations } from "../../src/migrations.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { type Config, loadConfig } from "../../src/platform/config.ts";
import { hashFiles } from "../../src/platform/files.ts";
import { buildServer, listen } from "../../src/server.ts";
import { territoryFilePaths } from "../../src/territories/load.ts";
import { DATA_DIR } from "./paths.ts";
import { preloadReadModels } from "./read-models.ts";

/** The folder of the loaded test database, built once per data version and migrations (copied, never opened). */
export async function preparedTemplate(): Promise<string> {
  // Keyed by the data files and the migrations' code: any change prepares a new database.
  const schema = createHash("sha256")
    .update(
      Object.entries(migrations)
        .map(([name, m]) => name + m.up.toString())
        .join("|"),
    )
    .digest("hex");
  const version = `${(await hashFiles(await territoryFilePaths(DATA_DIR))).slice(0, 12)}-${schema.slice(0, 12)}`;
  const template = join(tmpdir(), `maillage-test-db-${version}-w`);
  if (!existsSync(template)) {
    const building = mkdtempSync(join(tmpdir(), "maillage-test-build-"));
    const ctx = await openApp({ ...testConfig(), dataDir: building });
    const wal = await sql<{
      file: string;
    }>`SELECT pg_walfile_name(pg_current_wal_insert_lsn()) AS file`.execute(ctx.database.db);
    await ctx.database.close();
    dropPreallocatedWal(join(building, "db", "pg_wal"), wal.rows[0]?.file ?? "");
    try {
      renameSync(building, template);
    } catch (e) {
      // Test files run in parallel: another one may have prepared the same template meanwhile.
      if (!existsSync(template)) throw e;
      rmSync(building, { recursive: true, force: true });
    }
  }
  return template;
}

/**
 * Removes the WAL segments that PostgreSQL renamed ahead of the current one at checkpoints during the load, to reuse
 * them later (half of the folder: 14 × 16 MB after the first load). They hold no record: the database was shut down
 * cleanly in `current` (its shutdown checkpoint at most one segment further), and PostgreSQL creates the segments it
 * needs when they are missing, as in a database that never loaded that much. Every copy of the template is then
 * half the bytes to copy and to delete.
 */
function dropPreallocatedWal(dir: string, current: string): void {
  const segments = readdirSync(dir)
    .filter((f) => /^[0-9A-F]{24}$/.test(f))
    .sort();
  const at = segments.indexOf(current);
  assert.ok(at >= 0, `WAL segment ${current} not found in ${dir}`);
  for (const f of segments.slice(at + 2)) rmSync(join(dir, f));
}

/** A fresh copy of a data folder whose embedded database is already created, migrated and loaded. */
export async function preparedDataDir(): Promise<string> {
  return copyOf(await preparedTemplate());
}

function copyOf(template: string): string {
  const dataDir = mkdtempSync(join(tmpdir(), "maillage-test-run-"));
  cpSync(template, dataDir, { recursive: true });
  return dataDir;
}

export const testConfig = () => ({
  ...loadConfig({}),
  port: 0,
  logLevel: "silent" as const,
  rateLimit: 0,
  referenceDir: DATA_DIR,
});

/** A running test server on a copy of the loaded database. */
export interface TestServer {
  url: string;
  ctx: AppContext;
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * A real Maillage server on a free loopback port, on an embedded database loaded with the real data.
 * The loaded database is prepared once per data version (in the system's temp folder) and copied for each run,
 * so that test files do not each pay for a full load.
 */
export async function startTestServer(
  opts: { configure?: (app: FastifyInstance) => void; clock?: Clock; config?: Partial<Config> } = {},
): Promise<TestServer> {
  const template = await preparedTemplate();
  const dataDir = copyOf(template);
  const ctx = await openApp({ ...testConfig(), ...opts.config, dataDir }, { clock: opts.clock });
  // The read models of the template, built once per run and handed over (see read-models.ts); not to a server on
  // other reference files or another database.
  if (ctx.config.referenceDir === DATA_DIR && !ctx.config.databaseUrl) await preloadReadModels(template, ctx);
  const app = await buildServer(ctx);
  opts.configure?.(app);
  const url = await listen(app, 0, "127.0.0.1");
  return {
    url,
    ctx,
    app,
    async close() {
      await closeServer(app);
      await ctx.database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The bytes of a few pages served from a database (to compare a restored one with its source). */
export async function pagesOf(
  config: Partial<Config> & { dataDir: string },
  pages: string[],
): Promise<string[]> {
  const ctx = await openApp({ ...testConfig(), ...config });
  const app = await buildServer(ctx);
  try {
    const url = await listen(app, 0, "127.0.0.1");
    const out: string[] = [];
    for (const p of pages) {
      const res = await fetch(url + p);
      assert.equal(res.status, 200, p);
      out.push(await res.text());
    }
    return out;
  } finally {
    await closeServer(app);
    await ctx.database.close();
  }
}

/**
 * Stops a test server as `maillage serve` stops (src/cli.ts): no new connection, and each connection closed as soon
 * as its response is finished. `app.close()` alone closes the connections idle at that moment only; one whose
 * response was still being read would then be kept open for Fastify's keep-alive timeout (72 s), and the test file
 * would wait for it doing nothing.
 */
async function closeServer(app: FastifyInstance): Promise<void> {
  const done = app.close();
  const idle = setInterval(() => app.server.closeIdleConnections(), 100);
  try {
    await done;
  } finally {
    clearInterval(idle);
  }
}
