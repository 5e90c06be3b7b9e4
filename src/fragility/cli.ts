import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Command } from "../context.ts";
import { createProgress } from "../platform/progress.ts";
import { compareAggregates } from "./aggregate.ts";
import { paired, spearman } from "./agreement.ts";
import { scoreTable } from "./compute.ts";
import { readFragilityInputs } from "./load.ts";
import { METHODS_DIR, MethodError, readMethodFile, SHIPPED_METHODS } from "./method.ts";
import type { Method } from "./model.ts";
import { computeMethod, syncFragility } from "./sync.ts";

/** The figures that say how close our computation is to the official IFN 2023. */
export async function agreementFigures(dataDir: string) {
  const inputs = await readFragilityInputs(dataDir);
  const official = await readMethodFile(join(METHODS_DIR, SHIPPED_METHODS[0]));
  const ours = await readMethodFile(join(METHODS_DIR, SHIPPED_METHODS[1]));
  const off = computeMethod(official, inputs);
  const totals = inputs.indicators.get("ifn_total")?.values ?? new Map<string, number | null>();
  let maxDiff = 0;
  let compared = 0;
  for (const e of off.explanations) {
    const t = totals.get(e.code);
    if (e.score === null || t === null || t === undefined) continue;
    compared++;
    maxDiff = Math.max(maxDiff, Math.abs(e.score - t));
  }
  // Our poverty score recomputed from Filosofi (national deciles) against the official one: from the poverty rate
  // (published for the ~4 400 communes of 1 000+ households) and from the median income (nearly every commune).
  const officialPoverty = inputs.indicators.get("ifn_pauvrete")?.values ?? new Map<string, number | null>();
  const povertyFrom = (indicator: string) => {
    const m: Method = {
      ...ours,
      id: indicator,
      indicators: [{ id: indicator, normalisation: "deciles", weight: 1 }],
      missing: "reweight",
    };
    const table = scoreTable(m, inputs.columns);
    const scores = new Map<string, number | null>();
    inputs.communes.forEach((c, i) => {
      const s = table.score[i] as number;
      if (c.kind === "commune") scores.set(c.code, Number.isNaN(s) ? null : s);
    });
    const p = paired(scores, officialPoverty);
    return { n: p.xs.length, rho: spearman(p.xs, p.ys) };
  };
  const epciOurs = off.aggregates.filter((a) => a.level === "epci");
  const epci = paired(new Map(epciOurs.map((a) => [a.code, a.score])), off.officialEpci);
  const oursEpci = computeMethod(ours, inputs).aggregates.filter((a) => a.level === "epci");
  const epci2025 = paired(new Map(oursEpci.map((a) => [a.code, a.score])), off.officialEpci);
  return {
    compared,
    maxDiff,
    poverty: povertyFrom("taux_pauvrete"),
    povertyFromIncome: povertyFrom("revenu_median"),
    epci: {
      n: epci.xs.length,
      rho: spearman(epci.xs, epci.ys),
      comparison: compareAggregates(epciOurs, off.officialEpci),
    },
    epci2025: { n: epci2025.xs.length, rho: spearman(epci2025.xs, epci2025.ys) },
  };
}

const fr = (x: number | null, digits = 3) => (x === null ? "—" : x.toFixed(digits).replace(".", ","));

export const fragilityCommands: Record<string, Command> = {
  "fragility compute": {
    summary: "calcule l'indice de fragilité (méthodes livrées, ou --method FICHIER)",
    help: `Usage : maillage fragility compute [--method FICHIER.json] [--force]

Calcule l'indice de fragilité numérique de chaque commune avec une méthode (fichier JSON : indicateurs,
normalisation, poids, règle pour les valeurs manquantes), puis les moyennes par intercommunalité, département
et région, et enregistre les résultats avec la version de la méthode (empreinte de son contenu).
Sans --method : les méthodes livrées (officiel-2023, maillage-2025). Plusieurs méthodes coexistent.`,
    async run(args, open) {
      const { values } = parseArgs({
        args,
        options: { method: { type: "string" }, force: { type: "boolean" } },
        strict: true,
      });
      let methods: Method[] | undefined;
      try {
        methods = values.method ? [await readMethodFile(values.method)] : undefined;
      } catch (e) {
        if (e instanceof MethodError) {
          console.error(`Erreur : ${e.message}`);
          return 2;
        }
        throw e;
      }
      const ctx = await open();
      try {
        const t0 = performance.now();
        const done = await syncFragility(ctx, {
          methods,
          force: values.force,
          progress: createProgress,
          log: (m) => console.log(m),
        });
        if (done.length === 0)
          console.log("Indice de fragilité : déjà à jour (même méthode, mêmes données).");
        else console.log(`Terminé en ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
      } finally {
        await ctx.database.close();
      }
      return 0;
    },
  },
  "fragility compare": {
    summary: "compare notre calcul à l'indice officiel 2023 (écarts, corrélations)",
    help: `Usage : maillage fragility compare

Affiche l'accord avec l'indice officiel 2023 de La MedNum : écart maximal entre la méthode officiel-2023 et le
score officiel de chaque commune, corrélation de rang (Spearman) entre notre score de pauvreté recalculé
(revenu médian Filosofi 2021) et le score officiel, et entre nos moyennes par EPCI et l'indice officiel des EPCI.`,
    async run(_args, open) {
      const ctx = await open();
      try {
        const f = await agreementFigures(ctx.config.referenceDir);
        console.log(
          `officiel-2023 contre le total officiel : ${f.compared} communes, écart maximal ${f.maxDiff}`,
        );
        console.log(
          `pauvreté recalculée (taux de pauvreté Filosofi, déciles) contre le score officiel : ρ de Spearman ${fr(f.poverty.rho)} (${f.poverty.n} communes)`,
        );
        console.log(
          `pauvreté recalculée (revenu médian Filosofi, déciles) contre le score officiel : ρ de Spearman ${fr(f.povertyFromIncome.rho)} (${f.povertyFromIncome.n} communes)`,
        );
        console.log(
          `moyenne par EPCI (officiel-2023) contre l'IFN officiel des EPCI : ρ ${fr(f.epci.rho, 4)}, écart moyen ${fr(f.epci.comparison.meanAbsoluteDifference)}, maximal ${fr(f.epci.comparison.maxAbsoluteDifference)} (${f.epci.n} EPCI)`,
        );
        console.log(
          `moyenne par EPCI (maillage-2025) contre l'IFN officiel des EPCI : ρ ${fr(f.epci2025.rho)} (${f.epci2025.n} EPCI)`,
        );
      } finally {
        await ctx.database.close();
      }
      return 0;
    },
  },
};
