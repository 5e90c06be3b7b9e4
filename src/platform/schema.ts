/**
 * The schema layer of every route: zod schemas declared at the route (querystring, params, body, responses)
 * validate the requests, and @fastify/swagger turns them into the OpenAPI document of the JSON API.
 *
 * Bad input is refused here, once for every route: a repeated parameter where one value is expected, a text
 * longer than its maximum, a number out of its bounds… Each zod issue becomes one plain French sentence naming
 * the parameter (`frenchIssue`, used by the validator of `http.ts`), and the request is answered by the error
 * handler of `http.ts` (problem+json under /api/, a French error page elsewhere).
 */
import { z } from "zod";

/** The part of a request a schema checks. */
export type Part = "querystring" | "params" | "body" | "headers";

const nf = new Intl.NumberFormat("fr-FR");
const num = (n: number | bigint) => nf.format(n).replace(/\u202f/g, " ");

/** The value of a request part at a zod issue's path (the raw value, before any coercion). */
export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** A value as people typed it (a query's object has no prototype: String() would throw on it). */
const shown = (v: unknown): string =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean"
    ? String(v)
    : Array.isArray(v)
      ? v.map(shown).join(", ")
      : "…";
const quoted = (v: unknown) => `« ${shown(v).slice(0, 60)} »`;

export const repeated = (field: string, values: unknown[]) =>
  `${field} : une seule valeur attendue (le paramètre est donné ${values.length} fois).`;

const TYPES: Record<string, string> = {
  number: "un nombre",
  int: "un nombre entier",
  string: "un texte",
  boolean: "true ou false",
  object: "un objet JSON",
  array: "une liste",
};

/** One zod issue in plain French, naming the parameter or field (`data` is the raw request part). */
export function frenchIssue(iss: z.core.$ZodRawIssue, data: unknown, part: Part): string {
  const path = iss.path ?? [];
  const name = path.filter((k) => typeof k === "string").join(".");
  // Inside a union, zod calls this with the path relative to the union: take the value it gives.
  const raw = path.length > 0 ? valueAt(data, path) : "input" in iss ? iss.input : data;
  const field = name || (part === "body" ? "Le corps de la demande" : "La demande");
  switch (iss.code) {
    case "invalid_type": {
      if (part === "querystring" && Array.isArray(raw) && iss.expected !== "array")
        return repeated(field, raw);
      if (raw === undefined || raw === null)
        return part === "body" && !name
          ? "Le corps de la demande doit être un objet JSON."
          : `${field} : ${part === "body" ? "champ" : "paramètre"} obligatoire.`;
      return `${field} doit être ${TYPES[iss.expected] ?? iss.expected}.`;
    }
    case "too_big": {
      const max = num(iss.maximum);
      if (iss.origin === "string")
        return `${field} est trop long (${num(shown(raw).length)} caractères) : ${max} caractères au plus.`;
      if (iss.origin === "array" || iss.origin === "set") return `${field} : ${max} valeurs au plus.`;
      return iss.inclusive === false
        ? `${field} doit être inférieur à ${max}.`
        : `${field} vaut ${max} au plus.`;
    }
    case "too_small": {
      const min = num(iss.minimum);
      if (iss.origin === "string")
        return Number(iss.minimum) <= 1
          ? `${field} ne peut pas être vide.`
          : `${field} : ${min} caractères au moins.`;
      if (iss.origin === "array" || iss.origin === "set") return `${field} : ${min} valeurs au moins.`;
      if (iss.inclusive === false) return `${field} doit être supérieur à ${min}.`;
      return Number(iss.minimum) === 0
        ? `${field} ne peut pas être négatif.`
        : `${field} doit valoir au moins ${min}.`;
    }
    case "invalid_value":
      return `${field} : valeur inconnue ${quoted(raw)}. Valeurs possibles : ${iss.values.map(String).join(", ")}.`;
    case "invalid_format":
      return `${field} : format incorrect ${quoted(raw)}.`;
    case "invalid_union":
      // A query's array is a repeated parameter (lists of the query are arrays of strings: never refused here).
      if (part === "querystring" && Array.isArray(raw)) return repeated(field, raw);
      return `${field} : valeur incorrecte ${quoted(raw)}.`;
    case "unrecognized_keys":
      return `${field} : champ${iss.keys.length > 1 ? "s" : ""} inconnu${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map(quoted).join(", ")}.`;
    case "invalid_key":
    case "invalid_element":
      return `${field} : clé incorrecte.`;
    case "not_multiple_of":
      return `${field} doit être un multiple de ${num(Number(iss.divisor))}.`;
    default:
      return `${field} : valeur incorrecte.`;
  }
}

/** A territory that a typed name may mean (`candidateJson` of src/territories/resolve.ts). */
const territoryCandidate = z.object({
  id: z.string(),
  type: z.string(),
  nom: z.string(),
  libelle: z
    .string()
    .describe("Le nom, avec le département quand d'autres portent le même : « Saint-Martin (Gers) »."),
  precision: z.string().describe("Ce qui le distingue : « commune · Gers (32) · 434 habitants »."),
});

/** RFC 9457 problem details, as `sendProblem` writes them. */
const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe("Le problème, en français."),
    candidats: z
      .array(territoryCandidate)
      .optional()
      .describe("Quand le territoire donné est ambigu : ceux qu'il peut désigner (« Laquelle ? »)."),
    suggestions: z
      .array(territoryCandidate)
      .optional()
      .describe("Quand aucun territoire ne porte ce nom : les noms proches."),
  })
  .describe("application/problem+json");

/** A problem response (4xx, 5xx) of a route, with what it means in French. */
export const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: problemSchema } },
});

/** A problem response whose body carries extension members of its own (RFC 9457), e.g. a machine-readable reason. */
export const problemWith = (description: string, extra: z.ZodRawShape) => ({
  description,
  content: { "application/problem+json": { schema: problemSchema.extend(extra) } },
});

// Query helpers: every text has a maximum length; numbers come as text and are read as numbers.

/** Optional text of a query. */
export const text = (max: number, description: string) =>
  z.string().max(max).optional().describe(description);

/** An integer from a query, with its bounds and default. */
export const integer = (min: number, max: number, dflt: number, description: string) =>
  z.coerce.number().int().min(min).max(max).default(dflt).describe(description);

/**
 * A message set on a schema for a wrong or missing value only (`z.string(typeMessage("…"))`): the other issues
 * (too long, out of bounds) keep their French sentence from the schema layer.
 */
export const typeMessage = (message: string) => ({
  error: (iss: { code: string }) => (iss.code === "invalid_type" ? message : undefined),
});
