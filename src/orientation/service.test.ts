import assert from "node:assert/strict";
import { before, test } from "node:test";
import { DATA_DIR } from "../../test/support/paths.ts";
import type { AppContext } from "../context.ts";
import { readTerritoryDataset } from "../territories/load.ts";
import { Referential } from "../territories/referential.ts";
import { SearchIndex } from "../territories/search.ts";
import { nearestCommune, orientationIndex, resolveCommune } from "./service.ts";

let ref: Referential;
let search: SearchIndex;
before(async () => {
  const data = await readTerritoryDataset(DATA_DIR, undefined, { geometries: false });
  ref = new Referential(data.territories);
  search = new SearchIndex(data.territories);
});

test("the commune from a code, a postcode, a name or an address reduced to its commune", () => {
  assert.equal(resolveCommune(ref, search, "06027").commune?.name, "Cagnes-sur-Mer");
  assert.equal(resolveCommune(ref, search, "06800").commune?.id, "06027");
  assert.equal(resolveCommune(ref, search, "saint etienne").commune?.id, "42218");
  assert.equal(resolveCommune(ref, search, "12 rue Voltaire, 42000 Saint-Étienne").commune?.id, "42218");
  assert.equal(resolveCommune(ref, search, "69003").commune?.id, "69383");
});

test("an unknown name gets « did you mean » suggestions, never a guess", () => {
  const r = resolveCommune(ref, search, "Cagnes-sur-Mez");
  assert.equal(r.commune, null);
  assert.ok(r.suggestions.some((t) => t.id === "06027"));
  assert.deepEqual(resolveCommune(ref, search, "qqqqzzzz"), { commune: null, suggestions: [] });
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
