#!/usr/bin/env node
import { parseArgs } from "node:util";
import { buildReferential, openApp, openConfiguredDatabase } from "./app.ts";
import { capabilities } from "./capabilities.ts";
import { backupCommand, copyCommand, DB_HELP, restoreCommand } from "./db-commands.ts";
import { warmIndicators } from "./indicateurs/compute.ts";
import { migrations } from "./migrations.ts";
import { EXIT, UsageError } from "./platform/command.ts";
import { ConfigError, ENVIRONMENT, loadConfig } from "./platform/config.ts";
import { migrate } from "./platform/db.ts";
import { DataFileError } from "./platform/files.ts";
import { newAdminToken } from "./platform/owner.ts";
import { createProgress } from "./platform/progress.ts";
import { buildServer, listen } from "./server.ts";
import { syncTerritories } from "./territories/sync.ts";

/** How long `serve` waits for requests in flight when asked to stop. */
const SHUTDOWN_MS = 10_000;

/** Commands of the capabilities, by their words ("places import"). */
const capabilityCommands = Object.fromEntries(capabilities.flatMap((c) => Object.entries(c.commands ?? {})));

const HELP: Record<string, string> = {
  "": `Maillage — l'inclusion numérique d'un territoire

Usage : maillage <commande> [options]

Commandes :
  serve            démarre le site (crée la base et charge les données au premier lancement)
  db migrate       applique les migrations de la base
  db backup        sauvegarde toute la base dans un fichier (cohérente, pendant que le site tourne)
  db restore       restaure une sauvegarde dans une base vide
  db copy          copie la base embarquée vers PostgreSQL (--to postgres://…) et compare les lignes
  data load        charge les données de référence (territoires, puis celles de chaque module) ;
                   ne fait rien si elles sont à jour
CAPABILITY_COMMANDS
  territoires <recherche>
                   cherche un territoire (nom, code INSEE, code postal, SIREN)

Chaque commande accepte --help.

Configuration (variables d'environnement, voir README) :
ENVIRONMENT`
    .replace(
      "CAPABILITY_COMMANDS\n",
      Object.entries(capabilityCommands)
        .map(([k, c]) => `  ${k.padEnd(16)} ${c.summary}\n`)
        .join(""),
    )
    .replace(
      "ENVIRONMENT",
      ENVIRONMENT.map(([name, meaning]) => `  ${name.padEnd(27)} ${meaning}`).join("\n"),
    ),
  serve: `Usage : maillage serve

Démarre le site sur http://HOST:PORT (par défaut http://127.0.0.1:3000).
Au premier lancement, crée la base, applique les migrations et charge les données de référence.

Base embarquée : un seul processus à la fois l'ouvre. Tant que le serveur tourne, « maillage places import »
et « maillage db backup » lui envoient leur travail ; les autres commandes sur la même base sont refusées.
PostgreSQL : plusieurs serveurs peuvent démarrer ensemble sur la même base ; un seul charge les données.`,
  "db migrate": `Usage : maillage db migrate

Applique les migrations manquantes (base PGlite dans MAILLAGE_DATA_DIR/db, ou PostgreSQL si DATABASE_URL).`,
  ...DB_HELP,
  "data load": `Usage : maillage data load [--force]

Charge les communes, EPCI, départements, régions et leurs contours depuis le dossier data/,
puis les données de chaque module (indice de fragilité, lieux…).
Tout est vérifié avant d'écrire, puis écrit en une seule transaction : un fichier abîmé laisse la base intacte.
Sans --force, ne fait rien si la même version des fichiers est déjà chargée.`,
  territoires: `Usage : maillage territoires <recherche> [--limit N]

Cherche un territoire par nom (sans tenir compte des accents), code INSEE, code postal ou SIREN.`,
};

export async function main(argv: string[]): Promise<number> {
  const words = argv.filter((a) => !a.startsWith("-"));
  const capabilityKey = [words.slice(0, 2).join(" "), words[0] ?? ""].find((k) => k in capabilityCommands);
  if (capabilityKey) {
    const command = capabilityCommands[capabilityKey];
    if (!command) return 2;
    const rest = [...argv];
    for (const w of capabilityKey.split(" ")) rest.splice(rest.indexOf(w), 1);
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(command.help);
      return 0;
    }
    const config = loadConfig();
    return command.run(rest, () =>
      openApp(config, { progress: createProgress, log: (m) => console.error(m), command: capabilityKey }),
    );
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      force: { type: "boolean" },
      limit: { type: "string" },
      output: { type: "string" },
      to: { type: "string" },
    },
    strict: true,
  });
  const [cmd = "", sub = ""] = positionals;
  const key = cmd === "db" || cmd === "data" ? `${cmd} ${sub}`.trim() : cmd;
  if (values.help || key === "" || key === "help") {
    console.log(HELP[key === "help" ? "" : key] ?? HELP[""]);
    return 0;
  }
  const config = loadConfig();
  const progress = createProgress;
  switch (key) {
    case "serve": {
      const t0 = performance.now();
      const ctx = await openApp(config, { progress, log: (m) => console.error(m), command: "serve" });
      // On the embedded database, the commands of this machine send their writes to this server (admin.ts).
      const adminToken = ctx.database.lock ? newAdminToken() : undefined;
      const app = await buildServer(ctx, { adminToken });
      const url = await listen(app, config.port, config.host);
      if (adminToken) ctx.database.lock?.announce({ url, token: adminToken });
      // The search index is built right after (≈0.5 s); a search arriving before simply waits for it.
      setImmediate(() => ctx.search.warm());
      // Then the indicators' tables (seconds of work in small steps), before anyone opens a dashboard.
      setTimeout(
        () => warmIndicators(ctx).catch((e) => console.error(`Indicateurs non préparés : ${e}`)),
        1000,
      ).unref();
      console.error(`Maillage est prêt en ${((performance.now() - t0) / 1000).toFixed(1)} s : ${url}`);
      // Graceful stop: no new connections, requests in flight finish (SHUTDOWN_MS at most), then the database.
      const stop = async (signal: string) => {
        console.error(`${signal} reçu : arrêt après les demandes en cours…`);
        const done = app.close();
        // Connections that finish their response become idle: close them as they do (keep-alive would wait).
        const idle = setInterval(() => app.server.closeIdleConnections(), 100);
        const late = setTimeout(() => {
          console.error("Des demandes duraient encore : connexions fermées.");
          app.server.closeAllConnections();
        }, SHUTDOWN_MS);
        await done;
        clearInterval(idle);
        clearTimeout(late);
        await ctx.database.close();
        console.error("Maillage est arrêté.");
        process.exit(0);
      };
      process.once("SIGINT", () => void stop("SIGINT"));
      process.once("SIGTERM", () => void stop("SIGTERM"));
      return -1;
    }
    case "db migrate": {
      const database = await openConfiguredDatabase(config, key);
      try {
        const applied = await database.exclusive(() => migrate(database.db, migrations));
        console.log(applied.length ? `Migrations appliquées : ${applied.join(", ")}` : "La base est à jour.");
      } finally {
        await database.close();
      }
      return 0;
    }
    case "data load": {
      const messages: string[] = [];
      const ctx = await openApp(config, {
        progress,
        force: values.force,
        command: key,
        log: (m) => {
          messages.push(m);
          console.log(m);
        },
      });
      await ctx.database.close();
      if (!messages.some((m) => !m.startsWith("Migrations")))
        console.log("Données de référence : déjà à jour, rien à faire.");
      return 0;
    }
    case "territoires": {
      const q = positionals.slice(1).join(" ");
      if (!q.trim())
        throw new UsageError(
          'Indiquez ce que vous cherchez, par exemple : maillage territoires "saint etienne"',
        );
      const database = await openConfiguredDatabase(config, key);
      try {
        await database.exclusive(async () => {
          await migrate(database.db, migrations);
          await syncTerritories(database.db, config.referenceDir, { progress });
        });
        const { search, territories } = await buildReferential(database);
        const limit = Number(values.limit ?? 10);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100)
          throw new UsageError("--limit doit être un entier entre 1 et 100.");
        const r = search.search(q, { limit });
        console.log(`${r.total} résultat(s)`);
        for (const h of r.hits) {
          const t = h.territory;
          const dep = t.departement ? territories.get(t.departement)?.name : "";
          console.log(`${t.id}\t${t.name}\t${t.kind}\t${dep ?? ""}\t${t.population ?? ""}\t(${h.match})`);
        }
      } finally {
        await database.close();
      }
      return 0;
    }
    case "db backup":
      if (positionals.length > 2) throw new UsageError(`argument inattendu « ${positionals[2]} »`);
      return backupCommand(config, values.output);
    case "db restore":
      if (positionals.length > 3) throw new UsageError(`argument inattendu « ${positionals[3]} »`);
      return restoreCommand(config, positionals[2], values.force === true);
    case "db copy":
      if (positionals.length > 2) throw new UsageError(`argument inattendu « ${positionals[2]} »`);
      return copyCommand(config, values.to, values.force === true);
    default:
      throw new UsageError(
        `Commande inconnue « ${key} ». Tapez « maillage --help » pour la liste des commandes.`,
      );
  }
}

/** Runs a command and sets the exit code (see platform/command.ts): 2 with a plain French message for bad input, 1 for a failure. */
export async function run(argv: string[]): Promise<void> {
  try {
    const code = await main(argv);
    if (code >= 0) process.exitCode = code;
  } catch (e) {
    const known = e instanceof UsageError || e instanceof ConfigError || e instanceof DataFileError;
    const parseErr = (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    console.error(known || parseErr ? `Erreur : ${(e as Error).message}` : e);
    process.exitCode = known || parseErr ? EXIT.usage : EXIT.failure;
  }
}

// Run directly (`node --import tsx src/cli.ts`); scripts/start.mjs imports the bundle and calls run() itself.
if (process.argv[1]?.endsWith("/cli.ts")) void run(process.argv.slice(2));
