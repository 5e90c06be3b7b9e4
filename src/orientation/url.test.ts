import assert from "node:assert/strict";
import { test } from "node:test";
import { emptyQuery, type OrientationQuery } from "./model.ts";
import { finderUrl, parseQuery, sheetUrl } from "./url.ts";

const params = (url: string) => {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URL(url, "http://x").searchParams) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
};

test("a full query goes to a URL and back unchanged", () => {
  const q: OrientationQuery = {
    ...emptyQuery("69383"),
    besoins: ["demarches", "arnaques"],
    services: ["Insertion professionnelle via le numérique"],
    publics: ["senior"],
    supports: ["surdite", "langue-etrangere"],
    gratuit: true,
    modalites: ["individuel", "atelier"],
    quand: ["samedi", "lundi-apres-midi"],
    distanceMax: 10,
    indispensables: ["besoin", "gratuit"],
    limit: 5,
  };
  const url = finderUrl(q);
  assert.match(url, /^\/trouver\?commune=69383&besoin=demarches&besoin=arnaques&/);
  const back = parseQuery(params(url));
  assert.deepEqual(back.problems, []);
  assert.deepEqual(back.query, q);
  assert.match(sheetUrl(q, ["lieu-1", "lieu-2"]), /^\/trouver\/fiche\?.*&lieu=lieu-1&lieu=lieu-2$/);
});

test("without `exiger`, the need and the distance are required; an empty `exiger` requires nothing", () => {
  assert.deepEqual(parseQuery({ commune: "69383" }).query.indispensables, ["besoin", "distance"]);
  assert.deepEqual(parseQuery({ commune: "69383", exiger: "" }).query.indispensables, []);
  assert.deepEqual(parseQuery({ commune: "69383", exiger: ["", "quand"] }).query.indispensables, ["quand"]);
  const none = { ...emptyQuery("69383"), indispensables: [] };
  assert.deepEqual(parseQuery(params(finderUrl(none))).query.indispensables, []);
});

test("bad values are named, in French, with the valid ones", () => {
  const r = parseQuery({
    commune: "69383",
    besoin: ["demarches", "impots"],
    quand: "dimanche",
    distance: "0",
  });
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0] ?? "", /^distance : entre 1 et 200 km/);
  const r2 = parseQuery({ commune: "69383", besoin: ["demarches", "impots"], quand: "dimanche" });
  assert.deepEqual(r2.query.besoins, ["demarches"]);
  assert.match(
    r2.problems[0] ?? "",
    /^besoin : valeur inconnue « impots »\. Valeurs possibles : demarches, /,
  );
  assert.match(r2.problems[1] ?? "", /^quand : valeur inconnue « dimanche »/);
  assert.match(
    parseQuery({ commune: "x".repeat(101) }).problems[0] ?? "",
    /^commune : 100 caractères au plus/,
  );
});
