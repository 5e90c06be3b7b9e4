/**
 * The provenance of every file shipped in data/, in one typed list: the loaders take their paths from it, the page
 * « Sources des données » (/a-propos/donnees) and the vintages shown beside figures are written from it, and a test
 * checks that data/PROVENANCE.md describes exactly these files. Facts only, as documented in PROVENANCE.md (from
 * the data collection's own notes): no vintage or licence is guessed.
 */

export interface ShippedFile {
  /** Relative to the data folder (a folder for the commune boundaries, one file per département). */
  path: string;
  /** What it is, in plain French. */
  title: string;
  publisher: string;
  /** The date or version of the data, as short as it can be said (« août 2024 », « COG 2025 »). */
  vintage: string;
  licence: string;
  /** Where the copy was taken from (the public repository at the commit named in PROVENANCE.md). */
  link: string;
  /** What Maillage makes of it. */
  feeds: string;
}

const gh = (repo: string, commit: string, path: string) =>
  `https://github.com/${repo}/blob/${commit}/${path}`;

const FRANCE_GEOJSON = "5d34ee6d0140c29f785fdb047d9329f1aab58833";
const IFN_COMMIT = "f834ffa01171899e8efc38eb0864174b42a29482";
const NO_LICENCE = "aucune licence indiquée";

/** Every shipped file, keyed by how the code names it. */
export const DATA = {
  communes: {
    path: "geo/communes-coordonnees-cog2025.csv.gz",
    title: "Communes et arrondissements, population et point de référence",
    publisher: "INSEE (paquet @etalab/decoupage-administratif 6.0.0) et La Poste",
    vintage: "Code officiel géographique 2025",
    licence: "Licence Ouverte",
    link: "https://www.npmjs.com/package/@etalab/decoupage-administratif/v/6.0.0",
    feeds: "la liste des territoires, leurs populations et leurs points",
  },
  postcodes: {
    path: "geo/communes-france-2024-rcarlier.csv.gz",
    title: "Codes postaux des communes",
    publisher: "INSEE et La Poste (base officielle des codes postaux), rassemblés par rcarlier/datas.fun",
    vintage: "COG 2024, copie du 2 août 2024",
    licence: "Licence Ouverte (données) ; dépôt sans licence",
    link: gh("rcarlier/datas.fun", "0839ae3532f5027b47ba3f0ebc88691757de871d", "France/communes.csv"),
    feeds: "la recherche par code postal ; la part de chômage de l'indice Maillage",
  },
  communeShapes: {
    path: "geo/communes-par-departement",
    title: "Contours simplifiés des communes (un fichier par département)",
    publisher: "IGN, Admin Express, via gregoiredavid/france-geojson",
    vintage: "2018, codes mis à jour vers le COG 2025",
    licence: "Licence Ouverte",
    link: `https://github.com/gregoiredavid/france-geojson/tree/${FRANCE_GEOJSON}/departements`,
    feeds: "les cartes des communes",
  },
  epci: {
    path: "geo/epci-2025-simplifie.geojson.gz",
    title: "Contours des intercommunalités",
    publisher: "IGN, Admin Express (contours des communes réunis par intercommunalité)",
    vintage: "liste des intercommunalités 2025, contours 2018",
    licence: "Licence Ouverte",
    link: `https://github.com/gregoiredavid/france-geojson/tree/${FRANCE_GEOJSON}/departements`,
    feeds: "les intercommunalités et leurs cartes",
  },
  departements: {
    path: "geo/departements-anct.geojson.gz",
    title: "Contours des départements",
    publisher: "ANCT, cartographie France services",
    vintage: "2021",
    licence: "Licence Ouverte 2.0",
    link: gh(
      "anct-carto/france_services",
      "272c98f6f21977d047dcfb8c834865ce07004195",
      "data/geom_dep.geojson",
    ),
    feeds: "les départements et leurs cartes",
  },
  regions: {
    path: "geo/regions-avec-outre-mer-2018.geojson.gz",
    title: "Contours des régions",
    publisher: "IGN, Admin Express, via gregoiredavid/france-geojson",
    vintage: "2018 (régions inchangées depuis 2016)",
    licence: "Licence Ouverte",
    link: gh("gregoiredavid/france-geojson", FRANCE_GEOJSON, "regions-avec-outre-mer.geojson"),
    feeds: "les régions et leurs cartes",
  },
  formerCodes: {
    path: "geo/communes-anciens-codes-cog2025.csv.gz",
    title: "Anciens codes des communes et commune actuelle",
    publisher: "INSEE (paquet @etalab/decoupage-administratif 6.0.0), extrait par Maillage",
    vintage: "Code officiel géographique 2025",
    licence: "Licence Ouverte",
    link: "https://www.npmjs.com/package/@etalab/decoupage-administratif/v/6.0.0",
    feeds: "la lecture d'un ancien code de commune (recherche, imports)",
  },
  qpvList: {
    path: "qpv/qpv-2024-liste.csv.gz",
    title: "Quartiers prioritaires de la politique de la ville (QPV 2024) et leurs communes",
    publisher: "ANCT (SIG Ville), data.gouv.fr, rassemblé par bpineau/gazetteer",
    vintage: "liste 2024 (décret 2023-1314), géographie COG 2024",
    licence: "Licence Ouverte",
    link: gh(
      "bpineau/gazetteer",
      "97cd5d539bf3f35ff36179d1a4ffcee9cbade4e3",
      "sources/qpv/data/qpv_communes.json",
    ),
    feeds: "les quartiers prioritaires, leurs pages et leurs indicateurs",
  },
  qpvContours: {
    path: "qpv/qpv-2024-contours.geojson.gz",
    title: "Contours des quartiers prioritaires (QPV 2024)",
    publisher: "ANCT (SIG Ville), data.gouv.fr, rassemblé par bpineau/gazetteer",
    vintage: "liste 2024, fichier du 15 janvier 2026 (coordonnées arrondies à 11 m environ)",
    licence: "Licence Ouverte",
    link: gh("bpineau/gazetteer", "dceba0705066c7d940b870e8677f708a69a87d89", "sources/qpv/data/qpv.json.gz"),
    feeds: "les cartes des quartiers et les lieux situés dans un quartier ou à moins de 300 m",
  },
  qpv2015Occitanie: {
    path: "qpv/qpv-2015-occitanie-contours-hackaviz2021.geojson.gz",
    title: "Anciens quartiers prioritaires (liste 2015) d'Occitanie et leurs communes",
    publisher: "INSEE et Cnaf, rassemblé par Toulouse DataViz (Hackaviz 2021)",
    vintage: "liste 2015 (quartiers remplacés par la liste 2024)",
    licence: NO_LICENCE,
    link: gh("ToulouseDataViz/Hackaviz2021", "a054acb49307aba725aee67405c5b4f3860bb16d", "data/qp.geojson"),
    feeds: "le message « cet ancien quartier n'existe plus » avec ses communes, pour un code QP… d'Occitanie",
  },
  contratsDeVille: {
    path: "qpv/contrats-de-ville-2015-2023-centroides.geojson.gz",
    title: "Contrats de ville 2015-2023 (intercommunalité ou commune porteuse, habitants en QPV)",
    publisher: "ANCT, service de cartographie (Ci.Ville)",
    vintage: "contrats 2015-2023, habitants en QPV au recensement 2018",
    licence: "Licence Ouverte 2.0",
    link: gh(
      "anct-carto/ci-ville",
      "7465bbcfc6be5fbf454cff9ea5f25d4a31ce5f91",
      "src/assets/geom_cv_ctr.json",
    ),
    feeds: "les contrats de ville listés sur les pages des intercommunalités et communes",
  },
  ifnCommunes: {
    path: "ifn/ifn-communes-2023.csv.gz",
    title: "Indice de fragilité numérique par commune",
    publisher: "La MedNum (fragilite-numerique.fr), repris par l'ANCT",
    vintage: "IFN 2023 (copie du 24 août 2023)",
    licence: NO_LICENCE,
    link: gh("inclusion-numerique/stack", IFN_COMMIT, "apps/web/public/data/ifn-city-all-variation.csv"),
    feeds: "l'indice de fragilité (les deux méthodes)",
  },
  ifnEpci: {
    path: "ifn/ifn-epci-2023.csv.gz",
    title: "Indice de fragilité numérique par intercommunalité",
    publisher: "La MedNum (fragilite-numerique.fr), repris par l'ANCT",
    vintage: "IFN 2023 (copie du 24 août 2023)",
    licence: NO_LICENCE,
    link: gh("inclusion-numerique/stack", IFN_COMMIT, "apps/web/public/data/ifn-epci-all-variation.csv"),
    feeds: "la comparaison avec l'indice officiel des intercommunalités",
  },
  filosofi: {
    path: "insee/filosofi-2021-communes.csv.gz",
    title: "Revenus et pauvreté par commune (Filosofi)",
    publisher: "INSEE",
    vintage: "Filosofi 2021",
    licence: "Licence Ouverte",
    link: gh("greg2gld/DS-Immo", "95dbbc8e3dba4a5abbd3cd733bef4de3a5a4bce1", "data/cc_filosofi_2021_COM.csv"),
    feeds: "le revenu médian et la pauvreté de l'indice Maillage",
  },
  appartenance: {
    path: "insee/table-appartenance-geo-communes-2022.csv.gz",
    title: "Table d'appartenance géographique des communes (unités urbaines)",
    publisher: "INSEE",
    vintage: "1er janvier 2022 (unités urbaines 2017 et 2020)",
    licence: "Licence Ouverte",
    link: gh(
      "klopstock-dviz/dataviz_elections",
      "b4a68372ad112e9a15e258e284a79a8ee611e52d",
      "data/table-appartenance-geo-communes-22.zip",
    ),
    feeds: "les communes urbaines ou rurales (distance de couverture, indice Maillage)",
  },
  franceServices: {
    path: "mediation/france-services-2024-08-01.csv.gz",
    title: "Liste des France Services",
    publisher: "ANCT",
    vintage: "1er août 2024",
    licence: "Licence Ouverte 2.0",
    link: gh(
      "anct-carto/france_services",
      "e1016fd717a8c9cc53406621959c837fb74fc0c9",
      "data/liste-fs-20240801.csv",
    ),
    feeds: "les lieux, la couverture et la recherche d'aide",
  },
  conseillersNumeriques: {
    path: "mediation/lieux-conseillers-numeriques-cnfs-2022-12.json.gz",
    title: "Lieux d'activité des conseillers numériques France Services",
    publisher: "ANCT",
    vintage: "décembre 2022 (fiches mises à jour d'avril à décembre 2022)",
    licence: NO_LICENCE,
    link: gh(
      "anct-cartographie-nationale/mednum-cli",
      "8098cc4a19a42b6acfd15b1345d5d3b99039b64b",
      "assets/input/cnfs.json",
    ),
    feeds: "les lieux, la couverture et la recherche d'aide",
  },
  hubDuSud: {
    path: "mediation/lieux-mediation-numerique-paca-hub-du-sud-2023-05.json.gz",
    title: "Lieux de médiation numérique de Provence-Alpes-Côte d'Azur",
    publisher: "Hub du Sud et ANCT",
    vintage: "17 mai 2023",
    licence: NO_LICENCE,
    link: gh(
      "anct-cartographie-nationale/client-application",
      "8b2dea590c4f0d08a45f6c569184e8463864a63c",
      "src/assets/data/20230517-hub-du-sud-lieux-de-mediation-numeriques-provence-alpes-cote-d-azur.json",
    ),
    feeds: "les lieux, la couverture et la recherche d'aide",
  },
  standardSchema: {
    path: "src/places/standard/schema.json",
    title: "Schéma national des lieux de médiation numérique (et son exemple valide)",
    publisher: "La MedNum et ANCT",
    vintage: "version 1.0.2 (25 juillet 2024)",
    licence: "Licence Ouverte",
    link: "https://github.com/LaMednum/standard-mediation-num/tree/e347ff40a0072ed2e0caf7f04384dfd2c84dbaff",
    feeds: "la validation des imports et les exports",
  },
} as const satisfies Record<string, ShippedFile>;

export const SHIPPED_FILES: readonly ShippedFile[] = Object.values(DATA);

/** The shipped file imported under this file name (`place_import.file`), if any. */
export function shippedFileNamed(name: string): ShippedFile | undefined {
  return SHIPPED_FILES.find((f) => f.path.split("/").pop() === name);
}

/** Short vintages to print beside figures. */
export const VINTAGES = {
  ifn: "IFN 2023 de La MedNum",
} as const;
