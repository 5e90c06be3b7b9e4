/** Worker thread running `solvePlan` (see platform/heavy.ts): large plans do not block the HTTP event loop. */
import { parentPort } from "node:worker_threads";
import { type PlanInput, solvePlan } from "./plan.ts";

parentPort?.on("message", (input: PlanInput) => {
  try {
    parentPort?.postMessage({ result: solvePlan(input) });
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
