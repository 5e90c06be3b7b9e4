import type { Capability } from "../context.ts";
import { exportCommand, importCommand } from "./cli.ts";
import { PublishedPlaces } from "./published.ts";
import { placesSection, registerPlaceRoutes } from "./routes.tsx";
import { placeMigrations } from "./store/tables.ts";
import { syncCapability } from "./sync.ts";

/** Lieux de médiation numérique: import, validation, deduplication, export, pages. */
export const places: Capability = {
  name: "lieux",
  migrations: placeMigrations,
  provide: (ctx) => ({ places: new PublishedPlaces(ctx.database.db) }),
  sync: syncCapability,
  routes: registerPlaceRoutes,
  sections: [placesSection],
  commands: {
    "places import": importCommand(),
    "places export": exportCommand(),
  },
};
