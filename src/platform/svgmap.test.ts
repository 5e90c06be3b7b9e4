import assert from "node:assert/strict";
import { test } from "node:test";
import type { VNode } from "preact";
import { render } from "preact-render-to-string";
import {
  fitFrame,
  groupMarkers,
  MARKER_RADIUS,
  markerHalfWidth,
  markerText,
  pathData,
  project,
  type ShapeGeometry,
  SvgMap,
} from "./svgmap.tsx";

// The département of the Creuse, roughly (its bounding box corners), and a real point: Guéret (46.17 N, 1.87 E).
const box: ShapeGeometry = {
  type: "Polygon",
  coordinates: [
    [
      [1.37, 45.66],
      [2.61, 45.66],
      [2.61, 46.46],
      [1.37, 46.46],
      [1.37, 45.66],
    ],
  ],
};

test("the frame fits the shape inside the box, keeping proportions (cos latitude)", () => {
  const f = fitFrame([box], [], 400, 300, 8);
  assert.ok(f);
  const [x0, y0] = project(f, 1.37, 46.46);
  const [x1, y1] = project(f, 2.61, 45.66);
  assert.ok(x0 >= 8 - 1e-9 && y0 >= 8 - 1e-9 && x1 <= 392 + 1e-9 && y1 <= 292 + 1e-9);
  // North is up, east is right.
  assert.ok(x1 > x0 && y1 > y0);
  // Width/height ratio on the map equals (Δlon × cos φ) / Δlat.
  const ratio = (x1 - x0) / (y1 - y0);
  const expected = (1.24 * Math.cos((46.06 * Math.PI) / 180)) / 0.8;
  assert.ok(Math.abs(ratio - expected) < 1e-9);
});

test("path data closes each ring and drops points that would draw nothing", () => {
  const f = fitFrame([box], [], 400, 300);
  assert.ok(f);
  const ring = box.coordinates[0] as number[][];
  const dense: ShapeGeometry = {
    type: "Polygon",
    coordinates: [[...ring.slice(0, 2), [2.61, 45.66001], ...ring.slice(2)]],
  };
  const d = pathData(f, dense);
  assert.match(d, /^M[\d.]+ [\d.]+(l-?[\d.]+ ?-?[\d.]+){3,4}Z$/);
  assert.equal(d, pathData(f, box));
});

/** The absolute points of a path made of M, then relative l moves. */
function points(d: string): [number, number][] {
  const out: [number, number][] = [];
  for (const m of d.matchAll(/([Ml])(-?[\d.]+) ?(-?[\d.]+)/g)) {
    const [dx, dy] = [Number(m[2]), Number(m[3])];
    const last = out.at(-1) ?? [0, 0];
    out.push(m[1] === "M" ? [dx, dy] : [last[0] + dx, last[1] + dy]);
  }
  return out;
}

test("relative moves add up to the projected points, without drift, in whole units as in tenths", () => {
  const f = fitFrame([box], [], 600, 520);
  assert.ok(f);
  // A ring of 200 points on a circle around Guéret: each drawn point is within rounding of its projection.
  const ring = Array.from({ length: 201 }, (_, i) => {
    const a = (2 * Math.PI * (i % 200)) / 200;
    return [1.87 + 0.4 * Math.cos(a), 46.17 + 0.3 * Math.sin(a)];
  });
  const circle: ShapeGeometry = { type: "Polygon", coordinates: [ring] };
  for (const [step, decimals] of [
    [0, 0],
    [0, 1],
  ] as const) {
    const drawn = points(pathData(f, circle, step, decimals));
    assert.equal(drawn.length, 201);
    for (const [i, [x, y]] of drawn.entries()) {
      const [px, py] = project(f, ring[i]?.[0] ?? 0, ring[i]?.[1] ?? 0);
      const tolerance = 0.5 / 10 ** decimals + 1e-6;
      assert.ok(
        Math.abs(x - px) <= tolerance && Math.abs(y - py) <= tolerance,
        `${i}: ${x},${y} vs ${px},${py}`,
      );
    }
  }
});

test("no shape and no point: no frame", () => {
  assert.equal(fitFrame([], [], 400, 300), null);
});

test("marker texts: one number, a few, a run, many", () => {
  assert.equal(markerText([7]), "7");
  assert.equal(markerText([7, 8]), "7,8");
  assert.equal(markerText([1, 2, 3, 4]), "1-4");
  assert.equal(markerText([1, 3, 9]), "1,3,9");
  assert.equal(markerText([1, 3, 9, 12, 15]), "1,3,+3");
});

test("markers that would overlap are merged, every number kept in order; distant ones stay apart", () => {
  const f = fitFrame([box], [], 400, 300, 15);
  assert.ok(f);
  // Guéret's town hall and a place 100 m away, and Aubusson 30 km south.
  const points = [
    { lat: 45.957, lon: 2.168, className: "place", label: "3. Aubusson", number: 3 },
    { lat: 46.171, lon: 1.871, className: "place", label: "2. Guéret A", number: 2 },
    { lat: 46.172, lon: 1.872, className: "place", label: "1. Guéret B", number: 1 },
  ];
  const markers = groupMarkers(f, points);
  assert.deepEqual(
    markers.map((m) => m.points.map((p) => p.number)),
    [[3], [1, 2]],
  );
  for (const a of markers)
    for (const b of markers)
      if (a !== b)
        assert.ok(
          Math.abs(a.x - b.x) >= markerHalfWidth(a) + markerHalfWidth(b) ||
            Math.abs(a.y - b.y) >= 2 * MARKER_RADIUS + 2,
        );
});

test("a numbered map is framed so that every marker is drawn whole", () => {
  const html = render(
    SvgMap({
      title: "Plan",
      shapes: [],
      points: [
        { lat: 46.46, lon: 1.37, className: "place", label: "1. Nord-ouest", number: 1 },
        { lat: 45.66, lon: 2.61, className: "place", label: "2. Sud-est", number: 2 },
      ],
    }) as VNode,
  );
  for (const m of html.matchAll(/<rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"/g)) {
    const [x, y, w, h] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
    assert.ok(x >= 0 && y >= 0 && x + w <= 400 && y + h <= 300, m[0]);
  }
  assert.match(html, /data-numeros="1"><title>1\. Nord-ouest<\/title>/);
});
