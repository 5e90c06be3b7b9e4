/** The coverage map: communes by distance class, existing places and proposed sites. */
import type { VNode } from "preact";
import { type MapPoint, type MapShape, SvgMap } from "../../platform/svgmap.tsx";
import { LegendItem, Legend as MapLegend } from "../../platform/views/legend.tsx";
import { DISTANCE_PALETTE, distanceClassLabels, int, km } from "../format.ts";
import { type Layer, layerLabel } from "../model.ts";
import { distanceClass } from "../stats.ts";
import type { CoverageMapData } from "./props.ts";

export function CoverageMapSection({
  map,
  layer,
  where,
}: {
  map: CoverageMapData;
  layer: Layer;
  where: string;
}): VNode {
  const shapes: MapShape[] = map.areas.map((a) => ({
    geometry: a.geometry,
    className: "area",
    fill: DISTANCE_PALETTE[distanceClass(a.distanceKm)],
    label: `${a.name} : ${km(a.distanceKm)}`,
  }));
  const points: MapPoint[] = [
    ...map.places.map((pl) => ({ ...pl, className: "point" })),
    ...map.sites.map((s) => ({
      lat: s.lat,
      lon: s.lon,
      className: "site",
      label: `Site proposé n° ${s.rank} : ${s.name}`,
    })),
  ];
  const labels = distanceClassLabels();
  return (
    <section aria-labelledby="carte-titre">
      <h2 id="carte-titre">Carte des distances</h2>
      <div class="figure-grid">
        <div>
          <SvgMap
            title={`Distance de chaque commune au lieu le plus proche (${layerLabel(layer)}) : ${where}`}
            shapes={shapes}
            points={points}
            frameOn={shapes.map((s) => s.geometry)}
            width={600}
            height={520}
          />
          <p class="muted">
            Survolez une commune pour voir sa distance ; le tableau des manques dit la même chose.
          </p>
        </div>
        <div>
          <h3>Légende : distance par la route</h3>
          <MapLegend
            label="Légende de la carte : distance au lieu le plus proche"
            colours={DISTANCE_PALETTE}
            labels={labels}
          >
            <LegendItem symbol={<circle cx="10" cy="10" r="6" class="legend-point" />}>
              lieu existant ({int(map.places.length)})
            </LegendItem>
            {map.sites.length > 0 ? (
              <LegendItem symbol={<circle cx="10" cy="10" r="7" class="legend-site" />}>
                site proposé
              </LegendItem>
            ) : null}
          </MapLegend>
        </div>
      </div>
    </section>
  );
}
