/**
 * Imports from the browser: a coordinator's file is kept in `<data>/imports/`, checked by a dry run (the import in
 * a transaction rolled back: the command's report), then imported in the background when confirmed, one at a time
 * per source (the database's unique index), its rows refused when their commune lies outside the coordinator's
 * territory. The file is removed once imported, cancelled, refused or abandoned (`purge`, every hour).
 */
import { mkdirSync } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Actor } from "../accounts/model.ts";
import { appendJournal, BY_SYSTEM, type JournalBy } from "../accounts/store.ts";
import type { AppContext } from "../context.ts";
import type { Db } from "../platform/db.ts";
import { dryRun, importFile, type StoreImportOptions } from "./import/ingest.ts";
import { openFile } from "./import/read.ts";
import type { SourceFormat } from "./import/sources.ts";
import { communesOfTerritory } from "./scope.ts";
import {
  changesOf,
  keptFiles,
  moveUpload,
  sourcesWithin,
  staleUploads,
  type Upload,
  type UploadReport,
} from "./store/uploads.ts";
import { communesOf } from "./sync.ts";
import { fileErrors, outsideTerritory, type RowRefusal } from "./upload-errors.ts";

/** The largest file accepted from the browser. */
export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
/** A report not confirmed nor cancelled within this time is abandoned and its file removed. */
const ABANDON_HOURS = 24;
/** An import « en cours » for longer than this was run by a server that stopped (PostgreSQL; see `purge`). */
const STALE_RUNNING_HOURS = 6;
/** Errors and places kept in the report shown on the page (the counts are exact; the CSV has every error). */
const REPORT_ERRORS = 200;
const REPORT_PLACES = 100;

const HOUR = 3_600_000;

export const uploadsFolder = (ctx: Pick<AppContext, "config">): string => join(ctx.config.dataDir, "imports");

/** A source name from an organisation's name: « Conseil départemental de la Creuse » → conseil-departemental-de-la-creuse. */
export function sourceOfOrganisation(name: string): string {
  const slug = name
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return slug || "organisation";
}

/** What an actor may import: where their rows must lie (null: anywhere, the admin). */
export interface UploadRights {
  territoryId: string;
  territoryName: string;
  /** Commune codes of the territory; null for the admin (no restriction). */
  communes: ReadonlySet<string> | null;
}

export function rightsOf(ctx: AppContext, actor: Actor): UploadRights {
  const territoryId = actor.membership.territoryId;
  const territoryName =
    territoryId === "france" ? "France entière" : (ctx.territories.get(territoryId)?.name ?? territoryId);
  if (actor.membership.role === "admin") return { territoryId, territoryName, communes: null };
  // A territory the referential does not know reaches no commune (never « everywhere » for a coordinator).
  return {
    territoryId,
    territoryName,
    communes: new Set(communesOfTerritory(ctx.territories, territoryId) ?? []),
  };
}

const refusalOf = (rights: Pick<UploadRights, "communes" | "territoryName">): RowRefusal | undefined =>
  rights.communes ? outsideTerritory(rights.communes, rights.territoryName) : undefined;

/**
 * The sources an actor may update: every source whose records all lie in their territory (every source for the
 * admin), and the new source named after their organisation. A national source (France Services…) is refreshed
 * by an administrator: a coordinator's file would withdraw or rewrite places outside their territory.
 */
export async function allowedSources(
  ctx: AppContext,
  actor: Actor,
): Promise<{ source: string; records: number }[]> {
  const rights = rightsOf(ctx, actor);
  const db = ctx.database.db;
  const sources = await sourcesWithin(db, rights.communes ? [...rights.communes] : null);
  const own = sourceOfOrganisation(actor.organisation.name);
  if (sources.some((s) => s.source === own)) return sources;
  // The organisation's own source, new, unless a source of that name exists outside the territory.
  const all = rights.communes ? await sourcesWithin(db, null) : sources;
  if (all.some((s) => s.source === own)) return sources;
  return [...sources, { source: own, records: 0 }];
}

/** The import options of an upload, the same for its dry run, its import and its error CSV. */
function importOptions(ctx: AppContext, u: Pick<Upload, "source" | "fileName" | "format" | "full">) {
  return {
    source: u.source,
    file: u.fileName,
    communes: communesOf(ctx.territories),
    format: (u.format ?? undefined) as SourceFormat | undefined,
    full: u.full,
  };
}

const rightsOfUpload = (ctx: AppContext, u: Pick<Upload, "territoryId" | "restricted">) => {
  if (!u.restricted) return { communes: null, territoryName: "" };
  return {
    communes: new Set(communesOfTerritory(ctx.territories, u.territoryId) ?? []),
    territoryName: ctx.territories.get(u.territoryId)?.name ?? u.territoryId,
  };
};

/** Progress of an import running in this process. */
export interface Progress {
  rows: number;
  total: number;
}

export class UploadService {
  /** Imports running in this process, by upload id, with the upload as it started (pages read it from here). */
  readonly running = new Map<number, Progress & { upload: Upload }>();
  /** The background imports (awaited by `close`, and by tests). */
  readonly jobs = new Map<number, Promise<void>>();

  constructor(private readonly ctx: AppContext) {}

  get folder(): string {
    return uploadsFolder(this.ctx);
  }

  /** Creates the folder (owner only). */
  ensureFolder(): string {
    mkdirSync(this.folder, { recursive: true, mode: 0o700 });
    return this.folder;
  }

  pathOf(stored: string): string {
    return join(this.folder, stored);
  }

  async remove(stored: string | null): Promise<void> {
    if (stored) await rm(this.pathOf(stored), { force: true });
  }

  /** The dry run of a kept file: the report the page shows (nothing written). */
  async analyse(
    stored: string,
    u: Pick<Upload, "source" | "fileName" | "format" | "full">,
    rights: Pick<UploadRights, "communes" | "territoryName">,
  ): Promise<UploadReport> {
    const opts: StoreImportOptions = {
      ...importOptions(this.ctx, u),
      by: "vérification",
      maxIssues: REPORT_ERRORS,
      embedded: this.ctx.database.kind === "pglite",
      refuse: refusalOf(rights),
    };
    const { result, inspected } = await dryRun(
      this.ctx.database.db,
      openFile(this.pathOf(stored)),
      opts,
      (trx, r) => changesOf(trx, r.importId as number, REPORT_PLACES),
    );
    return {
      format: result.summary.format,
      counts: { ...result.counts },
      errorCount: result.errorCount,
      warningCount: result.warningCount,
      errors: result.errors,
      refused: result.refused,
      created: inspected?.created ?? [],
      updated: inspected?.updated ?? [],
      withdrawn: inspected?.withdrawn ?? [],
    };
  }

  /** Every error of a kept file, read again from it (for the CSV). */
  errorsOf(u: Upload) {
    if (!u.stored) return null;
    return fileErrors(openFile(this.pathOf(u.stored)), {
      ...importOptions(this.ctx, u),
      refuse: refusalOf(rightsOfUpload(this.ctx, u)),
    });
  }

  /**
   * Imports a confirmed upload (already « en cours ») in the background: its end state, the result's journal row
   * and the import are one transaction; then the published places are reloaded and the file removed.
   */
  start(u: Upload, by: JournalBy, label: string): Promise<void> {
    const job = this.run(u, by, label).finally(() => this.jobs.delete(u.id));
    this.jobs.set(u.id, job);
    return job;
  }

  private async run(u: Upload, by: JournalBy, label: string): Promise<void> {
    const { ctx } = this;
    const db = ctx.database.db;
    const progress = { rows: 0, total: u.report.counts.read ?? 0, upload: u };
    this.running.set(u.id, progress);
    const journal = (trx: Db, action: string, details: Record<string, unknown>) =>
      appendJournal(trx, {
        ...by,
        at: ctx.clock.now(),
        action,
        target: `import:${u.id}`,
        territoryId: u.territoryId,
        details: { source: u.source, fichier: u.fileName, ...details },
      });
    try {
      if (!u.stored) throw new Error("le fichier n'est plus là");
      const result = await importFile(db, openFile(this.pathOf(u.stored)), {
        ...importOptions(ctx, u),
        by: label,
        maxIssues: REPORT_ERRORS,
        embedded: ctx.database.kind === "pglite",
        refuse: refusalOf(rightsOfUpload(ctx, u)),
        onProgress: (rows) => {
          progress.rows = rows;
        },
        beforeCommit: async (trx, r) => {
          const counts = { ...r.counts, erreurs: r.errorCount, avertissements: r.warningCount };
          await moveUpload(trx, u.id, ["en cours"], "terminé", ctx.clock.now(), {
            result: counts,
            stored: null,
          });
          await journal(trx as unknown as Db, "import.terminer", counts);
        },
      });
      if (result.refused) {
        await moveUpload(db, u.id, ["en cours"], "refusé", ctx.clock.now(), {
          message: result.refused,
          stored: null,
        });
        await journal(db, "import.refuser", { motif: result.refused });
      }
      // The published places of this process now; other servers by the import's NOTIFY.
      ctx.places.invalidate();
    } catch (e) {
      const message = `L'import a échoué, rien n'a été enregistré : ${(e as Error).message}`;
      await moveUpload(db, u.id, ["en cours"], "échoué", ctx.clock.now(), { message, stored: null }).catch(
        () => false,
      );
      await journal(db, "import.echouer", { motif: (e as Error).message }).catch(() => {});
    } finally {
      this.running.delete(u.id);
      await this.remove(u.stored);
    }
  }

  /**
   * Removes what is left behind: reports neither confirmed nor cancelled within ABANDON_HOURS (« abandonné »),
   * imports « en cours » that no process runs (on the embedded database, at start: the one process that could
   * run them is this one; on PostgreSQL, after STALE_RUNNING_HOURS), and files of the folder that no upload keeps
   * (an upload cut off midway) older than ABANDON_HOURS. Journaled as the system.
   */
  async purge(
    opts: { starting?: boolean } = {},
  ): Promise<{ abandoned: number; interrupted: number; files: number }> {
    const { ctx } = this;
    const db = ctx.database.db;
    const now = ctx.clock.now();
    let abandoned = 0;
    let interrupted = 0;
    for (const u of await staleUploads(db, ["prêt"], new Date(now.getTime() - ABANDON_HOURS * HOUR))) {
      if (!(await moveUpload(db, u.id, ["prêt"], "abandonné", now, { stored: null }))) continue;
      await this.remove(u.stored);
      await appendJournal(db, {
        ...BY_SYSTEM,
        at: now,
        action: "import.abandonner",
        target: `import:${u.id}`,
        territoryId: u.territoryId,
        details: { source: u.source, fichier: u.fileName },
      });
      abandoned++;
    }
    const embeddedStart = opts.starting === true && ctx.database.kind === "pglite";
    const runningBefore = embeddedStart
      ? new Date(now.getTime() + 1)
      : new Date(now.getTime() - STALE_RUNNING_HOURS * HOUR);
    for (const u of await staleUploads(db, ["en cours"], runningBefore)) {
      if (this.running.has(u.id)) continue;
      const message =
        "L'import a été interrompu (arrêt du serveur) : rien n'a été enregistré ; déposez le fichier à nouveau.";
      if (!(await moveUpload(db, u.id, ["en cours"], "interrompu", now, { message, stored: null }))) continue;
      await this.remove(u.stored);
      await appendJournal(db, {
        ...BY_SYSTEM,
        at: now,
        action: "import.interrompre",
        target: `import:${u.id}`,
        territoryId: u.territoryId,
        details: { source: u.source, fichier: u.fileName },
      });
      interrupted++;
    }
    let files = 0;
    const kept = await keptFiles(db);
    const names = await readdir(this.folder).catch(() => [] as string[]);
    for (const name of names) {
      if (kept.has(name)) continue;
      const info = await stat(join(this.folder, name)).catch(() => null);
      if (!info || info.mtimeMs > Date.now() - ABANDON_HOURS * HOUR) continue;
      await rm(join(this.folder, name), { force: true });
      files++;
    }
    return { abandoned, interrupted, files };
  }
}
