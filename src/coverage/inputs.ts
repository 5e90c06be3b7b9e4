/** Reading what people type (service names, plan parameters) into the core's terms, with plain French messages. */
import { DISPOSITIFS, LAYERS, type Layer, layerKey, SERVICES } from "./model.ts";

const fold = (s: string) =>
  s
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

/** Every accepted name of a layer: its exact name, and a short id ("france-services", "aidants-connect"…). */
export function parseLayer(text: string | undefined): Layer | { problem: string } {
  const t = fold(text ?? "");
  if (t === "" || t === "tous" || t === "tout") return { kind: "tous" };
  const found = LAYERS.find((l) => fold(layerKey(l)) === t);
  if (found) return found;
  return {
    problem: `Service inconnu « ${text} ». Choisissez « tous », un des 9 services du référentiel national (${SERVICES.join(
      ", ",
    )}) ou un dispositif (${DISPOSITIFS.join(", ")}).`,
  };
}

/** Greatest radius (km) accepted: beyond it a "site" would serve a whole département and the question is moot. */
export const MAX_RADIUS_KM = 100;
/** Greatest number of sites of a plan. */
export const MAX_SITES = 1000;

/** Checks the plan's numbers; null when they make sense. */
export function planProblem(sites: number, radiusKm: number, candidates: number): string | null {
  if (!Number.isInteger(sites) || sites < 1)
    return "Le nombre de sites doit être un nombre entier d'au moins 1.";
  if (sites > MAX_SITES) return `Le nombre de sites est limité à ${MAX_SITES}.`;
  if (!Number.isFinite(radiusKm) || radiusKm <= 0)
    return "Le rayon doit être un nombre de kilomètres supérieur à 0.";
  if (radiusKm > MAX_RADIUS_KM)
    return `Un rayon de ${String(radiusKm).replace(".", ",")} km n'a pas de sens pour un lieu de proximité : choisissez au plus ${MAX_RADIUS_KM} km.`;
  if (candidates === 0) return "Il n'y a aucune commune candidate où placer un site.";
  if (sites > candidates)
    return `Vous demandez ${sites} sites, mais il n'y a que ${candidates} commune${candidates > 1 ? "s" : ""} candidate${candidates > 1 ? "s" : ""} : demandez-en ${candidates} au plus.`;
  return null;
}

/**
 * Reads a candidate file: INSEE codes separated by new lines, commas or semicolons (a CSV whose first column is
 * the code works; a header line "code…" is skipped). Returns the codes in file order, without duplicates.
 */
export function parseCandidateCodes(text: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const line of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    for (const cell of line.split(/[;,\t]/).slice(0, 1)) {
      const code = cell.trim().replace(/^"|"$/g, "").toUpperCase();
      if (code === "" || /^CODE|^INSEE|^COM/i.test(code)) continue;
      if (!seen.has(code)) {
        seen.add(code);
        out.push(code);
      }
    }
  }
  return out;
}
