import type { Capability } from "../context.ts";
import { registerActivityRoutes } from "./routes.tsx";
import { activityMigrations } from "./store.ts";

/**
 * Accompaniments: the activity reports of mediators and aidants (La Coop's vocabulary), the orientation references
 * that tell a prescriber the person was welcomed, and their statistics with small counts protected.
 */
export const activites: Capability = {
  name: "activites",
  migrations: activityMigrations,
  routes: registerActivityRoutes,
};
