import type { Capability } from "../context.ts";
import { mandatIndicators } from "./indicators.ts";
import { RETENTION_YEARS } from "./model.ts";
import { registerMandatRoutes } from "./routes.tsx";
import { mandatMigrations, purgeableMandats, purgeMandats } from "./store.ts";

/**
 * Mandates: an habilitated aidant signs with a person a written, limited, revocable authorisation for their
 * organisation to do some démarches for them; every use is recorded, anyone can verify an attestation by its hash.
 */
export const mandats: Capability = {
  name: "mandats",
  migrations: mandatMigrations,
  routes: registerMandatRoutes,
  indicators: mandatIndicators,
  retention: [
    {
      label: `mandats terminés depuis plus de ${RETENTION_YEARS} ans (avec leurs utilisations)`,
      count: purgeableMandats,
      purge: purgeMandats,
    },
  ],
};
