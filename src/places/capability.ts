import type { Capability } from "../capability.ts";

/** Lieux de médiation numérique: import, validation, deduplication, export, pages. */
export const places: Capability = {
  name: "lieux",
};
