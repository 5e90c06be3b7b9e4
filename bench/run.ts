/**
 * `npm run bench`: runs every benchmark and prints one line per figure (medians, percentiles, ratios).
 * `npm run bench -- territoires` runs only the named ones.
 */
import { benchAccounts } from "./accounts.ts";
import { benchActivities } from "./activites.ts";
import { benchCoverage } from "./coverage.ts";
import { benchDiagnostic } from "./diagnostic.ts";
import { benchEdits } from "./edits.ts";
import { benchFragility } from "./fragility.ts";
import { benchHeavy } from "./heavy.ts";
import { benchImports } from "./imports.ts";
import { benchIndicators } from "./indicateurs.ts";
import { benchLoad } from "./load.ts";
import { benchMandates } from "./mandats.ts";
import { benchOrientation } from "./orientation.ts";
import { benchPages } from "./pages.ts";
import { benchPass } from "./pass.ts";
import { benchPlaces } from "./places.ts";
import { benchPortrait } from "./portrait.ts";
import { benchTerritories } from "./territories.ts";

const BENCHES: Record<string, () => Promise<void>> = {
  territoires: benchTerritories,
  fragilite: benchFragility,
  lieux: benchPlaces,
  diagnostic: benchDiagnostic,
  couverture: benchCoverage,
  orientation: benchOrientation,
  lourdes: benchHeavy,
  pages: benchPages,
  charge: benchLoad,
  comptes: benchAccounts,
  imports: benchImports,
  edition: benchEdits,
  pass: benchPass,
  mandats: benchMandates,
  activites: benchActivities,
  indicateurs: benchIndicators,
  portrait: benchPortrait,
};

const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  await run();
}
