import { join } from "node:path";
import { aggregateScores } from "../src/fragility/aggregate.ts";
import { computeScores } from "../src/fragility/compute.ts";
import { readFragilityInputs } from "../src/fragility/load.ts";
import { METHODS_DIR, readMethodFile, SHIPPED_METHODS } from "../src/fragility/method.ts";

export interface FragilityBench {
  loadMs: number;
  communes: number;
  methods: { id: string; medianComputeMs: number; aggregateEpciMs: number }[];
}

const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;

/** Reads the real inputs once, then times computing each shipped method for every commune (median of `runs`). */
export async function benchFragility(dataDir: string, runs = 5): Promise<FragilityBench> {
  const t0 = performance.now();
  const inputs = await readFragilityInputs(dataDir);
  const loadMs = performance.now() - t0;
  const methods: FragilityBench["methods"] = [];
  for (const file of SHIPPED_METHODS) {
    const method = await readMethodFile(join(METHODS_DIR, file));
    const times: number[] = [];
    let scores = computeScores(method, inputs.indicators, inputs.communes);
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      scores = computeScores(method, inputs.indicators, inputs.communes);
      times.push(performance.now() - t);
    }
    const t = performance.now();
    aggregateScores(scores, inputs.communes, "epci");
    methods.push({ id: method.id, medianComputeMs: medianOf(times), aggregateEpciMs: performance.now() - t });
  }
  return { loadMs, communes: inputs.communes.length, methods };
}
