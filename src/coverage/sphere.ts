/**
 * Nearest-point search on the sphere: a static 3-d tree over unit vectors. The straight (chord) distance between
 * unit vectors grows with the great-circle distance, so the nearest by chord is the nearest on the globe. It answers
 * a nearest query in about a microsecond where geokdbush's k-NN (a priority queue over a lon/lat tree) takes
 * several: the 13 layers × 35 000 communes of France fit in the 1 s budget (see docs/decisions.md).
 */

/** Same radius as geokdbush, so that both give the same kilometres. */
const EARTH_RADIUS_KM = 6371;
const RAD = Math.PI / 180;

function unitVector(lat: number, lon: number): [number, number, number] {
  const cl = Math.cos(lat * RAD);
  return [cl * Math.cos(lon * RAD), cl * Math.sin(lon * RAD), Math.sin(lat * RAD)];
}

/** Great-circle distance (km) from the chord between two unit vectors. */
const chordToKm = (chord: number) => 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, chord / 2));

export class SphereIndex {
  /** Point ranks in tree order. */
  private readonly ids: Uint32Array;
  /** x, y, z of each point in tree order. */
  private readonly xyz: Float64Array;
  private bestD = 0;
  private bestI = -1;

  constructor(
    points: readonly { lat: number; lon: number }[],
    private readonly nodeSize = 12,
  ) {
    const n = points.length;
    this.ids = new Uint32Array(n);
    this.xyz = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const p = points[i] as { lat: number; lon: number };
      const [x, y, z] = unitVector(p.lat, p.lon);
      this.ids[i] = i;
      this.xyz[3 * i] = x;
      this.xyz[3 * i + 1] = y;
      this.xyz[3 * i + 2] = z;
    }
    this.build(0, n - 1, 0);
  }

  get size(): number {
    return this.ids.length;
  }

  private build(left: number, right: number, axis: number): void {
    if (right - left <= this.nodeSize) return;
    const m = (left + right) >> 1;
    this.select(m, left, right, axis);
    const next = (axis + 1) % 3;
    this.build(left, m - 1, next);
    this.build(m + 1, right, next);
  }

  /** Floyd–Rivest-free quickselect: puts the k-th smallest (on axis) at k. */
  private select(k: number, left: number, right: number, axis: number): void {
    let l = left;
    let r = right;
    while (r > l) {
      const pivot = this.xyz[3 * ((l + r) >> 1) + axis] as number;
      let i = l;
      let j = r;
      while (i <= j) {
        while ((this.xyz[3 * i + axis] as number) < pivot) i++;
        while ((this.xyz[3 * j + axis] as number) > pivot) j--;
        if (i <= j) {
          this.swap(i, j);
          i++;
          j--;
        }
      }
      if (k <= j) r = j;
      else if (k >= i) l = i;
      else return;
    }
  }

  private swap(i: number, j: number): void {
    const t = this.ids[i] as number;
    this.ids[i] = this.ids[j] as number;
    this.ids[j] = t;
    for (let a = 0; a < 3; a++) {
      const v = this.xyz[3 * i + a] as number;
      this.xyz[3 * i + a] = this.xyz[3 * j + a] as number;
      this.xyz[3 * j + a] = v;
    }
  }

  /** The nearest point: its rank in the input and the great-circle distance (km); null when empty. */
  nearest(lat: number, lon: number): { i: number; km: number } | null {
    if (this.ids.length === 0) return null;
    const [x, y, z] = unitVector(lat, lon);
    this.bestD = Number.POSITIVE_INFINITY;
    this.bestI = -1;
    this.search(x, y, z, 0, this.ids.length - 1, 0);
    return { i: this.ids[this.bestI] as number, km: chordToKm(Math.sqrt(this.bestD)) };
  }

  private consider(k: number, x: number, y: number, z: number): void {
    const dx = (this.xyz[3 * k] as number) - x;
    const dy = (this.xyz[3 * k + 1] as number) - y;
    const dz = (this.xyz[3 * k + 2] as number) - z;
    const d = dx * dx + dy * dy + dz * dz;
    if (d < this.bestD) {
      this.bestD = d;
      this.bestI = k;
    }
  }

  private search(x: number, y: number, z: number, left: number, right: number, axis: number): void {
    if (right - left <= this.nodeSize) {
      for (let k = left; k <= right; k++) this.consider(k, x, y, z);
      return;
    }
    const m = (left + right) >> 1;
    this.consider(m, x, y, z);
    const q = axis === 0 ? x : axis === 1 ? y : z;
    const diff = q - (this.xyz[3 * m + axis] as number);
    const next = (axis + 1) % 3;
    if (diff <= 0) {
      this.search(x, y, z, left, m - 1, next);
      if (diff * diff < this.bestD) this.search(x, y, z, m + 1, right, next);
    } else {
      this.search(x, y, z, m + 1, right, next);
      if (diff * diff < this.bestD) this.search(x, y, z, left, m - 1, next);
    }
  }
}
