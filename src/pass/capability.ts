import type { Capability } from "../context.ts";
import { passCommands, registerPassAdmin } from "./cli.ts";
import { passIndicators } from "./indicators.ts";
import { registerPassRoutes } from "./routes.tsx";
import { passMigrations } from "./store.ts";

/**
 * Pass numérique: a territory's voucher programme, from the financeur's order to the place's payment, and the
 * dashboard that says why cheques go unused.
 */
export const pass: Capability = {
  name: "pass",
  migrations: passMigrations,
  routes: registerPassRoutes,
  admin: registerPassAdmin,
  commands: passCommands,
  indicators: passIndicators,
};
