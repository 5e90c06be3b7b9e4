/**
 * The JSON API's OpenAPI 3.1 description, served at /api/v1/openapi.json and shown in French at /api.
 * A test checks that every route under /api/v1 is described here, and that nothing described is missing.
 */

type Schema = Record<string, unknown>;

interface Param {
  name: string;
  in: "query" | "path";
  description: string;
  required?: boolean;
  schema: Schema;
}

interface Operation {
  summary: string;
  description?: string;
  parameters?: Param[];
  requestBody?: { required: boolean; content: { "application/json": { schema: Schema; example?: unknown } } };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
}

const str = (description: string, extra: Schema = {}): Schema => ({ type: "string", description, ...extra });
const int = (min: number, max: number, dflt?: number): Schema => ({
  type: "integer",
  minimum: min,
  maximum: max,
  ...(dflt === undefined ? {} : { default: dflt }),
});
const q = (
  name: string,
  description: string,
  schema: Schema = { type: "string" },
  required = false,
): Param => ({
  name,
  in: "query",
  description,
  required,
  schema,
});

const territoire = (required = false) =>
  q(
    "territoire",
    "Code INSEE d'une commune, SIREN d'un EPCI, code de département (42, 2A, 971), « region-<code> » pour une région, ou un nom s'il désigne un seul territoire.",
    { type: "string", maxLength: 500 },
    required,
  );
const methode = q("methode", "Méthode de l'indice de fragilité (id ou version) ; par défaut officiel-2023.", {
  type: "string",
  maxLength: 100,
});
const limitOffset = (max: number, dflt: number) => [
  q("limit", "Nombre de résultats par page.", int(1, max, dflt)),
  q("offset", "Nombre de résultats à sauter (pagination).", int(0, 1_000_000, 0)),
];

const problem = {
  description: "Demande incorrecte : application/problem+json avec un « detail » en français.",
  content: {
    "application/problem+json": {
      schema: {
        type: "object",
        properties: {
          type: { type: "string" },
          title: { type: "string" },
          status: { type: "integer" },
          detail: { type: "string" },
        },
      },
    },
  },
};
const json = (description: string, schema: Schema = { type: "object" }) => ({
  description,
  content: { "application/json": { schema } },
});

export const API_PATHS: Record<string, Record<"get" | "post", Operation | undefined>> = {
  "/api/v1/territoires": {
    get: {
      summary: "Chercher un territoire",
      description:
        "Par nom (sans tenir compte des accents ni des majuscules), code INSEE, code postal ou SIREN ; le plus exact d'abord, le plus peuplé à égalité.",
      parameters: [
        q("q", "Texte cherché (1 à 100 caractères).", { type: "string", maxLength: 100 }, true),
        q("type", "Types séparés par des virgules : commune, arrondissement, epci, departement, region."),
        ...limitOffset(50, 10),
      ],
      responses: { 200: json("Territoires trouvés, avec le total."), 400: problem },
    },
    post: undefined,
  },
  "/api/v1/territoires/{id}": {
    get: {
      summary: "Un territoire",
      description: "Nom, type, population, parents et enfants.",
      parameters: [
        {
          name: "id",
          in: "path",
          required: true,
          description: "Identifiant du territoire.",
          schema: str(""),
        },
      ],
      responses: { 200: json("Le territoire."), 404: problem },
    },
    post: undefined,
  },
  "/api/v1/fragilite": {
    get: {
      summary: "Indice de fragilité numérique d'un territoire",
      description:
        "Pour une commune : le score expliqué indicateur par indicateur. Pour un EPCI, un département ou une région : l'agrégat pondéré par la population et le score de chaque commune (ou département).",
      parameters: [territoire(), methode],
      responses: { 200: json("Scores et explications."), 400: problem, 503: problem },
    },
    post: undefined,
  },
  "/api/v1/fragilite/carte": {
    get: {
      summary: "Carte de fragilité (GeoJSON)",
      parameters: [territoire(), methode],
      responses: {
        200: json("FeatureCollection : une entité par commune (ou département) avec son score."),
        400: problem,
      },
    },
    post: undefined,
  },
  "/api/v1/lieux": {
    get: {
      summary: "Lieux de médiation numérique",
      description: "Lieux publiés (après dédoublonnage), filtrés, par pages, dans l'ordre alphabétique.",
      parameters: [
        territoire(),
        q("service", "Un service du schéma national (ex. « Aide aux démarches administratives »)."),
        q("public", "Un public spécifiquement adressé du schéma (ex. « Seniors (+ de 65 ans) »)."),
        q("frais", "Frais à charge (ex. « Gratuit »)."),
        q("modalite", "Modalité d'accompagnement (ex. « Accompagnement individuel »)."),
        q("q", "Mots cherchés dans le nom, l'adresse, la commune ou le code postal."),
        ...limitOffset(100, 20),
      ],
      responses: { 200: json("Lieux et total."), 400: problem },
    },
    post: undefined,
  },
  "/api/v1/lieux/{id}": {
    get: {
      summary: "Un lieu de médiation numérique",
      description: "Tous les champs du schéma national, les sources et l'historique.",
      parameters: [
        {
          name: "id",
          in: "path",
          required: true,
          description: "Identifiant Maillage du lieu.",
          schema: str(""),
        },
      ],
      responses: { 200: json("Le lieu."), 404: problem },
    },
    post: undefined,
  },
  "/api/v1/couverture": {
    get: {
      summary: "Couverture d'un territoire par les lieux",
      description:
        "Population et population fragile à portée d'un lieu, part des communes fragiles sans dispositif, communes classées par population fragile non couverte.",
      parameters: [
        territoire(true),
        q(
          "service",
          "Un service du schéma ou un dispositif (France Services, Aidants Connect, Conseillers numériques).",
        ),
        methode,
        q(
          "seuil",
          "Distance en km en dessous de laquelle une commune est couverte (par défaut 5 km en ville, 15 km ailleurs).",
          {
            type: "number",
            exclusiveMinimum: 0,
            maximum: 100,
          },
        ),
        q("fragilite", "Score à partir duquel une commune est fragile (par défaut 7).", {
          type: "number",
          minimum: 0,
          maximum: 10,
        }),
      ],
      responses: { 200: json("Indicateurs de couverture et manques classés."), 400: problem },
    },
    post: undefined,
  },
  "/api/v1/planification": {
    get: undefined,
    post: {
      summary: "Proposer où ouvrir de nouveaux lieux (ou des arrêts d'un bus)",
      description:
        "Choisit les communes qui couvrent le plus de population fragile nouvelle (glouton paresseux), avec le gain de chaque site et la courbe cumulée.",
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["territoire", "sites", "rayon"],
              properties: {
                territoire: str("Territoire (comme « territoire » plus haut)."),
                sites: int(1, 1000),
                rayon: { type: "number", exclusiveMinimum: 0, maximum: 100, description: "Rayon en km." },
                service: str("Service ou dispositif déjà présent à prendre en compte."),
                methode: str("Méthode de l'indice de fragilité."),
                candidats: {
                  type: "array",
                  items: { type: "string" },
                  description: "Codes INSEE candidats.",
                },
                itinerant: {
                  type: "boolean",
                  description: "Arrêts d'un bus itinérant plutôt que des lieux fixes.",
                },
              },
            },
            example: { territoire: "23", sites: 5, rayon: 10 },
          },
        },
      },
      responses: { 200: json("Sites proposés, gains et courbe."), 400: problem },
    },
  },
  "/api/v1/orientation": {
    get: {
      summary: "Lieux proposés pour une personne, classés, avec la raison de chaque proposition",
      description:
        "Les critères indispensables (exiger) écartent, les autres classent (distance + 5 km par préférence manquée). Si rien ne convient, la recherche s'élargit pas à pas (elargissements) et le critère qui a vidé la liste est nommé (critereQuiVide). Chaque lieu a sa fiche (fiche) et son texte SMS de 160 caractères au plus. Les paramètres marqués « répétable » peuvent être donnés plusieurs fois.",
      parameters: [
        q("commune", "Code INSEE, nom ou code postal de la commune (ou une adresse avec son code postal).", {
          type: "string",
          maxLength: 100,
        }),
        q(
          "besoin",
          "Besoin en mots simples (répétable) : demarches, telephone, ordinateur, materiel, emploi, arnaques, enfants, comprendre, loisirs.",
        ),
        q("service", "Service du schéma national, en toutes lettres (répétable)."),
        q("public", "Public (répétable) : senior, jeune, famille, femme, etudiant."),
        q(
          "prise",
          "Prise en charge spécifique (répétable) : surdite, handicap-moteur, handicap-mental, illettrisme, langue-etrangere, deficience-visuelle.",
        ),
        q("gratuit", "1 : gratuit seulement.", { type: "string", enum: ["1"] }),
        q("modalite", "Façon d'être aidé (répétable) : seul, individuel, atelier, distance."),
        q(
          "quand",
          "Moment (répétable) : maintenant, samedi, soir (après 18 h), ou <jour>-matin / <jour>-apres-midi (lundi … samedi).",
        ),
        q("distance", "Distance maximale en km.", { type: "number", exclusiveMinimum: 0, maximum: 200 }),
        q(
          "exiger",
          "Critère indispensable (répétable) : besoin, distance, priseEnCharge, public, gratuit, modalite, quand. Absent : besoin et distance ; vide : aucun.",
        ),
        q("lat", "Latitude d'un point de départ précis (avec lon).", {
          type: "number",
          minimum: -90,
          maximum: 90,
        }),
        q("lon", "Longitude d'un point de départ précis (avec lat).", {
          type: "number",
          minimum: -180,
          maximum: 180,
        }),
        q("limite", "Nombre de lieux.", int(1, 100, 10)),
      ],
      responses: {
        200: json(
          "La commune, les lieux classés avec raisons, ouverture, accès, texte SMS et fiche, les élargissements.",
        ),
        400: problem,
        404: { ...problem, description: "Commune inconnue, avec des suggestions (« Vouliez-vous dire »)." },
      },
    },
    post: undefined,
  },
  "/api/v1/diagnostic/questions": {
    get: {
      summary: "Questionnaire du diagnostic d'aisance numérique (version en cours)",
      description:
        "Les questions, leurs réponses possibles (dont « passer » : je ne sais pas / je préfère ne pas répondre), les notes pour l'accompagnant et la version, à renvoyer avec les réponses.",
      responses: { 200: json("La version et les questions.") },
    },
    post: undefined,
  },
  "/api/v1/diagnostic": {
    get: undefined,
    post: {
      summary: "Résultat d'un diagnostic d'aisance numérique, avec les lieux proches",
      description:
        "Profil (autonome, proche, eloigne, exclu), urgence, freins, niveau d'accompagnement (urgence, inclusion, competences), services et modalités du schéma à chercher, et lieux proches de la commune. Enregistre de façon anonyme les réponses, le résultat, la commune, le jour et le mode (pas de nom, pas de contact).",
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["commune", "reponses"],
              properties: {
                commune: str("Code INSEE de la commune de la personne."),
                mode: { type: "string", enum: ["seul", "accompagne"], default: "seul" },
                version: str("Version du questionnaire lue (facultatif) : 409 si elle a changé."),
                reponses: {
                  type: "object",
                  description:
                    "Identifiant de question → identifiant de réponse (une liste pour une question à plusieurs réponses). Une question absente est passée.",
                  additionalProperties: {
                    oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }],
                  },
                },
              },
            },
            example: {
              commune: "23096",
              mode: "accompagne",
              reponses: { demarche: "aide", urgence: "oui", genes: ["vue"] },
            },
          },
        },
      },
      responses: {
        200: json("Le résultat et les lieux proches."),
        400: problem,
        409: { ...problem, description: "Le questionnaire a changé depuis la version envoyée." },
      },
    },
  },
};

/** The whole OpenAPI document. */
export function openApiDocument(): Schema {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const [path, ops] of Object.entries(API_PATHS)) {
    paths[path] = Object.fromEntries(Object.entries(ops).filter(([, op]) => op !== undefined)) as Record<
      string,
      Operation
    >;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Maillage — API",
      version: "1.0.0",
      description:
        "Territoires, indice de fragilité numérique, lieux de médiation numérique, couverture, orientation et diagnostic, sur données publiques réelles. Les erreurs sont en application/problem+json, en français.",
      license: { name: "Données : voir /a-propos/donnees" },
    },
    paths,
  };
}
