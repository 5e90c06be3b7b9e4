import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type ActivityInput,
  durationLabel,
  fingerprint,
  isIdempotencyKey,
  protect,
  validateActivity,
} from "./model.ts";
import { DEMARCHES_ADMINISTRATIVES, THEMATIQUES } from "./vocabulary.ts";

const ctx = { today: "2026-12-02", placeIds: ["lieu-a"], isCommune: (c: string) => c === "23096" };
const input = (over: Partial<ActivityInput> = {}): ActivityInput => ({
  type: "individuel",
  date: "2026-12-01",
  duration: "45",
  lieu: "",
  placeId: "",
  commune: "",
  thematiques: [],
  materiel: [],
  autonomie: "",
  redirection: "",
  notes: "",
  titre: "",
  niveau: "",
  participants: "",
  coordination: "",
  trancheAge: "",
  statut: "",
  beneficiaireCommune: "",
  diagnostic: "",
  orientation: "",
  utilisation: "",
  cheque: "",
  beneficiaire: "",
  ...over,
});
const errors = (over: Partial<ActivityInput>) => {
  const r = validateActivity(input(over), ctx);
  assert.equal(r.ok, false, JSON.stringify(over));
  return r.ok ? {} : r.errors;
};

describe("La Coop's vocabulary", () => {
  test("19 thématiques of accompaniment and 11 administrative démarches", () => {
    assert.equal(THEMATIQUES.length, 19);
    assert.equal(DEMARCHES_ADMINISTRATIVES.length, 11);
  });
});

describe("a report as typed", () => {
  test("only the type, the date and the duration are required", () => {
    const r = validateActivity(input(), ctx);
    assert.ok(r.ok);
    assert.equal(r.value.minutes, 45);
    assert.equal(r.value.participants, 1);
  });

  test("bad input of the issue: each said on its field in French", () => {
    assert.match(errors({ duration: "0" }).duration ?? "", /plus grand que 0/);
    assert.match(errors({ duration: "1500" }).duration ?? "", /24 heures au plus/);
    assert.match(errors({ date: "2026-12-03" }).date ?? "", /dans le futur/);
    assert.match(
      errors({ lieu: "lieu_activite", placeId: "lieu-d-une-autre-organisation" }).placeId ?? "",
      /pas un des lieux de votre organisation/,
    );
    assert.match(errors({ thematiques: ["emial"] }).thematiques ?? "", /Vouliez-vous dire « email »/);
    assert.match(
      errors({ thematiques: ["Aide aux démarches"] }).thematiques ?? "",
      /aide_aux_demarches_administratives/,
    );
    assert.match(
      errors({ type: "collectif", titre: "Atelier tablette", participants: "0" }).participants ?? "",
      /au moins 1 participant/,
    );
    assert.match(errors({ date: "2026-02-30" }).date ?? "", /JJ\/MM\/AAAA/);
  });

  test("a workshop counts its participants; coordination counts nobody", () => {
    const w = validateActivity(
      input({ type: "collectif", titre: "Atelier tablette", participants: "7", niveau: "debutant" }),
      ctx,
    );
    assert.ok(w.ok && w.value.participants === 7);
    const c = validateActivity(input({ type: "coordination", coordination: "partenariat" }), ctx);
    assert.ok(c.ok && c.value.participants === 0);
  });

  test("durations as people read them", () => {
    assert.equal(durationLabel(45), "45 min");
    assert.equal(durationLabel(90), "1 h 30");
    assert.equal(durationLabel(120), "2 h");
  });

  test("the fingerprint changes with the content; keys are checked", () => {
    const a = validateActivity(input(), ctx);
    const b = validateActivity(input({ duration: "46" }), ctx);
    assert.ok(a.ok && b.ok);
    assert.equal(fingerprint(a.value), fingerprint({ ...a.value }));
    assert.notEqual(fingerprint(a.value), fingerprint(b.value));
    assert.ok(isIdempotencyKey("0b9c7a1e-5a2f-4c3e-9d1a-2f4b6c8d0e1f"));
    assert.ok(!isIdempotencyKey("court"));
    assert.ok(!isIdempotencyKey("a b c d e f g h"));
  });
});

describe("small counts, protected for views beyond one's organisation", () => {
  test("a cell under 5, or under 5 without its largest contributor, is hidden; in a partition, one more", () => {
    assert.deepEqual(
      protect(
        [
          { key: "a", count: 3, largest: 1 },
          { key: "b", count: 12, largest: 4 },
          { key: "c", count: 8, largest: 3 },
          { key: "d", count: 0, largest: 0 },
          { key: "e", count: 30, largest: 26 },
        ],
        true,
      ),
      [
        { key: "a", count: null },
        { key: "b", count: 12 },
        { key: "c", count: 8 },
        { key: "d", count: 0 },
        { key: "e", count: null },
      ],
    );
    // A single hidden cell in a partition: the smallest other one is hidden with it.
    assert.deepEqual(
      protect(
        [
          { key: "a", count: 3, largest: 1 },
          { key: "b", count: 12, largest: 4 },
          { key: "c", count: 8, largest: 3 },
        ],
        true,
      ),
      [
        { key: "a", count: null },
        { key: "b", count: 12 },
        { key: "c", count: null },
      ],
    );
  });

  test("records added by one organisation, however many, never reveal a hidden cell of others", () => {
    // Others' true counts below 5, spread over organisations in every way; an attacker's organisation adds 1 to
    // 1000 records to the cell: it stays hidden.
    const spreads = [[1], [4], [2, 2], [1, 1, 1, 1], [3, 1], [1, 1, 2]];
    for (const others of spreads)
      for (const added of [1, 2, 3, 4, 5, 10, 1000]) {
        const count = others.reduce((a, b) => a + b, 0) + added;
        const largest = Math.max(added, ...others);
        assert.equal(
          protect([{ key: "sante", count, largest }], false)[0]?.count,
          null,
          `${others} + ${added}`,
        );
      }
    // Real activity of several organisations: shown.
    assert.equal(protect([{ key: "sante", count: 9, largest: 4 }], false)[0]?.count, 9);
  });
});
