/** Plain words shared by the diagnostic's pages (the result sheet, the statistics). */
import { formatNumber } from "../platform/format.ts";
import type { Answers, Barrier, Level, Mode, Profile } from "./model.ts";
import { answerList } from "./questionnaire.ts";
import { MIN_CELL } from "./stats.ts";

/** What a skill question means, as a thing one knows how to do (« Ce que vous savez déjà faire »). */
export const SKILL_WORDS: Record<string, string> = {
  appareil: "utiliser votre téléphone ou votre ordinateur",
  recherche: "chercher une information sur internet",
  courriel: "lire et envoyer des courriels",
  "mot-de-passe": "retrouver ou changer un mot de passe",
  demarche: "faire des papiers en ligne",
  messagerie: "envoyer des messages et faire des appels vidéo",
  arnaque: "reconnaître une arnaque",
};

/** What an equipment, connection or confidence answer says the person already has or is (« Ce que vous savez déjà faire »). */
const HAVE_SENTENCES: Record<string, Record<string, string>> = {
  equipement: {
    "les-deux": "Vous avez un téléphone qui va sur internet et un ordinateur ou une tablette.",
    telephone: "Vous avez un téléphone qui va sur internet.",
    ordinateur: "Vous avez un ordinateur ou une tablette.",
  },
  connexion: {
    oui: "Vous avez internet.",
    limite: "Vous avez internet, même si ce n'est pas toujours assez.",
  },
  confiance: { aise: "Vous êtes à l'aise sur internet." },
};

/**
 * « Ce que vous savez déjà faire », from the answers: the skills done alone, then those done with help, then the
 * equipment, the connection and the confidence the person already has. Pure; skipped questions say nothing.
 */
export function alreadyDone(answers: Answers): string[] {
  const alone: string[] = [];
  const helped: string[] = [];
  for (const [q, words] of Object.entries(SKILL_WORDS)) {
    const a = answerList(answers, q);
    if (a.includes("seul") || (q === "arnaque" && a.includes("oui"))) alone.push(`Vous savez ${words}.`);
    else if (a.includes("aide")) helped.push(`Vous savez ${words}, avec de l'aide.`);
  }
  const have = Object.entries(HAVE_SENTENCES).flatMap(([q, sentences]) =>
    answerList(answers, q).flatMap((a) => (sentences[a] ? [sentences[a]] : [])),
  );
  return [...alone, ...helped, ...have];
}

export const PROFILE_SENTENCES: Record<Profile, string> = {
  autonome: "Vous vous débrouillez bien sans aide avec internet.",
  proche: "Vous savez faire beaucoup de choses. Quelques ateliers peuvent vous aider à aller plus loin.",
  eloigne: "Internet vous pose souvent des difficultés. Une personne peut vous aider, pas à pas.",
  exclu:
    "Internet est difficile pour vous aujourd'hui. Ce n'est pas grave : des personnes sont là pour vous aider.",
};

export const LEVEL_SENTENCES: Record<Level, string> = {
  urgence:
    "Allez vite voir une personne qui peut faire votre démarche avec vous : un lieu France Services, ou un aidant. Un aidant habilité (Aidants Connect) peut même la faire pour vous, avec votre accord.",
  inclusion: "Une personne peut vous accompagner, en tête-à-tête, à votre rythme.",
  competences: "Des ateliers en petit groupe peuvent vous aider à apprendre.",
};

export const PASS_SENTENCE =
  "Vous pouvez peut-être recevoir un pass numérique : des chèques pour payer ces ateliers. Demandez-le au lieu ou à votre mairie.";

export const BARRIER_SENTENCES: Record<Barrier, string> = {
  lecture: "Lire ou écrire est difficile : dites-le, on vous aidera sans vous juger.",
  langue: "Vous parlez mieux une autre langue : demandez un lieu qui parle votre langue.",
  vue: "Vous voyez mal : certains lieux ont du matériel adapté.",
  audition: "Vous entendez mal : certains lieux accueillent les personnes sourdes ou malentendantes.",
  moteur: "Utiliser vos mains est difficile : certains lieux ont du matériel adapté.",
  cout: "Le prix est un frein : certains lieux prêtent ou vendent du matériel pas cher.",
  materiel: "Vous n'avez pas d'appareil ou pas internet : certains lieux ont des ordinateurs en libre accès.",
  peur: "Vous avez peur de vous tromper : c'est normal, on apprend en faisant, sans rien casser.",
};

export const MODE_LABELS: Record<Mode, string> = {
  seul: "la personne a répondu seule",
  accompagne: "avec un accompagnant",
};

/** A hidden statistic (primary or secondary suppression, stats.ts): never « moins de 5 » alone, it may be more. */
export const HIDDEN_CELL = `masqué (moins de ${MIN_CELL} ou pour protéger un autre chiffre)`;

/** "3,2 km", "800 m". */
export function formatDistance(km: number): string {
  if (km < 1) return `${Math.max(100, Math.round((km * 1000) / 100) * 100)} m`;
  return `${formatNumber(km, 1)} km`;
}
