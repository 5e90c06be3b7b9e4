import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { CODE_ALPHABET, CODE_LENGTH, checkCharacter, displayCode, newCode, readCode } from "./code.ts";

const codeArb = fc
  .array(fc.constantFrom(...CODE_ALPHABET), { minLength: CODE_LENGTH - 1, maxLength: CODE_LENGTH - 1 })
  .map((cs) => cs.join("") + checkCharacter(cs.join("")));

test("the alphabet has no look-alikes and a prime size", () => {
  assert.equal(CODE_ALPHABET.length, 31);
  for (const c of "01ILO") assert.ok(!CODE_ALPHABET.includes(c), c);
  assert.equal(new Set(CODE_ALPHABET).size, 31);
});

test("new codes are valid, 10 characters, and read back as typed with spaces, dashes and lower case", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const code = newCode();
    assert.equal(code.length, CODE_LENGTH);
    assert.deepEqual(readCode(code), { ok: true, code });
    assert.deepEqual(readCode(` ${displayCode(code).toLowerCase()} `), { ok: true, code });
    seen.add(code);
  }
  assert.equal(seen.size, 2000, "no two alike in 2 000");
});

test("any single wrong character is caught as a typo", () => {
  fc.assert(
    fc.property(codeArb, fc.nat(CODE_LENGTH - 1), fc.constantFrom(...CODE_ALPHABET), (code, i, c) => {
      fc.pre(code[i] !== c);
      const typo = code.slice(0, i) + c + code.slice(i + 1);
      const r = readCode(typo);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.kind, "faute");
    }),
    { numRuns: 5000 },
  );
});

test("any swap of two different characters is caught", () => {
  fc.assert(
    fc.property(codeArb, fc.nat(CODE_LENGTH - 1), fc.nat(CODE_LENGTH - 1), (code, i, j) => {
      fc.pre(code[i] !== code[j]);
      const cs = [...code];
      [cs[i], cs[j]] = [cs[j] as string, cs[i] as string];
      const r = readCode(cs.join(""));
      assert.equal(!r.ok && r.kind, "faute");
    }),
    { numRuns: 5000 },
  );
});

test("bad input says what is wrong, in French", () => {
  const r = (t: string) => {
    const x = readCode(t);
    assert.equal(x.ok, false, t);
    return x.ok ? "" : `${x.kind}: ${x.message}`;
  };
  assert.match(r(""), /^vide: Tapez le code/);
  assert.match(r("4KX7-M2QP"), /^longueur: Un code de chèque a 10 caractères ; celui-ci en a 8/);
  assert.match(r("4KX7-M2QP-0T"), /^caractere: Le caractère « 0 » n'existe pas/);
  assert.match(r("4KX7-M2QP-9T!"), /^caractere: Le caractère « ! »/);
  const good = newCode();
  const bad = good.slice(0, -1) + CODE_ALPHABET[(CODE_ALPHABET.indexOf(good.at(-1) as string) + 1) % 31];
  assert.match(r(bad), /^faute: Ce code contient une faute de frappe/);
});
