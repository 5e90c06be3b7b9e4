/** `maillage places import` and `maillage places export`. */
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { userInfo } from "node:os";
import { basename } from "node:path";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import type { Command } from "../context.ts";
import { callAdmin } from "../platform/admin.ts";
import { FolderBusy } from "../platform/owner.ts";
import { type ResolveOptions, resolveTerritory, unresolvedProblem } from "../territories/resolve.ts";
import { exportDataInclusion } from "./data-inclusion.ts";
import { territoryCodes } from "./describe.ts";
import { exportCsv, exportJson } from "./export.ts";
import { type CommuneIndex, communeIndex } from "./import/communes.ts";
import { countsText, importFile, type StoreImportResult } from "./import/ingest.ts";
import { openFile } from "./import/read.ts";
import type { SourceFormat } from "./import/sources.ts";
import type { PlaceFilter } from "./listing.ts";
import type { RowIssue } from "./model.ts";
import { streamPlaces } from "./store/published.ts";
import { communesOf } from "./sync.ts";
import { errorCsv, fileErrors } from "./upload-errors.ts";

/** Errors printed by `places import`; the rest are counted. */
const MAX_PRINTED_ERRORS = 50;
/** The importer's validation of a source name (also used by the admin endpoint). */
export const SOURCE_NAME = /^[\p{L}\p{N}][\p{L}\p{N} _.-]{0,79}$/u;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  stdout: Writable;
}
const defaultIo = (): Io => ({
  out: (l) => console.log(l),
  err: (l) => console.error(l),
  stdout: process.stdout,
});

class BadInput extends Error {}

/** Runs parseArgs; a bad option becomes a French usage error. */
function parsed<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw new BadInput((e as Error).message);
  }
}

/** Runs a command body; bad input gives "Erreur : …" on stderr and exit code 2. */
async function guarded(io: Io, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof BadInput) {
      io.err(`Erreur : ${e.message}`);
      return 2;
    }
    throw e;
  }
}

const IMPORT_HELP = `Usage : maillage places import <fichier> [--source NOM] [--format standard|france-services|data-inclusion] [--strict] [--full] [--erreurs FICHIER.csv]

Importe un fichier de lieux de médiation numérique : le standard national (CSV ou JSON, v1.0 ou plus ancien)
la liste France Services (CSV) ou des structures data·inclusion (JSON). L'encodage (UTF-8, Windows-1252) et le séparateur (, ; tabulation) sont
reconnus seuls ; un fichier .gz est décompressé.

Chaque ligne est vérifiée et toutes les erreurs sont listées (« ligne N, champ X : … ») ; les lignes valides
sont importées, les autres refusées. Un lieu déjà importé de la même source (même identifiant) est mis à jour
et ses changements sont gardés dans l'historique. Tout l'import se fait en une seule transaction : interrompu,
il ne laisse rien à moitié.

Options :
  --source NOM     nom de la source (par défaut : le nom du fichier sans extension)
  --format F       standard, france-services ou data-inclusion (par défaut : reconnu d'après les colonnes)
  --strict         refuse tout le fichier si une seule ligne est refusée
  --full           import complet de la source : ses lieux absents du fichier sont retirés (pas supprimés)
  --erreurs F.csv  écrit toutes les erreurs dans ce fichier CSV (ligne, champ, valeur, règle, message),
                   pas seulement les ${MAX_PRINTED_ERRORS} premières

Code de sortie : 0 si tout est importé, 1 si des lignes ont été refusées, 2 si le fichier est refusé.`;

const EXPORT_HELP = `Usage : maillage places export --format csv|json|data-inclusion [--territoire ID] [--output FICHIER]

Exporte les lieux publiés (après fusion des doublons) au format du standard national des lieux de médiation
numérique (ou en structures data·inclusion), ligne par ligne (la mémoire utilisée ne dépend pas du nombre de lieux).

Options :
  --format F       csv (colonnes du standard dans l'ordre), json, ou data-inclusion (tableau JSON de
                   structures au schéma data·inclusion)
  --territoire ID  seulement les lieux d'un territoire : code INSEE de commune, SIREN d'EPCI,
                   code de département (42, 2A, 971), region-XX, ou son nom
  --output FICHIER écrit dans ce fichier (par défaut : la sortie standard)`;

/** What `places import` prints, the same whether the file was imported here or by the running server. */
export interface ImportReport {
  /** The counts line (or why the file was refused). */
  text: string;
  /** The first errors, one line each. */
  errors: string[];
  /** Errors not listed. */
  more: number;
  warnings: number;
  refused: string | null;
  rejected: number;
}

export function reportOf(result: StoreImportResult): ImportReport {
  const errors = result.errors.slice(0, MAX_PRINTED_ERRORS).map((e: RowIssue) => e.message);
  return {
    text: countsText(result),
    errors,
    more: result.errorCount - errors.length,
    warnings: result.warningCount,
    refused: result.refused,
    rejected: result.counts.rejected,
  };
}

function printReport(io: Io, r: ImportReport): number {
  io.out(r.text);
  for (const e of r.errors) io.out(e);
  if (r.more > 0) io.out(`… et ${r.more} autre(s) erreur(s).`);
  if (r.warnings > 0) io.out(`${r.warnings} avertissement(s) (lignes importées, à vérifier).`);
  if (r.refused) {
    io.err(`Erreur : ${r.refused}`);
    return 2;
  }
  return r.rejected > 0 ? 1 : 0;
}

/** Sends a file to the running server's import endpoint (places/admin.ts) and returns what it imported. */
async function sendImport(
  server: { url: string; token: string },
  file: string,
  opts: { source: string; format?: string; strict: boolean; full: boolean; by: string },
): Promise<ImportReport> {
  const query: Record<string, string> = { source: opts.source, fichier: basename(file), par: opts.by };
  if (opts.format) query.format = opts.format;
  if (opts.strict) query.strict = "1";
  if (opts.full) query.complet = "1";
  let res: Response;
  try {
    res = await callAdmin(server, "lieux/import", { method: "POST", body: createReadStream(file), query });
  } catch (e) {
    throw new BadInput(
      `le serveur ${server.url} ne répond pas (${(e as Error).message}) : vérifiez qu'il tourne, ou arrêtez-le et relancez l'import.`,
    );
  }
  const body = (await res.json().catch(() => null)) as (ImportReport & { detail?: string }) | null;
  if (!res.ok || !body)
    throw new BadInput(`le serveur a refusé l'import : ${body?.detail ?? res.statusText}`);
  return body;
}

export const IMPORT_FORMATS: string[] = [
  "standard",
  "france-services",
  "data-inclusion",
] satisfies SourceFormat[];

export function importCommand(io: Io = defaultIo()): Command {
  return {
    summary: "importe un fichier de lieux (standard national, France Services ou data·inclusion)",
    help: IMPORT_HELP,
    run: (args, open) =>
      guarded(io, async () => {
        const { values, positionals } = parsed(() =>
          parseArgs({
            args,
            allowPositionals: true,
            strict: true,
            options: {
              source: { type: "string" },
              format: { type: "string" },
              strict: { type: "boolean" },
              full: { type: "boolean" },
              erreurs: { type: "string" },
            },
          }),
        );
        const [file, ...extra] = positionals;
        const errorsFile = values.erreurs as string | undefined;
        if (errorsFile !== undefined && errorsFile.trim() === "")
          throw new BadInput("--erreurs : indiquez le fichier CSV où écrire les erreurs");
        if (!file)
          throw new BadInput(
            "indiquez le fichier à importer, par exemple : maillage places import lieux.csv",
          );
        if (extra.length > 0)
          throw new BadInput(`un seul fichier à la fois (reçu aussi : ${extra.join(" ")})`);
        const format = values.format as string | undefined;
        if (format !== undefined && !IMPORT_FORMATS.includes(format))
          throw new BadInput(
            `--format doit valoir standard, france-services ou data-inclusion (reçu : « ${format} »)`,
          );
        const source =
          (values.source as string | undefined) ?? basename(file).replace(/(\.(csv|json|txt))?(\.gz)?$/i, "");
        if (!SOURCE_NAME.test(source))
          throw new BadInput(
            `--source : nom de source invalide « ${source} » (lettres, chiffres, espace, - _ .)`,
          );
        const info = await stat(file).catch(() => null);
        if (!info) throw new BadInput(`${file} : fichier introuvable`);
        if (!info.isFile()) throw new BadInput(`${file} : ce n'est pas un fichier`);
        const ctx = await open().catch((e) => {
          // A server owns the embedded database: it imports the file itself (never two processes on one folder).
          if (e instanceof FolderBusy && e.owner.url && e.owner.token) return e;
          throw e;
        });
        if (ctx instanceof FolderBusy) {
          const { url, token } = ctx.owner as { url: string; token: string };
          io.err(`Un serveur Maillage utilise cette base (${url}) : le fichier lui est envoyé.`);
          const report = await sendImport({ url, token }, file, {
            source,
            format,
            strict: values.strict === true,
            full: values.full === true,
            by: commandLineUser(),
          });
          const code = printReport(io, report);
          // Row errors do not depend on the communes (only warnings do): no referential is needed here.
          if (errorsFile)
            await writeErrors(io, file, errorsFile, { source, format, communes: communeIndex([]) });
          return code;
        }
        try {
          const result = await importFile(ctx.database.db, openFile(file), {
            source,
            file: basename(file),
            communes: communesOf(ctx.territories),
            format: format as SourceFormat | undefined,
            strict: values.strict === true,
            full: values.full === true,
            by: commandLineUser(),
            embedded: ctx.database.kind === "pglite",
            onProgress: (n) => {
              if (process.stderr.isTTY) process.stderr.write(`\r${basename(file)} : ${n} lignes lues…\x1b[K`);
            },
          });
          if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
          const code = printReport(io, reportOf(result));
          if (errorsFile)
            await writeErrors(io, file, errorsFile, {
              source,
              format,
              communes: communesOf(ctx.territories),
            });
          return code;
        } finally {
          await ctx.database.close();
        }
      }),
  };
}

export function exportCommand(io: Io = defaultIo()): Command {
  return {
    summary: "exporte les lieux au format du standard national (CSV ou JSON) ou de data·inclusion",
    help: EXPORT_HELP,
    run: (args, open) =>
      guarded(io, async () => {
        const { values, positionals } = parsed(() =>
          parseArgs({
            args,
            allowPositionals: true,
            strict: true,
            options: {
              format: { type: "string" },
              territoire: { type: "string" },
              output: { type: "string" },
            },
          }),
        );
        if (positionals.length > 0) throw new BadInput(`argument inattendu « ${positionals.join(" ")} »`);
        const format = values.format as string | undefined;
        if (format !== "csv" && format !== "json" && format !== "data-inclusion")
          throw new BadInput(`--format doit valoir csv, json ou data-inclusion (reçu : « ${format ?? ""} »)`);
        const ctx = await open();
        try {
          const id = values.territoire as string | undefined;
          let filter: PlaceFilter = {};
          if (id !== undefined) {
            const options: ResolveOptions = {
              referential: ctx.territories,
              search: ctx.search,
              prefer: "code",
            };
            const r = resolveTerritory(id, options);
            if (r.kind !== "found")
              throw new BadInput(
                `--territoire : ${unresolvedProblem(r, options).detail} (code INSEE, SIREN d'EPCI, département, region-XX ou nom)`,
              );
            filter = { communes: territoryCodes(ctx.territories, r.territory) };
          }
          let invalid = 0;
          const places = streamPlaces(ctx.database.db, filter);
          const opts = { onInvalid: () => void invalid++ };
          const body = Readable.from(
            format === "csv"
              ? exportCsv(places, opts)
              : format === "json"
                ? exportJson(places, opts)
                : exportDataInclusion(places),
          );
          const output = values.output as string | undefined;
          if (output) await pipeline(body, createWriteStream(output));
          else await pipeline(body, io.stdout, { end: false });
          if (invalid > 0) io.err(`${invalid} lieu(x) non conforme(s) au standard : non exporté(s).`);
          return 0;
        } finally {
          await ctx.database.close();
        }
      }),
  };
}

/**
 * Writes every error of the file to a CSV file (the same writer as the browser's « erreurs.csv »), read again
 * from the file row by row: memory does not grow with the number of errors.
 */
async function writeErrors(
  io: Io,
  file: string,
  output: string,
  opts: { source: string; format: string | undefined; communes: CommuneIndex },
): Promise<void> {
  let count = 0;
  async function* counted() {
    for await (const e of fileErrors(openFile(file), {
      source: opts.source,
      file: basename(file),
      communes: opts.communes,
      format: opts.format as SourceFormat | undefined,
    })) {
      count++;
      yield e;
    }
  }
  await pipeline(Readable.from(errorCsv(counted())), createWriteStream(output));
  io.out(`${count} erreur(s) écrite(s) dans ${output}.`);
}

/** Who ran the command, for the history of the places: the system account, when it can be known. */
function commandLineUser(): string {
  try {
    return `ligne de commande (${userInfo().username})`;
  } catch {
    return "ligne de commande";
  }
}
