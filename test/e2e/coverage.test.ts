import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { distance } from "geokdbush";
import { browserJourney, browserSkip, checkPage, withPage } from "../support/browser.ts";
import { cli } from "../support/cli.ts";
import { preparedDataDir } from "../support/server.ts";

const journey = browserJourney();

const get = (path: string) => fetch(journey.server.url + path);
const post = (body: unknown) =>
  fetch(`${journey.server.url}/api/v1/planification`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

interface Indicator {
  aide: string;
  population: number;
  populationCouverte: number;
  communesFragiles: number;
  communesFragilesSansLieuSurPlace: number;
  partCommunesFragilesSansLieuSurPlace: number;
  communesSansAucunLieu: number;
}

async function problem(res: Response, status: number, detail: RegExp): Promise<void> {
  assert.equal(res.status, status);
  assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/);
  const body = (await res.json()) as { detail: string };
  assert.match(body.detail, detail);
}

describe("coverage API on the shipped data", () => {
  test("Creuse: 13 layers, distances equal the brute-force nearest place over all of France", async () => {
    const res = await get("/api/v1/couverture?territoire=23");
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      indicateurs: Indicator[];
      communes: { code: string; distancesKm: Record<string, number | null> }[];
      manques: { population: number; indice: number }[];
    };
    assert.equal(body.indicateurs.length, 13);
    assert.equal(body.communes.length, 255);
    const places = (await journey.server.ctx.places.all()).filter((p) => p.location);
    for (const c of body.communes.filter((_, i) => i % 15 === 0)) {
      const t = journey.server.ctx.territories.get(c.code);
      assert.ok(t?.lat !== null && t?.lat !== undefined && t.lon !== null);
      const fs = places.filter((p) => p.standard.dispositif_programmes_nationaux.includes("France Services"));
      for (const [key, list] of [
        ["tous", places],
        ["France Services", fs],
      ] as const) {
        let best = Number.POSITIVE_INFINITY;
        for (const p of list)
          best = Math.min(best, distance(t.lon, t.lat, p.location?.lon ?? 0, p.location?.lat ?? 0));
        assert.ok(
          Math.abs((c.distancesKm[key] ?? -1) - Math.round(best * 1.3 * 100) / 100) < 0.011,
          `${c.code} ${key}`,
        );
      }
    }
    for (let i = 1; i < body.manques.length; i++)
      assert.ok((body.manques[i - 1]?.population ?? 0) >= (body.manques[i]?.population ?? 0));
  });

  test("the seed's '26 %' figure for a real département: Creuse, fragile communes without a conseiller numérique", async () => {
    const body = (await (await get("/api/v1/couverture?territoire=23")).json()) as {
      indicateurs: Indicator[];
    };
    const cn = body.indicateurs.find((i) => i.aide === "Conseillers numériques");
    assert.equal(cn?.communesFragiles, 217);
    assert.equal(cn?.communesFragilesSansLieuSurPlace, 204);
    assert.equal(cn?.partCommunesFragilesSansLieuSurPlace, 0.9401);
    // Another threshold, another method: the same figure, recomputed.
    const strict = (await (await get("/api/v1/couverture?territoire=23&fragilite=8.5")).json()) as {
      indicateurs: Indicator[];
      parametres: { indiceFragile: number };
    };
    assert.equal(strict.parametres.indiceFragile, 8.5);
    const cnStrict = strict.indicateurs.find((i) => i.aide === "Conseillers numériques");
    assert.ok((cnStrict?.communesFragiles ?? 0) < 217 && (cnStrict?.communesFragiles ?? 0) > 0);
    const m2025 = (await (await get("/api/v1/couverture?territoire=23&methode=maillage-2025")).json()) as {
      methode: { id: string };
    };
    assert.equal(m2025.methode.id, "maillage-2025");
  });

  test("a layer without any place: no loaded source lists it, said so on the page, not an error", async () => {
    const res = await get(
      `/api/v1/couverture?territoire=23&service=${encodeURIComponent("Utilisation sécurisée du numérique")}`,
    );
    assert.equal(res.status, 200);
    const body = (await res.json()) as { indicateurs: Indicator[] };
    const s = body.indicateurs.find((i) => i.aide === "Utilisation sécurisée du numérique");
    assert.equal(s?.populationCouverte, 0);
    assert.equal(s?.communesSansAucunLieu, 255);
    const page = await (
      await get("/couverture?territoire=23&service=Utilisation+s%C3%A9curis%C3%A9e+du+num%C3%A9rique")
    ).text();
    assert.match(
      page,
      /service « Utilisation sécurisée du numérique » : aucune source chargée ne recense ce service\./,
    );
    assert.doesNotMatch(page, /la couverture est de 0 %/);
  });

  test("bad inputs: unknown territory, unknown service, absurd distance", async () => {
    await problem(
      await get("/api/v1/couverture?territoire=zzqxw"),
      400,
      /Aucun territoire ne correspond à « zzqxw »/,
    );
    await problem(
      await get("/api/v1/couverture?territoire=23&service=cuisine"),
      400,
      /Service inconnu « cuisine »/,
    );
    await problem(await get("/api/v1/couverture?territoire=23&seuil=-3"), 400, /entre 0 et 100/);
    await problem(
      await get("/api/v1/couverture?territoire=23&methode=magie"),
      400,
      /Méthode inconnue « magie »/,
    );
    await problem(await get("/api/v1/couverture?territoire=23&fragilite=12"), 400, /indice entre 0 et 10/);
    await problem(
      await get(`/api/v1/couverture?territoire=23&seuil=${"9".repeat(40)}`),
      400,
      /entre 0 et 100/,
    );
    await problem(
      await get("/api/v1/couverture?territoire=23&service=x&service=y"),
      400,
      /service : une seule valeur attendue/,
    );
    await problem(
      await get(`/api/v1/couverture?territoire=${"x".repeat(700)}`),
      400,
      /trop long \(700 caractères\)/,
    );
  });
});

describe("planning API", () => {
  test("5 sites in Creuse: decreasing gains, rising curve, at least as good as the largest communes first", async () => {
    const res = await post({ territoire: "23", sites: 5, rayon: 10, service: "France Services" });
    assert.equal(res.status, 200);
    const plan = (await res.json()) as {
      sites: { code: string; gain: number; cumul: number }[];
      courbe: number[];
      rapportAlaReference: number;
      reference: { sites: unknown[] };
    };
    assert.equal(plan.sites.length, 5);
    assert.equal(plan.courbe.length, 6);
    for (let i = 1; i < plan.sites.length; i++) {
      assert.ok((plan.sites[i]?.gain ?? 0) <= (plan.sites[i - 1]?.gain ?? 0));
      assert.ok((plan.courbe[i + 1] ?? 0) >= (plan.courbe[i] ?? 0));
    }
    assert.equal(plan.reference.sites.length, 5);
    assert.ok(plan.rapportAlaReference >= 1);
  });

  test("candidates given by code; an itinerant bus with a smaller radius", async () => {
    const res = await post({
      territoire: "23",
      sites: 2,
      rayon: 5,
      itinerant: true,
      candidats: ["23096", "23176", "23008"],
    });
    assert.equal(res.status, 200);
    const plan = (await res.json()) as { sites: { code: string }[]; itinerant: boolean; candidats: number };
    assert.equal(plan.itinerant, true);
    assert.equal(plan.candidats, 3);
    for (const s of plan.sites) assert.ok(["23096", "23176", "23008"].includes(s.code));
  });

  test("bad inputs, in plain French", async () => {
    await problem(
      await post({ territoire: "23", sites: 300, rayon: 10 }),
      400,
      /Vous demandez 300 sites, mais il n'y a que 255 communes candidates/,
    );
    await problem(await post({ territoire: "23", sites: 3, rayon: 0 }), 400, /supérieur à 0/);
    await problem(await post({ territoire: "23", sites: 3, rayon: -5 }), 400, /supérieur à 0/);
    await problem(await post({ territoire: "23", sites: 3, rayon: 5000 }), 400, /5000 km n'a pas de sens/);
    await problem(
      await post({ territoire: "23", sites: 3, rayon: 10, service: "Jardinage" }),
      400,
      /Service inconnu « Jardinage »/,
    );
    await problem(
      await post({ territoire: "99999", sites: 3, rayon: 10 }),
      400,
      /Aucun territoire ne correspond/,
    );
    await problem(
      await post({ territoire: "23", sites: 1, rayon: 10, candidats: ["23096", "00000", "ABCDE"] }),
      400,
      /2 codes de la liste de candidates ne sont pas des codes INSEE de communes : « 00000 », « ABCDE »/,
    );
    await problem(await post({ territoire: "23", rayon: 10 }), 400, /nombre de sites/);
    await problem(await post({ territoire: "23", sites: "cinq", rayon: 10 }), 400, /nombre de sites/);
    const raw = await fetch(`${journey.server.url}/api/v1/planification`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "[1, 2]",
    });
    await problem(raw, 400, /objet JSON/);
  });
});

describe("coverage pages without JavaScript (server-rendered)", () => {
  test("/couverture?territoire=23: map of 255 communes, places, gaps, planning form", async () => {
    const html = await (await get("/couverture?territoire=23&service=France+Services")).text();
    assert.equal(html.match(/<path class="area"/g)?.length, 255);
    assert.match(html, /<circle class="point"/);
    assert.match(
      html,
      /92 %<\/strong> des communes fragiles \(200 sur 217\) n'ont aucun lieu France Services/,
    );
    assert.match(html, /id="manques"/);
    assert.match(html, /<form class="form-row coverage-form" action="\/couverture#plan" method="get">/);
  });

  test("a plan from the form: sites on the map and in a table, CSV exports", async () => {
    const html = await (await get("/couverture?territoire=23&sites=3&rayon=10")).text();
    assert.equal(html.match(/<circle class="site"/g)?.length, 3);
    assert.match(html, /3 sites proposés/);
    const csv = await (await get("/couverture/plan.csv?territoire=23&sites=3&rayon=10")).text();
    assert.equal(csv.trim().split(/\r\n/).length, 4);
    const gaps = await get("/couverture.csv?territoire=23");
    assert.match(gaps.headers.get("content-type") ?? "", /text\/csv/);
    assert.match(
      await gaps.text(),
      /^\uFEFF?rang,code,commune,population,indice,distance_km,seuil_km,aide\r\n1,/,
    );
  });

  test("a bad plan is explained on the page, with status 400", async () => {
    const res = await get("/couverture?territoire=23&sites=999&rayon=10");
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Vous demandez 999 sites/);
  });

  test("an ambiguous name lists the territories it could mean, each a link to its coverage", async () => {
    const html = await (await get("/couverture?territoire=Le+Vernet")).text();
    assert.match(html, /Plusieurs territoires correspondent à « Le Vernet ». Laquelle \?/);
    assert.match(
      html,
      /<a href="\/couverture\?territoire=43260">Le Vernet \(Haute-Loire\)<span class="meta">commune · Haute-Loire \(43\)/,
    );
    assert.doesNotMatch(html, /des habitants ont un lieu de médiation/);
    // A name that is no territory's: close names to choose from, never a guess.
    const close = await (await get("/couverture?territoire=saint")).text();
    assert.match(close, /Vouliez-vous dire :/);
    assert.match(close, /<a href="\/couverture\?territoire=244200770">Saint-Étienne Métropole/);
    // After a choice the field shows the name.
    const chosen = await (await get("/couverture?territoire=43260")).text();
    assert.match(chosen, /name="territoire" value="Le Vernet \(Haute-Loire\)"/);
  });

  test("the 'Couverture' section of territory pages", async () => {
    assert.match(await (await get("/territoires/23")).text(), /des habitants ont un lieu de médiation/);
    assert.match(await (await get("/territoires/23096")).text(), /Lieu de médiation le plus proche/);
  });
});

describe("coverage pages in a real browser", { skip: browserSkip() }, () => {
  for (const [path, title] of [
    ["/couverture", /Couverture · Maillage/],
    ["/couverture?territoire=23", /Couverture : Creuse/],
    ["/couverture?territoire=23&service=Conseillers+num%C3%A9riques&sites=4&rayon=8", /Couverture : Creuse/],
    ["/couverture?territoire=23&sites=3&rayon=4&itinerant=1", /Couverture : Creuse/],
    // A service that no loaded source lists: said so instead of its figures.
    [
      "/couverture?territoire=23&service=Utilisation+s%C3%A9curis%C3%A9e+du+num%C3%A9rique",
      /Couverture : Creuse/,
    ],
    ["/couverture?territoire=23096", /Couverture : Guéret/],
    ["/couverture?territoire=region-11", /Île-de-France/],
    ["/couverture?territoire=Saint-Martin", /Couverture/],
    ["/territoires/23", /Creuse/],
  ] as const) {
    test(`${path}: 0 axe violations, readable at 360 px`, () =>
      checkPage(journey.browser, journey.server.url + path, 200, title));
  }
  test("a bad plan page: 0 axe violations", () =>
    checkPage(
      journey.browser,
      `${journey.server.url}/couverture?territoire=23&sites=0&rayon=10`,
      400,
      /Couverture : Creuse/,
    ));

  test("keyboard, no JavaScript: ask a plan with the form", async () => {
    await withPage(journey.browser, { javaScriptEnabled: false }, async (page) => {
      await page.goto(`${journey.server.url}/couverture?territoire=23`);
      await page.locator("#sites").fill("");
      await page.locator("#sites").focus();
      await page.keyboard.type("4");
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "rayon");
      await page.keyboard.press("Control+A");
      await page.keyboard.type("12");
      await Promise.all([page.waitForURL(/sites=4&rayon=12/), page.keyboard.press("Enter")]);
      assert.equal(await page.locator(".plan-result tbody tr").count(), 4);
      assert.equal(await page.locator("svg.map circle.site").count(), 4);
    });
  });
});

describe("maillage plan (command line)", () => {
  let dataDir: string;
  const file = join(tmpdir(), `maillage-candidats-${process.pid}.csv`);
  before(async () => {
    dataDir = await preparedDataDir();
  });
  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(file, { force: true });
  });

  test("bad options are refused before anything is opened", async () => {
    const r = await cli(["plan", "--territoire", "23", "--sites", "3", "--rayon", "loin"], {
      MAILLAGE_DATA_DIR: dataDir,
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--rayon attend un nombre, pas « loin »/);
    const s = await cli(
      ["plan", "--territoire", "23", "--sites", "3", "--rayon", "5", "--service", "Pêche"],
      {
        MAILLAGE_DATA_DIR: dataDir,
      },
    );
    assert.equal(s.code, 2);
    assert.match(s.stderr, /Service inconnu « Pêche »/);
  });

  test("a candidate file with an unknown code is refused, by name", async () => {
    writeFileSync(file, "code_insee\n23096\n23999\n");
    const r = await cli(
      ["plan", "--territoire", "23", "--sites", "1", "--rayon", "10", "--candidats", file],
      {
        MAILLAGE_DATA_DIR: dataDir,
      },
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /1 code de la liste de candidates n'est pas un code INSEE de commune : « 23999 »/);
  });

  test("a bus: 3 stops among the given candidates, gains and the comparison printed", async () => {
    writeFileSync(file, "23096;Guéret\n23176;La Souterraine\n23008;Aubusson\n23030;Bourganeuf\n");
    const r = await cli(
      [
        "plan",
        "--territoire",
        "23",
        "--sites",
        "3",
        "--rayon",
        "5",
        "--service",
        "Aidants Connect",
        "--candidats",
        file,
        "--itinerant",
      ],
      { MAILLAGE_DATA_DIR: dataDir },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /4 communes candidates/);
    assert.equal(r.stdout.match(/^\d\t23\d{3}\t/gm)?.length, 3);
    assert.match(r.stdout, /Les 3 arrêts sont à desservir chaque semaine/);
    assert.match(r.stdout, /Référence « plus grandes communes non couvertes d'abord »/);
  });
});
