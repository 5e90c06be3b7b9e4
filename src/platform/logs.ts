/**
 * Logs: one line per request at `info` — method, route pattern (or path), status, duration — and never the query
 * string, which may carry what people typed (an address, a name). JSON lines (for a log collector) unless the
 * output is a terminal, where they are written as one short readable line each.
 */
import { type FastifyInstance, type FastifyRequest, LogController } from "fastify";
import type { Config } from "./config.ts";

const LEVELS: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** A pino line made readable: `12:03:04 INFO GET /lieux/:id 200 3.1 ms`. */
function compactLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json);
  } catch {
    return json;
  }
  const time = typeof o.time === "number" ? new Date(o.time).toISOString().slice(11, 19) : "";
  const level = LEVELS[o.level as number] ?? String(o.level);
  const err = o.err as { message?: string; stack?: string } | undefined;
  const rest = err?.stack ? `\n${err.stack}` : "";
  return `${time} ${level} ${o.msg ?? ""}${rest}\n`;
}

/** Where log lines go: standard output, or a sink in tests. */
interface LogOutput {
  isTTY?: boolean;
  write(line: string): unknown;
}

/** Fastify's logger options: JSON lines, or compact lines on a terminal (`out.isTTY`). */
export function requestLogger(level: Config["logLevel"], out: LogOutput = process.stdout) {
  if (out.isTTY === true) return { level, stream: { write: (line: string) => out.write(compactLine(line)) } };
  // Standard output: pino's own fast writer; another sink gets the same JSON lines.
  return out === process.stdout ? { level } : { level, stream: { write: (line: string) => out.write(line) } };
}

/** Fastify's own request lines off (they carry the full URL, query included), « route not found » too. */
export function quietLogController(): LogController {
  return new (class extends LogController {
    override routeNotFound(): void {}
  })({ disableRequestLogging: true });
}

/** The route pattern (`/lieux/:id`), or the path without its query for an address no route serves. */
export function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url ?? (req.url.split("?")[0] ?? "/").slice(0, 200);
}

export function logRequests(app: FastifyInstance): void {
  app.addHook("onResponse", async (req, reply) => {
    const ms = reply.elapsedTime;
    req.log.info(
      { method: req.method, route: routeOf(req), status: reply.statusCode, ms: Math.round(ms * 10) / 10 },
      `${req.method} ${routeOf(req)} ${reply.statusCode} ${ms.toFixed(1)} ms`,
    );
  });
}
