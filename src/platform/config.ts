import { resolve } from "node:path";

/** Runtime configuration, read once from the environment at the edge of the program. */
export interface Config {
  /** HTTP port (0 = any free port). */
  port: number;
  /** Interface to listen on. */
  host: string;
  /** PostgreSQL URL; when absent the embedded PGlite database is used. */
  databaseUrl: string | undefined;
  /** Folder where Maillage keeps its own state (the embedded database lives in `<dataDir>/db`). */
  dataDir: string;
  /** Folder of the real reference data shipped with the product (gzipped files + PROVENANCE.md). */
  referenceDir: string;
  /** Requests per minute and per client address; 0 disables the limit. */
  rateLimit: number;
  /** Log level of the HTTP server. */
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "silent";
}

export class ConfigError extends Error {}

const ROOT = resolve(import.meta.dirname, "../..");

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} doit être un nombre entier entre ${min} et ${max} (reçu : « ${raw} »).`);
  }
  return Number(raw);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL doit commencer par postgres:// ou postgresql://.");
  }
  const level = env.LOG_LEVEL ?? "info";
  const levels = ["fatal", "error", "warn", "info", "debug", "silent"] as const;
  if (!(levels as readonly string[]).includes(level)) {
    throw new ConfigError(`LOG_LEVEL doit valoir l'une de ces valeurs : ${levels.join(", ")}.`);
  }
  return {
    port: intFrom(env, "PORT", 3000, 0, 65535),
    host: env.HOST || "127.0.0.1",
    databaseUrl,
    dataDir: resolve(env.MAILLAGE_DATA_DIR || resolve(ROOT, "var")),
    referenceDir: resolve(env.MAILLAGE_REFERENCE_DIR || resolve(ROOT, "data")),
    rateLimit: intFrom(env, "MAILLAGE_RATE_LIMIT", 1200, 0, 1_000_000),
    logLevel: level as Config["logLevel"],
  };
}
