/**
 * Coverage and planning, in the vocabulary of shared/PRODUCT.md: how far each commune is from help (the nearest
 * lieu de médiation numérique), who is left without help nearby, and where new places would help most.
 */

import { FRAGILE_THRESHOLD } from "../fragility/model.ts";

/** The 9 services of the national standard (schéma des lieux de médiation numérique v1.0.2), in its order. */
export const SERVICES = [
  "Aide aux démarches administratives",
  "Maîtrise des outils numériques du quotidien",
  "Insertion professionnelle via le numérique",
  "Utilisation sécurisée du numérique",
  "Parentalité et éducation avec le numérique",
  "Loisirs et créations numériques",
  "Compréhension du monde numérique",
  "Accès internet et matériel informatique",
  "Acquisition de matériel informatique à prix solidaire",
] as const;

/** The national programmes (dispositifs) whose reach is measured on its own. */
export const DISPOSITIFS = ["France Services", "Aidants Connect", "Conseillers numériques"] as const;

type Service = (typeof SERVICES)[number];
type Dispositif = (typeof DISPOSITIFS)[number];

/** What "help" means for a distance: any place, a place offering a service, or a place of a dispositif. */
export type Layer =
  | { kind: "tous" }
  | { kind: "service"; name: Service }
  | { kind: "dispositif"; name: Dispositif };

/** The 13 layers measured for every commune: every place, then each service, then each dispositif. */
export const LAYERS: Layer[] = [
  { kind: "tous" },
  ...SERVICES.map((name): Layer => ({ kind: "service", name })),
  ...DISPOSITIFS.map((name): Layer => ({ kind: "dispositif", name })),
];

export const layerKey = (l: Layer): string => (l.kind === "tous" ? "tous" : l.name);
export const layerLabel = (l: Layer): string =>
  l.kind === "tous"
    ? "tout lieu de médiation"
    : l.kind === "service"
      ? `service « ${l.name} »`
      : `dispositif ${l.name}`;

/** A help point: where a place can be reached (an itinerant place counts at its stop, the only one the standard gives). */
export interface HelpPoint {
  lat: number;
  lon: number;
  /** INSEE code of the commune the place is in (null if unresolved). */
  communeCode: string | null;
  services: readonly string[];
  dispositifs: readonly string[];
  itinerant: boolean;
}

/** A commune as coverage needs it. */
export interface CommunePoint {
  code: string;
  name: string;
  lat: number;
  lon: number;
  population: number;
  /** IFN score 0–10 of the chosen method; null when missing. */
  score: number | null;
  /** Urban-unit size class (INSEE TUU2017): 0 = rural commune, 1–8 = urban unit; null when unknown. */
  tuu: number | null;
}

/** Parameters of the measure, all documented defaults. */
export interface CoverageParams {
  /** Road distance ≈ great-circle distance × this factor (1.3 by default: a common approximation in France). */
  detour: number;
  /** Distance (km) within which an urban commune (TUU ≥ 1) is covered. */
  urbanKm: number;
  /** Distance (km) within which a rural commune (TUU = 0 or unknown) is covered. */
  ruralKm: number;
  /** A commune is fragile when its IFN score is at least this (0–10). */
  fragileFrom: number;
}

export const DEFAULT_PARAMS: CoverageParams = {
  detour: 1.3,
  urbanKm: 5,
  ruralKm: 15,
  fragileFrom: FRAGILE_THRESHOLD,
};

/** « 5 km en ville, 15 km à la campagne », from the defaults. */
export const DEFAULT_DISTANCES_TEXT = `${DEFAULT_PARAMS.urbanKm} km en ville, ${DEFAULT_PARAMS.ruralKm} km à la campagne`;

/** The distance (km) within which a commune counts as covered: its own threshold, or one for all. */
export const thresholdOf = (c: Pick<CommunePoint, "tuu">, p: CoverageParams, fixedKm?: number): number =>
  fixedKm ?? (c.tuu !== null && c.tuu >= 1 ? p.urbanKm : p.ruralKm);

/** Coverage figures for a set of communes and one layer. */
export interface CoverageStats {
  layer: string;
  communes: number;
  population: number;
  coveredPopulation: number;
  fragileCommunes: number;
  fragilePopulation: number;
  coveredFragilePopulation: number;
  /** Communes without any place at all for this layer in France (distance null). */
  unreachable: number;
  /** Fragile communes with no place of the layer inside the commune (the seed's "26 %" figure). */
  fragileWithoutInCommune: number;
  /** Fragile communes with no place of the layer within their threshold distance. */
  fragileWithoutNearby: number;
}

/** One commune of the ranked list of gaps. */
export interface Gap {
  code: string;
  name: string;
  population: number;
  score: number;
  /** Road-distance estimate to the nearest place of the layer (km); null when there is none. */
  distanceKm: number | null;
  thresholdKm: number;
}
