import assert from "node:assert/strict";
import { test } from "node:test";
import { normalize, trigrams } from "./normalize.ts";

test("normalize folds accents, case, punctuation and apostrophes", () => {
  assert.equal(normalize("Saint-Étienne"), "saint etienne");
  assert.equal(normalize("  L'Haÿ-les-Roses "), "l hay les roses");
  assert.equal(normalize("ÉVRY"), "evry");
  assert.equal(normalize("Œuilly"), "oeuilly");
});

test("normalize expands the usual abbreviations of saint and of EPCI kinds", () => {
  assert.equal(normalize("st-etienne"), "saint etienne");
  assert.equal(normalize("Ste Foy"), "sainte foy");
  assert.equal(normalize("Communauté de communes du Pays d'Ancenis"), "cc du pays d ancenis");
  assert.equal(normalize("Communauté d'agglomération du Pays Basque"), "ca du pays basque");
  // A word that merely starts like an abbreviation is left alone.
  assert.equal(normalize("Stenay"), "stenay");
});

test("normalize of nothing but punctuation is empty", () => {
  assert.equal(normalize(" - ' , "), "");
});

test("trigrams are padded per word like pg_trgm", () => {
  assert.deepEqual([...trigrams("ab")], ["  a", " ab", "ab "]);
  assert.equal(trigrams("saint etienne").has("  e"), true);
});
