import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AreaCollection,
  areaText,
  bounds,
  clusterCount,
  clusterDiameter,
  clusterLabel,
  colourExpression,
  flatten,
  measuresOf,
  placesCount,
  placesText,
  SCORE,
  shownText,
  valueOn10,
} from "./map-data.ts";

// Two features of /api/v1/fragilite/carte?territoire=23&methode=maillage-2025 (real values, two of the six
// indicators kept; Auge's median income is estimated, its commune had none). The geometries are stand-in
// triangles near the communes, only there for `bounds`.
const data: AreaCollection = {
  type: "FeatureCollection",
  indicateurs: [
    { id: "ifn_thd", libelle: "Absence de très haut débit (score IFN)" },
    { id: "revenu_median", libelle: "Revenu médian (niveau de vie par unité de consommation)" },
  ],
  valeursIndicateurs: "communes",
  features: [
    {
      type: "Feature",
      geometry: {
        type: "Polygon",
        coordinates: [
          [
            [1.83, 46.15],
            [1.9, 46.2],
            [1.85, 46.19],
            [1.83, 46.15],
          ],
        ],
      },
      properties: {
        id: "23009",
        nom: "Auge",
        score: 6,
        indicateurs: { ifn_thd: 1, revenu_median: 9 },
        estimes: ["revenu_median"],
      },
    },
    {
      type: "Feature",
      geometry: {
        type: "MultiPolygon",
        coordinates: [
          [
            [
              [2.01, 46.05],
              [2.1, 46.1],
              [2.05, 46.0],
              [2.01, 46.05],
            ],
          ],
        ],
      },
      properties: {
        id: "23096",
        nom: "Guéret",
        score: 6.82,
        indicateurs: { ifn_thd: 4, revenu_median: 9 },
        estimes: [],
      },
    },
  ],
};

test("the measures: the global score first, then the indicators in the GeoJSON's order", () => {
  const m = measuresOf(data);
  assert.deepEqual(
    m.map((x) => [x.id, x.label, x.property]),
    [
      ["score", "Score global", "score"],
      ["ifn_thd", "Absence de très haut débit (score IFN)", "indicateur:ifn_thd"],
      [
        "revenu_median",
        "Revenu médian (niveau de vie par unité de consommation)",
        "indicateur:revenu_median",
      ],
    ],
  );
  // A GeoJSON without indicators (older servers, other maps) offers the score alone.
  assert.deepEqual(measuresOf({ type: "FeatureCollection", features: [] }), [SCORE]);
});

test("flatten: one flat property per indicator and per estimated value, the rest kept", () => {
  const flat = flatten(data);
  assert.deepEqual(flat.features[0]?.properties, {
    id: "23009",
    nom: "Auge",
    score: 6,
    "indicateur:ifn_thd": 1,
    "indicateur:revenu_median": 9,
    "estime:revenu_median": true,
  });
  assert.deepEqual(flat.features[1]?.geometry, data.features[1]?.geometry);
  // The input is left as it was.
  assert.deepEqual(data.features[0]?.properties.estimes, ["revenu_median"]);
});

test("the colour expression reads the measure's property, with the legend's classes and grey when missing", () => {
  const [, thd] = measuresOf(data);
  assert.ok(thd);
  const colours = ["#a", "#b", "#c"];
  assert.deepEqual(colourExpression(thd, [4, 7], colours), [
    "step",
    ["coalesce", ["get", "indicateur:ifn_thd"], -1],
    "#d1d5db",
    0,
    "#a",
    4,
    "#b",
    7,
    "#c",
  ]);
  assert.deepEqual((colourExpression(SCORE, [4, 7], colours) as unknown[])[1], [
    "coalesce",
    ["get", "score"],
    -1,
  ]);
});

test("popups and status lines in French", () => {
  const [, thd, income] = measuresOf(data);
  assert.ok(thd && income);
  const [auge, gueret] = flatten(data).features.map(
    (f) => f.properties as unknown as Record<string, unknown>,
  );
  assert.ok(auge && gueret);
  assert.equal(areaText(gueret, SCORE), "Guéret — Score global : 6,8/10");
  assert.equal(
    areaText(gueret, income),
    "Guéret — Revenu médian (niveau de vie par unité de consommation) : 9,0/10",
  );
  assert.equal(
    areaText(auge, income),
    "Auge — Revenu médian (niveau de vie par unité de consommation) : 9,0/10 (valeur estimée)",
  );
  assert.equal(areaText(auge, thd), "Auge — Absence de très haut débit (score IFN) : 1,0/10");
  // A value the area lacks (null, or absent from older answers).
  assert.equal(areaText({ nom: "Auge", score: null }, SCORE), "Auge — Score global : non disponible");
  assert.equal(
    areaText({ nom: "Auge" }, thd),
    "Auge — Absence de très haut débit (score IFN) : non disponible",
  );
  assert.equal(valueOn10(10), "10,0/10");
  assert.equal(valueOn10(4.25), "4,3/10");
  assert.equal(shownText(SCORE, "communes"), "Carte colorée selon le score global de fragilité, sur 10.");
  assert.equal(
    shownText(thd, "communes"),
    "Carte colorée selon : Absence de très haut débit (score IFN), ramené sur 10 (10 = le plus fragile).",
  );
  assert.match(shownText(thd, "moyennes"), /la moyenne de ses communes, pondérée par la population\.$/);
  assert.equal(placesCount(1), "1 lieu");
  assert.equal(placesCount(7629), "7\u202f629 lieux");
  assert.match(placesText(46, 0), /^46 lieux de médiation numérique, regroupés/);
  assert.match(placesText(46, 3), /3 lieux sans coordonnées dans leur source ne sont pas sur la carte\.$/);
  assert.match(
    placesText(0, 1),
    /^Aucun lieu .* 1 lieu sans coordonnées dans leur source n'est pas sur la carte\.$/,
  );
});

test("bounds of polygons and multipolygons; clusters' images", () => {
  assert.deepEqual(bounds(data.features), [
    [1.83, 46],
    [2.1, 46.2],
  ]);
  assert.equal(clusterCount("groupe-12"), 12);
  assert.equal(clusterCount("groupe-x"), null);
  assert.equal(clusterCount("groupe-0"), null);
  assert.equal(clusterCount("marker-12"), null);
  assert.equal(clusterLabel(999), "999");
  assert.equal(clusterLabel(1234), "1,2 k");
  assert.equal(clusterLabel(15000), "15 k");
  assert.ok(clusterDiameter(2) < clusterDiameter(50));
  assert.ok(clusterDiameter(1_000_000) <= 48);
});
