import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { SKIP } from "./model.ts";
import { JARGON, MAX_QUESTION_WORDS, plainLanguageProblems, words } from "./plain.ts";
import { checkAnswers, parseQuestionnaire, QUESTIONNAIRE, QUESTIONNAIRE_PATH } from "./questionnaire.ts";

const FILE = readFileSync(QUESTIONNAIRE_PATH, "utf8");

describe("the shipped questionnaire", () => {
  test("has 10 to 15 questions, each with the skip answer last", () => {
    assert.ok(QUESTIONNAIRE.questions.length >= 10 && QUESTIONNAIRE.questions.length <= 15);
    for (const q of QUESTIONNAIRE.questions) {
      assert.equal(q.answers.at(-1)?.id, SKIP, q.id);
      assert.equal(q.answers.at(-1)?.label, "Je ne sais pas / je préfère ne pas répondre");
    }
  });

  test("covers every theme of the issue", () => {
    const ids = QUESTIONNAIRE.questions.map((q) => q.id);
    for (const needed of [
      "equipement",
      "connexion",
      "appareil",
      "recherche",
      "courriel",
      "mot-de-passe",
      "demarche",
      "arnaque",
      "messagerie",
      "confiance",
      "urgence",
      "genes",
    ])
      assert.ok(ids.includes(needed), needed);
    const genes = QUESTIONNAIRE.questions.find((q) => q.id === "genes");
    assert.deepEqual(
      genes?.answers.map((a) => a.id),
      ["lecture", "langue", "vue", "audition", "moteur", "cout", "rien", SKIP],
    );
    // Situational answers for the skills.
    const demarche = QUESTIONNAIRE.questions.find((q) => q.id === "demarche");
    assert.deepEqual(
      demarche?.answers.map((a) => a.label),
      [
        "Je le fais sans aide",
        "Je le fais avec de l'aide",
        "Je ne le fais jamais",
        "Je ne sais pas / je préfère ne pas répondre",
      ],
    );
  });

  test("plain language: every question has at most 20 words and no unexplained jargon", () => {
    assert.deepEqual(plainLanguageProblems(QUESTIONNAIRE), []);
    for (const q of QUESTIONNAIRE.questions) assert.ok(words(q.text).length <= MAX_QUESTION_WORDS, q.text);
  });

  test("every question has a helper note", () => {
    for (const q of QUESTIONNAIRE.questions) assert.ok(q.helperNote.length > 10, q.id);
  });

  test("the version changes with any edit of the file", () => {
    const again = parseQuestionnaire(FILE);
    assert.equal(again.version, QUESTIONNAIRE.version);
    const edited = parseQuestionnaire(FILE.replace("Avez-vous internet", "Avez-vous bien internet"));
    assert.notEqual(edited.version, QUESTIONNAIRE.version);
    assert.match(QUESTIONNAIRE.version, /^2026-12-1\.[0-9a-f]{8}$/);
  });
});

describe("plain-language check", () => {
  const base = QUESTIONNAIRE.questions[0];
  assert.ok(base);
  const one = (text: string, explanation?: string) => ({
    ...QUESTIONNAIRE,
    questions: [{ ...base, text, explanation }],
  });

  test("counts words, not punctuation", () => {
    assert.deepEqual(words("Allumer l'appareil , ouvrir : comment ?"), [
      "Allumer",
      "l'appareil",
      "ouvrir",
      "comment",
    ]);
  });

  test("a long question is reported", () => {
    const long = Array.from({ length: 21 }, () => "mot").join(" ");
    assert.deepEqual(plainLanguageProblems(one(`${long} ?`), []), [
      `question « ${base.id} » : 21 mots (20 au plus)`,
    ]);
  });

  test("a jargon word is reported unless the question explains it", () => {
    assert.deepEqual(plainLanguageProblems(one("Utilisez-vous FranceConnect ?")), [
      `question « ${base.id} » : le mot « FranceConnect » n'est pas expliqué`,
    ]);
    assert.deepEqual(
      plainLanguageProblems(one("Utilisez-vous FranceConnect ?", "FranceConnect sert à entrer sur un site.")),
      [],
    );
    // Whole words only: « compter » is not « compte ».
    assert.deepEqual(plainLanguageProblems(one("Savez-vous compter ?")), []);
    assert.ok(JARGON.includes("mot de passe"));
  });
});

describe("checkAnswers", () => {
  test("accepts known answers and normalises a multiple answer", () => {
    const r = checkAnswers(QUESTIONNAIRE, { demarche: "aide", genes: ["cout", "lecture"], urgence: SKIP });
    assert.deepEqual(r, {
      ok: true,
      answers: { demarche: "aide", genes: ["lecture", "cout"], urgence: SKIP },
    });
    assert.deepEqual(checkAnswers(QUESTIONNAIRE, { genes: "vue" }), {
      ok: true,
      answers: { genes: ["vue"] },
    });
  });

  test("refuses answers out of range, in French", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ inconnue: "oui" }, /la question « inconnue » n'existe pas/],
      [{ demarche: "toujours" }, /réponse inconnue « toujours »/],
      [{ demarche: ["seul", "aide"] }, /une seule réponse possible/],
      [{ genes: ["vue", SKIP] }, /ne peut pas être coché avec d'autres réponses/],
      [{ demarche: 3 }, /doit être un identifiant/],
      [{ genes: [] }, /doit être un identifiant/],
    ];
    for (const [answers, message] of cases) {
      const r = checkAnswers(QUESTIONNAIRE, answers);
      assert.equal(r.ok, false);
      assert.match(r.ok ? "" : r.problems.join(" "), message);
    }
  });

  test("a broken file is refused with the place of the problem", () => {
    assert.throws(() => parseQuestionnaire(FILE.replace('"kind": "several"', '"kind": "beaucoup"')), /kind/);
    const doc = JSON.parse(FILE);
    doc.questions[1].id = doc.questions[0].id;
    assert.throws(() => parseQuestionnaire(JSON.stringify(doc)), /en double/);
  });
});
