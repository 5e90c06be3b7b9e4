import type { VNode } from "preact";

/** The routing link to a point: the configured template (MAILLAGE_ITINERAIRE) with its coordinates. */
function routeUrl(template: string, lat: number, lon: number): string {
  return template.replaceAll("{lat}", lat.toFixed(6)).replaceAll("{lon}", lon.toFixed(6));
}

/**
 * « Itinéraire » to a place (the configured routing site), and on phones a `geo:` link that opens the phone's own
 * map application (hidden where a fine pointer says it is a computer: no application answers it there).
 */
export function Directions(props: { lat: number; lon: number; name: string; routing: string }): VNode {
  const { lat, lon, name } = props;
  const geo = `geo:${lat.toFixed(6)},${lon.toFixed(6)}?q=${lat.toFixed(6)},${lon.toFixed(6)}(${encodeURIComponent(name)})`;
  return (
    <span class="directions">
      <a href={routeUrl(props.routing, lat, lon)} rel="noopener">
        Itinéraire<span class="visually-hidden"> vers {name}</span>
      </a>
      <span class="geo-link">
        {" · "}
        <a href={geo}>
          Ouvrir dans l'application de cartes<span class="visually-hidden"> : {name}</span>
        </a>
      </span>
    </span>
  );
}
