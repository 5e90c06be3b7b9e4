/**
 * A lieu de médiation numérique, in the vocabulary of the national standard
 * (« schéma des lieux de médiation numérique » v1.0.2, see standard/schema.json) plus what Maillage adds:
 * a stable internal id, the resolved commune, quality flags and where each record came from.
 */

/** The 32 fields of the standard, in the standard's order (the order of the CSV columns). */
export const STANDARD_FIELDS = [
  "id",
  "pivot",
  "nom",
  "commune",
  "code_postal",
  "code_insee",
  "adresse",
  "complement_adresse",
  "latitude",
  "longitude",
  "typologie",
  "telephone",
  "courriels",
  "site_web",
  "horaires",
  "presentation_resume",
  "presentation_detail",
  "source",
  "itinerance",
  "structure_parente",
  "date_maj",
  "services",
  "publics_specifiquement_adresses",
  "prise_en_charge_specifique",
  "frais_a_charge",
  "dispositif_programmes_nationaux",
  "formations_labels",
  "autres_formations_labels",
  "modalites_acces",
  "modalites_accompagnement",
  "fiche_acces_libre",
  "prise_rdv",
] as const;

export type StandardField = (typeof STANDARD_FIELDS)[number];

/** Fields that hold several values separated by `|` (older files: `;`). */
export const LIST_FIELDS = [
  "typologie",
  "telephone",
  "courriels",
  "site_web",
  "itinerance",
  "services",
  "publics_specifiquement_adresses",
  "prise_en_charge_specifique",
  "frais_a_charge",
  "dispositif_programmes_nationaux",
  "formations_labels",
  "modalites_acces",
  "modalites_accompagnement",
] as const satisfies readonly StandardField[];

type ListField = (typeof LIST_FIELDS)[number];
type NumberField = "latitude" | "longitude";
type RequiredTextField = "id" | "pivot" | "nom" | "commune" | "code_postal" | "adresse" | "date_maj";
type OptionalTextField = Exclude<StandardField, ListField | NumberField | RequiredTextField>;

/** One place exactly as the standard describes it: lists are arrays, absent values are null. */
export type StandardPlace = { [K in RequiredTextField]: string } & {
  [K in OptionalTextField]: string | null;
} & {
  [K in ListField]: string[];
} & { [K in NumberField]: number | null };

/** A row as read from a file: column name → raw text (JSON values are turned into text). */
export type RawRow = Record<string, string>;

/** Where a record came from: the source's name, the file and the line (CSV header = line 1; JSON: rank + 1). */
export interface Provenance {
  source: string;
  file: string;
  line: number;
  /** The producer's own id of the record (standard field `id`). */
  sourceId: string;
}

/** How the commune was found. */
export type CommuneMatch =
  | "code_insee"
  | "code_postal+nom"
  | "code_postal"
  | "code_postal+coordonnees"
  | "nom";

interface PlaceFlags {
  /** Coordinates taken from the commune's reference point because the source had none. */
  approximateCoordinates: boolean;
  /** `horaires` could not be read as OpenStreetMap opening_hours: the original text is kept. */
  unparsedHours: boolean;
}

/** A place in Maillage. */
export interface Place {
  /** Stable internal id: derived from the source name and the producer's id, so a re-import finds it again. */
  id: string;
  /** The standard record (`standard.id` is the producer's id). */
  standard: StandardPlace;
  /** INSEE code of the resolved commune (or arrondissement for Paris, Lyon, Marseille); null if unresolved. */
  communeCode: string | null;
  communeMatch: CommuneMatch | null;
  /** The point Maillage uses: the standard's coordinates, else the commune's point (flagged approximate). */
  location: { lat: number; lon: number } | null;
  flags: PlaceFlags;
  /** Every record this place was built from (more than one after a merge of duplicates). */
  provenance: Provenance[];
}

/** One problem found in a row. Errors reject the row; warnings keep it. */
export interface RowIssue {
  /** Line in the file (CSV: header = line 1); for JSON, the object's rank + 1 (the first object is line 2). */
  line: number;
  field: string;
  value: string;
  /** Machine name of the rule: required, pattern, enum, maxLength, date, number, unique, coordinates, … */
  rule: string;
  /** Plain French, starting with « ligne N, champ X : ». */
  message: string;
  severity: "error" | "warning";
  /** Closest valid value, for an unknown enumeration value. */
  suggestion?: string;
}

/** The SIRET/RNA placeholder that real sources use for "unknown". */
export const UNKNOWN_PIVOT = "00000000000000";

/** A source of places as last imported (the page « Sources des données » lists them). */
export interface ImportedSource {
  source: string;
  /** File name of its last import. */
  file: string;
  importedAt: Date;
  /** Its records still active (not withdrawn by a full import). */
  activeRecords: number;
  /** The most recent `date_maj` (AAAA-MM-JJ) among its active records, when any is known. */
  latestUpdate: string | null;
}
