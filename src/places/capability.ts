import type { Capability } from "../context.ts";
import { registerPlaceAdmin } from "./admin.ts";
import { exportCommand, importCommand } from "./cli.ts";
import { registerDuplicateRoutes } from "./duplicates/routes.tsx";
import { registerPlaceEditRoutes } from "./edit-routes.tsx";
import { PublishedPlaces } from "./published.ts";
import { registerReportRoutes } from "./reports/routes.tsx";
import { reportMigrations } from "./reports/store.ts";
import { placesSection, registerPlaceRoutes } from "./routes.tsx";
import { decisionMigrations } from "./store/decisions.ts";
import { editMigrations } from "./store/edits.ts";
import { PLACES_CHANNEL } from "./store/records.ts";
import { placeMigrations } from "./store/tables.ts";
import { uploadMigrations } from "./store/uploads.ts";
import { syncCapability } from "./sync.ts";
import { registerUploadRoutes } from "./upload-routes.tsx";

/** Lieux de médiation numérique: import, validation, deduplication, export, pages. */
export const places: Capability = {
  name: "lieux",
  migrations: {
    ...placeMigrations,
    ...editMigrations,
    ...uploadMigrations,
    ...reportMigrations,
    ...decisionMigrations,
  },
  provide: (ctx) => {
    const places = new PublishedPlaces(ctx.database.db);
    // Imports NOTIFY when they commit; polling stays as the fallback if the listening connection fails.
    ctx.database.listen(PLACES_CHANNEL, () => places.recheck()).catch(() => {});
    return { places };
  },
  sync: syncCapability,
  routes: (app, ctx) => {
    registerPlaceRoutes(app, ctx);
    registerPlaceEditRoutes(app, ctx);
    registerUploadRoutes(app, ctx);
    registerReportRoutes(app, ctx);
    registerDuplicateRoutes(app, ctx);
  },
  admin: registerPlaceAdmin,
  sections: [placesSection],
  commands: {
    "places import": importCommand(),
    "places export": exportCommand(),
  },
};
