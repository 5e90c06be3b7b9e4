/**
 * Quartiers prioritaires as zones: which quartier a point lies in (point in polygon on the contour) and which lie
 * within a distance of it (300 m, the usual proximity of the politique de la ville). Pure: the contours are given.
 *
 * Distances are measured on a local plane around the point (equirectangular: the error is far below a metre at
 * 300 m). The contours are rounded to 1e-4° upstream (about 11 m) and not cleaned: a point a few metres from an
 * edge may fall on either side, which is why a place is said « dans le quartier » only on its own coordinates,
 * never on approximate ones (see `PlaceZone`).
 */
import type { Geometry } from "../territories/model.ts";

/** Metres per degree of latitude, and of longitude at the equator (WGS84 mean). */
const M_PER_DEG = 111_195;
/** The usual proximity of the politique de la ville: « à moins de 300 m » of a quartier. */
export const NEAR_METRES = 300;

interface Zone {
  code: string;
  /** Each polygon as rings of [lon, lat, lon, lat…] (the first ring is the outer one, the others holes). */
  polygons: Float64Array[][];
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

export interface ZoneHit {
  /** The quartiers whose contour holds the point (one, except on the slivers of the source). */
  inside: string[];
  /** The quartiers within `NEAR_METRES` of the point but not holding it. */
  near: string[];
}

export class QpvIndex {
  private readonly zones: Zone[] = [];
  /** A coarse grid (0.05°) of zone indexes by cell, for the boxes grown by the proximity. */
  private readonly grid = new Map<string, number[]>();

  constructor(contours: Iterable<{ code: string; geometry: Geometry }>) {
    for (const { code, geometry } of contours) {
      const polys = (
        geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates
      ) as number[][][][];
      const z: Zone = { code, polygons: [], minLon: 180, minLat: 90, maxLon: -180, maxLat: -90 };
      for (const poly of polys) {
        const rings: Float64Array[] = [];
        for (const ring of poly) {
          const flat = new Float64Array(ring.length * 2);
          ring.forEach(([lon = 0, lat = 0], i) => {
            flat[2 * i] = lon;
            flat[2 * i + 1] = lat;
            z.minLon = Math.min(z.minLon, lon);
            z.maxLon = Math.max(z.maxLon, lon);
            z.minLat = Math.min(z.minLat, lat);
            z.maxLat = Math.max(z.maxLat, lat);
          });
          rings.push(flat);
        }
        z.polygons.push(rings);
      }
      const idx = this.zones.push(z) - 1;
      // Grown by about 400 m so that a point near the box finds it.
      const pad = 0.004 / Math.max(0.2, Math.cos((z.minLat * Math.PI) / 180));
      for (let x = cell(z.minLon - pad); x <= cell(z.maxLon + pad); x++)
        for (let y = cell(z.minLat - 0.004); y <= cell(z.maxLat + 0.004); y++) {
          const key = `${x}:${y}`;
          const list = this.grid.get(key);
          if (list) list.push(idx);
          else this.grid.set(key, [idx]);
        }
    }
  }

  get size(): number {
    return this.zones.length;
  }

  /** The quartiers that hold the point, and those within `metres` of it. */
  locate(lat: number, lon: number, metres = NEAR_METRES): ZoneHit {
    const hit: ZoneHit = { inside: [], near: [] };
    const kx = M_PER_DEG * Math.cos((lat * Math.PI) / 180);
    for (const i of this.grid.get(`${cell(lon)}:${cell(lat)}`) ?? []) {
      const z = this.zones[i] as Zone;
      const dLon = metres / Math.max(kx, 1);
      const dLat = metres / M_PER_DEG;
      if (lon < z.minLon - dLon || lon > z.maxLon + dLon || lat < z.minLat - dLat || lat > z.maxLat + dLat)
        continue;
      if (z.polygons.some((rings) => inPolygon(rings, lon, lat))) hit.inside.push(z.code);
      else if (distanceTo(z, lat, lon, kx) <= metres) hit.near.push(z.code);
    }
    hit.inside.sort();
    hit.near.sort();
    return hit;
  }
}

const cell = (deg: number) => Math.floor(deg / 0.05);

/** Even-odd rule over the outer ring and its holes. */
function inPolygon(rings: Float64Array[], lon: number, lat: number): boolean {
  let inside = false;
  for (const r of rings) {
    for (let i = 0, j = r.length - 2; i < r.length; j = i, i += 2) {
      const xi = r[i] as number;
      const yi = r[i + 1] as number;
      const xj = r[j] as number;
      const yj = r[j + 1] as number;
      if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/** Distance in metres from the point to the nearest edge of the zone (on a local plane). */
function distanceTo(z: Zone, lat: number, lon: number, kx: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (const rings of z.polygons)
    for (const r of rings)
      for (let i = 2; i < r.length; i += 2) {
        const ax = ((r[i - 2] as number) - lon) * kx;
        const ay = ((r[i - 1] as number) - lat) * M_PER_DEG;
        const bx = ((r[i] as number) - lon) * kx;
        const by = ((r[i + 1] as number) - lat) * M_PER_DEG;
        const dx = bx - ax;
        const dy = by - ay;
        const len = dx * dx + dy * dy;
        const t = len === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len));
        const px = ax + t * dx;
        const py = ay + t * dy;
        best = Math.min(best, px * px + py * py);
      }
  return Math.sqrt(best);
}
