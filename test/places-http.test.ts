import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import { exportCsv } from "../src/places/export.ts";
import { importFile } from "../src/places/import/ingest.ts";
import { importPlaces } from "../src/places/import/rows.ts";
import { STANDARD_FIELDS } from "../src/places/model.ts";
import { streamPlaces } from "../src/places/store/published.ts";
import { communesOf } from "../src/places/sync.ts";
import { bytes, FILES, realText } from "./support/places.ts";
import { startTestServer } from "./support/server.ts";
import { assertMarkersMatch, readMap } from "./support/svg.ts";
import { SHIPPED_PLACES } from "./support/vintages.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const get = (path: string, init?: RequestInit) => fetch(server.url + path, { redirect: "manual", ...init });
const json = async (path: string) => {
  const res = await get(path);
  assert.equal(res.status, 200, path);
  return res.json();
};

const ADMIN = "Aide aux démarches administratives";

/** Every result of a list query (paged by 100): the first page's body and all the names. */
async function all(path: string) {
  const body = await json(`${path}&limit=100`);
  const names: string[] = body.resultats.map((p: { nom: string }) => p.nom);
  for (let offset = 100; offset < body.total; offset += 100) {
    const next = await json(`${path}&limit=100&offset=${offset}`);
    names.push(...next.resultats.map((p: { nom: string }) => p.nom));
  }
  return { body, names };
}

describe("places API", () => {
  test("GET /api/v1/lieux: a département with a service filter, paged", async () => {
    const body = await json(`/api/v1/lieux?territoire=13&service=${encodeURIComponent(ADMIN)}&limit=5`);
    assert.deepEqual(body.territoire, { id: "13", nom: "Bouches-du-Rhône", type: "departement" });
    assert.equal(body.total, 42);
    assert.equal(body.resultats.length, 5);
    for (const p of body.resultats) {
      assert.match(p.codeInsee, /^13/);
      assert.ok(p.services.includes(ADMIN));
      assert.match(p.url, /^\/lieux\/lieu-[0-9a-f]{16}$/);
    }
    const next = await json(
      `/api/v1/lieux?territoire=13&service=${encodeURIComponent(ADMIN)}&limit=5&offset=5`,
    );
    assert.equal(next.total, body.total);
    assert.notEqual(next.resultats[0].id, body.resultats[0].id);
    const all = await json("/api/v1/lieux?limit=1");
    assert.equal(all.total, SHIPPED_PLACES.published);
  });

  test("one place, with its sources; a merged record's id redirects to the place it belongs to", async () => {
    const list = await json("/api/v1/lieux?territoire=03165&q=roger+degoulange");
    // Le Mayet-de-Montagne: France Services and a conseiller numérique place at the same address, merged.
    const merged = list.resultats.find((p: { nom: string }) => /Mayet/i.test(p.nom));
    assert.ok(merged, JSON.stringify(list));
    const place = await json(merged.url.replace("/lieux/", "/api/v1/lieux/"));
    assert.deepEqual(place.sources.map((s: { source: string }) => s.source).sort(), [
      "conseillers-numeriques",
      "france-services",
    ]);
    const other = place.sources.find((s: { id: string }) => s.id !== place.id);
    const res = await get(`/api/v1/lieux/${other.id}`);
    assert.equal(res.status, 301);
    assert.equal(res.headers.get("location"), `/api/v1/lieux/${place.id}`);
  });

  test("GET /api/v1/lieux filters on public, frais and modalité: the same places as the export says", async () => {
    for (const [territoire, param, field, value] of [
      ["region-93", "public", "publics_specifiquement_adresses", "Jeunes"],
      ["13", "frais", "frais_a_charge", "Gratuit"],
      ["13", "modalite", "modalites_accompagnement", "Accompagnement individuel"],
      ["13", "modalite", "modalites_accompagnement", "Dans un atelier collectif"],
    ] as const) {
      const exported = (await json(`/lieux.json?territoire=${territoire}`)) as Record<string, string>[];
      const expected = exported.filter((p) => (p[field] ?? "").split("|").includes(value)).map((p) => p.nom);
      assert.ok(expected.length > 0 && expected.length < exported.length, `${param}=${value}`);
      const got = await all(`/api/v1/lieux?territoire=${territoire}&${param}=${encodeURIComponent(value)}`);
      assert.equal(got.body[param], value);
      assert.equal(got.body.total, expected.length, `${param}=${value}`);
      assert.deepEqual(got.names.sort(), expected.sort(), `${param}=${value}`);
    }
    // Filters add up, with the service too.
    const exported = (await json("/lieux.json?territoire=13")) as Record<string, string>[];
    const has = (p: Record<string, string>, f: string, v: string) => (p[f] ?? "").split("|").includes(v);
    const expected = exported.filter(
      (p) =>
        has(p, "frais_a_charge", "Gratuit") &&
        has(p, "modalites_accompagnement", "Accompagnement individuel") &&
        has(p, "services", "Maîtrise des outils numériques du quotidien"),
    );
    const both = await json(
      `/api/v1/lieux?territoire=13&frais=Gratuit&modalite=${encodeURIComponent("Accompagnement individuel")}&service=${encodeURIComponent("Maîtrise des outils numériques du quotidien")}&limit=100`,
    );
    assert.ok(expected.length > 0);
    assert.equal(both.total, expected.length);
  });

  test("bad public, frais or modalité values: 400 problem+json in French listing the valid values", async () => {
    for (const [path, detail] of [
      [
        "/api/v1/lieux?frais=gratuit",
        /frais à charge : valeur inconnue « gratuit »\. Vouliez-vous dire « Gratuit » \?\. Valeurs possibles : Gratuit, Gratuit sous condition, Payant\./,
      ],
      [
        "/api/v1/lieux?public=Adolescents",
        /public spécifiquement adressé : valeur inconnue « Adolescents ».*Valeurs possibles : Jeunes, Étudiants, Familles et\/ou enfants, Seniors, Femmes\./,
      ],
      [
        "/api/v1/lieux?modalite=A%20distance",
        /modalité d'accompagnement : valeur inconnue « A distance »\. Vouliez-vous dire « À distance » \?.*Valeurs possibles : En autonomie, Accompagnement individuel, Dans un atelier collectif, À distance\./,
      ],
      ["/api/v1/lieux?frais=Gratuit&frais=Payant", /frais : une seule valeur attendue/],
    ] as const) {
      const res = await get(path);
      assert.equal(res.status, 400, path);
      assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/);
      const body = await res.json();
      assert.equal(body.title, "Paramètre invalide");
      assert.match(body.detail, detail, path);
    }
  });

  test("bad input gives 400 or 404 problem+json in French", async () => {
    for (const [path, status, detail] of [
      ["/api/v1/lieux?territoire=999", 400, /Aucun territoire ne correspond à « 999 »/],
      ["/api/v1/lieux?territoire=Le%20Vernet", 400, /Plusieurs territoires correspondent à « Le Vernet »/],
      [
        "/api/v1/lieux?service=Aide%20aux%20demarches%20administrative",
        400,
        /Vouliez-vous dire « Aide aux démarches administratives »/,
      ],
      ["/api/v1/lieux?limit=0", 400, /limit doit valoir au moins 1/],
      ["/api/v1/lieux?limit=abc", 400, /limit doit être un nombre/],
      ["/api/v1/lieux?offset=-1", 400, /offset ne peut pas être négatif/],
      ["/api/v1/lieux/lieu-0000000000000000", 404, /Aucun lieu n'a le numéro/],
    ] as const) {
      const res = await get(path);
      assert.equal(res.status, status, path);
      assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/);
      assert.match((await res.json()).detail, detail);
    }
  });
});

describe("places pages", () => {
  test("/lieux lists 20 places per page with filters, and works from a territory name", async () => {
    // « Creuse » is a département and a commune of the Somme: which one is asked, each with what tells it apart.
    const which = await (await get(`/lieux?territoire=Creuse&service=${encodeURIComponent(ADMIN)}`)).text();
    assert.match(which, /Plusieurs territoires correspondent à « Creuse ». Lequel \?/);
    assert.match(which, /href="\/lieux\?territoire=23&amp;service=[^"]+">Creuse \(département\)/);
    assert.match(which, /Creuse \(commune\)<span class="meta">commune · Somme \(80\)/);
    assert.doesNotMatch(which, /id="resultats"/);
    const res = await get(`/lieux?territoire=23&service=${encodeURIComponent(ADMIN)}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /name="territoire" value="Creuse \(département\)"/);
    assert.match(html, /<h1>Lieux de médiation numérique : Creuse<\/h1>/);
    const api = await json(`/api/v1/lieux?territoire=23&service=${encodeURIComponent(ADMIN)}`);
    assert.match(html, new RegExp(`<h2 id="resultats">${api.total} lieux</h2>`));
    assert.equal((html.match(/<li><a href="\/lieux\/lieu-/g) ?? []).length, Math.min(20, api.total));
    const page2 = await (await get("/lieux?page=2")).text();
    assert.match(page2, /<ol class="results numbered" aria-labelledby="resultats" start="21">/);
    assert.match(page2, /Page 2 sur 383/);
    const bad = await get("/lieux?territoire=zzzzqqqq");
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /Aucun territoire ne correspond à « zzzzqqqq »/);
  });

  test("/lieux filters on public, frais and modalité, keeps them across pages, and explains a bad value", async () => {
    const query = `territoire=13&frais=Gratuit&modalite=${encodeURIComponent("Accompagnement individuel")}`;
    const api = await json(`/api/v1/lieux?${query}&limit=1`);
    assert.ok(api.total > 0);
    const res = await get(`/lieux?${query}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, new RegExp(`<h2 id="resultats">${api.total} lieux?</h2>`));
    assert.match(
      html,
      /<label for="public">Public spécifiquement adressé<\/label><select id="public" name="public">/,
    );
    assert.match(html, /<label for="frais">Frais à charge<\/label>/);
    assert.match(html, /<label for="modalite">Modalité d'accompagnement<\/label>/);
    assert.match(html, /<option value="Gratuit" selected>Gratuit<\/option>/);
    assert.match(
      html,
      /<option value="Accompagnement individuel" selected>Accompagnement individuel<\/option>/,
    );
    const all13 = await json("/api/v1/lieux?territoire=13&limit=1");
    assert.ok(api.total < all13.total);
    // A page further on keeps the filters in its links.
    const more = await json("/api/v1/lieux?territoire=13&frais=Gratuit&limit=1");
    assert.ok(more.total > 20);
    const first = await (await get("/lieux?territoire=13&frais=Gratuit")).text();
    assert.match(first, /href="\/lieux\?territoire=13&amp;frais=Gratuit&amp;page=2"/);
    const bad = await get("/lieux?territoire=13&frais=gratuit");
    assert.equal(bad.status, 400);
    assert.match(
      await bad.text(),
      /Filtre frais à charge : valeur inconnue « gratuit »\. Vouliez-vous dire « Gratuit » \?/,
    );
  });

  test("the territory page has a section with the count, the first places and a link", async () => {
    const html = await (await get("/territoires/23")).text();
    const all = await json("/api/v1/lieux?territoire=23");
    assert.match(html, /<h2 id="section-lieux">Lieux de médiation numérique<\/h2>/);
    assert.match(html, new RegExp(`${all.total} lieux connus`));
    assert.match(html, /href="\/lieux\?territoire=23"/);
  });

  test("a place page: address, services, hours as a weekly table, sources", async () => {
    const list = await json("/api/v1/lieux?territoire=03165&q=roger+degoulange");
    const html = await (await get(`${list.resultats[0].url}?semaine=2025-11-10`)).text();
    assert.match(html, /26 Rue Roger Dégoulange/);
    assert.match(html, /<caption>Semaine du 10 novembre 2025<\/caption>/);
    // 11 November is a public holiday; these hours have no rule for holidays: closed (the one holiday policy,
    // as the finder says), with a warning; the other days are open.
    assert.match(
      html,
      /<th scope="row">mardi 11 novembre<\/th><td>Fermé<span class="hint"> — jour férié : horaires à confirmer/,
    );
    assert.match(html, /<th scope="row">mercredi 12 novembre<\/th><td>de \d+ h( \d\d)? à \d+ h/);
    assert.match(html, /Pourquoi ces fiches sont réunies/);
    assert.match(html, /France Services \(ANCT\), liste du 1er août 2024/);
    // « Itinéraire » to its coordinates and a small map of its commune, not raw coordinates.
    const p = list.resultats[0];
    const at = `${p.latitude.toFixed(6)}%2C${p.longitude.toFixed(6)}`;
    assert.ok(
      html.includes(`<a href="https://www.openstreetmap.org/directions?to=${at}#map=16/`),
      "Itinéraire",
    );
    assert.match(
      html,
      /<a href="geo:[\d.]+,[\d.]+\?q=[\d.]+,[\d.]+\([^)]+\)">Ouvrir dans l'application de cartes/,
    );
    assert.match(html, /<svg class="map"[^>]*aria-label="Plan : [^"]+ dans Le Mayet-de-Montagne"/);
    assert.match(html, /<path class="context" d="M/);
    assert.doesNotMatch(html, /<dt>Coordonnées<\/dt>/);
  });

  test("/lieux: the places of the page on a map, numbered as in the list, framed whole", async () => {
    for (const page of [1, 2]) {
      const html = await (await get(`/lieux?territoire=13&page=${page}`)).text();
      const api = await json(`/api/v1/lieux?territoire=13&limit=20&offset=${(page - 1) * 20}`);
      const start = Number(html.match(/<ol class="results numbered"[^>]*start="(\d+)"/)?.[1]);
      assert.equal(start, (page - 1) * 20 + 1);
      const places = api.resultats
        .map((p: { nom: string; latitude: number | null; longitude: number | null }, i: number) => ({
          number: start + i,
          name: p.nom,
          lat: p.latitude,
          lon: p.longitude,
        }))
        .filter((p: { lat: number | null }) => p.lat !== null);
      assert.ok(places.length >= 15, String(places.length));
      const map = readMap(html, new RegExp(`^Carte des lieux ${start} à ${start + 19} : Bouches-du-Rhône`));
      assertMarkersMatch(map, places);
      // The boundary of the département is under the markers.
      assert.match(html, /<figure class="list-map"><svg[^>]*>.*?<path class="context" d="M/s);
    }
  });

  test("hours with « PH off » are closed on a public holiday (Monday 14 July 2025), open the next day", async () => {
    // A real PACA row (Pôle Social, Digne-les-Bains) re-imported with its hours closed on public holidays.
    const rows = JSON.parse(await realText(FILES.paca)) as Record<string, string>[];
    const row = rows.find((r) => r.nom === "Pôle Social" && r.commune === "DIGNE-LES-BAINS");
    assert.ok(row);
    assert.equal(row.horaires, "Mo-Th 09:00-12:00,14:00-16:30; Fr 09:00-11:30,14:00-16:00");
    row.horaires = `${row.horaires}; PH off`;
    const r = await importFile(server.ctx.database.db, bytes(JSON.stringify([row])), {
      source: "hub-du-sud",
      file: "pole-social.json",
      communes: communesOf(server.ctx.territories),
    });
    assert.equal(r.counts.updated, 1);
    const list = await json("/api/v1/lieux?territoire=04070&q=pole+social");
    const html = await (await get(`${list.resultats[0].url}?semaine=2025-07-16`)).text();
    assert.match(html, /<caption>Semaine du 14 juillet 2025<\/caption>/);
    assert.match(
      html,
      /<th scope="row">lundi 14 juillet<\/th><td>Fermé<span class="hint"> — jour férié<\/span>/,
    );
    assert.match(
      html,
      /<th scope="row">mardi 15 juillet<\/th><td>de 9 h à 12 h, puis de 14 h à 16 h 30<\/td>/,
    );
    assert.match(html, /<th scope="row">samedi 19 juillet<\/th><td>Fermé<\/td>/);
    // The change is in the place's history.
    assert.match(html, /modifié par l'import de pole-social\.json/);
  });

  test("unknown place: a French 404 page", async () => {
    const res = await get("/lieux/lieu-0000000000000000");
    assert.equal(res.status, 404);
    assert.match(await res.text(), /Aucun lieu n'a le numéro/);
  });
});

describe("exports", () => {
  test("/lieux.csv of a territory: the standard's 32 columns, every row valid, import gives them back", async () => {
    const res = await get("/lieux.csv?territoire=04");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-disposition") ?? "", /lieux-mediation-numerique-04\.csv/);
    const text = await res.text();
    const [header] = text.split("\n");
    assert.equal(header, STANDARD_FIELDS.map((f) => `"${f}"`).join(","));
    const api = await json("/api/v1/lieux?territoire=04&limit=1");
    const { summary, outcomes } = importPlaces(bytes(text), {
      source: "export",
      file: "lieux-04.csv",
      communes: communesOf(server.ctx.territories),
    });
    for await (const _ of outcomes);
    assert.deepEqual([summary.read, summary.accepted, summary.rejected], [api.total, api.total, 0]);
  });

  test("/lieux-data-inclusion.json of a territory: data·inclusion structures that import back", async () => {
    const res = await get("/lieux-data-inclusion.json?territoire=04");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    assert.match(res.headers.get("content-disposition") ?? "", /structures-data-inclusion-04\.json/);
    const text = await res.text();
    const structures = JSON.parse(text) as { id: string; thematiques: string[]; code_insee?: string }[];
    const api = await json("/api/v1/lieux?territoire=04&limit=1");
    assert.equal(structures.length, api.total);
    for (const s of structures) {
      assert.equal(s.thematiques[0], "numerique");
      assert.match(s.code_insee ?? "", /^04/);
    }
    const { summary, outcomes } = importPlaces(bytes(text), {
      source: "export",
      file: "structures-04.json",
      communes: communesOf(server.ctx.territories),
    });
    for await (const _ of outcomes);
    assert.equal(summary.format, "data-inclusion");
    assert.deepEqual([summary.read, summary.accepted, summary.rejected], [api.total, api.total, 0]);
    assert.equal((await get("/lieux-data-inclusion.json?territoire=nulle-part")).status, 404);
  });

  test("/lieux.json streams all of France as a JSON array", async () => {
    const res = await get("/lieux.json");
    assert.equal(res.status, 200);
    const body = (await res.json()) as { id: string }[];
    assert.equal(body.length, SHIPPED_PLACES.published);
    assert.equal((await get("/lieux.csv?territoire=nulle-part")).status, 404);
  });

  test("/lieux.csv of France, kept gzipped: the same bytes as the database's stream, compressed or not", async () => {
    let streamed = "";
    for await (const line of exportCsv(streamPlaces(server.ctx.database.db, {}))) streamed += line;
    // Four clients at once, as a browser (gzip) and as a plain client (no compression): one writing, same rows.
    const ask = (encoding: string) =>
      new Promise<{ status: number; encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        const { hostname, port } = new URL(server.url);
        request(
          { host: hostname, port, path: "/lieux.csv", headers: { "accept-encoding": encoding } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                encoding: res.headers["content-encoding"],
                body: Buffer.concat(chunks),
              }),
            );
          },
        )
          .on("error", reject)
          .end();
      });
    const answers = await Promise.all(["gzip", "identity", "gzip, deflate, br", ""].map(ask));
    for (const a of answers) {
      assert.equal(a.status, 200);
      const text = (a.encoding === "gzip" ? gunzipSync(a.body) : a.body).toString("utf8");
      assert.equal(text, streamed);
    }
    assert.deepEqual(
      answers.map((a) => a.encoding),
      ["gzip", undefined, "gzip", undefined],
    );
    assert.equal(parse(streamed, { columns: true }).length, SHIPPED_PLACES.published);
  });
});
