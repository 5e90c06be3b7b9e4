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
import { splitList } from "../schema.ts";

export type SourceFormat = "standard" | "france-services" | "data-inclusion";

/** A row mapped to the standard, with a French note for each value that could not be translated. */
export interface MappedRow {
  row: RawRow;
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

/** Services of the v0 schema (15) → the 9 services of v1 (see standard/descriptif-des-evolutions.txt). */
const SERVICES_V0 = new Map([
  ["Devenir autonome dans les démarches administratives", "Aide aux démarches administratives"],
  ["Réaliser des démarches administratives avec un accompagnement", "Aide aux démarches administratives"],
  ["Accompagner les démarches de santé", "Aide aux démarches administratives"],
  ["Prendre en main un smartphone ou une tablette", "Maîtrise des outils numériques du quotidien"],
  ["Prendre en main un ordinateur", "Maîtrise des outils numériques du quotidien"],
  ["Utiliser le numérique au quotidien", "Maîtrise des outils numériques du quotidien"],
  ["Approfondir ma culture numérique", "Compréhension du monde numérique"],
  ["Promouvoir la citoyenneté numérique", "Compréhension du monde numérique"],
  ["Favoriser mon insertion professionnelle", "Insertion professionnelle via le numérique"],
  ["Créer et développer mon entreprise", "Insertion professionnelle via le numérique"],
  ["Accéder à une connexion internet", "Accès internet et matériel informatique"],
  ["Accéder à du matériel", "Accès internet et matériel informatique"],
  ["S'équiper en matériel informatique", "Acquisition de matériel informatique à prix solidaire"],
  ["Créer avec le numérique", "Loisirs et créations numériques"],
  ["Soutenir la parentalité et l'éducation avec le numérique", "Parentalité et éducation avec le numérique"],
]);

/** `labels_nationaux` of v0 → v1's dispositif_programmes_nationaux or formations_labels. */
const LABELS_V0_DISPOSITIFS = new Map([
  ["CNFS", "Conseillers numériques"],
  ["Conseillers numériques", "Conseillers numériques"],
  ["France Services", "France Services"],
  ["Aidants Connect", "Aidants Connect"],
  ["Point numérique CAF", "Point d'accès numérique CAF"],
  ["Grande école du numérique", "Grande école du numérique"],
  ["Promeneurs du net", "Promeneurs du net"],
  ["Emmaüs Connect", "Emmaüs Connect"],
  ["Bibliothèques numériques de référence", "Bibliothèques numérique de référence"],
]);
const LABELS_V0_FORMATIONS = new Map([
  ["SUD LABS", "SUD LABS (PACA)"],
  ["Fabriques de territoire", "Fabriques de Territoire"],
]);
/** `publics_accueillis` of v0 → v1's prise_en_charge_specifique. */
const PUBLICS_V0_PRISE_EN_CHARGE = new Map([
  ["Surdité", "Surdité"],
  ["Handicaps moteurs", "Handicaps moteurs"],
  ["Handicaps mentaux", "Handicaps mentaux"],
  ["Handicaps psychiques", "Handicaps mentaux"],
  ["Déficience visuelle", "Déficience visuelle"],
  ["Personnes en situation d'illettrisme", "Illettrisme"],
  ["Langues étrangères", "Langues étrangères (autres)"],
  ["Public langues étrangères", "Langues étrangères (autres)"],
]);
/** `publics_accueillis` of v0 → v1's publics_specifiquement_adresses, when the place is not for everyone. */
const PUBLICS_V0_ADRESSES = new Map([
  ["Jeunes (16-26 ans)", "Jeunes"],
  ["Seniors (+ 65 ans)", "Seniors"],
  ["Familles/enfants", "Familles et/ou enfants"],
  ["Uniquement femmes", "Femmes"],
  ["Étudiants", "Étudiants"],
]);
const MODALITES_V0 = new Map([
  ["Seul", "En autonomie"],
  ["Avec de l'aide", "Accompagnement individuel"],
  ["Dans un atelier", "Dans un atelier collectif"],
  ["À ma place", "Accompagnement individuel"],
]);

/*
 * The helpers below run for every row of a national file: plain loops, no closure created per row (the
 * validation benchmark compares this path with the official library, see bench/places.ts).
 */

/**
 * A pure translation of an older cell, remembered by its text: a file repeats the same few lists on nearly
 * every row. Bounded (count and length), as the texts come from imported files.
 */
class Remembered<T> {
  private readonly answers = new Map<string, T>();
  constructor(private readonly translate: (text: string) => T) {}

  get(text: string): T {
    let answer = this.answers.get(text);
    if (answer === undefined) {
      answer = this.translate(text);
      if (text.length <= 500 && this.answers.size < 2000) this.answers.set(text, answer);
    }
    return answer;
  }
}

/** `|`-joined values without repeats, in their order. */
function joinUnique(values: string[]): string {
  if (values.length === 1) return values[0] as string;
  const out: string[] = [];
  for (const v of values) if (!out.includes(v)) out.push(v);
  return out.join("|");
}

/** The values of a list cell, each replaced by its translation when it has one, without repeats, `|`-joined. */
function translateList(text: string, table: Map<string, string>): string {
  const values = splitList(text);
  for (let i = 0; i < values.length; i++) {
    const t = table.get(values[i] as string);
    if (t !== undefined) values[i] = t;
  }
  return joinUnique(values);
}

/** The translations of the values that have one (the others dropped), without repeats, `|`-joined. */
function translatedOnly(values: string[], table: Map<string, string>): string {
  const out: string[] = [];
  for (const v of values) {
    const t = table.get(v);
    if (t !== undefined) out.push(t);
  }
  return joinUnique(out);
}

const SERVICES = new Remembered((text) => translateList(text, SERVICES_V0));
const MODALITES = new Remembered((text) => translateList(text, MODALITES_V0));

/** "Gratuit : Je peux accéder gratuitement au lieu et à ses services" → "Gratuit", for each value. */
const FRAIS = new Remembered((text) => {
  const values = splitList(text);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string;
    values[i] = v.split(" : ")[0]?.trim() ?? v;
  }
  return joinUnique(values);
});

/** `labels_nationaux` of v0 → national programmes, labelled trainings, other labels. */
const LABELS = new Remembered((text) => {
  const dispositifs: string[] = [];
  const formations: string[] = [];
  const others: string[] = [];
  for (const v of splitList(text)) {
    const d = LABELS_V0_DISPOSITIFS.get(v);
    const f = LABELS_V0_FORMATIONS.get(v);
    if (d) dispositifs.push(d);
    else if (f) formations.push(f);
    else others.push(v);
  }
  return {
    dispositifs: joinUnique(dispositifs),
    formations: joinUnique(formations),
    others: joinUnique(others),
  };
});

/** `publics_accueillis` of v0 → specific support and, unless the place is for everyone, the publics addressed. */
const PUBLICS = new Remembered((text) => {
  const values = splitList(text);
  return {
    priseEnCharge: translatedOnly(values, PUBLICS_V0_PRISE_EN_CHARGE),
    // "Adultes" among the publics means the place is for everyone: no public is *specifically* addressed.
    adresses: values.includes("Adultes") ? "" : translatedOnly(values, PUBLICS_V0_ADRESSES),
  };
});

/** Sets a field of the mapped row from an older field, unless the row already has a value (v1 wins). */
function fillIfEmpty(row: RawRow, field: string, value: string): void {
  if (value !== "" && (row[field] ?? "").trim() === "") row[field] = value;
}

/**
 * A row of the standard, v1.0.x or older (v0 flat files): fields kept as they are, older fields renamed
 * (`courriel`, `conditions_access`, `labels_nationaux`, `publics_accueillis`, `accessibilite`) and older
 * values translated. A v1 value already present wins over the translation of an older field.
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
  if (src.services) row.services = SERVICES.get(src.services);
  if (src.modalites_accompagnement)
    row.modalites_accompagnement = MODALITES.get(src.modalites_accompagnement);
  fillIfEmpty(row, "courriels", src.courriel ?? "");
  fillIfEmpty(row, "fiche_acces_libre", src.accessibilite ?? "");
  if (src.conditions_access) fillIfEmpty(row, "frais_a_charge", FRAIS.get(src.conditions_access));
  if (src.labels_nationaux) {
    const labels = LABELS.get(src.labels_nationaux);
    fillIfEmpty(row, "dispositif_programmes_nationaux", labels.dispositifs);
    fillIfEmpty(row, "formations_labels", labels.formations);
    fillIfEmpty(row, "autres_formations_labels", labels.others);
  }
  if (src.publics_accueillis) {
    const publics = PUBLICS.get(src.publics_accueillis);
    fillIfEmpty(row, "prise_en_charge_specifique", publics.priseEnCharge);
    fillIfEmpty(row, "publics_specifiquement_adresses", publics.adresses);
  }
  return { row };
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
