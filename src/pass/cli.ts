/**
 * `maillage pass check|expire|statements`: the books' check, expiry (credit notes for cancelled booklets) and the
 * monthly statements. On the database the command opens, or, when a running server owns the embedded database, on
 * that server through `POST /admin/pass/<operation>` (the same `perform`). Journaled as the system.
 */
import { parseArgs } from "node:util";
import type { FastifyInstance } from "fastify";
import { BY_SYSTEM } from "../accounts/store.ts";
import type { AppContext, Command } from "../context.ts";
import { callAdmin } from "../platform/admin.ts";
import { dayIn } from "../platform/clock.ts";
import { EXIT } from "../platform/command.ts";
import { sendProblem } from "../platform/http.ts";
import { FolderBusy } from "../platform/owner.ts";
import { checkBooks } from "./books.ts";
import { euros, monthOver, parseMonth } from "./model.ts";
import { drawStatements, expire } from "./store.ts";

type Operation = "check" | "expire" | "statements";
interface Outcome {
  out: string[];
  err: string[];
  code: number;
}

/** The French months are counted in Paris time (statements of overseas programmes too: one month for all). */
const ZONE = "Europe/Paris";

async function perform(ctx: AppContext, op: Operation, month?: string): Promise<Outcome> {
  const db = ctx.database.db;
  switch (op) {
    case "check": {
      const wrong = await checkBooks(db);
      return wrong.length === 0
        ? { out: ["Les comptes des pass numériques sont équilibrés."], err: [], code: EXIT.ok }
        : { out: [], err: ["Les comptes ne sont pas équilibrés :", ...wrong], code: EXIT.failure };
    }
    case "expire": {
      const r = await expire(db, ctx.clock.now(), BY_SYSTEM);
      return {
        out: [
          `${r.expiredCheques} chèque(s) expiré(s), ${r.cancelledBooklets} carnet(s) non remis annulé(s).`,
          ...r.credits.map(
            (c) =>
              `Avoir au financeur du programme ${c.programmeId} : ${c.booklets} carnet(s), ${euros(c.cents)}.`,
          ),
        ],
        err: [],
        code: EXIT.ok,
      };
    }
    case "statements": {
      const m = parseMonth(month ?? "");
      if (!m)
        return {
          out: [],
          err: ["Erreur : --month attend un mois AAAA-MM, par exemple 2026-11."],
          code: EXIT.usage,
        };
      if (!monthOver(m, dayIn(ctx.clock.now(), ZONE)))
        return {
          out: [],
          err: [
            `Erreur : le mois ${m} n'est pas terminé : son relevé se fait à partir du 1er du mois suivant. Rien n'a été fait.`,
          ],
          code: EXIT.usage,
        };
      const n = await drawStatements(db, m, ctx.clock.now(), BY_SYSTEM);
      return { out: [`${n} relevé(s) établi(s) pour ${m}.`], err: [], code: EXIT.ok };
    }
  }
}

/** `POST /admin/pass/<operation>?mois=`: the same operations, for a server that owns the embedded database. */
export function registerPassAdmin(admin: FastifyInstance, ctx: AppContext): void {
  admin.post<{ Params: { operation: string }; Querystring: { mois?: string } }>(
    "/pass/:operation",
    async (req, reply) => {
      const op = req.params.operation;
      if (op !== "check" && op !== "expire" && op !== "statements")
        return sendProblem(reply, 404, "Opération inconnue", op.slice(0, 40));
      return perform(ctx, op, req.query.mois);
    },
  );
}

async function run(open: () => Promise<AppContext>, op: Operation, month?: string): Promise<number> {
  const ctx = await open().catch((e) => {
    if (e instanceof FolderBusy && e.owner.url && e.owner.token) return e;
    throw e;
  });
  let outcome: Outcome;
  if (ctx instanceof FolderBusy) {
    const server = { url: ctx.owner.url as string, token: ctx.owner.token as string };
    console.error(`Un serveur Maillage utilise cette base (${server.url}) : la demande lui est envoyée.`);
    const res = await callAdmin(server, `pass/${op}`, {
      method: "POST",
      query: month ? { mois: month } : {},
    });
    outcome = (await res.json()) as Outcome;
  } else {
    try {
      outcome = await perform(ctx, op, month);
    } finally {
      await ctx.database.close();
    }
  }
  for (const l of outcome.out) console.log(l);
  for (const l of outcome.err) console.error(l);
  return outcome.code;
}

const noArgs = (args: string[], op: Operation, open: () => Promise<AppContext>) => {
  if (args.length > 0) {
    console.error(`Erreur : argument inattendu « ${args.join(" ")} »`);
    return Promise.resolve(EXIT.usage);
  }
  return run(open, op);
};

export const passCommands: Record<string, Command> = {
  "pass check": {
    summary: "vérifie que les comptes des pass numériques sont équilibrés",
    help: `Usage : maillage pass check

Pour chaque programme, compare le registre (commandes, remises, encaissements, expirations, annulations, paiements)
avec l'état des chèques : commandés = remis + non remis ; remis = encaissés + en circulation + expirés ; montants =
nombre × valeur. Code de sortie 1 et le détail si un programme ne s'équilibre pas.`,
    run: (args, open) => noArgs(args, "check", open),
  },
  "pass expire": {
    summary: "fait expirer les chèques hors délai et annule les carnets non remis à la date limite (avoirs)",
    help: `Usage : maillage pass expire

Les chèques remis dont le délai de déclaration est passé deviennent expirés ; les carnets non remis après la date
limite de leur programme sont annulés et leur valeur revient au financeur (un avoir). Le serveur le fait chaque
heure ; la commande le fait tout de suite. La relancer ne change rien.`,
    run: (args, open) => noArgs(args, "expire", open),
  },
  "pass statements": {
    summary: "établit les relevés mensuels des lieux (--month AAAA-MM, un mois terminé)",
    help: `Usage : maillage pass statements --month AAAA-MM

Établit, pour un mois terminé, un relevé par lieu et par programme : les chèques encaissés ce mois-là et leur
montant. Un relevé établi ne change plus ; relancer la commande n'ajoute que les relevés manquants.`,
    run: async (args, open) => {
      let month: string | undefined;
      try {
        const { values } = parseArgs({ args, options: { month: { type: "string" } }, strict: true });
        month = values.month;
      } catch (e) {
        console.error(`Erreur : ${(e as Error).message}`);
        return EXIT.usage;
      }
      if (!month) {
        console.error("Erreur : indiquez --month AAAA-MM, par exemple --month 2026-11.");
        return EXIT.usage;
      }
      return run(open, "statements", month);
    },
  },
};
