import type { Capability } from "../capability.ts";
import { diagnosticSection, registerDiagnosticRoutes } from "./routes.tsx";
import { diagnosticMigrations } from "./store.ts";

/** Diagnostic d'aisance numérique: questionnaire, scoring, result with places, anonymous statistics, API. */
export const diagnostic: Capability = {
  name: "diagnostic",
  migrations: diagnosticMigrations,
  routes: registerDiagnosticRoutes,
  sections: [diagnosticSection],
};
