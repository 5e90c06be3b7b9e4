import type { Capability } from "../context.ts";
import { registerContratRoutes } from "./contrat.tsx";
import { registerPortraitRoute } from "./portrait.tsx";
import { PublicIndicators } from "./public.ts";
import { QpvPlaces } from "./qpv-places.ts";
import { registerIndicatorRoutes } from "./routes.tsx";
import { qpvMap, qpvSection, quartiersSection } from "./sections.tsx";
import { objectiveMigrations } from "./store.ts";

/**
 * Indicators for contrats de ville and territorial steering: the quartiers prioritaires located on the map (places
 * in and near them), the indicators every capability defines, gathered into dashboards, exports, an API, the
 * contrat de ville view with its targets and the printable territory portrait.
 */
export const indicateurs: Capability = {
  name: "indicateurs",
  migrations: objectiveMigrations,
  provide: (ctx) => ({ qpv: new QpvPlaces(ctx) }),
  indicators: new PublicIndicators(),
  routes(app, ctx) {
    registerIndicatorRoutes(app, ctx);
    registerContratRoutes(app, ctx);
    registerPortraitRoute(app, ctx);
  },
  sections: [
    {
      id: "quartier",
      title: "Lieux dans le quartier et à moins de 300 m",
      render: qpvSection,
      map: qpvMap,
      qpv: true,
    },
    { id: "quartiers", title: "Quartiers prioritaires et contrats de ville", render: quartiersSection },
  ],
};
