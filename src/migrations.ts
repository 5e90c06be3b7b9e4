import type { Migration } from "kysely";
import { datasetFingerprintMigration, datasetMigrations } from "./platform/datasets.ts";
import { territoryMigrations } from "./territories/store.ts";

/** Every capability's migrations; names are ordered and never change once released. */
export const migrations: Record<string, Migration> = {
  ...datasetMigrations,
  ...territoryMigrations,
  ...datasetFingerprintMigration,
};
