import { rmSync } from "node:fs";
import { openApp } from "../src/app.ts";
import { computeAccess } from "../src/coverage/access.ts";
import type { PlanRequest } from "../src/coverage/engine.ts";
import type { Layer } from "../src/coverage/model.ts";
import { coverSets, evaluate, exactPlan, greedyPlan, largestFirst } from "../src/coverage/plan.ts";
import type { Territory } from "../src/territories/model.ts";
import { preparedDataDir, testConfig } from "../test/support/server.ts";
import { median, report } from "./stats.ts";

const DEPARTEMENTS = ["23", "58", "09", "62", "48"];
const FS: Layer = { kind: "dispositif", name: "France Services" };

/** Coverage and planning: access for all of France, optimiser time, plan quality against baseline and optimum. */
export async function benchCoverage(): Promise<void> {
  console.log("# Couverture et planification");
  const dataDir = await preparedDataDir();
  const ctx = await openApp({ ...testConfig(), dataDir });
  try {
    const engine = ctx.coverage;
    const state = await engine.accessState();
    const communes = state.communes.map((c) => ({ lat: c.lat as number, lon: c.lon as number }));
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      computeAccess(communes, state.points, engine.params.detour);
      times.push(performance.now() - t);
    }
    report(
      `accès : ${communes.length} communes × 13 couches (tout lieu + 9 services + 3 dispositifs), ${state.points.length} lieux (médiane de 7)`,
      median(times) / 1000,
      "s",
      "< 1 s",
    );
    const covTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await engine.coverage(null);
      covTimes.push(performance.now() - t);
    }
    report(
      "indicateurs de couverture de la France entière (accès en cache, médiane de 5)",
      median(covTimes),
      "ms",
    );

    const timePlan = async (t: Territory | null, req: PlanRequest, runs: number) => {
      const ts: number[] = [];
      let last = await engine.plan(t, req);
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        last = await engine.plan(t, req);
        ts.push(performance.now() - s);
      }
      return { ms: median(ts), plan: last };
    };
    const national = await timePlan(null, { sites: 50, radiusKm: 10, layer: FS }, 3);
    report(
      `optimiseur : 50 sites en France (${national.plan.candidates} communes candidates, France Services, rayon 10 km, médiane de 3)`,
      national.ms / 1000,
      "s",
      "< 10 s",
    );
    const creuse = ctx.territories.get("23") as Territory;
    const dep = await timePlan(creuse, { sites: 10, radiusKm: 10, layer: FS }, 7);
    report("optimiseur : 10 sites dans la Creuse (rayon 10 km, médiane de 7)", dep.ms, "ms");
    const bus = await timePlan(creuse, { sites: 12, radiusKm: 5, layer: FS, bus: true }, 7);
    report("optimiseur : bus itinérant, 12 arrêts dans la Creuse (rayon 5 km, médiane de 7)", bus.ms, "ms");

    // Quality against the naive baseline, on 5 real départements: 10 sites, France Services, 10 km.
    for (const code of DEPARTEMENTS) {
      const t = ctx.territories.get(code) as Territory;
      const req: PlanRequest = { sites: 10, radiusKm: 10, layer: FS };
      const { demandCommune, scores, demand, candidates } = await engine.planInstance(t, req);
      const sets = coverSets(demand, candidates, req.radiusKm, engine.params.detour);
      const weights = demand.weight;
      const greedy = greedyPlan(sets, weights, req.sites).map((s) => s.candidate);
      const naive = largestFirst(candidates, req.sites);
      const weighted = (order: number[]) => evaluate(sets, weights, order).at(-1)?.cumulative ?? 0;
      // The fragile population (communes with IFN ≥ 7) newly covered, the figure the issue names.
      const fragilePop = Array.from(demand.weight, (_, i) => {
        const c = demandCommune(i);
        const score = scores.get(c.code) ?? null;
        return score !== null && score >= engine.params.fragileFrom ? (c.population ?? 0) : 0;
      });
      const fragile = (order: number[]) => evaluate(sets, fragilePop, order).at(-1)?.cumulative ?? 0;
      const [gw, bw, gf, bf] = [weighted(greedy), weighted(naive), fragile(greedy), fragile(naive)];
      report(
        `qualité ${t.name} (${code}) : population pondérée nouvellement couverte, glouton / plus grandes communes (${Math.round(gw)} / ${Math.round(bw)}, 10 sites, 10 km)`,
        bw > 0 ? gw / bw : gw > 0 ? Number.POSITIVE_INFINITY : 1,
        "",
        "≥ 1,0",
      );
      report(
        `qualité ${t.name} (${code}) : population des communes fragiles (IFN ≥ 7) nouvellement couverte, glouton / plus grandes communes (${gf} / ${bf})`,
        bf > 0 ? gf / bf : gf > 0 ? Number.POSITIVE_INFINITY : 1,
        "",
      );
    }

    // Against the exact optimum: every EPCI of those départements with 25 communes or fewer as candidates,
    // the whole département as demand, N = 1, 2, 3, two layers.
    let instances = 0;
    let atOptimum = 0;
    let worst = 1;
    let sum = 0;
    let exactMs = 0;
    for (const code of DEPARTEMENTS) {
      const t = ctx.territories.get(code) as Territory;
      const epcis = ctx.territories.childrenOf(code).filter((x) => x.kind === "epci");
      for (const epci of epcis) {
        const pool = ctx.territories.communesOf(epci).filter((c) => c.departement === code);
        if (pool.length === 0 || pool.length > 25) continue;
        for (const layer of [FS, { kind: "dispositif", name: "Conseillers numériques" } as Layer]) {
          const { demand, candidates } = await engine.planInstance(t, {
            sites: 1,
            radiusKm: 8,
            layer,
            candidates: pool.map((c) => c.code),
          });
          const sets = coverSets(demand, candidates, 8, engine.params.detour);
          const weights = demand.weight;
          for (const n of [1, 2, 3]) {
            if (n > candidates.lat.length) continue;
            const s = performance.now();
            const exact = exactPlan(sets, weights, n);
            exactMs += performance.now() - s;
            if (exact.covered <= 0) continue;
            const g = greedyPlan(sets, weights, n).at(-1)?.cumulative ?? 0;
            const r = g / exact.covered;
            instances++;
            sum += r;
            worst = Math.min(worst, r);
            if (r > 1 - 1e-9) atOptimum++;
          }
        }
      }
    }
    report(
      `glouton / optimum exact (recherche exhaustive, ≤ 25 candidates, N ≤ 3) : rapport le plus bas sur ${instances} instances réelles`,
      worst,
      "",
      `≥ ${(1 - 1 / Math.E).toFixed(3).replace(".", ",")}`,
    );
    report("glouton / optimum exact : rapport moyen", instances > 0 ? sum / instances : Number.NaN, "");
    report(
      `glouton / optimum exact : instances où le glouton atteint l'optimum (sur ${instances})`,
      atOptimum,
      "",
    );
    report("recherche exhaustive : temps total", exactMs, "ms");
  } finally {
    await ctx.database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
