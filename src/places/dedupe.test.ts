import assert from "node:assert/strict";
import { before, test } from "node:test";
import { FILES, importReal } from "../../test/support/places.ts";
import {
  addressSimilarity,
  candidatePairs,
  DEFAULT_DEDUPE,
  dedupe,
  explain,
  foldAddress,
  nameSimilarity,
  scorePair,
} from "./dedupe.ts";
import type { Place } from "./model.ts";

let fs: Place[];
let cnfs: Place[];
const accepted = async (file: string, source: string) =>
  (await importReal(file, source)).outcomes.flatMap((o) => (o.status === "accepted" ? [o.place] : []));
before(async () => {
  fs = await accepted(FILES.franceServices, "france-services");
  cnfs = await accepted(FILES.cnfs, "conseiller-numerique");
});
const at = (list: Place[], line: number) => {
  const p = list.find((x) => x.provenance[0]?.line === line);
  if (!p) throw new Error(`no place at line ${line}`);
  return p;
};

test("names and addresses are compared without accents, case, small words or abbreviations", () => {
  assert.deepEqual(foldAddress("8 PL MAL DE TASSIGNY"), { number: "8", street: "place marechal tassigny" });
  assert.equal(addressSimilarity("26 Rue Roger Dégoulange", "26 RUE ROGER DEGOULANGE"), 1);
  assert.ok(addressSimilarity("12 Rue Voltaire", "14 Rue Voltaire") <= 0.5);
  assert.ok(
    nameSimilarity("PIMMS DU NARBONNAIS", "France services Pimms Médiation du Narbonnais - Narbonne") >= 0.9,
  );
  // The commune's name alone does not make two names alike.
  assert.ok(
    nameSimilarity("France services Huriel", "COMMUNAUTE DE COMMUNES DU PAYS D HURIEL", ["Huriel"]) < 0.5,
  );
});

test("real France Services and conseiller numérique place at the same address merge (Le Mayet-de-Montagne)", () => {
  const a = at(fs, 13);
  const b = at(cnfs, 4857);
  assert.equal(a.standard.adresse, "26 Rue Roger Dégoulange");
  assert.equal(b.standard.adresse, "26 RUE ROGER DEGOULANGE");
  const s = scorePair(a, b);
  assert.equal(s.decision, "fusion", explain(s));
  assert.deepEqual(
    s.parts.map((p) => p.part),
    ["nom", "adresse", "distance", "siret"],
  );
  const r = dedupe([a, b]);
  assert.equal(r.places.length, 1);
  const m = r.places[0] as Place;
  // The most recent record leads (France Services 2024), both sources kept, lists united.
  assert.equal(m.id, a.id);
  assert.deepEqual(
    m.provenance.map((p) => p.source),
    ["france-services", "conseiller-numerique"],
  );
  assert.deepEqual(m.standard.dispositif_programmes_nationaux, ["France Services", "Conseillers numériques"]);
  assert.deepEqual(r.merged[0]?.from, [a.id, b.id]);
});

test("two real places in one building with different names stay apart (Montmoreau, 35 avenue d'Aquitaine)", () => {
  const a = at(fs, 94);
  const b = at(cnfs, 2420);
  assert.equal(a.standard.nom, "France services Montmoreau");
  assert.equal(b.standard.nom, "Communauté des Communes Lavalette Tude Dronne");
  const s = scorePair(a, b);
  assert.equal(s.parts[1]?.value, 1);
  assert.equal(s.decision, "distincts", explain(s));
  assert.match(explain(s), /^distincts \(score 0\.\d+\) : noms « France services Montmoreau » et/);
  assert.equal(dedupe([a, b]).places.length, 2);
});

test("thresholds are configuration: a lower merge threshold merges what was to review", () => {
  const a = at(fs, 15);
  const b = at(cnfs, 914);
  assert.equal(scorePair(a, b).decision, "à vérifier");
  const r = dedupe([a, b]);
  assert.equal(r.toReview.length, 1);
  assert.equal(dedupe([a, b], { ...DEFAULT_DEDUPE, mergeThreshold: 0.6 }).places.length, 1);
});

test("over both real files: candidates by commune or 200 m, merges and reviews counted", () => {
  const all = [...fs, ...cnfs];
  const pairs = candidatePairs(all);
  assert.equal(pairs.length, 12399);
  const r = dedupe(all);
  assert.equal(all.length, 7775);
  assert.equal(r.places.length, 7310);
  assert.equal(r.merged.length, 411);
  assert.equal(r.toReview.length, 341);
  // Nothing is lost: every source record is in exactly one place.
  assert.equal(
    r.places.reduce((n, p) => n + p.provenance.length, 0),
    7775,
  );
});
