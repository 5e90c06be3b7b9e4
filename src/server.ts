import type { FastifyInstance } from "fastify";
import { recordRoutes, registerApiDocs } from "./api-docs.tsx";
import { capabilities } from "./capabilities.ts";
import type { AppContext } from "./context.ts";
import { registerAboutRoutes } from "./platform/about.tsx";
import { registerAdmin } from "./platform/admin.ts";
import { backupStream } from "./platform/backup.ts";
import { createHttpServer } from "./platform/http.ts";
import { registerTerritoryRoutes } from "./territories/routes.ts";

/**
 * Builds the HTTP application: the platform plumbing plus every capability's routes. `adminToken` opens the
 * admin endpoints (`/admin/…`) to the commands that know it (see platform/admin.ts).
 */
export async function buildServer(
  ctx: AppContext,
  opts: { adminToken?: string } = {},
): Promise<FastifyInstance> {
  const app = await createHttpServer(ctx.config);
  recordRoutes(app);
  registerAboutRoutes(app);
  registerApiDocs(app);
  registerTerritoryRoutes(
    app,
    ctx,
    capabilities.flatMap((c) => c.sections ?? []),
  );
  for (const c of capabilities) c.routes?.(app, ctx);
  registerAdmin(app, opts.adminToken, (admin) => {
    // A consistent backup of the database while serving (`maillage db backup` on the embedded database).
    admin.get("/sauvegarde", (_req, reply) =>
      reply
        .type("application/gzip")
        .header("content-disposition", 'attachment; filename="maillage.sauvegarde.gz"')
        .send(backupStream(ctx.database)),
    );
    for (const c of capabilities) c.admin?.(admin, ctx);
  });
  app.get("/sante", () => ({ statut: "ok", territoires: ctx.territories.all.length }));
  return app;
}

/** Starts listening; returns the address actually used (PORT=0 picks a free port). */
export async function listen(app: FastifyInstance, port: number, host: string): Promise<string> {
  await app.listen({ port, host });
  const addr = app.server.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  return `http://${host.includes(":") ? `[${host}]` : host}:${actual}`;
}
