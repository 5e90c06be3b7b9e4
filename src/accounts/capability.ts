import type { Capability } from "../context.ts";
import { accountCommands, registerAccountAdmin } from "./cli.ts";
import { registerAccountRoutes } from "./routes.tsx";
import { accountMigrations } from "./store.ts";

/**
 * Accounts: organisations, people and their roles, sessions, the second factor, personal API tokens and the
 * journal. First in `capabilities.ts`: its hooks (cookies, CSRF, the actor of a request) come before any other
 * capability's routes.
 */
export const accounts: Capability = {
  name: "accounts",
  migrations: accountMigrations,
  routes: registerAccountRoutes,
  admin: registerAccountAdmin,
  commands: accountCommands,
};
