import assert from "node:assert/strict";
import { test } from "node:test";
import { territories } from "../../test/support/indicators.ts";
import type { IndicatorValue } from "../context.ts";
import { cellOf, guardMonths, monthsOf, territoryInScope } from "./indicators.ts";

test("the months of a period, the first and last cut to it, across a year and a leap February", () => {
  assert.deepEqual(monthsOf("2027-12-15", "2028-02-10"), [
    { month: "2027-12", from: "2027-12-15", to: "2027-12-31" },
    { month: "2028-01", from: "2028-01-01", to: "2028-01-31" },
    { month: "2028-02", from: "2028-02-01", to: "2028-02-10" },
  ]);
  assert.deepEqual(monthsOf("2026-02-01", "2026-02-28"), [
    { month: "2026-02", from: "2026-02-01", to: "2026-02-28" },
  ]);
  assert.equal(monthsOf("2028-02-01", "2028-03-31")[0]?.to, "2028-02-29");
});

test("parts by organisation: the total and the largest organisation's part", () => {
  assert.deepEqual(
    cellOf([
      { org: 1, n: 3 },
      { org: 2, n: 1 },
      { org: 1, n: 2 },
    ]),
    { key: "", count: 6, largest: 5 },
  );
  assert.deepEqual(cellOf([]), { key: "", count: 0, largest: 0 });
});

test("a lone hidden month takes the smallest other non-zero month with it, when the period is shown", () => {
  const hidden = (): IndicatorValue => ({ value: null, hidden: true });
  const months = (): Record<string, Record<string, IndicatorValue>> => ({
    "2026-01": { a: hidden(), b: hidden(), r: hidden() },
    "2026-02": { a: { value: 0 }, b: hidden(), r: { value: 12 } },
    "2026-03": { a: { value: 9 }, b: { value: 20 }, r: { value: 8 } },
    "2026-04": { a: { value: 7 }, b: { value: 30 }, r: { value: 9 } },
  });
  const m = months();
  guardMonths(m, { a: { value: 19 }, b: { value: 55 }, r: { value: 40 } }, ["a", "b"]);
  // a: January alone hidden → April (7, the smallest non-zero) too; February's 0 stays.
  assert.deepEqual(
    Object.values(m).map((x) => x.a),
    [hidden(), { value: 0 }, { value: 9 }, hidden()],
  );
  // b: two hidden already; r: not additive (a rate, a stock) — unchanged.
  assert.deepEqual(m["2026-03"]?.b, { value: 20 });
  assert.deepEqual(m["2026-03"]?.r, { value: 8 });
  // A hidden period gives nothing back: unchanged.
  const n = months();
  guardMonths(n, { a: hidden() }, ["a"]);
  assert.deepEqual(n, months());
});

test("a territory counts in a scope when all its communes are in it", async () => {
  const ref = await territories();
  const ctx = { territories: ref };
  const creuse = new Set(ref.communesOf(ref.get("23") ?? assert.fail("23")).map((c) => c.code));
  const gueret = new Set(["23096"]);
  assert.equal(territoryInScope(ctx, "23096", { communes: gueret }), true);
  assert.equal(territoryInScope(ctx, "23096", { communes: creuse }), true);
  // The département's programme does not count in one of its communes, but in France and in itself.
  assert.equal(territoryInScope(ctx, "23", { communes: gueret }), false);
  assert.equal(territoryInScope(ctx, "23", { communes: creuse }), true);
  assert.equal(territoryInScope(ctx, "23", { communes: null }), true);
  // Guéret's EPCI lies in the Creuse; an unknown id (« france ») only in France.
  const epci = ref.get("23096")?.epci ?? assert.fail("EPCI de Guéret");
  assert.equal(territoryInScope(ctx, epci, { communes: creuse }), true);
  assert.equal(territoryInScope(ctx, "france", { communes: creuse }), false);
  assert.equal(territoryInScope(ctx, "france", { communes: null }), true);
  // An arrondissement of Paris within Paris's communes and arrondissements.
  const paris = new Set(["75056", ...ref.childrenOf("75056").map((a) => a.code)]);
  assert.equal(territoryInScope(ctx, "75101", { communes: paris }), true);
});
