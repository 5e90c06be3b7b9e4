import type { Capability } from "../context.ts";
import { registerOrientationRoutes } from "./routes.tsx";

/** Orientation: the finder (/trouver), the orientation sheet with its SMS text, and the API. */
export const orientation: Capability = {
  name: "orientation",
  routes: registerOrientationRoutes,
};
