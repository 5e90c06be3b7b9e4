/**
 * Orientation for routes (this capability's and others', e.g. the diagnostic): the in-memory index kept in step
 * with the published places, the commune resolved from what a person typed, and the territory's phone contact.
 */
import type { AppContext } from "../app.ts";
import type { Place } from "../places/model.ts";
import type { Territory } from "../territories/model.ts";
import type { Referential } from "../territories/referential.ts";
import type { SearchIndex } from "../territories/search.ts";
import { buildIndex, findPlaces, type OrientationIndex } from "./find.ts";
import type { OrientationOutcome, OrientationQuery } from "./model.ts";

const indexes = new WeakMap<
  AppContext,
  { generation: number; index: OrientationIndex; byId: Map<string, Place> }
>();

/** The orientation index of the published places, rebuilt when the snapshot of places changes. */
export async function orientationIndex(
  ctx: AppContext,
): Promise<{ index: OrientationIndex; byId: Map<string, Place> }> {
  const places = await ctx.places.all();
  const generation = ctx.places.generation;
  const hit = indexes.get(ctx);
  if (hit && hit.generation === generation) return hit;
  const built = { generation, index: buildIndex(places), byId: new Map(places.map((p) => [p.id, p])) };
  indexes.set(ctx, built);
  return built;
}

const PLACE_KINDS = ["commune", "arrondissement"] as const;

/** The commune or arrondissement of an INSEE code; null when unknown. */
export function communeByCode(ref: Referential, code: string): Territory | null {
  const t = ref.get(code.trim()) ?? ref.currentOf(code.trim());
  return t && (t.kind === "commune" || t.kind === "arrondissement") && t.lat !== null && t.lon !== null
    ? t
    : null;
}

/**
 * The commune a person means (INSEE code, postcode, name, or an address whose end is « 69003 Lyon »), or
 * suggestions from the territory search (« Vouliez-vous dire … ? »).
 */
export function resolveCommune(
  ref: Referential,
  search: SearchIndex,
  text: string,
): { commune: Territory; suggestions: Territory[] } | { commune: null; suggestions: Territory[] } {
  const clean = text.trim();
  if (clean === "") return { commune: null, suggestions: [] };
  const byCode = /^\d[\dAB]\d{3}$/i.test(clean) ? communeByCode(ref, clean.toUpperCase()) : null;
  // An address: keep its postcode and what follows (« 12 rue Voltaire, 42000 Saint-Étienne »).
  const address = /\b(\d{5})\b\s*(.*)$/.exec(clean);
  const candidates = address && address[0] !== clean ? [address[0], address[1] as string, clean] : [clean];
  if (byCode && !/^\d{5}$/.test(clean)) return { commune: byCode, suggestions: [] };
  for (const q of candidates) {
    const hits = search.search(q, { limit: 5, kinds: [...PLACE_KINDS] }).hits;
    const best = hits[0];
    if (!best) continue;
    const sure = best.match !== "fuzzy";
    const withPoint = hits.map((h) => h.territory).filter((t) => t.lat !== null && t.lon !== null);
    if (sure && withPoint[0]) {
      // A postcode shared by several communes: the first is taken, the others offered.
      return { commune: withPoint[0], suggestions: best.match === "postcode" ? withPoint.slice(1) : [] };
    }
    if (withPoint.length > 0) return { commune: null, suggestions: withPoint };
  }
  if (byCode) return { commune: byCode, suggestions: [] };
  return { commune: null, suggestions: [] };
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

/** Who to call when nothing fits: configurable, default the national helpline « Solidarité numérique ». */
export interface Contact {
  name: string;
  phone: string;
  hint: string;
}

export function territoryContact(env: NodeJS.ProcessEnv = process.env): Contact {
  return {
    name: env.MAILLAGE_CONTACT_NOM || "Solidarité numérique, la ligne nationale d'aide au numérique",
    phone: env.MAILLAGE_CONTACT_TELEPHONE || "01 70 77 23 72",
    hint: env.MAILLAGE_CONTACT_PRECISION || "du lundi au vendredi, prix d'un appel local",
  };
}

/**
 * Runs a query: `query.commune` is an INSEE code (see resolveCommune for typed text). Null when the commune is
 * unknown. `now` defaults to the clock (pages); tests and callers that need a fixed time pass it.
 */
export async function orient(
  ctx: AppContext,
  query: OrientationQuery,
  now: Date = new Date(),
): Promise<OrientationOutcome | null> {
  const commune = communeByCode(ctx.territories, query.commune);
  if (!commune) return null;
  const { index } = await orientationIndex(ctx);
  const origin = query.position ?? { lat: commune.lat as number, lon: commune.lon as number };
  return findPlaces(index, query, origin, now);
}
