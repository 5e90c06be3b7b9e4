/**
 * The search as a shareable URL, both ways: `finderUrl(query)` writes `/trouver?…`, `parseQuery(params)` reads the
 * same parameters (pages and API) with zod and names every bad value in French. No personal data is stored: the
 * URL is the whole state.
 *
 * Parameters: commune (INSEE code, or a name / postcode typed by the person: resolved by the route), besoin*,
 * service* (the standard's names), public*, prise*, gratuit=1, modalite*, quand*, distance (km), exiger* (criteria
 * that exclude; absent = besoin and distance), lat & lon (« autour de moi »), limite. (* = repeatable)
 */
import { z } from "zod";
import {
  CRITERIA,
  type Criterion,
  DEFAULT_REQUIRED,
  emptyQuery,
  MODALITY_SLUGS,
  type ModalitySlug,
  NEEDS,
  type NeedId,
  type OrientationQuery,
  PUBLIC_SLUGS,
  type PublicSlug,
  SERVICE,
  type Service,
  SUPPORT_SLUGS,
  type SupportSlug,
  WHEN_SLUGS,
  type When,
} from "./model.ts";

const NEED_IDS = NEEDS.map((n) => n.id) as string[];
const SERVICES = Object.values(SERVICE) as string[];

/** `/trouver?…` for a query (only what differs from the defaults). */
export function finderUrl(query: OrientationQuery, path = "/trouver"): string {
  return `${path}?${queryParams(query).toString()}`;
}

/** The orientation sheet of some places for a query. */
export function sheetUrl(query: OrientationQuery, placeIds: string[]): string {
  const p = queryParams(query);
  for (const id of placeIds) p.append("lieu", id);
  return `/trouver/fiche?${p.toString()}`;
}

export function queryParams(query: OrientationQuery): URLSearchParams {
  const p = new URLSearchParams();
  p.set("commune", query.commune);
  if (query.position) {
    p.set("lat", query.position.lat.toFixed(4));
    p.set("lon", query.position.lon.toFixed(4));
  }
  for (const v of query.besoins) p.append("besoin", v);
  for (const v of query.services) p.append("service", v);
  for (const v of query.publics) p.append("public", v);
  for (const v of query.supports) p.append("prise", v);
  if (query.gratuit) p.set("gratuit", "1");
  for (const v of query.modalites) p.append("modalite", v);
  for (const v of query.quand) p.append("quand", v);
  if (query.distanceMax !== null) p.set("distance", String(query.distanceMax));
  const req = [...query.indispensables].sort();
  if (req.join() !== [...DEFAULT_REQUIRED].sort().join()) {
    if (req.length === 0) p.set("exiger", "");
    for (const v of req) p.append("exiger", v);
  }
  if (query.limit !== undefined && query.limit !== 10) p.set("limite", String(query.limit));
  return p;
}

const MAX_TEXT = 100;
/**
 * One value or several (repeated parameter), as a list of trimmed strings; absent stays undefined. Reading an
 * already read query again gives the same (the API route's schema layer reads it, then `parseQuery`).
 */
const list = (description: string) =>
  z
    .union([z.string().max(MAX_TEXT), z.array(z.string().max(MAX_TEXT)).max(30)], {
      message: `valeur trop longue (${MAX_TEXT} caractères au plus)`,
    })
    .optional()
    .describe(description)
    .transform((v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map((x) => x.trim())));

const coordinate = (min: number, max: number) =>
  z.coerce
    .number({ message: "doit être un nombre" })
    .min(min, `doit être au moins ${min}`)
    .max(max, `doit être au plus ${max}`)
    .optional();

/** The finder's parameters, for the pages (`parseQuery`) and for the API route's schema (the OpenAPI document). */
export const orientationQuery = z.object({
  commune: z
    .string()
    .max(MAX_TEXT, `${MAX_TEXT} caractères au plus`)
    .optional()
    .describe("Code INSEE, nom ou code postal de la commune (ou une adresse avec son code postal)."),
  besoin: list(`Besoin en mots simples (répétable) : ${NEED_IDS.join(", ")}.`),
  service: list("Service du schéma national, en toutes lettres (répétable)."),
  public: list(`Public (répétable) : ${Object.keys(PUBLIC_SLUGS).join(", ")}.`),
  prise: list(`Prise en charge spécifique (répétable) : ${Object.keys(SUPPORT_SLUGS).join(", ")}.`),
  modalite: list(`Façon d'être aidé (répétable) : ${Object.keys(MODALITY_SLUGS).join(", ")}.`),
  quand: list(
    "Moment (répétable) : maintenant, samedi, soir (après 18 h), ou <jour>-matin / <jour>-apres-midi (lundi … samedi).",
  ),
  exiger: list(
    `Critère indispensable (répétable) : ${CRITERIA.join(", ")}. Absent : ${DEFAULT_REQUIRED.join(" et ")} ; vide : aucun.`,
  ),
  gratuit: z.string().max(5).optional().describe("1 (ou oui, true) : gratuit seulement."),
  distance: z
    .union([z.literal(""), z.coerce.number({ message: "doit être un nombre de km" })])
    .optional()
    .refine((v) => v === undefined || v === "" || (v > 0 && v <= 200), "entre 1 et 200 km")
    .describe("Distance maximale en km (jusqu'à 200)."),
  lat: coordinate(-90, 90).describe("Latitude d'un point de départ précis (avec lon)."),
  lon: coordinate(-180, 180).describe("Longitude d'un point de départ précis (avec lat)."),
  limite: z.coerce
    .number({ message: "doit être un nombre" })
    .int("doit être un nombre entier")
    .min(1, "au moins 1")
    .max(100, "100 au plus")
    .optional()
    .describe("Nombre de lieux (10 par défaut)."),
});

const FIELD_LABELS: Record<string, string> = {
  commune: "commune",
  besoin: "besoin",
  service: "service",
  public: "public",
  prise: "prise en charge",
  modalite: "modalité",
  quand: "quand",
  exiger: "exiger",
  gratuit: "gratuit",
  distance: "distance",
  lat: "latitude",
  lon: "longitude",
  limite: "limite",
};

export interface ParsedQuery {
  /** What the person typed for the commune (code, name or postcode), trimmed; "" when absent. */
  communeText: string;
  /** The query, with `commune` = communeText until the route resolves it. */
  query: OrientationQuery;
  /** Problems in plain French (unknown values are named with the valid ones); empty when all is well. */
  problems: string[];
}

function pick<T extends string>(
  values: string[],
  valid: readonly string[],
  field: string,
  problems: string[],
  labels?: (v: string) => string,
): T[] {
  const out: T[] = [];
  for (const v of values) {
    if (v === "") continue;
    if (valid.includes(v)) {
      if (!out.includes(v as T)) out.push(v as T);
    } else
      problems.push(
        `${FIELD_LABELS[field]} : valeur inconnue « ${v.slice(0, 60)} ». Valeurs possibles : ${valid.map((x) => (labels ? labels(x) : x)).join(", ")}.`,
      );
  }
  return out;
}

/** Reads the finder's parameters (a Fastify query object: strings or arrays of strings). */
export function parseQuery(params: Record<string, unknown>): ParsedQuery {
  const r = orientationQuery.safeParse(params);
  const problems: string[] = [];
  if (!r.success) {
    for (const issue of r.error.issues)
      problems.push(`${FIELD_LABELS[String(issue.path[0])] ?? String(issue.path[0])} : ${issue.message}.`);
    return { communeText: "", query: emptyQuery(), problems };
  }
  const v = r.data;
  const exiger = v.exiger ?? [...DEFAULT_REQUIRED];
  const query: OrientationQuery = {
    commune: (v.commune ?? "").trim(),
    position: v.lat !== undefined && v.lon !== undefined ? { lat: v.lat, lon: v.lon } : null,
    besoins: pick<NeedId>(v.besoin ?? [], NEED_IDS, "besoin", problems),
    services: pick<Service>(v.service ?? [], SERVICES, "service", problems),
    publics: pick<PublicSlug>(v.public ?? [], Object.keys(PUBLIC_SLUGS), "public", problems),
    supports: pick<SupportSlug>(v.prise ?? [], Object.keys(SUPPORT_SLUGS), "prise", problems),
    gratuit: v.gratuit === "1" || v.gratuit === "oui" || v.gratuit === "true",
    modalites: pick<ModalitySlug>(v.modalite ?? [], Object.keys(MODALITY_SLUGS), "modalite", problems),
    quand: pick<When>(v.quand ?? [], WHEN_SLUGS, "quand", problems),
    distanceMax: typeof v.distance === "number" ? v.distance : null,
    indispensables: pick<Criterion>(exiger, CRITERIA, "exiger", problems),
  };
  if (v.limite !== undefined) query.limit = v.limite;
  return { communeText: query.commune, query, problems };
}
