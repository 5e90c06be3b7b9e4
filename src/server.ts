import type { FastifyInstance } from "fastify";
import { recordRoutes, registerApiDocs } from "./api-docs.tsx";
import { capabilities } from "./capabilities.ts";
import type { AppContext } from "./context.ts";
import { registerAboutRoutes } from "./platform/about.tsx";
import { createHttpServer } from "./platform/http.ts";
import { registerTerritoryRoutes } from "./territories/routes.ts";

/** Builds the HTTP application: the platform plumbing plus every capability's routes. */
export async function buildServer(ctx: AppContext): Promise<FastifyInstance> {
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
