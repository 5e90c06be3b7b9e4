/**
 * Sources and dates on the public pages, on the real data: « Sources des données » lists every file that
 * data/PROVENANCE.md describes and every source of places imported, with its date; no page shows the epoch (a
 * missing date); a service that no loaded source lists is said so instead of a coverage of 0 %.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { NO_SOURCE } from "../src/coverage/format.ts";
import { SERVICES } from "../src/places/describe.ts";
import { SHIPPED_FILES } from "../src/platform/provenance.ts";
import { DATA_DIR } from "./support/paths.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

async function page(path: string): Promise<string> {
  const res = await fetch(server.url + path);
  assert.equal(res.status, 200, path);
  return res.text();
}

/** The text a person reads: tags removed, entities of the renderer decoded, spaces collapsed. */
const visible = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, " ");

/** The rows of a table marked with `data-<attr>="…"`, by that value. */
function rowsBy(html: string, attr: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(new RegExp(`<tr[^>]*data-${attr}="([^"]+)"[^>]*>([\\s\\S]*?)</tr>`, "g")))
    out.set(m[1] as string, visible(m[2] as string));
  return out;
}

/** The files data/PROVENANCE.md describes: the path in backquotes opening each `### ` heading. */
function provenanceHeadings(): string[] {
  const text = readFileSync(join(DATA_DIR, "PROVENANCE.md"), "utf8");
  return [...text.matchAll(/^### `([^`]+)`/gm)].map((m) => {
    const path = m[1] as string;
    // « geo/communes-par-departement/communes-<dep>-<nom>.geojson.gz »: one heading for a folder of files.
    return path.includes("<") ? dirname(path) : path;
  });
}

describe("« Sources des données » (/a-propos/donnees)", () => {
  test("PROVENANCE.md and the provenance list of the code name the same files, and they exist", () => {
    const documented = provenanceHeadings();
    const listed = SHIPPED_FILES.map((f) => f.path);
    assert.deepEqual([...documented].sort(), [...listed].sort());
    for (const p of listed) {
      const where = p.startsWith("src/") ? join(DATA_DIR, "..", p) : join(DATA_DIR, p);
      assert.ok(existsSync(where), `${p} n'existe pas`);
    }
    for (const f of SHIPPED_FILES) {
      for (const field of ["title", "publisher", "vintage", "licence", "link", "feeds"] as const)
        assert.ok(f[field].trim().length > 0, `${f.path}: ${field} vide`);
      assert.match(f.link, /^https:\/\//);
    }
  });

  test("the page lists every documented file with its publisher, date, licence and use", async () => {
    const html = await page("/a-propos/donnees");
    const rows = rowsBy(html, "fichier");
    assert.deepEqual([...rows.keys()].sort(), [...provenanceHeadings()].sort());
    for (const f of SHIPPED_FILES) {
      const row = rows.get(f.path) as string;
      for (const part of [f.title, f.publisher, f.vintage, f.licence, f.feeds])
        assert.ok(row.includes(part), `${f.path}: « ${part} » absent de « ${row} »`);
      assert.ok(html.includes(`href="${f.link}"`), f.link);
    }
    // The vintages the field asked for, as written on the page.
    const text = visible(html);
    for (const v of ["IFN 2023", "1er août 2024", "décembre 2022", "17 mai 2023"])
      assert.ok(text.includes(v), v);
  });

  test("the page lists every source of places imported, with its file, its date and when it was imported", async () => {
    const sources = await server.ctx.places.sources();
    assert.deepEqual(sources.map((s) => s.source).sort(), [
      "conseillers-numeriques",
      "france-services",
      "hub-du-sud",
    ]);
    const rows = rowsBy(await page("/a-propos/donnees"), "source");
    assert.deepEqual([...rows.keys()].sort(), sources.map((s) => s.source).sort());
    for (const s of sources) {
      const row = rows.get(s.source) as string;
      const shipped = SHIPPED_FILES.find((f) => f.path.endsWith(`/${s.file}`));
      assert.ok(shipped, s.file);
      assert.ok(row.includes(s.file), row);
      assert.ok(row.includes(shipped.vintage), `${s.source}: ${row}`);
      assert.match(row, /\d{4} [\d\s\u202f]+$/, `${s.source}: date d'import et nombre de fiches (${row})`);
    }
  });
});

describe("dates", () => {
  test("a place whose source gives the epoch says « date inconnue », never 1970 (page and API)", async () => {
    const epoch = (await server.ctx.places.all()).filter((p) => p.standard.date_maj.startsWith("1970"));
    // 99 records of the Hub du Sud 2023 carry 1970-01-01 for « no date ».
    assert.ok(epoch.length > 50, `${epoch.length}`);
    for (const p of epoch.slice(0, 20)) {
      const text = visible(await page(`/lieux/${encodeURIComponent(p.id)}`));
      assert.ok(!text.includes("1970"), `/lieux/${p.id}`);
      assert.ok(text.includes("Dernière mise à jour : date inconnue."), `/lieux/${p.id}`);
    }
    const first = epoch[0];
    assert.ok(first);
    const api = (await (
      await fetch(`${server.url}/api/v1/lieux/${encodeURIComponent(first.id)}`)
    ).json()) as {
      sources: { dateMaj: string | null }[];
    };
    assert.ok(api.sources.some((s) => s.dateMaj === null));
    assert.ok(api.sources.every((s) => s.dateMaj === null || /^20\d\d-\d\d-\d\d$/.test(s.dateMaj)));
  });

  test("no public page of the real data shows « 1970 »", async () => {
    const paths = [
      "/",
      "/a-propos/donnees",
      "/territoires/13",
      "/territoires/13001",
      "/territoires/23",
      "/lieux?territoire=13",
      "/lieux?territoire=13&page=2",
      "/lieux?territoire=06",
      "/fragilite?territoire=13",
      "/couverture?territoire=13",
      "/trouver?commune=13001",
      "/api",
    ];
    for (const path of paths) assert.ok(!visible(await page(path)).includes("1970"), path);
  });
});

describe("services that no loaded source lists", () => {
  test("the real data has such a service, and the coverage pages say so instead of 0 %", async () => {
    const places = await server.ctx.places.all();
    const absent = SERVICES.filter((s) => !places.some((p) => p.location && p.standard.services.includes(s)));
    // In the shipped sources, « Utilisation sécurisée du numérique » is not listed by any place.
    assert.ok(absent.includes("Utilisation sécurisée du numérique"), absent.join(", "));
    const listed = SERVICES.filter((s) => !absent.includes(s));
    for (const service of absent) {
      const text = visible(await page(`/couverture?territoire=13&service=${encodeURIComponent(service)}`));
      const summary = text.slice(text.indexOf("En résumé"), text.indexOf("Par service et par dispositif"));
      assert.ok(summary.includes(`service « ${service} » : ${NO_SOURCE}.`), summary);
      // No coverage figure for it: neither the share of inhabitants nor those « loin de toute aide ».
      assert.ok(!summary.includes("des habitants de") && !summary.includes("restent loin"), summary);
      assert.ok(!text.includes("Les manques"), "pas de liste de manques pour un service que rien ne recense");
      // The table by service says it on the service's row, with figures for the others.
      const table = text.slice(text.indexOf("Par service et par dispositif"));
      assert.ok(table.includes(`${service} ${NO_SOURCE}`), table.slice(0, 2000));
    }
    const other = visible(
      await page(`/couverture?territoire=13&service=${encodeURIComponent(listed[0] ?? "")}`),
    );
    assert.ok(!other.slice(0, other.indexOf("Par service")).includes(NO_SOURCE));
    // On the page of one commune, the distance table says it too.
    const commune = visible(await page("/couverture?territoire=13001"));
    for (const service of absent) assert.ok(commune.includes(`${service} ${NO_SOURCE}`), service);
  });
});

describe("services that only another region's source lists", () => {
  test("in the Creuse, a service listed only by the PACA hub is unknown, not 0 %; in its région it has figures", async () => {
    const places = (await server.ctx.places.all()).filter((p) => p.location && p.communeCode);
    const dep = (p: (typeof places)[number]) => server.ctx.territories.get(p.communeCode ?? "")?.departement;
    const sourcesIn23 = new Set(
      places.filter((p) => dep(p) === "23").flatMap((p) => p.provenance.map((r) => r.source)),
    );
    // Services some source lists, but none of the sources that have places in the Creuse: the real data has some.
    const elsewhere = SERVICES.filter(
      (s) =>
        places.some((p) => p.standard.services.includes(s)) &&
        !places.some(
          (p) => p.standard.services.includes(s) && p.provenance.some((r) => sourcesIn23.has(r.source)),
        ),
    );
    assert.ok(elsewhere.length > 0, "a service listed by a regional source only");
    const creuse = visible(await page("/couverture?territoire=23"));
    const table = creuse.slice(creuse.indexOf("Par service et par dispositif"));
    for (const service of elsewhere) {
      assert.ok(table.includes(`${service} ${NO_SOURCE}`), `${service} : ${table.slice(0, 1500)}`);
      assert.ok(!table.includes(`${service} 0 %`), service);
    }
    // The Bouches-du-Rhône, where the hub has places: the same services have figures.
    const bdr = visible(await page("/couverture?territoire=13"));
    const bdrTable = bdr.slice(bdr.indexOf("Par service et par dispositif"));
    for (const service of elsewhere) assert.ok(!bdrTable.includes(`${service} ${NO_SOURCE}`), service);
  });
});

describe("dates beside figures", () => {
  test("fragility figures say the IFN vintage; coverage and places figures say the places' sources and dates", async () => {
    assert.ok(visible(await page("/fragilite?territoire=13")).includes("Données : IFN 2023 de La MedNum"));
    const territory = visible(await page("/territoires/13"));
    assert.ok(territory.includes("données : IFN 2023 de La MedNum."), "section fragilité");
    assert.ok(
      territory.includes("Lieux comptés : Lieux des conseillers numériques (ANCT), décembre 2022 ;"),
      "section couverture",
    );
    assert.ok(
      territory.includes("Sources : Lieux des conseillers numériques (ANCT), décembre 2022 ;"),
      "section lieux",
    );
    const list = visible(await page("/lieux?territoire=13"));
    assert.ok(list.includes("France Services (ANCT), liste du 1er août 2024"));
    assert.ok(list.includes("Hub du Sud (Provence-Alpes-Côte d'Azur), mai 2023"));
    const coverage = visible(await page("/couverture?territoire=13"));
    assert.ok(coverage.includes("Lieux comptés (tout lieu de médiation) : Lieux des conseillers numériques"));
  });
});
