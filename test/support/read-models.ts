/**
 * The read models of the loaded test database — its published places, the scores of its computed fragility methods,
 * the communes' urban classes — built once and kept between test processes (test/support/real-data.ts's cache, keyed
 * by the prepared template, the urban classes' reference file and the code of src/). Building them took every test
 * server 2 to 3 s of CPU (the same on every copy of the template).
 *
 * A test server is handed them with `preload` (src/places/published.ts, src/fragility/published.ts): it still asks
 * its database for the import marker and the methods' versions and computation dates, and takes the kept data only
 * when they are the same, as it reuses its own within one process; an import or a recomputation in a test reads the
 * database again. The servers of `pagesOf`, `spawnServe` and the commands build them from the database as always,
 * and test/app.test.ts checks that the kept ones equal those a server builds.
 */
import { basename, join } from "node:path";
import type { AppContext } from "../../src/context.ts";
import { FRAGILITY_FILES } from "../../src/fragility/indicators.ts";
import type { FragilityPreload } from "../../src/fragility/published.ts";
import type { PlacesSnapshot } from "../../src/places/published.ts";
import { DATA_DIR } from "./paths.ts";
import { cached } from "./real-data.ts";

export interface KeptReadModels {
  places: PlacesSnapshot | null;
  fragility: FragilityPreload;
}

/** Builds the read models of `ctx` as its routes would, reading everything the capabilities read. */
export async function buildReadModels(ctx: AppContext): Promise<KeptReadModels> {
  await ctx.places.all();
  for (const m of await ctx.fragility.methods()) await ctx.fragility.of(m.version);
  await ctx.fragility.urbanClasses();
  return { places: ctx.places.current(), fragility: await ctx.fragility.current() };
}

/**
 * The kept read models of the prepared template `template`, built from `ctx` (a server just opened on a fresh copy
 * of it) when there are none yet.
 */
export async function keptReadModels(
  template: string,
  ctx: AppContext,
): Promise<{ models: KeptReadModels; built: boolean }> {
  let built = false;
  const models = await cached(
    `models-${basename(template)}`,
    [join(DATA_DIR, FRAGILITY_FILES.appartenance)],
    () => {
      built = true;
      return buildReadModels(ctx);
    },
  );
  return { models, built };
}

/** Hands the kept read models of `template` to `ctx`, a server just opened on a fresh copy of it. */
export async function preloadReadModels(template: string, ctx: AppContext): Promise<void> {
  const { models, built } = await keptReadModels(template, ctx);
  if (built) return;
  if (models.places) ctx.places.preload(models.places);
  ctx.fragility.preload(models.fragility);
}
