/**
 * The pure parts of indicators: periods (a year, a month, the last 12 months, one in the future refused), the rest
 * of a territory outside its quartiers (a hidden part hides the rest), and locating a point in, near or away from a
 * zone (point in polygon with a hole, distance to the edge in metres).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { IndicatorDefinition } from "../context.ts";
import { monthsOf, parsePeriod } from "./compute.ts";
import { restOf } from "./contrat.tsx";
import { NEAR_METRES, QpvIndex } from "./zones.ts";

const now = new Date("2026-12-02T09:00:00Z");

test("periods: a year, a month, the last 12 months; one in the future or unreadable is refused in French", () => {
  const y = parsePeriod("2026", now);
  assert.deepEqual(y.ok && y.period, { from: "2026-01-01", to: "2026-12-02", label: "année 2026" });
  const m = parsePeriod("2026-02", now);
  assert.deepEqual(m.ok && [m.period.from, m.period.to], ["2026-02-01", "2026-02-28"]);
  const last = parsePeriod(undefined, now);
  assert.ok(last.ok);
  assert.deepEqual([last.period.from, last.period.to], ["2026-01-01", "2026-12-02"]);
  assert.equal(monthsOf(last.period).length, 12);
  const future = parsePeriod("2027-01", now);
  assert.ok(!future.ok && /dans le futur/.test(future.message));
  assert.ok(!parsePeriod("2026-13", now).ok);
  assert.ok(!parsePeriod("hier", now).ok);
  // Late on 31 December in Paris is still that day, whatever the server's zone.
  const eve = parsePeriod("2026-12", new Date("2026-12-31T23:30:00Z"));
  assert.ok(!parsePeriod("2027", new Date("2026-12-31T22:30:00Z")).ok);
  assert.ok(parsePeriod("2027", new Date("2026-12-31T23:30:00Z")).ok);
  assert.ok(eve.ok);
});

const def = (id: string, unit: string): IndicatorDefinition => ({
  id,
  family: "Essai",
  label: id,
  definition: id,
  formula: id,
  source: id,
  vintage: id,
  unit,
  hidden: id,
  access: "public",
  monthly: false,
});

test("the rest of a territory: counts only; a hidden or unknown part makes the rest hidden or unknown", () => {
  const defs = [def("a", "lieux"), def("b", "personnes"), def("c", "%"), def("d", "lieux")];
  const whole = { a: { value: 10 }, b: { value: 40 }, c: { value: 50 }, d: { value: 3 } };
  const parts = [
    { a: { value: 2 }, b: { value: null, hidden: true }, c: { value: 20 }, d: { value: undefined } },
    { a: { value: 3 }, b: { value: 9 }, c: { value: 10 }, d: { value: 1 } },
  ];
  const rest = restOf(defs, whole, parts);
  assert.deepEqual(rest.a, { value: 5 });
  assert.deepEqual(rest.b, { value: null, hidden: true });
  assert.equal(rest.c?.value, undefined);
  assert.equal(rest.d?.value, undefined);
});

test("a point inside a zone, inside its hole, near its edge, and away from it", () => {
  // A square of about 1.1 km at Toulouse's latitude with a square hole: the geometry of the test, not a quartier.
  const ring = (x0: number, y0: number, s: number) => [
    [x0, y0],
    [x0 + s, y0],
    [x0 + s, y0 + s],
    [x0, y0 + s],
    [x0, y0],
  ];
  const index = new QpvIndex([
    {
      code: "ZONE",
      geometry: { type: "Polygon", coordinates: [ring(1.4, 43.6, 0.01), ring(1.404, 43.604, 0.002)] },
    },
  ]);
  assert.deepEqual(index.locate(43.601, 1.401), { inside: ["ZONE"], near: [] });
  assert.deepEqual(index.locate(43.605, 1.405), { inside: [], near: ["ZONE"] }, "in the hole, near its edge");
  // 0.003° of latitude north of the edge: about 334 m, beyond 300 m; 0.002°: about 222 m.
  assert.deepEqual(index.locate(43.612, 1.405), { inside: [], near: ["ZONE"] });
  assert.deepEqual(index.locate(43.613, 1.405), { inside: [], near: [] });
  assert.equal(NEAR_METRES, 300);
});
