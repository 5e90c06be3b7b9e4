/** Territories of the French administrative geography (COG 2025), in the vocabulary of PRODUCT.md. */
export type TerritoryKind = "commune" | "arrondissement" | "epci" | "departement" | "region";

export const KIND_LABELS: Record<TerritoryKind, string> = {
  commune: "commune",
  arrondissement: "arrondissement municipal",
  epci: "intercommunalité (EPCI)",
  departement: "département",
  region: "région",
};

/**
 * One territory. `id` is what URLs and APIs use: the INSEE code for a commune or arrondissement,
 * the SIREN for an EPCI, the code for a département (`42`, `2A`, `971`) and `region-<code>` for a région
 * (région and département codes overlap: 11 is both Île-de-France and Aude).
 */
export interface Territory {
  id: string;
  kind: TerritoryKind;
  code: string;
  name: string;
  /** Municipal population (INSEE, as in COG 2025); null when unknown. */
  population: number | null;
  /** Code of the département (communes, arrondissements, départements). */
  departement: string | null;
  /** Code of the région (all but EPCI, which may straddle régions). */
  region: string | null;
  /** SIREN of the EPCI (communes only; null for the 4 island communes outside any EPCI). */
  epci: string | null;
  /** For an arrondissement municipal: INSEE code of its commune (Paris, Lyon, Marseille). */
  parent: string | null;
  /** For an EPCI: CC, CA, CU, METRO or MET69. */
  epciType: string | null;
  /** Reference point (communes and arrondissements): La Poste point, else a point inside the polygon. */
  lat: number | null;
  lon: number | null;
  /** Postcodes (La Poste), communes and arrondissements only. */
  postcodes: string[];
  /** Former communes now part of this one (mergers, communes déléguées): their INSEE codes and names. */
  formerCodes: string[];
  formerNames: string[];
}

export const regionId = (code: string) => `region-${code}`;

/** A boundary in WGS84 (GeoJSON geometry). */
export interface Geometry {
  type: "Polygon" | "MultiPolygon";
  coordinates: number[][][] | number[][][][];
}

export const EPCI_TYPE_LABELS: Record<string, string> = {
  CC: "communauté de communes",
  CA: "communauté d'agglomération",
  CU: "communauté urbaine",
  METRO: "métropole",
  MET69: "métropole de Lyon",
};
