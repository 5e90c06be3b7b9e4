import type { Capability } from "../context.ts";
import { diagnosticSection, registerDiagnosticRoutes } from "./routes.tsx";
import { diagnosticMigrations } from "./store.ts";

/** Diagnostic d'aisance numérique: questionnaire, scoring, result with places, anonymous statistics, API. */
export const diagnostic: Capability = {
  name: "diagnostic",
  migrations: diagnosticMigrations,
  routes: registerDiagnosticRoutes,
  sections: [diagnosticSection],
};
