/**
 * Quartiers prioritaires and indicators over real HTTP on the loaded database (real QPV 2024 list and contours,
 * real places): the QPV count of every département equals the shipped list's; the places inside three named
 * quartiers are pinned; QPV pages and search; the contrat de ville view of an EPCI with several quartiers with a
 * target set and compared; the XLSX export read back with the same figures as the API and the page; every bad input
 * of the issue; operational indicators refused to anonymous visitors and to another territory's coordinator.
 */
import assert from "node:assert/strict";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createGunzip } from "node:zlib";
import { parse } from "csv-parse";
import readXlsxFile from "read-excel-file/node";
import { listJournal } from "../src/accounts/store.ts";
import { definitions } from "../src/indicateurs/compute.ts";
import { defUrl } from "../src/indicateurs/views.tsx";
import type { Clock } from "../src/platform/clock.ts";
import { DATA } from "../src/platform/provenance.ts";
import { resolveTerritory } from "../src/territories/resolve.ts";
import { member, organisation, PersonClient, tokenOf } from "./support/people.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

let instant = Date.parse("2026-12-02T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
let server: TestServer;
const db = () => server.ctx.database.db;
const client = () =>
  new PersonClient(
    () => server.url,
    () => (instant += 30_000),
  );
const tokens: Record<string, string> = {};

before(async () => {
  server = await startTestServer({ clock });
  const somme = await organisation(db(), clock, {
    name: "Coordination Somme (essai)",
    kind: "collectivite",
    territoryId: "80",
  });
  const creuse = await organisation(db(), clock, {
    name: "Coordination Creuse (essai)",
    kind: "collectivite",
    territoryId: "23",
  });
  const financeur = await organisation(db(), clock, {
    name: "Financeur Somme (essai)",
    kind: "autre",
    territoryId: "80",
  });
  const lieu = await organisation(db(), clock, {
    name: "Médiation Amiens (essai)",
    kind: "association",
    territoryId: "80021",
  });
  await member(db(), clock, "coordination.somme@example.org", somme, "coordinateur");
  await member(db(), clock, "coordination.creuse@example.org", creuse, "coordinateur");
  await member(db(), clock, "financeur.somme@example.org", financeur, "financeur");
  await member(db(), clock, "mediateur.amiens@example.org", lieu, "mediateur");
  for (const who of ["coordination.somme", "coordination.creuse", "financeur.somme", "mediateur.amiens"])
    tokens[who] = await tokenOf(db(), clock, `${who}@example.org`);
});
after(() => server?.close());

const json = async (path: string, token?: string) => {
  const r = await fetch(server.url + path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

/** The shipped QPV list: code → département. */
async function shippedList(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const rows = createReadStream(join(server.ctx.config.referenceDir, DATA.qpvList.path))
    .pipe(createGunzip())
    .pipe(parse({ columns: true }));
  for await (const r of rows as AsyncIterable<Record<string, string>>)
    out.set(r.code_qp as string, (r.departement as string).padStart(2, "0"));
  return out;
}

describe("quartiers prioritaires in the referential", () => {
  test("the QPV count of every département equals the shipped list's (Saint-Martin and Polynésie are outside)", async () => {
    const list = await shippedList();
    assert.equal(list.size, 1584);
    const ref = server.ctx.territories;
    const expected = new Map<string, number>();
    for (const dep of list.values()) expected.set(dep, (expected.get(dep) ?? 0) + 1);
    const deps = ref.all.filter((t) => t.kind === "departement");
    let total = 0;
    for (const d of deps) {
      assert.equal(ref.qpvsOf(d).length, expected.get(d.id) ?? 0, `département ${d.id}`);
      total += ref.qpvsOf(d).length;
    }
    assert.equal(total, 1584 - (expected.get("978") ?? 0) - (expected.get("987") ?? 0));
    assert.equal(total, 1493);
    // A multi-commune quartier belongs to each of its communes; 93059 (merged into Saint-Denis) is read as 93066.
    const roubaix = ref.get("QN05980M");
    assert.ok(roubaix && roubaix.communes.length > 1, "QN05980M spans several communes");
    assert.ok(ref.all.some((t) => t.kind === "qpv" && t.communes.includes("93066")));
  });

  test("the places inside three named quartiers (real places, real contours)", async () => {
    const inside = async (code: string) => (await server.ctx.qpv.of(code)).inside.map((p) => p.id).sort();
    assert.deepEqual(await inside("QN03107M"), [
      "lieu-476de6267701415e",
      "lieu-4d21d406f84431a8",
      "lieu-9b2f65e57c8542dd",
      "lieu-a964b551307b5975",
      "lieu-af7ad2a9d1fa33fd",
      "lieu-f54c05198e66c49c",
      "lieu-fd009ef74e34b466",
    ]);
    assert.deepEqual(await inside("QN08003M"), [
      "lieu-21bdcdc3484c3c45",
      "lieu-247193ff54a626a2",
      "lieu-3189f5dfe479372d",
      "lieu-8c63958fb0a9e27a",
      "lieu-e75167c2695a9f8b",
    ]);
    assert.deepEqual(await inside("QN05980M"), [
      "lieu-04e27eb19c5a8bd9",
      "lieu-13679c0432815d07",
      "lieu-47f66616954966a9",
      "lieu-488d38a751436c3b",
      "lieu-9d76fc3fd1ed19d3",
      "lieu-e944766410239134",
    ]);
    // Never « dans le quartier » on approximate coordinates.
    const located = await server.ctx.qpv.locate();
    for (const lists of located.byQpv.values())
      for (const p of lists.inside) assert.equal(p.flags.approximateCoordinates, false);
  });

  test("a quartier's page, reachable from its commune, EPCI and département pages and from search", async () => {
    const page = await (await fetch(`${server.url}/territoires/QN03107M`)).text();
    assert.match(page, /<h1>Grand Mirail/);
    assert.match(page, /Dans le quartier \(7\)/);
    assert.match(page, /France services La Poste du Mirail/);
    assert.match(page, /Communes du quartier/);
    for (const id of ["31555", server.ctx.territories.get("31555")?.epci ?? "", "31"]) {
      const text = await (await fetch(`${server.url}/territoires/${id}`)).text();
      assert.match(text, /href="\/territoires\/QN03107M"/, `from /territoires/${id}`);
    }
    for (const q of ["Grand Mirail", "qn03107m"]) {
      const text = await (await fetch(`${server.url}/territoires?q=${encodeURIComponent(q)}`)).text();
      assert.match(text, /QN03107M/, `search « ${q} »`);
    }
    // A commune's name stays unambiguous even when a quartier bears it (« Fourmies »).
    const r = resolveTerritory("Fourmies", {
      referential: server.ctx.territories,
      search: server.ctx.search,
    });
    assert.equal(r.kind === "found" && r.territory.kind, "commune");
  });

  test("contrats de ville are listed on the pages of the EPCI they concern", async () => {
    const epci = server.ctx.territories.get("80021")?.epci as string;
    const contrats = server.ctx.territories.contratsOf(server.ctx.territories.get(epci) as never);
    assert.ok(contrats.length >= 1);
    const text = await (await fetch(`${server.url}/territoires/${epci}`)).text();
    assert.ok(
      text.includes((contrats[0] as { name: string }).name.replaceAll("'", "&#39;")) ||
        text.includes((contrats[0] as { name: string }).name),
    );
  });
});

describe("indicators", () => {
  test("bad inputs: unknown territory (404), unknown indicator (400), future period (400), old QP code (404)", async () => {
    assert.equal((await json("/api/v1/indicateurs?territoire=Nullepart-sur-Rien")).status, 404);
    const unknown = await json("/api/v1/indicateurs?territoire=23&indicateurs=lieux.total,lieux.inexistant");
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.body.detail), /lieux\.inexistant/);
    const future = await json("/api/v1/indicateurs?territoire=23&periode=2027");
    assert.equal(future.status, 400);
    assert.match(String(future.body.detail), /dans le futur/);
    assert.equal((await json("/api/v1/indicateurs?territoire=23&periode=2026-13")).status, 400);
    const old = await json("/api/v1/indicateurs?territoire=QP066007");
    assert.equal(old.status, 404);
    assert.match(String(old.body.detail), /cet ancien quartier n'existe plus/);
    assert.match(String(old.body.detail), /Perpignan \(66136\)/);
    const elsewhere = await fetch(`${server.url}/indicateurs?territoire=QP093001`);
    assert.equal(elsewhere.status, 404);
    assert.match(
      await elsewhere.text(),
      /cet ancien quartier n&#39;existe plus|cet ancien quartier n'existe plus/,
    );
  });

  test("every figure of the page links to its definition and says its vintage; operational ones need a sign-in", async () => {
    const text = await (await fetch(`${server.url}/indicateurs?territoire=80`)).text();
    assert.match(text, /href="\/indicateurs\/definitions#lieux-qpv"/);
    assert.match(text, /connectez-vous/);
    const defs = await (await fetch(`${server.url}/indicateurs/definitions`)).text();
    for (const d of definitions(server.ctx))
      assert.ok(defs.includes(`id="${d.id.replace(/\./g, "-")}"`), d.id);
  });

  test("operational indicators: refused to anonymous (401) and to another territory's coordinator (403)", async () => {
    const op = definitions(server.ctx).find((d) => d.access === "operationnel");
    assert.ok(op, "an operational indicator is defined");
    const path = `/api/v1/indicateurs?territoire=80&indicateurs=${op.id}`;
    const expected: [string | null, number][] = [
      [null, 401],
      ["coordination.somme", 200],
      ["financeur.somme", 200],
      ["coordination.creuse", 403],
      ["mediateur.amiens", 403],
    ];
    for (const [who, status] of expected) {
      const r = await json(path, who ? tokens[who] : undefined);
      assert.equal(r.status, status, `${who ?? "anonyme"}`);
    }
    // In a quartier of the Somme: the Somme's coordinator yes, Creuse's no.
    assert.equal(
      (
        await json(
          `/api/v1/indicateurs?territoire=QN08003M&indicateurs=${op.id}`,
          tokens["coordination.somme"],
        )
      ).status,
      200,
    );
    assert.equal(
      (
        await json(
          `/api/v1/indicateurs?territoire=QN08003M&indicateurs=${op.id}`,
          tokens["coordination.creuse"],
        )
      ).status,
      403,
    );
    // Public indicators stay public; the anonymous dashboard shows no operational figure.
    const pub = await json("/api/v1/indicateurs?territoire=80");
    assert.equal(pub.status, 200);
    const ids = (pub.body.indicateurs as { id: string; acces: string }[]).map((i) => i.acces);
    assert.ok(ids.every((a) => a === "public"));
  });

  test("the XLSX export reads back with the same figures as the API and the CSV, with a definitions sheet", async () => {
    const api = await json("/api/v1/indicateurs?territoire=QN08003M&periode=2026");
    const values = new Map(
      (api.body.indicateurs as { id: string; valeur: { valeur: number | null } }[]).map((i) => [
        i.id,
        i.valeur.valeur,
      ]),
    );
    assert.equal(values.get("lieux.total"), 5);
    const res = await fetch(`${server.url}/indicateurs.xlsx?territoire=QN08003M&periode=2026`);
    assert.equal(res.status, 200);
    const buffer = Buffer.from(await res.arrayBuffer());
    const sheets = await readXlsxFile(buffer);
    assert.deepEqual(
      sheets.map((x) => x.sheet),
      ["Indicateurs", "Définitions", "À propos"],
    );
    const rows = sheets[0]?.data as unknown[][];
    assert.equal(rows[0]?.[0], "Identifiant");
    let compared = 0;
    for (const r of rows.slice(1)) {
      const id = r[0] as string;
      const cell = r[4];
      const v = values.get(id);
      if (typeof v === "number") {
        assert.equal(typeof cell, "number", `${id} is a number cell`);
        assert.equal(cell, v, id);
        compared++;
      }
    }
    assert.ok(compared >= 10, `${compared} figures compared`);
    const defs = sheets[1]?.data as unknown[][];
    assert.equal(defs.length - 1, rows.length - 1);
    const csv = await (await fetch(`${server.url}/indicateurs.csv?territoire=QN08003M&periode=2026`)).text();
    assert.match(csv, /^identifiant;indicateur/);
    assert.match(csv, /\nlieux\.total;Lieux d'inclusion numérique;Lieux;lieux;5;/);
    // The page shows the same figures in its first column (French number formats read back).
    const page = await (await fetch(`${server.url}/indicateurs?territoire=QN08003M&periode=2026`)).text();
    let onPage = 0;
    for (const r of rows.slice(1)) {
      if (typeof r[4] !== "number") continue;
      const anchor = String(r[0]).replace(/\./g, "-");
      const m = new RegExp(`definitions#${anchor}"[^]*?</th><td class="num"><span[^>]*>([^<]*)`).exec(page);
      assert.ok(m, `${r[0]} on the page`);
      const shown = Number((m[1] ?? "").replace(/[\s\u00a0%]/g, "").replace(",", "."));
      assert.equal(shown, r[4], `${r[0]}: page ${m[1]}, XLSX ${r[4]}`);
      onPage++;
    }
    assert.equal(onPage, compared);
  });

  test("a coordinator sees the activity figures of their territory, with months; not those of France", async () => {
    const c = client();
    await c.login("coordination.somme@example.org");
    const page = await c.get("/indicateurs?territoire=80&periode=2026");
    assert.equal(page.status, 200);
    assert.match(page.text, /<h2 id="famille-diagnostics">Diagnostics<\/h2>/);
    assert.match(page.text, /Évolution par mois/);
    assert.match(page.text, /réservé aux coordinateurs et financeurs de ce territoire/, "the France column");
    assert.equal(page.headers.get("cache-control"), "private, no-store");
    const other = client();
    await other.login("coordination.creuse@example.org");
    const refused = await other.get("/indicateurs?territoire=80&periode=2026");
    assert.equal(refused.status, 200);
    assert.doesNotMatch(refused.text, /famille-diagnostics/);
    assert.match(refused.text, /hors de votre territoire/);
  });
});

describe("contrat de ville", () => {
  test("an EPCI with several quartiers: CNV indicators per quartier, a target set by its coordinator and compared", async () => {
    const ref = server.ctx.territories;
    const epci = ref.get("80021")?.epci as string;
    const qpvs = ref.qpvsOf(ref.get(epci) as never);
    assert.ok(qpvs.length >= 3, `${qpvs.length} quartiers`);
    const anon = await (
      await fetch(`${server.url}/indicateurs/contrat-de-ville?territoire=${epci}&annee=2026`)
    ).text();
    for (const q of qpvs) assert.ok(anon.includes(q.name.replaceAll("'", "&#39;")), q.name);
    assert.match(anon, /Reste du territoire/);
    assert.match(anon, /nombre de lieux d&#39;accueil dans les QPV|nombre de lieux d'accueil dans les QPV/);
    assert.doesNotMatch(anon, /Fixer un objectif/);

    const other = client();
    await other.login("coordination.creuse@example.org");
    await other.get(`/indicateurs/contrat-de-ville?territoire=${epci}`);
    const refused = await other.request("/indicateurs/objectifs", {
      form: {
        _csrf: other.csrf || "x",
        territoire: epci,
        zone: "QN08003M",
        indicateur: "lieux.total",
        annee: "2026",
        valeur: "6",
      },
    });
    assert.equal(refused.status, 403);

    const c = client();
    await c.login("coordination.somme@example.org");
    const page = await c.get(`/indicateurs/contrat-de-ville?territoire=${epci}&annee=2026`);
    assert.match(page.text, /Fixer un objectif/);
    const bad = await c.post("/indicateurs/objectifs", {
      territoire: epci,
      zone: "QN08003M",
      indicateur: "lieux.total",
      annee: "2026",
      valeur: "-3",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /nombre positif/);
    const outside = await c.post("/indicateurs/objectifs", {
      territoire: epci,
      zone: "QN03107M",
      indicateur: "lieux.total",
      annee: "2026",
      valeur: "3",
    });
    assert.equal(outside.status, 400);
    const ok = await c.post("/indicateurs/objectifs", {
      territoire: epci,
      zone: "QN08003M",
      indicateur: "lieux.total",
      annee: "2026",
      valeur: "8",
    });
    assert.equal(ok.status, 303);
    const shown = await c.get(ok.location as string);
    assert.match(shown.text, /Objectif enregistré/);
    assert.match(shown.text, /objectif 2026 : 8 \(atteint à 63 %\)/);
    const j = (await listJournal(db(), { action: "objectif.fixer", limit: 1, offset: 0 })).entries[0];
    assert.equal(j?.territoryId, "QN08003M");
    // Undo: the target removed (empty value) is journaled too and no longer shown.
    const undo = await c.post("/indicateurs/objectifs", {
      territoire: epci,
      zone: "QN08003M",
      indicateur: "lieux.total",
      annee: "2026",
      valeur: "",
    });
    assert.equal(undo.status, 303);
    assert.doesNotMatch((await c.get(undo.location as string)).text, /objectif 2026 : 8/);
  });

  test("a territory without quartier, or a département, is refused with a French message", async () => {
    const r = await fetch(`${server.url}/indicateurs/contrat-de-ville?territoire=23008`);
    assert.equal(r.status, 400);
    assert.match(await r.text(), /pas de quartier prioritaire/);
    assert.equal((await fetch(`${server.url}/indicateurs/contrat-de-ville?territoire=80`)).status, 400);
  });
});

// The printable portrait without a browser (its printed pages and axe: test/e2e/portrait.test.ts).
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
