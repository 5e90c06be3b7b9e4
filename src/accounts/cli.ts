/**
 * `maillage users add|token|deactivate-inactive`, `maillage organisations add`, `maillage privacy purge`.
 *
 * Each command reads and checks its options, prepares what must stay on this side (the password read on standard
 * input is checked and hashed here, a token's secret is drawn here: only hashes travel), then performs one
 * operation: on the database it opens, or, when a running server owns the embedded database, on that server
 * through `POST /admin/comptes/<operation>` (`registerAccountAdmin`). Both run the same `perform`, journaled as
 * the system (`commande.<operation>`).
 */

import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext, Command } from "../context.ts";
import { callAdmin } from "../platform/admin.ts";
import { EXIT, UsageError } from "../platform/command.ts";
import { formatDateTime } from "../platform/format.ts";
import { sendProblem } from "../platform/http.ts";
import { FolderBusy } from "../platform/owner.ts";
import { type ResolveOptions, resolveTerritory, unresolvedProblem } from "../territories/resolve.ts";
import { emailProblem, invite, LINK_HOURS } from "./invitations.ts";
import { ROLES } from "./model.ts";
import { hashPassword, passwordProblem } from "./password.ts";
import {
  AccountInputError,
  addOrganisation,
  addPerson,
  addPersonalToken,
  apiTokenHash,
  INSTANCE_ORGANISATION,
  newApiToken,
  parseKind,
  parseRole,
} from "./people.ts";
import { BY_SYSTEM, deactivateInactive, purge, purgeable } from "./store.ts";

const ZONE = "Europe/Paris";
/** Months without a sign-in before `users deactivate-inactive` deactivates an account. */
const INACTIVE_MONTHS = 6;

const Requests = {
  "users-add": z.object({
    email: z.string().min(1).max(254),
    role: z.enum(ROLES),
    organisation: z.number().int().positive().optional(),
    territoire: z.string().min(1).max(100).optional(),
    nom: z.string().min(1).max(200).optional(),
    passwordHash: z
      .string()
      .max(300)
      .regex(/^scrypt\$/)
      .optional(),
  }),
  "organisations-add": z.object({
    nom: z.string().max(300),
    type: z.string().min(1).max(100),
    territoire: z.string().min(1).max(100),
    siret: z.string().max(40).optional(),
  }),
  "users-token": z.object({
    email: z.string().min(1).max(254),
    nom: z.string().max(200),
    days: z.number().int().min(1).max(3650).optional(),
    tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  "users-deactivate-inactive": z.object({}),
  "privacy-purge": z.object({ apply: z.boolean() }),
} as const;

type Operation = keyof typeof Requests;
type RequestOf<O extends Operation> = z.infer<(typeof Requests)[O]>;

/** What an operation prints: lines on standard output, lines on standard error. */
interface Printed {
  out: string[];
  err: string[];
}

/** A territory id or name, as `places export` reads it; the canonical id. */
function territoryOf(ctx: AppContext, input: string): string {
  const options: ResolveOptions = { referential: ctx.territories, search: ctx.search, prefer: "code" };
  const r = resolveTerritory(input, options);
  if (r.kind !== "found")
    throw new AccountInputError(
      `--territoire : ${unresolvedProblem(r, options).detail} (code INSEE, SIREN d'EPCI, département, region-XX ou nom)`,
    );
  return r.territory.id;
}

const when = (d: Date) => formatDateTime(d, ZONE);

/** Performs one operation on `ctx` (here or in the server); refusals throw `AccountInputError`. */
async function perform<O extends Operation>(ctx: AppContext, op: O, request: RequestOf<O>): Promise<Printed> {
  const db = ctx.database.db;
  const action = `commande.${op}`;
  switch (op) {
    case "users-add": {
      const r = request as RequestOf<"users-add">;
      const territoryId = r.territoire === undefined ? undefined : territoryOf(ctx, r.territoire);
      const { person, organisation } = await addPerson(
        db,
        ctx.clock,
        {
          email: r.email,
          name: r.nom,
          role: r.role,
          organisationId: r.organisation,
          territoryId,
          passwordHash: r.passwordHash,
        },
        BY_SYSTEM,
        action,
      );
      const out = [
        `Compte créé : ${person.email} (personne n° ${person.id}), rôle ${r.role} pour « ${organisation.name} » (organisation n° ${organisation.id}).`,
      ];
      const err: string[] = [];
      if (r.passwordHash) out.push("Mot de passe enregistré : la personne peut se connecter.");
      else {
        const link = await invite(db, ctx.config, ctx.clock, {
          email: person.email,
          organisationId: organisation.id,
          role: r.role,
          territoryId,
          by: BY_SYSTEM,
          purpose: "installation",
        });
        if (!link.ok) throw new AccountInputError(link.error);
        out.push(
          `Lien pour choisir son mot de passe (une seule fois, valable ${LINK_HOURS} heures, jusqu'au ${when(link.expiresAt)}) :`,
          link.link,
        );
        err.push(
          link.mail.sent
            ? `Le lien a aussi été envoyé à ${person.email}.`
            : `Le lien n'a pas été envoyé par e-mail (${link.mail.reason}) : transmettez-le vous-même.`,
        );
      }
      return { out, err };
    }
    case "organisations-add": {
      const r = request as RequestOf<"organisations-add">;
      const kind = parseKind(r.type);
      const territoryId = territoryOf(ctx, r.territoire);
      const o = await addOrganisation(
        db,
        ctx.clock,
        { name: r.nom, kind, territoryId, siret: r.siret },
        BY_SYSTEM,
        action,
      );
      return { out: [String(o.id)], err: [`Organisation créée : « ${o.name} » (n° ${o.id}).`] };
    }
    case "users-token": {
      const r = request as RequestOf<"users-token">;
      const t = await addPersonalToken(
        db,
        ctx.clock,
        { email: r.email, label: r.nom, days: r.days, tokenHash: r.tokenHash },
        BY_SYSTEM,
        action,
      );
      return {
        out: [],
        err: [
          `Jeton n° ${t.id} créé pour ${t.person.email}${t.expiresAt ? `, valable jusqu'au ${when(t.expiresAt)}` : ", sans date d'expiration"}.`,
        ],
      };
    }
    case "users-deactivate-inactive": {
      const done = await deactivateInactive(db, ctx.clock.now(), INACTIVE_MONTHS, BY_SYSTEM);
      return {
        out: [
          done.length === 0
            ? `Aucun compte inutilisé depuis ${INACTIVE_MONTHS} mois : rien n'a été désactivé.`
            : `${done.length} compte(s) inutilisé(s) depuis ${INACTIVE_MONTHS} mois désactivé(s) (sessions et jetons révoqués) :`,
          ...done.map((p) => `${p.email}\t${p.name}`),
        ],
        err: [],
      };
    }
    case "privacy-purge": {
      const r = request as RequestOf<"privacy-purge">;
      const retention = ctx.config.retention;
      const now = ctx.clock.now();
      // Loaded when asked: the capabilities' list imports this module.
      const rules = (await import("../capabilities.ts")).capabilities.flatMap((c) => c.retention ?? []);
      const found = r.apply
        ? await purge(db, now, retention, BY_SYSTEM, rules)
        : await purgeable(db, now, retention, rules);
      const out = [
        `Au-delà de la durée de conservation (${r.apply ? "supprimé" : "à supprimer"}) :`,
        `  lignes du journal de plus de ${retention.journalDays} jours : ${found.journal}`,
        `  sessions de plus de ${retention.sessionsDays} jours : ${found.sessions}`,
        `  jetons révoqués ou expirés depuis plus de ${retention.sessionsDays} jours : ${found.tokens}`,
        `  échecs de connexion de plus de ${retention.sessionsDays} jours : ${found.failures}`,
        `  invitations de plus de ${retention.invitationsDays} jours : ${found.invitations}`,
        `  comptes désactivés depuis plus de ${retention.inactiveAccountsDays} jours : ${found.people.length}`,
        ...found.people.map((p) => `    ${p.email}\t${p.name}`),
        ...found.others.map((o) => `  ${o.label} : ${o.count}`),
      ];
      if (!r.apply) out.push("Rien n'a été supprimé : relancez avec --apply pour supprimer.");
      return { out, err: [] };
    }
    default:
      throw new Error(`opération inconnue ${op}`);
  }
}

/** The largest request body an admin operation reads. */
const MAX_BODY = 64 * 1024;

/** `POST /admin/comptes/<operation>`: the same operations, for commands run while the server owns the database. */
export function registerAccountAdmin(admin: FastifyInstance, ctx: AppContext): void {
  admin.post<{ Params: { operation: string } }>("/comptes/:operation", async (req, reply) => {
    const op = req.params.operation;
    if (!Object.hasOwn(Requests, op)) return sendProblem(reply, 404, "Opération inconnue", op);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) return sendProblem(reply, 413, "Demande trop grosse", "Demande trop grosse.");
      chunks.push(chunk);
    }
    let json: unknown;
    try {
      json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return sendProblem(reply, 400, "Demande invalide", "La demande n'est pas du JSON.");
    }
    const parsed = Requests[op as Operation].safeParse(json);
    if (!parsed.success) return sendProblem(reply, 400, "Demande invalide", "Paramètres invalides.");
    try {
      return await perform(ctx, op as Operation, parsed.data as never);
    } catch (e) {
      if (e instanceof AccountInputError) return sendProblem(reply, 400, "Demande refusée", e.message);
      throw e;
    }
  });
}

/** Where a command reads and writes (tests give their own). */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** The whole standard input. */
  stdin: () => Promise<string>;
}

const defaultIo = (): Io => ({
  out: (l) => console.log(l),
  err: (l) => console.error(l),
  stdin: () => text(process.stdin),
});

/** Opens the application and performs the operation, or sends it to the server that owns the database. */
async function run<O extends Operation>(
  io: Io,
  open: () => Promise<AppContext>,
  op: O,
  request: RequestOf<O>,
): Promise<Printed> {
  const ctx = await open().catch((e) => {
    if (e instanceof FolderBusy && e.owner.url && e.owner.token) return e;
    throw e;
  });
  if (ctx instanceof FolderBusy) {
    const server = { url: ctx.owner.url as string, token: ctx.owner.token as string };
    io.err(`Un serveur Maillage utilise cette base (${server.url}) : la demande lui est envoyée.`);
    let res: Response;
    try {
      res = await callAdmin(server, `comptes/${op}`, {
        method: "POST",
        body: Readable.from([Buffer.from(JSON.stringify(request))]),
      });
    } catch (e) {
      throw new UsageError(
        `le serveur ${server.url} ne répond pas (${(e as Error).message}) : vérifiez qu'il tourne, ou arrêtez-le et relancez la commande.`,
      );
    }
    const body = (await res.json().catch(() => null)) as (Printed & { detail?: string }) | null;
    if (!res.ok || !body)
      throw new UsageError(body?.detail ?? `le serveur a refusé la demande (${res.status}).`);
    return body;
  }
  try {
    return await perform(ctx, op, request);
  } catch (e) {
    if (e instanceof AccountInputError) throw new UsageError(e.message);
    throw e;
  } finally {
    await ctx.database.close();
  }
}

/** Runs a command body: a refusal prints « Erreur : … » and returns 2. */
async function guarded(io: Io, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    const parse = (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    if (e instanceof UsageError || e instanceof AccountInputError || parse) {
      io.err(`Erreur : ${(e as Error).message}`);
      return EXIT.usage;
    }
    throw e;
  }
}

function print(io: Io, p: Printed): number {
  for (const l of p.out) io.out(l);
  for (const l of p.err) io.err(l);
  return EXIT.ok;
}

function options(args: string[], opts: NonNullable<ParseArgsConfig["options"]>) {
  const { values, positionals } = parseArgs({ args, options: opts, strict: true, allowPositionals: true });
  if (positionals.length > 0) throw new UsageError(`argument inattendu « ${positionals.join(" ")} »`);
  return values as Record<string, string | boolean | undefined>;
}

const str = (v: string | boolean | undefined) => (typeof v === "string" ? v : undefined);

function required(
  values: Record<string, string | boolean | undefined>,
  name: string,
  example: string,
): string {
  const v = str(values[name]);
  if (v === undefined || v.trim() === "")
    throw new UsageError(`indiquez --${name} (par exemple : ${example}).`);
  return v;
}

const USERS_ADD_HELP = `Usage : maillage users add --email E --role R [--organisation ID] [--territoire T] [--nom N] [--password-stdin]

Crée le compte d'une personne avec son rôle dans une organisation (une adresse e-mail par compte).
Rôles : ${ROLES.join(", ")}. Le rôle admin peut se passer de --organisation : il est alors donné dans
l'organisation « ${INSTANCE_ORGANISATION.name} » (créée la première fois).

Avec --password-stdin, le mot de passe est lu sur l'entrée standard (12 caractères au moins, difficile à
deviner) : printf '%s' "$MOT_DE_PASSE" | maillage users add --email … --role admin --password-stdin
Sans --password-stdin, la commande affiche un lien à usage unique (valable ${LINK_HOURS} heures) pour choisir
le mot de passe, envoyé aussi par e-mail si MAILLAGE_SMTP_URL est configuré.

Options :
  --email E          adresse e-mail (l'identifiant de connexion)
  --role R           rôle dans l'organisation
  --organisation ID  numéro de l'organisation (maillage organisations add l'affiche)
  --territoire T     territoire couvert par le rôle (un coordinateur) ; par défaut celui de l'organisation
  --nom N            nom de la personne (par défaut : le début de l'adresse)
  --password-stdin   lit le mot de passe sur l'entrée standard

Code de sortie : 0 si le compte est créé, 2 si la demande est refusée (rien n'est créé).`;

const ORGANISATIONS_ADD_HELP = `Usage : maillage organisations add --nom N --type T --territoire T [--siret S]

Crée une organisation et affiche son numéro (à donner à « maillage users add --organisation »).

Options :
  --nom N         nom de l'organisation
  --type T        collectivite, france-services, ccas, association, lieu-de-mediation, financeur ou autre
  --territoire T  territoire d'action : code INSEE de commune, SIREN d'EPCI, département (23, 2A, 971),
                  region-XX, ou son nom
  --siret S       SIRET (14 chiffres, clé de contrôle vérifiée)

Code de sortie : 0 si l'organisation est créée, 2 si la demande est refusée (rien n'est créé).`;

const USERS_TOKEN_HELP = `Usage : maillage users token --email E [--expire-in JOURS] [--nom LIBELLÉ]

Crée un jeton personnel d'accès à l'API (Authorization: Bearer …) pour la personne, avec ses rôles.
Le jeton est affiché une seule fois, sur la sortie standard : Maillage n'en garde que l'empreinte.

Options :
  --email E          le compte de la personne
  --expire-in JOURS  durée de validité en jours (1 à 3650 ; par défaut : jusqu'à sa révocation)
  --nom LIBELLÉ      nom du jeton, pour le reconnaître sur la page « Mon compte » (par défaut : ligne de commande)`;

const DEACTIVATE_HELP = `Usage : maillage users deactivate-inactive

Désactive les comptes dont personne ne s'est servi depuis ${INACTIVE_MONTHS} mois (depuis leur création s'ils n'ont
jamais servi) : plus de connexion, sessions et jetons révoqués. Affiche les comptes désactivés.
À lancer régulièrement (chaque jour, par cron ou un minuteur systemd).`;

const PURGE_HELP = `Usage : maillage privacy purge [--apply]

Liste ce qui dépasse la durée de conservation des données personnelles (journal, sessions, jetons, échecs de
connexion, invitations, comptes désactivés), et le supprime avec --apply ; la suppression est inscrite au journal.
Durées : MAILLAGE_RETENTION_JOURNAL, MAILLAGE_RETENTION_SESSIONS, MAILLAGE_RETENTION_INVITATIONS,
MAILLAGE_RETENTION_COMPTES (en jours, voir le README).`;

/** The accounts' commands, reading and writing through `io`. */
export function accountCommandsWith(io: Io): Record<string, Command> {
  return {
    "users add": {
      summary: "crée le compte d'une personne avec son rôle (--password-stdin, ou un lien à usage unique)",
      help: USERS_ADD_HELP,
      run: (args, open) =>
        guarded(io, async () => {
          const v = options(args, {
            email: { type: "string" },
            role: { type: "string" },
            organisation: { type: "string" },
            territoire: { type: "string" },
            nom: { type: "string" },
            "password-stdin": { type: "boolean" },
          });
          const email = required(v, "email", "--email claire.martin@example.org").trim();
          const bad = emailProblem(email);
          if (bad) throw new UsageError(`--email : ${bad}`);
          const role = parseRole(required(v, "role", `--role ${ROLES[1]}`));
          const orgText = str(v.organisation);
          if (orgText !== undefined && !/^[1-9]\d{0,9}$/.test(orgText))
            throw new UsageError(
              `--organisation attend le numéro d'une organisation (reçu : « ${orgText} »).`,
            );
          if (orgText === undefined && role !== "admin")
            throw new UsageError(`indiquez --organisation ID : elle est nécessaire pour le rôle ${role}.`);
          const name = str(v.nom)?.trim() || undefined;
          let passwordHash: string | undefined;
          if (v["password-stdin"] === true) {
            const password = (await io.stdin()).replace(/\r?\n$/, "");
            if (password.length === 0) throw new UsageError("aucun mot de passe reçu sur l'entrée standard.");
            const problem = passwordProblem(password, [email, ...(name ? [name] : [])]);
            if (problem) throw new UsageError(`mot de passe refusé : ${problem}`);
            passwordHash = await hashPassword(password);
          }
          return print(
            io,
            await run(io, open, "users-add", {
              email,
              role,
              organisation: orgText === undefined ? undefined : Number(orgText),
              territoire: str(v.territoire),
              nom: name,
              passwordHash,
            }),
          );
        }),
    },
    "users token": {
      summary: "crée un jeton personnel d'accès à l'API, affiché une seule fois",
      help: USERS_TOKEN_HELP,
      run: (args, open) =>
        guarded(io, async () => {
          const v = options(args, {
            email: { type: "string" },
            "expire-in": { type: "string" },
            nom: { type: "string" },
          });
          const email = required(v, "email", "--email claire.martin@example.org");
          const daysText = str(v["expire-in"]);
          if (daysText !== undefined && (!/^\d{1,4}$/.test(daysText) || +daysText < 1 || +daysText > 3650))
            throw new UsageError(
              `--expire-in attend un nombre de jours entre 1 et 3650 (reçu : « ${daysText} »).`,
            );
          const token = newApiToken();
          const printed = await run(io, open, "users-token", {
            email,
            nom: str(v.nom) ?? "ligne de commande",
            days: daysText === undefined ? undefined : Number(daysText),
            tokenHash: apiTokenHash(token),
          });
          io.out(token);
          print(io, printed);
          io.err("Ce jeton ne sera plus affiché : copiez-le maintenant.");
          return EXIT.ok;
        }),
    },
    "users deactivate-inactive": {
      summary: `désactive les comptes inutilisés depuis ${INACTIVE_MONTHS} mois`,
      help: DEACTIVATE_HELP,
      run: (args, open) =>
        guarded(io, async () => {
          options(args, {});
          return print(io, await run(io, open, "users-deactivate-inactive", {}));
        }),
    },
    "organisations add": {
      summary: "crée une organisation (structure) et affiche son numéro",
      help: ORGANISATIONS_ADD_HELP,
      run: (args, open) =>
        guarded(io, async () => {
          const v = options(args, {
            nom: { type: "string" },
            type: { type: "string" },
            territoire: { type: "string" },
            siret: { type: "string" },
          });
          const request = {
            nom: required(v, "nom", '--nom "France Services de Guéret"'),
            type: parseKind(required(v, "type", "--type france-services")),
            territoire: required(v, "territoire", "--territoire 23"),
            siret: str(v.siret),
          };
          return print(io, await run(io, open, "organisations-add", request));
        }),
    },
    "privacy purge": {
      summary:
        "liste (et supprime avec --apply) les données personnelles au-delà de leur durée de conservation",
      help: PURGE_HELP,
      run: (args, open) =>
        guarded(io, async () => {
          const v = options(args, { apply: { type: "boolean" } });
          return print(io, await run(io, open, "privacy-purge", { apply: v.apply === true }));
        }),
    },
  };
}

/** The accounts' commands (the capability's `commands`). */
export const accountCommands: Record<string, Command> = accountCommandsWith(defaultIo());
