/**
 * The read model of places by quartier prioritaire: every published place located once per snapshot of the places
 * (point in polygon and « à moins de 300 m »), kept until the next import. A place with approximate coordinates
 * (the centre of its commune, say) is listed apart and never counted « dans le quartier ».
 */
import type { AppContext } from "../context.ts";
import type { Place } from "../places/model.ts";
import { QpvIndex } from "./zones.ts";

export interface QpvPlaceLists {
  /** Places whose own coordinates lie inside the contour. */
  inside: Place[];
  /** Places within 300 m of the contour, outside it. */
  near: Place[];
  /** Places that would be inside or near, but on approximate coordinates: shown, not counted. */
  approximate: Place[];
}

interface Located {
  places: readonly Place[];
  byQpv: Map<string, QpvPlaceLists>;
  /** Place id → the quartiers it is in and near (exact coordinates only). */
  byPlace: Map<string, { inside: string[]; near: string[] }>;
}

const empty = (): QpvPlaceLists => ({ inside: [], near: [], approximate: [] });

export class QpvPlaces {
  private index: Promise<QpvIndex> | null = null;
  private located: { places: readonly Place[]; result: Promise<Located> } | null = null;

  constructor(private readonly ctx: AppContext) {}

  /** The contours of every quartier of the referential, read once (territories do not change while running). */
  zones(): Promise<QpvIndex> {
    if (!this.index) {
      const codes = this.ctx.territories.qpvsOf(null).map((q) => q.id);
      this.index = this.ctx.shapes(codes).then((shapes) => {
        const list = [...shapes].map(([code, geometry]) => ({ code, geometry }));
        return new QpvIndex(list);
      });
      this.index.catch(() => {
        this.index = null;
      });
    }
    return this.index;
  }

  /** The places of one quartier (inside, near, approximate), by name. */
  async of(code: string): Promise<QpvPlaceLists> {
    return (await this.locate()).byQpv.get(code) ?? empty();
  }

  /** Where a published place is: the quartiers it lies in and near (none when approximate or not located). */
  async zoneOf(placeId: string): Promise<{ inside: string[]; near: string[] }> {
    return (await this.locate()).byPlace.get(placeId) ?? { inside: [], near: [] };
  }

  /** Every place located, once per snapshot of the published places. */
  async locate(): Promise<Located> {
    const places = await this.ctx.places.all();
    if (this.located?.places === places) return this.located.result;
    const result = this.zones().then((index) => locateAll(index, places));
    this.located = { places, result };
    return result;
  }
}

function locateAll(index: QpvIndex, places: readonly Place[]): Located {
  const byQpv = new Map<string, QpvPlaceLists>();
  const byPlace = new Map<string, { inside: string[]; near: string[] }>();
  const lists = (code: string) => {
    let l = byQpv.get(code);
    if (!l) {
      l = empty();
      byQpv.set(code, l);
    }
    return l;
  };
  for (const p of places) {
    if (!p.location) continue;
    const hit = index.locate(p.location.lat, p.location.lon);
    if (p.flags.approximateCoordinates) {
      for (const code of [...hit.inside, ...hit.near]) lists(code).approximate.push(p);
      continue;
    }
    if (hit.inside.length > 0 || hit.near.length > 0) byPlace.set(p.id, hit);
    for (const code of hit.inside) lists(code).inside.push(p);
    for (const code of hit.near) lists(code).near.push(p);
  }
  const byName = (a: Place, b: Place) =>
    a.standard.nom.localeCompare(b.standard.nom, "fr") || a.id.localeCompare(b.id);
  for (const l of byQpv.values()) {
    l.inside.sort(byName);
    l.near.sort(byName);
    l.approximate.sort(byName);
  }
  return { places, byQpv, byPlace };
}
