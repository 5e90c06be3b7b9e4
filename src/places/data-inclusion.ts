/**
 * data·inclusion, the national schema of the « structures » of social and digital inclusion: export of our places
 * as structures (streamed JSON array) and mapping of structures back to the standard of the lieux de médiation
 * numérique. The correspondences are those of the official library `@gouvfr-anct/lieux-de-mediation-numerique`
 * (transfer/schema-data-inclusion), reimplemented here on our model:
 * - services ⇄ `thematiques` (`numerique--…`), dispositifs and formations/labels ⇄ `labels_nationaux` slugs,
 *   `autres_formations_labels` ⇄ `labels_autres`, `horaires` ⇄ `horaires_ouverture`, `fiche_acces_libre` ⇄
 *   `accessibilite`, `pivot` ⇄ `siret` (or `rna`);
 * - data·inclusion keeps one `typologie`, one `telephone`, one `courriel` and one `site_web`: the first is exported;
 *   `presentation_resume` is cut at 280 characters;
 * - a structure carries no frais, publics, modalités or itinérance (those belong to data·inclusion « services »):
 *   they are not exported; on import, they are read when a file has them (`frais`, `profils`, `types`,
 *   `modes_accueil`, `modes_orientation_*`, `prise_rdv`).
 * Values with no correspondence are left out, as the library does.
 */

import type { MappedRow } from "./import/sources.ts";
import { withSafeLinks } from "./links.ts";
import { type Place, type RawRow, type StandardPlace, UNKNOWN_PIVOT } from "./model.ts";
import { splitList } from "./schema.ts";

/** A data·inclusion structure (the fields Maillage writes; every optional field is left out when empty). */
export interface DataInclusionStructure {
  id: string;
  nom: string;
  siret?: string;
  rna?: string;
  typologie?: string;
  structure_parente?: string;
  accessibilite?: string;
  thematiques: string[];
  commune: string;
  code_postal: string;
  code_insee?: string;
  adresse: string;
  complement_adresse?: string;
  date_maj: string;
  source?: string;
  latitude?: number;
  longitude?: number;
  telephone?: string;
  courriel?: string;
  site_web?: string;
  presentation_resume?: string;
  presentation_detail?: string;
  horaires_ouverture?: string;
  labels_nationaux?: string[];
  labels_autres?: string[];
}

/** Services of the standard → data·inclusion thematiques (several per service). */
const SERVICE_THEMATIQUES: Record<string, string[]> = {
  "Acquisition de matériel informatique à prix solidaire": ["numerique--s-equiper-en-materiel-informatique"],
  "Aide aux démarches administratives": [
    "numerique--realiser-des-demarches-administratives-avec-un-accompagnement",
    "numerique--devenir-autonome-dans-les-demarches-administratives",
    "numerique--accompagner-les-demarches-de-sante",
  ],
  "Maîtrise des outils numériques du quotidien": [
    "numerique--prendre-en-main-un-smartphone-ou-une-tablette",
    "numerique--prendre-en-main-un-ordinateur",
    "numerique--utiliser-le-numerique-au-quotidien",
  ],
  "Insertion professionnelle via le numérique": [
    "numerique--favoriser-mon-insertion-professionnelle",
    "numerique--creer-et-developper-mon-entreprise",
  ],
  "Parentalité et éducation avec le numérique": [
    "numerique--soutenir-la-parentalite-et-l-education-avec-le-numerique",
  ],
  "Loisirs et créations numériques": ["numerique--creer-avec-le-numerique"],
  "Compréhension du monde numérique": [
    "numerique--approfondir-ma-culture-numerique",
    "numerique--promouvoir-la-citoyennete-numerique",
  ],
  "Accès internet et matériel informatique": [
    "numerique--acceder-a-une-connexion-internet",
    "numerique--acceder-a-du-materiel",
  ],
};
const THEMATIQUE_SERVICE = new Map(
  Object.entries(SERVICE_THEMATIQUES).flatMap(([service, thems]) => thems.map((t) => [t, service] as const)),
);

const DISPOSITIF_LABELS: Record<string, string> = {
  "Aidants Connect": "aidants-connect",
  "Conseillers numériques": "conseiller-numerique",
  "France Services": "france-service",
  "Grande école du numérique": "grandes-ecoles-du-numerique",
  "Point d'accès numérique CAF": "caf",
};
const FORMATION_LABELS: Record<string, string> = {
  "Formé à « Mon Espace Santé »": "mon-espace-sante",
  "Formé à « DUPLEX » (illettrisme)": "duplex",
  "Arnia/MedNum BFC (Bourgogne-Franche-Comté)": "arnia",
  "Collectif ressources et acteurs réemploi (Normandie)": "ressources-reemploi",
  "Étapes numériques(La Poste)": "etapes-numeriques",
  "Fabriques de Territoire": "fabrique-de-territoire",
  "Les Éclaireurs du numérique (Drôme)": "les-eclaireurs",
  "Mes Papiers (Métropole de Lyon)": "mes-papiers",
  "ORDI 3.0": "ordi-3",
  "SUD LABS (PACA)": "sud-labs",
};
const invert = (m: Record<string, string>) => new Map(Object.entries(m).map(([k, v]) => [v, k]));
const LABEL_DISPOSITIF = invert(DISPOSITIF_LABELS);
const LABEL_FORMATION = invert(FORMATION_LABELS);

/** data·inclusion `frais` → the standard's frais_a_charge. */
const FRAIS: Record<string, string> = {
  gratuit: "Gratuit",
  "gratuit-sous-conditions": "Gratuit sous condition",
  payant: "Payant",
  adhesion: "Payant",
  "pass-numerique": "Gratuit sous condition",
};
const PROFIL_PUBLIC: Record<string, string> = {
  "jeunes-16-26": "Jeunes",
  "familles-enfants": "Familles et/ou enfants",
  "seniors-65": "Seniors",
  femmes: "Femmes",
};
const PROFIL_PRISE_EN_CHARGE: Record<string, string> = {
  surdite: "Surdité",
  "handicaps-mentaux": "Handicaps mentaux",
  "personnes-en-situation-illettrisme": "Illettrisme",
  "public-langues-etrangeres": "Langues étrangères (autres)",
  "deficience-visuelle": "Déficience visuelle",
};
const TYPE_MODALITE: Record<string, string> = {
  autonomie: "En autonomie",
  accompagnement: "Accompagnement individuel",
  delegation: "Accompagnement individuel",
  atelier: "Dans un atelier collectif",
};
const ORIENTATION_ACCES: Record<string, string> = {
  "envoyer-un-mail": "Contacter par mail",
  "envoyer-un-mail-avec-une-fiche-de-prescription": "Envoyer un mail avec une fiche de prescription",
  telephoner: "Téléphoner",
  "se-presenter": "Se présenter",
};

const RESUME_MAX = 280;
const unique = <T>(values: T[]) => [...new Set(values)];

/** One place as a data·inclusion structure (never an unsafe link). Pure. */
export function toDataInclusion(place: StandardPlace): DataInclusionStructure {
  const s = withSafeLinks(place);
  const out: DataInclusionStructure = {
    id: s.id,
    nom: s.nom,
    thematiques: ["numerique", ...s.services.flatMap((v) => SERVICE_THEMATIQUES[v] ?? [])],
    commune: s.commune,
    code_postal: s.code_postal,
    adresse: s.adresse,
    date_maj: s.date_maj,
  };
  if (/^W\d{9}$/.test(s.pivot)) out.rna = s.pivot;
  else if (s.pivot !== UNKNOWN_PIVOT) out.siret = s.pivot;
  if (s.typologie[0]) out.typologie = s.typologie[0];
  if (s.structure_parente) out.structure_parente = s.structure_parente;
  if (s.fiche_acces_libre) out.accessibilite = s.fiche_acces_libre;
  if (s.code_insee) out.code_insee = s.code_insee;
  if (s.complement_adresse) out.complement_adresse = s.complement_adresse;
  if (s.source) out.source = s.source;
  if (s.latitude !== null && s.longitude !== null) {
    out.latitude = s.latitude;
    out.longitude = s.longitude;
  }
  if (s.telephone[0]) out.telephone = s.telephone[0];
  if (s.courriels[0]) out.courriel = s.courriels[0];
  if (s.site_web[0]) out.site_web = s.site_web[0];
  if (s.presentation_resume)
    out.presentation_resume =
      s.presentation_resume.length > RESUME_MAX
        ? `${s.presentation_resume.slice(0, RESUME_MAX - 3)}...`
        : s.presentation_resume;
  if (s.presentation_detail) out.presentation_detail = s.presentation_detail;
  if (s.horaires) out.horaires_ouverture = s.horaires;
  const labels = unique([
    ...s.dispositif_programmes_nationaux.flatMap((v) => DISPOSITIF_LABELS[v] ?? []),
    ...s.formations_labels.flatMap((v) => FORMATION_LABELS[v] ?? []),
  ]);
  if (labels.length > 0) out.labels_nationaux = labels;
  if (s.autres_formations_labels) out.labels_autres = [s.autres_formations_labels];
  return out;
}

/** Streams the places as a JSON array of data·inclusion structures, one object per line. */
export async function* exportDataInclusion(
  places: AsyncIterable<Place> | Iterable<Place>,
): AsyncGenerator<string> {
  yield "[";
  let first = true;
  for await (const place of places) {
    yield `${first ? "\n" : ",\n"}${JSON.stringify(toDataInclusion(place.standard))}`;
    first = false;
  }
  yield "\n]\n";
}

/** The columns that tell a data·inclusion structure from a row of the standard. */
export function looksLikeDataInclusion(columns: string[]): boolean {
  const has = (c: string) => columns.includes(c);
  return (
    has("id") &&
    has("nom") &&
    !has("pivot") &&
    !has("services") &&
    (has("thematiques") || has("horaires_ouverture") || has("labels_nationaux") || has("siret"))
  );
}

const mapped = (text: string | undefined, table: Record<string, string>) =>
  splitList(text ?? "").flatMap((v) => table[v] ?? []);
const mappedBy = (text: string | undefined, table: Map<string, string>) =>
  splitList(text ?? "").flatMap((v) => table.get(v) ?? []);
const join = (values: string[]) => unique(values).join("|");

/**
 * A data·inclusion structure (as read: lists joined with `|`) mapped to the standard's fields. A structure
 * without SIRET nor RNA gets the placeholder the national sources use for "unknown"; `date_maj` keeps its date
 * part (data·inclusion allows a date-time).
 */
export function mapDataInclusion(src: RawRow): MappedRow {
  const typesAndModes = [
    ...mapped(src.types, TYPE_MODALITE),
    ...(splitList(src.modes_accueil ?? "").includes("a-distance") ? ["À distance"] : []),
  ];
  const orientations = `${src.modes_orientation_beneficiaire ?? ""}|${src.modes_orientation_accompagnateur ?? ""}`;
  const row: RawRow = {
    id: src.id ?? "",
    pivot: src.siret || src.rna || UNKNOWN_PIVOT,
    nom: src.nom ?? "",
    commune: src.commune ?? "",
    code_postal: src.code_postal ?? "",
    code_insee: src.code_insee || src._di_geocodage_code_insee || "",
    adresse: src.adresse ?? "",
    complement_adresse: src.complement_adresse ?? "",
    latitude: src.latitude ?? "",
    longitude: src.longitude ?? "",
    typologie: src.typologie ?? "",
    telephone: src.telephone ?? "",
    courriels: src.courriel ?? "",
    site_web: src.site_web ?? "",
    horaires: src.horaires_ouverture ?? "",
    presentation_resume: src.presentation_resume ?? "",
    presentation_detail: src.presentation_detail ?? "",
    source: src.source ?? "",
    itinerance: "",
    structure_parente: src.structure_parente ?? "",
    date_maj: /^\d{4}-\d{2}-\d{2}T/.test(src.date_maj ?? "")
      ? (src.date_maj ?? "").slice(0, 10)
      : (src.date_maj ?? ""),
    services: join(mappedBy(src.thematiques, THEMATIQUE_SERVICE)),
    publics_specifiquement_adresses: join(mapped(src.profils, PROFIL_PUBLIC)),
    prise_en_charge_specifique: join(mapped(src.profils, PROFIL_PRISE_EN_CHARGE)),
    frais_a_charge: join(mapped(src.frais, FRAIS)),
    dispositif_programmes_nationaux: join(mappedBy(src.labels_nationaux, LABEL_DISPOSITIF)),
    formations_labels: join(mappedBy(src.labels_nationaux, LABEL_FORMATION)),
    autres_formations_labels: src.labels_autres ?? "",
    modalites_acces: join([
      ...(src.prise_rdv ? ["Prendre un RDV en ligne"] : []),
      ...mapped(orientations, ORIENTATION_ACCES),
    ]),
    modalites_accompagnement: join(typesAndModes),
    fiche_acces_libre: src.accessibilite ?? "",
    prise_rdv: src.prise_rdv ?? "",
  };
  return { row };
}
