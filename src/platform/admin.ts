/**
 * The running server's admin endpoints (`/admin/…`), for the commands of the same machine: on the embedded
 * database only the server may open its folder, so `maillage places import` and `maillage db backup` send their
 * work here. The server writes its URL and a random token in the folder's lock file (mode 0600, readable by the
 * account running Maillage only); each request carries it as `Authorization: Bearer …`, compared in constant
 * time. Without a token (PostgreSQL, tests), every admin request is refused.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { sendProblem } from "./http.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Whether the request carries the admin token (constant-time comparison of the digests). */
function hasAdminToken(req: FastifyRequest, token: string | undefined): boolean {
  const header = req.headers.authorization;
  if (!token || typeof header !== "string" || !header.startsWith("Bearer ")) return false;
  return timingSafeEqual(digest(header.slice("Bearer ".length)), digest(token));
}

/**
 * Registers the admin routes under `/admin`, behind the token. Request bodies reach the routes as raw byte
 * streams (files to import), whatever their type: each route caps what it reads.
 */
export function registerAdmin(
  app: FastifyInstance,
  token: string | undefined,
  routes: (admin: FastifyInstance) => void,
): void {
  app.register(
    async (admin) => {
      admin.addHook("onRequest", async (req, reply) => {
        if (!hasAdminToken(req, token))
          return sendProblem(
            reply,
            401,
            "Accès refusé",
            "Cette adresse est réservée aux commandes de Maillage lancées sur le serveur.",
          );
      });
      admin.removeAllContentTypeParsers();
      admin.addContentTypeParser("*", (_req, payload, done) => done(null, payload));
      routes(admin);
    },
    { prefix: "/admin" },
  );
}

/** Calls an admin endpoint of the server recorded in a lock file. */
export async function callAdmin(
  server: { url: string; token: string },
  path: string,
  init: { method?: string; body?: Readable; query?: Record<string, string> } = {},
): Promise<Response> {
  const url = new URL(`/admin/${path}`, server.url);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  return fetch(url, {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${server.token}`,
      ...(init.body ? { "content-type": "application/octet-stream" } : {}),
    },
    ...(init.body ? { body: Readable.toWeb(init.body) as ReadableStream, duplex: "half" } : {}),
  } as RequestInit);
}
