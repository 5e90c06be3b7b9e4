import assert from "node:assert/strict";
import { test } from "node:test";
import { bytes, FILES, importAll, importReal } from "../../test/support/places.ts";
import { exportDataInclusion, toDataInclusion } from "./data-inclusion.ts";
import { detectSourceFormat } from "./import/sources.ts";
import { type Place, type StandardPlace, UNKNOWN_PIVOT } from "./model.ts";

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = "";
  for await (const c of chunks) out += c;
  return out;
}
const accepted = (r: Awaited<ReturnType<typeof importAll>>) =>
  r.outcomes.flatMap((o) => (o.status === "accepted" ? [o.place] : []));

/** Values data·inclusion has a slug for (the others are left out on export, as the official library does). */
const DI_DISPOSITIFS = [
  "Aidants Connect",
  "Conseillers numériques",
  "France Services",
  "Grande école du numérique",
  "Point d'accès numérique CAF",
];
const NO_THEMATIQUE = "Utilisation sécurisée du numérique";

/**
 * What a data·inclusion structure can carry of a place: one typologie, telephone, courriel and site web, a
 * résumé of 280 characters at most, no frais, publics, modalités, itinérance nor prise de rendez-vous.
 */
const shared = (s: StandardPlace): StandardPlace => ({
  ...s,
  typologie: s.typologie.slice(0, 1),
  telephone: s.telephone.slice(0, 1),
  courriels: s.courriels.slice(0, 1),
  site_web: s.site_web.slice(0, 1),
  presentation_resume:
    s.presentation_resume && s.presentation_resume.length > 280
      ? `${s.presentation_resume.slice(0, 277)}...`
      : s.presentation_resume,
  services: s.services.filter((v) => v !== NO_THEMATIQUE),
  dispositif_programmes_nationaux: s.dispositif_programmes_nationaux.filter((v) =>
    DI_DISPOSITIFS.includes(v),
  ),
  itinerance: [],
  publics_specifiquement_adresses: [],
  prise_en_charge_specifique: [],
  frais_a_charge: [],
  modalites_acces: [],
  modalites_accompagnement: [],
  prise_rdv: null,
});
const essence = (p: Place) => ({
  id: p.id,
  standard: shared(p.standard),
  commune: p.communeCode,
  at: p.location,
});

/** The real places of the Bouches-du-Rhône in the PACA hub and France Services files. */
async function bouchesDuRhone(file: string, source: string): Promise<Place[]> {
  return accepted(await importReal(file, source)).filter((p) => p.communeCode?.startsWith("13"));
}

for (const [file, source, count] of [
  [FILES.paca, "hub-du-sud", 226],
  [FILES.franceServices, "france-services", 34],
] as const) {
  test(`real ${source} places of the Bouches-du-Rhône: export to data·inclusion then import round-trips the shared fields`, async () => {
    const before = await bouchesDuRhone(file, source);
    assert.equal(before.length, count);
    const out = await text(exportDataInclusion(before));
    const structures = JSON.parse(out) as Record<string, unknown>[];
    assert.equal(structures.length, before.length);
    for (const s of structures) assert.equal(detectSourceFormat(Object.keys(s)), "data-inclusion");
    const again = await importAll(bytes(out), { source, file: "structures-data-inclusion-13.json" });
    assert.equal(again.summary.format, "data-inclusion");
    assert.equal(again.summary.rejected, 0);
    assert.deepEqual(accepted(again).map(essence), before.map(essence));
  });
}

test("a real place as a data·inclusion structure: slugs, no placeholder SIRET, one contact of each kind", async () => {
  const paca = accepted(await importReal(FILES.paca, "hub-du-sud"));
  const place = paca.find(
    (p) =>
      p.standard.services.includes("Maîtrise des outils numériques du quotidien") &&
      p.standard.dispositif_programmes_nationaux.includes("Conseillers numériques") &&
      p.standard.courriels.length > 0,
  );
  assert.ok(place);
  const s = place.standard;
  const di = toDataInclusion(s);
  assert.equal(di.id, s.id);
  assert.equal(di.nom, s.nom);
  assert.equal(di.date_maj, s.date_maj);
  assert.equal(di.thematiques[0], "numerique");
  assert.ok(di.thematiques.includes("numerique--prendre-en-main-un-ordinateur"));
  assert.ok(di.labels_nationaux?.includes("conseiller-numerique"));
  assert.equal(di.horaires_ouverture ?? null, s.horaires);
  assert.equal(di.courriel, s.courriels[0]);
  // Fields of the standard that are not in the structures schema are not written.
  for (const k of ["services", "pivot", "frais_a_charge", "courriels", "horaires"]) assert.ok(!(k in di), k);
  // The PACA hub has no SIRET: the placeholder of sources that have none is not exported as a SIRET.
  assert.equal(s.pivot, UNKNOWN_PIVOT);
  assert.equal(di.siret, undefined);
});

test("data·inclusion access fields, when a file has them, map back to frais, publics and modalités", async () => {
  // Two real PACA places (one with frais and modalités, one for young people), given the data·inclusion
  // service fields that correspond to their own values.
  const paca = accepted(await importReal(FILES.paca, "hub-du-sud"));
  const withModalites = paca.find(
    (p) => p.standard.frais_a_charge.join() === "Gratuit" && p.standard.modalites_accompagnement.length > 1,
  );
  const forYoung = paca.find((p) => p.standard.publics_specifiquement_adresses.join() === "Jeunes");
  assert.ok(withModalites && forYoung);
  const TYPES: Record<string, string> = {
    "En autonomie": "autonomie",
    "Accompagnement individuel": "accompagnement",
    "Dans un atelier collectif": "atelier",
  };
  const FRAIS: Record<string, string> = { Gratuit: "gratuit", Payant: "payant" };
  const structures = [withModalites, forYoung].map((p) => ({
    ...toDataInclusion(p.standard),
    frais: p.standard.frais_a_charge.map((v) => FRAIS[v]),
    profils: p.standard.publics_specifiquement_adresses.map(() => "jeunes-16-26"),
    types: p.standard.modalites_accompagnement.map((m) => TYPES[m]),
  }));
  const r = await importAll(bytes(JSON.stringify(structures)), {
    source: "hub-du-sud",
    file: "structures.json",
    format: "data-inclusion",
  });
  const back = accepted(r);
  assert.equal(back.length, 2);
  for (const [i, p] of [withModalites, forYoung].entries()) {
    const b = back[i]?.standard;
    assert.deepEqual(b?.frais_a_charge, p.standard.frais_a_charge);
    assert.deepEqual(b?.publics_specifiquement_adresses, p.standard.publics_specifiquement_adresses);
    assert.deepEqual(b?.modalites_accompagnement, p.standard.modalites_accompagnement);
  }
});
