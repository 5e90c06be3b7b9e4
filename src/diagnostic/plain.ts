/**
 * Plain-language rules for the questionnaire (FALC spirit): short questions, and no word of the jargon list unless
 * the question explains it. The list is ours: add a word whenever a tester stumbles on it.
 */
import type { Questionnaire } from "./model.ts";

export const MAX_QUESTION_WORDS = 20;

/** Words that many people in digital difficulty do not know; a question using one must explain it. */
export const JARGON: readonly string[] = [
  "application",
  "appli",
  "appel vidéo",
  "arnaque",
  "courriel",
  "e-mail",
  "mail",
  "mot de passe",
  "identifiant",
  "en ligne",
  "CAF",
  "navigateur",
  "URL",
  "lien",
  "cloud",
  "wifi",
  "wi-fi",
  "Bluetooth",
  "FranceConnect",
  "hameçonnage",
  "phishing",
  "cookie",
  "télécharger",
  "pièce jointe",
  "compte",
  "numérique",
  "dématérialisé",
  "démarche",
  "portail",
  "QR code",
];

/** Words of a text: letters, digits, apostrophes and hyphens inside words; punctuation does not count. */
export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
}

const contains = (text: string, term: string) =>
  new RegExp(`(^|[^\\p{L}])${term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\p{L}])`, "iu").test(text);

/** Every breach of the rules, in French ("question « x » : …"); empty when the questionnaire is plain. */
export function plainLanguageProblems(q: Questionnaire, jargon: readonly string[] = JARGON): string[] {
  const problems: string[] = [];
  for (const question of q.questions) {
    const n = words(question.text).length;
    if (n > MAX_QUESTION_WORDS)
      problems.push(`question « ${question.id} » : ${n} mots (${MAX_QUESTION_WORDS} au plus)`);
    const shown = [question.text, ...question.answers.map((a) => a.label)].join(" \n ");
    for (const term of jargon) {
      if (!contains(shown, term)) continue;
      if (!question.explanation || !contains(question.explanation, term))
        problems.push(`question « ${question.id} » : le mot « ${term} » n'est pas expliqué`);
    }
  }
  return problems;
}

/**
 * The same rules for a text in easy-to-read sentences (an attestation's easy version): every sentence at most
 * `maxWords` words, and no word of the jargon list (such a text has no room for explanations).
 */
export function plainTextProblems(
  sentences: readonly string[],
  maxWords: number,
  jargon: readonly string[] = JARGON,
): string[] {
  const problems: string[] = [];
  for (const s of sentences) {
    const n = words(s).length;
    if (n > maxWords) problems.push(`« ${s} » : ${n} mots (${maxWords} au plus)`);
    for (const term of jargon) if (contains(s, term)) problems.push(`« ${s} » : le mot « ${term} »`);
  }
  return problems;
}
