import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { recordRoutes, registerApiDocs } from "./api-docs.tsx";
import { capabilities } from "./capabilities.ts";
import type { AppContext } from "./context.ts";
import { registerAboutRoutes } from "./platform/about.tsx";
import { registerAdmin } from "./platform/admin.ts";
import { backupStream } from "./platform/backup.ts";
import { workerTasks } from "./platform/heavy.ts";
import { createHttpServer } from "./platform/http.ts";
import { registerMetrics } from "./platform/metrics.ts";
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
  registerAboutRoutes(app, ctx);
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
  registerHealth(app, ctx);
  const pool = ctx.database.pool;
  // The server's admin token (commands of this machine) opens /metrics too, as MAILLAGE_ADMIN_TOKEN does.
  registerMetrics(app, { ...ctx.config, adminToken: ctx.config.adminToken ?? opts.adminToken }, [
    {
      name: "maillage_db_pool_connections",
      help: "Connexions ouvertes à la base",
      value: () => pool.totalCount,
    },
    { name: "maillage_db_pool_idle", help: "Connexions libres", value: () => pool.idleCount },
    {
      name: "maillage_db_pool_waiting",
      help: "Demandes en attente d'une connexion",
      value: () => pool.waitingCount,
    },
    {
      name: "maillage_worker_tasks",
      help: "Calculs lourds (plans) faits dans un fil de travail depuis le démarrage",
      value: () => workerTasks.count,
    },
    {
      name: "maillage_places_loaded",
      help: "Lieux publiés en mémoire",
      value: async () => (await ctx.places.all()).length,
    },
    {
      name: "maillage_places_generation",
      help: "Versions des lieux chargées depuis le démarrage (une de plus à chaque import vu)",
      value: () => ctx.places.generation,
    },
  ]);
  return app;
}

/**
 * Liveness (`/sante`: the process answers) and readiness (`/sante/pret`: the database answers `SELECT 1` and the
 * reference data is loaded — territories, places, fragility; 503 otherwise), as JSON, for a load balancer or an
 * orchestrator. Neither is rate-limited nor logged at info beyond the usual line.
 */
function registerHealth(app: FastifyInstance, ctx: AppContext): void {
  app.get("/sante", () => ({ statut: "ok", territoires: ctx.territories.all.length }));
  app.get("/sante/pret", async (_req, reply) => {
    const checks: Record<string, boolean> = {};
    const check = async (name: string, f: () => Promise<boolean>) => {
      checks[name] = await f().catch(() => false);
    };
    await check("base", async () => (await sql`SELECT 1 AS un`.execute(ctx.database.db)).rows.length === 1);
    await check("territoires", async () => ctx.territories.all.length > 0);
    await check("lieux", async () => (await ctx.places.all()).length > 0);
    await check("fragilite", async () => (await ctx.fragility.methods()).length > 0);
    const ready = Object.values(checks).every(Boolean);
    return reply
      .code(ready ? 200 : 503)
      .header("cache-control", "no-store")
      .send({ statut: ready ? "pret" : "indisponible", verifications: checks });
  });
}

/** Starts listening; returns the address actually used (PORT=0 picks a free port). */
export async function listen(app: FastifyInstance, port: number, host: string): Promise<string> {
  await app.listen({ port, host });
  const addr = app.server.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  return `http://${host.includes(":") ? `[${host}]` : host}:${actual}`;
}
