/**
 * `GET /metrics` in the Prometheus text format (prom-client): requests by route pattern (never by raw URL: it
 * may carry personal data and would make one series per address), their durations, the process (event-loop lag,
 * heap, CPU), the database pool and what the application adds (places loaded, imports seen). Readable from the
 * addresses of MAILLAGE_METRICS_ALLOW (loopback by default) or with the admin token.
 */
import { timingSafeEqual } from "node:crypto";
import { BlockList, isIPv4, isIPv6 } from "node:net";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Config } from "./config.ts";
import { HttpError } from "./http.ts";
import { routeOf } from "./logs.ts";

/** Process-wide metrics (one set per process, however many servers a test starts). */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export interface AppGauge {
  name: string;
  help: string;
  value: () => number | Promise<number>;
}

function allowList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const e of entries) {
    const [address = "", bits] = e.split("/");
    const type = isIPv6(address) ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

/** True when the request may read the metrics: an allowed address, or the admin token. */
function allowed(req: FastifyRequest, list: BlockList, token: string | undefined): boolean {
  const ip = req.ip.startsWith("::ffff:") && isIPv4(req.ip.slice(7)) ? req.ip.slice(7) : req.ip;
  if (isIPv4(ip) ? list.check(ip, "ipv4") : isIPv6(ip) && list.check(ip, "ipv6")) return true;
  const auth = req.headers.authorization ?? "";
  if (!token || !auth.startsWith("Bearer ")) return false;
  const given = Buffer.from(auth.slice(7));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function registerMetrics(app: FastifyInstance, config: Config, gauges: AppGauge[]): void {
  const registry = new Registry();
  const duration = new Histogram({
    name: "maillage_http_request_duration_seconds",
    help: "Durée des réponses HTTP, par méthode, motif de route et statut",
    labelNames: ["method", "route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  for (const g of gauges) {
    new Gauge({
      name: g.name,
      help: g.help,
      registers: [registry],
      async collect() {
        this.set(await g.value());
      },
    });
  }
  app.addHook("onResponse", async (req, reply) => {
    // Addresses no route serves are counted together: a scanner must not create one series per path.
    const route = req.routeOptions.url ? routeOf(req) : "(aucune route)";
    duration.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  const list = allowList(config.metricsAllow);
  app.get("/metrics", async (req, reply) => {
    if (!allowed(req, list, config.adminToken))
      throw new HttpError(
        403,
        "Accès refusé",
        "Les mesures ne sont lisibles que depuis les adresses autorisées.",
      );
    const merged = Registry.merge([processMetrics(), registry]);
    return reply
      .type(merged.contentType)
      .header("cache-control", "no-store")
      .send(await merged.metrics());
  });
}
