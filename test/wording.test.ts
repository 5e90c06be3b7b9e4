/**
 * Texts for the public use epicene words, never inclusive-writing dots (« seul·e », « accompagné·e »): they are
 * hard for weak readers and screen readers. Scans every source file that holds texts (views, plain-words modules,
 * the questionnaire). « data·inclusion » is a name, not a gender mark.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";

const SRC = join(import.meta.dirname, "..", "src");
const INCLUSIVE_DOT = /\p{L}[·•‧⋅](?!inclusion)\p{L}/u;

function* sourceFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* sourceFiles(path);
    else if (/\.(tsx?|json)$/.test(e.name) && !e.name.endsWith(".test.ts")) yield path;
  }
}

test("no inclusive-writing dots in the texts of src/", () => {
  const found: string[] = [];
  for (const file of sourceFiles(SRC))
    for (const [line, text] of readFileSync(file, "utf8").split("\n").entries())
      for (const m of text.matchAll(new RegExp(INCLUSIVE_DOT, "gu")))
        found.push(`${relative(SRC, file)}:${line + 1}: ${m[0]}`);
  assert.deepEqual(found, []);
});

test("the check finds the forms it forbids", () => {
  for (const bad of ["seul·e", "accompagné·e", "inquiet•e", "usager·ère·s"]) assert.match(bad, INCLUSIVE_DOT);
  for (const good of ["data·inclusion", "démarches · gratuit", "Votre résultat · Diagnostic"])
    assert.doesNotMatch(good, INCLUSIVE_DOT);
});
