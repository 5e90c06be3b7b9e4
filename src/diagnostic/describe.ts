/** Plain words shared by the diagnostic's pages (the result sheet, the statistics). */
import { formatNumber } from "../platform/format.ts";
import type { Barrier, Level, Mode, Profile } from "./model.ts";

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

export const PROFILE_SENTENCES: Record<Profile, string> = {
  autonome: "Vous vous débrouillez bien seul·e avec internet.",
  proche: "Vous savez faire beaucoup de choses. Quelques ateliers peuvent vous aider à aller plus loin.",
  eloigne: "Internet vous pose souvent des difficultés. Une personne peut vous aider, pas à pas.",
  exclu:
    "Internet est difficile pour vous aujourd'hui. Ce n'est pas grave : des personnes sont là pour vous aider.",
};

export const LEVEL_SENTENCES: Record<Level, string> = {
  urgence:
    "Allez vite voir une personne qui peut faire votre démarche avec vous : un lieu France Services, ou un aidant. Un aidant habilité (Aidants Connect) peut même la faire pour vous, avec votre accord.",
  inclusion: "Une personne peut vous accompagner, seul à seul, à votre rythme.",
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

/** "3,2 km", "800 m". */
export function formatDistance(km: number): string {
  if (km < 1) return `${Math.max(100, Math.round((km * 1000) / 100) * 100)} m`;
  return `${formatNumber(km, 1)} km`;
}
