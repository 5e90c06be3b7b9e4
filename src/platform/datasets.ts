import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { type Generated, type Kysely, type Migration, sql } from "kysely";
import type { Db } from "./db.ts";
import { hashFiles } from "./files.ts";

/** Which version (content hash) of each reference dataset is loaded, and when. */
type DatasetTables = {
  dataset: {
    name: string;
    hash: string;
    loaded_at: Generated<Date>;
    counts: string;
    fingerprint: string | null;
  };
};

export const datasetMigrations: Record<string, Migration> = {
  "0001_platform_datasets": {
    async up(db: Kysely<unknown>) {
      await sql`CREATE TABLE dataset (
        name text PRIMARY KEY,
        hash text NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now(),
        counts jsonb NOT NULL DEFAULT '{}'::jsonb
      )`.execute(db);
    },
  },
};

export const datasetFingerprintMigration: Record<string, Migration> = {
  "0003_platform_dataset_fingerprint": {
    async up(db: Kysely<unknown>) {
      await sql`ALTER TABLE dataset ADD COLUMN fingerprint text`.execute(db);
    },
  },
};

/**
 * A cheap fingerprint of files (name, size, modification time): when it is unchanged since the last check,
 * the files need not be read and hashed again at start-up.
 */
async function fingerprintFiles(paths: string[]): Promise<string> {
  const parts = await Promise.all(
    paths.map(async (p) => {
      const s = await stat(p);
      return `${p}:${s.size}:${Math.trunc(s.mtimeMs)}`;
    }),
  );
  return parts.join("\n");
}

async function loadedFingerprint(db: Db, name: string): Promise<string | null> {
  const row = await db
    .withTables<DatasetTables>()
    .selectFrom("dataset")
    .select("fingerprint")
    .where("name", "=", name)
    .executeTakeFirst();
  return row?.fingerprint ?? null;
}

async function recordFingerprint(db: Db, name: string, fingerprint: string): Promise<void> {
  await db
    .withTables<DatasetTables>()
    .updateTable("dataset")
    .set({ fingerprint })
    .where("name", "=", name)
    .execute();
}

export async function loadedHash(db: Db, name: string): Promise<string | null> {
  const row = await db
    .withTables<DatasetTables>()
    .selectFrom("dataset")
    .select("hash")
    .where("name", "=", name)
    .executeTakeFirst();
  return row?.hash ?? null;
}

/** Records a dataset version; call inside the transaction that loaded it. */
export async function recordDataset(
  db: Db,
  name: string,
  version: { hash: string; fingerprint?: string | null },
  counts: Record<string, number>,
) {
  const { hash } = version;
  const fingerprint = version.fingerprint ?? null;
  await db
    .withTables<DatasetTables>()
    .insertInto("dataset")
    .values({ name, hash, fingerprint, counts: JSON.stringify(counts) })
    .onConflict((oc) =>
      oc
        .column("name")
        .doUpdateSet({ hash, fingerprint, counts: JSON.stringify(counts), loaded_at: sql`now()` }),
    )
    .execute();
}

/** sha256 of the files' bytes and a salt: the version of what is loaded from them. */
export async function contentHash(paths: string[], salt = ""): Promise<string> {
  return createHash("sha256")
    .update(`${await hashFiles(paths)}:${salt}`)
    .digest("hex");
}

export interface DatasetState {
  /** The loaded version is the one of these files (and salt). */
  current: boolean;
  fingerprint: string;
  /** sha256 of the files and salt; null when the fingerprint sufficed. */
  hash: string | null;
}

/**
 * Is the dataset `name` loaded from exactly these files? Checks the cheap fingerprint first, then the content
 * hash (a fresh checkout touches every file without changing it: the fingerprint is then refreshed).
 * `salt` adds what else the loaded result depends on (e.g. a method's version).
 */
export async function datasetState(db: Db, name: string, paths: string[], salt = ""): Promise<DatasetState> {
  const fingerprint = `${await fingerprintFiles(paths)}\n${salt}`;
  if ((await loadedFingerprint(db, name)) === fingerprint) return { current: true, fingerprint, hash: null };
  const hash = await contentHash(paths, salt);
  const current = (await loadedHash(db, name)) === hash;
  if (current) await recordFingerprint(db, name, fingerprint);
  return { current, fingerprint, hash };
}
