import assert from "node:assert/strict";
import { test } from "node:test";
import { fitFrame, pathData, project, type ShapeGeometry } from "./svgmap.tsx";

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
  assert.match(d, /^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+){3,4}Z$/);
  assert.equal(d, pathData(f, box));
});

test("no shape and no point: no frame", () => {
  assert.equal(fitFrame([], [], 400, 300), null);
});
