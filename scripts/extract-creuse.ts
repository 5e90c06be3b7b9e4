/**
 * Rebuilds creuse.json from a loaded Maillage database (real data only):
 *   MAILLAGE_DATA_DIR=… node --import tsx scripts/extract-creuse.ts
 * The communes of Creuse with population, reference point, IFN (officiel-2023) and urban-unit class, and every
 * published place within 0.6° of latitude / 0.8° of longitude of the département.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openApp } from "../src/app.ts";
import { helpPoint } from "../src/coverage/engine.ts";
import { loadConfig } from "../src/platform/config.ts";

const ctx = await openApp(loadConfig(process.env));
try {
  const cov = await ctx.coverage.coverage(ctx.territories.get("23") ?? null);
  const communes = cov.communes.map((c) => ({ ...c, epci: ctx.territories.get(c.code)?.epci ?? null }));
  const lat = communes.map((c) => c.lat);
  const lon = communes.map((c) => c.lon);
  const [s, n, w, e] = [
    Math.min(...lat) - 0.6,
    Math.max(...lat) + 0.6,
    Math.min(...lon) - 0.8,
    Math.max(...lon) + 0.8,
  ];
  const places = (await ctx.places.all()).flatMap((p) => {
    const h = helpPoint(p, (c) => c);
    return h && h.lat >= s && h.lat <= n && h.lon >= w && h.lon <= e
      ? [{ id: p.id, nom: p.standard.nom, ...h }]
      : [];
  });
  writeFileSync(
    join(import.meta.dirname, "../test/data/creuse.json"),
    JSON.stringify({
      source:
        "Extrait réel : communes de la Creuse (COG 2025, population INSEE, IFN officiel-2023, TUU2017) et lieux publiés (France Services 2024-08, conseillers numériques 2022-12) à moins de 0,6° de latitude / 0,8° de longitude du département.",
      communes,
      places,
    }),
  );
  console.log(`${communes.length} communes, ${places.length} lieux`);
} finally {
  await ctx.database.close();
}
