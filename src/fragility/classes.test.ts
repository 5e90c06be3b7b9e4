import assert from "node:assert/strict";
import { test } from "node:test";
import { classLabels, classOf, formatScore, formatShare, PALETTE } from "./classes.ts";

test("scores fall in six classes, 7 starting its own; no score, no class", () => {
  assert.deepEqual([0, 3.99, 4, 5.5, 6.99, 7, 7.99, 8, 10].map(classOf), [0, 0, 1, 2, 3, 4, 4, 5, 5]);
  assert.equal(classOf(null), null);
  assert.equal(classLabels().length, PALETTE.length);
  assert.equal(classLabels()[4], "de 7 à moins de 8");
});

test("French formatting of scores and shares", () => {
  assert.equal(formatScore(7.84), "7,8");
  assert.equal(formatScore(null), "non calculé");
  assert.equal(formatShare(0.237), "24 %");
  assert.equal(formatShare(null), "—");
});
