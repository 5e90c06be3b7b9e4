import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadSecret, SECRET_FILE } from "./secret.ts";
import { signToken, TOKEN_MAX_AGE_MS, type TokenState, verifyToken } from "./token.ts";

const SECRET = Buffer.from("a".repeat(64));
const NOW = Date.UTC(2026, 10, 27, 10, 0, 0);
const STATE: TokenState = {
  v: "2026-11-1.abcdef12",
  m: "seul",
  c: "23096",
  a: { demarche: "aide", genes: ["vue"] },
  i: NOW,
  n: "x1",
};

describe("questionnaire token", () => {
  test("round trip", () => {
    const t = signToken(STATE, SECRET);
    assert.deepEqual(verifyToken(t, SECRET, NOW + 1000), { ok: true, state: STATE });
    assert.ok(!t.includes("23096"), "the content is encoded, not shown as such");
  });

  test("a tampered token is refused", () => {
    const t = signToken(STATE, SECRET);
    const [body, sig] = t.split(".") as [string, string];
    const other = Buffer.from(JSON.stringify({ ...STATE, c: "75056" })).toString("base64url");
    assert.deepEqual(verifyToken(`${other}.${sig}`, SECRET, NOW), { ok: false, problem: "signature" });
    assert.deepEqual(verifyToken(`${body}.${sig.slice(0, -2)}AA`, SECRET, NOW), {
      ok: false,
      problem: "signature",
    });
    assert.deepEqual(verifyToken(t, Buffer.from("b".repeat(64)), NOW), { ok: false, problem: "signature" });
    for (const bad of ["", "abc", "a.b.c", "é.é", `${body}.`, "x".repeat(5000)])
      assert.deepEqual(verifyToken(bad, SECRET, NOW), { ok: false, problem: "malformed" });
  });

  test("a signed token with a wrong shape is refused as malformed", () => {
    const t = signToken({ ...STATE, m: "autre" as never }, SECRET);
    assert.deepEqual(verifyToken(t, SECRET, NOW), { ok: false, problem: "malformed" });
  });

  test("expiry by the injected clock", () => {
    const t = signToken(STATE, SECRET);
    assert.equal(verifyToken(t, SECRET, NOW + TOKEN_MAX_AGE_MS).ok, true);
    assert.deepEqual(verifyToken(t, SECRET, NOW + TOKEN_MAX_AGE_MS + 1), { ok: false, problem: "expired" });
    assert.deepEqual(verifyToken(t, SECRET, NOW - 10 * 60 * 1000), { ok: false, problem: "expired" });
  });
});

describe("token secret", () => {
  test("from MAILLAGE_SECRET (checked by the configuration), nothing written then", () => {
    const dir = mkdtempSync(join(tmpdir(), "maillage-secret-"));
    try {
      assert.equal(loadSecret("s".repeat(40), dir).toString(), "s".repeat(40));
      assert.equal(existsSync(join(dir, SECRET_FILE)), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("else generated once in the data folder, private, and reused", () => {
    const dir = mkdtempSync(join(tmpdir(), "maillage-secret-"));
    try {
      const a = loadSecret(undefined, dir);
      assert.equal(a.length, 64);
      assert.equal(statSync(join(dir, SECRET_FILE)).mode & 0o777, 0o600);
      assert.deepEqual(loadSecret(undefined, dir), a);
      assert.equal(readFileSync(join(dir, SECRET_FILE), "utf8"), a.toString());
      const other = mkdtempSync(join(tmpdir(), "maillage-secret-"));
      assert.notDeepEqual(loadSecret(undefined, other), a);
      rmSync(other, { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
