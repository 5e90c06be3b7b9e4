import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { openApp } from "../src/app.ts";
import { aggregateScores } from "../src/fragility/aggregate.ts";
import { agreementFigures } from "../src/fragility/cli.ts";
import { IndicatorTable, scoreTable } from "../src/fragility/compute.ts";
import { readFragilityInputs } from "../src/fragility/load.ts";
import { METHODS_DIR, readMethodFile, SHIPPED_METHODS } from "../src/fragility/method.ts";
import { computeMethod } from "../src/fragility/sync.ts";
import { loadConfig } from "../src/platform/config.ts";
import { buildServer } from "../src/server.ts";
import { referenceAggregates, referenceScores } from "../test/support/fragility-reference.ts";
import { median, percentile, report } from "./stats.ts";

const DATA_DIR = join(import.meta.dirname, "..", "data");

/** Indice de fragilité: computation time, map page weight and time, agreement with the official index. */
export async function benchFragility(): Promise<void> {
  console.log("# Fragilité numérique");
  const t0 = performance.now();
  const inputs = await readFragilityInputs(DATA_DIR);
  report("lecture des fichiers d'indicateurs (à part du calcul)", (performance.now() - t0) / 1000, "s");
  const builds: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    new IndicatorTable(inputs.indicators, inputs.communes);
    builds.push(performance.now() - t);
  }
  report(
    `mise en colonnes des ${inputs.indicators.size} indicateurs et index des communes (une fois par lecture, médiane de 5)`,
    median(builds),
    "ms",
  );
  const levels = ["epci", "departement", "region"] as const;
  for (const file of SHIPPED_METHODS) {
    const method = await readMethodFile(join(METHODS_DIR, file));
    const maps = method.indicators.map((i) => inputs.indicators.get(i.id)?.values ?? new Map());
    // Interleaved rounds, so that the machine's noise weighs alike on the computation and its references.
    const times = { now: [] as number[], read: [] as number[], before: [] as number[] };
    let check = 0;
    for (let round = 0; round < 9; round++) {
      let t = performance.now();
      const table = scoreTable(method, inputs.columns);
      for (const level of levels) check += aggregateScores(table, level).length;
      times.now.push(performance.now() - t);
      // What the computation used to start with: one Map.get per commune and indicator.
      t = performance.now();
      for (const m of maps) for (const c of inputs.communes) check += m.get(c.code) ?? 0;
      times.read.push(performance.now() - t);
      t = performance.now();
      const scores = referenceScores(method, inputs.indicators, inputs.communes);
      for (const level of levels) check += referenceAggregates(scores, inputs.communes, level).length;
      times.before.push(performance.now() - t);
    }
    if (Number.isNaN(check)) throw new Error("unreachable");
    const [now, read, before] = [median(times.now), median(times.read), median(times.before)];
    const label = `${method.id} : ${inputs.communes.length} communes + agrégats EPCI/département/région`;
    report(`calcul ${label} (médiane de 9)`, now, "ms", "< 100 ms");
    report(
      `référence : lire les ${maps.length} indicateurs de chaque commune dans les Map (même boucle)`,
      read,
      "ms",
    );
    report("rapport calcul / lecture seule des Map", now / read, "");
    report("référence : calcul précédent sur objets (test/support/fragility-reference.ts)", before, "ms");
    report("gain calcul précédent / calcul", before / now, "×");
    const t = performance.now();
    const { explanations } = computeMethod(method, inputs);
    report(
      `calcul ${method.id} avec les ${explanations.length} explications (percentiles, phrase), une fois par version, à l'import`,
      performance.now() - t,
      "ms",
    );
  }

  const f = await agreementFigures(DATA_DIR);
  report(
    `accord officiel-2023 / total officiel : écart maximal (${f.compared} communes)`,
    f.maxDiff,
    "",
    "0",
  );
  report(
    `ρ de Spearman pauvreté recalculée (taux de pauvreté Filosofi) / score officiel (${f.poverty.n} communes)`,
    f.poverty.rho ?? Number.NaN,
    "",
  );
  report(
    `ρ de Spearman pauvreté recalculée (revenu médian Filosofi) / score officiel (${f.povertyFromIncome.n} communes)`,
    f.povertyFromIncome.rho ?? Number.NaN,
    "",
  );
  report(
    `ρ de Spearman moyenne EPCI officiel-2023 / IFN officiel des EPCI (${f.epci.n} EPCI)`,
    f.epci.rho ?? Number.NaN,
    "",
  );
  report(
    `ρ de Spearman moyenne EPCI maillage-2025 / IFN officiel des EPCI (${f.epci2025.n} EPCI)`,
    f.epci2025.rho ?? Number.NaN,
    "",
  );

  // The map page of a département, served for real (in-process HTTP injection, no network).
  const dataDir = mkdtempSync(join(tmpdir(), "maillage-bench-"));
  try {
    const ctx = await openApp({
      ...loadConfig({}),
      dataDir,
      databaseUrl: undefined,
      logLevel: "silent",
      rateLimit: 0,
    });
    const app = await buildServer(ctx);
    for (const [dep, name] of [
      ["23", "Creuse, 255 communes"],
      ["62", "Pas-de-Calais, 890 communes"],
    ] as const) {
      const url = `/fragilite?territoire=${dep}`;
      const times: number[] = [];
      let body = "";
      for (let i = 0; i < 12; i++) {
        const t = performance.now();
        const res = await app.inject({ method: "GET", url });
        times.push(performance.now() - t);
        body = res.body;
      }
      const sorted = times.slice(2).sort((a, b) => a - b);
      report(`page carte ${name} : temps serveur p50`, percentile(sorted, 50), "ms");
      report(`page carte ${name} : HTML+SVG`, Buffer.byteLength(body) / 1024, "Ko");
      report(`page carte ${name} : HTML+SVG gzip`, gzipSync(body).length / 1024, "Ko");
    }
    await app.close();
    await ctx.database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
