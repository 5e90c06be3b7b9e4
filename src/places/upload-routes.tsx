/**
 * Imports from the browser (a coordinator, action « lieu.importer » on their territory):
 * - `GET /admin/imports`: the form and the latest uploads of the territory;
 * - `POST /admin/imports`: the file, streamed to the data folder (@fastify/multipart, 200 MB at most, registered on
 *   these routes only), checked by a dry run, then the report's page;
 * - `GET /admin/imports/:id`: the report, then the progress (the page reloads itself while « en cours »);
 * - `POST /admin/imports/:id/confirmer`, `/annuler`; `GET /admin/imports/:id/erreurs.csv`: every error.
 * Every write is journaled with who did it; the CSRF token is the form's first field, checked before the file is read.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { adminNav } from "../accounts/admin-routes.tsx";
import type { Actor } from "../accounts/model.ts";
import { withJournal } from "../accounts/store.ts";
import { authorize, checkCsrf, journalBy } from "../accounts/web.ts";
import type { AppContext } from "../context.ts";
import { HttpError, sendPage } from "../platform/http.ts";
import { IMPORT_FORMATS } from "./cli.ts";
import {
  createUpload,
  getUpload,
  isRunningConflict,
  listUploads,
  moveUpload,
  type Upload,
} from "./store/uploads.ts";
import { allowedSources, MAX_UPLOAD_BYTES, rightsOf, UploadService } from "./upload.ts";
import { errorCsv } from "./upload-errors.ts";
import { type UploadFormValues, UploadListPage, UploadPage } from "./upload-views.tsx";

const MAX_MEGABYTES = MAX_UPLOAD_BYTES / 1024 / 1024;
const TOO_LARGE = `Le fichier dépasse ${MAX_MEGABYTES} Mo : il n'a pas été gardé. Découpez-le, ou compressez-le en .gz, puis déposez-le à nouveau.`;
/** Multipart overhead allowed beyond the file's own size before refusing on the declared length alone. */
const FORM_OVERHEAD = 64 * 1024;
const PURGE_EVERY_MS = 3_600_000;

const idParams = z.object({ id: z.string().max(12) });
const pageQuery = z.object({ auto: z.string().max(5).optional() });
const idOf = (raw: string): number => (/^\d{1,9}$/.test(raw) ? Number(raw) : -1);
const NOT_FOUND = new HttpError(404, "Introuvable", "Cet import n'existe pas.");

/** A file name to show and keep in the provenance: its last part, without control characters, 200 at most. */
function cleanFileName(raw: string | undefined): string {
  const name = basename((raw ?? "").replaceAll("\\", "/"))
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim()
    .slice(-200);
  return name || "fichier";
}

export function registerUploadRoutes(app: FastifyInstance, ctx: AppContext): void {
  const uploads = new UploadService(ctx);
  const db = () => ctx.database.db;
  let timer: NodeJS.Timeout | null = null;
  app.addHook("onReady", async () => {
    uploads.ensureFolder();
    await uploads.purge({ starting: true });
    timer = setInterval(() => {
      uploads.purge().catch((e) => app.log.error({ err: e }, "purge des imports"));
    }, PURGE_EVERY_MS);
    timer.unref();
  });
  app.addHook("onClose", async () => {
    if (timer) clearInterval(timer);
    await Promise.allSettled([...uploads.jobs.values()]);
  });
  app.decorate("placeUploads", uploads);

  const nav = (req: FastifyRequest, reply: FastifyReply, actor: Actor) => adminNav(ctx, req, reply, actor);
  const page = (reply: FastifyReply, vnode: Parameters<typeof sendPage>[1], status = 200) =>
    sendPage(reply.header("cache-control", "no-store"), vnode, status);
  const ownTerritory = (req: FastifyRequest) => ({ territoryId: req.actor?.membership.territoryId ?? "" });
  /** The territories whose uploads an actor sees: all for the admin, theirs and those within it otherwise. */
  const visibleTerritories = (actor: Actor): string[] | undefined => {
    if (actor.membership.role === "admin") return undefined;
    const seen = new Set<string>([actor.membership.territoryId]);
    const walk = [actor.membership.territoryId];
    while (walk.length > 0)
      for (const c of ctx.territories.childrenOf(walk.pop() as string))
        if (!seen.has(c.id)) {
          seen.add(c.id);
          walk.push(c.id);
        }
    return [...seen];
  };

  const listPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    values: UploadFormValues,
    problem?: string,
    status = 200,
  ) => {
    const [sources, list] = await Promise.all([
      allowedSources(ctx, actor),
      listUploads(db(), visibleTerritories(actor)),
    ]);
    return page(
      reply,
      UploadListPage({
        nav: nav(req, reply, actor),
        territoryName: rightsOf(ctx, actor).territoryName,
        sources,
        uploads: list,
        values,
        maxMegabytes: MAX_MEGABYTES,
        problem,
      }),
      status,
    );
  };

  /** An upload the actor may act on (its territory within theirs), or 404/403. */
  const uploadFor = async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const id = idOf(req.params.id);
    // An import running here is read from memory: on the embedded database (one connection) its transaction holds
    // the database until it ends, and its page would wait as long.
    const u = uploads.running.get(id)?.upload ?? (id > 0 ? await getUpload(db(), id) : null);
    if (!u) throw NOT_FOUND;
    // Within the actor's territory (an admin's uploads, territory « france », are the admins').
    const actor = await authorize(req, ctx, "lieu.importer", { territoryId: u.territoryId });
    return { actor, upload: u };
  };

  app.get("/admin/imports", { schema: { hide: true } }, async (req, reply) => {
    const actor = await authorize(req, ctx, "lieu.importer", ownTerritory(req));
    return listPage(req, reply, actor, { source: "", format: "", complet: false });
  });

  app.get<{ Params: z.infer<typeof idParams>; Querystring: z.infer<typeof pageQuery> }>(
    "/admin/imports/:id",
    { schema: { hide: true, params: idParams, querystring: pageQuery } },
    async (req, reply) => {
      const { actor, upload } = await uploadFor(req);
      return page(
        reply,
        UploadPage({
          nav: nav(req, reply, actor),
          upload,
          progress: uploads.running.get(upload.id) ?? null,
          auto: req.query.auto === "1",
        }),
      );
    },
  );

  app.get<{ Params: z.infer<typeof idParams> }>(
    "/admin/imports/:id/erreurs.csv",
    { schema: { hide: true, params: idParams } },
    async (req, reply) => {
      const { upload } = await uploadFor(req);
      // Every error, read again from the kept file; once it is removed, those the report kept.
      const issues = uploads.errorsOf(upload) ?? upload.report.errors;
      return reply
        .header("cache-control", "no-store")
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="erreurs-import-${upload.id}.csv"`)
        .send(Readable.from(errorCsv(issues)));
    },
  );

  const confirmOrCancel = (path: string, to: "en cours" | "annulé") =>
    app.post<{ Params: z.infer<typeof idParams> }>(
      path,
      { preValidation: checkCsrf, schema: { hide: true, params: idParams } },
      async (req, reply) => {
        const { actor, upload } = await uploadFor(req);
        const now = ctx.clock.now();
        const by = journalBy(req);
        const entry = {
          ...by,
          at: now,
          action: to === "en cours" ? "import.confirmer" : "import.annuler",
          target: `import:${upload.id}`,
          territoryId: upload.territoryId,
          details: { source: upload.source, fichier: upload.fileName },
        };
        const again = (problem: string, status: number) =>
          page(reply, UploadPage({ nav: nav(req, reply, actor), upload, progress: null, problem }), status);
        if (upload.state !== "prêt")
          return again("Cet import n'attend plus de confirmation : rien n'a été changé.", 409);
        if (to === "annulé") {
          const moved = await withJournal(
            db(),
            (ok: boolean) => (ok ? entry : null),
            (trx) => moveUpload(trx, upload.id, ["prêt"], "annulé", now, { stored: null }),
          );
          if (moved) await uploads.remove(upload.stored);
          return reply.redirect(`/admin/imports/${upload.id}`, 303);
        }
        // The source may have gained places outside the territory since the upload.
        if (upload.restricted && !(await allowedSources(ctx, actor)).some((s) => s.source === upload.source))
          return again(
            `La source « ${upload.source} » a maintenant des lieux hors de votre territoire : seul un administrateur peut l'importer.`,
            403,
          );
        let moved: boolean;
        try {
          moved = await withJournal(
            db(),
            (ok: boolean) => (ok ? entry : null),
            (trx) => moveUpload(trx, upload.id, ["prêt"], "en cours", now),
          );
        } catch (e) {
          if (!isRunningConflict(e)) throw e;
          return again(
            `Un import de la source « ${upload.source} » est déjà en cours : attendez qu'il se termine, puis confirmez à nouveau.`,
            409,
          );
        }
        if (!moved) return again("Cet import n'attend plus de confirmation : rien n'a été changé.", 409);
        const running = (await getUpload(db(), upload.id)) as Upload;
        uploads
          .start(running, by, `${actor.organisation.name}, depuis le navigateur`)
          .catch((e) => req.log.error({ err: e }, "import en arrière-plan"));
        return reply.redirect(`/admin/imports/${upload.id}`, 303);
      },
    );
  confirmOrCancel("/admin/imports/:id/confirmer", "en cours");
  confirmOrCancel("/admin/imports/:id/annuler", "annulé");

  // The upload: multipart on this route only (an encapsulated plugin).
  app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, fieldSize: 1000, parts: 12 },
    });
    scope.post("/admin/imports", { schema: { hide: true } }, async (req, reply) => {
      const actor = await authorize(req, ctx, "lieu.importer", ownTerritory(req));
      const declared = Number(req.headers["content-length"] ?? 0);
      if (declared > MAX_UPLOAD_BYTES + FORM_OVERHEAD) {
        // Refused before reading: the connection closes rather than receive what would be thrown away.
        reply.header("connection", "close");
        throw new HttpError(413, "Fichier trop gros", TOO_LARGE);
      }
      if (!req.isMultipart())
        throw new HttpError(400, "Demande invalide", "Le formulaire doit envoyer un fichier.");
      const fields: Record<string, string> = {};
      let csrfChecked = false;
      const checkToken = async () => {
        if (csrfChecked) return;
        // The token is the form's first field: checked before the file is read or kept.
        (req as { body?: unknown }).body = { _csrf: fields._csrf ?? "" };
        await checkCsrf(req);
        csrfChecked = true;
      };
      let saved: { stored: string; fileName: string; bytes: number } | null = null;
      let tooLarge = false;
      uploads.ensureFolder();
      try {
        for await (const part of req.parts()) {
          if (part.type === "field") {
            if (typeof part.value === "string") fields[part.fieldname] = part.value;
            continue;
          }
          await checkToken();
          if (part.fieldname !== "fichier" || saved || tooLarge) {
            part.file.resume();
            continue;
          }
          const fileName = cleanFileName(part.filename);
          const stored = `${randomUUID()}${fileName.toLowerCase().endsWith(".gz") ? ".gz" : ""}`;
          saved = { stored, fileName, bytes: 0 };
          const current = saved;
          part.file.on("data", (chunk: Buffer) => {
            current.bytes += chunk.length;
          });
          await pipeline(part.file, createWriteStream(uploads.pathOf(stored), { mode: 0o600 }));
          if (part.file.truncated) tooLarge = true;
        }
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === "FST_REQ_FILE_TOO_LARGE") tooLarge = true;
        else {
          await uploads.remove(saved?.stored ?? null);
          throw e;
        }
      }
      await checkToken();
      if (tooLarge) {
        await uploads.remove(saved?.stored ?? null);
        throw new HttpError(413, "Fichier trop gros", TOO_LARGE);
      }
      const values: UploadFormValues = {
        source: fields.source ?? "",
        format: fields.format ?? "",
        complet: fields.complet === "1",
      };
      const refuse = async (problem: string, status = 400) => {
        await uploads.remove(saved?.stored ?? null);
        return listPage(req, reply, actor, values, problem, status);
      };
      if (!saved) return refuse("Choisissez le fichier à importer.");
      if (values.format !== "" && !IMPORT_FORMATS.includes(values.format))
        return refuse("Format inconnu : choisissez-en un dans la liste.");
      if (!(await allowedSources(ctx, actor)).some((s) => s.source === values.source))
        return refuse(
          `Vous ne pouvez pas importer la source « ${values.source} » : choisissez une source de la liste (les sources dont tous les lieux sont dans votre territoire, ou celle de votre organisation).`,
        );
      const rights = rightsOf(ctx, actor);
      const file = {
        source: values.source,
        fileName: saved.fileName,
        format: values.format || null,
        full: values.complet,
      };
      let report: Awaited<ReturnType<UploadService["analyse"]>>;
      try {
        report = await uploads.analyse(saved.stored, file, rights);
      } catch (e) {
        await uploads.remove(saved.stored);
        throw e;
      }
      const refused = report.refused !== null;
      const now = ctx.clock.now();
      const created = await withJournal(
        db(),
        (u: Upload) => ({
          ...journalBy(req),
          at: now,
          action: "import.deposer",
          target: `import:${u.id}`,
          territoryId: u.territoryId,
          details: {
            source: u.source,
            fichier: u.fileName,
            octets: u.bytes,
            lignes: report.counts.read ?? 0,
            erreurs: report.errorCount,
            refuse: report.refused,
          },
        }),
        (trx) =>
          createUpload(trx, {
            ...file,
            state: refused ? "refusé" : "prêt",
            stored: refused ? null : saved.stored,
            bytes: saved.bytes,
            territoryId: rights.territoryId,
            restricted: rights.communes !== null,
            personId: actor.person.id,
            organisationId: actor.organisation.id,
            uploadedBy: `${actor.person.name} (${actor.organisation.name})`,
            createdAt: now,
            report,
          }),
      );
      if (refused) await uploads.remove(saved.stored);
      return reply.redirect(`/admin/imports/${created.id}`, 303);
    });
  });
}

declare module "fastify" {
  interface FastifyInstance {
    /** The imports from the browser of this server (their background jobs and progress). */
    placeUploads: UploadService;
  }
}
