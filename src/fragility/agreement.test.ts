import assert from "node:assert/strict";
import { test } from "node:test";
import { paired, pearson, ranks, spearman } from "./agreement.ts";

// Pure statistics: plain numbers and keys, no territory data.
test("ranks average ties", () => {
  assert.deepEqual(ranks([3, 1, 3, 2]), [3.5, 1, 3.5, 2]);
});

test("Spearman is 1 for any increasing relation and -1 for a decreasing one; Pearson is not", () => {
  const xs = [1, 2, 3, 4, 5];
  assert.equal(
    spearman(
      xs,
      xs.map((x) => x ** 3),
    ),
    1,
  );
  assert.equal(
    spearman(
      xs,
      xs.map((x) => -Math.exp(x)),
    ),
    -1,
  );
  assert.ok(
    (pearson(
      xs,
      xs.map((x) => x ** 3),
    ) ?? 1) < 1,
  );
  assert.equal(pearson([1, 1], [2, 3]), null);
});

test("paired keeps the keys both sides have, with a value", () => {
  const a = new Map<string, number | null>([
    ["a", 5.2],
    ["b", null],
    ["c", 4.1],
  ]);
  const b = new Map<string, number | null>([
    ["a", 6],
    ["c", 3],
    ["d", 2],
  ]);
  assert.deepEqual(paired(a, b), { xs: [5.2, 4.1], ys: [6, 3] });
});
