import { type CommunePoint, type HelpPoint, LAYERS, type Layer, layerKey } from "./model.ts";
import { SphereIndex } from "./sphere.ts";

/** Does a help point count for a layer? */
export function pointServes(p: HelpPoint, layer: Layer): boolean {
  if (layer.kind === "tous") return true;
  if (layer.kind === "service") return p.services.includes(layer.name);
  return p.dispositifs.includes(layer.name);
}

/** A spatial index over the help points of one layer. */
interface LayerIndex {
  key: string;
  points: HelpPoint[];
  index: SphereIndex | null;
}

function indexLayer(points: readonly HelpPoint[], layer: Layer): LayerIndex {
  const mine = points.filter((p) => pointServes(p, layer));
  if (mine.length === 0) return { key: layerKey(layer), points: mine, index: null };
  return { key: layerKey(layer), points: mine, index: new SphereIndex(mine) };
}

/** Nearest help point of a layer from a location: its rank in `points` and the great-circle distance (km). */
function nearest(li: LayerIndex, lat: number, lon: number): { i: number; km: number } | null {
  return li.index ? li.index.nearest(lat, lon) : null;
}

/**
 * Access per commune: for every layer, the estimated road distance (km) from each commune's reference point to
 * the nearest place of the layer (great-circle × detour factor), NaN when the layer has no place at all.
 * `dist[layerKey][i]` is for `communes[i]`.
 */
export interface AccessTable {
  layers: string[];
  dist: Map<string, Float64Array>;
  /** Communes (INSEE codes) with at least one place of the layer inside them. */
  inCommune: Map<string, Set<string>>;
}

export function computeAccess(
  communes: readonly Pick<CommunePoint, "lat" | "lon">[],
  points: readonly HelpPoint[],
  detour: number,
  layers: readonly Layer[] = LAYERS,
): AccessTable {
  const dist = new Map<string, Float64Array>();
  const inCommune = new Map<string, Set<string>>();
  for (const layer of layers) {
    const li = indexLayer(points, layer);
    const d = new Float64Array(communes.length).fill(Number.NaN);
    if (li.index) {
      for (let i = 0; i < communes.length; i++) {
        const c = communes[i] as Pick<CommunePoint, "lat" | "lon">;
        const n = nearest(li, c.lat, c.lon);
        if (n) d[i] = n.km * detour;
      }
    }
    dist.set(li.key, d);
    inCommune.set(
      li.key,
      new Set(li.points.map((p) => p.communeCode).filter((c): c is string => c !== null)),
    );
  }
  return { layers: layers.map(layerKey), dist, inCommune };
}
