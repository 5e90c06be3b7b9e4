/** The diagnostic's pages: start, one question per page, resume, result, printable sheet, statistics. */
import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { can } from "../accounts/policy.ts";
import { withJournal } from "../accounts/store.ts";
import { journalBy } from "../accounts/web.ts";
import type { AppContext } from "../context.ts";
import { addressLine, placeUrl } from "../places/describe.ts";
import { sendPage } from "../platform/http.ts";
import type { Territory } from "../territories/model.ts";
import { type ResolveOptions, resolveTerritory, unresolvedView } from "../territories/resolve.ts";
import { registerDiagnosticApi } from "./api.ts";
import { alreadyDone } from "./describe.ts";
import {
  communeOptions,
  dayOf,
  firstUnanswered,
  modeOf,
  questionHref,
  resultHref,
  STAT_KEYS,
  startHref,
  text,
} from "./flow.ts";
import { type Answers, type DiagnosticResult, SKIP } from "./model.ts";
import { matchingPlaces, moreHref } from "./places.ts";
import { answerList, checkAnswers, QUESTIONNAIRE } from "./questionnaire.ts";
import { score } from "./score.ts";
import { loadSecret } from "./secret.ts";
import { communeCodes } from "./section.tsx";
import { showStats } from "./stats.ts";
import { countResponses, responseIdOf, saveResponse } from "./store.ts";
import { signToken, TOKEN_MESSAGES, type TokenState, verifyToken } from "./token.ts";
import { MessagePage, QuestionPage, StartPage } from "./views/questionnaire.tsx";
import { type PlaceLine, ResultPage } from "./views/result.tsx";
import { StatsPage } from "./views/stats.tsx";

const bodySchema = z.object({
  t: z.string().max(4000).optional(),
  reponse: z.union([z.string().max(40), z.array(z.string().max(40)).max(20)]).optional(),
});

export function registerDiagnosticRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  deps: { now?: () => number; secret?: Buffer } = {},
): void {
  const now = deps.now ?? (() => ctx.clock.now().getTime());
  const secret = deps.secret ?? loadSecret(ctx.config.secret, ctx.config.dataDir);
  const total = QUESTIONNAIRE.questions.length;
  const issue = (s: Omit<TokenState, "i">) => signToken({ ...s, i: now() }, secret);

  const message = (
    reply: FastifyReply,
    status: number,
    title: string,
    msg: string,
    restartHref: string,
    resumeToken?: string,
  ) => sendPage(reply, MessagePage({ title, message: msg, restartHref, resumeToken }), status);

  /** The state of the token of a request, or null after sending a page that explains the problem. */
  function stateOf(reply: FastifyReply, token: unknown): TokenState | null {
    if (typeof token !== "string" || token === "") {
      message(reply, 400, "Le lien est incomplet", TOKEN_MESSAGES.malformed, "/diagnostic");
      return null;
    }
    const v = verifyToken(token, secret, now());
    if (!v.ok) {
      message(
        reply,
        400,
        v.problem === "expired" ? "Le questionnaire a expiré" : "Le lien ne marche pas",
        TOKEN_MESSAGES[v.problem],
        "/diagnostic",
      );
      return null;
    }
    const restart = startHref(v.state.c, v.state.m);
    if (v.state.v !== QUESTIONNAIRE.version) {
      message(
        reply,
        409,
        "Le questionnaire a changé",
        "Le questionnaire a été modifié pendant que vous répondiez. Vous pouvez reprendre : vos réponses qui sont encore valables sont gardées.",
        restart,
        token,
      );
      return null;
    }
    if (!ctx.territories.get(v.state.c)) {
      message(
        reply,
        400,
        "Commune inconnue",
        "La commune du questionnaire n'existe plus dans notre liste. Recommencez en choisissant votre commune.",
        "/diagnostic",
      );
      return null;
    }
    const checked = checkAnswers(QUESTIONNAIRE, v.state.a);
    if (!checked.ok) {
      message(
        reply,
        400,
        "Réponses impossibles",
        "Certaines réponses ne correspondent pas aux questions. Recommencez le questionnaire.",
        restart,
      );
      return null;
    }
    return { ...v.state, a: checked.answers };
  }

  /** Records a finished questionnaire once (the database keeps its nonce: a page opened again adds nothing). */
  async function store(state: TokenState, result: DiagnosticResult, req: FastifyRequest) {
    const response = {
      mode: state.m,
      communeCode: state.c,
      day: dayOf(now(), state.c),
      answers: state.a,
      result,
      nonce: state.n,
    };
    try {
      // Recorded by a signed-in professional: journaled with the change (who and when; the territory at the
      // département's level, so that the journal does not point at one commune's response).
      if (req.actor) {
        const departement = ctx.territories.get(state.c)?.departement ?? null;
        await withJournal(
          ctx.database.db,
          (saved) =>
            saved
              ? {
                  ...journalBy(req),
                  at: ctx.clock.now(),
                  action: "diagnostic.enregistrer",
                  target: "diagnostic",
                  territoryId: departement,
                  details: { mode: state.m },
                }
              : null,
          (trx) => saveResponse(trx, response),
        );
      } else await saveResponse(ctx.database.db, response);
    } catch (e) {
      // The person gets their result even when the statistics cannot be written.
      req.log.error(e);
    }
  }

  app.get<{ Querystring: Record<string, unknown> }>("/diagnostic", (req, reply) => {
    // A link carries the commune's id: the field shows its name (« Saint-Martin (Gers) »), which leads back to it.
    const given = text(req.query.commune);
    const r = given ? resolveTerritory(given, communeOptions(ctx, "code")) : null;
    const commune = r?.kind === "found" ? r.label : given;
    return sendPage(reply, StartPage({ commune, mode: modeOf(req.query.mode), questionCount: total }));
  });

  app.post<{ Body: Record<string, unknown> }>("/diagnostic/commencer", (req, reply) => {
    const body = req.body ?? {};
    const mode = modeOf(body.mode);
    const q = text(body.commune);
    const r = resolveTerritory(q, communeOptions(ctx));
    if (r.kind !== "found" || !mode) {
      const unresolved = r.kind === "found" ? {} : unresolvedView(r, communeOptions(ctx));
      const problem = !mode
        ? "Choisissez qui répond aux questions."
        : r.kind === "none"
          ? `${r.message} Vérifiez l'orthographe ou écrivez le code postal.${r.suggestions.length > 0 ? " Est-ce l'une de celles-ci ?" : ""}`
          : (unresolved.problem ?? unresolved.choices?.title);
      const choices = unresolved.choices?.candidates;
      const status = mode && r.kind === "ambiguous" ? 200 : 400;
      return sendPage(
        reply,
        StartPage({
          commune: r.kind === "found" ? r.label : q,
          mode,
          problem,
          choices,
          questionCount: total,
        }),
        status,
      );
    }
    const t = issue({
      v: QUESTIONNAIRE.version,
      m: mode,
      c: r.territory.id,
      a: {},
      n: randomBytes(9).toString("base64url"),
    });
    return reply.redirect(questionHref(1, t), 303);
  });

  const stepOf = (raw: string) => (/^\d{1,3}$/.test(raw) ? Number(raw) : 0);

  function renderQuestion(
    reply: FastifyReply,
    state: TokenState,
    token: string,
    n: number,
    problem?: string,
  ) {
    const question = QUESTIONNAIRE.questions[n - 1];
    if (!question)
      return message(
        reply,
        404,
        "Cette question n'existe pas",
        "Ce numéro de question n'existe pas.",
        startHref(state.c, state.m),
      );
    return sendPage(
      reply,
      QuestionPage({
        question,
        number: n,
        total,
        mode: state.m,
        token,
        selected: answerList(state.a, question.id),
        backHref: n === 1 ? startHref(state.c, state.m) : questionHref(n - 1, token),
        problem,
      }),
      problem ? 400 : 200,
    );
  }

  app.get<{ Params: { n: string }; Querystring: Record<string, unknown> }>(
    "/diagnostic/question/:n",
    (req, reply) => {
      const state = stateOf(reply, req.query.t);
      if (!state) return reply;
      const token = req.query.t as string;
      const n = stepOf(req.params.n);
      const next = firstUnanswered(state.a) + 1;
      if (n < 1 || n > total)
        return message(
          reply,
          404,
          "Cette question n'existe pas",
          "Ce numéro de question n'existe pas. Vous pouvez reprendre là où vous en étiez.",
          questionHref(Math.min(next, total), token),
        );
      // No jumping over questions not yet seen.
      if (n > next) return reply.redirect(questionHref(next, token), 303);
      return renderQuestion(reply, state, token, n);
    },
  );

  app.post<{ Params: { n: string }; Body: Record<string, unknown> }>(
    "/diagnostic/question/:n",
    async (req, reply) => {
      const body = bodySchema.safeParse(req.body ?? {});
      const state = stateOf(reply, body.success ? body.data.t : undefined);
      if (!state || !body.success)
        return body.success
          ? reply
          : message(
              reply,
              400,
              "Réponse illisible",
              "Votre réponse n'a pas pu être lue. Recommencez la question.",
              "/diagnostic",
            );
      const token = body.data.t as string;
      const n = stepOf(req.params.n);
      const question = QUESTIONNAIRE.questions[n - 1];
      if (!question || n > firstUnanswered(state.a) + 1)
        return reply.redirect(questionHref(Math.min(firstUnanswered(state.a) + 1, total), token), 303);
      const given = body.data.reponse;
      if (given === undefined || (Array.isArray(given) && given.length === 0)) {
        return renderQuestion(
          reply,
          state,
          token,
          n,
          `Choisissez une réponse. Si vous ne savez pas, choisissez « ${question.answers.at(-1)?.label} ».`,
        );
      }
      const checked = checkAnswers(QUESTIONNAIRE, { [question.id]: given });
      if (!checked.ok) {
        const problem = answerList({ x: given }, "x").includes(SKIP)
          ? "« Je ne sais pas » ne peut pas être coché avec d'autres réponses. Choisissez l'un ou les autres."
          : "Cette réponse n'existe pas pour cette question. Choisissez une des réponses proposées.";
        return renderQuestion(reply, state, token, n, problem);
      }
      const answers = { ...state.a, ...checked.answers };
      const t = issue({ ...state, a: answers });
      const next = firstUnanswered(answers);
      if (n < total) return reply.redirect(questionHref(n + 1, t), 303);
      if (next < total) return reply.redirect(questionHref(next + 1, t), 303);
      await store({ ...state, a: answers }, score(answers, QUESTIONNAIRE.version), req);
      return reply.redirect(resultHref(t), 303);
    },
  );

  app.post<{ Body: Record<string, unknown> }>("/diagnostic/reprendre", (req, reply) => {
    const raw = req.body?.t;
    const v =
      typeof raw === "string"
        ? verifyToken(raw, secret, now())
        : ({ ok: false, problem: "malformed" } as const);
    if (!v.ok) return message(reply, 400, "Le lien ne marche pas", TOKEN_MESSAGES[v.problem], "/diagnostic");
    const kept: Answers = {};
    for (const [q, a] of Object.entries(v.state.a)) {
      const one = checkAnswers(QUESTIONNAIRE, { [q]: a });
      if (one.ok) Object.assign(kept, one.answers);
    }
    const t = issue({ ...v.state, v: QUESTIONNAIRE.version, a: kept });
    return reply.redirect(questionHref(Math.min(firstUnanswered(kept) + 1, total), t), 303);
  });

  async function resultPage(
    req: FastifyRequest<{ Querystring: Record<string, unknown> }>,
    reply: FastifyReply,
    sheet: boolean,
  ) {
    const state = stateOf(reply, req.query.t);
    if (!state) return reply;
    const token = req.query.t as string;
    const next = firstUnanswered(state.a);
    if (next < total) return reply.redirect(questionHref(next + 1, token), 303);
    const commune = ctx.territories.get(state.c) as Territory;
    const result = score(state.a, QUESTIONNAIRE.version);
    const found = await matchingPlaces(ctx, result, commune);
    const places: PlaceLine[] = found.map((f) => ({
      name: f.place.standard.nom,
      address: addressLine(f.place),
      distanceKm: f.distanceKm,
      url: placeUrl(f.place.id),
      phone: f.place.standard.telephone[0] ?? null,
      hours: f.open?.text ?? null,
    }));
    return sendPage(
      reply,
      ResultPage({
        result,
        already: alreadyDone(state.a),
        communeName: commune.name,
        mode: state.m,
        places,
        moreHref: moreHref(result, commune),
        sheetHref: sheet ? null : resultHref(token, true),
        restartHref: startHref(state.c, state.m),
        pass: await passLink(req, state.n),
      }),
    );
  }

  /**
   * A signed-in professional may, after this diagnostic, hand a pass numérique booklet (a prescriber) or an
   * orientation sheet with a reference: the links carry the diagnostic's number.
   */
  async function passLink(req: FastifyRequest, nonce: string | null) {
    const actor = req.actor;
    if (!actor || !nonce) return undefined;
    const own = { organisationId: actor.organisation.id };
    const pass = can(actor, "pass.remettre", own, () => false).allowed;
    const orientation = can(actor, "orientation.remettre", own, () => false).allowed;
    if (!pass && !orientation) return undefined;
    const id = await responseIdOf(ctx.database.db, nonce);
    if (id === null) return undefined;
    return {
      href: pass ? `/pass/remettre?diagnostic=${id}` : undefined,
      orientation: orientation ? `/orientations?diagnostic=${id}` : undefined,
      number: id,
    };
  }
  app.get<{ Querystring: Record<string, unknown> }>("/diagnostic/resultat", (req, reply) =>
    resultPage(req, reply, false),
  );
  app.get<{ Querystring: Record<string, unknown> }>("/diagnostic/fiche", (req, reply) =>
    resultPage(req, reply, true),
  );

  app.get<{ Querystring: Record<string, unknown> }>("/diagnostic/statistiques", async (req, reply) => {
    const query = text(req.query.territoire);
    if (query === "") return sendPage(reply, StatsPage({ query, territory: null, stats: null }));
    const statsOptions: ResolveOptions = { referential: ctx.territories, search: ctx.search, prefer: "code" };
    const r = resolveTerritory(query, statsOptions);
    if (r.kind !== "found") {
      const unresolved = unresolvedView(r, statsOptions);
      return sendPage(
        reply,
        StatsPage({
          query,
          territory: null,
          stats: null,
          problem: unresolved.problem,
          choices: unresolved.choices,
        }),
        r.kind === "ambiguous" ? 200 : r.kind === "none" ? 404 : 400,
      );
    }
    const territory = r.territory;
    const stats = showStats(
      await countResponses(ctx.database.db, communeCodes(ctx.territories, territory)),
      STAT_KEYS,
    );
    return sendPage(reply, StatsPage({ query: r.label, territory, stats }));
  });
  registerDiagnosticApi(app, ctx, { now, record: store });
}
