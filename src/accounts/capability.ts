import type { Capability } from "../context.ts";
import { registerAdminRoutes } from "./admin-routes.tsx";
import { accountCommands, registerAccountAdmin } from "./cli.ts";
import { registerInvitationRoutes } from "./invitation-routes.tsx";
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
  routes: (app, ctx) => {
    for (const r of [registerAccountRoutes, registerAdminRoutes, registerInvitationRoutes]) r(app, ctx);
  },
  admin: registerAccountAdmin,
  commands: accountCommands,
};
