import type { VNode } from "preact";

/** A GeoJSON Polygon or MultiPolygon geometry in WGS84. */
export interface ShapeGeometry {
  type: "Polygon" | "MultiPolygon";
  coordinates: number[][][] | number[][][][];
}

export interface MapShape {
  geometry: ShapeGeometry;
  className: string;
  /** Fill colour as an SVG presentation attribute (allowed by the CSP, unlike inline styles). */
  fill?: string;
  /** Tooltip and text of the shape ("Guéret : 6,1/10"). */
  label?: string;
}

export interface MapPoint {
  lat: number;
  lon: number;
  className: string;
  label: string;
}

interface Frame {
  minX: number;
  maxY: number;
  scale: number;
  cos: number;
  offX: number;
  offY: number;
}

const rings = (g: ShapeGeometry): number[][][] =>
  g.type === "Polygon" ? (g.coordinates as number[][][]) : (g.coordinates as number[][][][]).flat();

/**
 * Fits the shapes (and points) into a width × height box with an equirectangular projection
 * corrected by cos(latitude): good enough at the scale of a commune, a département or a région.
 */
export function fitFrame(
  shapes: ShapeGeometry[],
  points: { lat: number; lon: number }[],
  width: number,
  height: number,
  pad = 8,
): Frame | null {
  let minLon = Infinity;
  let maxLon = -Infinity;
  let minLat = Infinity;
  let maxLat = -Infinity;
  const see = (lon: number, lat: number) => {
    if (lon < minLon) minLon = lon;
    if (lon > maxLon) maxLon = lon;
    if (lat < minLat) minLat = lat;
    if (lat > maxLat) maxLat = lat;
  };
  for (const s of shapes) for (const ring of rings(s)) for (const [lon, lat] of ring) see(lon ?? 0, lat ?? 0);
  for (const p of points) see(p.lon, p.lat);
  if (!Number.isFinite(minLon)) return null;
  const cos = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const w = Math.max((maxLon - minLon) * cos, 1e-6);
  const h = Math.max(maxLat - minLat, 1e-6);
  const scale = Math.min((width - 2 * pad) / w, (height - 2 * pad) / h);
  return {
    minX: minLon * cos,
    maxY: maxLat,
    scale,
    cos,
    offX: (width - w * scale) / 2,
    offY: (height - h * scale) / 2,
  };
}

export function project(f: Frame, lon: number, lat: number): [number, number] {
  return [f.offX + (lon * f.cos - f.minX) * f.scale, f.offY + (f.maxY - lat) * f.scale];
}

/**
 * SVG path data of a geometry; points closer than `step` units to the previous one are dropped and
 * coordinates keep `decimals` decimals (maps of many areas use whole units to stay light).
 */
export function pathData(f: Frame, g: ShapeGeometry, step = 0.5, decimals = 1): string {
  const parts: string[] = [];
  for (const ring of rings(g)) {
    let prev: [number, number] | null = null;
    const cmds: string[] = [];
    for (const [lon, lat] of ring) {
      const [x, y] = project(f, lon ?? 0, lat ?? 0);
      if (prev && Math.abs(x - prev[0]) < step && Math.abs(y - prev[1]) < step) continue;
      cmds.push(`${cmds.length === 0 ? "M" : "L"}${x.toFixed(decimals)} ${y.toFixed(decimals)}`);
      prev = [x, y];
    }
    if (cmds.length >= 3) parts.push(`${cmds.join("")}Z`);
  }
  return parts.join("");
}

/** A small static map as inline SVG, readable without JavaScript; `title` is its text alternative. */
export function SvgMap(props: {
  title: string;
  shapes: MapShape[];
  points?: MapPoint[];
  width?: number;
  height?: number;
  /** Shapes drawn for context do not set the frame; by default every shape does. */
  frameOn?: ShapeGeometry[];
}): VNode | null {
  const width = props.width ?? 400;
  const height = props.height ?? 300;
  const points = props.points ?? [];
  const f = fitFrame(props.frameOn ?? props.shapes.map((s) => s.geometry), points, width, height);
  if (!f) return null;
  // Maps of many areas (a département's communes) are drawn with whole units: a third of the bytes.
  const [step, decimals] = props.shapes.length > 30 ? [1.2, 0] : [0.5, 1];
  return (
    <svg
      class="map"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={props.title}
      xmlns="http://www.w3.org/2000/svg"
    >
      <title>{props.title}</title>
      {props.shapes.map((s, i) => (
        <path
          key={i}
          class={s.className}
          d={pathData(f, s.geometry, step, decimals)}
          fill-rule="evenodd"
          fill={s.fill}
        >
          {s.label ? <title>{s.label}</title> : null}
        </path>
      ))}
      {points.map((p) => {
        const [x, y] = project(f, p.lon, p.lat);
        return (
          <circle key={p.label} class={p.className} cx={x.toFixed(1)} cy={y.toFixed(1)} r="6">
            <title>{p.label}</title>
          </circle>
        );
      })}
    </svg>
  );
}
