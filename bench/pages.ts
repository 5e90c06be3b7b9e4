/**
 * Public pages with their maps: weight of everything a visitor downloads (the page, its style sheet, its scripts,
 * gzip as served) as a share of the national cartography's bundle, and the server's time to answer.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { startTestServer } from "../test/support/server.ts";
import { median, percentile, report } from "./stats.ts";

/**
 * The national cartography of the lieux de médiation numérique, v5 (cartographie.societenumerique.gouv.fr): its
 * JavaScript (527 KB gzip) and style sheet (43 KB gzip) as the issue measured them; it cannot be fetched here (no
 * internet), so the MapLibre bundle it is built on is measured in the same run as a second reference.
 */
const NATIONAL_BUNDLE = (527 + 43) * 1024;

const PAGES = [
  {
    name: "résultat du trouveur (Guéret, démarches) avec son plan",
    path: "/trouver?commune=23096&besoin=demarches",
  },
  { name: "/lieux?territoire=13 avec sa carte", path: "/lieux?territoire=13" },
  { name: "page du département des Bouches-du-Rhône (119 communes colorées)", path: "/territoires/13" },
  { name: "page du département du Pas-de-Calais (890 communes colorées)", path: "/territoires/62" },
];

/** What the browser downloads for a page without asking: the HTML, its style sheets, its scripts and their imports. */
async function pageWeight(base: string, path: string): Promise<{ bytes: number; files: number }> {
  const seen = new Set<string>();
  let bytes = 0;
  const queue = [path];
  while (queue.length > 0) {
    const url = queue.shift() as string;
    if (seen.has(url)) continue;
    seen.add(url);
    const res = await fetch(base + url, { headers: { "accept-encoding": "gzip" } });
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    const body = Buffer.from(await res.arrayBuffer());
    // fetch decodes the body: what crossed the wire is its gzip (the server's own compression, level 6 or so).
    bytes += gzipSync(body).length;
    const text = body.toString("utf8");
    const type = res.headers.get("content-type") ?? "";
    const refs = type.includes("html")
      ? [...text.matchAll(/<(?:link rel="stylesheet"|script[^>]*) (?:href|src)="(\/[^"]+)"/g)].map(
          (m) => m[1],
        )
      : type.includes("javascript")
        ? [...text.matchAll(/(?:^|[;\s])import\s*(?:[^"'()]*?from\s*)?["'](\/[^"']+)["']/g)].map((m) => m[1])
        : [];
    for (const r of refs) if (r) queue.push(r);
  }
  return { bytes, files: seen.size };
}

export async function benchPages(): Promise<void> {
  console.log("# Pages publiques avec leurs cartes");
  const maplibreDir = dirname(createRequire(import.meta.url).resolve("maplibre-gl/package.json"));
  const maplibre =
    gzipSync(readFileSync(join(maplibreDir, "dist/maplibre-gl.mjs"))).length +
    gzipSync(readFileSync(join(maplibreDir, "dist/maplibre-gl.css"))).length;
  report(
    "référence : la cartographie nationale v5 (527 Ko + 43 Ko gzip, mesurés par l'issue)",
    NATIONAL_BUNDLE / 1024,
    "Ko",
  );
  report("référence mesurée : MapLibre seul (script et feuille de style, gzip)", maplibre / 1024, "Ko");
  const server = await startTestServer();
  try {
    const sante: number[] = [];
    for (const page of PAGES) {
      const w = await pageWeight(server.url, page.path);
      report(`poids de la ${page.name} (${w.files} fichiers, gzip)`, w.bytes / 1024, "Ko");
      report(`  rapport à la cartographie nationale`, w.bytes / NATIONAL_BUNDLE, "", "≤ 0,1");
      const times: number[] = [];
      for (let i = 0; i < 45; i++) {
        const t = performance.now();
        const res = await fetch(server.url + page.path);
        await res.arrayBuffer();
        if (i >= 5) times.push(performance.now() - t);
        const s = performance.now();
        await (await fetch(`${server.url}/sante`)).text();
        if (i >= 5) sante.push(performance.now() - s);
      }
      const sorted = [...times].sort((a, b) => a - b);
      report(`  temps serveur p50 (40 demandes)`, median(times), "ms");
      report(`  temps serveur p95`, percentile(sorted, 95), "ms");
    }
    const ref = median(sante);
    report("référence : GET /sante p50, dans les mêmes boucles", ref, "ms");
  } finally {
    await server.close();
  }
}
