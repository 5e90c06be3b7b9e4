/**
 * Interactive version of a server-rendered SVG map (zoom, pan, hover), on request only: the button says what it
 * costs. The SVG stays the map for people without JavaScript or WebGL, and a table on the page is the text version.
 * A container opts in with:
 * - data-map-geojson: URL of a FeatureCollection whose features have `nom` and `score`, and may list
 *   `indicateurs` (then a list lets people colour the areas by one of them, see map-data.ts);
 * - data-map-breaks and data-map-colours: JSON arrays, the classes of the SVG legend;
 * - data-map-points (optional): URL of a FeatureCollection of points (`id`, `nom`, `commune`), clustered at low
 *   zoom, with a checkbox to hide them; data-map-points-link: a point's page, `{id}` standing for its id;
 *   data-map-points-list: the page that lists them;
 * - data-map-basemap (optional): a MapLibre style URL drawn under the areas (MAILLAGE_FOND_DE_CARTE); without it
 *   the map draws the areas alone and needs nothing from outside the site;
 * - data-map-legend (optional): the id of the legend's title, which names the measure shown;
 * - data-map-size (optional): what the button says it costs (« environ 500 Ko »).
 */
import type { GeoJSONSource, MapGeoJSONFeature, Map as MapLibreMap, StyleSpecification } from "maplibre-gl";
import {
  type AreaCollection,
  areaText,
  bounds,
  CLUSTER_IMAGE,
  clusterCount,
  clusterDiameter,
  clusterLabel,
  colourExpression,
  flatten,
  type Measure,
  measuresOf,
  placesCount,
  placesText,
  SCORE,
  shownText,
} from "./map-data.ts";

type MapLibre = typeof import("maplibre-gl");

interface PointCollection {
  type: "FeatureCollection";
  sansCoordonnees?: number;
  features: { properties: { id: string; nom: string; commune?: string } }[];
}

/** The style without a basemap: a plain background, nothing fetched from elsewhere. */
const OFFLINE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: "fond", type: "background", paint: { "background-color": "#f3f4f8" } }],
};

const ACCENT = "#1d4ed8";

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return (await res.json()) as T;
}

/**
 * Draws the image of a cluster (a disc with its count) when MapLibre first needs it. Drawn on a canvas rather than
 * as a text layer: text needs font files (glyphs), which the offline map does not have.
 */
function drawCluster(map: MapLibreMap, id: string): void {
  const n = clusterCount(id);
  if (n === null) return;
  const ratio = Math.max(1, Math.round(window.devicePixelRatio || 1));
  const d = clusterDiameter(n) * ratio;
  const canvas = document.createElement("canvas");
  canvas.width = d;
  canvas.height = d;
  const g = canvas.getContext("2d");
  if (!g) return;
  g.beginPath();
  g.arc(d / 2, d / 2, d / 2 - ratio, 0, 2 * Math.PI);
  g.fillStyle = ACCENT;
  g.fill();
  g.lineWidth = 2 * ratio;
  g.strokeStyle = "#ffffff";
  g.stroke();
  g.fillStyle = "#ffffff";
  g.font = `bold ${Math.round(d * 0.38)}px sans-serif`;
  g.textAlign = "center";
  g.textBaseline = "middle";
  g.fillText(clusterLabel(n), d / 2, d / 2 + ratio);
  map.addImage(id, g.getImageData(0, 0, d, d), { pixelRatio: ratio });
}

function field(label: string, control: HTMLElement, checkbox = false): HTMLElement {
  const wrap = document.createElement("div");
  wrap.className = checkbox ? "field checkbox" : "field";
  const l = document.createElement("label");
  l.htmlFor = control.id;
  l.textContent = label;
  if (checkbox) wrap.append(control, l);
  else wrap.append(l, control);
  return wrap;
}

let seq = 0;

async function showInteractive(
  box: HTMLElement,
  button: HTMLButtonElement,
  status: HTMLElement,
): Promise<void> {
  // Disabling the button takes its focus away: remember it, to hand it on when the map is there.
  const focused = document.activeElement === button;
  button.disabled = true;
  status.textContent = "Chargement de la carte interactive…";
  const added: HTMLElement[] = [];
  try {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = "/assets/maplibre/maplibre-gl.css";
    document.head.append(css);
    const lib = "/assets/maplibre/maplibre-gl.mjs";
    const pointsUrl = box.dataset.mapPoints;
    const [maplibre, raw, points] = await Promise.all([
      import(lib) as Promise<MapLibre>,
      getJson<AreaCollection>(box.dataset.mapGeojson ?? ""),
      // The areas are the map: without the places it still works, and says so.
      pointsUrl ? getJson<PointCollection>(pointsUrl).catch(() => null) : Promise.resolve(null),
    ]);
    const data = flatten(raw);
    const measures = measuresOf(raw);
    let measure: Measure = SCORE;
    const breaks = JSON.parse(box.dataset.mapBreaks ?? "[]") as number[];
    const colours = JSON.parse(box.dataset.mapColours ?? "[]") as string[];
    const basemap = box.dataset.mapBasemap;
    const legend = box.dataset.mapLegend ? document.getElementById(box.dataset.mapLegend) : null;
    const n = ++seq;

    const controls = document.createElement("div");
    controls.className = "form-row map-controls";
    const select = document.createElement("select");
    select.id = `carte-mesure-${n}`;
    for (const m of measures) select.append(new Option(m.label, m.id));
    if (measures.length > 1) controls.append(field("Indicateur affiché sur la carte", select));
    const toggle = document.createElement("input");
    toggle.type = "checkbox";
    toggle.id = `carte-lieux-${n}`;
    toggle.checked = true;
    if (points) {
      controls.append(
        field(
          `Afficher les lieux de médiation numérique (${placesCount(points.features.length)})`,
          toggle,
          true,
        ),
      );
    }
    const list = box.dataset.mapPointsList;
    if (points && list) {
      const a = document.createElement("a");
      a.href = list;
      a.textContent = "La liste de ces lieux";
      controls.append(a);
    }
    const caption = document.createElement("p");
    caption.className = "map-caption";
    caption.textContent = shownText(measure, raw.valeursIndicateurs);
    const container = document.createElement("div");
    container.className = "map-gl";
    container.setAttribute("role", "region");
    container.setAttribute(
      "aria-label",
      "Carte interactive : faites glisser pour déplacer, + et − pour zoomer",
    );
    added.push(controls, caption, container);
    box.prepend(controls, caption, container);

    const map = new maplibre.Map({
      container,
      style: basemap ?? OFFLINE,
      bounds: bounds(data.features),
      fitBoundsOptions: { padding: 16 },
      // A basemap's data has its licence and authors to credit; the shipped boundaries are credited on the page.
      attributionControl: basemap ? { compact: true } : false,
    });
    map.addControl(new maplibre.NavigationControl({ showCompass: false }));
    map.setMissingStyleImageResolver((id) => drawCluster(map, id));
    // A basemap that cannot be read (offline, moved, refused) gives way to the plain background.
    let basemapFailed = false;
    await new Promise<void>((resolve) => {
      const onError = () => {
        if (basemap && !basemapFailed && !map.isStyleLoaded()) {
          basemapFailed = true;
          map.setStyle(OFFLINE);
        }
      };
      map.on("error", onError);
      map.once("load", () => {
        map.off("error", onError);
        resolve();
      });
    });

    const over = basemap && !basemapFailed;
    // The layers drawn, bottom to top, for whoever checks what the map shows (the browser tests read it).
    const listLayers = () => {
      container.dataset.layers = map
        .getStyle()
        .layers.filter((l) => map.getLayoutProperty(l.id, "visibility") !== "none")
        .map((l) => l.id)
        .join(" ");
    };
    map.addSource("areas", { type: "geojson", data: data as never });
    map.addLayer({
      id: "aplat",
      type: "fill",
      source: "areas",
      paint: {
        "fill-color": colourExpression(measure, breaks, colours),
        // Over a basemap, the areas let its roads and names show through.
        "fill-opacity": over ? 0.6 : 1,
      },
    });
    map.addLayer({
      id: "limites",
      type: "line",
      source: "areas",
      paint: { "line-color": over ? "#4b5563" : "#ffffff", "line-width": over ? 0.8 : 0.6 },
    });
    const hoverable = ["aplat"];
    if (points) {
      map.addSource("lieux", {
        type: "geojson",
        data: points as never,
        cluster: true,
        clusterRadius: 40,
        clusterMaxZoom: 13,
      });
      map.addLayer({
        id: "lieux-groupes",
        type: "symbol",
        source: "lieux",
        filter: ["has", "point_count"],
        layout: {
          "icon-image": ["concat", CLUSTER_IMAGE, ["to-string", ["get", "point_count"]]],
          "icon-allow-overlap": true,
          "icon-ignore-placement": true,
        },
      });
      map.addLayer({
        id: "lieux",
        type: "circle",
        source: "lieux",
        filter: ["!", ["has", "point_count"]],
        paint: {
          "circle-color": ACCENT,
          "circle-radius": 6,
          "circle-stroke-color": "#ffffff",
          "circle-stroke-width": 1.5,
        },
      });
      hoverable.unshift("lieux", "lieux-groupes");
      map.on("click", "lieux-groupes", async (e) => {
        const f = e.features?.[0];
        if (!f) return;
        const zoom = await (map.getSource("lieux") as GeoJSONSource).getClusterExpansionZoom(
          Number(f.properties.cluster_id),
        );
        map.easeTo({
          center: (f.geometry as unknown as { coordinates: [number, number] }).coordinates,
          zoom,
        });
      });
      const place = new maplibre.Popup({ closeButton: true, maxWidth: "18rem" });
      map.on("click", "lieux", (e) => {
        const f = e.features?.[0];
        if (!f) return;
        const a = document.createElement("a");
        a.href = (box.dataset.mapPointsLink ?? "{id}").replace(
          "{id}",
          encodeURIComponent(String(f.properties.id)),
        );
        a.textContent = String(f.properties.nom);
        const p = document.createElement("p");
        p.append(a);
        if (f.properties.commune) p.append(` (${String(f.properties.commune)})`);
        place
          .setLngLat((f.geometry as unknown as { coordinates: [number, number] }).coordinates)
          .setDOMContent(p)
          .addTo(map);
      });
      toggle.addEventListener("change", () => {
        const v = toggle.checked ? "visible" : "none";
        for (const id of ["lieux", "lieux-groupes"]) map.setLayoutProperty(id, "visibility", v);
        status.textContent = toggle.checked ? "Lieux affichés sur la carte." : "Lieux masqués.";
        listLayers();
      });
    }

    const hover = new maplibre.Popup({ closeButton: false, closeOnClick: false });
    const describe = (f: MapGeoJSONFeature): string => {
      if (f.layer.id === "lieux")
        return `${String(f.properties.nom)}${f.properties.commune ? ` (${String(f.properties.commune)})` : ""}`;
      if (f.layer.id === "lieux-groupes")
        return `${placesCount(Number(f.properties.point_count))} : cliquez pour zoomer`;
      return areaText(f.properties, measure);
    };
    map.on("mousemove", (e) => {
      const f = map.queryRenderedFeatures(e.point, { layers: hoverable })[0];
      map.getCanvas().style.cursor = f && f.layer.id !== "aplat" ? "pointer" : "";
      if (!f) {
        hover.remove();
        return;
      }
      hover.setLngLat(e.lngLat).setText(describe(f)).addTo(map);
    });
    map.getCanvas().addEventListener("mouseleave", () => hover.remove());

    select.addEventListener("change", () => {
      measure = measures.find((m) => m.id === select.value) ?? SCORE;
      map.setPaintProperty("aplat", "fill-color", colourExpression(measure, breaks, colours));
      caption.textContent = shownText(measure, raw.valeursIndicateurs);
      if (legend) legend.textContent = `Légende : ${measure.label}, sur 10`;
      status.textContent = caption.textContent;
      hover.remove();
    });

    listLayers();
    // Announced only once drawn: the areas and places are parsed in a worker, and hovering before that finds
    // nothing (a slow phone, a busy machine). A map that never settles is announced after 20 s all the same.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 20_000);
      map.once("idle", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    for (const svg of box.querySelectorAll("svg.map")) svg.setAttribute("hidden", "");
    // The button has done its work: the list of measures takes the focus it had.
    button.remove();
    if (focused && select.isConnected) select.focus();
    status.textContent = [
      "Carte interactive affichée.",
      basemapFailed ? "Le fond de carte n'a pas pu être chargé : seules les limites sont dessinées." : "",
      points ? placesText(points.features.length, points.sansCoordonnees ?? 0) : "",
    ]
      .filter(Boolean)
      .join(" ");
  } catch {
    for (const el of added) el.remove();
    status.textContent =
      "La carte interactive ne fonctionne pas sur cet appareil : la carte simple reste affichée.";
    button.disabled = false;
  }
}

export function enhanceMaps(): void {
  for (const box of document.querySelectorAll<HTMLElement>("[data-map-geojson]")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = `Carte interactive (zoom, survol) — ${box.dataset.mapSize ?? "environ 500 Ko"} à télécharger`;
    const status = document.createElement("p");
    status.setAttribute("role", "status");
    status.className = "muted";
    button.addEventListener("click", () => void showInteractive(box, button, status));
    box.append(button, status);
  }
}
