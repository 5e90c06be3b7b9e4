/**
 * Activity reports (the pure core): what a mediator or an aidant records after helping someone — an individual
 * accompaniment, a workshop, or coordination work — in La Coop's vocabulary; its validation with every error in
 * French; the fingerprint of a submission (idempotency); the statistics' duration brackets and their protection of
 * small counts.
 */
import { createHash } from "node:crypto";
import { closestValue } from "../places/schema.ts";
import {
  AUTONOMIES,
  type Autonomie,
  DEMARCHES_ADMINISTRATIVES,
  LIEUX,
  type Lieu,
  MATERIELS,
  type Materiel,
  NIVEAUX,
  type Niveau,
  REDIRECTIONS,
  type Redirection,
  STATUTS,
  type Statut,
  THEMATIQUE_LABELS,
  THEMATIQUES,
  TRANCHES_AGE,
  type TrancheAge,
  TYPES_COORDINATION,
  type TypeCoordination,
} from "./vocabulary.ts";

export const ACTIVITY_TYPES = ["individuel", "collectif", "coordination"] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];
export const ACTIVITY_TYPE_LABELS: Record<ActivityType, string> = {
  individuel: "Accompagnement individuel",
  collectif: "Atelier collectif",
  coordination: "Coordination",
};

/** Every thématique a report may name: the 19 of accompaniment and the 11 of administrative démarches. */
const ALL_THEMATIQUES: readonly string[] = [...THEMATIQUES, ...DEMARCHES_ADMINISTRATIVES];

/** The usual durations offered in one tap (minutes); any other from 1 to 24 h may be typed. */
export const DURATION_CHOICES = [15, 30, 45, 60, 90, 120] as const;
const MAX_MINUTES = 24 * 60;
const MAX_PARTICIPANTS = 500;

/** A duration as people read it: « 45 min », « 1 h 30 ». */
export function durationLabel(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, "0")}`;
}

/** La Coop's brackets of duration for statistics. */
export const DURATION_BRACKETS = [
  { key: "moins-30", label: "Moins de 30 min", max: 30 },
  { key: "30-60", label: "30 min à 1 h", max: 60 },
  { key: "60-120", label: "1 h à 2 h", max: 120 },
  { key: "plus-120", label: "2 h et plus", max: Number.POSITIVE_INFINITY },
] as const;

/** A report as typed or sent: texts, lists of codes. */
export interface ActivityInput {
  type: string;
  date: string;
  duration: string;
  lieu: string;
  /** The published place (lieu d'activité) or the commune's INSEE code (domicile, autre). */
  placeId: string;
  commune: string;
  thematiques: string[];
  materiel: string[];
  autonomie: string;
  redirection: string;
  notes: string;
  titre: string;
  niveau: string;
  participants: string;
  coordination: string;
  trancheAge: string;
  statut: string;
  beneficiaireCommune: string;
  /** Links, each optional: a diagnostic result, an orientation reference, a mandate use, a pass cheque. */
  diagnostic: string;
  orientation: string;
  utilisation: string;
  cheque: string;
  /** The follow-up file (the organisation's), when the person agreed to one. */
  beneficiaire: string;
}

export type ActivityField = keyof ActivityInput;

export interface Activity {
  type: ActivityType;
  date: string;
  minutes: number;
  lieu: Lieu | null;
  placeId: string | null;
  communeCode: string | null;
  thematiques: string[];
  materiel: Materiel[];
  autonomie: Autonomie | null;
  redirection: Redirection | null;
  notes: string | null;
  titre: string | null;
  niveau: Niveau | null;
  participants: number;
  coordination: TypeCoordination | null;
  trancheAge: TrancheAge | null;
  statut: Statut | null;
  beneficiaireCommune: string | null;
  diagnosticId: number | null;
  orientation: string | null;
  utilisationId: number | null;
  cheque: string | null;
  beneficiaireId: number | null;
}

/** What validation needs to know about the world: today in the organisation's zone, its places, the communes. */
export interface ValidationContext {
  today: string;
  /** The published places the organisation runs (ids of the directory). */
  placeIds: readonly string[];
  isCommune: (code: string) => boolean;
}

const inList = <T extends string>(list: readonly T[], v: string): v is T =>
  (list as readonly string[]).includes(v);

function realDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** « Thématique inconnue : … » with the closest valid one when there is a plausible one. */
function unknownThematique(value: string): string {
  const byCode = closestValue(value, [...ALL_THEMATIQUES]);
  const labels = ALL_THEMATIQUES.map((c) => THEMATIQUE_LABELS[c as keyof typeof THEMATIQUE_LABELS]);
  const byLabel = closestValue(value, labels);
  const suggestion = byCode ?? (byLabel ? ALL_THEMATIQUES[labels.indexOf(byLabel)] : null);
  return suggestion
    ? `Thématique inconnue : « ${value} ». Vouliez-vous dire « ${suggestion} » (${THEMATIQUE_LABELS[suggestion as keyof typeof THEMATIQUE_LABELS]}) ?`
    : `Thématique inconnue : « ${value} ». Les thématiques sont celles de La Coop (${ALL_THEMATIQUES.length} codes, voir /api).`;
}

const optionalId = (v: string) => (/^\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : null);

/**
 * Checks a report; every error by field, in French. Only the type, the date and the duration are required; the rest
 * is kept only when valid, never half.
 */
export function validateActivity(
  input: ActivityInput,
  ctx: ValidationContext,
): { ok: true; value: Activity } | { ok: false; errors: Partial<Record<ActivityField, string>> } {
  const e: Partial<Record<ActivityField, string>> = {};
  const type = input.type.trim();
  if (!inList(ACTIVITY_TYPES, type))
    e.type = "Choisissez le type : accompagnement individuel, atelier collectif ou coordination.";
  const date = input.date.trim();
  if (!realDay(date)) e.date = "Écrivez la date au format JJ/MM/AAAA.";
  else if (date > ctx.today) e.date = "La date est dans le futur : un compte rendu se fait après l'activité.";
  else if (date < "2020-01-01") e.date = "La date est trop ancienne : vérifiez l'année.";
  const minutes = Number(input.duration.trim().replace(",", "."));
  if (input.duration.trim() === "") e.duration = "Indiquez la durée.";
  else if (!Number.isInteger(minutes) || minutes <= 0)
    e.duration = "La durée est un nombre entier de minutes, plus grand que 0.";
  else if (minutes > MAX_MINUTES)
    e.duration = "Une activité dure 24 heures au plus : vérifiez la durée (en minutes).";
  const lieu = input.lieu.trim();
  let placeId: string | null = null;
  let communeCode: string | null = null;
  if (lieu && !inList(LIEUX, lieu))
    e.lieu = "Choisissez le lieu : lieu d'activité, à domicile, autre lieu ou à distance.";
  else if (lieu === "lieu_activite") {
    placeId = input.placeId.trim();
    if (!ctx.placeIds.includes(placeId))
      e.placeId = placeId
        ? "Ce lieu n'est pas un des lieux de votre organisation : choisissez-en un dans la liste."
        : "Choisissez le lieu d'activité de votre organisation.";
  } else if (lieu === "domicile" || lieu === "autre") {
    communeCode = input.commune.trim();
    if (communeCode && !ctx.isCommune(communeCode))
      e.commune = "Commune inconnue : donnez son code INSEE (5 caractères).";
    if (!communeCode) communeCode = null;
  }
  const thematiques = [...new Set(input.thematiques.map((t) => t.trim()).filter(Boolean))];
  const unknown = thematiques.find((t) => !ALL_THEMATIQUES.includes(t));
  if (unknown !== undefined) e.thematiques = unknownThematique(unknown);
  const materiel = [...new Set(input.materiel.map((m) => m.trim()).filter(Boolean))];
  if (materiel.some((m) => !inList(MATERIELS, m)))
    e.materiel = "Matériel inconnu : ordinateur, telephone, tablette, autre ou aucun.";
  const one = <T extends string>(
    list: readonly T[],
    v: string,
    field: ActivityField,
    message: string,
  ): T | null => {
    const s = v.trim();
    if (!s) return null;
    if (inList(list, s)) return s;
    e[field] = message;
    return null;
  };
  const autonomie = one(
    AUTONOMIES,
    input.autonomie,
    "autonomie",
    "Autonomie inconnue : entierement_accompagne, partiellement_autonome ou autonome.",
  );
  const redirection = one(
    REDIRECTIONS,
    input.redirection,
    "redirection",
    "Structure de redirection inconnue.",
  );
  const niveau = one(NIVEAUX, input.niveau, "niveau", "Niveau inconnu : debutant, intermediaire ou avance.");
  const coordination = one(
    TYPES_COORDINATION,
    input.coordination,
    "coordination",
    "Type de coordination inconnu : evenement, partenariat ou animation.",
  );
  const trancheAge = one(TRANCHES_AGE, input.trancheAge, "trancheAge", "Tranche d'âge inconnue.");
  const statut = one(STATUTS, input.statut, "statut", "Statut inconnu.");
  let participants = 1;
  if (type === "collectif") {
    const n = Number(input.participants.trim());
    if (!Number.isInteger(n) || n < 1)
      e.participants = "Un atelier a au moins 1 participant : indiquez combien de personnes sont venues.";
    else if (n > MAX_PARTICIPANTS) e.participants = `Un atelier a ${MAX_PARTICIPANTS} participants au plus.`;
    else participants = n;
    if (!input.titre.trim()) e.titre = "Donnez un titre à l'atelier.";
  } else if (type === "coordination") participants = 0;
  const beneficiaireCommune = input.beneficiaireCommune.trim();
  if (beneficiaireCommune && !ctx.isCommune(beneficiaireCommune))
    e.beneficiaireCommune = "Commune de la personne inconnue : donnez son code INSEE (5 caractères).";
  const notes = input.notes.trim();
  if (notes.length > 2000) e.notes = "Les notes ont 2 000 caractères au plus.";
  const orientation = input.orientation
    .trim()
    .toUpperCase()
    .replace(/[\s.\-_]/g, "");
  const cheque = input.cheque
    .trim()
    .toUpperCase()
    .replace(/[\s.\-_]/g, "");
  if (Object.keys(e).length > 0) return { ok: false, errors: e };
  return {
    ok: true,
    value: {
      type: type as ActivityType,
      date,
      minutes,
      lieu: (lieu || null) as Lieu | null,
      placeId,
      communeCode,
      thematiques: ALL_THEMATIQUES.filter((t) => thematiques.includes(t)),
      materiel: MATERIELS.filter((m) => materiel.includes(m)),
      autonomie: type === "individuel" ? autonomie : null,
      redirection: type === "individuel" ? redirection : null,
      notes: notes || null,
      titre: type === "collectif" ? input.titre.trim().slice(0, 200) : null,
      niveau: type === "collectif" ? niveau : null,
      participants,
      coordination: type === "coordination" ? coordination : null,
      trancheAge: type === "individuel" ? trancheAge : null,
      statut: type === "individuel" ? statut : null,
      beneficiaireCommune: type === "individuel" ? beneficiaireCommune || null : null,
      diagnosticId: optionalId(input.diagnostic),
      orientation: orientation || null,
      utilisationId: optionalId(input.utilisation),
      cheque: cheque || null,
      beneficiaireId: type === "individuel" ? optionalId(input.beneficiaire) : null,
    },
  };
}

/**
 * The fingerprint of a submission (SHA-256 of its validated value, keys sorted): a replay with the same
 * Idempotency-Key and the same content is the same report; the same key with another content is refused.
 */
export function fingerprint(a: Activity): string {
  const sorted = Object.fromEntries(Object.entries(a).sort(([x], [y]) => x.localeCompare(y)));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}

/** An Idempotency-Key: 8 to 100 characters of letters, digits, dashes and underscores (a UUID fits). */
export const isIdempotencyKey = (k: string): boolean => /^[A-Za-z0-9_-]{8,100}$/.test(k);

// ————————————————————————————————————————————————————————————— statistics

/** A figure of a protected view is shown only when it counts at least this many records… */
const MIN_COUNT = 5;

/** A counted cell: its count and the part of it from the organisation that contributes most. */
export interface RawCell {
  key: string;
  count: number;
  largest: number;
}

/** A figure shown, or null when hidden. */
export type Shown = number | null;

/**
 * Protects a set of cells for a view beyond one's own organisation. A non-zero cell is hidden when it counts fewer
 * than MIN_COUNT records, or fewer than MIN_COUNT once its largest contributor is left out (the dominance rule):
 * records added by one organisation, however many, never make a small cell of others appear — if they are the
 * largest part, the rest is the others' small count; if not, they are fewer than the largest. In a partition (the
 * cells add up to a total shown elsewhere), when a single cell is hidden the smallest other non-zero cell is hidden
 * too, so that no subtraction gives it back.
 */
export function protect(cells: readonly RawCell[], partition: boolean): { key: string; count: Shown }[] {
  const out = cells.map((c) => ({
    ...c,
    hidden: c.count > 0 && (c.count < MIN_COUNT || c.count - c.largest < MIN_COUNT),
  }));
  if (partition && out.filter((c) => c.hidden).length === 1) {
    const next = out.filter((c) => !c.hidden && c.count > 0).sort((a, b) => a.count - b.count)[0];
    if (next) next.hidden = true;
  }
  return out.map((c) => ({ key: c.key, count: c.hidden ? null : c.count }));
}
