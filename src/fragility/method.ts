import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import { INDICATORS } from "./indicators.ts";
import type { Method, MissingRule, Normalisation } from "./model.ts";

const NORMALISATIONS = ["none", "deciles", "minmax", "zscore"] as const satisfies readonly Normalisation[];
const MISSING_RULES = [
  "reweight",
  "median-epci",
  "median-departement",
] as const satisfies readonly MissingRule[];

/** The methods shipped with Maillage (src/fragility/methods/*.json). */
export const METHODS_DIR = join(import.meta.dirname, "methods");
export const SHIPPED_METHODS = ["officiel-2023.json", "maillage-2025.json"] as const;

/** One problem in a method file, named by its field (`indicators[2].weight`). */
export interface MethodProblem {
  field: string;
  message: string;
}

/** A method file that cannot be used; the message lists every problem in plain French. */
export class MethodError extends Error {
  constructor(
    readonly file: string,
    readonly problems: MethodProblem[],
  ) {
    super(
      `Méthode « ${file} » invalide : ${problems.map((p) => (p.field ? `champ « ${p.field} » : ${p.message}` : p.message)).join(" ; ")}`,
    );
  }
}

const schema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    label: z.string().min(1),
    description: z.string().default(""),
    indicators: z
      .array(
        z
          .object({
            id: z.string().min(1),
            normalisation: z.enum(NORMALISATIONS),
            weight: z.number(),
          })
          .strict(),
      )
      .min(1),
    missing: z.enum(MISSING_RULES),
  })
  .strict();

const TYPE_NAMES: Record<string, string> = {
  string: "un texte",
  number: "un nombre",
  array: "une liste",
  object: "un objet",
  boolean: "vrai ou faux",
};

const fieldName = (path: PropertyKey[]) =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i > 0 ? "." : ""}${String(p)}`)).join("");

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) v = v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

const show = (v: unknown) => (typeof v === "string" ? `« ${v} »` : JSON.stringify(v));

function frenchIssue(issue: z.core.$ZodIssue, input: unknown): MethodProblem {
  const field = fieldName(issue.path);
  const value = valueAt(input, issue.path);
  if (value === undefined && issue.code !== "unrecognized_keys")
    return { field, message: "champ obligatoire manquant" };
  switch (issue.code) {
    case "invalid_type":
      return {
        field,
        message: `${TYPE_NAMES[issue.expected] ?? issue.expected} est attendu (valeur : ${show(value)})`,
      };
    case "invalid_value":
      return {
        field,
        message: `valeur ${show(value)} inconnue ; valeurs possibles : ${issue.values.map(String).join(", ")}`,
      };
    case "unrecognized_keys":
      return { field, message: `champ(s) inconnu(s) : ${issue.keys.map((k) => `« ${k} »`).join(", ")}` };
    case "too_small":
      return {
        field,
        message: Array.isArray(value) ? "la liste ne doit pas être vide" : "le texte ne doit pas être vide",
      };
    case "invalid_format":
      return {
        field,
        message: `format invalide (valeur : ${show(value)}) ; lettres minuscules, chiffres et tirets attendus`,
      };
    default:
      return { field, message: issue.message };
  }
}

/** JSON with object keys sorted and no spaces: the same method always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Parses and checks a method file's text. Throws a MethodError naming each bad field: bad JSON, unknown
 * field, unknown indicator, unknown normalisation or missing-value rule, negative weight, weights
 * summing to 0, an indicator listed twice, `none` on an indicator that is not already a 0–10 score.
 */
export function parseMethod(text: string, file = "méthode"): Method {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = Number(/position (\d+)/.exec(msg)?.[1] ?? Number.NaN);
    const where = Number.isNaN(pos)
      ? ""
      : ` à la ligne ${text.slice(0, pos).split("\n").length}, colonne ${pos - text.lastIndexOf("\n", pos - 1)}`;
    throw new MethodError(file, [
      { field: "", message: `JSON invalide${where} (le fichier n'est pas du JSON lisible)` },
    ]);
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw new MethodError(
      file,
      parsed.error.issues.map((i) => frenchIssue(i, input)),
    );
  const m = parsed.data;
  const problems: MethodProblem[] = [];
  const seen = new Set<string>();
  m.indicators.forEach((ind, i) => {
    const indicator = INDICATORS[ind.id];
    if (!indicator) {
      problems.push({
        field: `indicators[${i}].id`,
        message: `indicateur inconnu « ${ind.id} » ; indicateurs connus : ${Object.keys(INDICATORS).join(", ")}`,
      });
    } else if (ind.normalisation === "none" && indicator.unit !== "score 0–10") {
      problems.push({
        field: `indicators[${i}].normalisation`,
        message: `« none » ne convient qu'à un score déjà sur 10 ; « ${ind.id} » est en ${indicator.unit} : choisir deciles, minmax ou zscore`,
      });
    }
    if (seen.has(ind.id))
      problems.push({ field: `indicators[${i}].id`, message: `indicateur « ${ind.id} » présent deux fois` });
    seen.add(ind.id);
    if (!Number.isFinite(ind.weight) || ind.weight < 0) {
      problems.push({
        field: `indicators[${i}].weight`,
        message: `le poids doit être un nombre positif ou nul (valeur : ${ind.weight})`,
      });
    }
  });
  const total = m.indicators.reduce((s, ind) => s + Math.max(ind.weight, 0), 0);
  if (total === 0 && !problems.some((p) => p.field.endsWith(".weight"))) {
    problems.push({
      field: "indicators[].weight",
      message: "la somme des poids vaut 0 : au moins un poids doit être positif",
    });
  }
  if (problems.length > 0) throw new MethodError(file, problems);
  const body = {
    id: m.id,
    label: m.label,
    description: m.description,
    indicators: m.indicators.map((i) => ({ id: i.id, normalisation: i.normalisation, weight: i.weight })),
    missing: m.missing,
  };
  return { ...body, version: createHash("sha256").update(canonicalJson(body)).digest("hex") };
}

/** Reads and checks a method file; an unreadable file is a MethodError too. */
export async function readMethodFile(path: string): Promise<Method> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new MethodError(basename(path), [
      { field: "", message: code === "ENOENT" ? "fichier introuvable" : "fichier illisible" },
    ]);
  }
  return parseMethod(text, basename(path));
}
