import type { Migration } from "kysely";
import { capabilities } from "./capabilities.ts";
import { datasetFingerprintMigration, datasetMigrations } from "./platform/datasets.ts";
import { territoryMigrations } from "./territories/store.ts";

/**
 * Every migration, platform, territories and capabilities. Names start with a number that sets their order
 * ("0004_fragility"); a released migration never changes.
 */
const all: Record<string, Migration> = {
  ...datasetMigrations,
  ...territoryMigrations,
  ...datasetFingerprintMigration,
};
for (const c of capabilities) Object.assign(all, c.migrations);

export const migrations: Record<string, Migration> = Object.fromEntries(
  Object.entries(all).sort(([a], [b]) => a.localeCompare(b)),
);
