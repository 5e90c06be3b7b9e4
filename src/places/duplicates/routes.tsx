/**
 * The review of possible duplicates by a territory's coordinator: the queue of the pairs « à vérifier » with at
 * least one side in the territory (GET /admin/doublons, and the decisions taken: ?vue=decisions), one pair side
 * by side (GET /admin/doublons/:a/:b) and the decision (POST: « fusionner », « garder séparés » or « annuler »),
 * journaled, remembered (place_pair_decision) and applied at once: the places are republished in the same
 * transaction, and again by every later import.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { can } from "../../accounts/policy.ts";
import { withJournal } from "../../accounts/store.ts";
import { SignedIn } from "../../accounts/views/account.tsx";
import { authorize, checkCsrf, csrfToken, journalBy } from "../../accounts/web.ts";
import type { AppContext } from "../../context.ts";
import { HttpError, sendPage } from "../../platform/http.ts";
import { DASHBOARD_QUEUES } from "../edit-routes.tsx";
import { republish } from "../import/ingest.ts";
import { cleanText } from "../reports/routes.tsx";
import { communesInReach, placeScope } from "../scope.ts";
import {
  decidedPairs,
  decidePair,
  type ListedPair,
  lockPlaces,
  orderedPair,
  type PairSide,
  pairOf,
  pairsToReview,
  pairsToReviewCount,
  withdrawDecision,
} from "../store/decisions.ts";
import { placeTables } from "../store/tables.ts";
import { PairPage, PairQueuePage, pairHref } from "./views.tsx";

const PAGE_SIZE = 50;
const NOTE_MAX = 500;
const RECORD_ID = /^[A-Za-z0-9_.:-]{1,100}$/;
const CHOICES = { fusionner: "fusionner", separer: "séparer" } as const;

const formBody = z.record(z.string(), z.union([z.string().max(5000), z.array(z.string().max(5000)).max(5)]));
type Form = Record<string, string | string[]>;
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const listQuery = z.object({ vue: z.string().max(40).optional(), page: z.string().max(20).optional() });
const pageParam = (raw: string | undefined): number => {
  const n = raw && /^\d{1,5}$/.test(raw) ? Number(raw) : 1;
  return Math.max(1, n);
};
type PairParams = { Params: { a: string; b: string } };

const NOT_FOUND = new HttpError(
  404,
  "Paire introuvable",
  "Ces deux fiches n'existent pas, ou ne sont pas une paire à comparer.",
);

export function registerDuplicateRoutes(app: FastifyInstance, ctx: AppContext): void {
  // The dashboard of the places' back-office counts the territory's pairs to review (src/places/edit-routes.tsx).
  if (!DASHBOARD_QUEUES.some((q) => q.href === "/admin/doublons"))
    DASHBOARD_QUEUES.push({
      label: "Doublons à vérifier",
      href: "/admin/doublons",
      count: (ctx, communes) => pairsToReviewCount(ctx.database.db, communes),
    });
  const db = () => ctx.database.db;
  const page = (reply: FastifyReply, vnode: Parameters<typeof sendPage>[1], status = 200) =>
    sendPage(reply.header("cache-control", "no-store"), vnode, status);
  const communeName = (code: string | null) =>
    code ? (ctx.territories.get(code)?.name ?? code) : "commune inconnue";
  const within = (inner: string, outer: string) => {
    if (inner === outer) return true;
    const t = ctx.territories.get(inner);
    return t !== undefined && ctx.territories.parentsOf(t).some((p) => p.id === outer);
  };
  const sideScope = (req: FastifyRequest, s: PairSide) =>
    placeScope(req.actor, { id: s.placeId ?? s.id, communeCode: s.communeCode });

  /** A pair is the business of whoever reaches one of its sides (a pair may straddle two territories). */
  async function authorizePair(req: FastifyRequest, pair: ListedPair) {
    const scopes = [sideScope(req, pair.a), sideScope(req, pair.b)];
    const reachable = scopes.find((s) => can(req.actor, "doublon.decider", s, within).allowed);
    return authorize(req, ctx, "doublon.decider", reachable ?? (scopes[0] as (typeof scopes)[0]));
  }

  const bar = (req: FastifyRequest, reply: FastifyReply) => {
    const csrf = csrfToken(req, reply);
    return { csrf, account: req.actor ? <SignedIn actor={req.actor} csrf={csrf} /> : null };
  };

  app.get<{ Querystring: z.infer<typeof listQuery> }>(
    "/admin/doublons",
    { schema: { hide: true, querystring: listQuery } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "doublon.decider", {
        territoryId: req.actor?.membership.territoryId ?? "",
      });
      const territoryId = actor.membership.territoryId;
      const communes = communesInReach(ctx.territories, actor);
      const view = req.query.vue === "decisions" ? "decisions" : "a-verifier";
      const n = pageParam(req.query.page);
      const window = { limit: PAGE_SIZE, offset: (n - 1) * PAGE_SIZE };
      const { pairs, total } =
        view === "decisions"
          ? await decidedPairs(db(), communes, window)
          : await pairsToReview(db(), communes, window);
      return page(
        reply,
        PairQueuePage({
          account: bar(req, reply).account,
          territory: ctx.territories.get(territoryId)?.name ?? "France entière",
          view,
          pairs,
          total,
          page: n,
          pageSize: PAGE_SIZE,
          communeName,
        }),
      );
    },
  );

  async function findPair(req: FastifyRequest<PairParams>): Promise<ListedPair> {
    const { a, b } = req.params;
    if (!RECORD_ID.test(a) || !RECORD_ID.test(b)) throw NOT_FOUND;
    const pair = await pairOf(db(), a, b);
    if (!pair) throw NOT_FOUND;
    return pair;
  }

  const NOTICES: Record<string, string> = {
    fusionner:
      "C'est fait : les deux fiches sont réunies en un seul lieu, dès maintenant et à chaque import.",
    separer: "C'est fait : les deux fiches restent deux lieux, dès maintenant et à chaque import.",
    annuler: "La décision est annulée : le score décide de nouveau pour ces deux fiches.",
  };

  app.get<PairParams & { Querystring: { fait?: string } }>(
    "/admin/doublons/:a/:b",
    { schema: { hide: true } },
    async (req, reply) => {
      const pair = await findPair(req);
      const [a] = orderedPair(req.params.a, req.params.b);
      if (a !== req.params.a) return reply.redirect(pairHref(pair), 301);
      await authorizePair(req, pair);
      const { csrf, account } = bar(req, reply);
      return page(
        reply,
        PairPage({ account, csrf, pair, communeName, notice: NOTICES[req.query.fait ?? ""] }),
      );
    },
  );

  app.post<PairParams & { Body: Form }>(
    "/admin/doublons/:a/:b",
    { preValidation: checkCsrf, schema: { hide: true, body: formBody } },
    async (req, reply) => {
      const pair = await findPair(req);
      await authorizePair(req, pair);
      const choice = str(req.body.choix);
      const note = cleanText(str(req.body.note));
      const again = (problem: string) => {
        const { csrf, account } = bar(req, reply);
        return page(reply, PairPage({ account, csrf, pair, communeName, problem, note }), 400);
      };
      if (choice !== "annuler" && !Object.hasOwn(CHOICES, choice))
        return again("Choisissez « Fusionner » ou « Garder séparés » : rien n'a été enregistré.");
      if (note.length > NOTE_MAX)
        return again(
          `La note fait ${note.length} caractères : ${NOTE_MAX} au plus. Rien n'a été enregistré.`,
        );
      const at = ctx.clock.now();
      const before = pair.decision?.decision ?? null;
      const territoryId = pair.a.communeCode ?? pair.b.communeCode;
      const done = await withJournal(
        db(),
        (changed: boolean) =>
          changed
            ? {
                ...journalBy(req),
                at,
                action: "doublon.decider",
                target: `doublon:${pair.a.id}|${pair.b.id}`,
                territoryId,
                details: {
                  a: pair.a.id,
                  b: pair.b.id,
                  avant: before,
                  apres: choice === "annuler" ? null : CHOICES[choice as keyof typeof CHOICES],
                  note,
                },
              }
            : null,
        async (trx) => {
          await lockPlaces(trx);
          if (choice === "annuler") {
            if (!(await withdrawDecision(trx, pair.a.id, pair.b.id))) return false;
          } else
            await decidePair(trx, {
              a: pair.a.id,
              b: pair.b.id,
              decision: CHOICES[choice as keyof typeof CHOICES],
              note,
              at,
            });
          // The decision's effect at once: the places deduplicated again with every decision.
          await republish(placeTables(trx), undefined, ctx.database.kind === "pglite");
          return true;
        },
      );
      if (done) ctx.places.invalidate();
      const after = await pairOf(db(), pair.a.id, pair.b.id);
      return reply.redirect(after ? `${pairHref(pair)}?fait=${choice}` : "/admin/doublons", 303);
    },
  );
}
