/** The diagnostic's JSON API: the questionnaire, and a result from answers with the places nearby. */
import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../context.ts";
import { placeSummaryJson, placeSummarySchema } from "../places/describe.ts";
import { HttpError } from "../platform/http.ts";
import { problem, typeMessage } from "../platform/schema.ts";
import { BARRIERS, type DiagnosticResult, LEVELS, MODES, PROFILES, SKIP } from "./model.ts";
import { matchingPlaces, moreHref } from "./places.ts";
import { checkAnswers, QUESTIONNAIRE } from "./questionnaire.ts";
import { score } from "./score.ts";
import type { TokenState } from "./token.ts";

const answerId = z.string().max(40);
const apiBody = z
  .object({
    commune: z
      .string(typeMessage("commune : le code INSEE de la commune est attendu"))
      .max(5)
      .regex(
        /^(\d{5}|2[AB]\d{3})$/i,
        "commune : un code INSEE de 5 caractères est attendu (par exemple 23096)",
      )
      .describe("Code INSEE de la commune de la personne."),
    mode: z
      .enum(["seul", "accompagne"], { message: "mode : « seul » ou « accompagne »" })
      .default("seul")
      .describe("seul : la personne répond seule ; accompagne : avec un aidant."),
    version: z
      .string()
      .max(60)
      .optional()
      .describe("Version du questionnaire lue (facultatif) : 409 si elle a changé."),
    reponses: z
      .record(
        answerId,
        z.union([answerId, z.array(answerId).max(20)]),
        typeMessage("reponses : un objet { question : réponse } est attendu"),
      )
      .default({})
      .describe(
        "Identifiant de question → identifiant de réponse (une liste pour une question à plusieurs réponses). Une question absente est passée.",
      ),
  })
  .meta({
    examples: [
      {
        commune: "23096",
        mode: "accompagne",
        reponses: { demarche: "aide", urgence: "oui", genes: ["vue"] },
      },
    ],
  });

const questionsResponse = z
  .object({
    version: z.string(),
    titre: z.string(),
    passer: z
      .string()
      .describe("L'identifiant de la réponse « je ne sais pas / je préfère ne pas répondre »."),
    questions: z.array(
      z.object({
        id: z.string(),
        theme: z.string(),
        texte: z.string(),
        explication: z.string().nullable(),
        noteAccompagnant: z.string(),
        plusieursReponses: z.boolean(),
        reponses: z.array(z.object({ id: z.string(), libelle: z.string() })),
      }),
    ),
  })
  .describe("La version et les questions.");

const resultResponse = z
  .object({
    version: z.string(),
    commune: z.object({ code: z.string(), nom: z.string() }),
    compteDansLesStatistiques: z
      .boolean()
      .describe(
        "Vrai quand la demande porte le jeton personnel d'un professionnel (Authorization: Bearer …) : le diagnostic compte alors dans les statistiques. Sans jeton, le résultat est donné mais pas compté.",
      ),
    mode: z.enum(MODES),
    profil: z.enum(PROFILES),
    urgence: z.boolean(),
    freins: z.array(z.enum(BARRIERS)),
    niveau: z.enum(LEVELS),
    services: z.array(z.string()),
    modalites: z.array(z.string()),
    dispositifs: z.array(z.string()),
    priseEnChargeSpecifique: z.array(z.string()),
    passNumerique: z.boolean(),
    reponsesDonnees: z.number().int(),
    reponsesPassees: z.number().int(),
    lieux: z.array(placeSummarySchema.extend({ distanceKm: z.number() })),
    rechercheLieux: z.string().describe("La recherche de lieux correspondante sur le site (/trouver?…)."),
  })
  .describe("Le résultat et les lieux proches.");

/** What the API shares with the pages: the clock (ms) and the one way a result is recorded (once per nonce). */
export interface DiagnosticApiDeps {
  now: () => number;
  record(state: TokenState, result: DiagnosticResult, req: FastifyRequest): Promise<void>;
}

/** The JSON API of the diagnostic: the questionnaire, and a result from answers (recorded anonymously). */
export function registerDiagnosticApi(app: FastifyInstance, ctx: AppContext, deps: DiagnosticApiDeps): void {
  const { now } = deps;
  const store = deps.record;
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    "/api/v1/diagnostic/questions",
    {
      schema: {
        summary: "Questionnaire du diagnostic d'aisance numérique (version en cours)",
        description:
          "Les questions, leurs réponses possibles (dont « passer » : je ne sais pas / je préfère ne pas répondre), les notes pour l'accompagnant et la version, à renvoyer avec les réponses.",
        response: { 200: questionsResponse },
      },
    },
    () => ({
      version: QUESTIONNAIRE.version,
      titre: QUESTIONNAIRE.title,
      passer: SKIP,
      questions: QUESTIONNAIRE.questions.map((q) => ({
        id: q.id,
        theme: q.theme,
        texte: q.text,
        explication: q.explanation ?? null,
        noteAccompagnant: q.helperNote,
        plusieursReponses: q.kind === "several",
        reponses: q.answers.map((a) => ({ id: a.id, libelle: a.label })),
      })),
    }),
  );

  api.post(
    "/api/v1/diagnostic",
    {
      schema: {
        summary: "Résultat d'un diagnostic d'aisance numérique, avec les lieux proches",
        description:
          "Profil (autonome, proche, eloigne, exclu), urgence, freins, niveau d'accompagnement (urgence, inclusion, competences), services et modalités du schéma à chercher, et lieux proches de la commune. Avec le jeton personnel d'un professionnel (Authorization: Bearer …), enregistre de façon anonyme les réponses, le résultat, la commune, le jour et le mode (pas de nom, pas de contact) pour les statistiques ; sans jeton, le résultat est donné mais pas compté.",
        body: apiBody,
        response: {
          200: resultResponse,
          400: problem("Corps incorrect, commune inconnue ou réponses impossibles."),
          409: problem("Le questionnaire a changé depuis la version envoyée."),
        },
      },
    },
    async (req) => {
      const body = req.body;
      if (body.version && body.version !== QUESTIONNAIRE.version)
        throw new HttpError(
          409,
          "Questionnaire modifié",
          `Le questionnaire a changé (version actuelle : ${QUESTIONNAIRE.version}). Relisez GET /api/v1/diagnostic/questions.`,
        );
      const commune = ctx.territories.get(body.commune.toUpperCase());
      if (!commune || (commune.kind !== "commune" && commune.kind !== "arrondissement"))
        throw new HttpError(
          400,
          "Commune inconnue",
          `commune : aucune commune n'a le code INSEE « ${body.commune} ».`,
        );
      const checked = checkAnswers(QUESTIONNAIRE, body.reponses);
      if (!checked.ok)
        throw new HttpError(400, "Réponses incorrectes", `reponses : ${checked.problems.join(" ; ")}`);
      const result = score(checked.answers, QUESTIONNAIRE.version);
      // Counted only when a professional records it (a personal token): anyone can post answers to the API.
      const counted = req.actor !== null;
      if (counted)
        await store(
          {
            v: QUESTIONNAIRE.version,
            m: body.mode,
            c: commune.id,
            a: checked.answers,
            i: now(),
            n: randomBytes(9).toString("base64url"),
          },
          result,
          req,
        );
      const found = await matchingPlaces(ctx, result, commune);
      return {
        version: result.version,
        commune: { code: commune.id, nom: commune.name },
        mode: body.mode,
        profil: result.profile,
        urgence: result.urgent,
        freins: result.barriers,
        niveau: result.level,
        services: result.services,
        modalites: result.modalites,
        dispositifs: result.programmes,
        priseEnChargeSpecifique: result.priseEnCharge,
        passNumerique: result.passNumerique,
        reponsesDonnees: result.answered,
        reponsesPassees: result.skipped,
        lieux: found.map((f) => ({
          ...placeSummaryJson(f.place),
          distanceKm: Math.round(f.distanceKm * 10) / 10,
        })),
        rechercheLieux: moreHref(result, commune),
        compteDansLesStatistiques: counted,
      };
    },
  );
}
