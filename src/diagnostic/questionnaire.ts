/**
 * The questionnaire is data (questionnaire.json, editable by a coordinator). This module reads and checks it,
 * adds the skip answer to every question and derives its version: the declared version plus a fingerprint of the
 * content, so that an edit without a new declared version still changes it (a token of the old one is refused).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { type Answers, type Question, type Questionnaire, SKIP } from "./model.ts";

export const QUESTIONNAIRE_PATH = join(import.meta.dirname, "questionnaire.json");

const id = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, "identifiant : minuscules, chiffres et tirets");
const fileSchema = z.object({
  version: z.string().min(1).max(40),
  title: z.string().min(1).max(200),
  skipLabel: z.string().min(1).max(200),
  questions: z
    .array(
      z.object({
        id,
        theme: z.string().min(1).max(80),
        text: z.string().min(1).max(300),
        explanation: z.string().min(1).max(300).optional(),
        helperNote: z.string().min(1).max(300),
        kind: z.enum(["one", "several"]),
        answers: z
          .array(z.object({ id, label: z.string().min(1).max(200) }))
          .min(2)
          .max(10),
      }),
    )
    .min(1)
    .max(30),
});

/** Parses and checks the questionnaire file's text; throws a French message naming the problem. */
export function parseQuestionnaire(text: string): Questionnaire {
  const parsed = fileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`questionnaire : ${issue?.path.join(".")} : ${issue?.message}`);
  }
  const file = parsed.data;
  const seen = new Set<string>();
  for (const q of file.questions) {
    if (seen.has(q.id)) throw new Error(`questionnaire : la question « ${q.id} » est en double`);
    seen.add(q.id);
    const answerIds = new Set(q.answers.map((a) => a.id));
    if (answerIds.size !== q.answers.length || answerIds.has(SKIP))
      throw new Error(`questionnaire : réponses en double ou réservées dans « ${q.id} »`);
  }
  const fingerprint = createHash("sha256").update(text).digest("hex").slice(0, 8);
  return {
    version: `${file.version}.${fingerprint}`,
    title: file.title,
    questions: file.questions.map(
      (q): Question => ({ ...q, answers: [...q.answers, { id: SKIP, label: file.skipLabel }] }),
    ),
  };
}

/** The shipped questionnaire, read once. */
export const QUESTIONNAIRE: Questionnaire = parseQuestionnaire(readFileSync(QUESTIONNAIRE_PATH, "utf8"));

/**
 * Checks answers against a questionnaire: unknown questions, unknown answers, several answers to a single-answer
 * question, the skip answer mixed with others. Returns the answers normalised (a "several" answer is always a list,
 * sorted in the questionnaire's order) or the French problems.
 */
export function checkAnswers(
  questionnaire: Questionnaire,
  answers: Record<string, unknown>,
): { ok: true; answers: Answers } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const out: Answers = {};
  const byId = new Map(questionnaire.questions.map((q) => [q.id, q]));
  for (const [qid, value] of Object.entries(answers)) {
    const q = byId.get(qid);
    if (!q) {
      problems.push(`la question « ${qid.slice(0, 40)} » n'existe pas`);
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || !values.every((v): v is string => typeof v === "string")) {
      problems.push(`question « ${qid} » : la réponse doit être un identifiant de réponse`);
      continue;
    }
    const allowed = q.answers.map((a) => a.id);
    const unknown = values.filter((v) => !allowed.includes(v));
    if (unknown.length > 0) {
      problems.push(
        `question « ${qid} » : réponse inconnue « ${String(unknown[0]).slice(0, 40)} » (réponses possibles : ${allowed.join(", ")})`,
      );
      continue;
    }
    if (q.kind === "one") {
      if (values.length > 1) problems.push(`question « ${qid} » : une seule réponse possible`);
      else out[qid] = values[0] as string;
    } else {
      if (values.length > 1 && values.includes(SKIP)) {
        problems.push(`question « ${qid} » : « ${SKIP} » ne peut pas être coché avec d'autres réponses`);
        continue;
      }
      out[qid] = allowed.filter((a) => values.includes(a));
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, answers: out };
}

/** The answer ids given to a question, as a list (empty when not answered). */
export function answerList(answers: Answers, questionId: string): string[] {
  const v = answers[questionId];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
