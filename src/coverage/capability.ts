import type { Capability } from "../context.ts";
import { coverageCommands } from "./cli.ts";
import { CoverageEngine } from "./engine.ts";
import { coverageSection, registerCoverageRoutes } from "./routes.tsx";

/** Coverage and planning: distance to help per commune, coverage figures, gaps, planning optimiser, pages. */
export const coverage: Capability = {
  name: "couverture",
  provide: (ctx) => ({ coverage: new CoverageEngine(ctx) }),
  routes: registerCoverageRoutes,
  sections: [coverageSection],
  commands: coverageCommands,
};
