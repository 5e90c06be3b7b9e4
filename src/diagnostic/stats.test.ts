import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BARRIERS, LEVELS, MODES, PROFILES } from "./model.ts";
import { MIN_CELL, type RawCounts, showStats, suppressPartition, suppressShare } from "./stats.ts";

const KEYS = { profiles: PROFILES, levels: LEVELS, modes: MODES, barriers: BARRIERS };
const raw = (over: Partial<RawCounts>): RawCounts => ({
  total: 0,
  urgent: 0,
  profiles: {},
  levels: {},
  modes: {},
  barriers: {},
  first: "2026-11-01",
  last: "2026-11-20",
  ...over,
});

describe("small-cell suppression", () => {
  test("fewer than 5 responses: no figure at all", () => {
    assert.equal(MIN_CELL, 5);
    for (const total of [1, 2, 3, 4]) {
      const s = showStats(raw({ total, urgent: 1, profiles: { exclu: total }, barriers: { vue: 1 } }), KEYS);
      assert.deepEqual(
        { enough: s.enough, total: s.total, urgent: s.urgent, p: s.profiles, b: s.barriers, first: s.first },
        { enough: false, total: null, urgent: null, p: [], b: [], first: null },
      );
    }
    assert.equal(showStats(raw({ total: 0 }), KEYS).enough, false);
  });

  test("exactly 5 responses: figures are shown", () => {
    const s = showStats(raw({ total: 5, urgent: 0, profiles: { exclu: 5 }, modes: { seul: 5 } }), KEYS);
    assert.equal(s.enough, true);
    assert.equal(s.total, 5);
    assert.equal(s.urgent, 0);
    assert.deepEqual(s.profiles, [
      { key: "autonome", count: 0 },
      { key: "proche", count: 0 },
      { key: "eloigne", count: 0 },
      { key: "exclu", count: 5 },
    ]);
  });

  test("a cell of 1 to 4 is hidden, and one more so that subtraction does not reveal it", () => {
    assert.deepEqual(suppressPartition({ autonome: 3, proche: 10, eloigne: 7, exclu: 0 }, PROFILES), [
      { key: "autonome", count: null },
      { key: "proche", count: 10 },
      { key: "eloigne", count: null },
      { key: "exclu", count: 0 },
    ]);
    // Two small cells already protect each other.
    assert.deepEqual(suppressPartition({ autonome: 3, proche: 10, eloigne: 4, exclu: 6 }, PROFILES), [
      { key: "autonome", count: null },
      { key: "proche", count: 10 },
      { key: "eloigne", count: null },
      { key: "exclu", count: 6 },
    ]);
    assert.deepEqual(suppressPartition({ seul: 12, accompagne: 9 }, MODES), [
      { key: "seul", count: 12 },
      { key: "accompagne", count: 9 },
    ]);
  });

  test("a yes/no count is hidden when it or its complement is small", () => {
    assert.equal(suppressShare(0, 20), 0);
    assert.equal(suppressShare(4, 20), null);
    assert.equal(suppressShare(5, 20), 5);
    assert.equal(suppressShare(17, 20), null);
    assert.equal(suppressShare(20, 20), 20);
    assert.equal(suppressShare(15, 20), 15);
  });

  test("barriers: most frequent first, hidden ones last; urgent cases suppressed", () => {
    const s = showStats(
      raw({ total: 30, urgent: 2, barriers: { vue: 6, lecture: 12, cout: 3, peur: 27 } }),
      KEYS,
    );
    assert.equal(s.urgent, null);
    assert.deepEqual(s.barriers.slice(0, 3), [
      { key: "lecture", count: 12 },
      { key: "vue", count: 6 },
      { key: "langue", count: 0 },
    ]);
    assert.deepEqual(s.barriers.slice(-2), [
      { key: "peur", count: null },
      { key: "cout", count: null },
    ]);
    // No shown figure is between 1 and 4.
    const shown = [s.total, s.urgent, ...s.barriers.map((b) => b.count)].filter(
      (n): n is number => n !== null,
    );
    assert.ok(shown.every((n) => n === 0 || n >= MIN_CELL));
  });
});
