import type { Capability } from "../capability.ts";
import { fragilityCommands } from "./cli.ts";
import { fragilitySection, registerFragilityRoutes } from "./routes.tsx";
import { fragilityMigrations } from "./store.ts";
import { syncFragility } from "./sync.ts";

/** Indice de fragilité numérique: methods, scores, aggregates, pages. */
export const fragility: Capability = {
  name: "fragilite",
  migrations: fragilityMigrations,
  async sync(ctx, opts) {
    await syncFragility(ctx, opts);
  },
  routes: registerFragilityRoutes,
  sections: [fragilitySection],
  commands: fragilityCommands,
};
