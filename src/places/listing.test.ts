import assert from "node:assert/strict";
import { test } from "node:test";
import { normalize } from "../territories/normalize.ts";
import { PlaceListing } from "./listing.ts";
import type { Place } from "./model.ts";

/** Three places of the shipped data (Bouches-du-Rhône: names, communes, services as published; ids shortened). */
const place = (id: string, nom: string, commune: string, code: string, services: string[], frais: string[]) =>
  ({
    id,
    communeCode: code,
    standard: {
      nom,
      adresse: "",
      complement_adresse: null,
      commune,
      code_postal: "",
      services,
      frais_a_charge: frais,
      publics_specifiquement_adresses: [],
      modalites_accompagnement: [],
    },
  }) as unknown as Place;

const places = [
  place(
    "c",
    "Accueil individuel en accès libre",
    "Martigues",
    "13056",
    ["Aide aux démarches administratives"],
    ["Gratuit"],
  ),
  place("a", "ACPM", "Marseille", "13213", ["Maîtrise des outils numériques du quotidien"], ["Gratuit"]),
  place("b", "Actipole", "Aubagne", "13005", ["Accès internet et matériel informatique"], []),
];

test("sorted by folded name then id, paged, with the total of the filter", () => {
  const listing = new PlaceListing(places);
  const all = listing.list({}, { limit: 2, offset: 0 });
  assert.equal(all.total, 3);
  assert.deepEqual(
    all.places.map((p) => p.id),
    ["c", "a"],
  );
  assert.deepEqual(
    listing.list({}, { limit: 2, offset: 2 }).places.map((p) => p.id),
    ["b"],
  );
  // « Accueil individuel… » before « ACPM »: folded names, not case.
  assert.ok(normalize("Accueil individuel en accès libre") < normalize("ACPM"));
});

test("every filter narrows: communes, service, frais, free text (every word, folded)", () => {
  const listing = new PlaceListing(places);
  const ids = (f: Parameters<PlaceListing["list"]>[0]) =>
    listing.list(f, { limit: 10, offset: 0 }).places.map((p) => p.id);
  assert.deepEqual(ids({ communes: ["13056", "13005"] }), ["c", "b"]);
  // The list's order whatever the order of the communes, each place once.
  assert.deepEqual(ids({ communes: ["13005", "13056", "13005"] }), ["c", "b"]);
  assert.deepEqual(ids({ communes: ["13213"], frais: "Gratuit" }), ["a"]);
  assert.deepEqual(ids({ communes: [] }), []);
  assert.deepEqual(ids({ service: "Aide aux démarches administratives" }), ["c"]);
  assert.deepEqual(ids({ frais: "Gratuit" }), ["c", "a"]);
  assert.deepEqual(ids({ q: "accueil MARTIGUES" }), ["c"]);
  assert.deepEqual(ids({ q: "accueil aubagne" }), []);
  assert.equal(listing.list({ frais: "Gratuit'); DROP TABLE place; --" }, { limit: 1, offset: 0 }).total, 0);
});
