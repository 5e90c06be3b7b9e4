import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import compress from "@fastify/compress";
import formbody from "@fastify/formbody";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import { build } from "esbuild";
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifySchemaCompiler,
} from "fastify";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import type { VNode } from "preact";
import { type z, globalRegistry as zodGlobalRegistry } from "zod";
import type { Config } from "./config.ts";
import { clientErrorHandler, cspDirectives, frameworkErrors, HSTS, installEdge } from "./edge.ts";
import { logRequests, quietLogController, requestLogger } from "./logs.ts";
import { noteRendered } from "./page-cache.ts";
import { frenchIssue, type Part, repeated, valueAt } from "./schema.ts";
import { ErrorPage } from "./views/errors.tsx";
import { renderPage } from "./views/layout.tsx";

const ASSETS = join(import.meta.dirname, "assets");

/** An error whose message may be shown to people as it is (plain French), with its HTTP status. */
export class HttpError extends Error {
  /** Where a page is sent instead of an error page (a 401 on a page: the sign-in page); never for the API. */
  location?: string;
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    /** Seconds, sent as `Retry-After` (503 when busy, 429). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/**
 * The site's public address, for every absolute URL: MAILLAGE_PUBLIC_URL, else the configured HOST and the port
 * actually listened on. Never a request header (`Host`, `X-Forwarded-Host`): a client would choose the links.
 */
export function publicBase(app: FastifyInstance, config: Config): string {
  if (config.publicUrl) return config.publicUrl;
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return `http://${host}:${port}`;
}

const isApi = (req: FastifyRequest) => req.url.startsWith("/api/");

/** Sends a server-rendered page (escaped by preact-render-to-string). */
export function sendPage(reply: FastifyReply, page: VNode, status = 200): FastifyReply {
  const html = renderPage(page);
  noteRendered(reply, status, html);
  return reply.code(status).type("text/html; charset=utf-8").send(html);
}

/** RFC 9457 problem details for the JSON API. */
export function sendProblem(
  reply: FastifyReply,
  status: number,
  title: string,
  detail: string,
  /** Extension members (RFC 9457), e.g. the candidates of an ambiguous territory. */
  extra: Record<string, unknown> = {},
): FastifyReply {
  return reply
    .code(status)
    .type("application/problem+json; charset=utf-8")
    .send({ ...extra, type: "about:blank", title, status, detail });
}

const TITLES: Record<Part, string> = {
  querystring: "Paramètre invalide",
  params: "Adresse invalide",
  body: "Demande incorrecte",
  headers: "En-tête invalide",
};

/** A message set on a schema that does not name its parameter gets the name in front (« commune : … »). */
function named(path: readonly PropertyKey[], message: string): string {
  const name = path.filter((k) => typeof k === "string").join(".");
  if (!name || new RegExp(`(^|[^\\w])${name.replace(/\./g, "\\.")}([^\\w]|$)`).test(message)) return message;
  return `${name} : ${message}`;
}

/**
 * Fastify's validator for the zod schemas declared at the routes. Messages set on a schema
 * (`z.string({ error: "…" })`) are kept; every other issue gets its French sentence from `frenchIssue`. A refused
 * request becomes one HttpError 400 listing every problem: problem+json under /api/, a French page elsewhere.
 */
const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const part = (httpPart ?? "body") as Part;
    const result = schema.safeParse(data, { error: (iss) => frenchIssue(iss, data, part) });
    if (result.success) return { value: result.data };
    const messages = new Set(
      result.error.issues.map((i) => {
        // A repeated query parameter where one value is expected: said so, whatever the schema's own message.
        const raw = valueAt(data, i.path);
        if (
          part === "querystring" &&
          Array.isArray(raw) &&
          (i.code === "invalid_type" || i.code === "invalid_union")
        )
          return repeated(i.path.join("."), raw).replace(/\.$/, "");
        return named(i.path, i.message.replace(/\.$/, ""));
      }),
    );
    const detail = `${[...messages].join(" ; ")}.`;
    return { error: new HttpError(400, TITLES[part], detail) };
  };

/**
 * Responses are declared (for the document, and for the test that checks real responses against it) but written
 * with plain JSON.stringify: checking every response at run time would cost on the large ones (maps, coverage)
 * and turn a harmless extra field into an error for the user.
 */
const serializerCompiler = () => (data: unknown) => JSON.stringify(data);

/** The French answer to an error: problem+json under /api/, a page elsewhere; never the request's own text. */
export function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  known: HttpError | null,
): FastifyReply {
  const title = known ? known.title : status >= 500 ? "Erreur du serveur" : "Demande incorrecte";
  const detail = known
    ? known.message
    : status >= 500
      ? "Une erreur inattendue s'est produite de notre côté."
      : "La demande n'a pas pu être comprise.";
  if (isApi(req)) return sendProblem(reply, status, title, detail);
  return sendPage(reply, ErrorPage({ status, message: known ? known.message : undefined }), status);
}

/** Fastify's own errors about the body, in French (its English message may quote the request). */
function frameworkError(error: unknown): HttpError | null {
  switch ((error as { code?: string }).code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new HttpError(413, "Demande trop grande", "Le corps de la demande est trop grand.");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new HttpError(
        415,
        "Format non pris en charge",
        "Ce format de corps n'est pas accepté (JSON ou formulaire attendu).",
      );
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new HttpError(400, "Demande incorrecte", "Le corps JSON est vide.");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new HttpError(400, "Demande incorrecte", "La longueur annoncée du corps est fausse.");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_BAD_JSON":
      return new HttpError(400, "Demande incorrecte", "Le corps n'est pas du JSON valide.");
    default:
      if (error instanceof SyntaxError && (error as { statusCode?: number }).statusCode === 400)
        return new HttpError(400, "Demande incorrecte", "Le corps n'est pas du JSON valide.");
      return null;
  }
}

/** The OpenAPI document lists the JSON API only (not the pages, not the document itself). */
const documented = (url: string) => url.startsWith("/api/v1/") && url !== "/api/v1/openapi.json";

/** The HTTP server with the shared plumbing: security headers, compression, rate limit, assets, French errors. */
export async function createHttpServer(config: Config): Promise<FastifyInstance> {
  const hsts = config.publicUrl?.startsWith("https://") ?? false;
  const csp = cspDirectives(config.basemapStyle);
  const app = Fastify({
    logger: config.logLevel === "silent" ? false : requestLogger(config.logLevel),
    // One line per request is written by logs.ts (without the query string), not Fastify's own.
    logController: quietLogController(),
    // Off unless configured: otherwise any client chooses its address (rate limit, logs) with X-Forwarded-For.
    trustProxy:
      typeof config.trustProxy === "number"
        ? (_address: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: frameworkErrors(hsts, csp),
    clientErrorHandler: clientErrorHandler(hsts, csp),
  });
  logRequests(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Maillage — API",
        version: "1.0.0",
        description:
          "Territoires, indice de fragilité numérique, lieux de médiation numérique, couverture, orientation et diagnostic, sur données publiques réelles. Les erreurs sont en application/problem+json, en français.",
        license: { name: "Données : voir /a-propos/donnees" },
      },
    },
    transform: (doc) => {
      if (!documented(doc.url)) return { schema: { hide: true }, url: doc.url };
      const out = jsonSchemaTransform(doc);
      // The body's examples (`.meta({ examples })`) are lost on the way: put them back for the document.
      const examples = doc.schema.body && zodGlobalRegistry.get(doc.schema.body as z.ZodType)?.examples;
      if (examples && out.schema.body) (out.schema.body as { examples?: unknown }).examples = examples;
      return out;
    },
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      // Every directive spelt out (no helmet defaults), so that edge.ts sends the very same policy.
      useDefaults: false,
      directives: Object.fromEntries(Object.entries(csp).map(([k, v]) => [k, [...v]])),
    },
    // Only when the site is known to be served over https (MAILLAGE_PUBLIC_URL): HSTS over http would be ignored.
    hsts: false,
  });
  // After helmet: a request refused here still gets the security headers.
  const allowed = installEdge(app);
  if (hsts)
    app.addHook("onRequest", async (_req, reply) => void reply.header("strict-transport-security", HSTS));
  await app.register(compress, { threshold: 1024 });
  await app.register(formbody);
  if (config.rateLimit > 0) {
    await app.register(rateLimit, {
      max: config.rateLimit,
      timeWindow: "1 minute",
      errorResponseBuilder: (_req, ctx) =>
        new HttpError(
          429,
          "Trop de demandes",
          `Trop de demandes en peu de temps. Réessayez dans ${Math.ceil(ctx.ttl / 1000)} secondes.`,
        ),
    });
  }

  const css = await readFile(join(ASSETS, "style.css"), "utf8");
  const bundle = await build({
    entryPoints: [join(ASSETS, "app.ts")],
    bundle: true,
    write: false,
    minify: true,
    format: "esm",
    target: "es2019",
  });
  const js = bundle.outputFiles[0]?.text ?? "";
  const cache = "public, max-age=3600";
  // MapLibre, loaded by app.js only when someone asks for an interactive map (1.6 MB: never by default).
  const maplibreDir = dirname(createRequire(import.meta.url).resolve("maplibre-gl/package.json"));
  const maplibre: Record<string, [string, string]> = {
    "maplibre-gl.mjs": ["dist/maplibre-gl.mjs", "text/javascript; charset=utf-8"],
    "maplibre-gl-worker.mjs": ["dist/maplibre-gl-worker.mjs", "text/javascript; charset=utf-8"],
    "maplibre-gl.css": ["dist/maplibre-gl.css", "text/css; charset=utf-8"],
  };
  const maplibreFiles = new Map(
    await Promise.all(
      Object.entries(maplibre).map(
        async ([name, [file, type]]) =>
          [name, { type, body: await readFile(join(maplibreDir, file)) }] as const,
      ),
    ),
  );
  app.get<{ Params: { file: string } }>("/assets/maplibre/:file", (req, reply) => {
    const f = maplibreFiles.get(req.params.file);
    if (!f) throw new HttpError(404, "Introuvable", "Ce fichier n'existe pas.");
    return reply.type(f.type).header("cache-control", "public, max-age=86400").send(f.body);
  });
  app.get("/assets/style.css", (_req, reply) =>
    reply.type("text/css; charset=utf-8").header("cache-control", cache).send(css),
  );
  app.get("/assets/app.js", (_req, reply) =>
    reply.type("text/javascript; charset=utf-8").header("cache-control", cache).send(js),
  );

  // A small icon so that browsers do not ask in vain (and log a 404) on every page.
  const icon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d4ed8"/><path d="M3 12V4l5 5 5-5v8" stroke="#fff" stroke-width="2" fill="none"/></svg>`;
  app.get("/favicon.ico", (_req, reply) =>
    reply.type("image/svg+xml").header("cache-control", cache).send(icon),
  );

  app.setNotFoundHandler((req, reply) => {
    const methods = allowed(req);
    if (methods.length > 0) {
      reply.header("allow", methods.join(", "));
      const detail = `Cette adresse accepte seulement : ${methods.join(", ")}.`;
      if (isApi(req)) return sendProblem(reply, 405, "Méthode non permise", detail);
      return sendPage(reply, ErrorPage({ status: 405, message: detail }), 405);
    }
    if (isApi(req)) return sendProblem(reply, 404, "Introuvable", "Cette adresse de l'API n'existe pas.");
    return sendPage(reply, ErrorPage({ status: 404 }), 404);
  });
  app.setErrorHandler((error, req, reply) => {
    const known = error instanceof HttpError ? error : frameworkError(error);
    const raw = (error as { statusCode?: number }).statusCode;
    const status = known ? known.status : raw && raw >= 400 && raw < 600 ? raw : 500;
    if (status >= 500 && !known) req.log.error(error);
    if (known?.retryAfter) reply.header("retry-after", String(known.retryAfter));
    if (known?.location && !isApi(req)) return reply.redirect(known.location, 303);
    return sendError(req, reply, status, known);
  });
  return app;
}
