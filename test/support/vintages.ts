/**
 * The expected counts of each shipped data vintage, in one place: when a file of data/ is replaced by a newer
 * vintage, these are the figures to check and update (with the source's own documentation, see data/PROVENANCE.md).
 */

/** COG 2025 (INSEE) with the IGN ADMIN EXPRESS boundaries: territories by kind, as documented in shared/data. */
export const COG_2025 = {
  commune: 34875,
  arrondissement: 45,
  epci: 1255,
  departement: 101,
  region: 18,
  /** Quartiers prioritaires of the 2024 list in the referential's départements (1 584 less 91 in 978 and 987). */
  qpv: 1493,
  /** Communes that have a boundary (a few communes of the COG have none in ADMIN EXPRESS). */
  communeBoundaries: 34868,
} as const;

/** Every territory of the referential (communes, arrondissements, EPCI, départements, régions). */
export const TERRITORIES_2025 =
  COG_2025.commune +
  COG_2025.arrondissement +
  COG_2025.epci +
  COG_2025.departement +
  COG_2025.region +
  COG_2025.qpv;

/** The places shipped in data/ (France Services, conseillers numériques, Hub du Sud), once imported and deduplicated. */
export const SHIPPED_PLACES = {
  active: 8421,
  published: 7652,
  merged: 691,
  toReview: 383,
  /**
   * Records with cells of the older standard (0.1.x) translated on import, each with one « traduit » history entry
   * keeping the original text: every conseillers numériques row (older services), and the Hub du Sud rows with
   * `labels_nationaux` or `publics_accueillis`.
   */
  translated: 4930 + 489,
} as const;

/** Communes and arrondissements with a fragility score (each shipped method). */
export const FRAGILITY_SCORES = 34920;
