import assert from "node:assert/strict";
import { test } from "node:test";
import { formatPhone } from "./format.ts";

test("phones: mainland numbers in pairs, dialled in the international form", () => {
  const expected = { text: "05 87 33 01 80", tel: "+33587330180" };
  for (const raw of [
    "+33587330180",
    "0587330180",
    "05.87.33.01.80",
    "05 87 33 01 80",
    "0033587330180",
    "+33 (0)5 87 33 01 80",
  ])
    assert.deepEqual(formatPhone(raw), expected, raw);
  assert.deepEqual(formatPhone("06-12-34-56-78"), { text: "06 12 34 56 78", tel: "+33612345678" });
});

test("phones: overseas départements read with their 0, dialled with their own country code", () => {
  assert.deepEqual(formatPhone("+262262123456"), { text: "02 62 12 34 56", tel: "+262262123456" });
  assert.deepEqual(formatPhone("0262 12 34 56"), { text: "02 62 12 34 56", tel: "+262262123456" });
  assert.deepEqual(formatPhone("0269 61 00 00"), { text: "02 69 61 00 00", tel: "+262269610000" });
  assert.deepEqual(formatPhone("+590590123456"), { text: "05 90 12 34 56", tel: "+590590123456" });
  assert.deepEqual(formatPhone("0694 12 34 56"), { text: "06 94 12 34 56", tel: "+594694123456" });
  assert.deepEqual(formatPhone("+596596123456"), { text: "05 96 12 34 56", tel: "+596596123456" });
  assert.deepEqual(formatPhone("+508412345"), { text: "+508 41 23 45", tel: "+508412345" });
  assert.deepEqual(formatPhone("+687 28 12 34"), { text: "+687 28 12 34", tel: "+687281234" });
  assert.deepEqual(formatPhone("+689 40 12 34 56"), { text: "+689 40 12 34 56", tel: "+68940123456" });
});

test("phones: short numbers and unknown forms keep their text; nothing for an empty text", () => {
  assert.deepEqual(formatPhone("3939"), { text: "3939", tel: "3939" });
  assert.deepEqual(formatPhone(" 05 87 33 01 80 (standard) "), {
    text: "05 87 33 01 80 (standard)",
    tel: "+33587330180",
  });
  assert.deepEqual(formatPhone("sur rendez-vous"), { text: "sur rendez-vous", tel: null });
  assert.equal(formatPhone("  "), null);
});
