import type { Capability } from "../context.ts";
import { diagnosticIndicators } from "./indicators.ts";
import { registerDiagnosticRoutes } from "./routes.tsx";
import { diagnosticSection } from "./section.tsx";
import { diagnosticMigrations, diagnosticOnceMigrations } from "./store.ts";

/** Diagnostic d'aisance numérique: questionnaire, scoring, result with places, anonymous statistics, API. */
export const diagnostic: Capability = {
  name: "diagnostic",
  migrations: { ...diagnosticMigrations, ...diagnosticOnceMigrations },
  routes: registerDiagnosticRoutes,
  sections: [diagnosticSection],
  indicators: diagnosticIndicators,
};
