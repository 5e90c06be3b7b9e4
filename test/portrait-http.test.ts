/**
 * The printable territory portrait without a browser: bad input (unknown territory, old QP code, future period),
 * what an anonymous visitor sees (no operational figure), the sections and their sources. The printed page count
 * and the accessibility checks are in test/e2e/portrait.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { definitions } from "../src/indicateurs/compute.ts";
import { defUrl } from "../src/indicateurs/views.tsx";
import { startTestServer } from "./support/server.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const get = (path: string) => fetch(server.url + path, { redirect: "manual" });

describe("territory portrait over HTTP", () => {
  test("bad input: unknown territory 404, old QP code 404 (« n'existe plus »), future period 400", async () => {
    const unknown = await get("/indicateurs/portrait?territoire=Nullepart-sur-Rien");
    assert.equal(unknown.status, 404);
    const old = await get("/indicateurs/portrait?territoire=QP023001");
    assert.equal(old.status, 404);
    assert.match(await old.text(), /n'existe plus/);
    const future = await get("/indicateurs/portrait?territoire=23&periode=2999");
    assert.equal(future.status, 400);
    assert.match(await future.text(), /dans le futur/);
  });

  test("Creuse, anonymous: the sections, the sources, no operational figure", async () => {
    const res = await get("/indicateurs/portrait?territoire=23");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("cache-control") ?? "", /public/);
    const html = await res.text();
    assert.match(html, /<h1>Portrait numérique — Creuse<\/h1>/);
    for (const h of [
      "En bref",
      "Fragilité numérique et ses causes",
      "L'offre d'aide au numérique",
      "Les manques",
      "Activité",
      "Quartiers prioritaires",
      "Sources",
    ])
      assert.ok(html.includes(h), h);
    // The fragility map of its 255 communes, the causes, the gaps and the planner's proposal.
    assert.equal(html.match(/<path class="area/g)?.length, 255);
    assert.match(html, /Les causes : score moyen de chaque composante/);
    assert.match(html, /Les communes fragiles loin de toute aide|Toutes les communes fragiles ont un lieu/);
    assert.match(html, /Les sites proposés, dans l'ordre/);
    // Every key figure links to its definition; sources are numbered and listed.
    for (const id of ["population.totale", "lieux.total", "couverture.part_a_portee", "ifn.indice"])
      assert.ok(html.includes(`href="${defUrl(id)}"`), id);
    assert.match(html, /<li id="source-1">/);
    assert.match(html, /href="#source-1"/);
    // Anonymous: the activity figures are replaced by one sentence.
    assert.match(html, /Ces chiffres sont réservés aux coordinateurs et financeurs du territoire/);
    for (const d of definitions(server.ctx).filter((x) => x.access === "operationnel"))
      assert.ok(!html.includes(`href="${defUrl(d.id)}"`), d.id);
  });

  test("a département with many quartiers lists the 15 with the most places and counts the rest", async () => {
    const html = await (await get("/indicateurs/portrait?territoire=13")).text();
    const total = server.ctx.territories.qpvsOf(server.ctx.territories.get("13") ?? null).length;
    assert.ok(total > 15, `${total} QPV`);
    assert.ok(html.includes(`${total} quartiers prioritaires (liste 2024)`));
    assert.ok(html.includes(`Et ${total - 15} autres quartiers`));
    const table = html.slice(html.indexOf("Les lieux dans les quartiers prioritaires et à moins de 300 m"));
    assert.equal(table.slice(0, table.indexOf("</table>")).match(/<tr>/g)?.length, 16);
  });

  test("any territory: a commune, a quartier, a région and France have their portrait", async () => {
    const ref = server.ctx.territories;
    const qpv = ref.qpvsOf(ref.get("23096") ?? null)[0];
    assert.ok(qpv);
    for (const [t, name] of [
      ["23096", "Guéret"],
      [qpv.id, qpv.name],
      ["region-75", "Nouvelle-Aquitaine"],
      ["france", "France"],
    ] as const) {
      const res = await get(`/indicateurs/portrait?territoire=${encodeURIComponent(t)}`);
      assert.equal(res.status, 200, t);
      const html = await res.text();
      assert.ok(html.includes(`Portrait numérique — ${name}`), t);
      assert.match(html, /<h2 id="sources">Sources<\/h2>/);
    }
  });
});
