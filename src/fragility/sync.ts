import { join } from "node:path";
import type { AppContext, SyncOptions } from "../context.ts";
import { contentHash, datasetState, recordDataset } from "../platform/datasets.ts";
import { silentProgress } from "../platform/progress.ts";
import { territoryFilePaths } from "../territories/load.ts";
import { aggregateScores } from "./aggregate.ts";
import { scoreTable } from "./compute.ts";
import { buildDistributions, explainCommune } from "./explain.ts";
import { FRAGILITY_FILES, INDICATORS } from "./indicators.ts";
import { type FragilityInputs, readFragilityInputs } from "./load.ts";
import { METHODS_DIR, readMethodFile, SHIPPED_METHODS } from "./method.ts";
import type { CommuneRef, Method, TerritoryAggregate } from "./model.ts";
import { type MethodResults, replaceMethodResults } from "./store.ts";

/** Every file a method's results depend on: the indicator files and the territories (communes, populations). */
async function inputFiles(dataDir: string): Promise<string[]> {
  return [
    ...Object.values(FRAGILITY_FILES).map((f) => join(dataDir, f)),
    ...(await territoryFilePaths(dataDir)),
  ];
}

const datasetName = (method: Method) => `fragilite ${method.id}`;

/** Computes one method on read inputs: scores, explanations and aggregates (pure, no I/O). */
export function computeMethod(
  method: Method,
  inputs: FragilityInputs,
): Omit<MethodResults, "inputsHash"> & { communes: CommuneRef[] } {
  const table = scoreTable(method, inputs.columns);
  const distributions = buildDistributions(table);
  const explanations = inputs.communes.map((c, i) =>
    explainCommune(table.at(i), c, method, INDICATORS, distributions),
  );
  const aggregates: TerritoryAggregate[] = (["epci", "departement", "region"] as const).flatMap((level) =>
    aggregateScores(table, level),
  );
  const officialEpci = new Map([...inputs.officialEpci].map(([code, v]) => [code, v.total]));
  return { method, explanations, aggregates, officialEpci, communes: inputs.communes };
}

/**
 * Computes and stores the given methods (default: the shipped ones) when their results are missing or were
 * computed from other files or another version of the method. Returns the ids computed now.
 */
export async function syncFragility(
  ctx: AppContext,
  opts: SyncOptions & { methods?: Method[] },
): Promise<string[]> {
  const db = ctx.database.db;
  const dataDir = ctx.config.referenceDir;
  const methods =
    opts.methods ?? (await Promise.all(SHIPPED_METHODS.map((f) => readMethodFile(join(METHODS_DIR, f)))));
  const files = await inputFiles(dataDir);
  const todo: { method: Method; state: Awaited<ReturnType<typeof datasetState>> }[] = [];
  for (const method of methods) {
    const state = await datasetState(db, datasetName(method), files, method.version);
    if (opts.force || !state.current) todo.push({ method, state });
  }
  if (todo.length === 0) return [];
  const progress = (opts.progress ?? (() => silentProgress()))("Indice de fragilité", todo.length + 1);
  const inputs = await readFragilityInputs(dataDir);
  progress.tick(1, "indicateurs lus");
  const done: string[] = [];
  for (const { method, state } of todo) {
    const results = computeMethod(method, inputs);
    const hash = state.hash ?? (await contentHash(files, method.version));
    await replaceMethodResults(db, { ...results, inputsHash: hash });
    await recordDataset(
      db,
      datasetName(method),
      { hash, fingerprint: state.fingerprint },
      { communes: results.explanations.length },
    );
    done.push(method.id);
    progress.tick(done.length + 1, method.id);
    opts.log(`Indice de fragilité « ${method.id} » calculé (${results.explanations.length} communes).`);
  }
  progress.done();
  return done;
}
