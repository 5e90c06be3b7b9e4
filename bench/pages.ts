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
import { nationalBundle, pageWeight } from "./weight.ts";

const PAGES = [
  {
    name: "résultat du trouveur (Guéret, démarches) avec son plan",
    path: "/trouver?commune=23096&besoin=demarches",
  },
  { name: "/lieux?territoire=13 avec sa carte", path: "/lieux?territoire=13" },
  { name: "page du département des Bouches-du-Rhône (119 communes colorées)", path: "/territoires/13" },
  { name: "page du département du Pas-de-Calais (890 communes colorées)", path: "/territoires/62" },
];

export async function benchPages(): Promise<void> {
  console.log("# Pages publiques avec leurs cartes");
  const maplibreDir = dirname(createRequire(import.meta.url).resolve("maplibre-gl/package.json"));
  const maplibre =
    gzipSync(readFileSync(join(maplibreDir, "dist/maplibre-gl.mjs"))).length +
    gzipSync(readFileSync(join(maplibreDir, "dist/maplibre-gl.css"))).length;
  const national = nationalBundle();
  report("référence : la cartographie nationale v5 (JS + CSS du paquet npm, gzip)", national / 1024, "Ko");
  report("référence mesurée : MapLibre seul (script et feuille de style, gzip)", maplibre / 1024, "Ko");
  const server = await startTestServer();
  try {
    const sante: number[] = [];
    for (const page of PAGES) {
      const w = await pageWeight(server.url, page.path);
      report(`poids de la ${page.name} (${w.files} fichiers, gzip)`, w.total / 1024, "Ko");
      report(`  rapport à la cartographie nationale`, w.total / national, "", "≤ 0,1");
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
