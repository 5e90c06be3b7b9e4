import { datasetState } from "../platform/datasets.ts";
import type { Db } from "../platform/db.ts";
import { type Progress, silentProgress } from "../platform/progress.ts";
import { readTerritoryDataset, territoryFilePaths } from "./load.ts";
import type { TerritoryKind } from "./model.ts";
import { countByKind, DATASET, replaceTerritories } from "./store.ts";

export interface SyncResult {
  status: "unchanged" | "loaded";
  counts?: Record<TerritoryKind, number>;
}

/**
 * Loads the territories from the reference files unless the same version (content hash) is already loaded.
 * Everything is read and checked before the database is touched, then written in one transaction:
 * a bad file leaves the database as it was.
 */
export async function syncTerritories(
  db: Db,
  dataDir: string,
  opts: { force?: boolean; progress?: (label: string, total: number) => Progress } = {},
): Promise<SyncResult> {
  const makeProgress = opts.progress ?? (() => silentProgress());
  const paths = await territoryFilePaths(dataDir);
  const state = await datasetState(db, DATASET, paths);
  if (!opts.force && state.current) return { status: "unchanged" };
  const reading = makeProgress("Lecture des territoires", paths.length);
  const data = await readTerritoryDataset(dataDir, reading);
  reading.done();
  const writing = makeProgress("Enregistrement", data.territories.length + data.geometries.length);
  await replaceTerritories(db, data, { fingerprint: state.fingerprint }, (done) => writing.tick(done));
  writing.done();
  return { status: "loaded", counts: countByKind(data.territories) };
}
