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
  /** MAILLAGE_SECRET: signs short-lived tokens (the diagnostic's steps); absent = a random one in `dataDir`. */
  secret: string | undefined;
  /** Who people can call when nothing fits (the finder, the diagnostic): the territory's own line. */
  contact: Contact;
}

/** A phone contact shown to people: by default the national helpline « Solidarité numérique ». */
export interface Contact {
  name: string;
  phone: string;
  /** When and at what cost, in plain French. */
  hint: string;
}

export const MIN_SECRET_LENGTH = 32;

/** Every environment variable Maillage reads, with its meaning (`maillage --help` and the README list them). */
export const ENVIRONMENT: readonly [name: string, meaning: string][] = [
  ["PORT", "port HTTP (3000 ; 0 = un port libre)"],
  ["HOST", "interface d'écoute (127.0.0.1 ; 0.0.0.0 pour le réseau)"],
  ["DATABASE_URL", "postgres://… : PostgreSQL au lieu de la base embarquée"],
  ["MAILLAGE_DATA_DIR", "dossier des données de Maillage (./var ; base embarquée dans db/)"],
  ["MAILLAGE_REFERENCE_DIR", "dossier des données de référence livrées (./data)"],
  ["MAILLAGE_RATE_LIMIT", "demandes par minute et par adresse (1200 ; 0 = sans limite)"],
  ["LOG_LEVEL", "fatal, error, warn, info (par défaut), debug ou silent"],
  [
    "MAILLAGE_SECRET",
    `secret de signature (${MIN_SECRET_LENGTH} caractères ou plus ; sinon créé dans le dossier des données)`,
  ],
  ["MAILLAGE_CONTACT_NOM", "nom du contact téléphonique du territoire"],
  ["MAILLAGE_CONTACT_TELEPHONE", "son numéro de téléphone"],
  ["MAILLAGE_CONTACT_PRECISION", "quand appeler et à quel prix"],
];

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
  const secret = env.MAILLAGE_SECRET || undefined;
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`MAILLAGE_SECRET doit compter au moins ${MIN_SECRET_LENGTH} caractères.`);
  }
  return {
    port: intFrom(env, "PORT", 3000, 0, 65535),
    host: env.HOST || "127.0.0.1",
    databaseUrl,
    dataDir: resolve(env.MAILLAGE_DATA_DIR || resolve(ROOT, "var")),
    referenceDir: resolve(env.MAILLAGE_REFERENCE_DIR || resolve(ROOT, "data")),
    rateLimit: intFrom(env, "MAILLAGE_RATE_LIMIT", 1200, 0, 1_000_000),
    logLevel: level as Config["logLevel"],
    secret,
    contact: {
      name: env.MAILLAGE_CONTACT_NOM || "Solidarité numérique, la ligne nationale d'aide au numérique",
      phone: env.MAILLAGE_CONTACT_TELEPHONE || "01 70 77 23 72",
      hint: env.MAILLAGE_CONTACT_PRECISION || "du lundi au vendredi, prix d'un appel local",
    },
  };
}
