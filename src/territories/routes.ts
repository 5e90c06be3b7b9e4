import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { VNode } from "preact";
import { z } from "zod";
import type { AppContext, TerritorySection } from "../context.ts";
import { HttpError, sendPage } from "../platform/http.ts";
import { type KeptText, keepText, sendKept } from "../platform/kept.ts";
import { Lru } from "../platform/lru.ts";
import { integer, problem } from "../platform/schema.ts";
import { contextLabel, territoryUrl } from "./describe.ts";
import type { Territory, TerritoryKind } from "./model.ts";
import type { Referential } from "./referential.ts";
import type { SearchResult } from "./search.ts";
import { getGeometry } from "./store.ts";
import { HomePage, MAX_QUERY_LENGTH, SearchPage } from "./views/search.tsx";
import { type ChildGroup, type RenderedSection, TerritoryPage } from "./views/territory.tsx";

const KINDS = ["commune", "arrondissement", "epci", "departement", "region", "qpv"] as const;
const PAGE_SIZE = 20;
const CHILDREN_PAGE_SIZE = 100;

const pageNumber = z.coerce.number().int().min(1).max(10_000).catch(1);

/** Checks a search query; returns the French message to show when it cannot be searched. */
function queryProblem(q: string): string | null {
  if (q.trim() === "")
    return "Tapez le nom ou le code d'une commune, d'un département, d'une région, ou un code postal.";
  if (q.length > MAX_QUERY_LENGTH) {
    return `Votre recherche est trop longue (${q.length} caractères). Tapez ${MAX_QUERY_LENGTH} caractères au plus, par exemple le nom d'une commune.`;
  }
  return null;
}

const apiQuery = z.object({
  q: z
    .string()
    .max(MAX_QUERY_LENGTH)
    .describe(`Texte cherché (1 à ${MAX_QUERY_LENGTH} caractères) : nom, code INSEE, code postal ou SIREN.`),
  type: z
    .string()
    .max(100)
    .optional()
    .describe(`Types séparés par des virgules : ${KINDS.join(", ")}.`)
    .transform((v, ctx) => {
      if (!v) return [] as TerritoryKind[];
      const kinds = v.split(",").map((k) => k.trim());
      const bad = kinds.filter((k) => !(KINDS as readonly string[]).includes(k));
      if (bad.length > 0) {
        ctx.addIssue({
          code: "custom",
          message: `type inconnu « ${bad.join(", ")} » : valeurs possibles ${KINDS.join(", ")}`,
        });
        return z.NEVER;
      }
      return kinds as TerritoryKind[];
    }),
  limit: integer(1, 50, 10, "Nombre de résultats par page."),
  offset: integer(0, 100_000, 0, "Nombre de résultats à sauter (pagination)."),
});

/** A territory as the API shows it (`territoryJson`). */
const territorySchema = z.object({
  id: z.string().describe("Identifiant Maillage : code INSEE, SIREN, code de département ou region-<code>."),
  type: z.enum(KINDS),
  code: z.string(),
  nom: z.string(),
  population: z.number().int().nullable(),
  departement: z.string().nullable(),
  region: z.string().nullable(),
  epci: z.string().nullable(),
  communeParente: z.string().nullable(),
  natureEpci: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  codesPostaux: z.array(z.string()),
  anciensCodes: z.array(z.string()),
  libelle: z.string(),
  url: z.string(),
});

const idParams = z.object({
  id: z
    .string()
    .max(40)
    .describe("Identifiant du territoire (code INSEE, SIREN, code de département, region-<code>)."),
});

export function territoryJson(t: Territory, ref: Referential) {
  return {
    id: t.id,
    type: t.kind,
    code: t.code,
    nom: t.name,
    population: t.population,
    departement: t.departement,
    region: t.region,
    epci: t.epci,
    communeParente: t.parent,
    natureEpci: t.epciType,
    latitude: t.lat,
    longitude: t.lon,
    codesPostaux: t.postcodes,
    anciensCodes: t.formerCodes,
    libelle: contextLabel(t, ref),
    url: territoryUrl(t),
  };
}

/** Territory pages and API; `sections` are the other capabilities' parts of a territory page, in order. */
export function registerTerritoryRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  sections: TerritorySection[],
): void {
  const { territories: ref, search } = ctx;

  app.get("/", (_req, reply) => {
    const regions = ref.all
      .filter((t) => t.kind === "region")
      .sort((a, b) => a.name.localeCompare(b.name, "fr"))
      .map((r) => ({ name: r.name, url: territoryUrl(r) }));
    return sendPage(reply, HomePage({ regions }));
  });

  const pages = app.withTypeProvider<ZodTypeProvider>();
  // A repeated q is refused by the schema layer (a French error page); a blank or too long one is explained on
  // the search page itself.
  const searchQuery = z.object({ q: z.string().optional(), page: pageNumber });
  pages.get("/territoires", { schema: { querystring: searchQuery } }, (req, reply) => {
    const raw = req.query.q;
    const page = req.query.page;
    if (raw === undefined) return sendPage(reply, SearchPage({ q: "", page, pageSize: PAGE_SIZE, ref }));
    const q = String(raw);
    const problem = queryProblem(q);
    if (problem) {
      return sendPage(
        reply,
        SearchPage({ q: q.slice(0, MAX_QUERY_LENGTH), problem, page, pageSize: PAGE_SIZE, ref }),
        400,
      );
    }
    let result: SearchResult = search.search(q, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    // One exact code or postcode hit: go straight to the territory.
    if (
      result.total === 1 &&
      result.hits[0] &&
      ["code", "postcode"].includes(result.hits[0].match) &&
      page === 1
    ) {
      return reply.redirect(territoryUrl(result.hits[0].territory), 303);
    }
    if (result.hits.length === 0 && page > 1) result = search.search(q, { limit: PAGE_SIZE });
    return sendPage(
      reply,
      SearchPage({ q, result, page: result.hits.length === 0 ? 1 : page, pageSize: PAGE_SIZE, ref }),
    );
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(
    "/territoires/:id",
    async (req, reply) => {
      const t = ref.get(req.params.id);
      if (!t) {
        throw new HttpError(
          404,
          "Territoire introuvable",
          `Aucun territoire n'a le code « ${req.params.id.slice(0, 40)} ».`,
        );
      }
      const groups = childGroups(t, ref, req.query);
      const shape = await getGeometry(ctx.database.db, t.id);
      const contextShape = !shape && t.parent ? await getGeometry(ctx.database.db, t.parent) : null;
      const rendered: RenderedSection[] = [];
      let map: VNode | null = null;
      for (const s of sections) {
        if (t.kind === "qpv" && !s.qpv) continue;
        const body = await s.render(t, ctx);
        if (body) rendered.push({ id: s.id, title: s.title, body });
        if (!map && s.map) map = await s.map(t, ctx);
      }
      return sendPage(
        reply,
        TerritoryPage({
          t,
          ref,
          parents: ref.parentsOf(t),
          groups,
          shape,
          contextShape,
          sections: rendered,
          map,
        }),
      );
    },
  );

  const api = app.withTypeProvider<ZodTypeProvider>();
  const answers = new Lru<KeptText>(512);
  api.get(
    "/api/v1/territoires",
    {
      schema: {
        summary: "Chercher un territoire",
        description:
          "Par nom (sans tenir compte des accents ni des majuscules), code INSEE, code postal ou SIREN ; le plus exact d'abord, le plus peuplé à égalité.",
        querystring: apiQuery,
        response: {
          200: z
            .object({
              requete: z.string(),
              total: z.number().int(),
              limite: z.number().int(),
              decalage: z.number().int(),
              resultats: z.array(
                territorySchema.extend({
                  correspondance: z.enum(["postcode", "code", "exact", "prefix", "words", "fuzzy"]),
                  ancienneCommune: z.string().optional(),
                }),
              ),
            })
            .describe("Territoires trouvés, avec le total."),
          400: problem("Paramètre invalide ou recherche vide."),
        },
      },
    },
    async (req, reply) => {
      // Territories do not change while the process runs: an answer, once serialised, is kept for its address.
      const kept = answers.get(req.url);
      if (kept !== undefined) return sendKept(req, reply, kept, "application/json; charset=utf-8");
      const { q, type, limit, offset } = req.query;
      const problem = queryProblem(q);
      if (problem) throw new HttpError(400, "Recherche invalide", problem);
      const result = search.search(q, { limit, offset, kinds: type });
      const body = keepText(
        reply.serialize({
          requete: q,
          total: result.total,
          limite: limit,
          decalage: offset,
          resultats: result.hits.map((h) => ({
            ...territoryJson(h.territory, ref),
            correspondance: h.match,
            ...(h.former ? { ancienneCommune: h.former } : {}),
          })),
        }) as string,
      );
      answers.set(req.url, body);
      return sendKept(req, reply, body, "application/json; charset=utf-8");
    },
  );

  api.get(
    "/api/v1/territoires/:id",
    {
      schema: {
        summary: "Un territoire",
        description: "Nom, type, population, parents et enfants.",
        params: idParams,
        response: {
          200: territorySchema
            .extend({
              parents: z.array(
                z.object({ id: z.string(), type: z.enum(KINDS), nom: z.string(), url: z.string() }),
              ),
              nombreEnfants: z.number().int(),
            })
            .describe("Le territoire."),
          400: problem("Identifiant trop long."),
          404: problem("Aucun territoire n'a cet identifiant."),
        },
      },
    },
    (req) => {
      const t = ref.get(req.params.id);
      if (!t)
        throw new HttpError(
          404,
          "Territoire introuvable",
          `Aucun territoire n'a le code « ${req.params.id.slice(0, 40)} ».`,
        );
      return {
        ...territoryJson(t, ref),
        parents: ref.parentsOf(t).map((p) => ({ id: p.id, type: p.kind, nom: p.name, url: territoryUrl(p) })),
        nombreEnfants: ref.childrenOf(t.id).length,
      };
    },
  );
}

/** The children shown on a territory page, each group paged by its own query parameter. */
function childGroups(
  t: Territory,
  ref: Referential,
  query: Record<string, string | undefined>,
): ChildGroup[] {
  const children = t.kind === "qpv" ? ref.communesOf(t) : ref.childrenOf(t.id);
  const group = (title: string, param: string, items: Territory[]): ChildGroup | null => {
    if (items.length === 0) return null;
    const pages = Math.ceil(items.length / CHILDREN_PAGE_SIZE);
    const page = Math.min(pageNumber.parse(query[param]), pages);
    return {
      title,
      param,
      total: items.length,
      page,
      pages,
      items: items.slice((page - 1) * CHILDREN_PAGE_SIZE, page * CHILDREN_PAGE_SIZE),
    };
  };
  const groups = [
    group(
      "Départements",
      "departements",
      children.filter((c) => c.kind === "departement"),
    ),
    group(
      "Intercommunalités (EPCI)",
      "epci",
      children.filter((c) => c.kind === "epci"),
    ),
    group(
      t.kind === "qpv" ? "Communes du quartier" : "Communes",
      "communes",
      children.filter((c) => c.kind === "commune"),
    ),
    group(
      "Arrondissements municipaux",
      "arrondissements",
      children.filter((c) => c.kind === "arrondissement"),
    ),
  ];
  return groups.filter((g): g is ChildGroup => g !== null);
}
