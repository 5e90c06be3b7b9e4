import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer } from "./support/server.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const get = (path: string) => fetch(server.url + path, { redirect: "manual" });

describe("fragility pages and API", () => {
  test("France: the départements, mapped and tabled; a département: its communes", async () => {
    const fr = await (await get("/fragilite")).text();
    assert.match(fr, /Carte des départements/);
    assert.match(fr, /Tous les départements <span class="muted">\(101\)<\/span>/);
    const creuse = await get("/fragilite?territoire=23");
    assert.equal(creuse.status, 200);
    const html = await creuse.text();
    assert.match(html, /Fragilité numérique : Creuse/);
    assert.match(html, /Toutes les communes <span class="muted">\(255\)<\/span>/);
    assert.match(html, /<svg class="map"[^>]*role="img"/);
    assert.match(html, /des habitants vivent dans une commune au score de 7 ou plus/);
    // The table is sortable by links and paged (255 communes, 100 per page).
    assert.match(html, /Page 1 sur 3/);
    const byName = await (await get("/fragilite?territoire=23&tri=nom&ordre=asc&page=1")).text();
    assert.match(byName, /aria-sort="ascending"/);
  });

  test("a name finds its territory; an ambiguous one lists the choices", async () => {
    const one = await (await get(`/fragilite?territoire=${encodeURIComponent("Guéret")}`)).text();
    assert.match(one, /Fragilité numérique : Guéret/);
    assert.match(one, /Pourquoi ce score \?/);
    // The field then shows the name, not what was typed or a code.
    assert.match(one, /<input type="text" id="territoire" name="territoire" value="Guéret"/);
    const byCode = await (await get("/fragilite?territoire=23096")).text();
    assert.match(byCode, /<input type="text" id="territoire" name="territoire" value="Guéret"/);
    // Four communes are called Saint-Martin: « Laquelle ? », with each one's département, and no score shown.
    const many = await get("/fragilite?territoire=Saint-Martin");
    assert.equal(many.status, 200);
    const html = await many.text();
    assert.match(html, /Plusieurs territoires correspondent à « Saint-Martin ». Laquelle \?/);
    assert.match(
      html,
      /href="\/fragilite\?territoire=32389&amp;methode=officiel-2023">Saint-Martin \(Gers\)<span class="meta">commune · Gers \(32\)/,
    );
    assert.doesNotMatch(html, /Pourquoi ce score/);
    // A name that matches nothing exactly: close names, never a guess.
    const close = await get("/fragilite?territoire=saint");
    assert.equal(close.status, 400);
    assert.match(await close.text(), /Vouliez-vous dire :/);
  });

  test("bad input: unknown method, unknown territory, too long — a French message, never a 500", async () => {
    const m = await get("/fragilite?territoire=23&methode=inconnue");
    assert.equal(m.status, 400);
    assert.match(await m.text(), /Méthode inconnue « inconnue »/);
    const t = await get("/fragilite?territoire=zzqxw");
    assert.equal(t.status, 400);
    assert.match(await t.text(), /Aucun territoire ne correspond à « zzqxw »/);
    const long = await get(`/fragilite?territoire=${"a".repeat(300)}`);
    assert.equal(long.status, 400);
    for (const path of [
      "/fragilite?territoire=23&territoire=87",
      `/fragilite?territoire=${"a".repeat(600)}`,
      "/fragilite.csv?methode=a&methode=b",
    ]) {
      const r = await get(path);
      assert.equal(r.status, 400, path);
      assert.match(await r.text(), /une seule fois, en moins de 500 caractères/, path);
    }
    const twice = await get("/api/v1/fragilite?territoire=23&territoire=87");
    assert.equal(twice.status, 400);
    assert.match(
      (await twice.json()).detail,
      /^territoire : une seule valeur attendue \(le paramètre est donné 2 fois\)\.$/,
    );
    const api = await get("/api/v1/fragilite?territoire=Saint-Martin");
    assert.equal(api.status, 400);
    assert.match(api.headers.get("content-type") ?? "", /application\/problem\+json/);
    const problem = await api.json();
    assert.match(problem.detail, /Plusieurs territoires correspondent à « Saint-Martin »/);
    assert.deepEqual(
      problem.candidats.map((c: { id: string }) => c.id),
      ["67426", "32389", "65392", "54480"],
    );
  });

  test("API: a commune's explained score, a département's aggregate and communes", async () => {
    const c = await (await get("/api/v1/fragilite?territoire=23096&methode=officiel-2023")).json();
    assert.equal(c.territoire.nom, "Guéret");
    assert.equal(c.methode.id, "officiel-2023");
    assert.match(c.resume, /^Score \d,\d\/10/);
    assert.equal(c.indicateurs.length, 5);
    const sum = c.indicateurs.reduce((s: number, l: { contribution: number }) => s + l.contribution, 0);
    assert.ok(Math.abs(sum - c.score) < 1e-3, "the contributions add up to the score");
    const d = await (await get("/api/v1/fragilite?territoire=23&methode=maillage-2025")).json();
    assert.equal(d.resultats.length, 255);
    assert.ok(d.agregat.score > 0 && d.agregat.score <= 10);
  });

  test("CSV export of a territory's communes", async () => {
    const res = await get("/fragilite.csv?territoire=23");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/csv/);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a BOM, so that spreadsheets read UTF-8");
    const lines = bytes.subarray(3).toString("utf8").trim().split("\r\n");
    assert.equal(lines[0], "code,nom,type,population,score,methode,version");
    assert.equal(lines.length, 256);
    assert.match(
      lines.find((l) => l.startsWith("23096,")) ?? "",
      /^23096,Guéret,commune,\d+,\d\.\d{4},officiel-2023,[0-9a-f]{64}$/,
    );
  });

  test("the territory page has its 'Fragilité numérique' section", async () => {
    const html = await (await get("/territoires/23096")).text();
    assert.match(html, /<h2 id="section-fragilite">Fragilité numérique<\/h2>/);
    assert.match(html, /Détail du score de Guéret/);
    const dep = await (await get("/territoires/23")).text();
    assert.match(dep, /Score moyen : <strong>\d,\d\/10<\/strong>/);
    // Its map: its communes coloured by their score (one area per commune with a boundary), with the legend;
    // the key figures come before the long list of communes.
    const map = dep.match(/<figure class="territory-map">.*?<\/figure>/s)?.[0] ?? "";
    assert.match(map, /aria-label="Les communes de Creuse selon leur fragilité numérique"/);
    const areas = [
      ...map.matchAll(
        /<path class="area[^"]*" d="M[^"]+"[^>]*( fill="#[0-9a-f]{6}")?[^>]*><title>([^<]+) : (\d,\d\/10|non calculé)<\/title>/g,
      ),
    ];
    assert.ok(areas.length >= 250, String(areas.length));
    assert.ok(areas.some((a) => a[2] === "Guéret"));
    assert.match(map, /Légende de la carte : score de fragilité sur 10/);
    assert.ok(dep.indexOf('id="section-fragilite"') < dep.indexOf('id="groupe-'), "figures before the lists");
  });
});
