import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CommunePoint, HelpPoint } from "../../src/coverage/model.ts";

/** The real extract of creuse.json (see its `source`): the 255 communes of Creuse and the places around it. */
export const creuse = JSON.parse(readFileSync(join(import.meta.dirname, "../data/creuse.json"), "utf8")) as {
  source: string;
  communes: (CommunePoint & { epci: string | null })[];
  places: (HelpPoint & { id: string; nom: string })[];
};
