/** Words and links shared by the places' pages, API and commands. */

import { z } from "zod";
import { type Day, parseDay } from "../platform/clock.ts";
import type { Territory } from "../territories/model.ts";
import type { Referential } from "../territories/referential.ts";
import type { Place } from "./model.ts";
import { STANDARD } from "./schema.ts";

export const placeUrl = (id: string) => `/lieux/${encodeURIComponent(id)}`;

/** The standard's 9 services, in its order. */
export const SERVICES: string[] = STANDARD.byName.get("services")?.enumeration ?? [];

/** The values of the other list filters of `/lieux` and the API, in the standard's order. */
export const PUBLICS: string[] = STANDARD.byName.get("publics_specifiquement_adresses")?.enumeration ?? [];
export const FRAIS: string[] = STANDARD.byName.get("frais_a_charge")?.enumeration ?? [];
export const MODALITES: string[] = STANDARD.byName.get("modalites_accompagnement")?.enumeration ?? [];

/** Names shown for the shipped sources. */
export const SOURCE_LABELS: Record<string, string> = {
  "france-services": "France Services (ANCT), liste du 1er août 2024",
  "conseillers-numeriques": "Lieux des conseillers numériques (ANCT), décembre 2022",
  "hub-du-sud": "Hub du Sud (Provence-Alpes-Côte d'Azur), mai 2023",
};

/**
 * The update date a source gives (`date_maj`) as a day, or null when it gives none: empty, not a date, or the
 * epoch (1970-01-01), which some producers write for a missing date (99 places of the Hub du Sud 2023).
 */
export function knownUpdateDay(dateMaj: string): Day | null {
  // parseDay refuses years before 2000: the epoch too.
  return parseDay(String(dateMaj ?? "").slice(0, 10));
}

/** Whole months from a place's update date to `today` (both AAAA-MM-JJ), or null when it gives no date. */
export function monthsSince(dateMaj: string, today: Day): number | null {
  const day = knownUpdateDay(dateMaj);
  if (!day) return null;
  const [y1, m1, d1] = day.split("-").map(Number) as [number, number, number];
  const [y2, m2, d2] = today.split("-").map(Number) as [number, number, number];
  const months = (y2 - y1) * 12 + (m2 - m1) - (d2 < d1 ? 1 : 0);
  return Math.max(0, months);
}

/**
 * The INSEE codes a place of this territory can carry: its communes and, for Paris, Lyon and Marseille, their
 * arrondissements (places are resolved to the arrondissement when the postcode says which).
 */
export function territoryCodes(ref: Referential, t: Territory): string[] {
  if (t.kind === "arrondissement") return [t.id];
  const codes: string[] = [];
  for (const c of ref.communesOf(t)) {
    codes.push(c.id);
    for (const a of ref.childrenOf(c.id)) if (a.kind === "arrondissement") codes.push(a.id);
  }
  return codes;
}

/** "12 rue Voltaire, 42000 Saint-Étienne". */
export function addressLine(p: Place): string {
  const s = p.standard;
  return [s.adresse, s.complement_adresse, `${s.code_postal} ${s.commune}`].filter(Boolean).join(", ");
}

/** The place as the JSON API shows it in a list. */
/** A place as lists show it (`placeSummaryJson`). */
export const placeSummarySchema = z.object({
  id: z.string().describe("Identifiant Maillage du lieu."),
  nom: z.string(),
  adresse: z.string(),
  complementAdresse: z.string().nullable(),
  codePostal: z.string(),
  commune: z.string(),
  codeInsee: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  coordonneesApproximatives: z.boolean(),
  services: z.array(z.string()),
  horaires: z.string().nullable().describe("Horaires au format OpenStreetMap opening_hours."),
  telephone: z.array(z.string()),
  url: z.string(),
});

export function placeSummaryJson(p: Place): z.infer<typeof placeSummarySchema> {
  const s = p.standard;
  return {
    id: p.id,
    nom: s.nom,
    adresse: s.adresse,
    complementAdresse: s.complement_adresse,
    codePostal: s.code_postal,
    commune: s.commune,
    codeInsee: p.communeCode,
    latitude: p.location?.lat ?? null,
    longitude: p.location?.lon ?? null,
    coordonneesApproximatives: p.flags.approximateCoordinates,
    services: s.services,
    horaires: s.horaires,
    telephone: s.telephone,
    url: placeUrl(p.id),
  };
}
