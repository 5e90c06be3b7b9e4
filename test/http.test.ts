import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ROUTE_ACCESS } from "../src/accounts/access.ts";
import { startTestServer } from "./support/server.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  server = await startTestServer({
    configure(app) {
      // Two routes that fail on purpose, to see what people get from an unexpected error (public, as in the table).
      Object.assign(ROUTE_ACCESS, { "GET /test-panne": "public", "GET /api/v1/test-panne": "public" });
      app.get("/test-panne", () => {
        throw new Error("secret internal detail");
      });
      app.get("/api/v1/test-panne", () => {
        throw new Error("secret internal detail");
      });
    },
  });
});
after(() => server.close());

const get = (path: string, init?: RequestInit) => fetch(server.url + path, { redirect: "manual", ...init });

describe("territory API", () => {
  test("GET /api/v1/territoires?q= returns ranked results with their context", async () => {
    const res = await get("/api/v1/territoires?q=st-etienne&limit=3");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await res.json();
    assert.equal(body.requete, "st-etienne");
    assert.equal(body.limite, 3);
    assert.equal(body.resultats.length, 3);
    assert.equal(body.resultats[0].id, "42218");
    assert.equal(body.resultats[0].correspondance, "exact");
    assert.equal(body.resultats[0].url, "/territoires/42218");
    assert.match(body.resultats[0].libelle, /^commune · Loire \(42\) · 1\d\d\s\d{3} habitants$/);
  });

  test("paging and filtering by type", async () => {
    const p1 = await (await get("/api/v1/territoires?q=saint&limit=5")).json();
    const p2 = await (await get("/api/v1/territoires?q=saint&limit=5&offset=5")).json();
    assert.equal(p1.total, p2.total);
    assert.notEqual(p1.resultats[0].id, p2.resultats[0].id);
    const deps = await (await get("/api/v1/territoires?q=saint&type=departement,region&limit=50")).json();
    assert.ok(deps.resultats.length > 0);
    assert.ok(deps.resultats.every((r: { type: string }) => r.type === "departement" || r.type === "region"));
  });

  test("one territory by id, with its parents", async () => {
    const body = await (await get("/api/v1/territoires/69383")).json();
    assert.equal(body.nom, "Lyon 3e Arrondissement");
    assert.deepEqual(
      body.parents.map((p: { id: string }) => p.id),
      ["69123", "69", "region-84"],
    );
  });

  test("bad input gives 400 problem+json in French, never a 500", async () => {
    for (const [path, detail] of [
      ["/api/v1/territoires?q=", /Tapez le nom ou le code/],
      ["/api/v1/territoires", /q : paramètre obligatoire/],
      [
        `/api/v1/territoires?q=${"a".repeat(500)}`,
        /q est trop long \(500 caractères\) : 100 caractères au plus/,
      ],
      ["/api/v1/territoires?q=lyon&limit=0", /limit doit valoir au moins 1/],
      ["/api/v1/territoires?q=lyon&limit=abc", /limit/],
      ["/api/v1/territoires?q=lyon&offset=-1", /offset ne peut pas être négatif/],
      ["/api/v1/territoires?q=lyon&type=ville", /type inconnu « ville »/],
    ] as const) {
      const res = await get(path);
      assert.equal(res.status, 400, path);
      assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/);
      const body = await res.json();
      assert.equal(body.status, 400);
      assert.match(body.detail, detail, path);
    }
  });

  test("unknown territory or API address: 404 problem+json", async () => {
    for (const path of ["/api/v1/territoires/99999", "/api/v1/nimporte-quoi"]) {
      const res = await get(path);
      assert.equal(res.status, 404);
      assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/);
      assert.equal((await res.json()).status, 404);
    }
  });
});

describe("pages", () => {
  test("empty and 500-character queries give a helpful page, not an error", async () => {
    const empty = await get("/territoires?q=%20%20");
    assert.equal(empty.status, 400);
    assert.match(await empty.text(), /Tapez le nom ou le code/);
    const long = await get(`/territoires?q=${"é".repeat(500)}`);
    assert.equal(long.status, 400);
    const html = await long.text();
    assert.match(html, /Votre recherche est trop longue \(500 caractères\)/);
  });

  test("a repeated query parameter: a French error page from the schema layer, not JSON", async () => {
    const res = await get("/territoires?q=lyon&q=paris");
    assert.equal(res.status, 400);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await res.text(), /q : une seule valeur attendue \(le paramètre est donné 2 fois\)/);
  });

  test("a single postcode or code match redirects to the territory; several show a list", async () => {
    const one = await get("/territoires?q=42000");
    assert.equal(one.status, 303);
    assert.equal(one.headers.get("location"), "/territoires/42218");
    const many = await get("/territoires?q=69003");
    assert.equal(many.status, 200);
    assert.match(await many.text(), /Lyon 3e Arrondissement/);
  });

  test("search results are paged", async () => {
    const html = await (await get("/territoires?q=saint&page=2")).text();
    assert.match(html, /Page 2 sur \d+/);
    assert.match(html, /href="\/territoires\?q=saint&amp;page=1"/);
  });

  test("text from the address is escaped in the page", async () => {
    const html = await (await get("/territoires?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")).text();
    assert.ok(!html.includes("<script>alert(1)</script>"));
    assert.match(html, /« &lt;script>alert\(1\)&lt;\/script> »/);
  });

  test("children lists are paged: the 255 communes of the Creuse, 100 per page", async () => {
    const html = await (await get("/territoires/23?communes=3")).text();
    assert.match(html, /Communes <span class="muted">\(255\)<\/span>/);
    assert.match(html, /Page 3 sur 3/);
  });

  test("unknown territory: a French 404 page", async () => {
    const res = await get("/territoires/99999");
    assert.equal(res.status, 404);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await res.text(), /Aucun territoire n'a le code « 99999 »/);
  });

  test("an unexpected error: a French 500 page and problem+json, without internal details", async () => {
    const page = await get("/test-panne");
    assert.equal(page.status, 500);
    const html = await page.text();
    assert.match(html, /Le service a un problème/);
    assert.ok(!html.includes("secret internal detail"));
    const api = await get("/api/v1/test-panne");
    assert.equal(api.status, 500);
    const body = await api.text();
    assert.ok(!body.includes("secret internal detail"));
    assert.equal(JSON.parse(body).status, 500);
  });

  test("security headers and compression", async () => {
    const res = await get("/territoires/23", { headers: { "accept-encoding": "gzip" } });
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("content-encoding"), "gzip");
  });
});
