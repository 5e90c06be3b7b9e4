/**
 * The places of a territory as GeoJSON points, for the interactive maps (clustered there at low zoom): published
 * places only, and only those whose source gives coordinates (a place set at its commune's reference point would
 * pile up with others in the middle of the commune). Kept light (France has about 7 600 of them): id, name,
 * commune; a place's page is `/lieux/<id>`.
 */
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../context.ts";
import { sendProblem } from "../platform/http.ts";
import { problem, text } from "../platform/schema.ts";
import { type ResolveOptions, resolveTerritory, unresolvedProblem } from "../territories/resolve.ts";
import { territoryCodes } from "./describe.ts";
import type { Place } from "./model.ts";

const query = z.object({
  territoire: text(
    40,
    "Code INSEE d'une commune, SIREN d'un EPCI, code de département (42, 2A, 971) ou « region-<code> » pour une région. Absent : toute la France.",
  ),
});

const pointCollection = z
  .object({
    type: z.literal("FeatureCollection"),
    territoire: z.object({ id: z.string(), nom: z.string() }).nullable(),
    sansCoordonnees: z
      .number()
      .int()
      .describe(
        "Lieux publiés du territoire que la carte ne montre pas : leur source ne donne pas de coordonnées.",
      ),
    features: z.array(
      z.object({
        type: z.literal("Feature"),
        geometry: z.object({
          type: z.literal("Point"),
          coordinates: z.array(z.number()).describe("[longitude, latitude] (WGS 84)."),
        }),
        properties: z.object({
          id: z.string().describe("Identifiant Maillage du lieu : sa page est /lieux/<id>."),
          nom: z.string(),
          commune: z.string(),
        }),
      }),
    ),
  })
  .describe("FeatureCollection : un point par lieu publié qui a des coordonnées.");

type PointCollection = z.infer<typeof pointCollection>;

const round5 = (x: number) => Math.round(x * 1e5) / 1e5;

/** The points of the places whose commune is in `communes` (every place when null), ordered by id. */
function placePoints(
  places: readonly Place[],
  communes: ReadonlySet<string> | null,
): Pick<PointCollection, "features" | "sansCoordonnees"> {
  const features: PointCollection["features"] = [];
  let missing = 0;
  for (const p of places) {
    if (communes && !(p.communeCode && communes.has(p.communeCode))) continue;
    if (!p.location || p.flags.approximateCoordinates) {
      missing++;
      continue;
    }
    features.push({
      type: "Feature",
      geometry: { type: "Point", coordinates: [round5(p.location.lon), round5(p.location.lat)] },
      properties: { id: p.id, nom: p.standard.nom, commune: p.standard.commune },
    });
  }
  features.sort((a, b) =>
    a.properties.id < b.properties.id ? -1 : a.properties.id > b.properties.id ? 1 : 0,
  );
  return { features, sansCoordonnees: missing };
}

export function registerPlaceMap(app: FastifyInstance, ctx: AppContext): void {
  const options: ResolveOptions = { referential: ctx.territories, search: ctx.search, prefer: "code" };
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/v1/lieux/carte",
    {
      schema: {
        summary: "Lieux de médiation numérique sur une carte (GeoJSON)",
        description:
          "Les lieux publiés d'un territoire (ou de la France) qui ont des coordonnées, en points : identifiant, nom, commune et lien vers leur page.",
        querystring: query,
        response: {
          200: pointCollection,
          400: problem("Paramètre invalide, territoire inconnu ou ambigu."),
        },
      },
    },
    async (req, reply) => {
      const r = req.query.territoire ? resolveTerritory(req.query.territoire, options) : null;
      if (r && r.kind !== "found") {
        const p = unresolvedProblem(r, options);
        return sendProblem(reply, p.status, p.title, p.detail, p.extra);
      }
      const t = r?.territory;
      const codes = t ? new Set(territoryCodes(ctx.territories, t)) : null;
      return {
        type: "FeatureCollection" as const,
        territoire: t ? { id: t.id, nom: t.name } : null,
        ...placePoints(await ctx.places.all(), codes),
      };
    },
  );
}
