/**
 * The vocabulary of activity reports (comptes rendus d'activité, CRA) of La Coop de la médiation numérique, so that
 * Maillage's figures compare with the national ones: codes as La Coop's public API v1 gives them, labels as its
 * pages show them. Copied from `../shared/data/vocabulaires/cra-coop.json` (repository
 * inclusion-numerique/coop-mediation-numerique, commit 46aa33b, 2026-06-30); generated, not edited by hand.
 */

export const THEMATIQUES = [
  "diagnostic_numerique",
  "prendre_en_main_du_materiel",
  "maintenance_de_materiel",
  "gere_ses_contenus_numeriques",
  "navigation_sur_internet",
  "email",
  "bureautique",
  "reseaux_sociaux",
  "sante",
  "banque_et_achats_en_ligne",
  "entrepreneuriat",
  "insertion_professionnelle",
  "securite_numerique",
  "parentalite",
  "scolarite_et_numerique",
  "creer_avec_le_numerique",
  "culture_numerique",
  "intelligence_artificielle",
  "aide_aux_demarches_administratives",
] as const;

export type Thematique = (typeof THEMATIQUES)[number];

export const DEMARCHES_ADMINISTRATIVES = [
  "papiers_elections_citoyennete",
  "famille_scolarite",
  "social_sante",
  "travail_formation",
  "logement",
  "transports_mobilite",
  "argent_impots",
  "justice",
  "etrangers_europe",
  "loisirs_sports_culture",
  "associations",
] as const;

export type DemarcheAdministrative = (typeof DEMARCHES_ADMINISTRATIVES)[number];

export const THEMATIQUE_LABELS: Record<Thematique | DemarcheAdministrative, string> = {
  diagnostic_numerique: "Diagnostic numérique",
  prendre_en_main_du_materiel: "Prendre en main du matériel",
  maintenance_de_materiel: "Maintenance de matériel",
  gere_ses_contenus_numeriques: "Gérer ses contenus numériques",
  navigation_sur_internet: "Navigation sur internet",
  email: "E-mail",
  bureautique: "Bureautique",
  reseaux_sociaux: "Réseaux sociaux communication",
  sante: "Santé",
  banque_et_achats_en_ligne: "Banque et achats en ligne",
  entrepreneuriat: "Accompagner un professionnel",
  insertion_professionnelle: "Insertion professionnelle",
  securite_numerique: "Prévention en sécurité numérique",
  parentalite: "Parentalité",
  scolarite_et_numerique: "Scolarité et numérique",
  creer_avec_le_numerique: "Créer avec le numérique",
  culture_numerique: "Culture numérique",
  intelligence_artificielle: "Intelligence artificielle (IA)",
  aide_aux_demarches_administratives: "Aide aux démarches administratives",
  papiers_elections_citoyennete: "Papiers - Élections - Citoyenneté",
  famille_scolarite: "Famille - Scolarité",
  social_sante: "Social - Santé",
  travail_formation: "Travail - Formation - Entreprise",
  logement: "Logement",
  transports_mobilite: "Transports - Mobilité",
  argent_impots: "Argent - Impôts",
  justice: "Justice",
  etrangers_europe: "Étrangers - Europe",
  loisirs_sports_culture: "Loisirs - Sports - Culture",
  associations: "Associations",
};

export const MATERIELS = ["ordinateur", "telephone", "tablette", "autre", "aucun"] as const;

export type Materiel = (typeof MATERIELS)[number];

export const MATERIEL_LABELS: Record<Materiel, string> = {
  ordinateur: "Ordinateur",
  telephone: "Téléphone",
  tablette: "Tablette",
  autre: "Autre",
  aucun: "Pas de matériel",
};

export const AUTONOMIES = ["entierement_accompagne", "partiellement_autonome", "autonome"] as const;

export type Autonomie = (typeof AUTONOMIES)[number];

export const AUTONOMIE_LABELS: Record<Autonomie, string> = {
  entierement_accompagne: "Avec guidage",
  partiellement_autonome: "Autonome avec guidage en cas de besoin",
  autonome: "Autonome",
};

export const REDIRECTIONS = [
  "administration",
  "mediation_numerique",
  "operateur_ou_organisme_en_charge",
  "aide_sociale",
  "insertion_professionnelle",
  "aide_aux_demarches_administratives",
  "autre",
] as const;

export type Redirection = (typeof REDIRECTIONS)[number];

export const REDIRECTION_LABELS: Record<Redirection, string> = {
  administration: "Administration (mairie, préfecture…)",
  mediation_numerique: "Autre structure de médiation numérique",
  operateur_ou_organisme_en_charge: "Opérateur ou organisme en charge de la démarche administrative",
  aide_sociale: "Structure d’aide sociale (maison des solidarités, centre social…)",
  insertion_professionnelle:
    "Structure d’insertion professionnelle (France Travail, mission locale, chambre de commerce…)",
  aide_aux_demarches_administratives: "Structure d’aide aux démarches administratives (France Services…)",
  autre: "Autre",
};

export const NIVEAUX = ["debutant", "intermediaire", "avance"] as const;

export type Niveau = (typeof NIVEAUX)[number];

export const NIVEAU_LABELS: Record<Niveau, string> = {
  debutant: "Débutant",
  intermediaire: "Intermédiaire",
  avance: "Avancé",
};

export const LIEUX = ["lieu_activite", "autre", "domicile", "a_distance"] as const;

export type Lieu = (typeof LIEUX)[number];

export const LIEU_LABELS: Record<Lieu, string> = {
  lieu_activite: "Lieu d’activité",
  autre: "Autre lieu",
  domicile: "À domicile",
  a_distance: "À distance",
};

export const TRANCHES_AGE = [
  "soixante_dix_plus",
  "soixante_soixante_neuf",
  "quarante_cinquante_neuf",
  "vingt_cinq_trente_neuf",
  "dix_huit_vingt_quatre",
  "douze_dix_huit",
  "moins_de_douze",
  "non_communique",
] as const;

export type TrancheAge = (typeof TRANCHES_AGE)[number];

export const TRANCHE_AGE_LABELS: Record<TrancheAge, string> = {
  soixante_dix_plus: "70 ans et plus",
  soixante_soixante_neuf: "60 - 69 ans",
  quarante_cinquante_neuf: "40 - 59 ans",
  vingt_cinq_trente_neuf: "25 - 39 ans",
  dix_huit_vingt_quatre: "18 - 24 ans",
  douze_dix_huit: "12 - 17 ans",
  moins_de_douze: "Moins de 12 ans",
  non_communique: "Non communiqué",
};

export const STATUTS = ["retraite", "sans_emploi", "en_emploi", "scolarise", "non_communique"] as const;

export type Statut = (typeof STATUTS)[number];

export const STATUT_LABELS: Record<Statut, string> = {
  retraite: "Retraité",
  sans_emploi: "Sans emploi",
  en_emploi: "En emploi",
  scolarise: "Scolarisé",
  non_communique: "Non communiqué ou hétérogène",
};

export const TYPES_COORDINATION = ["evenement", "partenariat", "animation"] as const;

export type TypeCoordination = (typeof TYPES_COORDINATION)[number];

export const TYPE_COORDINATION_LABELS: Record<TypeCoordination, string> = {
  evenement: "Évènement",
  partenariat: "Partenariat",
  animation: "Animation",
};
