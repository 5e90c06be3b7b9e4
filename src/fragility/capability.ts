import type { Capability } from "../capability.ts";
import { fragilityMigrations } from "./store.ts";

/** Indice de fragilité numérique: methods, scores, aggregates, pages. */
export const fragility: Capability = {
  name: "fragilite",
  migrations: fragilityMigrations,
};
