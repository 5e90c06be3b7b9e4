/**
 * Orientation: server time of a finder query at national scale (the shipped places plus the synthetic
 * national-size set of the places bench), the API under load, and the bytes a results page sends to the browser,
 * as a ratio against the national cartography v5 bundle (@gouvfr-anct/cartographie-nationale 5.22.0).
 */
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { openApp } from "../src/app.ts";
import { buildIndex } from "../src/orientation/find/place-index.ts";
import { findPlaces } from "../src/orientation/find.ts";
import { emptyQuery, type OrientationQuery } from "../src/orientation/model.ts";
import { orientationWarmed } from "../src/orientation/service.ts";
import type { Place } from "../src/places/model.ts";
import { buildServer, listen } from "../src/server.ts";
import { shipped } from "../test/support/orientation.ts";
import { preparedDataDir, testConfig } from "../test/support/server.ts";
import { percentile, report } from "./stats.ts";

/** The real places replicated with shifted ids up to 20 000 (as the places bench builds its national file). */
function syntheticNational(real: Place[]): Place[] {
  const out: Place[] = [];
  for (let k = 1; out.length < 20_000; k++)
    for (const p of real) {
      if (out.length >= 20_000) break;
      out.push({ ...p, id: `${p.id}-copie-${k}` });
    }
  return out;
}

/** Query shapes a finder sees: a need alone, with refinements preferred or required, with time filters. */
const SHAPES: ((code: string) => OrientationQuery)[] = [
  (c) => ({ ...emptyQuery(c), besoins: ["demarches"] }),
  (c) => ({ ...emptyQuery(c), besoins: ["telephone"], gratuit: true, modalites: ["individuel"] }),
  (c) => ({
    ...emptyQuery(c),
    besoins: ["demarches"],
    quand: ["samedi"],
    indispensables: ["besoin", "quand"],
  }),
  (c) => ({ ...emptyQuery(c), besoins: ["ordinateur"], quand: ["maintenant"], distanceMax: 10 }),
  (c) => ({
    ...emptyQuery(c),
    besoins: ["emploi"],
    supports: ["surdite"],
    indispensables: ["besoin", "priseEnCharge"],
  }),
  (c) => ({ ...emptyQuery(c), besoins: ["arnaques"], publics: ["senior"], quand: ["soir", "lundi-matin"] }),
];

const gz = (b: string | Buffer) => gzipSync(b).length;
const kb = (n: number) => n / 1024;

export async function benchOrientation(): Promise<void> {
  console.log("# Orientation");
  const { places, ref } = await shipped();
  const all = [...places, ...syntheticNational(places)];
  let t0 = performance.now();
  const index = buildIndex(all);
  report(
    `index d'orientation (${all.length} lieux : ${places.length} réels + copies nationales)`,
    performance.now() - t0,
    "ms",
  );

  // Communes spread over France (every 35th commune with a point), each with every query shape.
  const communes = ref.all
    .filter((t) => t.kind === "commune" && t.lat !== null)
    .filter((_, i) => i % 35 === 0);
  const now = new Date(2026, 10, 18, 10, 0);
  const run = () => {
    const times: number[] = [];
    for (const c of communes)
      for (const shape of SHAPES) {
        const q = shape(c.id);
        const t = performance.now();
        findPlaces(index, q, { lat: c.lat as number, lon: c.lon as number }, now);
        times.push(performance.now() - t);
      }
    return times.sort((a, b) => a - b);
  };
  t0 = performance.now();
  const cold = run();
  report(
    `requêtes à froid (${cold.length}, lecture des horaires au premier usage), total`,
    (performance.now() - t0) / 1000,
    "s",
  );
  const warm = run();
  report(
    `requête d'orientation p50 (${warm.length} requêtes, ${communes.length} communes × ${SHAPES.length} formes)`,
    percentile(warm, 50),
    "ms",
    "< 2 ms",
  );
  report("requête d'orientation p99", percentile(warm, 99), "ms", "< 10 ms");
  report("requête d'orientation max", warm.at(-1) ?? Number.NaN, "ms");

  // HTTP on 127.0.0.1: the API and the results page, on the published places.
  const dataDir = await preparedDataDir();
  const ctx = await openApp({ ...testConfig(), dataDir });
  const app = await buildServer(ctx);
  const url = await listen(app, 0, "127.0.0.1");
  try {
    const api = "/api/v1/orientation?commune=69383&besoin=demarches&gratuit=1";
    const page = "/trouver?commune=69383&besoin=demarches&gratuit=1&quand=samedi";
    await fetch(url + api);
    await fetch(url + page);
    // Measure the steady state: every place's opening hours read (a new server reads them in the background).
    await orientationWarmed(ctx);
    // The icon route does nothing: its rate shows what the machine gives any route at this moment.
    for (const [label, path] of [
      ["API /api/v1/orientation", api],
      ["page de résultats /trouver", page],
      ["référence : route triviale /favicon.ico", "/favicon.ico"],
    ] as const) {
      const r = await autocannon({ url: url + path, connections: 10, duration: 8 });
      report(
        `HTTP ${label}, 10 connexions`,
        r.requests.average,
        "req/s",
        label.startsWith("API") ? "≥ 1 000 req/s" : undefined,
      );
      report(`HTTP ${label}, latence p99`, r.latency.p99, "ms");
    }

    // Bytes to the browser for a results page (gzip): HTML + CSS + JS; no font, no image besides the icon.
    const html = await (await fetch(url + page)).text();
    const css = await (await fetch(`${url}/assets/style.css`)).text();
    const appJs = await (await fetch(`${url}/assets/app.js`)).text();
    const island = await (await fetch(`${url}/assets/orientation.js`)).text();
    const icon = await (await fetch(`${url}/favicon.ico`)).text();
    const without = gz(html) + gz(css) + gz(appJs) + gz(island) + gz(icon);
    report("octets page de résultats : HTML (gzip)", kb(gz(html)), "Ko");
    report(
      "octets page de résultats : CSS + JS + icône (gzip)",
      kb(gz(css) + gz(appJs) + gz(island) + gz(icon)),
      "Ko",
    );
    report("octets page de résultats sans carte, total (gzip)", kb(without), "Ko");
    const maplibre = dirname(createRequire(import.meta.url).resolve("maplibre-gl/package.json"));
    const mapBytes = ["dist/maplibre-gl.mjs", "dist/maplibre-gl-worker.mjs", "dist/maplibre-gl.css"]
      .map((f) => gz(readFileSync(join(maplibre, f))))
      .reduce((a, b) => a + b, 0);
    const withPlan = await (await fetch(`${url}${page}&carte=1`)).text();
    const planBytes = without - gz(html) + gz(withPlan);
    report("octets page de résultats avec le plan SVG (sans JavaScript), total (gzip)", kb(planBytes), "Ko");
    report("octets avec une carte MapLibre interactive en plus (gzip)", kb(without + mapBytes), "Ko");

    const cn = dirname(
      createRequire(import.meta.url).resolve("@gouvfr-anct/cartographie-nationale/package.json"),
    );
    const cnCss = gz(readFileSync(join(cn, "styles.css")));
    const cnMain = gz(readFileSync(join(cn, "mediation-numerique.js"))) + cnCss;
    const cnOrientation = gz(readFileSync(join(cn, "orientation.js"))) + cnCss;
    report("cartographie nationale v5.22.0 : mediation-numerique.js + styles.css (gzip)", kb(cnMain), "Ko");
    report("cartographie nationale v5.22.0 : orientation.js + styles.css (gzip)", kb(cnOrientation), "Ko");
    report("ratio sans carte / cartographie nationale (mediation-numerique)", without / cnMain, "", "≤ 0,1");
    report(
      "ratio sans carte / parcours d'orientation national (orientation.js)",
      without / cnOrientation,
      "",
    );
    report("ratio avec le plan SVG / cartographie nationale (mediation-numerique)", planBytes / cnMain, "");
    report(
      "ratio avec MapLibre / cartographie nationale (mediation-numerique)",
      (without + mapBytes) / cnMain,
      "",
    );
  } finally {
    await app.close();
    await ctx.database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
