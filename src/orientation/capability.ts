import type { Capability } from "../context.ts";
import { registerOrientationRoutes } from "./routes.tsx";

// Opening hours are computed in local time by the `opening_hours` library: French places, French time.
process.env.TZ ??= "Europe/Paris";

/** Orientation: the finder (/trouver), the orientation sheet with its SMS text, and the API. */
export const orientation: Capability = {
  name: "orientation",
  routes: registerOrientationRoutes,
};
