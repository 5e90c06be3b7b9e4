/** Territories of the French administrative geography (COG 2025), in the vocabulary of PRODUCT.md. */
export type TerritoryKind = "commune" | "arrondissement" | "epci" | "departement" | "region" | "qpv";

export const KIND_LABELS: Record<TerritoryKind, string> = {
  commune: "commune",
  arrondissement: "arrondissement municipal",
  epci: "intercommunalité (EPCI)",
  departement: "département",
  region: "région",
  qpv: "quartier prioritaire (QPV)",
};

/**
 * One territory. `id` is what URLs and APIs use: the INSEE code for a commune or arrondissement,
 * the SIREN for an EPCI, the code for a département (`42`, `2A`, `971`) and `region-<code>` for a région
 * (région and département codes overlap: 11 is both Île-de-France and Aude), and the code for a quartier prioritaire
 * de la politique de la ville (`QN01301M`, 2024 list).
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
  /** For a QPV: the INSEE codes of the current communes it lies in (one to five). Empty for the other kinds. */
  communes: string[];
}

/** A QPV code of the 2024 list (`QN` + département on 3 characters + 2 digits + a letter). */
export const QPV_CODE = /^QN(?:0\d{2}|02[AB]|9[78]\d)\d{2}[A-Z]$/;
/** A QPV code of the 2015 list (`QP` + département on 3 characters + 3 digits), gone since 2024. */
export const OLD_QPV_CODE = /^QP(?:0\d{2}|02[AB]|97\d)\d{3}$/;

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

/**
 * A contrat de ville of the 2015–2023 generation (ANCT, Ci.Ville): carried by an EPCI (SIREN) or a commune (INSEE
 * code). The file gives no list of quartiers per contract.
 */
export interface ContratDeVille {
  code: string;
  name: string;
  /** The carrier: an EPCI's SIREN or a commune's INSEE code (2015–2023 geography). */
  carrier: string;
  departement: string;
  /** Inhabitants of its quartiers prioritaires (RP 2018), as the file gives them; null when absent. */
  qpvPopulation: number | null;
}
