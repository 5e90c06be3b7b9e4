import assert from "node:assert/strict";
import { randomBytes, scryptSync } from "node:crypto";
import { test } from "node:test";
import { hashPassword, needsRehash, passwordProblem, verifyDummy, verifyPassword } from "./password.ts";

const PERSON = ["claire.martin@example.org", "Claire Martin"];

test("a hash carries its parameters, verifies its password only, and is salted", async () => {
  const password = "trois chats mangent des pivoines";
  const [a, b] = await Promise.all([hashPassword(password), hashPassword(password)]);
  assert.match(a, /^scrypt\$65536\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b, "two hashes of one password differ by their salt");
  assert.equal(await verifyPassword(password, a), true);
  assert.equal(await verifyPassword(password, b), true);
  assert.equal(await verifyPassword("trois chats mangent des pivoine", a), false);
  assert.equal(await verifyPassword("Trois chats mangent des pivoines", a), false);
  assert.equal(needsRehash(a), false);
});

test("a password is compared in NFC: « é » composed or decomposed is the same password", async () => {
  const composed = "fenêtre sur le pré vert";
  const decomposed = composed.normalize("NFD");
  assert.notEqual(composed, decomposed);
  assert.equal(await verifyPassword(decomposed, await hashPassword(composed)), true);
});

test("a hash made with older parameters still verifies and asks to be remade", async () => {
  const salt = randomBytes(16);
  const key = scryptSync("une vieille phrase de passe", salt, 32, { N: 2 ** 14, r: 8, p: 1 });
  const old = `scrypt$16384$8$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
  assert.equal(await verifyPassword("une vieille phrase de passe", old), true);
  assert.equal(await verifyPassword("une autre phrase de passe", old), false);
  assert.equal(needsRehash(old), true);
});

test("a malformed or absurd stored hash never verifies and is to be remade", async () => {
  const good = await hashPassword("trois chats mangent des pivoines");
  const [, , , , salt, hash] = good.split("$");
  for (const bad of [
    "",
    "argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
    good.replace("scrypt", "scrypt$"),
    `scrypt$65535$8$1$${salt}$${hash}`, // N not a power of 2
    `scrypt$${2 ** 30}$8$1$${salt}$${hash}`, // 128 GiB asked
    `scrypt$65536$8$1$${salt}$${hash}!`,
    `scrypt$65536$8$1$$${hash}`,
    `scrypt$65536$8$1.5$${salt}$${hash}`,
  ]) {
    assert.equal(await verifyPassword("trois chats mangent des pivoines", bad), false, bad);
    assert.equal(needsRehash(bad), true, bad);
  }
});

test("the dummy verification of an unknown e-mail does a current hash's work and says no", async () => {
  // Same parameters as a current hash (the code shows it); its duration is a bench figure, never asserted here.
  assert.equal(await verifyDummy("trois chats mangent des pivoines"), false);
});

test("fewer than 12 characters (counted as characters, not bytes) is refused", () => {
  assert.equal(
    passwordProblem("Kx9#vTq2!mZ", PERSON),
    "Le mot de passe doit compter au moins 12 caractères.",
  );
  assert.equal(passwordProblem("", PERSON), "Le mot de passe doit compter au moins 12 caractères.");
  assert.equal(
    passwordProblem("éèàùçôîâêûëï".slice(0, 11), PERSON),
    "Le mot de passe doit compter au moins 12 caractères.",
  );
  assert.equal(
    passwordProblem("a".repeat(257), PERSON),
    "Le mot de passe ne peut pas dépasser 256 caractères.",
  );
});

test("common and guessable passwords are refused with a French reason; unrelated words are accepted", () => {
  const refused: [string, RegExp][] = [
    ["azertyuiop123", /très répandu|clavier/],
    ["motdepasse123", /il est trop prévisible/],
    ["soleilsoleilsoleil", /répète/],
    ["aaaaaaaaaaaaaa", /répète le même caractère/],
    ["claire.martin2024", /votre nom, votre adresse e-mail/],
    ["ClaireMartin1985", /votre nom, votre adresse e-mail/],
    ["claire-CLAIRE-claire-1985", /votre nom, votre adresse e-mail/],
    ["maillage-maillage", /votre nom, votre adresse e-mail ou le nom du site/],
    ["123456789012", /très répandu/],
  ];
  for (const [password, why] of refused) {
    const problem = passwordProblem(password, PERSON);
    assert.ok(problem, password);
    assert.match(
      problem,
      /^Ce mot de passe est trop facile à deviner : .+\. Choisissez par exemple trois ou quatre mots sans lien entre eux\.$/,
    );
    assert.match(problem, why, `${password}: ${problem}`);
  }
  for (const password of [
    "trois chats mangent des pivoines",
    "Creuse-Gueret-Vassiviere-lac",
    "correct horse battery staple",
    "claire martin aime les pivoines du jardin", // her name, but strong without it
  ])
    assert.equal(passwordProblem(password, PERSON), null, password);
});
