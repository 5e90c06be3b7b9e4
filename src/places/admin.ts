/**
 * `POST /admin/lieux/import`: the running server imports a file sent by `maillage places import` (the embedded
 * database has one owner, see platform/owner.ts). The body is the file's bytes, streamed into the same
 * `importFile` as a local import, capped in size; the answer is what the command prints.
 */
import { Transform } from "node:stream";
import { createGunzip } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.ts";
import { sendProblem } from "../platform/http.ts";
import { IMPORT_FORMATS, reportOf, SOURCE_NAME } from "./cli.ts";
import { importFile } from "./import/ingest.ts";
import type { SourceFormat } from "./import/sources.ts";
import { communesOf } from "./sync.ts";

/** The largest file the server accepts (the national files are a few hundred megabytes at most). */
const MAX_IMPORT_BYTES = 1024 ** 3;

const Query = z.object({
  source: z.string().regex(SOURCE_NAME),
  fichier: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\\\p{Cc}]+$/u),
  par: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^\p{Cc}]+$/u),
  format: z.enum(IMPORT_FORMATS as [string, ...string[]]).optional(),
  strict: z.literal("1").optional(),
  complet: z.literal("1").optional(),
});

class TooLarge extends Error {}

/** Counts the bytes going through and fails past the cap. */
function capped(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      done(seen > max ? new TooLarge() : null, chunk);
    },
  });
}

export function registerPlaceAdmin(app: FastifyInstance, ctx: AppContext): void {
  app.post("/lieux/import", async (req, reply) => {
    const q = Query.safeParse(req.query);
    if (!q.success) return sendProblem(reply, 400, "Demande invalide", "Paramètres d'import invalides.");
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > MAX_IMPORT_BYTES)
      return sendProblem(reply, 413, "Fichier trop gros", `Le fichier dépasse ${MAX_IMPORT_BYTES} octets.`);
    const body = req.body as NodeJS.ReadableStream | undefined;
    if (!body || typeof body.pipe !== "function")
      return sendProblem(reply, 400, "Demande invalide", "Le fichier à importer manque.");
    let input = body.pipe(capped(MAX_IMPORT_BYTES));
    if (q.data.fichier.endsWith(".gz")) {
      const gunzip = createGunzip();
      input.on("error", (e) => gunzip.destroy(e));
      input = input.pipe(gunzip);
    }
    let tooLarge = false;
    input.on("error", (e) => {
      if (e instanceof TooLarge) tooLarge = true;
    });
    try {
      const result = await importFile(ctx.database.db, input as AsyncIterable<Buffer>, {
        source: q.data.source,
        file: q.data.fichier,
        communes: communesOf(ctx.territories),
        format: q.data.format as SourceFormat | undefined,
        strict: q.data.strict === "1",
        full: q.data.complet === "1",
        by: `${q.data.par}, par le serveur`,
        embedded: ctx.database.kind === "pglite",
      });
      if (tooLarge) throw new TooLarge();
      ctx.places.invalidate();
      return reportOf(result);
    } catch (e) {
      if (tooLarge || e instanceof TooLarge)
        return sendProblem(reply, 413, "Fichier trop gros", `Le fichier dépasse ${MAX_IMPORT_BYTES} octets.`);
      throw e;
    }
  });
}
