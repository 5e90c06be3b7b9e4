/**
 * Orientation: find the right place for a person (need, public, support, price, modality, time, distance) and
 * hand them a sheet they can keep.
 *
 * Stable entry points (other capabilities, e.g. the diagnostic, import these; keep the names):
 * - `model.ts` (this file): `OrientationQuery`, `emptyQuery()`, `NEEDS` / `NeedId`, the standard's values and
 *   their URL slugs (`PUBLIC_SLUGS`, `SUPPORT_SLUGS`, `MODALITY_SLUGS`, `WHEN_SLUGS`), `Criterion`,
 *   `OrientationResult`, `OrientationOutcome`.
 * - `find.ts` (pure): `buildIndex(places) → OrientationIndex`, `findPlaces(index, query, origin, now) → OrientationOutcome`.
 * - `service.ts`: `orient(ctx, query, now?) → Promise<OrientationOutcome | null>` (null: unknown commune), for
 *   routes of any capability; it keeps the index in step with `ctx.places.generation`.
 * - `url.ts`: `finderUrl(query)` → `/trouver?…` (the shareable search), `sheetUrl(query, ids)`, `parseQuery(params)`.
 * - `sms.ts`: `smsText(place) → string` (≤ 160 GSM-7 characters).
 *
 * Vocabulary: the values of `services`, `publics`, `supports`, `modalities` are the national standard's own
 * (« schéma des lieux de médiation numérique » v1.0.2); slugs are only for short URLs.
 */
import type { Place } from "../places/model.ts";

/** The standard's 9 services. */
export const SERVICE = {
  demarches: "Aide aux démarches administratives",
  quotidien: "Maîtrise des outils numériques du quotidien",
  emploi: "Insertion professionnelle via le numérique",
  securite: "Utilisation sécurisée du numérique",
  parentalite: "Parentalité et éducation avec le numérique",
  loisirs: "Loisirs et créations numériques",
  comprendre: "Compréhension du monde numérique",
  acces: "Accès internet et matériel informatique",
  materiel: "Acquisition de matériel informatique à prix solidaire",
} as const;
export type Service = (typeof SERVICE)[keyof typeof SERVICE];

/** A need in plain words, and the standard's services that answer it (a place offering any of them answers). */
export interface Need {
  id: NeedId;
  /** What the person says: « faire une démarche en ligne ». */
  label: string;
  /** Short, for reasons and the text message: « démarches en ligne ». */
  short: string;
  services: Service[];
}

export const NEEDS = [
  {
    id: "demarches",
    label: "Faire une démarche en ligne (CAF, impôts, retraite, santé…)",
    short: "démarches en ligne",
    services: [SERVICE.demarches],
  },
  {
    id: "telephone",
    label: "Apprendre à me servir de mon téléphone",
    short: "usage du téléphone",
    services: [SERVICE.quotidien],
  },
  {
    id: "ordinateur",
    label: "Utiliser un ordinateur et internet",
    short: "ordinateur et internet",
    services: [SERVICE.acces, SERVICE.quotidien],
  },
  {
    id: "materiel",
    label: "Acheter un ordinateur pas cher",
    short: "ordinateur pas cher",
    services: [SERVICE.materiel],
  },
  {
    id: "emploi",
    label: "Chercher un emploi",
    short: "recherche d'emploi",
    services: [SERVICE.emploi],
  },
  {
    id: "arnaques",
    label: "Me protéger des arnaques",
    short: "se protéger des arnaques",
    services: [SERVICE.securite],
  },
  {
    id: "enfants",
    label: "Aider mes enfants avec le numérique",
    short: "aider ses enfants",
    services: [SERVICE.parentalite],
  },
  {
    id: "comprendre",
    label: "Comprendre le numérique (réseaux sociaux, intelligence artificielle…)",
    short: "comprendre le numérique",
    services: [SERVICE.comprendre],
  },
  {
    id: "loisirs",
    label: "Créer, jouer, faire des loisirs avec le numérique",
    short: "loisirs numériques",
    services: [SERVICE.loisirs],
  },
] as const satisfies readonly Need[];
export type NeedId =
  | "demarches"
  | "telephone"
  | "ordinateur"
  | "materiel"
  | "emploi"
  | "arnaques"
  | "enfants"
  | "comprendre"
  | "loisirs";

/** URL slug → the standard's `publics_specifiquement_adresses` value, and its plain French. */
export const PUBLIC_SLUGS = {
  senior: { value: "Seniors", label: "Senior" },
  jeune: { value: "Jeunes", label: "Jeune" },
  famille: { value: "Familles et/ou enfants", label: "Famille" },
  femme: { value: "Femmes", label: "Femme" },
  etudiant: { value: "Étudiants", label: "Étudiant ou étudiante" },
} as const;
export type PublicSlug = keyof typeof PUBLIC_SLUGS;

/** URL slug → the standard's `prise_en_charge_specifique` values (any of them), and its plain French. */
export const SUPPORT_SLUGS = {
  surdite: { values: ["Surdité"], label: "Surdité" },
  "handicap-moteur": { values: ["Handicaps moteurs"], label: "Handicap moteur" },
  "handicap-mental": { values: ["Handicaps mentaux"], label: "Handicap mental" },
  illettrisme: { values: ["Illettrisme"], label: "Difficulté à lire et écrire (illettrisme)" },
  "langue-etrangere": {
    values: ["Langues étrangères (anglais)", "Langues étrangères (autres)"],
    label: "Parle une langue étrangère",
  },
  "deficience-visuelle": { values: ["Déficience visuelle"], label: "Déficience visuelle" },
} as const;
export type SupportSlug = keyof typeof SUPPORT_SLUGS;

/** URL slug → the standard's `modalites_accompagnement` value, and its plain French. */
export const MODALITY_SLUGS = {
  seul: { value: "En autonomie", label: "Sur place, en autonomie (un poste en libre accès)" },
  individuel: { value: "Accompagnement individuel", label: "Avec une personne, en individuel" },
  atelier: { value: "Dans un atelier collectif", label: "Dans un atelier en groupe" },
  distance: { value: "À distance", label: "À distance (téléphone, visio)" },
} as const;
export type ModalitySlug = keyof typeof MODALITY_SLUGS;

export const DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"] as const;
export type Day = (typeof DAYS)[number];
export type HalfDay = "matin" | "apres-midi";

/**
 * When the person can go: open now, on the coming Saturday, after 18 h (within the coming 7 days), or on a day and
 * half-day (its next occurrence; a public holiday is skipped and announced). A place matches if it is open at any
 * of the chosen times.
 */
export type When = "maintenant" | "samedi" | "soir" | `${Day}-${HalfDay}`;
export const WHEN_SLUGS: When[] = [
  "maintenant",
  "samedi",
  "soir",
  ...DAYS.flatMap((d) => [`${d}-matin`, `${d}-apres-midi`] as const),
];

/** The criteria a query can require (exclude what does not match) or prefer (rank what matches first). */
export type Criterion = "besoin" | "priseEnCharge" | "public" | "gratuit" | "modalite" | "quand" | "distance";
export const CRITERIA: Criterion[] = [
  "besoin",
  "priseEnCharge",
  "public",
  "gratuit",
  "modalite",
  "quand",
  "distance",
];
export const CRITERION_LABELS: Record<Criterion, string> = {
  besoin: "besoin",
  priseEnCharge: "prise en charge spécifique",
  public: "public",
  gratuit: "gratuit",
  modalite: "façon d'être aidé",
  quand: "jour et heure",
  distance: "distance maximale",
};

/** What a person (or a tool) asks for. Every list may be empty. */
export interface OrientationQuery {
  /** INSEE code of the commune (or arrondissement) the person starts from. */
  commune: string;
  /** A precise starting point (« autour de moi »); the commune stays the one shown. */
  position?: { lat: number; lon: number } | null;
  /** Needs in plain words; each must be answered (when `besoin` is required). */
  besoins: NeedId[];
  /** Services of the standard asked directly (e.g. by the diagnostic); each must be offered (`besoin`). */
  services: Service[];
  /** Publics (any of them). */
  publics: PublicSlug[];
  /** Specific support (each of them). */
  supports: SupportSlug[];
  /** Free of charge (« Gratuit » or « Gratuit sous condition »). */
  gratuit: boolean;
  /** Ways of being helped (any of them). */
  modalites: ModalitySlug[];
  /** Times the person can go (any of them). */
  quand: When[];
  /** Maximum distance in km, or null. */
  distanceMax: number | null;
  /** Criteria that exclude; the others only rank. `besoin` and `distance` are required by default. */
  indispensables: Criterion[];
  /** How many results (default 10). */
  limit?: number;
}

export const DEFAULT_REQUIRED: Criterion[] = ["besoin", "distance"];

export function emptyQuery(commune = ""): OrientationQuery {
  return {
    commune,
    position: null,
    besoins: [],
    services: [],
    publics: [],
    supports: [],
    gratuit: false,
    modalites: [],
    quand: [],
    distanceMax: null,
    indispensables: [...DEFAULT_REQUIRED],
  };
}

/** How to get help from a place. */
export interface Access {
  /** « Se présenter » is accepted (or nothing is said and the place has hours). */
  walkIn: boolean;
  /** First phone number, as written by the source, and as a `tel:` target (+33…). */
  phone: { text: string; tel: string } | null;
  /** Booking: an address (https://…) or true when booking is required without a link. */
  booking: string | null;
  /** Other ways in the standard's words (« Contacter par mail »…). */
  other: string[];
}

/** Whether a place is open at `now`, in plain French: « Ouvert, ferme à 12 h », « Fermé, ouvre mardi à 9 h ». */
interface OpenInfo {
  open: boolean;
  text: string;
}

export interface OrientationResult {
  place: Place;
  /** Straight-line distance from the starting point, km. */
  distanceKm: number;
  /** Why it was proposed, in order: « gratuit », « accompagnement individuel », « ouvert le samedi », « 2,3 km ». */
  reasons: string[];
  /** Asked for but not met by this place (preferences, or requirements dropped by widening). */
  missing: string[];
  /** Every criterion asked for is met. */
  exact: boolean;
  /** Open now / next opening; null when the hours are unknown or unreadable. */
  open: OpenInfo | null;
  access: Access;
  /** What they help with, in plain words (the needs this place answers, then other services). */
  helpsWith: string[];
  /** « Gratuit », « Gratuit sous condition », « Payant », or null when unknown. */
  price: string | null;
}

export interface OrientationOutcome {
  query: OrientationQuery;
  /** The point distances are measured from. */
  origin: { lat: number; lon: number };
  results: OrientationResult[];
  /** How many places met the (possibly widened) required criteria. */
  total: number;
  /** Steps taken to widen the search when nothing matched, each said in plain French. */
  widened: string[];
  /** The required criterion after which nothing was left (in the order they are applied), or null. */
  emptiedBy: Criterion | null;
  /** Notes about the time asked (« samedi 11 novembre est un jour férié : … »). */
  notes: string[];
  /** Nothing met every required criterion even after widening: `results` are the nearest places that partly match. */
  partial: boolean;
}
