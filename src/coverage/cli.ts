import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { AppContext, Command } from "../context.ts";
import { UsageError } from "../platform/command.ts";
import type { Territory } from "../territories/model.ts";
import { type ResolveOptions, resolveTerritory, unresolvedProblem } from "../territories/resolve.ts";
import { CoverageError, type PlanResult } from "./engine.ts";
import { int, pct, planCsv } from "./format.ts";
import { parseCandidateCodes, parseLayer } from "./inputs.ts";
import { DEFAULT_DISTANCES_TEXT, DEFAULT_PARAMS, layerKey } from "./model.ts";
import { share } from "./stats.ts";

/** `--territoire`: a code or a name, read by the territory resolver (a code first); ambiguous = an error that lists them. */
function territoryOf(ctx: AppContext, text: string | undefined): Territory | null {
  if (!text) return null;
  const options: ResolveOptions = { referential: ctx.territories, search: ctx.search, prefer: "code" };
  const r = resolveTerritory(text, options);
  if (r.kind === "found") return r.territory;
  throw new UsageError(unresolvedProblem(r, options).detail);
}

function number(text: string | undefined, name: string): number {
  if (text === undefined) throw new UsageError(`L'option --${name} est obligatoire.`);
  const n = Number(text.replace(",", "."));
  if (text.trim() === "" || Number.isNaN(n))
    throw new UsageError(`--${name} attend un nombre, pas « ${text} ».`);
  return n;
}

async function withApp(
  open: () => Promise<AppContext>,
  fn: (ctx: AppContext) => Promise<void>,
): Promise<number> {
  let ctx: AppContext | undefined;
  try {
    ctx = await open();
    await fn(ctx);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof CoverageError) {
      console.error(`Erreur : ${e.message}`);
      return 2;
    }
    throw e;
  } finally {
    await ctx?.database.close();
  }
}

function printPlan(plan: PlanResult): void {
  const word = plan.bus ? "arrêt" : "site";
  console.log(
    `${plan.territory?.name ?? "France"} · ${plan.layer === "tous" ? "tout lieu" : plan.layer} · rayon ${plan.radiusKm} km · ${plan.candidates} communes candidates · pondération population × indice / 10 (${plan.method ?? "sans indice"})`,
  );
  console.log(
    `Couverture actuelle : ${pct(plan.curve[0] ?? 0)} de la population pondérée (${int(plan.alreadyCovered)} sur ${int(plan.totalWeight)}).`,
  );
  console.log(`rang\tcode\tcommune\tgain\tcumul\tcouverture`);
  for (const s of plan.sites) {
    console.log(
      `${s.rank}\t${s.code}\t${s.name}\t${int(s.gain)}\t${int(s.cumulative)}\t${pct(s.coveredShare)}`,
    );
  }
  if (plan.bus) console.log(`Les ${plan.sites.length} arrêts sont à desservir chaque semaine.`);
  if (plan.stoppedEarly) console.log(`Seulement ${plan.sites.length} ${word}(s) : au-delà, plus aucun gain.`);
  const g = plan.sites.at(-1)?.cumulative ?? 0;
  const b = plan.baseline.at(-1)?.cumulative ?? 0;
  console.log(
    `Référence « plus grandes communes non couvertes d'abord » : ${int(b)} (couverture ${pct(plan.baselineCurve.at(-1) ?? 0)}) ; choix de Maillage : ${int(g)} (couverture ${pct(plan.curve.at(-1) ?? 0)})${plan.ratio !== null ? ` ; rapport ${plan.ratio.toFixed(3)}` : ""}.`,
  );
}

export const coverageCommands: Record<string, Command> = {
  plan: {
    summary: "propose N nouveaux sites (ou arrêts d'un bus) qui couvrent le plus d'habitants fragiles",
    help: `Usage : maillage plan --territoire X --sites N --rayon R [--service S] [--candidats FICHIER]
                     [--methode M] [--itinerant] [--sortie FICHIER.csv]

Choisit N nouveaux sites parmi les communes candidates (par défaut : toutes les communes du territoire) pour
couvrir le plus de population non couverte, chaque habitant compté selon la fragilité de sa commune
(population × indice / 10) ; une commune est couverte quand un lieu est à moins de R km par la route (distance à
vol d'oiseau × 1,3). Affiche les sites dans l'ordre du choix, le gain de chacun, la courbe de couverture, et la
comparaison avec « les plus grandes communes non couvertes d'abord ».

  --territoire  code ou nom (commune, intercommunalité, département, région-XX)
  --sites       nombre de sites (ou d'arrêts)
  --rayon       rayon couvert par un site, en km (ex. 10 ; pour un bus itinérant, plus petit : 5)
  --service     un des 9 services du référentiel, ou France Services, Aidants Connect, Conseillers numériques
  --candidats   fichier de codes INSEE (un par ligne, ou la première colonne d'un CSV)
  --itinerant   les sites sont les arrêts d'un bus, desservis chaque semaine
  --sortie      écrit aussi les sites dans ce fichier CSV`,
    async run(args, open) {
      let values: Record<string, string | boolean | undefined>;
      try {
        values = parseArgs({
          args,
          options: {
            territoire: { type: "string" },
            sites: { type: "string" },
            rayon: { type: "string" },
            service: { type: "string" },
            candidats: { type: "string" },
            methode: { type: "string" },
            itinerant: { type: "boolean" },
            sortie: { type: "string" },
          },
          strict: true,
        }).values;
      } catch (e) {
        console.error(`Erreur : ${(e as Error).message}`);
        return 2;
      }
      const str = (k: string) => values[k] as string | undefined;
      let sites: number;
      let radiusKm: number;
      let candidates: string[] | undefined;
      const layer = parseLayer(str("service"));
      try {
        if (!str("territoire")) throw new UsageError("L'option --territoire est obligatoire (code ou nom).");
        sites = number(str("sites"), "sites");
        radiusKm = number(str("rayon"), "rayon");
        if ("problem" in layer) throw new UsageError(layer.problem);
        const file = str("candidats");
        if (file) {
          let text: string;
          try {
            text = await readFile(file, "utf8");
          } catch {
            throw new UsageError(`Impossible de lire le fichier de candidates « ${file} ».`);
          }
          candidates = parseCandidateCodes(text);
          if (candidates.length === 0)
            throw new UsageError(`Le fichier « ${file} » ne contient aucun code de commune.`);
        }
      } catch (e) {
        if (e instanceof UsageError) {
          console.error(`Erreur : ${e.message}`);
          return 2;
        }
        throw e;
      }
      if ("problem" in layer) return 2;
      return withApp(open, async (ctx) => {
        const t = territoryOf(ctx, str("territoire"));
        const engine = ctx.coverage;
        const plan = await engine.plan(t, {
          sites,
          radiusKm,
          layer,
          candidates,
          method: str("methode"),
          bus: values.itinerant === true,
        });
        printPlan(plan);
        const out = str("sortie");
        if (out) {
          await writeFile(out, planCsv(plan.sites));
          console.log(`Sites écrits dans ${out}.`);
        }
      });
    },
  },
  "coverage compute": {
    summary: "calcule la couverture d'un territoire (distances, habitants couverts, manques)",
    help: `Usage : maillage coverage compute [--territoire X] [--service S] [--methode M] [--seuil KM] [--fragilite I]

Calcule, pour chaque commune, la distance par la route (vol d'oiseau × 1,3) au lieu de médiation le plus proche :
tout lieu, chacun des 9 services, France Services, Aidants Connect, conseillers numériques ; puis la part des
habitants couverts (${DEFAULT_DISTANCES_TEXT}, ou --seuil pour tous), la part des communes fragiles
(indice ≥ ${DEFAULT_PARAMS.fragileFrom}, ou --fragilite) sans lieu, et les 20 premières communes fragiles laissées loin de toute aide. Sans --territoire :
la France entière.`,
    async run(args, open) {
      let values: Record<string, string | undefined>;
      try {
        values = parseArgs({
          args,
          options: {
            territoire: { type: "string" },
            service: { type: "string" },
            methode: { type: "string" },
            seuil: { type: "string" },
            fragilite: { type: "string" },
          },
          strict: true,
        }).values;
      } catch (e) {
        console.error(`Erreur : ${(e as Error).message}`);
        return 2;
      }
      const layer = parseLayer(values.service);
      if ("problem" in layer) {
        console.error(`Erreur : ${layer.problem}`);
        return 2;
      }
      return withApp(open, async (ctx) => {
        const fixedKm = values.seuil === undefined ? undefined : number(values.seuil, "seuil");
        if (fixedKm !== undefined && !(fixedKm > 0 && fixedKm <= 100))
          throw new UsageError("--seuil attend une distance en km entre 0 et 100.");
        const fragileFrom =
          values.fragilite === undefined ? undefined : number(values.fragilite, "fragilite");
        if (fragileFrom !== undefined && !(fragileFrom >= 0 && fragileFrom <= 10))
          throw new UsageError("--fragilite attend un indice entre 0 et 10.");
        const t = territoryOf(ctx, values.territoire);
        const engine = ctx.coverage;
        const t0 = performance.now();
        const cov = await engine.coverage(t, { method: values.methode, fixedKm, fragileFrom });
        console.log(
          `${t?.name ?? "France"} : ${cov.communes.length} communes, ${cov.places.length} lieux en France (${((performance.now() - t0) / 1000).toFixed(2)} s)`,
        );
        console.log(
          "aide\thabitants couverts\thabitants fragiles couverts\tcommunes fragiles sans lieu sur place",
        );
        for (const s of cov.stats) {
          console.log(
            `${s.layer}\t${pct(share(s.coveredPopulation, s.population))}\t${s.fragileCommunes ? pct(share(s.coveredFragilePopulation, s.fragilePopulation)) : "—"}\t${s.fragileCommunes ? `${pct(share(s.fragileWithoutInCommune, s.fragileCommunes))} (${s.fragileWithoutInCommune}/${s.fragileCommunes})` : "—"}`,
          );
        }
        const gaps = engine.gaps(cov, layer);
        console.log(`Communes fragiles sans lieu à proximité (${layerKey(layer)}) : ${gaps.length}`);
        for (const g of gaps.slice(0, 20))
          console.log(
            `  ${g.code}\t${g.name}\t${int(g.population)} hab.\tindice ${g.score.toFixed(1)}\t${g.distanceKm === null ? "aucun lieu" : `${g.distanceKm.toFixed(1)} km`}`,
          );
      });
    },
  },
};
