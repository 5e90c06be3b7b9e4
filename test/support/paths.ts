import { resolve } from "node:path";

/** The real reference data shipped with the product. */
export const DATA_DIR = resolve(import.meta.dirname, "../../data");

/** The root of the work tree (package.json, scripts/). */
export const ROOT = resolve(import.meta.dirname, "../..");
