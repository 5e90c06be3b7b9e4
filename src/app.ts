import { join } from "node:path";
import { capabilities } from "./capabilities.ts";
import type { AppContext, BaseContext, ProgressFactory, ReadModels } from "./context.ts";
import { migrations } from "./migrations.ts";
import { type Clock, systemClock } from "./platform/clock.ts";
import type { Config } from "./platform/config.ts";
import { type Database, migrate, openDatabase } from "./platform/db.ts";
import { Referential } from "./territories/referential.ts";
import { SearchIndex } from "./territories/search.ts";
import { ShapeCache } from "./territories/shapes.ts";
import { listContrats, listTerritories } from "./territories/store.ts";
import { syncTerritories } from "./territories/sync.ts";

/** The configured database; `command` names this process to whoever tries to open the same embedded folder. */
export function openConfiguredDatabase(config: Config, command = "?"): Promise<Database> {
  return openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: embeddedFolder(config), command });
}

/** Where the embedded database lives. */
export const embeddedFolder = (config: Config): string => join(config.dataDir, "db");

/**
 * Opens (or creates) the database, applies migrations, loads the territories and lets every capability load or
 * compute its reference data when missing or changed.
 */
export async function openApp(
  config: Config,
  opts: {
    progress?: ProgressFactory;
    log?: (msg: string) => void;
    force?: boolean;
    clock?: Clock;
    /** The command opening the database (« serve »…), named to whoever tries to open the same embedded folder. */
    command?: string;
  } = {},
): Promise<AppContext> {
  const log = opts.log ?? (() => {});
  const database = await openConfiguredDatabase(config, opts.command);
  try {
    // Servers starting together on one PostgreSQL: one migrates and loads, the others wait, then find it done.
    return await database.exclusive(async () => {
      const applied = await migrate(database.db, migrations);
      if (applied.length > 0) log(`Migrations appliquées : ${applied.join(", ")}`);
      const sync = await syncTerritories(database.db, config.referenceDir, {
        progress: opts.progress,
        force: opts.force,
      });
      if (sync.status === "loaded") log(`Territoires chargés : ${JSON.stringify(sync.counts)}`);
      const shapes = new ShapeCache(database.db);
      const base: BaseContext = {
        config,
        clock: opts.clock ?? systemClock,
        database,
        ...(await buildReferential(database)),
        shapes: (ids) => shapes.get(ids),
        // Public-data indicators first (the dashboards' order), then each capability's operational ones.
        indicatorProviders: capabilities
          .flatMap((c) => c.indicators ?? [])
          .sort(
            (a, b) =>
              Number(a.definitions.some((d) => d.access !== "public")) -
              Number(b.definitions.some((d) => d.access !== "public")),
          ),
      };
      const ctx = provideReadModels(base);
      for (const c of capabilities) await c.sync?.(ctx, { progress: opts.progress, log, force: opts.force });
      return ctx;
    });
  } catch (e) {
    await database.close();
    throw e;
  }
}

export async function buildReferential(
  database: Database,
): Promise<{ territories: Referential; search: SearchIndex }> {
  const all = await listTerritories(database.db);
  return {
    territories: new Referential(all, await listContrats(database.db)),
    search: new SearchIndex(all),
  };
}

const READ_MODELS: (keyof ReadModels)[] = ["places", "fragility", "coverage", "qpv"];

/** Asks every capability for the read models it offers; each must be offered exactly once. */
function provideReadModels(base: BaseContext): AppContext {
  // Filled below; a model reads the others from it when used, never while it is built.
  const ctx = { ...base } as AppContext;
  for (const c of capabilities) {
    for (const [key, model] of Object.entries(c.provide?.(ctx) ?? {})) {
      if (key in ctx) throw new Error(`Le modèle de lecture « ${key} » est fourni deux fois (${c.name}).`);
      Object.assign(ctx, { [key]: model });
    }
  }
  const missing = READ_MODELS.filter((k) => !(k in ctx));
  if (missing.length > 0) throw new Error(`Modèles de lecture non fournis : ${missing.join(", ")}.`);
  return ctx;
}
