import assert from "node:assert/strict";
import { test } from "node:test";
import { Secret, TOTP } from "otpauth";
import { hashRecoveryCode, newRecoveryCodes, newSecret, otpauthUri, verifyTotp } from "./totp.ts";

/** RFC 6238, appendix B: the SHA-1 secret "12345678901234567890"; codes are the last 6 of its 8 digits. */
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const RFC: [number, string][] = [
  [59, "287082"],
  [1111111109, "081804"],
  [1111111111, "050471"],
  [1234567890, "005924"],
  [2000000000, "279037"],
];
const at = (seconds: number) => new Date(seconds * 1000);

test("the RFC 6238 test vectors are accepted at their time, with their step", () => {
  for (const [t, code] of RFC)
    assert.deepEqual(verifyTotp(RFC_SECRET, code, at(t), null), { ok: true, step: Math.floor(t / 30) });
});

test("a code typed with spaces is accepted; anything but 6 digits is a format error", () => {
  assert.deepEqual(verifyTotp(RFC_SECRET, " 287 082 ", at(59), null), { ok: true, step: 1 });
  for (const bad of ["", "28708", "2870822", "28708a", "287-082", "２８７０８２"])
    assert.deepEqual(verifyTotp(RFC_SECRET, bad, at(59), null), { ok: false, reason: "format" }, bad);
});

test("one step of drift either side is accepted, two are not", () => {
  // 287082 is the code of step 1 (30–59 s).
  assert.deepEqual(verifyTotp(RFC_SECRET, "287082", at(29), null), { ok: true, step: 1 });
  assert.deepEqual(verifyTotp(RFC_SECRET, "287082", at(89), null), { ok: true, step: 1 });
  assert.deepEqual(verifyTotp(RFC_SECRET, "287082", at(90), null), { ok: false, reason: "wrong" });
  assert.deepEqual(verifyTotp(RFC_SECRET, "287083", at(59), null), { ok: false, reason: "wrong" });
});

test("a code of a step already used, or older, is a replay", () => {
  assert.deepEqual(verifyTotp(RFC_SECRET, "287082", at(59), 1), { ok: false, reason: "replayed" });
  assert.deepEqual(verifyTotp(RFC_SECRET, "287082", at(70), 2), { ok: false, reason: "replayed" });
  assert.deepEqual(verifyTotp(RFC_SECRET, "287082", at(59), 0), { ok: true, step: 1 });
  // The next step's code is fine after a login at step 1.
  const next = TOTP.generate({ secret: Secret.fromBase32(RFC_SECRET), timestamp: 61_000 });
  assert.deepEqual(verifyTotp(RFC_SECRET, next, at(61), 1), { ok: true, step: 2 });
});

test("a new secret is 160 random bits in base32, and works with an app's code", () => {
  const a = newSecret();
  assert.match(a, /^[A-Z2-7]{32}$/);
  assert.notEqual(a, newSecret());
  const now = new Date("2026-12-01T09:30:00Z");
  const code = TOTP.generate({ secret: Secret.fromBase32(a), timestamp: now.getTime() });
  assert.deepEqual(verifyTotp(a, code, now, null), { ok: true, step: Math.floor(now.getTime() / 30_000) });
});

test("the otpauth address names the issuer and the e-mail, and carries the secret", () => {
  const uri = new URL(otpauthUri(RFC_SECRET, "claire.martin@example.org"));
  assert.equal(uri.protocol, "otpauth:");
  assert.equal(uri.host, "totp");
  assert.equal(decodeURIComponent(uri.pathname), "/Maillage:claire.martin@example.org");
  assert.equal(uri.searchParams.get("issuer"), "Maillage");
  assert.equal(uri.searchParams.get("secret"), RFC_SECRET);
  assert.equal(uri.searchParams.get("digits"), "6");
  assert.equal(uri.searchParams.get("period"), "30");
  assert.equal(uri.searchParams.get("algorithm"), "SHA1");
  assert.equal(
    new URL(otpauthUri(RFC_SECRET, "a@example.org", "Maillage Creuse")).searchParams.get("issuer"),
    "Maillage Creuse",
  );
});

test("ten recovery codes, 5-5 characters without look-alikes, all different", () => {
  const codes = newRecoveryCodes();
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  for (const code of codes) assert.match(code, /^[2-9A-HJKMNP-TW-Z]{5}-[2-9A-HJKMNP-TW-Z]{5}$/);
  assert.doesNotMatch(codes.join(""), /[01ILOUV]/);
});

test("a recovery code's hash ignores case, spaces and dashes", () => {
  const h = hashRecoveryCode("K7M3Q-WXA9F");
  assert.match(h, /^[0-9a-f]{64}$/);
  for (const typed of ["k7m3q-wxa9f", "K7M3Q WXA9F", " k7m3qwxa9f ", "K7M3Q–WXA9F"])
    assert.equal(hashRecoveryCode(typed), h, typed);
  assert.notEqual(hashRecoveryCode("K7M3Q-WXA9G"), h);
});
