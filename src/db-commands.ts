/**
 * `maillage db backup`, `db restore` and `db copy` (see platform/backup.ts for the format). On the embedded
 * database a running server owns the folder: the backup is then made by the server (its admin endpoint), and
 * restoring over it is refused.
 */
import { createReadStream, createWriteStream, existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { embeddedFolder, openConfiguredDatabase } from "./app.ts";
import { migrations } from "./migrations.ts";
import { callAdmin } from "./platform/admin.ts";
import {
  backupLines,
  backupStream,
  countRows,
  dropAllTables,
  listTables,
  restoreDatabase,
  type TableCounts,
} from "./platform/backup.ts";
import { UsageError } from "./platform/command.ts";
import type { Config } from "./platform/config.ts";
import { type Database, openDatabase } from "./platform/db.ts";
import { FolderBusy, lockFolder } from "./platform/owner.ts";

export const DB_HELP = {
  "db backup": `Usage : maillage db backup --output FICHIER

Sauvegarde toute la base (chaque table, ligne par ligne) dans FICHIER (texte compressé gzip), de façon
cohérente : tout est lu dans une seule transaction, pendant que le site continue de servir.
Base embarquée : si un serveur Maillage l'utilise, c'est lui qui fait la sauvegarde (la commande la lui
demande) ; pendant la sauvegarde, ses autres requêtes attendent. PostgreSQL : lue directement, sans gêner les
serveurs. Le fichier se restaure avec « maillage db restore » sur l'une ou l'autre base.`,
  "db restore": `Usage : maillage db restore FICHIER [--force]

Restaure une sauvegarde faite par « maillage db backup » dans une base vide : la base embarquée de
MAILLAGE_DATA_DIR (dossier db/ absent ou vide) ou la base PostgreSQL de DATABASE_URL (aucune table).
Tout est écrit en une seule transaction et le nombre de lignes de chaque table est vérifié : une sauvegarde
tronquée ou abîmée ne laisse rien. Une sauvegarde d'une version plus ancienne est restaurée puis migrée.

Options :
  --force          remplace une base qui n'est pas vide (arrêtez d'abord les serveurs qui l'utilisent)`,
  "db copy": `Usage : maillage db copy --to postgres://UTILISATEUR:MOT_DE_PASSE@HOTE:5432/BASE [--force]

Copie toute la base actuelle (en général la base embarquée) vers une base PostgreSQL vide, table par table,
puis compte les lignes de chaque table des deux côtés et affiche la comparaison. Ensuite, lancez les serveurs
avec DATABASE_URL égal à cette adresse.

Options :
  --to URL         la base PostgreSQL de destination (vide : aucune table)
  --force          efface d'abord les tables de la destination`,
} as const;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} Mo`;

/** The backup of the configured database as a gzipped stream: made here, or by the server that owns it. */
async function openBackup(
  config: Config,
  command: string,
): Promise<{ stream: Readable; done(): Promise<void> }> {
  let database: Database;
  try {
    database = await openConfiguredDatabase(config, command);
  } catch (e) {
    if (!(e instanceof FolderBusy && e.owner.url && e.owner.token)) throw e;
    const res = await callAdmin({ url: e.owner.url, token: e.owner.token }, "sauvegarde");
    if (!res.ok || !res.body)
      throw new UsageError(`le serveur ${e.owner.url} a refusé la sauvegarde (${res.status}).`);
    console.error(`Un serveur Maillage utilise cette base (${e.owner.url}) : il fait la sauvegarde.`);
    return {
      stream: Readable.fromWeb(res.body as import("node:stream/web").ReadableStream),
      done: async () => {},
    };
  }
  return { stream: backupStream(database), done: () => database.close() };
}

function printCounts(counts: TableCounts, other?: TableCounts): void {
  const width = Math.max(...Object.keys(counts).map((t) => t.length), 5);
  for (const [t, n] of Object.entries(counts)) {
    const check = other ? `  ${other[t] ?? 0}${other[t] === n ? "" : "  ← différent"}` : "";
    console.log(`  ${t.padEnd(width)}  ${String(n).padStart(9)}${check}`);
  }
}

export async function backupCommand(config: Config, output: string | undefined): Promise<number> {
  if (!output)
    throw new UsageError("indiquez le fichier de sauvegarde : maillage db backup --output FICHIER");
  if (!existsSync(dirname(output) || ".")) throw new UsageError(`${dirname(output)} : dossier introuvable`);
  const t0 = performance.now();
  const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.partiel`);
  const source = await openBackup(config, "db backup");
  try {
    await pipeline(source.stream, createWriteStream(tmp));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    await source.done();
  }
  // Read back before it takes the final name: a backup is only trusted once its end line is found.
  const counts = await checkBackup(tmp).catch((e) => {
    rmSync(tmp, { force: true });
    throw e;
  });
  renameSync(tmp, output);
  const rows = Object.values(counts).reduce((a, b) => a + b, 0);
  const { size } = await import("node:fs/promises").then((f) => f.stat(output));
  console.log(
    `Sauvegarde écrite : ${output} (${Object.keys(counts).length} tables, ${rows} lignes, ${mb(size)}, ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  printCounts(counts);
  return 0;
}

/** Reads a backup through and returns its end line's counts (UsageError when truncated or not a backup). */
async function checkBackup(file: string): Promise<TableCounts> {
  let last = "";
  let first: string | null = null;
  try {
    for await (const line of backupLines(createReadStream(file))) {
      first ??= line;
      if (line !== "") last = line;
    }
  } catch {
    throw new UsageError(`${file} : ce n'est pas une sauvegarde de Maillage lisible (gzip abîmé).`);
  }
  if (!first?.includes('"maillage-sauvegarde"'))
    throw new UsageError(`${file} : ce n'est pas une sauvegarde de Maillage.`);
  if (!last.startsWith(".")) throw new UsageError(`${file} : sauvegarde incomplète (fichier tronqué).`);
  return (JSON.parse(last.slice(1)) as { counts: TableCounts }).counts;
}

export async function restoreCommand(
  config: Config,
  file: string | undefined,
  force: boolean,
): Promise<number> {
  if (!file) throw new UsageError("indiquez le fichier à restaurer : maillage db restore FICHIER");
  if (!existsSync(file)) throw new UsageError(`${file} : fichier introuvable`);
  const t0 = performance.now();
  let counts: TableCounts;
  if (config.databaseUrl) {
    const database = await openDatabase({ databaseUrl: config.databaseUrl });
    try {
      counts = await restoreInto(database, file, force);
    } finally {
      await database.close();
    }
  } else {
    // Restored beside the folder, then swapped in: a failed restore leaves the old folder as it was.
    const folder = embeddedFolder(config);
    const lock = lockFolder(folder, "db restore");
    try {
      const occupied = existsSync(folder) && readdirSync(folder).length > 0;
      if (occupied && !force)
        throw new UsageError(
          `${folder} contient déjà une base : restaurez dans un autre dossier (MAILLAGE_DATA_DIR), ou ajoutez --force pour la remplacer.`,
        );
      const fresh = `${folder}.restauration-${process.pid}`;
      rmSync(fresh, { recursive: true, force: true });
      const database = await openDatabase({ pgliteDir: fresh, command: "db restore" });
      try {
        counts = await restoreInto(database, file, false);
      } catch (e) {
        await database.close();
        rmSync(fresh, { recursive: true, force: true });
        throw e;
      }
      await database.close();
      const old = `${folder}.ancienne-${process.pid}`;
      if (existsSync(folder)) renameSync(folder, old);
      renameSync(fresh, folder);
      rmSync(old, { recursive: true, force: true });
    } finally {
      lock.release();
    }
  }
  const rows = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(
    `Sauvegarde restaurée : ${Object.keys(counts).length} tables, ${rows} lignes ` +
      `(${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  printCounts(counts);
  return 0;
}

async function restoreInto(database: Database, file: string, force: boolean): Promise<TableCounts> {
  await checkEmpty(database, force);
  return restoreDatabase(database, backupLines(createReadStream(file)), migrations);
}

async function checkEmpty(database: Database, force: boolean): Promise<void> {
  const tables = await listTables(database.db);
  if (tables.length === 0) return;
  if (!force)
    throw new UsageError(
      `la base de destination n'est pas vide (${tables.length} tables) : ajoutez --force pour l'effacer d'abord.`,
    );
  await dropAllTables(database.db);
}

export async function copyCommand(config: Config, to: string | undefined, force: boolean): Promise<number> {
  if (!to || !/^postgres(ql)?:\/\//.test(to))
    throw new UsageError("indiquez la base PostgreSQL de destination : --to postgres://…");
  if (config.databaseUrl && config.databaseUrl === to)
    throw new UsageError("la destination est la base actuelle (DATABASE_URL).");
  const t0 = performance.now();
  const target = await openDatabase({ databaseUrl: to });
  try {
    await checkEmpty(target, force);
    const source = await openBackup(config, "db copy");
    let copied: TableCounts;
    try {
      copied = await restoreDatabase(target, backupLines(source.stream), migrations);
    } finally {
      await source.done();
    }
    // Counted again on the destination, table by table, against what the source held in its snapshot.
    const now = await countRows(target.db);
    console.log(
      `Copie vers PostgreSQL (${((performance.now() - t0) / 1000).toFixed(1)} s) — lignes par table, source puis destination :`,
    );
    printCounts(copied, now);
    const differ = Object.keys({ ...copied, ...now }).filter((t) => copied[t] !== now[t]);
    if (differ.length > 0) {
      console.error(`Erreur : les nombres de lignes diffèrent pour ${differ.join(", ")}.`);
      return 1;
    }
    console.log("Les nombres de lignes sont identiques pour chaque table.");
    return 0;
  } finally {
    await target.close();
  }
}
