/**
 * Mapping of each real source to the standard's fields (raw text, validated afterwards):
 * - the standard v1.0.x (CSV or JSON), including older flat files in the v0 style (the CNFS 2022 JSON,
 *   the PACA hub 2023 JSON): their renamed fields and older values are translated to v1.0.2;
 * - France Services (ANCT CSV), whose per-day hours become an OSM opening_hours value;
 * - data·inclusion structures (JSON), see data-inclusion.ts.
 */
import { looksLikeDataInclusion } from "../data-inclusion.ts";
import { dayColumnsToOpeningHours } from "../hours.ts";
import { type RawRow, STANDARD_FIELDS, UNKNOWN_PIVOT } from "../model.ts";
import { STANDARD } from "../schema.ts";
import { type OlderNote, OlderVocabularies, olderUrlList } from "../standard/v0.ts";

export type SourceFormat = "standard" | "france-services" | "data-inclusion";

/** A row mapped to the standard, with a note for each cell of an older vintage that was translated. */
export interface MappedRow {
  row: RawRow;
  /** The cells of the older standard (0.1.x) that were translated: warnings, and the record's history. */
  older?: OlderNote[];
  /** Set when the source's hours could not be turned into OSM syntax (the original text is kept). */
  hoursUnparsed?: boolean;
}

/** The format of a source from its columns (CSV header, or keys of the first JSON object). */
export function detectSourceFormat(columns: string[]): SourceFormat | null {
  const has = (c: string) => columns.includes(c);
  if (has("id_fs") && has("lib_fs") && has("h_lundi")) return "france-services";
  if (looksLikeDataInclusion(columns)) return "data-inclusion";
  if (has("id") && has("nom") && (has("adresse") || has("commune"))) return "standard";
  return null;
}

/** The older vocabularies (standard 0.1.x), translated with the current standard's values (schema.json). */
const OLDER = new OlderVocabularies((field) => STANDARD.byName.get(field)?.enumeration ?? []);

/**
 * A row of the standard, v1.0.x or older (v0 flat files): fields kept as they are, older fields renamed
 * (`courriel`, `accessibilite`, `labels_autres`) and the older vocabularies translated (standard/v0.ts), each
 * translated cell noted for the import's warnings and the record's history. A v1 value already present wins over
 * the translation of an older field.
 */
export function mapStandard(src: RawRow): MappedRow {
  // One object literal with the 32 fields in the standard's order: every row gets the same fast shape.
  const row: RawRow = {
    id: src.id ?? "",
    pivot: src.pivot ?? "",
    nom: src.nom ?? "",
    commune: src.commune ?? "",
    code_postal: src.code_postal ?? "",
    code_insee: src.code_insee ?? "",
    adresse: src.adresse ?? "",
    complement_adresse: src.complement_adresse ?? "",
    latitude: src.latitude ?? "",
    longitude: src.longitude ?? "",
    typologie: src.typologie ?? "",
    telephone: src.telephone ?? "",
    courriels: src.courriels ?? "",
    site_web: src.site_web ?? "",
    horaires: src.horaires ?? "",
    presentation_resume: src.presentation_resume ?? "",
    presentation_detail: src.presentation_detail ?? "",
    source: src.source ?? "",
    itinerance: src.itinerance ?? "",
    structure_parente: src.structure_parente ?? "",
    date_maj: src.date_maj ?? "",
    services: src.services ?? "",
    publics_specifiquement_adresses: src.publics_specifiquement_adresses ?? "",
    prise_en_charge_specifique: src.prise_en_charge_specifique ?? "",
    frais_a_charge: src.frais_a_charge ?? "",
    dispositif_programmes_nationaux: src.dispositif_programmes_nationaux ?? "",
    formations_labels: src.formations_labels ?? "",
    autres_formations_labels: src.autres_formations_labels ?? "",
    modalites_acces: src.modalites_acces ?? "",
    modalites_accompagnement: src.modalites_accompagnement ?? "",
    fiche_acces_libre: src.fiche_acces_libre ?? "",
    prise_rdv: src.prise_rdv ?? "",
  };
  // The older standard separated URLs with commas: a rare case, looked for only when a comma is there.
  const site = src.site_web;
  if (site?.includes(",")) row.site_web = olderUrlList(site);
  fillIfEmpty(row, "courriels", src.courriel ?? "");
  fillIfEmpty(row, "fiche_acces_libre", src.accessibilite ?? "");
  const older = OLDER.apply(src, row);
  return older.length > 0 ? { row, older } : { row };
}

/** Sets a field of the mapped row from an older field, unless the row already has a value (v1 wins). */
function fillIfEmpty(row: RawRow, field: string, value: string): void {
  if (value !== "" && (row[field] ?? "").trim() === "") row[field] = value;
}

const FS_DAYS = ["h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi", "h_samedi"];

/** Country calling code of a French département's phone numbers. */
function callingCode(dep: string): string {
  if (dep === "971" || dep === "977" || dep === "978") return "+590";
  if (dep === "972") return "+596";
  if (dep === "973") return "+594";
  if (dep === "974" || dep === "976") return "+262";
  if (dep === "975") return "+508";
  return "+33";
}

/** "04 50 56 87 49" → "+33450568749" (the standard's international format); other texts unchanged. */
function internationalPhone(text: string, departement: string): string {
  const digits = text.replace(/[\s.\-/]/g, "");
  if (/^0\d{9}$/.test(digits)) return `${callingCode(departement)}${digits.slice(1)}`;
  return text.trim();
}

/**
 * A row of the France Services list (ANCT). The list has no SIRET (pivot set to the placeholder the
 * national sources use for "unknown"), no update date (`dateMaj`: the list's date) and offers help with
 * administrative procedures, the France Services mission.
 */
export function mapFranceServices(src: RawRow, dateMaj: string): MappedRow {
  const dep = src.insee_dep ?? "";
  const hours = dayColumnsToOpeningHours(FS_DAYS.map((d) => src[d]));
  const itinerant = src.format_fs === "Bus_équivalent" || src.format_fs === "Itinérante";
  const row: RawRow = {
    id: src.id_fs ?? "",
    pivot: UNKNOWN_PIVOT,
    nom: src.lib_fs ?? "",
    commune: src.lib_com ?? "",
    code_postal: src.code_postal ?? "",
    code_insee: src.insee_com ?? "",
    adresse: src.adresse ?? "",
    complement_adresse: src.complement_adresse ?? "",
    latitude: src.latitude ?? "",
    longitude: src.longitude ?? "",
    telephone: internationalPhone(src.telephone ?? "", dep),
    courriels: src.mail ?? "",
    horaires: hours.ok ? (hours.value ?? "") : hours.original,
    presentation_detail: src.commentaire ?? "",
    source: "France Services (ANCT)",
    itinerance: src.format_fs ? (itinerant ? "Itinérant" : "Fixe") : "",
    structure_parente: src.groupe_fs ?? "",
    date_maj: dateMaj,
    services: "Aide aux démarches administratives",
    dispositif_programmes_nationaux: "France Services",
  };
  for (const f of STANDARD_FIELDS) row[f] ??= "";
  return hours.ok ? { row } : { row, hoursUnparsed: true };
}

/** The date in a file name such as france-services-2024-08-01.csv, for sources without an update date. */
export function dateFromFileName(name: string): string | null {
  return /(\d{4}-\d{2}-\d{2})/.exec(name)?.[1] ?? null;
}
