import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { emptyQuery } from "../src/orientation/model.ts";
import { orient } from "../src/orientation/service.ts";
import { gsm7Length } from "../src/orientation/sms.ts";
import { finderUrl, parseQuery } from "../src/orientation/url.ts";
import { fixedClock } from "../src/platform/clock.ts";
import { startTestServer } from "./support/server.ts";
import { assertMarkersMatch, readMap } from "./support/svg.ts";

/** Wednesday 18 November 2026, 10:00 in Paris (09:00 UTC): every page of this file is served at that instant. */
const NOW = "2026-11-18T09:00:00Z";

let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  server = await startTestServer({ clock: fixedClock(NOW) });
});
after(async () => {
  await server?.close();
});

const get = (path: string) => fetch(server.url + path);

describe("GET /api/v1/orientation", () => {
  test("ranked places with reasons, opening, how to go and the SMS text", async () => {
    const res = await get("/api/v1/orientation?commune=06027&besoin=demarches&modalite=individuel&limite=5");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.commune.nom, "Cagnes-sur-Mer");
    assert.equal(body.resultats.length, 5);
    assert.equal(body.recherche, "/trouver?commune=06027&besoin=demarches&modalite=individuel&limite=5");
    const first = body.resultats[0];
    assert.ok(first.raisons.includes("démarches en ligne"));
    assert.match(first.raisons.at(-1), / km$/);
    assert.deepEqual(first.manque, ["accompagnement individuel"]);
    assert.ok(body.resultats.some((r: { correspondExactement: boolean }) => r.correspondExactement));
    for (const r of body.resultats) {
      assert.ok(gsm7Length(r.sms) <= 160);
      assert.match(r.fiche, /^\/trouver\/fiche\?commune=06027&.*lieu=/);
    }
  });

  test("the commune may be a name or a postcode; an unknown one gets suggestions", async () => {
    const byName = await (await get("/api/v1/orientation?commune=Cagnes-sur-Mer&besoin=demarches")).json();
    assert.equal(byName.commune.code, "06027");
    const byPostcode = await (await get("/api/v1/orientation?commune=06800&besoin=demarches")).json();
    assert.equal(byPostcode.commune.code, "06027");
    const res = await get("/api/v1/orientation?commune=Cagnes-sur-Mez&besoin=demarches");
    assert.equal(res.status, 404);
    assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/);
    const p = await res.json();
    assert.match(p.detail, /Vouliez-vous dire : .*Cagnes-sur-Mer \(06027\)/);
  });

  test("an ambiguous commune is a 400 problem that lists the candidates with their département", async () => {
    const res = await get("/api/v1/orientation?commune=Le%20Vernet&besoin=demarches");
    assert.equal(res.status, 400);
    assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/);
    const p = await res.json();
    assert.match(p.detail, /Plusieurs communes correspondent à « Le Vernet ».*Laquelle \?/);
    assert.deepEqual(
      p.candidats.map((c: { id: string; libelle: string }) => `${c.id} ${c.libelle}`),
      [
        "03306 Le Vernet (Allier)",
        "04237 Le Vernet (Alpes-de-Haute-Provence)",
        "09331 Le Vernet (Ariège)",
        "43260 Le Vernet (Haute-Loire)",
      ],
    );
  });

  test("bad values are named in French with the valid ones", async () => {
    const res = await get("/api/v1/orientation?commune=06027&besoin=impots&distance=abc");
    assert.equal(res.status, 400);
    const p = await res.json();
    assert.match(p.detail, /distance/);
    const res2 = await get("/api/v1/orientation?commune=06027&besoin=impots");
    const p2 = await res2.json();
    assert.match(p2.detail, /besoin : valeur inconnue « impots »\. Valeurs possibles : demarches, telephone/);
    const res3 = await get("/api/v1/orientation?besoin=demarches");
    assert.equal(res3.status, 400);
  });

  test("contradictory required filters: the one that emptied the list is named, and the widening said", async () => {
    const body = await (
      await get("/api/v1/orientation?commune=69383&besoin=demarches&public=jeune&exiger=besoin&exiger=public")
    ).json();
    assert.equal(body.critereQuiVide, "public");
    assert.equal(body.partiel, true);
    assert.ok(body.elargissements.length > 0);
    assert.ok(body.resultats.length > 0);
    // No territory contact configured here: no number is given that the territory has not set.
    assert.equal(body.contact, null);
  });
});

describe("pages", () => {
  test("/trouver: the form; an unknown commune: « Vouliez-vous dire »", async () => {
    const form = await get("/trouver");
    assert.equal(form.status, 200);
    assert.match(await form.text(), /De quelle aide avez-vous besoin/);
    const res = await get("/trouver?commune=Cagnes-sur-Mez&besoin=demarches");
    assert.equal(res.status, 404);
    const html = await res.text();
    assert.match(html, /Vouliez-vous dire/);
    assert.match(html, /href="\/trouver\?commune=06027&amp;besoin=demarches"/);
  });

  test("/trouver: an ambiguous commune asks « Laquelle ? » with départements, and shows no result", async () => {
    const res = await get("/trouver?commune=Saint-Martin&besoin=demarches");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<h2 id="or-laquelle">Laquelle \?<\/h2>/);
    assert.doesNotMatch(html, /class="or-results"/, "no commune is picked silently");
    for (const [id, dep] of [
      ["67426", "Bas-Rhin \\(67\\)"],
      ["32389", "Gers \\(32\\)"],
      ["65392", "Hautes-Pyrénées \\(65\\)"],
    ])
      assert.match(
        html,
        new RegExp(
          `href="/trouver\\?commune=${id}&amp;besoin=demarches">Saint-Martin \\([^)]+\\)</a> <span class="hint">commune · ${dep}`,
        ),
      );
    // 54480 is also a postcode (of other communes): the link carries the name with its département.
    assert.match(
      html,
      /href="\/trouver\?commune=Saint-Martin\+%28Meurthe-et-Moselle%29&amp;besoin=demarches"/,
    );
  });

  test("after the choice: results, and the field shows the commune's name, not its code", async () => {
    for (const value of ["32389", "Saint-Martin+%28Meurthe-et-Moselle%29"]) {
      const res = await get(`/trouver?commune=${value}&besoin=demarches`);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /class="or-results"/);
      const field = /<input type="text" id="or-commune" name="commune" value="([^"]*)"/.exec(html)?.[1];
      assert.match(field ?? "", /^Saint-Martin \((Gers|Meurthe-et-Moselle)\)$/);
      // Submitting the form again as it is finds the same commune.
      const again = await (
        await get(`/trouver?commune=${encodeURIComponent(field ?? "")}&besoin=demarches`)
      ).text();
      assert.match(again, /class="or-results"/);
    }
  });

  test("a postcode of several communes asks too; a code that is also a postcode is offered by name", async () => {
    // 01090: the postcode of Montmerle-sur-Saône and five others, and the INSEE code of Châtenay.
    const html = await (await get("/trouver?commune=01090")).text();
    assert.match(html, /Laquelle \?/);
    assert.match(html, /href="\/trouver\?commune=01263">Montmerle-sur-Saône<\/a>/);
    assert.match(html, /href="\/trouver\?commune=Ch%C3%A2tenay\+%28Ain%29">Châtenay \(Ain\)<\/a>/);
    const chosen = await (await get("/trouver?commune=Ch%C3%A2tenay+%28Ain%29")).text();
    assert.match(chosen, /près de Châtenay/);
  });

  test("results say why each place is proposed, with a tel: link", async () => {
    const html = await (await get("/trouver?commune=06027&besoin=demarches")).text();
    assert.match(html, /Pourquoi ce lieu : <\/span>démarches en ligne · 3,3 km/);
    // Phones are read in pairs and dialled when tapped.
    const phones = [...html.matchAll(/Téléphoner : (<a[^>]*>[^<]*<\/a>)/g)].map((m) => m[1]);
    assert.ok(phones.length > 0);
    for (const a of phones) assert.match(a ?? "", /^<a class="tel" href="tel:\+33\d{9}">0\d( \d\d){4}<\/a>$/);
    assert.match(html, /(Ouvert|Fermé), (ferme|ouvre)/);
    // The nearest place that fits is 3,3 km away, within the town threshold (5 km): nothing more to say.
    assert.doesNotMatch(html, /Plus près de chez vous/);
  });

  test("the nearest fitting place is far: nearer places for other needs and help by phone, said plainly", async () => {
    // Pont-de-Vaux (01305), a town (5 km threshold): the nearest help with procedures is 12 km away.
    const html = await (await get("/trouver?commune=01305&besoin=demarches")).text();
    const box = html.slice(
      html.indexOf('<section class="or-far"'),
      html.indexOf("</section>", html.indexOf("or-far")),
    );
    assert.match(
      box,
      /Le lieu le plus proche qui répond à votre demande est à 12 km : c'est loin \(plus de 5 km\)\./,
    );
    assert.match(box, /Ces lieux sont plus proches\. Ils aident pour d'autres choses/);
    const nearer = [...box.matchAll(/<li><a href="\/lieux\/[^"]+">[^<]+<\/a>, à (\d+,\d) km/g)].map((m) =>
      Number(m[1]?.replace(",", ".")),
    );
    assert.ok(nearer.length > 0 && nearer.length <= 3);
    for (const d of nearer) assert.ok(d <= 5, String(d));
    assert.match(box, /<h3>Être aidé par téléphone<\/h3>/);
    // No place of the shipped data offers help at a distance for procedures here: call the nearest place.
    assert.match(box, /Appelez le lieu le plus proche : il pourra vous conseiller ou vous dire où aller\./);
    assert.match(box, /, à \d+(,\d)? km : <a class="tel" href="tel:\+33\d{9}">0\d( \d\d){4}<\/a>\./);
  });

  test("the plan: numbered markers matching the list, framed whole; « Itinéraire » to each place", async () => {
    const path = "/trouver?commune=06027&besoin=demarches";
    const html = await (await get(path)).text();
    const api = await (await get(`/api/v1/orientation?commune=06027&besoin=demarches`)).json();
    const names = [...html.matchAll(/<h3 id="or-lieu-(\d+)-nom"><a href="[^"]+">([^<]+)<\/a><\/h3>/g)].map(
      (m) => ({
        number: Number(m[1]),
        name: (m[2] ?? "").replaceAll("&#39;", "'").replaceAll("&amp;", "&"),
      }),
    );
    assert.equal(names.length, api.resultats.length);
    const places = names.map((n, i) => ({
      ...n,
      lat: api.resultats[i].latitude,
      lon: api.resultats[i].longitude,
    }));
    for (const [i, p] of places.entries()) assert.equal(p.name, api.resultats[i].nom);
    const map = readMap(html, /^Plan : Cagnes-sur-Mer/);
    assertMarkersMatch(
      map,
      places.filter((p) => p.lat !== null),
    );
    // Drawn over the département and the communes of the places, the commune of departure named.
    assert.match(html, /<path class="context"/);
    assert.match(html, /<path class="shape"/);
    assert.match(html, /<text class="map-label"[^>]*>Cagnes-sur-Mer<\/text>/);
    // Every located result has its « Itinéraire » (OpenStreetMap by default) and its geo: link.
    const first = api.resultats[0];
    assert.ok(
      html.includes(
        `href="https://www.openstreetmap.org/directions?to=${first.latitude.toFixed(6)}%2C${first.longitude.toFixed(6)}`,
      ),
    );
    assert.ok(html.includes(`href="geo:${first.latitude.toFixed(6)},${first.longitude.toFixed(6)}?q=`));
    assert.equal(
      html.match(/>Itinéraire<span class="visually-hidden">/g)?.length,
      places.filter((p) => p.lat !== null).length,
    );
  });

  test("the sheet: hours, QR code, SMS, the date it was prepared; an unknown place is a 404", async () => {
    const api = await (await get("/api/v1/orientation?commune=06027&besoin=demarches")).json();
    const html = await (await get(api.resultats[0].fiche)).text();
    assert.match(html, /Fiche d'orientation/);
    assert.match(html, /<img src="data:image\/svg\+xml;base64,[^"]+" alt="Code QR vers la page du lieu/);
    assert.match(html, /Horaires de la semaine/);
    if (api.resultats[0].telephone)
      assert.match(
        html,
        /<dt>Téléphone<\/dt><dd><a class="tel" href="tel:\+\d{9,12}">0\d( \d\d){4}<\/a><\/dd>/,
      );
    // Prepared at the server's clock, on the wall clock of the place (Cagnes-sur-Mer: Paris time).
    assert.match(html, /Fiche préparée le mercredi 18 novembre 2026 à 10 h\./);
    assert.ok(html.includes(`<dt>Aujourd'hui</dt><dd>${api.resultats[0].ouverture.texte}</dd>`));
    assert.match(html, /<th scope="row">lundi 16 novembre<\/th>/);
    assert.ok(
      html.includes(api.resultats[0].sms.replaceAll("'", "&#39;")) || html.includes(api.resultats[0].sms),
    );
    const missing = await get("/trouver/fiche?lieu=lieu-0000000000000000");
    assert.equal(missing.status, 404);
  });

  test("the island is served and small", async () => {
    const res = await get("/assets/orientation.js");
    assert.equal(res.status, 200);
    assert.ok((await res.text()).length < 3000);
  });
});

describe("service for other capabilities", () => {
  test("orient(ctx, query, now) on the published places; the URL goes both ways", async () => {
    const query = { ...emptyQuery("06027"), besoins: ["demarches" as const], gratuit: true };
    const out = await orient(server.ctx, query, new Date(NOW));
    assert.ok(out && out.results.length > 0);
    assert.equal(await orient(server.ctx, emptyQuery("99999")), null);
    const url = finderUrl(query);
    assert.equal(url, "/trouver?commune=06027&besoin=demarches&gratuit=1");
    const back = parseQuery(Object.fromEntries(new URL(url, "http://x").searchParams));
    assert.deepEqual(back.query, query);
    assert.deepEqual(back.problems, []);
  });
});

describe("the sheet of a place overseas", () => {
  test("France services de Saint-Denis - Le Brûlé (La Réunion): its status and date in Réunion time", async () => {
    // 09:00 UTC is 13:00 in La Réunion (UTC+4), 10:00 in Paris: open until 16 h there.
    const html = await (await get("/trouver/fiche?commune=97411&lieu=lieu-2a7ccef420356523")).text();
    assert.match(html, /France services de Saint-Denis - Le Brûlé/);
    assert.match(html, /Fiche préparée le mercredi 18 novembre 2026 à 13 h\./);
    assert.match(html, /<dt>Aujourd'hui<\/dt><dd>Ouvert, ferme à 16 h<\/dd>/);
    // An overseas number: read with its 0, dialled with La Réunion's code.
    assert.match(html, /<a class="tel" href="tel:\+262\d{9}">0\d( \d\d){4}<\/a>/);
    const page = await (await get("/lieux/lieu-2a7ccef420356523")).text();
    assert.match(page, /<strong>Ouvert, ferme à 16 h<\/strong>/);
    assert.match(page, /<caption>Semaine du 16 novembre 2026<\/caption>/);
    assert.match(page, /<a class="tel" href="tel:\+262\d{9}">0\d( \d\d){4}<\/a>/);
  });
});

describe("GET /api/v1/orientation kept per minute", () => {
  test("the same query answers the same within a minute, and follows the clock past it", async () => {
    let now = new Date("2026-11-18T09:00:10Z");
    const moving = await startTestServer({ clock: { now: () => now } });
    try {
      const path = "/api/v1/orientation?commune=06027&besoin=demarches&limite=5";
      const ask = async () => (await fetch(moving.url + path)).json();
      const at10 = await ask();
      now = new Date("2026-11-18T09:00:50Z");
      assert.deepEqual(await ask(), at10);
      // 23:00 in Paris: the same places, now closed.
      now = new Date("2026-11-18T22:00:00Z");
      const at23 = await ask();
      assert.deepEqual(
        at23.resultats.map((r: { id: string }) => r.id),
        at10.resultats.map((r: { id: string }) => r.id),
      );
      assert.ok(at10.resultats.some((r: { ouverture: { ouvert: boolean } | null }) => r.ouverture?.ouvert));
      assert.ok(at23.resultats.every((r: { ouverture: { ouvert: boolean } | null }) => !r.ouverture?.ouvert));
    } finally {
      await moving.close();
    }
  });
});
