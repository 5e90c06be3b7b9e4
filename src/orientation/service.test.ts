import assert from "node:assert/strict";
import { before, test } from "node:test";
import { DATA_DIR } from "../../test/support/paths.ts";
import { territoriesWithoutGeometries } from "../../test/support/real-data.ts";
import type { AppContext } from "../context.ts";
import { Referential } from "../territories/referential.ts";
import { resolveTerritory } from "../territories/resolve.ts";
import { SearchIndex } from "../territories/search.ts";
import { communeOptions, nearestCommune, orientationIndex } from "./service.ts";

let ref: Referential;
let search: SearchIndex;
before(async () => {
  const data = await territoriesWithoutGeometries(DATA_DIR);
  ref = new Referential(data.territories);
  search = new SearchIndex(data.territories);
});

/** The finder's reading of what a person typed: the commune's id when it is one, else the kind of answer. */
const read = (text: string) => {
  const r = resolveTerritory(text, communeOptions({ territories: ref, search }));
  return r.kind === "found" ? r.territory.id : r.kind;
};

test("the finder reads a commune from a code, a postcode, a name or an address, communes only", () => {
  assert.equal(read("06027"), "06027");
  assert.equal(read("06800"), "06027");
  assert.equal(read("saint etienne"), "42218");
  assert.equal(read("12 rue Voltaire, 42000 Saint-Étienne"), "42218");
  // A postcode first (Lyon 3e), not the INSEE code 69003 (Albigny-sur-Saône): that is what people type.
  assert.equal(read("69003"), "69383");
  // A département's code is no commune.
  assert.equal(read("23"), "none");
  assert.equal(read("Saint-Martin"), "ambiguous");
});

test("« autour de moi »: the nearest commune or arrondissement to a point", () => {
  assert.equal(nearestCommune(ref, 45.7597, 4.8422)?.parent, "69123");
  assert.equal(nearestCommune(ref, 43.6631, 7.1486)?.id, "06027");
});

test("the index is rebuilt when the snapshot of places changes, not otherwise", async () => {
  let generation = 1;
  const places: unknown[] = [];
  const ctx = {
    places: {
      all: async () => places,
      get generation() {
        return generation;
      },
    },
  } as unknown as AppContext;
  const a = await orientationIndex(ctx);
  assert.equal(await orientationIndex(ctx), a);
  generation = 2;
  assert.notEqual(await orientationIndex(ctx), a);
});
