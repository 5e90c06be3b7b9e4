import { fingerprintFiles, loadedFingerprint, loadedHash, recordFingerprint } from "../platform/datasets.ts";
import type { Db } from "../platform/db.ts";
import { hashFiles } from "../platform/files.ts";
import { createProgress, type Progress, silentProgress } from "../platform/progress.ts";
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
  const fingerprint = await fingerprintFiles(paths);
  if (!opts.force && (await loadedFingerprint(db, DATASET)) === fingerprint) return { status: "unchanged" };
  const hash = await hashFiles(paths);
  if (!opts.force && (await loadedHash(db, DATASET)) === hash) {
    // Same content, touched files (a fresh checkout): remember them so that the next start skips the hash.
    await recordFingerprint(db, DATASET, fingerprint);
    return { status: "unchanged" };
  }
  const reading = makeProgress("Lecture des territoires", paths.length);
  const data = await readTerritoryDataset(dataDir, reading);
  reading.done();
  const writing = makeProgress("Enregistrement", data.territories.length + data.geometries.length);
  await replaceTerritories(db, data, (done) => writing.tick(done));
  writing.done();
  await recordFingerprint(db, DATASET, fingerprint);
  return { status: "loaded", counts: countByKind(data.territories) };
}

export const ttyProgress = (label: string, total: number) => createProgress(label, total);
