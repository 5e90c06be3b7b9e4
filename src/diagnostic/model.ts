/**
 * Diagnostic d'aisance numérique: a short questionnaire, in the vocabulary of PRODUCT.md (profiles proches /
 * éloignés / exclus, support levels urgence numérique / inclusion numérique / montée en compétences).
 */

/** Who answers: the person alone, or a helper who reads the questions and ticks the answers. */
export type Mode = "seul" | "accompagne";
export const MODES: readonly Mode[] = ["seul", "accompagne"];

/** The id of the answer every question offers: « Je ne sais pas / je préfère ne pas répondre ». */
export const SKIP = "passer";

interface Answer {
  id: string;
  label: string;
}

export interface Question {
  /** Stable id (the API's key); a question whose meaning changes gets a new id. */
  id: string;
  /** What the question is about, for the helper and the statistics (« Équipement », « Courriel »…). */
  theme: string;
  text: string;
  /** A plain explanation of a word of the question that people may not know (see the jargon list). */
  explanation?: string;
  /** A short note for the helper (assisted mode only). */
  helperNote: string;
  /** "one": a single answer; "several": any number of answers (checkboxes). */
  kind: "one" | "several";
  /** The answers, without the skip answer (every question has it, added by the questionnaire). */
  answers: Answer[];
}

export interface Questionnaire {
  /** Declared version and a fingerprint of the content: any edit of the file gives a new version. */
  version: string;
  title: string;
  questions: Question[];
}

/** What a person answered: question id → answer id (or answer ids for a "several" question). */
export type Answers = Record<string, string | string[]>;

/** The four profiles: autonome, and the three of the seeds (proches, éloignés, exclus du numérique). */
export type Profile = "autonome" | "proche" | "eloigne" | "exclu";
export const PROFILES: readonly Profile[] = ["autonome", "proche", "eloigne", "exclu"];
export const PROFILE_LABELS: Record<Profile, string> = {
  autonome: "autonome",
  proche: "proche du numérique",
  eloigne: "éloigné du numérique",
  exclu: "exclu du numérique",
};

/** The three support levels of the seeds. */
export type Level = "urgence" | "inclusion" | "competences";
export const LEVELS: readonly Level[] = ["urgence", "inclusion", "competences"];
export const LEVEL_LABELS: Record<Level, string> = {
  urgence: "urgence numérique",
  inclusion: "inclusion numérique",
  competences: "montée en compétences",
};

/** Barriers found by the questionnaire. */
export type Barrier = "lecture" | "langue" | "vue" | "audition" | "moteur" | "cout" | "materiel" | "peur";
export const BARRIERS: readonly Barrier[] = [
  "lecture",
  "langue",
  "vue",
  "audition",
  "moteur",
  "cout",
  "materiel",
  "peur",
];
export const BARRIER_LABELS: Record<Barrier, string> = {
  lecture: "lire ou écrire le français",
  langue: "parler une autre langue que le français",
  vue: "voir",
  audition: "entendre",
  moteur: "utiliser les mains",
  cout: "le prix du matériel ou d'internet",
  materiel: "pas d'appareil ou pas d'internet",
  peur: "la peur de se tromper",
};

/** The result of a diagnostic: what to look for, in the words of the national standard. */
export interface DiagnosticResult {
  version: string;
  profile: Profile;
  urgent: boolean;
  barriers: Barrier[];
  level: Level;
  /** Standard `services` to look for, most important first. */
  services: string[];
  /** Standard `modalites_accompagnement`. */
  modalites: string[];
  /** Standard `dispositif_programmes_nationaux` that fit (Aidants Connect, France Services…). */
  programmes: string[];
  /** Standard `prise_en_charge_specifique` that fit the barriers. */
  priseEnCharge: string[];
  /** The person can be offered a pass numérique (cheques for workshops in labelled places). */
  passNumerique: boolean;
  /** Question ids the person does alone (« Ce que vous savez déjà faire »). */
  strengths: string[];
  /** Question ids where help would be useful (« Ce qui peut vous aider »). */
  needs: string[];
  answered: number;
  skipped: number;
}
