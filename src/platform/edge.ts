/**
 * The edge of the HTTP server: what arrives before (or beside) the routes. Errors raised by the framework itself
 * (bad path encoding, too long a parameter, headers too large, a connection that speaks no HTTP) answer in French
 * with the security headers and never echo the URL; a wrong method answers 405 with `Allow`; NUL bytes and invalid
 * UTF-8 anywhere in the path, query or body answer 400 before any route runs.
 */
import type { Socket } from "node:net";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import FindMyWay, { type HTTPMethod } from "find-my-way";
import { HttpError, sendError } from "./http.ts";

/** Content-Security-Policy directives, shared by helmet (every route) and the raw answers below. */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  imgSrc: ["'self'", "data:", "blob:"],
  styleSrc: ["'self'"],
  scriptSrc: ["'self'"],
  workerSrc: ["'self'", "blob:"],
  childSrc: ["'self'", "blob:"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  fontSrc: ["'self'", "https:", "data:"],
  formAction: ["'self'"],
  scriptSrcAttr: ["'none'"],
} as const;

type CspDirectives = Record<keyof typeof CSP_DIRECTIVES, readonly string[]>;

/**
 * The policy of one server: with a basemap (MAILLAGE_FOND_DE_CARTE), MapLibre fetches its style, tiles, glyphs and
 * sprites from the style's origin (connect-src) and may draw its images (img-src); nothing else is opened.
 */
export function cspDirectives(basemapStyle: string | undefined): CspDirectives {
  if (!basemapStyle) return CSP_DIRECTIVES;
  const origin = new URL(basemapStyle).origin;
  return {
    ...CSP_DIRECTIVES,
    connectSrc: [...CSP_DIRECTIVES.connectSrc, origin],
    imgSrc: [...CSP_DIRECTIVES.imgSrc, origin],
  };
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The headers helmet sets (with the CSP above), for the answers that do not go through helmet's hook. */
function securityHeaders(hsts: boolean, csp: CspDirectives): Record<string, string> {
  return {
    "content-security-policy": Object.entries(csp)
      .map(([k, v]) => `${kebab(k)} ${v.join(" ")}`)
      .join(";"),
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "origin-agent-cluster": "?1",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-dns-prefetch-control": "off",
    "x-download-options": "noopen",
    "x-frame-options": "SAMEORIGIN",
    "x-permitted-cross-domain-policies": "none",
    "x-xss-protection": "0",
    ...(hsts ? { "strict-transport-security": HSTS } : {}),
  };
}

export const HSTS = "max-age=31536000; includeSubDomains";

/** Errors raised by Fastify's router before any hook: they go to the app's error handler with the headers. */
export function frameworkErrors(hsts: boolean, csp: CspDirectives) {
  const headers = securityHeaders(hsts, csp);
  return (error: Error & { code?: string }, req: FastifyRequest, reply: FastifyReply) => {
    reply.headers(headers);
    const known =
      error.code === "FST_ERR_MAX_PARAM_LENGTH"
        ? new HttpError(414, "Adresse trop longue", "Cette adresse est trop longue.")
        : new HttpError(400, "Adresse invalide", "Cette adresse contient des caractères mal codés.");
    sendError(req, reply, known.status, known);
  };
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  413: "Payload Too Large",
  431: "Request Header Fields Too Large",
};

/**
 * Errors Node's HTTP parser raises before there is any request (headers too large, garbage on the socket, a
 * timeout): answered on the raw socket, in French, with the security headers. The request line is only read to
 * choose between problem+json (/api/) and a page; nothing of it is written back.
 */
export function clientErrorHandler(hsts: boolean, csp: CspDirectives) {
  const headers = securityHeaders(hsts, csp);
  return (err: Error & { code?: string; rawPacket?: unknown }, socket: Socket) => {
    if (err.code === "ECONNRESET" || socket.destroyed) return;
    const [status, detail] =
      err.code === "HPE_HEADER_OVERFLOW"
        ? [431, "Les en-têtes de la demande (ou son adresse) sont trop longs."]
        : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? [408, "La demande a mis trop de temps à arriver."]
          : [400, "La demande n'a pas pu être comprise."];
    const packet = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.subarray(0, 16).toString("latin1") : "";
    const api = /^[A-Z]+ \/api\//.test(packet);
    const title =
      status === 400 ? "Demande incorrecte" : status === 408 ? "Délai dépassé" : "Demande trop grande";
    const [type, body] = api
      ? [
          "application/problem+json; charset=utf-8",
          JSON.stringify({ type: "about:blank", title, status, detail }),
        ]
      : [
          "text/html; charset=utf-8",
          `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${title} — Maillage</title></head><body><main><h1>${title}</h1><p>${detail}</p><p><a href="/">Retour à l'accueil</a></p></main></body></html>`,
        ];
    if (socket.writable) {
      const head = Object.entries({
        ...headers,
        "content-type": type,
        "content-length": String(Buffer.byteLength(body)),
        connection: "close",
      })
        .map(([k, v]) => `${k}: ${v}`)
        .join("\r\n");
      socket.write(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\n${head}\r\n\r\n${body}`);
    }
    socket.destroy(err);
  };
}

/** True when a percent-encoded text decodes to valid UTF-8 without NUL. `+` is a space in queries. */
function cleanEncoded(text: string): boolean {
  if (text.includes("\0")) return false;
  try {
    return !decodeURIComponent(text.replace(/\+/g, " ")).includes("\0");
  } catch {
    return false;
  }
}

/** A decoded value (query, params, body) holding a NUL or U+FFFD, the mark of invalid UTF-8 decoded by Node. */
function dirty(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\0") || value.includes("\uFFFD");
  if (depth > 20 || value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some((v) => dirty(v, depth + 1));
  // Only parsed data (JSON, forms): a streamed body (the admin import) or a Buffer is not walked.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.entries(value).some(([k, v]) => dirty(k, depth + 1) || dirty(v, depth + 1));
}

const BAD_TEXT = "La demande contient un caractère nul ou un texte mal codé (UTF-8 attendu).";

const METHODS: HTTPMethod[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/**
 * Installs the checks: NUL and invalid UTF-8 (onRequest for the URL, preValidation for the decoded query,
 * parameters and body), and the 405 answer for a known address asked with a method it does not serve.
 * Returns the function the not-found handler calls to know the methods an address accepts.
 */
export function installEdge(app: FastifyInstance): (req: FastifyRequest) => string[] {
  app.addHook("onRequest", async (req) => {
    if (!cleanEncoded(req.url)) throw new HttpError(400, "Demande incorrecte", BAD_TEXT);
  });
  app.addHook("preValidation", async (req) => {
    if (dirty(req.query) || dirty(req.params) || dirty(req.body))
      throw new HttpError(400, "Demande incorrecte", BAD_TEXT);
  });
  // A copy of the routing table, to tell « no such address » (404) from « not with this method » (405).
  const routes = FindMyWay({ ignoreTrailingSlash: false });
  const noop = () => {};
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      if (!METHODS.includes(method as HTTPMethod)) continue;
      if (!routes.hasRoute(method as HTTPMethod, route.url)) routes.on(method as HTTPMethod, route.url, noop);
    }
  });
  return (req) => {
    const path = req.url.split("?")[0] ?? "/";
    return METHODS.filter((m) => routes.find(m, path) !== null);
  };
}
