import type { Capability } from "../capability.ts";
import { coverageCommands } from "./cli.ts";
import { coverageSection, registerCoverageRoutes } from "./routes.tsx";

/** Coverage and planning: distance to help per commune, coverage figures, gaps, planning optimiser, pages. */
export const coverage: Capability = {
  name: "couverture",
  routes: registerCoverageRoutes,
  sections: [coverageSection],
  commands: coverageCommands,
};
