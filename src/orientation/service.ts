/**
 * Orientation for routes (this capability's and others', e.g. the diagnostic): the in-memory index kept in step
 * with the published places, and how the finder resolves a commune.
 */
import type { AppContext } from "../context.ts";
import { DEFAULT_PARAMS, thresholdOf } from "../coverage/model.ts";
import type { Place } from "../places/model.ts";
import type { Territory, TerritoryKind } from "../territories/model.ts";
import type { Referential } from "../territories/referential.ts";
import type { ResolveOptions } from "../territories/resolve.ts";
import { buildIndex, type OrientationIndex, warmHours } from "./find/place-index.ts";
import { type FarHelp, farHelp, findPlaces } from "./find.ts";
import type { OrientationOutcome, OrientationQuery } from "./model.ts";

const indexes = new WeakMap<
  AppContext,
  { generation: number; index: OrientationIndex; byId: Map<string, Place>; warmed: Promise<void> }
>();

/** The orientation index of the published places, rebuilt when the snapshot of places changes. */
export async function orientationIndex(
  ctx: AppContext,
): Promise<{ index: OrientationIndex; byId: Map<string, Place> }> {
  const places = await ctx.places.all();
  const generation = ctx.places.generation;
  const hit = indexes.get(ctx);
  if (hit && hit.generation === generation) return hit;
  const index = buildIndex(places);
  const built = {
    generation,
    index,
    byId: new Map(places.map((p) => [p.id, p])),
    warmed: new Promise<void>((done) => warmInBackground(ctx, index, 0, done)),
  };
  indexes.set(ctx, built);
  return built;
}

/** Resolves when every place's opening hours of the current index have been read (benchmarks wait for it). */
export async function orientationWarmed(ctx: AppContext): Promise<void> {
  await orientationIndex(ctx);
  await indexes.get(ctx)?.warmed;
}

/**
 * Reading opening hours costs about 2 ms per distinct text (4 000 of them): read them all in small slices between
 * requests (a few milliseconds each, so that requests wait little), so that the first searches of each area do not
 * pay for it. Stops when the index is replaced; never keeps the process alive.
 */
function warmInBackground(ctx: AppContext, index: OrientationIndex, from: number, done: () => void): void {
  if (from >= index.places.length || indexes.get(ctx)?.index !== index) {
    done();
    return;
  }
  setImmediate(() => warmInBackground(ctx, index, warmHours(index, from, 3), done)).unref();
}

const PLACE_KINDS: TerritoryKind[] = ["commune", "arrondissement"];

/** How the finder reads what a person typed: communes and arrondissements, a postcode before an INSEE code. */
export const communeOptions = (ctx: Pick<AppContext, "territories" | "search">): ResolveOptions => ({
  referential: ctx.territories,
  search: ctx.search,
  kinds: PLACE_KINDS,
  prefer: "postcode",
});

/** The commune or arrondissement of an INSEE code, with a reference point; null when unknown. */
function communeByCode(ref: Referential, code: string): Territory | null {
  const t = ref.get(code.trim()) ?? ref.currentOf(code.trim());
  return t && (t.kind === "commune" || t.kind === "arrondissement") && t.lat !== null && t.lon !== null
    ? t
    : null;
}

/** The commune nearest to a point (« autour de moi »). */
export function nearestCommune(ref: Referential, lat: number, lon: number): Territory | null {
  let best: Territory | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  const k = Math.cos((lat * Math.PI) / 180);
  for (const t of ref.all) {
    if ((t.kind !== "commune" && t.kind !== "arrondissement") || t.lat === null || t.lon === null) continue;
    if (t.kind === "commune" && ref.childrenOf(t.id).some((c) => c.kind === "arrondissement")) continue;
    const d = (t.lat - lat) ** 2 + ((t.lon - lon) * k) ** 2;
    if (d < bestD) {
      bestD = d;
      best = t;
    }
  }
  return best;
}

/**
 * Runs a query: `query.commune` is an INSEE code (typed text goes through `resolveTerritory` first). Null when the
 * commune is unknown. `now` defaults to the application's clock (`ctx.clock`).
 */
export async function orient(
  ctx: AppContext,
  query: OrientationQuery,
  now: Date = ctx.clock.now(),
): Promise<OrientationOutcome | null> {
  const commune = communeByCode(ctx.territories, query.commune);
  if (!commune) return null;
  const { index } = await orientationIndex(ctx);
  const origin = query.position ?? { lat: commune.lat as number, lon: commune.lon as number };
  return findPlaces(index, query, origin, now);
}

/**
 * The finder's help when the nearest fitting place is far: the coverage threshold of the commune (coverage's own
 * defaults, by the commune's urban class; an arrondissement is in town) decides what « far » is.
 */
export async function farHelpFor(
  ctx: AppContext,
  outcome: OrientationOutcome,
  commune: Territory,
  now: Date = ctx.clock.now(),
): Promise<FarHelp | null> {
  const tuu =
    commune.kind === "arrondissement" ? 1 : ((await ctx.fragility.urbanClasses()).get(commune.id) ?? null);
  const { index } = await orientationIndex(ctx);
  return farHelp(index, outcome, thresholdOf({ tuu }, DEFAULT_PARAMS), now);
}
