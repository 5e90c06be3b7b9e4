import { isIP } from "node:net";
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
  /**
   * MAILLAGE_TRUST_PROXY: which proxies may tell the client's address (`X-Forwarded-For`) and protocol: false (the
   * default: the TCP peer is the client), a hop count, or a list of proxy addresses and CIDR ranges.
   */
  trustProxy: false | number | string[];
  /** MAILLAGE_PUBLIC_URL: the site's public address (no trailing slash), used for every absolute URL; HSTS when https. */
  publicUrl: string | undefined;
  /** MAILLAGE_METRICS_ALLOW: addresses and CIDR ranges that may read /metrics without the admin token (loopback). */
  metricsAllow: string[];
  /** MAILLAGE_ADMIN_TOKEN: opens /metrics (as `Authorization: Bearer …`) from anywhere; absent = no token. */
  adminToken: string | undefined;
  /**
   * Who people can call when nothing fits (the finder, its sheet): the territory's own line, null until it is
   * configured — no number is shown that the territory has not given (the finder then points to the nearest place).
   */
  contact: Contact | null;
  /**
   * MAILLAGE_ITINERAIRE: the routing link of every place (« Itinéraire »), with `{lat}` and `{lon}` where the
   * place's coordinates go; OpenStreetMap by default.
   */
  routing: string;
  /**
   * MAILLAGE_FOND_DE_CARTE: a MapLibre style URL drawn under the interactive maps (a real deployment's tiles);
   * absent = no basemap, the shipped boundaries only (works offline).
   */
  basemapStyle: string | undefined;
  /**
   * MAILLAGE_SMTP_URL: where invitations and reset links are sent from (`smtp://user:password@host:587`,
   * `smtps://…:465`); absent = no e-mail, the link is shown to the person who asked for it.
   */
  smtpUrl: string | undefined;
  /** MAILLAGE_EXPEDITEUR: the sender of those e-mails (`Maillage <ne-pas-repondre@example.org>`). */
  mailFrom: string | undefined;
  /** How long personal data is kept, in days (`maillage privacy purge`; the store's `Retention`). */
  retention: {
    journalDays: number;
    sessionsDays: number;
    invitationsDays: number;
    inactiveAccountsDays: number;
  };
}

/** Default retention, in days: see docs/decisions.md (« Accounts: invitations, e-mail, commands »). */
const DEFAULT_RETENTION: Config["retention"] = {
  journalDays: 365,
  sessionsDays: 90,
  invitationsDays: 30,
  inactiveAccountsDays: 365,
};

/** OpenStreetMap's directions to a point, the default « Itinéraire » link. */
const DEFAULT_ROUTING = "https://www.openstreetmap.org/directions?to={lat}%2C{lon}#map=16/{lat}/{lon}";

/** A phone contact shown to people, set by the territory (MAILLAGE_CONTACT_*). */
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
  [
    "MAILLAGE_TRUST_PROXY",
    "proxys de confiance pour X-Forwarded-For : nombre de relais, ou adresses et plages séparées par des virgules (aucun)",
  ],
  ["MAILLAGE_PUBLIC_URL", "adresse publique du site (https://… ; sinon http://HOST:PORT), HSTS si https"],
  [
    "MAILLAGE_METRICS_ALLOW",
    "adresses autorisées à lire /metrics, séparées par des virgules (127.0.0.1,::1)",
  ],
  [
    "MAILLAGE_ADMIN_TOKEN",
    `jeton d'administration (${MIN_SECRET_LENGTH} caractères ou plus) : ouvre /metrics`,
  ],
  ["MAILLAGE_CONTACT_NOM", "nom du contact téléphonique du territoire"],
  ["MAILLAGE_CONTACT_TELEPHONE", "son numéro de téléphone"],
  ["MAILLAGE_CONTACT_PRECISION", "quand appeler et à quel prix"],
  ["MAILLAGE_ITINERAIRE", "lien « Itinéraire » des lieux, avec {lat} et {lon} (OpenStreetMap par défaut)"],
  [
    "MAILLAGE_FOND_DE_CARTE",
    "adresse https://… d'un style MapLibre pour le fond des cartes interactives (aucun : limites livrées seules)",
  ],
  [
    "MAILLAGE_SMTP_URL",
    "serveur d'envoi des invitations (smtp://utilisateur:mot-de-passe@hôte:587 ou smtps://… ; aucun : le lien est seulement affiché)",
  ],
  ["MAILLAGE_EXPEDITEUR", "expéditeur de ces messages (Maillage <ne-pas-repondre@example.org>)"],
  ["MAILLAGE_RETENTION_JOURNAL", `jours de conservation du journal (${DEFAULT_RETENTION.journalDays})`],
  [
    "MAILLAGE_RETENTION_SESSIONS",
    `jours de conservation des sessions, jetons révoqués et échecs de connexion (${DEFAULT_RETENTION.sessionsDays})`,
  ],
  [
    "MAILLAGE_RETENTION_INVITATIONS",
    `jours de conservation des invitations (${DEFAULT_RETENTION.invitationsDays})`,
  ],
  [
    "MAILLAGE_RETENTION_COMPTES",
    `jours avant la suppression d'un compte désactivé (${DEFAULT_RETENTION.inactiveAccountsDays})`,
  ],
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

/** An address or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
function isAddressOrRange(value: string): boolean {
  const [address = "", bits, ...rest] = value.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

function addressList(env: NodeJS.ProcessEnv, name: string, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const items = raw.split(",").map((s) => s.trim());
  const bad = items.find((s) => !isAddressOrRange(s));
  if (bad !== undefined)
    throw new ConfigError(
      `${name} : « ${bad} » n'est pas une adresse IP ni une plage (exemples : 10.0.0.1, 10.0.0.0/8, ::1).`,
    );
  return items;
}

function trustProxyFrom(env: NodeJS.ProcessEnv): Config["trustProxy"] {
  const raw = env.MAILLAGE_TRUST_PROXY?.trim();
  if (!raw) return false;
  if (/^\d+$/.test(raw)) {
    const hops = intFrom(env, "MAILLAGE_TRUST_PROXY", 0, 1, 10);
    return hops;
  }
  return addressList(env, "MAILLAGE_TRUST_PROXY", []);
}

function publicUrlFrom(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.MAILLAGE_PUBLIC_URL?.trim();
  if (!raw) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {}
  if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash)
    throw new ConfigError(
      `MAILLAGE_PUBLIC_URL doit être une adresse http:// ou https:// sans paramètres (exemple : https://maillage.example.org).`,
    );
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function httpUrl(raw: string): URL | undefined {
  try {
    const url = new URL(raw);
    return /^https?:$/.test(url.protocol) && !url.username && !url.password ? url : undefined;
  } catch {
    return undefined;
  }
}

function routingFrom(env: NodeJS.ProcessEnv): string {
  const raw = env.MAILLAGE_ITINERAIRE?.trim();
  if (!raw) return DEFAULT_ROUTING;
  if (!raw.includes("{lat}") || !raw.includes("{lon}") || !httpUrl(raw.replaceAll(/\{(lat|lon)\}/g, "0")))
    throw new ConfigError(
      "MAILLAGE_ITINERAIRE doit être une adresse http:// ou https:// contenant {lat} et {lon} (exemple : https://www.openstreetmap.org/directions?to={lat}%2C{lon}).",
    );
  return raw;
}

function basemapFrom(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.MAILLAGE_FOND_DE_CARTE?.trim();
  if (!raw) return undefined;
  if (!httpUrl(raw))
    throw new ConfigError(
      "MAILLAGE_FOND_DE_CARTE doit être l'adresse http:// ou https:// d'un style MapLibre (style.json).",
    );
  return raw;
}

function smtpFrom(env: NodeJS.ProcessEnv): Pick<Config, "smtpUrl" | "mailFrom"> {
  const raw = env.MAILLAGE_SMTP_URL?.trim() || undefined;
  const from = env.MAILLAGE_EXPEDITEUR?.trim() || undefined;
  if (raw !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {}
    if (!url || !/^smtps?:$/.test(url.protocol) || !url.hostname)
      throw new ConfigError(
        "MAILLAGE_SMTP_URL doit être une adresse smtp:// ou smtps:// (exemple : smtp://utilisateur:mot-de-passe@smtp.example.org:587).",
      );
    if (from === undefined)
      throw new ConfigError(
        "MAILLAGE_EXPEDITEUR est nécessaire avec MAILLAGE_SMTP_URL (exemple : Maillage <ne-pas-repondre@example.org>).",
      );
  }
  if (from !== undefined && !/^(?:[^<>\p{Cc}]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/u.test(from))
    throw new ConfigError(
      `MAILLAGE_EXPEDITEUR doit être une adresse e-mail, avec ou sans nom (exemple : Maillage <ne-pas-repondre@example.org>).`,
    );
  return { smtpUrl: raw, mailFrom: from };
}

function retentionFrom(env: NodeJS.ProcessEnv): Config["retention"] {
  const d = DEFAULT_RETENTION;
  const max = 3650;
  return {
    journalDays: intFrom(env, "MAILLAGE_RETENTION_JOURNAL", d.journalDays, 1, max),
    sessionsDays: intFrom(env, "MAILLAGE_RETENTION_SESSIONS", d.sessionsDays, 1, max),
    invitationsDays: intFrom(env, "MAILLAGE_RETENTION_INVITATIONS", d.invitationsDays, 1, max),
    inactiveAccountsDays: intFrom(env, "MAILLAGE_RETENTION_COMPTES", d.inactiveAccountsDays, 1, max),
  };
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
  const adminToken = env.MAILLAGE_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`MAILLAGE_ADMIN_TOKEN doit compter au moins ${MIN_SECRET_LENGTH} caractères.`);
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
    trustProxy: trustProxyFrom(env),
    publicUrl: publicUrlFrom(env),
    metricsAllow: addressList(env, "MAILLAGE_METRICS_ALLOW", ["127.0.0.1", "::1"]),
    adminToken,
    contact: env.MAILLAGE_CONTACT_TELEPHONE
      ? {
          name: env.MAILLAGE_CONTACT_NOM || "la ligne d'aide au numérique de votre territoire",
          phone: env.MAILLAGE_CONTACT_TELEPHONE,
          hint: env.MAILLAGE_CONTACT_PRECISION || "",
        }
      : null,
    routing: routingFrom(env),
    basemapStyle: basemapFrom(env),
    ...smtpFrom(env),
    retention: retentionFrom(env),
  };
}
