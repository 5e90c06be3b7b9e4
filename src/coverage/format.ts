/** Numbers and phrases in French for pages, CSV and the terminal. */

import { SOURCE_LABELS } from "../places/describe.ts";
import { csvCell } from "../platform/csv.ts";
import { formatNumber } from "../platform/format.ts";
import type { PlanSiteOut } from "./engine.ts";
import { DISTANCE_CLASSES } from "./stats.ts";

export const int = (x: number) => formatNumber(Math.round(x)).replace(/\u202f|\u00a0/g, " ");
export const km = (x: number | null) =>
  x === null || Number.isNaN(x) ? "aucun lieu" : `${formatNumber(x, 1, 1)} km`;
/** A share 0–1 as a percentage: 0.2649 → "26 %" (one decimal below 10 %). */
export const pct = (x: number) => {
  const p = x * 100;
  return p > 0 && p < 10 ? `${formatNumber(p, 1, 1)} %` : `${formatNumber(p)} %`;
};
export const plural = (n: number, one: string, many: string) => `${int(n)} ${n > 1 ? many : one}`;

/** Labels of the distance classes of the map: "2 km ou moins", …, "plus de 25 km ou aucun lieu". */
export function distanceClassLabels(): string[] {
  const labels = [`${DISTANCE_CLASSES[0]} km ou moins`];
  for (let i = 1; i < DISTANCE_CLASSES.length; i++)
    labels.push(`de ${DISTANCE_CLASSES[i - 1]} à ${DISTANCE_CLASSES[i]} km`);
  labels.push(`plus de ${DISTANCE_CLASSES[DISTANCE_CLASSES.length - 1]} km ou aucun lieu`);
  return labels;
}

/** Colours of the distance classes, from near (green) to far or none (dark red); every area also names its
 * distance, and the table of gaps says the same in words. */
export const DISTANCE_PALETTE = ["#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#b2182b"] as const;

/** A plan as CSV (with a BOM, so that spreadsheets read UTF-8): the sites in the order they were chosen. */
export function planCsv(sites: readonly PlanSiteOut[]): string {
  const rows = [
    "\uFEFFrang,code,commune,latitude,longitude,gain_pondere,cumul_pondere,part_couverte,communes_nouvellement_couvertes",
    ...sites.map((s) =>
      [
        s.rank,
        s.code,
        s.name,
        s.lat,
        s.lon,
        s.gain.toFixed(1),
        s.cumulative.toFixed(1),
        s.coveredShare.toFixed(4),
        s.newlyCovered,
      ]
        .map(csvCell)
        .join(","),
    ),
  ];
  return `${rows.join("\r\n")}\r\n`;
}

/** Said of a service or dispositif that no loaded source lists: its coverage would be a false 0 %. */
export const NO_SOURCE = "aucune source chargée ne recense ce service";

/** The sources that list a layer, with their dates, in plain French (« France Services (ANCT), liste du … »). */
export const sourcesText = (sources: readonly string[]) =>
  sources.map((s) => SOURCE_LABELS[s] ?? s).join(" ; ");
