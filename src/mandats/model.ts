/**
 * Mandates (the pure core): a person (the mandant) authorises an organisation (the mandataire) to do some families of
 * démarches for them, for 1, 31, 182 or 365 days, signed in front of an habilitated aidant who attested the person's
 * identity in person. The facts (the 10 families of démarches, the four durations, what an attestation shows, one
 * authorisation per family) are those of Aidants Connect (`../shared/data/vocabulaires/aidants-connect.json`, commit
 * 42814c5); every text is written for Maillage.
 */
import { createHash } from "node:crypto";
import { wallTime, zonedInstant } from "../platform/clock.ts";

export const DEMARCHES = [
  "papiers",
  "famille",
  "social",
  "travail",
  "logement",
  "transports",
  "argent",
  "justice",
  "etranger",
  "loisirs",
] as const;
export type Demarche = (typeof DEMARCHES)[number];

export interface DemarcheInfo {
  /** The family's name, as Aidants Connect writes it. */
  title: string;
  /** What it covers, in plain words (ours). */
  plain: string;
}

export const DEMARCHE_INFO: Record<Demarche, DemarcheInfo> = {
  papiers: {
    title: "Papiers - Citoyenneté - Élections",
    plain: "carte d'identité, passeport, état civil, inscription sur les listes électorales",
  },
  famille: {
    title: "Famille - Scolarité",
    plain: "allocations familiales, naissance, mariage, Pacs, école des enfants",
  },
  social: {
    title: "Social - Santé",
    plain: "carte Vitale, chômage, handicap, RSA, aides aux personnes âgées",
  },
  travail: {
    title: "Travail - Formation",
    plain: "contrat de travail, concours, retraite, démission, formation",
  },
  logement: {
    title: "Logement",
    plain: "aides au logement, logement social, fin de bail, permis de construire",
  },
  transports: {
    title: "Transports - Mobilité",
    plain: "carte grise, permis de conduire, contrôle technique, amendes",
  },
  argent: {
    title: "Argent - Impôts - Consommation",
    plain: "impôts, banque, assurance, crédit, surendettement",
  },
  justice: {
    title: "Justice",
    plain: "casier judiciaire, plainte, aide juridictionnelle, saisie",
  },
  etranger: {
    title: "Étranger - Europe",
    plain: "titre de séjour, attestation d'accueil, regroupement familial",
  },
  loisirs: {
    title: "Loisirs - Sport - Culture",
    plain: "animaux, permis bateau, tourisme, permis de chasser",
  },
};

/**
 * Said to the aidant when the family « argent » is chosen: the aidant may fill in a file of over-indebtedness, never
 * sign it (articles R. 721-2 and R. 761-1 of the code de la consommation).
 */
export const ARGENT_WARNING =
  "Pour « Argent - Impôts - Consommation » : vous pouvez remplir un dossier de surendettement avec la personne, mais c'est elle qui doit le signer (articles R. 721-2 et R. 761-1 du code de la consommation), sinon il n'est pas recevable.";

/** The durations a mandate may have, in days, and how they read. */
export const DURATIONS = [1, 31, 182, 365] as const;
export type Duration = (typeof DURATIONS)[number];

export const DURATION_LABELS: Record<Duration, { form: string; hint: string; attestation: string }> = {
  1: { form: "1 jour", hint: "le mandat prend fin demain", attestation: "pour 1 jour" },
  31: { form: "1 mois", hint: "31 jours", attestation: "pour 1 mois (31 jours)" },
  182: { form: "6 mois", hint: "182 jours", attestation: "pour 6 mois (182 jours)" },
  365: { form: "1 an", hint: "365 jours", attestation: "pour 1 an (365 jours)" },
};

/** The mandates that get a reminder before they end (6 and 12 months), and how long before. */
export const REMINDED_DURATIONS: ReadonlySet<number> = new Set([182, 365]);
export const REMINDER_DAYS = 30;

/** How long a mandate and its uses are kept after it ended (then `maillage privacy purge` deletes them). */
export const RETENTION_YEARS = 3;

/** The kind of identity document the aidant saw (its number is never written). */
export const DOCUMENT_KINDS = [
  "carte-identite",
  "passeport",
  "titre-sejour",
  "permis-conduire",
  "autre",
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export const DOCUMENT_LABELS: Record<DocumentKind, string> = {
  "carte-identite": "Carte nationale d'identité",
  passeport: "Passeport",
  "titre-sejour": "Titre de séjour",
  "permis-conduire": "Permis de conduire",
  autre: "Autre pièce officielle avec photo",
};

/** What the aidant reads with the person before the mandate is created; every item must be ticked. */
export const CHECKLIST = [
  {
    id: "peut",
    text: "J'ai expliqué ce que l'organisation pourra faire : les démarches cochées, seulement pendant la durée choisie, avec les informations que la personne donne.",
  },
  {
    id: "ne-peut-pas",
    text: "J'ai expliqué ce que l'organisation ne fera pas : aucune autre démarche sans demander, aucune signature à la place de la personne quand la loi demande la sienne.",
  },
  {
    id: "annuler",
    text: "J'ai expliqué que la personne peut annuler le mandat à tout moment, auprès de l'organisation ou avec le code imprimé sur l'attestation.",
  },
  {
    id: "protection",
    text: "La personne m'a dit qu'elle n'est pas sous une mesure de protection juridique (sauvegarde de justice, curatelle, tutelle).",
  },
  {
    id: "identite",
    text: "J'ai vu une pièce d'identité officielle de la personne, et je n'en ai pas recopié le numéro.",
  },
] as const;

/** The charter an aidant accepts when habilitated, by version (the habilitation records the version accepted). */
export const CHARTERS: Record<string, { title: string; items: string[] }> = {
  "2026-12": {
    title: "Charte de l'aidant habilité, version de décembre 2026",
    items: [
      "J'agis seulement dans le cadre d'un mandat en cours, pour les démarches qu'il nomme.",
      "Je n'utilise que les informations que la personne m'a données, et seulement pour ses démarches.",
      "Je ne garde aucune copie de ses papiers ni de ses mots de passe.",
      "J'enregistre dans Maillage chaque démarche faite avec un mandat.",
      "Je respecte le secret de ce que la personne me confie.",
      "J'arrête le mandat dès que la personne le demande.",
    ],
  },
};
export const CURRENT_CHARTER = "2026-12";

/**
 * The texts an attestation prints, by template version. A mandate records the version it was signed with and always
 * prints with it; a new version is added here, never edited in place.
 */
export interface Template {
  title: string;
  /** The legal mentions, each a sentence. */
  mentions: string[];
  /** The commitments of the aidant (for the organisation). */
  commitments: string[];
  /** When the mandate ends before its term. */
  earlyEnd: string[];
  /** The easy-to-read version: short sentences, common words (checked by the plain-language test). */
  easy: { intro: string[]; rights: string[]; end: string[] };
}

export const TEMPLATES: Record<string, Template> = {
  "2026-12": {
    title: "Mandat pour faire des démarches administratives à ma place",
    mentions: [
      "Ce mandat est un mandat au sens des articles 1984 et suivants du Code civil.",
      "L'organisation peut faire les démarches en ligne, sur les sites des administrations, ou par tout autre moyen que l'administration accepte (téléphone, papier, courriel).",
      "Je peux annuler ce mandat à tout moment, pour une démarche ou pour toutes.",
      "Je déclare ne pas être sous une mesure de protection juridique (sauvegarde de justice, curatelle ou tutelle).",
      "J'ai le droit d'accéder aux informations me concernant, de les faire corriger, d'en limiter l'usage et de les faire supprimer, en le demandant à l'organisation.",
    ],
    commitments: [
      "agir seulement à partir des informations que la personne a données ;",
      "ne demander et ne garder que les informations utiles à ces démarches ;",
      "demander l'accord de la personne avant toute autre démarche ;",
      "mettre à jour ou supprimer les informations quand la personne le demande ;",
      "ne jamais rendre publiques les informations de la personne ;",
      "garder ces informations en sécurité et en toute confidentialité.",
    ],
    earlyEnd: [
      "les démarches sont terminées ;",
      "j'annule le mandat ;",
      "un aidant habilité de l'organisation l'annule ;",
      "je donne la même autorisation à une autre personne ou organisation (je le dis à l'organisation).",
    ],
    easy: {
      intro: [
        "Ce papier est un mandat.",
        "Avec ce mandat, l'organisation fait des démarches pour vous.",
        "Elle fait seulement les démarches écrites ici.",
        "Elle les fait seulement jusqu'à la date écrite ici.",
      ],
      rights: [
        "Vous pouvez arrêter le mandat quand vous voulez.",
        "Vous pouvez demander ce que l'organisation sait sur vous.",
        "L'organisation ne dit rien de vous à d'autres personnes.",
        "L'organisation ne garde pas vos papiers.",
      ],
      end: [
        "Pour arrêter le mandat, parlez à l'organisation.",
        "Ou allez sur le site avec le code écrit en bas.",
      ],
    },
  },
};
export const CURRENT_TEMPLATE = "2026-12";

/** The template a mandate prints with: its own version's, from the registry (never the current one instead). */
export function templateOf(version: string, registry: Record<string, Template> = TEMPLATES): Template {
  const t = registry[version];
  if (!t) throw new Error(`gabarit de mandat inconnu : ${version}`);
  return t;
}

// ————————————————————————————————————————————————————————————— the mandate

/** The person as the aidant attested them in person (no document number, ever). */
export interface Mandant {
  givenNames: string;
  familyName: string;
  /** AAAA-MM-JJ. */
  birthDate: string;
  birthPlace: string;
  document: DocumentKind;
  /** A phone number or an e-mail address, optional. */
  contact: string | null;
}

/** What the hash covers: everything the attestation states, the template's version, and a random salt. */
export interface HashedMandat {
  template: string;
  organisationId: number;
  /** Null for a mandate transferred from another organisation, until it is signed there. */
  aidantId: number | null;
  demarches: readonly Demarche[];
  duration: Duration;
  createdAt: Date;
  expiresAt: Date;
  mandant: Mandant;
  /** Random, kept with the mandate: the public hash cannot be used to guess who the person is. */
  salt: string;
}

/**
 * The canonical text of a mandate: JSON of its fields with keys in alphabetical order at every level, démarches in
 * their fixed order, instants in ISO 8601 UTC, texts as stored. Same mandate, same text, whatever the machine.
 */
export function canonical(m: HashedMandat): string {
  const value = {
    aidant: m.aidantId,
    cree_le: m.createdAt.toISOString(),
    demarches: DEMARCHES.filter((d) => m.demarches.includes(d)),
    duree: m.duration,
    expire_le: m.expiresAt.toISOString(),
    gabarit: m.template,
    mandant: {
      contact: m.mandant.contact,
      date_naissance: m.mandant.birthDate,
      lieu_naissance: m.mandant.birthPlace,
      nom: m.mandant.familyName,
      piece: m.mandant.document,
      prenoms: m.mandant.givenNames,
    },
    organisation: m.organisationId,
    sel: m.salt,
  };
  return sortedJson(value);
}

function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(",")}]`;
  if (v !== null && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** The integrity hash of a mandate: SHA-256 of its canonical text, 64 hexadecimal characters. */
export const hashOf = (m: HashedMandat): string => createHash("sha256").update(canonical(m)).digest("hex");

/** A hash as typed or scanned: 64 hexadecimal characters, any case, spaces ignored; null otherwise. */
export function readHash(raw: string): string | null {
  const h = raw.replace(/\s+/g, "").toLowerCase();
  return /^[0-9a-f]{64}$/.test(h) ? h : null;
}

/** A hash as printed: 8 groups of 8 characters, easier to compare by eye. */
export const displayHash = (h: string): string => h.match(/.{1,8}/g)?.join(" ") ?? h;

/** A key for the same person within an organisation (names folded, birth date): never shown, never reversed. */
export function personKey(m: Pick<Mandant, "givenNames" | "familyName" | "birthDate">): string {
  const fold = (s: string) =>
    s
      .normalize("NFD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[^a-z]+/g, " ")
      .trim();
  return createHash("sha256")
    .update(`${fold(m.familyName)}|${fold(m.givenNames)}|${m.birthDate}`)
    .digest("hex");
}

/**
 * When a mandate of `duration` days created at `createdAt` ends: that many calendar days later, at the same time of
 * the organisation's wall clock (a change to or from summer time in between does not move the end day).
 */
export function expiryOf(createdAt: Date, duration: Duration, zone: string): Date {
  const w = wallTime(createdAt, zone);
  return zonedInstant(zone, w.year, w.month, w.day + duration, w.hour, w.minute, w.second);
}

/** Why an authorisation ended (none while it runs). */
export const END_REASONS = ["revocation", "remplacement", "transfert", "expiration"] as const;
export type EndReason = (typeof END_REASONS)[number];

export type AuthorisationState = "active" | "revoquee" | "expiree";

export const STATE_LABELS: Record<AuthorisationState, string> = {
  active: "en cours",
  revoquee: "révoquée",
  expiree: "expirée",
};

/** The state of one family of a mandate at `now`. */
export function authorisationState(
  a: { endReason: EndReason | null },
  expiresAt: Date,
  now: Date,
): AuthorisationState {
  if (a.endReason !== null && a.endReason !== "expiration") return "revoquee";
  return now.getTime() >= expiresAt.getTime() ? "expiree" : "active";
}

/** Whether a mandate is due for a reminder at `now`: 6 or 12 months, still running, ending within 30 days. */
export function needsReminder(m: { duration: number; expiresAt: Date; active: boolean }, now: Date): boolean {
  const left = m.expiresAt.getTime() - now.getTime();
  return REMINDED_DURATIONS.has(m.duration) && m.active && left > 0 && left <= REMINDER_DAYS * 86_400_000;
}

// ————————————————————————————————————————————————————————————— input

export interface MandatInput {
  demarches: string[];
  duration: string;
  givenNames: string;
  familyName: string;
  birthDate: string;
  birthPlace: string;
  document: string;
  contact: string;
  checklist: string[];
}

export type MandatField = keyof MandatInput;

export interface ValidMandat {
  demarches: Demarche[];
  duration: Duration;
  mandant: Mandant;
}

const NAME = /^[\p{L}][\p{L}\p{M}' .-]*$/u;
const PHONE = /^(?:\+33|0)[1-9](?:[ .-]?\d{2}){4}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Checks a new mandate as typed, against the organisation's families and `today` (the organisation's day): every
 * error in French, by field; nothing is kept from a wrong input. The checklist must be read through.
 */
export function validateMandat(
  input: MandatInput,
  allowed: readonly Demarche[],
  today: string,
): { ok: true; value: ValidMandat } | { ok: false; errors: Partial<Record<MandatField, string>> } {
  const errors: Partial<Record<MandatField, string>> = {};
  const demarches = [...new Set(input.demarches)];
  const unknown = demarches.filter((d) => !(DEMARCHES as readonly string[]).includes(d));
  const outside = demarches.filter(
    (d) => (DEMARCHES as readonly string[]).includes(d) && !allowed.includes(d as Demarche),
  );
  if (demarches.length === 0) errors.demarches = "Cochez au moins une famille de démarches.";
  else if (unknown.length > 0)
    errors.demarches = `Famille de démarches inconnue : ${unknown.join(", ")}. Les 10 familles sont : ${DEMARCHES.join(", ")}.`;
  else if (outside.length > 0)
    errors.demarches = `Votre organisation ne couvre pas : ${outside.map((d) => DEMARCHE_INFO[d as Demarche].title).join(", ")}.`;
  const duration = Number(input.duration);
  if (!(DURATIONS as readonly number[]).includes(duration) || !/^\d+$/.test(input.duration.trim()))
    errors.duration = "Choisissez une durée : 1 jour, 1 mois, 6 mois ou 1 an.";
  const name = (v: string, field: "givenNames" | "familyName", what: string) => {
    const s = v.trim().replace(/\s+/g, " ");
    if (!s) errors[field] = `Écrivez ${what} de la personne, comme sur sa pièce d'identité.`;
    else if (s.length > 100 || !NAME.test(s))
      errors[field] =
        `${what[0]?.toUpperCase()}${what.slice(1)} : lettres, espaces, apostrophes et tirets seulement (100 au plus).`;
    return s;
  };
  const givenNames = name(input.givenNames, "givenNames", "les prénoms");
  const familyName = name(input.familyName, "familyName", "le nom");
  const birthDate = input.birthDate.trim();
  const real = /^\d{4}-\d{2}-\d{2}$/.test(birthDate) && isRealDay(birthDate);
  if (!real)
    errors.birthDate =
      "Écrivez la date de naissance au format JJ/MM/AAAA, par exemple 04/07/1948 (ou AAAA-MM-JJ dans l'API).";
  else if (birthDate > today) errors.birthDate = "La date de naissance est dans le futur : vérifiez-la.";
  else if (birthDate < "1900-01-01")
    errors.birthDate = "La date de naissance est trop ancienne : vérifiez-la.";
  const birthPlace = input.birthPlace.trim().replace(/\s+/g, " ");
  if (!birthPlace)
    errors.birthPlace =
      "Écrivez le lieu de naissance : la commune, ou le pays si la personne est née à l'étranger.";
  else if (birthPlace.length > 100) errors.birthPlace = "Le lieu de naissance a 100 caractères au plus.";
  if (!(DOCUMENT_KINDS as readonly string[]).includes(input.document))
    errors.document = "Choisissez la pièce d'identité que vous avez vue.";
  const contact = input.contact.trim();
  if (contact && !PHONE.test(contact) && !(EMAIL.test(contact) && contact.length <= 200))
    errors.contact =
      "Le contact est un numéro de téléphone (06 12 34 56 78) ou une adresse électronique ; il peut rester vide.";
  const missing = CHECKLIST.filter((c) => !input.checklist.includes(c.id));
  if (missing.length > 0)
    errors.checklist = "Lisez chaque point avec la personne et cochez-les tous avant de créer le mandat.";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      demarches: DEMARCHES.filter((d) => demarches.includes(d)),
      duration: duration as Duration,
      mandant: {
        givenNames,
        familyName,
        birthDate,
        birthPlace,
        document: input.document as DocumentKind,
        contact: contact || null,
      },
    },
  };
}

/** A birth date as people write it (JJ/MM/AAAA, J/M/AAAA, or AAAA-MM-JJ) → AAAA-MM-JJ; the text unchanged otherwise. */
export function normaliseDate(raw: string): string {
  const s = raw.trim();
  const fr = /^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{4})$/.exec(s);
  if (fr) return `${fr[3]}-${(fr[2] as string).padStart(2, "0")}-${(fr[1] as string).padStart(2, "0")}`;
  return s;
}

/** Whether « AAAA-MM-JJ » is a day of the calendar (not 31/02). */
export function isRealDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** Why a use of a mandate is refused, in French (the API's `erreur` and the page's message). */
export type UseRefusal =
  | "inconnu"
  | "autre-organisation"
  | "non-habilite"
  | "sans-second-facteur"
  | "demarche-hors-mandat"
  | "revoquee"
  | "expiree"
  | "date-future"
  | "date-avant-mandat";

export const USE_REFUSALS: Record<UseRefusal, string> = {
  inconnu: "Ce mandat n'existe pas.",
  "autre-organisation": "Ce mandat a été signé avec une autre organisation : vous ne pouvez pas agir avec.",
  "non-habilite":
    "Vous n'êtes pas aidant habilité de cette organisation (ou plus) : vous ne pouvez pas agir avec un mandat.",
  "sans-second-facteur":
    "Activez d'abord la vérification en deux étapes sur votre compte : elle est obligatoire pour agir avec un mandat.",
  "demarche-hors-mandat": "Ce mandat ne couvre pas cette famille de démarches.",
  revoquee: "Ce mandat a été révoqué pour cette famille de démarches : vous ne pouvez plus agir avec.",
  expiree: "Ce mandat a expiré : vous ne pouvez plus agir avec. Proposez à la personne de le renouveler.",
  "date-future": "La date de la démarche est dans le futur.",
  "date-avant-mandat": "La date de la démarche est avant la signature du mandat.",
};

/** The HTTP status of a refusal. */
export const REFUSAL_STATUS: Record<UseRefusal, 403 | 404 | 409 | 422> = {
  inconnu: 404,
  "autre-organisation": 403,
  "non-habilite": 403,
  "sans-second-facteur": 403,
  "demarche-hors-mandat": 422,
  revoquee: 403,
  expiree: 403,
  "date-future": 422,
  "date-avant-mandat": 422,
};

/** What an aidant is, for mandates, at a moment: habilitated in the organisation, with a second factor. */
export interface AidantStanding {
  /** An active aidant membership of this organisation and an habilitation not withdrawn. */
  habilitated: boolean;
  hasSecondFactor: boolean;
}

/**
 * May this aidant, of `organisationId`, act under this mandate for `demarche` on `day` at `now`? The store asks
 * the same in its conditional INSERT, so that a revocation between the check and the write still wins.
 */
export function useRefusal(
  m: {
    organisationId: number;
    createdAt: Date;
    expiresAt: Date;
    families: { demarche: Demarche; endReason: EndReason | null }[];
  },
  organisationId: number,
  standing: AidantStanding,
  demarche: Demarche,
  day: { on: string; today: string; createdOn: string },
  now: Date,
): UseRefusal | null {
  if (m.organisationId !== organisationId) return "autre-organisation";
  if (!standing.habilitated) return "non-habilite";
  if (!standing.hasSecondFactor) return "sans-second-facteur";
  const f = m.families.find((x) => x.demarche === demarche);
  if (!f) return "demarche-hors-mandat";
  const state = authorisationState(f, m.expiresAt, now);
  if (state === "revoquee") return "revoquee";
  if (state === "expiree") return "expiree";
  if (day.on > day.today) return "date-future";
  if (day.on < day.createdOn) return "date-avant-mandat";
  return null;
}
