/**
 * The pure part of the interactive maps (no DOM, no MapLibre): what the areas' GeoJSON becomes for MapLibre, the
 * colour of an area for the measure shown, the texts of the popups and of the status line. Tested in Node.
 */
import type { ExpressionSpecification } from "maplibre-gl";

/** A measure an area can be coloured by: the global score, or one indicator of the index (both on 0–10). */
export interface Measure {
  /** `score`, or the indicator's id. */
  id: string;
  /** In French, for the list of choices and the popups. */
  label: string;
  /** The flat feature property MapLibre reads. */
  property: string;
}

interface AreaProperties {
  id?: string;
  nom: string;
  score: number | null;
  indicateurs?: Record<string, number | null>;
  estimes?: string[];
}

export interface AreaCollection {
  type: "FeatureCollection";
  indicateurs?: { id: string; libelle: string }[];
  valeursIndicateurs?: "communes" | "moyennes";
  features: {
    type: "Feature";
    geometry: { type: string; coordinates: unknown };
    properties: AreaProperties;
  }[];
}

export const SCORE: Measure = { id: "score", label: "Score global", property: "score" };

const valueProperty = (indicator: string) => `indicateur:${indicator}`;
const estimatedProperty = (indicator: string) => `estime:${indicator}`;

/** The measures a map offers: the global score first, then each indicator the GeoJSON lists, in its order. */
export function measuresOf(data: AreaCollection): Measure[] {
  return [
    SCORE,
    ...(data.indicateurs ?? []).map((i) => ({ id: i.id, label: i.libelle, property: valueProperty(i.id) })),
  ];
}

/**
 * The features with flat properties: MapLibre's expressions cannot read inside an object property of a GeoJSON
 * feature (it is turned into a string on the way to the tiles), so each indicator becomes `indicateur:<id>` and
 * each estimated one `estime:<id>`.
 */
export function flatten(data: AreaCollection): AreaCollection {
  return {
    ...data,
    features: data.features.map((f) => {
      const { indicateurs, estimes, ...rest } = f.properties;
      const flat: Record<string, unknown> = { ...rest };
      for (const [id, v] of Object.entries(indicateurs ?? {})) flat[valueProperty(id)] = v;
      for (const id of estimes ?? []) flat[estimatedProperty(id)] = true;
      return { ...f, properties: flat as unknown as AreaProperties };
    }),
  };
}

/** The grey of an area without a value (the SVG legend's « non calculé »). */
export const NO_DATA = "#d1d5db";

/** MapLibre's `fill-color` for a measure: the classes of the SVG legend (`breaks`, `colours`), grey when missing. */
export function colourExpression(
  measure: Measure,
  breaks: number[],
  colours: string[],
): ExpressionSpecification {
  const step: unknown[] = ["step", ["coalesce", ["get", measure.property], -1], NO_DATA, 0, colours[0]];
  for (const [i, b] of breaks.entries()) step.push(b, colours[i + 1]);
  return step as ExpressionSpecification;
}

/** A value on 10 the French way: 7.84 → « 7,8/10 »; missing → « non disponible ». */
export function valueOn10(v: unknown): string {
  return typeof v === "number" && Number.isFinite(v)
    ? `${v.toFixed(1).replace(".", ",")}/10`
    : "non disponible";
}

/** The popup of an area: its name, the measure shown and its value (« estimée » when it was imputed). */
export function areaText(properties: Record<string, unknown>, measure: Measure): string {
  const name = String(properties.nom ?? "");
  const value = valueOn10(properties[measure.property]);
  const estimated =
    measure.id !== SCORE.id && properties[estimatedProperty(measure.id)] === true ? " (valeur estimée)" : "";
  return `${name} — ${measure.label} : ${value}${estimated}`;
}

/** What the status line says the map shows, and how to read it. */
export function shownText(measure: Measure, values: AreaCollection["valeursIndicateurs"]): string {
  if (measure.id === SCORE.id) return "Carte colorée selon le score global de fragilité, sur 10.";
  const how =
    values === "moyennes"
      ? " Valeur d'un département : la moyenne de ses communes, pondérée par la population."
      : "";
  return `Carte colorée selon : ${measure.label}, ramené sur 10 (10 = le plus fragile).${how}`;
}

/** The bounding box of every coordinate of the features, as MapLibre's `[[west, south], [east, north]]`. */
export function bounds(
  features: { geometry: { coordinates: unknown } }[],
): [[number, number], [number, number]] {
  let minX = 180;
  let minY = 90;
  let maxX = -180;
  let maxY = -90;
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === "number") {
      const [x, y] = c as [number, number];
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    } else if (Array.isArray(c)) for (const x of c) walk(x);
  };
  for (const f of features) walk(f.geometry.coordinates);
  return [
    [minX, minY],
    [maxX, maxY],
  ];
}

/** Clusters are drawn as images named `groupe-<count>`, made when MapLibre first asks for one. */
export const CLUSTER_IMAGE = "groupe-";

/** The count of a cluster image's name; null for another image. */
export function clusterCount(image: string): number | null {
  if (!image.startsWith(CLUSTER_IMAGE)) return null;
  const n = Number(image.slice(CLUSTER_IMAGE.length));
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** The diameter of a cluster's disc, in CSS pixels: 28 for 10 points, 40 for 1 000, 48 at most. */
export function clusterDiameter(count: number): number {
  return Math.round(Math.min(48, 22 + 6 * Math.log10(Math.max(1, count)) * 2));
}

/** A count the French way, thousands apart: 15234 → « 15 234 » (narrow no-break space). */
const count = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");

/** « 1 lieu », « 46 lieux ». */
export const placesCount = (n: number) => `${count(n)} ${n > 1 ? "lieux" : "lieu"}`;

/** What a cluster shows: its count, « 1,2 k » from a thousand on. */
export const clusterLabel = (n: number) =>
  n < 1000 ? String(n) : `${(Math.round(n / 100) / 10).toString().replace(".", ",")} k`;

/** The status line about the places: how many are on the map, how many are not (no coordinates). */
export function placesText(shown: number, withoutCoordinates: number): string {
  const on =
    shown === 0
      ? "Aucun lieu de médiation numérique de ce territoire n'a de coordonnées."
      : `${placesCount(shown)} de médiation numérique, regroupés quand ils sont proches : cliquez sur un groupe pour zoomer, sur un lieu pour son lien.`;
  const off =
    withoutCoordinates > 0
      ? ` ${placesCount(withoutCoordinates)} sans coordonnées dans leur source ${withoutCoordinates > 1 ? "ne sont" : "n'est"} pas sur la carte.`
      : "";
  return on + off;
}
