import assert from "node:assert/strict";

/** A numbered marker read back from a server-rendered map: its numbers, its tooltip and its drawn box. */
export interface ReadMarker {
  numbers: number[];
  title: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

const attr = (tag: string, name: string): string => {
  const m = tag.match(new RegExp(`\\s${name}="([^"]*)"`));
  assert.ok(m, `${name} missing in ${tag}`);
  return m[1] ?? "";
};

const decodeEntities = (s: string) =>
  s
    .replaceAll("&#39;", "'")
    .replaceAll("&quot;", '"')
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");

/** The first `<svg class="map…">` of a page whose title matches: its size and its numbered markers. */
export function readMap(
  html: string,
  title: RegExp,
): { width: number; height: number; markers: ReadMarker[] } {
  const svg = [...html.matchAll(/<svg class="map[^"]*"[^>]*>[\s\S]*?<\/svg>/g)]
    .map((m) => m[0])
    .find((s) => title.test(decodeEntities(s.match(/<title>([^<]*)<\/title>/)?.[1] ?? "")));
  assert.ok(svg, `no map titled ${title}`);
  const [, , width, height] = attr(svg.slice(0, svg.indexOf(">")), "viewBox")
    .split(" ")
    .map(Number);
  const markers = [
    ...svg.matchAll(/<g class="marker[^"]*" data-numeros="([\d,]+)"><title>([^<]*)<\/title>(<rect[^>]*>)/g),
  ].map((m) => {
    const rect = m[3] ?? "";
    return {
      numbers: (m[1] ?? "").split(",").map(Number),
      title: decodeEntities(m[2] ?? ""),
      x: Number(attr(rect, "x")),
      y: Number(attr(rect, "y")),
      width: Number(attr(rect, "width")),
      height: Number(attr(rect, "height")),
    };
  });
  return { width: width ?? 0, height: height ?? 0, markers };
}

/**
 * The map's markers match the list: each listed place is in exactly one marker, under its number, named in its
 * tooltip; every marker is drawn whole inside the map; and markers sit where their places are (west of / north of
 * one another as the coordinates say).
 */
export function assertMarkersMatch(
  map: ReturnType<typeof readMap>,
  places: { number: number; name: string; lat: number; lon: number }[],
): void {
  const seen = map.markers.flatMap((m) => m.numbers);
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    places.map((p) => p.number).sort((a, b) => a - b),
    "every place of the list has one marker with its number",
  );
  for (const m of map.markers) {
    assert.ok(m.x >= 0 && m.y >= 0, `marker ${m.numbers} cut at the top or left`);
    assert.ok(
      m.x + m.width <= map.width && m.y + m.height <= map.height,
      `marker ${m.numbers} cut at the edge`,
    );
    for (const n of m.numbers) {
      const p = places.find((q) => q.number === n);
      assert.ok(p && m.title.includes(`${n}. ${p.name}`), `marker ${n}: « ${m.title} »`);
    }
  }
  const single = map.markers.filter((m) => m.numbers.length === 1 && m.width === m.height);
  for (const a of single)
    for (const b of single) {
      const pa = places.find((p) => p.number === a.numbers[0]);
      const pb = places.find((p) => p.number === b.numbers[0]);
      if (!pa || !pb) continue;
      if (pa.lon < pb.lon - 0.01) assert.ok(a.x < b.x, `${pa.name} is west of ${pb.name}`);
      if (pa.lat > pb.lat + 0.01) assert.ok(a.y < b.y, `${pa.name} is north of ${pb.name}`);
    }
}
