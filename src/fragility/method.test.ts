import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  canonicalJson,
  METHODS_DIR,
  MethodError,
  parseMethod,
  readMethodFile,
  SHIPPED_METHODS,
} from "./method.ts";

const officialText = await readFile(join(METHODS_DIR, "officiel-2023.json"), "utf8");
/** The shipped official method, changed by `edit` (the bad inputs are real files corrupted). */
const variant = (edit: (m: { indicators: Record<string, unknown>[] } & Record<string, unknown>) => void) => {
  const m = JSON.parse(officialText);
  edit(m);
  return JSON.stringify(m, null, 2);
};
const problems = (text: string) => {
  try {
    parseMethod(text, "essai.json");
  } catch (e) {
    assert.ok(e instanceof MethodError);
    return e;
  }
  assert.fail("the method should have been refused");
};

describe("shipped methods", () => {
  for (const file of SHIPPED_METHODS) {
    test(`${file} is valid and versioned by a sha256`, async () => {
      const m = await readMethodFile(join(METHODS_DIR, file));
      assert.equal(`${m.id}.json`, file);
      assert.match(m.version, /^[0-9a-f]{64}$/);
      assert.ok(m.indicators.length >= 5);
    });
  }

  test("the version depends on the content, not on spacing or key order", () => {
    const a = parseMethod(officialText);
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(officialText)).reverse()));
    assert.equal(parseMethod(reordered).version, a.version);
    const reweighted = parseMethod(variant((m) => Object.assign(m.indicators[0] ?? {}, { weight: 2 })));
    assert.notEqual(reweighted.version, a.version);
  });

  test("canonicalJson sorts keys at every level", () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: "x" }] }), '{"a":[{"c":"x","d":2}],"b":1}');
  });
});

describe("bad method files give a clear French message naming the field", () => {
  test("bad JSON", () => {
    const e = problems(officialText.replace('"weight": 1 },', '"weight": 1 }'));
    assert.match(e.message, /^Méthode « essai\.json » invalide : JSON invalide à la ligne \d+, colonne \d+/);
  });

  test("unknown indicator", () => {
    const e = problems(variant((m) => Object.assign(m.indicators[1] ?? {}, { id: "ifn_5g" })));
    assert.deepEqual(
      e.problems.map((p) => p.field),
      ["indicators[1].id"],
    );
    assert.match(
      e.message,
      /champ « indicators\[1\]\.id » : indicateur inconnu « ifn_5g » ; indicateurs connus : ifn_thd/,
    );
  });

  test("negative weight", () => {
    const e = problems(variant((m) => Object.assign(m.indicators[2] ?? {}, { weight: -1 })));
    assert.match(
      e.message,
      /champ « indicators\[2\]\.weight » : le poids doit être un nombre positif ou nul \(valeur : -1\)/,
    );
  });

  test("weights summing to 0", () => {
    const e = problems(
      variant((m) => {
        for (const i of m.indicators) i.weight = 0;
      }),
    );
    assert.match(e.message, /champ « indicators\[\]\.weight » : la somme des poids vaut 0/);
  });

  test("a weight that is not a number", () => {
    const e = problems(variant((m) => Object.assign(m.indicators[0] ?? {}, { weight: "1" })));
    assert.match(e.message, /champ « indicators\[0\]\.weight » : un nombre est attendu \(valeur : « 1 »\)/);
  });

  test("unknown normalisation and unknown missing-value rule", () => {
    const e = problems(
      variant((m) => {
        Object.assign(m.indicators[3] ?? {}, { normalisation: "quantiles" });
        m.missing = "zero";
      }),
    );
    assert.match(
      e.message,
      /champ « indicators\[3\]\.normalisation » : valeur « quantiles » inconnue ; valeurs possibles : none, deciles, minmax, zscore/,
    );
    assert.match(
      e.message,
      /champ « missing » : valeur « zero » inconnue ; valeurs possibles : reweight, median-epci, median-departement/,
    );
  });

  test("`none` on a raw indicator (not a 0–10 score)", () => {
    const e = problems(variant((m) => Object.assign(m.indicators[0] ?? {}, { id: "revenu_median" })));
    assert.match(
      e.message,
      /champ « indicators\[0\]\.normalisation » : « none » ne convient qu'à un score déjà sur 10/,
    );
  });

  test("missing field, unknown field, empty list, duplicated indicator", () => {
    assert.match(
      problems(variant((m) => delete m.missing)).message,
      /champ « missing » : champ obligatoire manquant/,
    );
    assert.match(
      problems(variant((m) => Object.assign(m, { poids: {} }))).message,
      /champ\(s\) inconnu\(s\) : « poids »/,
    );
    assert.match(
      problems(variant((m) => Object.assign(m, { indicators: [] }))).message,
      /champ « indicators » : la liste ne doit pas être vide/,
    );
    assert.match(
      problems(variant((m) => Object.assign(m.indicators[1] ?? {}, { id: "ifn_thd" }))).message,
      /champ « indicators\[1\]\.id » : indicateur « ifn_thd » présent deux fois/,
    );
  });

  test("a file that does not exist", async () => {
    await assert.rejects(
      readMethodFile(join(METHODS_DIR, "absente.json")),
      /Méthode « absente\.json » invalide : fichier introuvable/,
    );
  });
});
