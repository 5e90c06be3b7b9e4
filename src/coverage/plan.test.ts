import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { creuse } from "../../test/support/creuse.ts";
import { computeAccess } from "./access.ts";
import { DEFAULT_PARAMS } from "./model.ts";
import {
  binomial,
  type Candidates,
  coverSets,
  type Demand,
  evaluate,
  exactPlan,
  greedyPlan,
  largestFirst,
  weightOf,
} from "./plan.ts";

const { communes, places } = creuse;
const { detour } = DEFAULT_PARAMS;
const table = computeAccess(communes, places, detour);

/** Demand of the whole of Creuse for a layer and radius; candidates: some communes. */
function instance(key: string, radiusKm: number, pool: typeof communes) {
  const d = table.dist.get(key) as Float64Array;
  const covered = (i: number) => ((d[i] as number) <= radiusKm ? 1 : 0);
  const demand: Demand = {
    lat: Float64Array.from(communes, (c) => c.lat),
    lon: Float64Array.from(communes, (c) => c.lon),
    weight: Float64Array.from(communes, (c) => weightOf(c.population, c.score)),
    covered: Uint8Array.from(communes, (_, i) => covered(i)),
  };
  const candidates: Candidates = {
    lat: Float64Array.from(pool, (c) => c.lat),
    lon: Float64Array.from(pool, (c) => c.lon),
    population: Float64Array.from(pool, (c) => c.population),
    covered: Uint8Array.from(pool, (c) => covered(communes.indexOf(c))),
  };
  const sets = coverSets(demand, candidates, radiusKm, detour);
  return { demand, candidates, sets, weights: demand.weight };
}

/** Plain (not lazy) greedy, for reference. */
function plainGreedy(sets: Int32Array[], weights: Float64Array, n: number): number[] {
  const done = new Set<number>();
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    let best = -1;
    let bestGain = 0;
    sets.forEach((s, c) => {
      let g = 0;
      for (const d of s) if (!done.has(d)) g += weights[d] as number;
      if (g > bestGain) {
        best = c;
        bestGain = g;
      }
    });
    if (best < 0) break;
    out.push(best);
    for (const d of sets[best] as Int32Array) done.add(d);
  }
  return out;
}

const epcis = [...new Set(communes.map((c) => c.epci))].filter((e): e is string => e !== null);

describe("cover sets", () => {
  test("a candidate covers the uncovered communes within the radius (road estimate), itself included", () => {
    const { demand, sets } = instance("France Services", 10, communes);
    const guéret = communes.findIndex((c) => c.code === "23096");
    const mine = sets[guéret] as Int32Array;
    assert.ok(mine.includes(guéret), "Guéret (no France Services) is covered by a site in Guéret");
    for (const k of mine) assert.equal(demand.covered[k], 0);
  });
});

describe("greedy against the exact optimum on small real instances (≤ 25 candidates, N ≤ 3)", () => {
  const bound = 1 - 1 / Math.E;
  let instances = 0;
  let worst = 1;
  for (const epci of epcis) {
    const pool = communes.filter((c) => c.epci === epci).slice(0, 25);
    for (const [key, radius] of [
      ["France Services", 10],
      ["Conseillers numériques", 8],
      ["tous", 5],
    ] as const) {
      const { sets, weights } = instance(key, radius, pool);
      for (const n of [1, 2, 3]) {
        const exact = exactPlan(sets, weights, n);
        const greedy = greedyPlan(sets, weights, n);
        const covered = greedy.at(-1)?.cumulative ?? 0;
        instances++;
        if (exact.covered > 0) worst = Math.min(worst, covered / exact.covered);
        assert.ok(
          covered >= bound * exact.covered - 1e-6,
          `${epci} ${key} N=${n}: ${covered} < ${exact.covered}`,
        );
        assert.ok(covered <= exact.covered + 1e-6);
      }
    }
  }
  test(`greedy ≥ (1 − 1/e) × exact on every instance (worst ratio ${worst.toFixed(3)} over ${instances})`, () => {
    assert.ok(instances >= 30);
    assert.ok(worst >= bound);
  });

  test("the exhaustive search really is exhaustive (C(m, n) combinations, best found)", () => {
    assert.equal(binomial(25, 3), 2300);
    const sets = [Int32Array.of(0, 1), Int32Array.of(1, 2), Int32Array.of(2, 3), Int32Array.of(0, 3)];
    // Greedy takes {0,1} first (weights 5+5) then cannot do better than 1; the optimum is {0,1} + {2,3}.
    const weights = [5, 5, 1, 1];
    assert.deepEqual(exactPlan(sets, weights, 2), { sites: [0, 2], covered: 12 });
  });
});

describe("lazy greedy", () => {
  const { sets, weights } = instance("France Services", 10, communes);

  test("chooses what plain greedy chooses, and marginal gains never increase", () => {
    const lazy = greedyPlan(sets, weights, 15);
    assert.deepEqual(
      lazy.map((s) => s.candidate),
      plainGreedy(sets, weights, 15),
    );
    for (let i = 1; i < lazy.length; i++) assert.ok((lazy[i]?.gain ?? 0) <= (lazy[i - 1]?.gain ?? 0));
    let sum = 0;
    for (const s of lazy) {
      sum += s.gain;
      assert.ok(Math.abs(s.cumulative - sum) < 1e-9);
    }
    assert.deepEqual(
      evaluate(
        sets,
        weights,
        lazy.map((s) => s.candidate),
      ).map((s) => s.gain),
      lazy.map((s) => s.gain),
    );
  });

  test("stops when nothing more can be covered", () => {
    const all = greedyPlan(sets, weights, communes.length);
    assert.ok(all.length < communes.length);
    assert.ok((all.at(-1)?.gain ?? 0) > 0);
  });

  test("greedy covers at least as much as the naive 'largest uncovered communes first'", () => {
    const { candidates } = instance("France Services", 10, communes);
    for (const n of [1, 3, 5, 10]) {
      const g = greedyPlan(sets, weights, n).at(-1)?.cumulative ?? 0;
      const b = evaluate(sets, weights, largestFirst(candidates, n)).at(-1)?.cumulative ?? 0;
      assert.ok(g >= b, `N=${n}: ${g} < ${b}`);
    }
    // The baseline starts with the largest uncovered commune: Guéret (no France Services within 10 km).
    assert.equal(communes[largestFirst(candidates, 1)[0] ?? -1]?.code, "23096");
    // A covered commune comes after every uncovered one, however large.
    const order = largestFirst(candidates, communes.length);
    const firstCovered = order.findIndex((i) => candidates.covered[i] === 1);
    assert.ok(firstCovered > 0);
    assert.ok(order.slice(firstCovered).every((i) => candidates.covered[i] === 1));
  });
});

describe("weights", () => {
  test("population × IFN / 10, a missing score weighs nothing", () => {
    assert.equal(weightOf(1000, 7.5), 750);
    assert.equal(weightOf(1000, null), 0);
  });
});
