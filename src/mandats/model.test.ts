import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MAX_QUESTION_WORDS, plainTextProblems, words } from "../diagnostic/plain.ts";
import {
  authorisationState,
  CHECKLIST,
  canonical,
  DEMARCHES,
  expiryOf,
  type HashedMandat,
  hashOf,
  type MandatInput,
  needsReminder,
  normaliseDate,
  personKey,
  readHash,
  TEMPLATES,
  type Template,
  templateOf,
  useRefusal,
  validateMandat,
} from "./model.ts";

/** A fictitious person and mandate (no real person is named in tests). */
const MANDAT: HashedMandat = {
  template: "2026-12",
  organisationId: 4,
  aidantId: 9,
  demarches: ["social", "logement"],
  duration: 31,
  createdAt: new Date("2026-12-02T09:30:00Z"),
  expiresAt: new Date("2027-01-02T09:30:00Z"),
  mandant: {
    givenNames: "Camille Exemple",
    familyName: "Fictif",
    birthDate: "1948-07-04",
    birthPlace: "Guéret",
    document: "carte-identite",
    contact: null,
  },
  salt: "00112233445566778899aabbccddeeff",
};

describe("the integrity hash", () => {
  test("the same mandate always gives the same hash, whatever the order of its démarches", () => {
    const a = hashOf(MANDAT);
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.equal(hashOf({ ...MANDAT }), a);
    assert.equal(hashOf({ ...MANDAT, demarches: ["logement", "social"] }), a);
    assert.equal(hashOf(structuredClone(MANDAT)), a);
    // Pinned: a change of the serialisation would make every printed attestation unverifiable.
    assert.equal(
      canonical(MANDAT),
      '{"aidant":9,"cree_le":"2026-12-02T09:30:00.000Z","demarches":["social","logement"],"duree":31,"expire_le":"2027-01-02T09:30:00.000Z","gabarit":"2026-12","mandant":{"contact":null,"date_naissance":"1948-07-04","lieu_naissance":"Guéret","nom":"Fictif","piece":"carte-identite","prenoms":"Camille Exemple"},"organisation":4,"sel":"00112233445566778899aabbccddeeff"}',
    );
  });

  test("a one-character change of any field gives another hash", () => {
    const a = hashOf(MANDAT);
    const m = MANDAT.mandant;
    const variants: HashedMandat[] = [
      { ...MANDAT, mandant: { ...m, familyName: "Fictig" } },
      { ...MANDAT, mandant: { ...m, givenNames: "Camille Exemplf" } },
      { ...MANDAT, mandant: { ...m, birthDate: "1948-07-05" } },
      { ...MANDAT, mandant: { ...m, birthPlace: "Guérek" } },
      { ...MANDAT, mandant: { ...m, contact: "0" } },
      { ...MANDAT, template: "2026-13" },
      { ...MANDAT, organisationId: 5 },
      { ...MANDAT, aidantId: 8 },
      { ...MANDAT, demarches: ["social"] },
      { ...MANDAT, duration: 182 },
      { ...MANDAT, expiresAt: new Date("2027-01-02T09:30:01Z") },
      { ...MANDAT, salt: "10112233445566778899aabbccddeeff" },
    ];
    const hashes = new Set(variants.map(hashOf));
    assert.equal(hashes.size, variants.length);
    assert.ok(!hashes.has(a));
  });

  test("a hash is read with spaces and capitals, refused otherwise", () => {
    const h = hashOf(MANDAT);
    assert.equal(readHash(h.toUpperCase().match(/.{8}/g)?.join(" ") ?? ""), h);
    assert.equal(readHash(h.slice(1)), null);
    assert.equal(readHash(`${h.slice(0, 63)}g`), null);
  });

  test("the same person has the same key, whatever the accents and capitals", () => {
    assert.equal(
      personKey({ givenNames: "Camille Exemple", familyName: "Fictif", birthDate: "1948-07-04" }),
      personKey({ givenNames: "CAMILLE  exemple", familyName: "fictif", birthDate: "1948-07-04" }),
    );
    assert.notEqual(
      personKey({ givenNames: "Camille", familyName: "Fictif", birthDate: "1948-07-04" }),
      personKey({ givenNames: "Camille", familyName: "Fictif", birthDate: "1948-07-05" }),
    );
  });
});

describe("templates", () => {
  test("an old mandate prints with its own template, never the current one", () => {
    const later: Template = {
      ...(TEMPLATES["2026-12"] as Template),
      title: "Un titre d'une version plus récente",
    };
    const registry = { ...TEMPLATES, "2027-06": later };
    assert.equal(templateOf("2026-12", registry).title, (TEMPLATES["2026-12"] as Template).title);
    assert.equal(templateOf("2027-06", registry).title, later.title);
    assert.throws(() => templateOf("1999-01", registry), /gabarit de mandat inconnu/);
  });

  test("plain language: the easy-to-read attestation has short sentences and no unexplained jargon", () => {
    for (const [version, t] of Object.entries(TEMPLATES)) {
      const sentences = [...t.easy.intro, ...t.easy.rights, ...t.easy.end];
      assert.deepEqual(plainTextProblems(sentences, 12), [], `gabarit ${version}`);
      for (const s of sentences) assert.ok(words(s).length <= MAX_QUESTION_WORDS);
    }
  });

  test("the plain-language check finds a long sentence and a jargon word", () => {
    assert.equal(
      plainTextProblems(["Un deux trois quatre cinq six sept huit neuf dix onze douze treize."], 12).length,
      1,
    );
    assert.equal(plainTextProblems(["Connectez-vous avec FranceConnect."], 12).length, 1);
  });
});

describe("durations, states and reminders", () => {
  test("a mandate ends the same hour, 1, 31, 182 or 365 days later", () => {
    const at = new Date("2026-12-02T09:30:00Z");
    assert.equal(expiryOf(at, 1, "Europe/Paris").toISOString(), "2026-12-03T09:30:00.000Z");
    assert.equal(expiryOf(at, 365, "Europe/Paris").toISOString(), "2027-12-02T09:30:00.000Z");
    // Across a change of time (summer to winter): the same wall-clock time, so the same end day in Paris.
    const summer = new Date("2026-05-31T22:30:00Z"); // 1 June 2026, 00:30 in Paris
    const end = expiryOf(summer, 182, "Europe/Paris");
    assert.equal(end.toISOString(), "2026-11-29T23:30:00.000Z"); // 30 November, 00:30 in Paris (UTC+1)
    // Overseas: the organisation's own zone.
    assert.equal(
      expiryOf(new Date("2026-12-02T09:30:00Z"), 31, "America/Cayenne").toISOString(),
      "2027-01-02T09:30:00.000Z",
    );
  });

  test("a family is active until its end, revoked when ended by a person, expired after", () => {
    const end = new Date("2027-01-02T09:30:00Z");
    assert.equal(authorisationState({ endReason: null }, end, new Date("2027-01-02T09:29:59Z")), "active");
    assert.equal(authorisationState({ endReason: null }, end, end), "expiree");
    assert.equal(
      authorisationState({ endReason: "revocation" }, end, new Date("2026-12-10T00:00:00Z")),
      "revoquee",
    );
    assert.equal(
      authorisationState({ endReason: "remplacement" }, end, new Date("2026-12-10T00:00:00Z")),
      "revoquee",
    );
    assert.equal(
      authorisationState({ endReason: "expiration" }, end, new Date("2027-02-10T00:00:00Z")),
      "expiree",
    );
  });

  test("reminders: only 6- and 12-month mandates, in their last 30 days", () => {
    const end = new Date("2027-06-01T00:00:00Z");
    const at = (iso: string) => new Date(iso);
    assert.ok(needsReminder({ duration: 182, expiresAt: end, active: true }, at("2027-05-03T00:00:00Z")));
    assert.ok(!needsReminder({ duration: 182, expiresAt: end, active: true }, at("2027-05-01T23:59:59Z")));
    assert.ok(needsReminder({ duration: 365, expiresAt: end, active: true }, at("2027-05-31T00:00:00Z")));
    assert.ok(!needsReminder({ duration: 31, expiresAt: end, active: true }, at("2027-05-31T00:00:00Z")));
    assert.ok(!needsReminder({ duration: 365, expiresAt: end, active: false }, at("2027-05-31T00:00:00Z")));
    assert.ok(!needsReminder({ duration: 365, expiresAt: end, active: true }, at("2027-06-01T00:00:00Z")));
  });
});

describe("a new mandate as typed", () => {
  const good: MandatInput = {
    demarches: ["social", "logement"],
    duration: "31",
    givenNames: " Camille  Exemple ",
    familyName: "Fictif",
    birthDate: "1948-07-04",
    birthPlace: "Guéret",
    document: "carte-identite",
    contact: "",
    checklist: CHECKLIST.map((c) => c.id),
  };
  const errorsOf = (over: Partial<MandatInput>, allowed = [...DEMARCHES]) => {
    const r = validateMandat({ ...good, ...over }, allowed, "2026-12-02");
    assert.equal(r.ok, false);
    return r.ok ? {} : r.errors;
  };

  test("a complete mandate is accepted, names tidied", () => {
    const r = validateMandat(good, [...DEMARCHES], "2026-12-02");
    assert.ok(r.ok);
    assert.equal(r.value.mandant.givenNames, "Camille Exemple");
    assert.deepEqual(r.value.demarches, ["social", "logement"]);
  });

  test("bad input: each is said on its field", () => {
    assert.match(errorsOf({ demarches: ["impots"] }).demarches ?? "", /inconnue : impots/);
    assert.match(errorsOf({ demarches: [] }).demarches ?? "", /au moins une/);
    assert.match(errorsOf({}, ["social"]).demarches ?? "", /ne couvre pas : Logement/);
    for (const d of ["0", "30", "366", "31.5", "", "x"])
      assert.match(errorsOf({ duration: d }).duration ?? "", /1 jour, 1 mois/);
    assert.match(errorsOf({ birthDate: "2027-01-01" }).birthDate ?? "", /futur/);
    assert.match(errorsOf({ birthDate: "1948-02-30" }).birthDate ?? "", /JJ\/MM\/AAAA/);
    assert.match(errorsOf({ familyName: "" }).familyName ?? "", /le nom/);
    assert.match(errorsOf({ givenNames: "<script>" }).givenNames ?? "", /lettres/);
    assert.match(errorsOf({ document: "numero-123" }).document ?? "", /pièce/);
    assert.match(errorsOf({ contact: "pas un contact" }).contact ?? "", /téléphone/);
    assert.match(errorsOf({ checklist: ["peut"] }).checklist ?? "", /cochez-les tous/);
  });

  test("dates as people write them", () => {
    assert.equal(normaliseDate("4/7/1948"), "1948-07-04");
    assert.equal(normaliseDate("04.07.1948"), "1948-07-04");
    assert.equal(normaliseDate("1948-07-04"), "1948-07-04");
  });
});

describe("a use under a mandate", () => {
  const m = {
    organisationId: 4,
    createdAt: new Date("2026-12-02T09:30:00Z"),
    expiresAt: new Date("2027-01-02T09:30:00Z"),
    families: [
      { demarche: "social" as const, endReason: null },
      { demarche: "logement" as const, endReason: "revocation" as const },
    ],
  };
  const ok = { habilitated: true, hasSecondFactor: true };
  const day = { on: "2026-12-10", today: "2026-12-10", createdOn: "2026-12-02" };
  const at = new Date("2026-12-10T10:00:00Z");
  test("allowed within the mandate, refused for every reason with its own word", () => {
    assert.equal(useRefusal(m, 4, ok, "social", day, at), null);
    assert.equal(useRefusal(m, 5, ok, "social", day, at), "autre-organisation");
    assert.equal(useRefusal(m, 4, { ...ok, habilitated: false }, "social", day, at), "non-habilite");
    assert.equal(
      useRefusal(m, 4, { ...ok, hasSecondFactor: false }, "social", day, at),
      "sans-second-facteur",
    );
    assert.equal(useRefusal(m, 4, ok, "justice", day, at), "demarche-hors-mandat");
    assert.equal(useRefusal(m, 4, ok, "logement", day, at), "revoquee");
    assert.equal(useRefusal(m, 4, ok, "social", day, new Date("2027-01-02T09:30:00Z")), "expiree");
    assert.equal(useRefusal(m, 4, ok, "social", { ...day, on: "2026-12-11" }, at), "date-future");
    assert.equal(useRefusal(m, 4, ok, "social", { ...day, on: "2026-12-01" }, at), "date-avant-mandat");
  });
});
