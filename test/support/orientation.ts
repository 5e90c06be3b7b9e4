/** The real shipped places and communes for the orientation tests and bench, without a database (not shipped code). */
import { join } from "node:path";
import { dedupe } from "../../src/places/dedupe.ts";
import { communeIndex } from "../../src/places/import/communes.ts";
import { openFile } from "../../src/places/import/read.ts";
import { importPlaces } from "../../src/places/import/rows.ts";
import type { Place } from "../../src/places/model.ts";
import { SHIPPED } from "../../src/places/sync.ts";
import { Referential } from "../../src/territories/referential.ts";
import { DATA_DIR } from "./paths.ts";
import { shippedPlaces, territoriesWithoutGeometries } from "./real-data.ts";

let loaded: Promise<{ places: Place[]; ref: Referential }> | null = null;

/** Every shipped place after deduplication (what `ctx.places.all()` gives after a first start), and the communes. */
export function shipped(): Promise<{ places: Place[]; ref: Referential }> {
  loaded ??= (async () => {
    const data = await territoriesWithoutGeometries(DATA_DIR);
    const files = SHIPPED.map((s) => s.file);
    const places = await shippedPlaces(DATA_DIR, files, async () => {
      const communes = communeIndex(data.territories);
      const all: Place[] = [];
      for (const s of SHIPPED) {
        const { outcomes } = importPlaces(openFile(join(DATA_DIR, s.file)), {
          source: s.source,
          file: s.file,
          format: s.format,
          communes,
        });
        for await (const o of outcomes) if (o.status === "accepted") all.push(o.place);
      }
      return dedupe(all).places;
    });
    return { places, ref: new Referential(data.territories) };
  })();
  return loaded;
}
