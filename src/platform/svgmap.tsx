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
  /** The number of this point in the list beside the map: drawn in its marker. */
  number?: number;
}

/** Radius of a numbered marker, in map units; the frame keeps it whole inside the map. */
export const MARKER_RADIUS = 11;

/** One marker drawn: the numbered points it stands for (several when they would overlap), and where. */
export interface Marker {
  x: number;
  y: number;
  points: MapPoint[];
}

/**
 * Numbered points that would overlap on the map (same building, same street) share one marker that names every
 * number, in order: no number of the list is hidden under another.
 */
export function groupMarkers(f: Frame, points: MapPoint[], radius = MARKER_RADIUS): Marker[] {
  const markers: Marker[] = [];
  for (const p of points) {
    const [x, y] = project(f, p.lon, p.lat);
    markers.push({ x, y, points: [p] });
  }
  // Merge any two markers whose drawn shapes (a circle, or a pill as wide as its text) would touch, until none do.
  for (let merged = true; merged; ) {
    merged = false;
    outer: for (let i = 0; i < markers.length; i++) {
      for (let j = i + 1; j < markers.length; j++) {
        const a = markers[i] as Marker;
        const b = markers[j] as Marker;
        const reach = markerHalfWidth(a, radius) + markerHalfWidth(b, radius);
        if (Math.abs(a.x - b.x) < reach && Math.abs(a.y - b.y) < 2 * radius + 2) {
          const n = a.points.length + b.points.length;
          a.x = (a.x * a.points.length + b.x * b.points.length) / n;
          a.y = (a.y * a.points.length + b.y * b.points.length) / n;
          a.points = [...a.points, ...b.points].sort((p, q) => (p.number ?? 0) - (q.number ?? 0));
          markers.splice(j, 1);
          merged = true;
          break outer;
        }
      }
    }
  }
  return markers;
}

/** Half the width of a marker: a circle for one number, a pill as wide as its text for several. */
export function markerHalfWidth(m: Marker, radius = MARKER_RADIUS): number {
  return Math.max(radius, markerText(m.points.map((p) => p.number ?? 0)).length * 3.6 + 5);
}

/** The text in a marker: up to three numbers, then « +N ». */
export function markerText(numbers: number[]): string {
  const last = numbers.at(-1) ?? 0;
  const first = numbers[0] ?? 0;
  if (numbers.length >= 3 && numbers.every((n, i) => n === first + i)) return `${first}-${last}`;
  return numbers.length <= 3 ? numbers.join(",") : `${numbers.slice(0, 2).join(",")},+${numbers.length - 2}`;
}

export interface Frame {
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
 * SVG path data of a geometry; points closer than `step` units to the previous one are dropped and coordinates keep
 * `decimals` decimals (maps of many areas use whole units to stay light). After each ring's first point, moves are
 * relative (`l dx dy`): shorter numbers, and taken between rounded positions so that no error adds up.
 */
export function pathData(f: Frame, g: ShapeGeometry, step = 0.5, decimals = 1): string {
  const scale = 10 ** decimals;
  const num = (v: number) => {
    const t = (v / scale).toFixed(decimals);
    return t === "-0" || /^-0\.0+$/.test(t) ? t.slice(1) : t;
  };
  const pair = (x: number, y: number) => `${num(x)}${y < 0 ? "" : " "}${num(y)}`;
  const parts: string[] = [];
  for (const ring of rings(g)) {
    let prev: [number, number] | null = null;
    let last: [number, number] = [0, 0];
    const cmds: string[] = [];
    for (const [lon, lat] of ring) {
      const [x, y] = project(f, lon ?? 0, lat ?? 0);
      if (prev && Math.abs(x - prev[0]) < step && Math.abs(y - prev[1]) < step) continue;
      const at: [number, number] = [Math.round(x * scale), Math.round(y * scale)];
      cmds.push(cmds.length === 0 ? `M${pair(at[0], at[1])}` : `l${pair(at[0] - last[0], at[1] - last[1])}`);
      last = at;
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
  /** When the frame is set by the points alone, the smallest extent shown, in degrees of latitude. */
  minSpan?: number;
  /** Place names written on the map (the communes around), under the markers. */
  labels?: { lat: number; lon: number; text: string }[];
  class?: string;
}): VNode | null {
  const width = props.width ?? 400;
  const height = props.height ?? 300;
  const points = props.points ?? [];
  const framePoints = props.minSpan ? withSpan(points, props.minSpan) : points;
  const numbered = points.some((p) => p.number !== undefined);
  const f = fitFrame(
    props.frameOn ?? props.shapes.map((s) => s.geometry),
    framePoints,
    width,
    height,
    numbered ? MARKER_RADIUS + 4 : 8,
  );
  if (!f) return null;
  // Maps of many areas (a département's communes) are drawn with whole units: a third of the bytes.
  const [step, decimals] = props.shapes.length > 30 ? [1.2, 0] : [0.5, 1];
  const plain = points.filter((p) => p.number === undefined);
  const markers = groupMarkers(
    f,
    points.filter((p) => p.number !== undefined),
  );
  return (
    <svg
      class={props.class ? `map ${props.class}` : "map"}
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
      {placeLabels(f, props.labels ?? [], width, height).map((l) => (
        <text key={l.text} class="map-label" x={l.x.toFixed(1)} y={l.y.toFixed(1)} text-anchor="middle">
          {l.text}
        </text>
      ))}
      {plain.map((p) => {
        const [x, y] = project(f, p.lon, p.lat);
        return (
          <circle key={p.label} class={p.className} cx={x.toFixed(1)} cy={y.toFixed(1)} r="6">
            <title>{p.label}</title>
          </circle>
        );
      })}
      {markers.map((m) => {
        const numbers = m.points.map((p) => p.number ?? 0);
        const text = markerText(numbers);
        const half = markerHalfWidth(m);
        // A wide pill near the edge slides inside the map rather than being cut.
        const x = Math.min(Math.max(m.x, half + 1), width - half - 1);
        return (
          <g
            key={numbers.join(",")}
            class={`marker ${m.points[0]?.className ?? ""}`}
            data-numeros={numbers.join(",")}
          >
            <title>{m.points.map((p) => p.label).join(" ; ")}</title>
            <rect
              x={(x - half).toFixed(1)}
              y={(m.y - MARKER_RADIUS).toFixed(1)}
              width={(2 * half).toFixed(1)}
              height={2 * MARKER_RADIUS}
              rx={MARKER_RADIUS}
            />
            <text x={x.toFixed(1)} y={(m.y + 4).toFixed(1)} text-anchor="middle">
              {text}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/**
 * Where the names go: under each place's centre (where a marker often is), kept whole inside the map; a name that
 * would cover one already placed is left out (the first ones given matter most).
 */
function placeLabels(
  f: Frame,
  labels: { lat: number; lon: number; text: string }[],
  width: number,
  height: number,
): { x: number; y: number; text: string }[] {
  const placed: { x: number; y: number; text: string; half: number }[] = [];
  for (const l of labels) {
    const [px, py] = project(f, l.lon, l.lat);
    if (px < 0 || py < 0 || px > width || py > height) continue;
    const half = l.text.length * 3.1;
    const x = Math.min(Math.max(px, half + 2), width - half - 2);
    const y = Math.min(py + MARKER_RADIUS + 12, height - 4);
    if (placed.some((o) => Math.abs(o.x - x) < o.half + half + 4 && Math.abs(o.y - y) < 14)) continue;
    placed.push({ x, y, text: l.text, half });
  }
  return placed;
}

/** Two corner points that widen the points' box to at least `span` degrees of latitude (and as much in km east). */
function withSpan(points: { lat: number; lon: number }[], span: number): { lat: number; lon: number }[] {
  if (points.length === 0) return points;
  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const midLon = (Math.min(...lons) + Math.max(...lons)) / 2;
  const lonSpan = span / Math.cos((midLat * Math.PI) / 180);
  return [
    ...points,
    { lat: midLat - span / 2, lon: midLon - lonSpan / 2 },
    { lat: midLat + span / 2, lon: midLon + lonSpan / 2 },
  ];
}
