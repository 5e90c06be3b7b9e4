import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Answers, BARRIERS, type Barrier, type Level, type Profile, SKIP } from "./model.ts";
import { checkAnswers, QUESTIONNAIRE } from "./questionnaire.ts";
import { score } from "./score.ts";

const SKILLS = ["appareil", "recherche", "courriel", "mot-de-passe", "demarche", "messagerie"];
/** Every skill question answered the same way, the scam question as given. */
const skills = (
  a: "seul" | "aide" | "jamais",
  scam = a === "seul" ? "oui" : a === "aide" ? "doute" : "non",
) => ({ ...Object.fromEntries(SKILLS.map((q) => [q, a])), arnaque: scam }) as Answers;
const AT_EASE: Answers = {
  equipement: "les-deux",
  connexion: "oui",
  ...skills("seul"),
  confiance: "aise",
  urgence: "non",
  genes: ["rien"],
  entourage: "oui",
};

interface Row {
  name: string;
  answers: Answers;
  profile: Profile;
  urgent: boolean;
  level: Level;
  barriers?: Barrier[];
}

const ROWS: Row[] = [
  {
    name: "does everything alone, at ease",
    answers: AT_EASE,
    profile: "autonome",
    urgent: false,
    level: "competences",
  },
  {
    name: "alone but afraid of mistakes",
    answers: { ...AT_EASE, confiance: "peur" },
    profile: "proche",
    urgent: false,
    level: "competences",
    barriers: ["peur"],
  },
  {
    name: "alone but does not recognise a scam",
    answers: { ...AT_EASE, arnaque: "non" },
    profile: "proche",
    urgent: false,
    level: "competences",
  },
  {
    name: "alone except procedures, done with help",
    answers: { ...AT_EASE, demarche: "aide" },
    profile: "proche",
    urgent: false,
    level: "competences",
  },
  {
    name: "half alone, half with help",
    answers: { ...AT_EASE, courriel: "aide", "mot-de-passe": "aide", demarche: "aide" },
    profile: "proche",
    urgent: false,
    level: "competences",
  },
  {
    name: "everything with help",
    answers: { ...AT_EASE, ...skills("aide") },
    profile: "eloigne",
    urgent: false,
    level: "inclusion",
  },
  {
    name: "alone for most things but never an online procedure",
    answers: { ...AT_EASE, demarche: "jamais" },
    profile: "eloigne",
    urgent: false,
    level: "inclusion",
  },
  {
    name: "never does anything",
    answers: { ...AT_EASE, ...skills("jamais") },
    profile: "exclu",
    urgent: false,
    level: "inclusion",
  },
  {
    name: "no device at all",
    answers: { ...AT_EASE, equipement: "aucun" },
    profile: "exclu",
    urgent: false,
    level: "inclusion",
    barriers: ["materiel"],
  },
  {
    name: "no internet",
    answers: { ...AT_EASE, connexion: "non" },
    profile: "exclu",
    urgent: false,
    level: "inclusion",
    barriers: ["materiel"],
  },
  {
    name: "everything skipped",
    answers: {},
    profile: "eloigne",
    urgent: false,
    level: "inclusion",
    barriers: [],
  },
  {
    name: "only two skill answers: not enough to judge",
    answers: { appareil: "seul", recherche: "seul", courriel: SKIP, demarche: SKIP },
    profile: "eloigne",
    urgent: false,
    level: "inclusion",
  },
  {
    name: "urgency within days, even for an autonomous person",
    answers: { ...AT_EASE, urgence: "oui" },
    profile: "autonome",
    urgent: true,
    level: "urgence",
  },
  {
    name: "urgency within days for an excluded person",
    answers: { ...AT_EASE, ...skills("jamais"), urgence: "oui" },
    profile: "exclu",
    urgent: true,
    level: "urgence",
  },
  {
    name: "within weeks, procedures with help, nobody around",
    answers: { ...AT_EASE, demarche: "aide", urgence: "bientot", entourage: "non" },
    profile: "proche",
    urgent: true,
    level: "urgence",
  },
  {
    name: "within weeks, procedures with help, someone around",
    answers: { ...AT_EASE, demarche: "aide", urgence: "bientot", entourage: "oui" },
    profile: "proche",
    urgent: false,
    level: "competences",
  },
  {
    name: "within weeks, procedures alone",
    answers: { ...AT_EASE, urgence: "bientot", entourage: "non" },
    profile: "autonome",
    urgent: false,
    level: "competences",
  },
  {
    name: "within weeks for an excluded person with someone around",
    answers: { ...AT_EASE, equipement: "aucun", urgence: "bientot", entourage: "oui" },
    profile: "exclu",
    urgent: true,
    level: "urgence",
    barriers: ["materiel"],
  },
  {
    name: "urgency skipped",
    answers: { ...AT_EASE, ...skills("aide"), urgence: SKIP, entourage: "non" },
    profile: "eloigne",
    urgent: false,
    level: "inclusion",
  },
  {
    name: "reading French is hard",
    answers: { ...AT_EASE, genes: ["lecture"] },
    profile: "autonome",
    urgent: false,
    level: "competences",
    barriers: ["lecture"],
  },
  {
    name: "speaks another language better",
    answers: { ...AT_EASE, genes: ["langue"] },
    profile: "autonome",
    urgent: false,
    level: "competences",
    barriers: ["langue"],
  },
  {
    name: "sight, hearing and hands",
    answers: { ...AT_EASE, ...skills("aide"), genes: ["vue", "audition", "moteur"] },
    profile: "eloigne",
    urgent: false,
    level: "inclusion",
    barriers: ["vue", "audition", "moteur"],
  },
  {
    name: "cost, from the barriers question",
    answers: { ...AT_EASE, genes: ["cout"] },
    profile: "autonome",
    urgent: false,
    level: "competences",
    barriers: ["cout"],
  },
  {
    name: "cost, from a too small data plan",
    answers: { ...AT_EASE, connexion: "limite" },
    profile: "autonome",
    urgent: false,
    level: "competences",
    barriers: ["cout"],
  },
  {
    name: "every barrier at once",
    answers: {
      ...AT_EASE,
      equipement: "aucun",
      confiance: "peur",
      genes: ["lecture", "langue", "vue", "audition", "moteur", "cout"],
    },
    profile: "exclu",
    urgent: false,
    level: "inclusion",
    barriers: [...BARRIERS],
  },
];

describe("scoring table", () => {
  test("has at least 20 rows, covering every profile, level, barrier and both urgency values", () => {
    assert.ok(ROWS.length >= 20);
    assert.deepEqual(
      new Set(ROWS.map((r) => r.profile)),
      new Set(["autonome", "proche", "eloigne", "exclu"]),
    );
    assert.deepEqual(new Set(ROWS.map((r) => r.level)), new Set(["urgence", "inclusion", "competences"]));
    assert.deepEqual(new Set(ROWS.map((r) => r.urgent)), new Set([true, false]));
    assert.deepEqual(new Set(ROWS.flatMap((r) => r.barriers ?? [])), new Set(BARRIERS));
  });

  for (const row of ROWS) {
    test(row.name, () => {
      // Every row is a valid set of answers of the shipped questionnaire.
      const checked = checkAnswers(QUESTIONNAIRE, row.answers);
      assert.ok(checked.ok, JSON.stringify(checked));
      const r = score(checked.answers, "v");
      assert.deepEqual(
        { profile: r.profile, urgent: r.urgent, level: r.level },
        { profile: row.profile, urgent: row.urgent, level: row.level },
      );
      if (row.barriers) assert.deepEqual(r.barriers, row.barriers);
    });
  }
});

describe("what the result asks to look for", () => {
  test("urgence numérique: help with procedures, one to one, Aidants Connect or France Services", () => {
    const r = score({ ...AT_EASE, urgence: "oui" }, "v");
    assert.deepEqual(r.services, ["Aide aux démarches administratives"]);
    assert.deepEqual(r.modalites, ["Accompagnement individuel"]);
    assert.deepEqual(r.programmes, ["Aidants Connect", "France Services"]);
    assert.equal(r.passNumerique, false);
  });

  test("inclusion numérique: individual accompaniment, equipment when there is none, and barriers' care", () => {
    const r = score(
      { ...AT_EASE, equipement: "aucun", genes: ["lecture", "vue", "cout"], arnaque: "non" },
      "v",
    );
    assert.equal(r.level, "inclusion");
    assert.deepEqual(r.services, [
      "Maîtrise des outils numériques du quotidien",
      "Utilisation sécurisée du numérique",
      "Acquisition de matériel informatique à prix solidaire",
      "Accès internet et matériel informatique",
    ]);
    assert.deepEqual(r.modalites, ["Accompagnement individuel"]);
    assert.deepEqual(r.priseEnCharge, ["Illettrisme", "Déficience visuelle"]);
    assert.equal(r.passNumerique, false);
  });

  test("montée en compétences: collective workshops and a pass numérique", () => {
    const r = score({ ...AT_EASE, demarche: "aide" }, "v");
    assert.deepEqual(r.modalites, ["Dans un atelier collectif"]);
    assert.equal(r.passNumerique, true);
    const autonomous = score(AT_EASE, "v");
    assert.deepEqual(autonomous.modalites, ["En autonomie", "Dans un atelier collectif"]);
    assert.equal(autonomous.passNumerique, false);
  });

  test("strengths, needs and counts", () => {
    const r = score({ ...AT_EASE, courriel: "aide", demarche: "jamais", recherche: SKIP }, "v");
    assert.deepEqual(r.strengths, ["appareil", "mot-de-passe", "messagerie", "arnaque"]);
    assert.deepEqual(r.needs, ["courriel", "demarche"]);
    assert.equal(r.answered, Object.keys(AT_EASE).length - 1);
    assert.equal(r.skipped, 1);
  });
});
