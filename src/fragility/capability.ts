import type { Capability } from "../context.ts";
import { fragilityCommands } from "./cli.ts";
import { PublishedFragility } from "./published.ts";
import { fragilitySection, registerFragilityRoutes } from "./routes.tsx";
import { fragilityMigrations } from "./store.ts";
import { syncFragility } from "./sync.ts";

/** Indice de fragilité numérique: methods, scores, aggregates, pages. */
export const fragility: Capability = {
  name: "fragilite",
  migrations: fragilityMigrations,
  provide: (ctx) => ({ fragility: new PublishedFragility(ctx) }),
  async sync(ctx, opts) {
    await syncFragility(ctx, opts);
  },
  routes: registerFragilityRoutes,
  sections: [fragilitySection],
  commands: fragilityCommands,
};
