/**
 * Indice de fragilité numérique (IFN): indicators, methods, scores, explanations, aggregates,
 * in the vocabulary of shared/PRODUCT.md. A score runs from 0 to 10; 10 = most fragile.
 */

/** Which way an indicator points: does a higher raw value mean a more fragile commune? */
export type Direction = "higher-is-more-fragile" | "lower-is-more-fragile";

/** One statistic per commune, described as data. */
export interface Indicator {
  /** Stable identifier used in method files (`ifn_thd`, `revenu_median`…). */
  id: string;
  /** Label for people, in French ("Revenu médian"). */
  label: string;
  /** What makes a commune fragile on this indicator, as a French noun phrase with its article, used in
   * explanations: "l'absence de très haut débit", "le faible revenu médian". */
  cause: string;
  /** Publisher, dataset and vintage ("INSEE, Filosofi 2021"). */
  source: string;
  /** The data file it is read from, relative to the data folder. */
  file: string;
  /** Unit of the raw value ("€", "%", "score 0–10", "hab./km²", "tranche"). */
  unit: string;
  direction: Direction;
}

/**
 * The raw values of one indicator, keyed by INSEE code (commune or arrondissement municipal).
 * A code present with `null` is a known commune whose value is missing (secret `s`, `nd`, empty cell,
 * division by zero); a code absent from the map has no row in the file. Missing is never 0.
 */
export interface IndicatorValues {
  indicator: Indicator;
  values: Map<string, number | null>;
}

/** What reading an indicator file found, for people to check (never a crash for bad cells). */
export interface ReadReport {
  file: string;
  rows: number;
  /** Cells whose value is missing, by reason: `s` (secret statistique), `nd`, empty, zero denominator. */
  missing: Record<string, number>;
  /** Cells that could not be read as a number (kept as missing), with their line. */
  invalid: { line: number; field: string; value: string }[];
  /** Rows whose code was already seen (the first row is kept). */
  duplicateRows: number;
  /** Repeated rows whose values differ from the first one (first kept), with their line. */
  conflictingDuplicates: { code: string; line: number }[];
  /** Codes that are neither a COG 2025 commune or arrondissement nor a known former commune (or malformed). */
  unknownCodes: string[];
  /**
   * Former communes' codes (COG rule) and the current commune they belong to; `used` when their values stood in
   * for a current commune without a row of its own.
   */
  formerCodes: { code: string; current: string; used: boolean }[];
  /** Rows skipped on purpose (e.g. communes déléguées that repeat their parent), by reason. */
  skipped: Record<string, number>;
}

/** How an indicator's raw values become a 0–10 score (10 = most fragile). */
export type Normalisation =
  /** The value already is a 0–10 score (the official IFN sub-scores): used as is. */
  | "none"
  /** National decile of the value, 1 to 10, oriented by the direction (as the official IFN does). */
  | "deciles"
  /** 10 × (v − min) / (max − min) over the nation, oriented by the direction. */
  | "minmax"
  /** 5 + 2 × z (z = (v − mean) / standard deviation, oriented), clipped to 0–10. */
  | "zscore";

/**
 * What to do when a commune lacks a value:
 * - `reweight`: score over the indicators available, their weights re-scaled to sum to 1;
 * - `median-epci`: take the median raw value of the other communes of its EPCI (else of its
 *   département, else re-weight), flagged on the result;
 * - `median-departement`: the same with the département.
 */
export type MissingRule = "reweight" | "median-epci" | "median-departement";

interface MethodIndicator {
  id: string;
  normalisation: Normalisation;
  weight: number;
}

/** A method, as read from its JSON file and validated. */
export interface Method {
  id: string;
  label: string;
  description: string;
  indicators: MethodIndicator[];
  missing: MissingRule;
  /** sha256 of the canonical JSON of the method (keys sorted, no spaces): its version. */
  version: string;
}

/** How the value of one indicator was obtained for one commune. */
export type ValueStatus = "observed" | "imputed-epci" | "imputed-departement" | "missing";

export interface IndicatorPart {
  indicator: string;
  /** Raw value used (observed or imputed); null when missing. */
  raw: number | null;
  status: ValueStatus;
  /** 0–10 score of this indicator; null when missing. */
  normalised: number | null;
  /** Weight as written in the method. */
  weight: number;
  /** Weight actually applied (0 when missing; re-scaled so that the applied weights sum to 1). */
  effectiveWeight: number;
  /** effectiveWeight × normalised: the contributions sum to the score. */
  contribution: number;
}

/** The minimum a commune needs to be scored and aggregated (a subset of territories' Territory). */
export interface CommuneRef {
  code: string;
  kind: "commune" | "arrondissement";
  population: number | null;
  epci: string | null;
  departement: string | null;
  region: string | null;
  /** For an arrondissement municipal: its commune (75056, 69123, 13055). */
  parent: string | null;
}

export interface CommuneScore {
  code: string;
  kind: "commune" | "arrondissement";
  /** 0–10, 10 = most fragile; null when no indicator is available. */
  score: number | null;
  parts: IndicatorPart[];
  /** Indicators whose value was imputed (EPCI or département median). */
  imputed: string[];
  /** Indicators left out for lack of a value (re-weighted over the others). */
  missing: string[];
}

export type AggregateLevel = "epci" | "departement" | "region";

/** Population-weighted mean of the communes' scores over one territory. */
export interface TerritoryAggregate {
  level: AggregateLevel;
  code: string;
  communes: number;
  scoredCommunes: number;
  /** Population of all its communes (COG 2025). */
  population: number;
  /** Population of the communes that have a score. */
  scoredPopulation: number;
  /** Population-weighted mean score; null when no commune with a population has a score. */
  score: number | null;
  /** Share (0–1) of the scored population living in a commune scored ≥ 7. */
  shareAtLeast7: number | null;
  /** Population-weighted mean of each indicator's normalised score. */
  indicators: Record<string, number | null>;
}

/** One line of an explanation: where a commune stands on one indicator. */
export interface ExplanationLine {
  indicator: string;
  label: string;
  unit: string;
  raw: number | null;
  status: ValueStatus;
  /** Share (0–100) of French communes with a lower raw value (ties count half); null when missing. */
  nationalPercentile: number | null;
  /** The same within the commune's département. */
  departementPercentile: number | null;
  normalised: number | null;
  weight: number;
  effectiveWeight: number;
  contribution: number;
}

export interface Explanation {
  code: string;
  method: { id: string; version: string };
  score: number | null;
  lines: ExplanationLine[];
  /** One plain-French sentence: "Score 7,8/10, surtout à cause de …". */
  summary: string;
}

/** A computed method as stored: its version (id + content hash) and when it was computed. */
export interface StoredMethod {
  version: string;
  id: string;
  label: string;
  description: string;
  /** The ids of its indicators, in the method's order. */
  indicators: string[];
  inputsHash: string;
  computedAt: Date;
}

/** A commune is called fragile from this score on (the « score de 7 ou plus » of the pages and aggregates). */
export const FRAGILE_THRESHOLD = 7;
