/**
 * Interactive version of a server-rendered SVG map (zoom, pan, hover), on request only: the button says what it
 * costs. The SVG stays the map for people without JavaScript or WebGL, and a table on the page is the text version.
 * A container opts in with: data-map-geojson (URL of a FeatureCollection whose features have `nom` and `score`),
 * data-map-breaks and data-map-colours (JSON arrays: the classes of the SVG legend).
 */
type Feature = { geometry: { coordinates: unknown }; properties: { nom: string; score: number | null } };

function bounds(features: Feature[]): [[number, number], [number, number]] {
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

async function showInteractive(
  box: HTMLElement,
  button: HTMLButtonElement,
  status: HTMLElement,
): Promise<void> {
  button.disabled = true;
  status.textContent = "Chargement de la carte interactive…";
  try {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = "/assets/maplibre/maplibre-gl.css";
    document.head.append(css);
    const lib = "/assets/maplibre/maplibre-gl.mjs";
    const maplibre = await import(lib);
    const data = (await (await fetch(box.dataset.mapGeojson ?? "")).json()) as { features: Feature[] };
    const breaks = JSON.parse(box.dataset.mapBreaks ?? "[]") as number[];
    const colours = JSON.parse(box.dataset.mapColours ?? "[]") as string[];
    const step: unknown[] = ["step", ["coalesce", ["get", "score"], -1], "#d1d5db", 0, colours[0]];
    for (const [i, b] of breaks.entries()) step.push(b, colours[i + 1]);
    const container = document.createElement("div");
    container.className = "map-gl";
    container.setAttribute("role", "region");
    container.setAttribute(
      "aria-label",
      "Carte interactive : faites glisser pour déplacer, + et − pour zoomer",
    );
    box.prepend(container);
    const map = new maplibre.Map({
      container,
      style: {
        version: 8,
        sources: { areas: { type: "geojson", data } },
        layers: [
          { id: "fond", type: "background", paint: { "background-color": "#f3f4f8" } },
          { id: "aplat", type: "fill", source: "areas", paint: { "fill-color": step } },
          {
            id: "limites",
            type: "line",
            source: "areas",
            paint: { "line-color": "#ffffff", "line-width": 0.6 },
          },
        ],
      },
      bounds: bounds(data.features),
      fitBoundsOptions: { padding: 16 },
      attributionControl: false,
    });
    map.addControl(new maplibre.NavigationControl({ showCompass: false }));
    const popup = new maplibre.Popup({ closeButton: false, closeOnClick: false });
    map.on("mousemove", "aplat", (e: { features?: Feature[]; lngLat: unknown }) => {
      const f = e.features?.[0];
      if (!f) return;
      const score =
        f.properties.score === null
          ? "non calculé"
          : `${Number(f.properties.score).toFixed(1).replace(".", ",")}/10`;
      popup.setLngLat(e.lngLat).setText(`${f.properties.nom} : ${score}`).addTo(map);
    });
    map.on("mouseleave", "aplat", () => popup.remove());
    await new Promise<void>((resolve) => map.once("load", () => resolve()));
    for (const svg of box.querySelectorAll("svg.map")) svg.setAttribute("hidden", "");
    button.hidden = true;
    status.textContent = "Carte interactive affichée.";
  } catch {
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
    button.textContent = "Carte interactive (zoom, survol) — environ 500 Ko à télécharger";
    const status = document.createElement("p");
    status.setAttribute("role", "status");
    status.className = "muted";
    button.addEventListener("click", () => void showInteractive(box, button, status));
    box.append(button, status);
  }
}
