import type { Capability } from "../context.ts";
import { activityIndicators } from "./indicators.ts";
import { registerActivityRoutes } from "./routes.tsx";
import {
  activityMigrations,
  FOLLOW_UP_RETENTION_DAYS,
  purgeableBeneficiaries,
  purgeBeneficiaries,
} from "./store.ts";

/**
 * Accompaniments: the activity reports of mediators and aidants (La Coop's vocabulary), the orientation references
 * that tell a prescriber the person was welcomed, and their statistics with small counts protected.
 */
export const activites: Capability = {
  name: "activites",
  migrations: activityMigrations,
  routes: registerActivityRoutes,
  indicators: activityIndicators,
  retention: [
    {
      label: `dossiers de suivi sans compte rendu depuis plus de ${FOLLOW_UP_RETENTION_DAYS} jours (les comptes rendus restent, anonymes)`,
      count: purgeableBeneficiaries,
      purge: purgeBeneficiaries,
    },
  ],
};
