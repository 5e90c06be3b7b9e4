/**
 * The result of a diagnostic, by a pure function driven by the tables below (no I/O, no clock):
 * 1. skill points per answer (SKILL_POINTS) give a skill share, from 0 (never) to 1 (alone);
 * 2. facts (no device, fear, urgency…) come from the answers (FACTS);
 * 3. the first matching rule of PROFILE_RULES gives the profile; URGENCY_RULES the urgency flag;
 * 4. the level follows from both (LEVEL_RULES), and what to look for from LEVEL_NEEDS and BARRIER_NEEDS.
 * Skipped questions count for nothing: with too few skill answers the profile is « éloigné » (human help first).
 */
import {
  type Answers,
  BARRIERS,
  type Barrier,
  type DiagnosticResult,
  type Level,
  type Profile,
  SKIP,
} from "./model.ts";
import { answerList } from "./questionnaire.ts";

/** Points of each answer of the skill questions: 2 = alone, 1 = with help, 0 = never. */
const SKILL_POINTS: Record<string, Record<string, number>> = {
  appareil: { seul: 2, aide: 1, jamais: 0 },
  recherche: { seul: 2, aide: 1, jamais: 0 },
  courriel: { seul: 2, aide: 1, jamais: 0 },
  "mot-de-passe": { seul: 2, aide: 1, jamais: 0 },
  demarche: { seul: 2, aide: 1, jamais: 0 },
  messagerie: { seul: 2, aide: 1, jamais: 0 },
  arnaque: { oui: 2, doute: 1, non: 0 },
};

/** Below this many skill answers (others skipped), the skill share is not trusted. */
const MIN_SKILL_ANSWERS = 3;

/** Answers that reveal a barrier. */
const BARRIER_ANSWERS: { question: string; answer: string; barrier: Barrier }[] = [
  { question: "genes", answer: "lecture", barrier: "lecture" },
  { question: "genes", answer: "langue", barrier: "langue" },
  { question: "genes", answer: "vue", barrier: "vue" },
  { question: "genes", answer: "audition", barrier: "audition" },
  { question: "genes", answer: "moteur", barrier: "moteur" },
  { question: "genes", answer: "cout", barrier: "cout" },
  { question: "connexion", answer: "limite", barrier: "cout" },
  { question: "equipement", answer: "aucun", barrier: "materiel" },
  { question: "connexion", answer: "non", barrier: "materiel" },
  { question: "confiance", answer: "peur", barrier: "peur" },
];

/** What the rules look at. */
interface Facts {
  /** Share of the skill points, 0 to 1; null when fewer than MIN_SKILL_ANSWERS skill questions were answered. */
  skill: number | null;
  noDevice: boolean;
  noInternet: boolean;
  /** Online procedures: alone, with help, never, or not answered. */
  procedure: "seul" | "aide" | "jamais" | "inconnu";
  scamAware: boolean;
  fear: boolean;
  /** The urgency question: within days, within weeks, no, not answered. */
  deadline: "oui" | "bientot" | "non" | "inconnu";
  /** Someone around can help easily. */
  helpAround: boolean;
}

const PROFILE_RULES: { profile: Profile; when: (f: Facts) => boolean; why: string }[] = [
  { profile: "exclu", when: (f) => f.noDevice || f.noInternet, why: "ni appareil ou ni internet" },
  {
    profile: "exclu",
    when: (f) => f.skill !== null && f.skill < 0.3,
    why: "presque rien fait seul ou avec aide",
  },
  {
    profile: "eloigne",
    when: (f) => f.skill === null,
    why: "trop peu de réponses : on propose une aide humaine",
  },
  {
    profile: "eloigne",
    when: (f) => (f.skill ?? 0) < 0.6,
    why: "beaucoup de gestes avec de l'aide ou jamais",
  },
  { profile: "eloigne", when: (f) => f.procedure === "jamais", why: "jamais de démarche en ligne" },
  {
    profile: "proche",
    when: (f) => (f.skill ?? 0) < 0.9 || f.procedure !== "seul" || !f.scamAware || f.fear,
    why: "à l'aise pour l'essentiel, avec des points à renforcer",
  },
  { profile: "autonome", when: () => true, why: "fait presque tout seul, sans peur" },
];

const URGENCY_RULES: { when: (f: Facts, p: Profile) => boolean; why: string }[] = [
  { when: (f) => f.deadline === "oui", why: "une démarche à faire dans les jours qui viennent" },
  {
    when: (f) => f.deadline === "bientot" && f.procedure !== "seul" && !f.helpAround,
    why: "une démarche dans les semaines qui viennent, sans la faire seul et sans proche pour aider",
  },
  {
    when: (f, p) => f.deadline === "bientot" && p === "exclu",
    why: "une démarche dans les semaines qui viennent pour une personne exclue du numérique",
  },
];

const LEVEL_RULES: { level: Level; when: (urgent: boolean, p: Profile) => boolean }[] = [
  { level: "urgence", when: (urgent) => urgent },
  { level: "inclusion", when: (_, p) => p === "exclu" || p === "eloigne" },
  { level: "competences", when: () => true },
];

/** What to look for at each level, in the national standard's values. */
const LEVEL_NEEDS: Record<
  Level,
  { services: string[]; modalites: string[]; programmes: string[]; passNumerique: boolean }
> = {
  urgence: {
    services: ["Aide aux démarches administratives"],
    modalites: ["Accompagnement individuel"],
    programmes: ["Aidants Connect", "France Services"],
    passNumerique: false,
  },
  inclusion: {
    services: ["Maîtrise des outils numériques du quotidien"],
    modalites: ["Accompagnement individuel"],
    programmes: [],
    passNumerique: false,
  },
  competences: {
    services: ["Maîtrise des outils numériques du quotidien"],
    modalites: ["Dans un atelier collectif"],
    programmes: [],
    passNumerique: true,
  },
};

/** Services added by a barrier or a weak point, and the standard's `prise_en_charge_specifique`. */
const BARRIER_NEEDS: Record<Barrier, { services: string[]; priseEnCharge: string[] }> = {
  lecture: { services: [], priseEnCharge: ["Illettrisme"] },
  langue: { services: [], priseEnCharge: ["Langues étrangères (autres)"] },
  vue: { services: [], priseEnCharge: ["Déficience visuelle"] },
  audition: { services: [], priseEnCharge: ["Surdité"] },
  moteur: { services: [], priseEnCharge: ["Handicaps moteurs"] },
  cout: { services: ["Acquisition de matériel informatique à prix solidaire"], priseEnCharge: [] },
  materiel: { services: ["Accès internet et matériel informatique"], priseEnCharge: [] },
  peur: { services: [], priseEnCharge: [] },
};

const one = (answers: Answers, q: string): string | undefined => {
  const v = answerList(answers, q)[0];
  return v === SKIP ? undefined : v;
};

function facts(answers: Answers): Facts {
  let points = 0;
  let count = 0;
  for (const [q, table] of Object.entries(SKILL_POINTS)) {
    const a = one(answers, q);
    const p = a === undefined ? undefined : table[a];
    if (p === undefined) continue;
    points += p;
    count++;
  }
  const procedure = one(answers, "demarche");
  const deadline = one(answers, "urgence");
  return {
    skill: count >= MIN_SKILL_ANSWERS ? points / (2 * count) : null,
    noDevice: one(answers, "equipement") === "aucun",
    noInternet: one(answers, "connexion") === "non",
    procedure: procedure === "seul" || procedure === "aide" || procedure === "jamais" ? procedure : "inconnu",
    scamAware: one(answers, "arnaque") === "oui",
    fear: one(answers, "confiance") === "peur",
    deadline: deadline === "oui" || deadline === "bientot" || deadline === "non" ? deadline : "inconnu",
    helpAround: one(answers, "entourage") === "oui",
  };
}

function barriersOf(answers: Answers): Barrier[] {
  const found = new Set<Barrier>();
  for (const b of BARRIER_ANSWERS)
    if (answerList(answers, b.question).includes(b.answer)) found.add(b.barrier);
  return BARRIERS.filter((b) => found.has(b));
}

const uniq = (xs: string[]) => [...new Set(xs)];

/** The diagnostic's result from checked answers (see questionnaire.checkAnswers). */
export function score(answers: Answers, version: string): DiagnosticResult {
  const f = facts(answers);
  const profile = PROFILE_RULES.find((r) => r.when(f))?.profile ?? "eloigne";
  const urgent = URGENCY_RULES.some((r) => r.when(f, profile));
  const level = LEVEL_RULES.find((r) => r.when(urgent, profile))?.level ?? "inclusion";
  const barriers = barriersOf(answers);
  const needs = LEVEL_NEEDS[level];
  const services = [...needs.services];
  if (!f.scamAware && one(answers, "arnaque") !== undefined)
    services.push("Utilisation sécurisée du numérique");
  for (const b of barriers) services.push(...BARRIER_NEEDS[b].services);
  // An autonomous person learns on their own; others are helped by a person (« humain d'abord »).
  const modalites =
    profile === "autonome" && !urgent ? ["En autonomie", ...needs.modalites] : needs.modalites;
  const strengths: string[] = [];
  const weak: string[] = [];
  for (const [q, table] of Object.entries(SKILL_POINTS)) {
    const a = one(answers, q);
    const p = a === undefined ? undefined : table[a];
    if (p === 2) strengths.push(q);
    else if (p !== undefined) weak.push(q);
  }
  const answered = Object.keys(answers).filter((q) => !answerList(answers, q).includes(SKIP)).length;
  return {
    version,
    profile,
    urgent,
    barriers,
    level,
    services: uniq(services),
    modalites: uniq(modalites),
    programmes: needs.programmes,
    priseEnCharge: uniq(barriers.flatMap((b) => BARRIER_NEEDS[b].priseEnCharge)),
    passNumerique: needs.passNumerique && profile !== "autonome",
    strengths,
    needs: weak,
    answered,
    skipped: Object.keys(answers).length - answered,
  };
}
