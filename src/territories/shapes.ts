/**
 * The boundaries of territories as the maps read them, kept in memory once read: territories do not change while
 * the process runs, and a finder's plan or a territory page asks for the same département and communes again and
 * again (reading and parsing a département's boundary from the database at each request was most of a finder
 * page's time). Least recently used boundaries leave first, within a budget counted in characters of GeoJSON.
 */
import type { Db } from "../platform/db.ts";
import type { Geometry } from "./model.ts";
import { getGeometries } from "./store.ts";

export class ShapeCache {
  /** Id → its boundary and size, or null when the territory has none (asked again, not read again). */
  private readonly kept = new Map<string, { geometry: Geometry; size: number } | null>();
  private size = 0;

  constructor(
    private readonly db: Db,
    private readonly maxChars = 24 * 1024 * 1024,
  ) {}

  async get(ids: string[]): Promise<Map<string, Geometry>> {
    const out = new Map<string, Geometry>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const e = this.kept.get(id);
      if (e === undefined) {
        missing.push(id);
        continue;
      }
      this.kept.delete(id);
      this.kept.set(id, e);
      if (e) out.set(id, e.geometry);
    }
    if (missing.length === 0) return out;
    const read = await getGeometries(this.db, missing);
    for (const id of missing) {
      const geometry = read.get(id);
      if (geometry) out.set(id, geometry);
      this.keep(id, geometry ? { geometry, size: sizeOf(geometry) } : null);
    }
    return out;
  }

  private keep(id: string, e: { geometry: Geometry; size: number } | null): void {
    const old = this.kept.get(id);
    if (old) this.size -= old.size;
    this.kept.delete(id);
    if (e && e.size > this.maxChars / 4) return; // too large to keep: read each time
    this.kept.set(id, e);
    this.size += e?.size ?? 0;
    for (const [k, v] of this.kept) {
      if (this.size <= this.maxChars) break;
      this.kept.delete(k);
      this.size -= v?.size ?? 0;
    }
  }
}

/** About the characters of the boundary's GeoJSON: 18 per coordinate pair. */
function sizeOf(g: Geometry): number {
  let n = 0;
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === "number") n += 18;
    else if (Array.isArray(c)) for (const x of c) walk(x);
  };
  walk((g as { coordinates?: unknown }).coordinates);
  return n + 40;
}
