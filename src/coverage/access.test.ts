import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { distance } from "geokdbush";
import { creuse } from "../../test/support/creuse.ts";
import { computeAccess, pointServes } from "./access.ts";
import { LAYERS, layerKey } from "./model.ts";
import { SphereIndex } from "./sphere.ts";

const { communes, places } = creuse;

/** Brute force: every place, haversine (geokdbush's), the smallest. */
function bruteNearest(lat: number, lon: number, pts: { lat: number; lon: number }[]): number {
  let best = Number.NaN;
  for (const p of pts) {
    const d = distance(lon, lat, p.lon, p.lat);
    if (!(d >= best)) best = d;
  }
  return best;
}

describe("nearest place on the sphere", () => {
  test("the 3-d tree gives the brute-force nearest for every commune of Creuse", () => {
    const index = new SphereIndex(places);
    for (const c of communes) {
      const n = index.nearest(c.lat, c.lon);
      assert.ok(n);
      const want = bruteNearest(c.lat, c.lon, places);
      assert.ok(Math.abs(n.km - want) < 1e-6, `${c.name}: ${n.km} ≠ ${want}`);
      const p = places[n.i];
      assert.ok(p);
      assert.ok(Math.abs(distance(c.lon, c.lat, p.lon, p.lat) - want) < 1e-6);
    }
  });

  test("far points and the antimeridian: Nouméa's neighbour across 180°, an empty index", () => {
    const index = new SphereIndex([
      { lat: -17.5, lon: 179.9 },
      { lat: 48.85, lon: 2.35 },
      { lat: -21.1, lon: 55.5 },
    ]);
    assert.equal(index.nearest(-17.5, -179.9)?.i, 0);
    assert.ok(
      Math.abs((index.nearest(-17.5, -179.9)?.km ?? 0) - distance(-179.9, -17.5, 179.9, -17.5)) < 1e-6,
    );
    assert.equal(new SphereIndex([]).nearest(45, 2), null);
  });
});

describe("access per commune", () => {
  const detour = 1.3;
  const table = computeAccess(communes, places, detour);

  test("13 layers: every place, the 9 services, 3 dispositifs", () => {
    assert.equal(table.layers.length, 13);
    assert.deepEqual(table.layers, LAYERS.map(layerKey));
  });

  test("every distance is the brute-force great-circle distance × detour, layer by layer", () => {
    for (const layer of LAYERS) {
      const mine = places.filter((p) => pointServes(p, layer));
      const d = table.dist.get(layerKey(layer));
      assert.ok(d);
      communes.forEach((c, i) => {
        const want = bruteNearest(c.lat, c.lon, mine) * detour;
        if (mine.length === 0) assert.ok(Number.isNaN(d[i]), `${layerKey(layer)} has no place`);
        else assert.ok(Math.abs((d[i] as number) - want) < 1e-6, `${c.name}, ${layerKey(layer)}`);
      });
    }
  });

  test("a layer's distance is never shorter than the distance to any place", () => {
    const all = table.dist.get("tous") as Float64Array;
    for (const key of table.layers) {
      const d = table.dist.get(key) as Float64Array;
      d.forEach((v, i) => {
        if (!Number.isNaN(v)) assert.ok(v >= (all[i] as number) - 1e-9);
      });
    }
  });

  test("Guéret holds conseillers numériques but no France Services (in the shipped files)", () => {
    const i = communes.findIndex((c) => c.code === "23096");
    assert.ok(table.inCommune.get("Conseillers numériques")?.has("23096"));
    assert.ok(!table.inCommune.get("France Services")?.has("23096"));
    assert.ok((table.dist.get("Conseillers numériques")?.[i] ?? 99) < 3);
    assert.ok((table.dist.get("France Services")?.[i] ?? 0) > 3);
  });
});
