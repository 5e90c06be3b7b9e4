/**
 * The data of the interactive maps, on the real data: each indicator of the index per area (a commune's own value,
 * a département's population-weighted mean), the places as points, and the basemap's origin in the security policy
 * only when MAILLAGE_FOND_DE_CARTE is set.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer } from "./support/server.ts";

type Area = {
  properties: {
    id: string;
    nom: string;
    score: number | null;
    indicateurs: Record<string, number | null>;
    estimes: string[];
  };
};
type Areas = {
  indicateurs: { id: string; libelle: string }[];
  valeursIndicateurs: string;
  features: Area[];
};
type Points = {
  territoire: { id: string; nom: string } | null;
  sansCoordonnees: number;
  features: {
    geometry: { type: string; coordinates: number[] };
    properties: { id: string; nom: string; commune: string };
  }[];
};

const STYLE = "https://tuiles.example.org/styles/plan/style.json";

describe("the interactive maps' data, default configuration", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());
  const json = async <T>(path: string, status = 200): Promise<T> => {
    const res = await fetch(server.url + path);
    assert.equal(res.status, status, path);
    return (await res.json()) as T;
  };

  test("a département's communes carry each indicator of the method, as the commune's explanation gives it", async () => {
    const map = await json<Areas>("/api/v1/fragilite/carte?territoire=23");
    assert.equal(map.valeursIndicateurs, "communes");
    assert.deepEqual(
      map.indicateurs.map((i) => i.id),
      ["ifn_thd", "ifn_4g", "ifn_pauvrete", "ifn_65plus", "ifn_sans_diplome"],
    );
    assert.equal(map.indicateurs[1]?.libelle, "Absence de couverture 4G (score IFN)");
    assert.equal(map.features.length, 255);
    const gueret = map.features.find((f) => f.properties.id === "23096");
    assert.ok(gueret);
    const detail = await json<{
      score: number;
      indicateurs: { indicator: string; normalised: number | null }[];
    }>("/api/v1/fragilite?territoire=23096");
    assert.equal(gueret.properties.score, Number(detail.score.toFixed(2)));
    for (const line of detail.indicateurs) {
      const v: number | null | undefined = gueret.properties.indicateurs[line.indicator];
      assert.equal(
        v,
        line.normalised === null ? null : Math.round(line.normalised * 100) / 100,
        line.indicator,
      );
    }
    // Every area has a value (or null) for every indicator, on 0–10.
    for (const f of map.features) {
      assert.deepEqual(
        Object.keys(f.properties.indicateurs),
        map.indicateurs.map((i) => i.id),
      );
      for (const v of Object.values(f.properties.indicateurs))
        assert.ok(v === null || (v >= 0 && v <= 10), `${f.properties.nom}: ${v}`);
    }
  });

  test("Maillage 2025: estimated values are flagged, as the commune's explanation says", async () => {
    const map = await json<Areas>("/api/v1/fragilite/carte?territoire=23&methode=maillage-2025");
    // The method's indicators, in the order of its file.
    assert.deepEqual(
      map.indicateurs.map((i) => i.id),
      ["ifn_thd", "ifn_4g", "revenu_median", "taux_chomage", "ifn_65plus", "ifn_sans_diplome"],
    );
    const flagged = map.features.filter((f) => f.properties.estimes.length > 0);
    assert.ok(flagged.length > 0, "some communes of the Creuse have an estimated value");
    for (const f of flagged.slice(0, 5)) {
      const detail = await json<{ indicateurs: { indicator: string; status: string }[] }>(
        `/api/v1/fragilite?territoire=${f.properties.id}&methode=maillage-2025`,
      );
      assert.deepEqual(
        f.properties.estimes,
        detail.indicateurs.filter((l) => l.status.startsWith("imputed")).map((l) => l.indicator),
      );
    }
  });

  test("a région's départements carry the population-weighted mean of their communes' values", async () => {
    const region = await json<Areas>("/api/v1/fragilite/carte?territoire=region-75");
    assert.equal(region.valeursIndicateurs, "moyennes");
    const creuse = region.features.find((f) => f.properties.id === "23");
    assert.ok(creuse);
    assert.deepEqual(creuse.properties.estimes, []);
    const communes = await json<Areas>("/api/v1/fragilite/carte?territoire=23");
    assert.deepEqual(region.indicateurs, communes.indicateurs);
    const table = await json<{ resultats: { id: string; population: number | null }[] }>(
      "/api/v1/fragilite?territoire=23",
    );
    const population = new Map(table.resultats.map((r) => [r.id, r.population ?? 0]));
    for (const { id } of region.indicateurs) {
      let sum = 0;
      let weight = 0;
      for (const f of communes.features) {
        const v = f.properties.indicateurs[id];
        if (v === null || v === undefined) continue;
        sum += v * (population.get(f.properties.id) ?? 0);
        weight += population.get(f.properties.id) ?? 0;
      }
      const mean = creuse.properties.indicateurs[id];
      assert.ok(mean !== null && mean !== undefined, id);
      // The communes' values are rounded to 0.01 here: their mean may differ by that much.
      assert.ok(Math.abs(mean - sum / weight) <= 0.011, `${id}: ${mean} vs ${sum / weight}`);
    }
  });

  test("the places of a territory: published ones with their own coordinates, the others counted", async () => {
    const points = await json<Points>("/api/v1/lieux/carte?territoire=23");
    assert.deepEqual(points.territoire, { id: "23", nom: "Creuse" });
    const list = await json<{
      total: number;
      resultats: {
        id: string;
        nom: string;
        latitude: number | null;
        longitude: number | null;
        coordonneesApproximatives: boolean;
      }[];
    }>("/api/v1/lieux?territoire=23&limit=100");
    assert.ok(list.total < 100, "every place of the Creuse in one page");
    assert.ok(points.features.length > 0);
    assert.equal(points.features.length + points.sansCoordonnees, list.total);
    const located = list.resultats.filter((p) => p.latitude !== null && !p.coordonneesApproximatives);
    assert.deepEqual(
      points.features.map((f) => f.properties.id),
      located.map((p) => p.id).sort(),
    );
    for (const f of points.features) {
      const p = located.find((x) => x.id === f.properties.id);
      assert.ok(p);
      assert.equal(f.geometry.type, "Point");
      const [lon, lat] = f.geometry.coordinates as [number, number];
      assert.ok(Math.abs(lon - (p.longitude ?? 0)) < 1e-5 && Math.abs(lat - (p.latitude ?? 0)) < 1e-5);
      assert.equal(f.properties.nom, p.nom);
    }
    // A place of the map opens its page.
    const first = points.features[0];
    assert.ok(first);
    assert.equal((await fetch(`${server.url}/lieux/${encodeURIComponent(first.properties.id)}`)).status, 200);
  });

  test("the places endpoint reads territories like the others: by name, ambiguous, unknown", async () => {
    const byName = await json<Points>(`/api/v1/lieux/carte?territoire=${encodeURIComponent("Guéret")}`);
    assert.deepEqual(byName.territoire, { id: "23096", nom: "Guéret" });
    const ambiguous = await json<{ candidats: unknown[] }>(
      "/api/v1/lieux/carte?territoire=Saint-Martin",
      400,
    );
    assert.ok(ambiguous.candidats.length > 1);
    const res = await fetch(`${server.url}/api/v1/lieux/carte?territoire=${"x".repeat(41)}`);
    assert.equal(res.status, 400);
    assert.match(res.headers.get("content-type") ?? "", /problem\+json/);
  });

  test("the page hands the places' URL to the script, and no basemap: the policy opens nothing outside", async () => {
    const res = await fetch(`${server.url}/fragilite?territoire=23`);
    const html = await res.text();
    assert.match(html, /data-map-points="\/api\/v1\/lieux\/carte\?territoire=23"/);
    assert.match(html, /data-map-points-list="\/lieux\?territoire=23"/);
    assert.match(html, /data-map-points-link="\/lieux\/\{id\}"/);
    assert.doesNotMatch(html, /data-map-basemap/);
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /connect-src 'self';/);
    assert.doesNotMatch(csp, /example\.org/);
  });
});

describe("with a basemap (MAILLAGE_FOND_DE_CARTE)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: { basemapStyle: STYLE } });
  });
  after(() => server.close());

  test("the page passes the style to the script; the policy allows its origin to MapLibre, and only it", async () => {
    const res = await fetch(`${server.url}/fragilite?territoire=23`);
    const html = await res.text();
    assert.match(html, /data-map-basemap="https:\/\/tuiles\.example\.org\/styles\/plan\/style\.json"/);
    const csp = res.headers.get("content-security-policy") ?? "";
    const directive = (name: string) => csp.split(";").find((d) => d.startsWith(`${name} `)) ?? "";
    assert.equal(directive("connect-src"), "connect-src 'self' https://tuiles.example.org");
    assert.equal(directive("img-src"), "img-src 'self' data: blob: https://tuiles.example.org");
    assert.equal(directive("worker-src"), "worker-src 'self' blob:");
    assert.equal(directive("script-src"), "script-src 'self'");
    // The framework's own errors carry the very same policy.
    const error = await fetch(`${server.url}/api/v1/territoires/%E0%A4%A`);
    assert.equal(error.status, 400);
    assert.equal(error.headers.get("content-security-policy"), csp);
  });
});
