import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { openApp } from "../src/app.ts";
import { aggregateScores } from "../src/fragility/aggregate.ts";
import { agreementFigures } from "../src/fragility/cli.ts";
import { computeScores } from "../src/fragility/compute.ts";
import { readFragilityInputs } from "../src/fragility/load.ts";
import { METHODS_DIR, readMethodFile, SHIPPED_METHODS } from "../src/fragility/method.ts";
import { loadConfig } from "../src/platform/config.ts";
import { buildServer } from "../src/server.ts";
import { median, percentile, report } from "./stats.ts";

const DATA_DIR = join(import.meta.dirname, "..", "data");

/** Indice de fragilité: computation time, map page weight and time, agreement with the official index. */
export async function benchFragility(): Promise<void> {
  console.log("# Fragilité numérique");
  const t0 = performance.now();
  const inputs = await readFragilityInputs(DATA_DIR);
  report("lecture des fichiers d'indicateurs (à part du calcul)", (performance.now() - t0) / 1000, "s");
  for (const file of SHIPPED_METHODS) {
    const method = await readMethodFile(join(METHODS_DIR, file));
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      const scores = computeScores(method, inputs.indicators, inputs.communes);
      for (const level of ["epci", "departement", "region"] as const)
        aggregateScores(scores, inputs.communes, level);
      times.push(performance.now() - t);
    }
    report(
      `calcul ${method.id} : ${inputs.communes.length} communes + agrégats EPCI/département/région (médiane de 7)`,
      median(times),
      "ms",
      "< 200 ms",
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
