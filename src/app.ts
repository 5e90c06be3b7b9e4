import { join } from "node:path";
import { capabilities } from "./capabilities.ts";
import type { ProgressFactory } from "./capability.ts";
import { PublishedFragility } from "./fragility/published.ts";
import { migrations } from "./migrations.ts";
import { PublishedPlaces } from "./places/published.ts";
import type { Config } from "./platform/config.ts";
import { type Database, migrate, openDatabase } from "./platform/db.ts";
import type { Geometry } from "./territories/model.ts";
import { Referential } from "./territories/referential.ts";
import { SearchIndex } from "./territories/search.ts";
import { getGeometries, listTerritories } from "./territories/store.ts";
import { syncTerritories } from "./territories/sync.ts";

/** What the HTTP routes and commands share: the database and the in-memory territory referential. */
export interface AppContext {
  config: Config;
  database: Database;
  territories: Referential;
  search: SearchIndex;
  /** Boundaries of territories by id, for maps (capabilities do not read the territories' tables). */
  shapes(ids: string[]): Promise<Map<string, Geometry>>;
  /** Every published place in memory (coverage, orientation read places through it, not the places' tables). */
  places: PublishedPlaces;
  /** Computed fragility scores in memory, by method (coverage and planning weigh communes with it). */
  fragility: PublishedFragility;
}

export function openConfiguredDatabase(config: Config): Promise<Database> {
  return openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: join(config.dataDir, "db") });
}

/**
 * Opens (or creates) the database, applies migrations, loads the territories and lets every capability load or
 * compute its reference data when missing or changed.
 */
export async function openApp(
  config: Config,
  opts: { progress?: ProgressFactory; log?: (msg: string) => void; force?: boolean } = {},
): Promise<AppContext> {
  const log = opts.log ?? (() => {});
  const database = await openConfiguredDatabase(config);
  try {
    const applied = await migrate(database.db, migrations);
    if (applied.length > 0) log(`Migrations appliquées : ${applied.join(", ")}`);
    const sync = await syncTerritories(database.db, config.referenceDir, {
      progress: opts.progress,
      force: opts.force,
    });
    if (sync.status === "loaded") log(`Territoires chargés : ${JSON.stringify(sync.counts)}`);
    const ctx: AppContext = {
      config,
      database,
      ...(await buildReferential(database)),
      shapes: (ids) => getGeometries(database.db, ids),
      places: new PublishedPlaces(database.db),
      fragility: new PublishedFragility(database.db),
    };
    for (const c of capabilities) await c.sync?.(ctx, { progress: opts.progress, log, force: opts.force });
    return ctx;
  } catch (e) {
    await database.close();
    throw e;
  }
}

export async function buildReferential(
  database: Database,
): Promise<{ territories: Referential; search: SearchIndex }> {
  const all = await listTerritories(database.db);
  return { territories: new Referential(all), search: new SearchIndex(all) };
}
