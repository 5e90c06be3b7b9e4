import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { creuse } from "../../test/support/creuse.ts";
import type { PlanInput, PlanSolution } from "../coverage/plan.ts";
import { Gate, WorkerPool } from "./heavy.ts";
import { HttpError } from "./http.ts";

test("a gate lets two tasks run, four wait, and refuses the next with a French 503 and Retry-After", async () => {
  const gate = new Gate(2, 4, "calculs de plan");
  const order: number[] = [];
  const releases: (() => void)[] = [];
  let running = 0;
  let most = 0;
  const tasks = Array.from({ length: 6 }, (_, i) =>
    gate.run(
      () =>
        new Promise<void>((resolve) => {
          running++;
          most = Math.max(most, running);
          order.push(i);
          releases.push(() => {
            running--;
            resolve();
          });
        }),
    ),
  );
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, [0, 1]);
  await assert.rejects(
    gate.run(async () => {}),
    (e) =>
      e instanceof HttpError &&
      e.status === 503 &&
      e.retryAfter === 5 &&
      /Trop de calculs de plan sont en cours/.test(e.message),
  );
  while (releases.length > 0) {
    releases.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(tasks);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  assert.equal(most, 2);
  // Once every task is done, there is room again.
  await gate.run(async () => {});
});

/** Guéret (real extract of test/data/creuse.json), to cover or as a candidate. */
const guéret = creuse.communes.find((c) => c.code === "23096") as (typeof creuse.communes)[number];
const points = () => ({
  lat: Float64Array.of(guéret.lat),
  lon: Float64Array.of(guéret.lon),
  weight: Float64Array.of(1),
  covered: Uint8Array.of(0),
});

test("a worker that overruns its time budget is stopped with a French 503", async () => {
  const pool = new WorkerPool(join(import.meta.dirname, "../coverage/plan-worker.ts"), 1);
  // Any real plan takes more than 1 ms to start a worker and answer.
  await assert.rejects(
    pool.run<PlanInput, PlanSolution>({
      demand: points(),
      candidates: { ...points(), population: Float64Array.of(guéret.population) },
      radiusKm: 5,
      detour: 1.3,
      sites: 1,
    }),
    (e) => e instanceof HttpError && e.status === 503 && /dépasse le temps permis/.test(e.message),
  );
  await pool.close();
});
