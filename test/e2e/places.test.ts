import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sql } from "kysely";
import { axeViolations, browserJourney, browserSkip, withPage } from "../support/browser.ts";

/** A real place merged from two sources (Le Mayet-de-Montagne) and one with a pair "to review". */
let merged: string;
let reviewed: string;

const journey = browserJourney({}, async (server) => {
  const db = server.ctx.database.db;
  const m = await sql<{ id: string }>`SELECT id FROM place WHERE search LIKE '%roger degoulange%'`.execute(
    db,
  );
  merged = m.rows[0]?.id ?? "";
  const r = await sql<{ id: string }>`SELECT p.id FROM place_pair x JOIN place_record r ON r.id = x.a
    JOIN place p ON p.id = r.group_id WHERE x.decision = 'à vérifier' ORDER BY x.score DESC LIMIT 1`.execute(
    db,
  );
  reviewed = r.rows[0]?.id ?? "";
});

describe("places pages in a real browser", { skip: browserSkip() }, () => {
  const pages = () => [
    { path: "/lieux", title: /^Lieux de médiation numérique · Maillage$/, status: 200 },
    {
      path: `/lieux?territoire=23&service=${encodeURIComponent("Aide aux démarches administratives")}`,
      title: /Lieux de médiation numérique : Creuse/,
      status: 200,
    },
    { path: "/lieux?territoire=zzzzqqqq", title: /Lieux de médiation numérique/, status: 400 },
    {
      path: `/lieux?territoire=13&frais=Gratuit&modalite=${encodeURIComponent("Accompagnement individuel")}`,
      title: /Lieux de médiation numérique : Bouches-du-Rhône/,
      status: 200,
    },
    { path: "/lieux?frais=gratuit", title: /Lieux de médiation numérique/, status: 400 },
    {
      path: `/lieux/${merged}?semaine=2025-07-14`,
      title: /France services Le Mayet de Montagne/,
      status: 200,
    },
    { path: `/lieux/${reviewed}`, title: /· Maillage$/, status: 200 },
    { path: "/lieux/lieu-0000000000000000", title: /Page introuvable/, status: 404 },
    { path: "/territoires/23", title: /Creuse/, status: 200 },
  ];
  for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 8]) {
    test(`page ${i + 1}: status, 0 axe violations, readable at 360 px`, async () => {
      const p = pages()[i];
      assert.ok(p && merged && reviewed);
      await withPage(journey.browser, { width: 360 }, async (page) => {
        const res = await page.goto(journey.server.url + p.path);
        assert.equal(res?.status(), p.status, p.path);
        assert.match(await page.title(), p.title);
        assert.deepEqual(await axeViolations(page), [], p.path);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${p.path} is ${overflow}px wider than a 360px screen`);
      });
    });
  }

  test("without JavaScript: filter the list with the form, open a place, change week", async () => {
    await withPage(journey.browser, { javaScriptEnabled: false }, async (page) => {
      await page.goto(`${journey.server.url}/lieux`);
      await page.getByLabel("Territoire").fill("Creuse");
      await page.getByLabel("Service").selectOption("Aide aux démarches administratives");
      await Promise.all([page.waitForURL(/\/lieux\?territoire=Creuse/), page.getByRole("button").click()]);
      // « Creuse » is also a commune of the Somme: which one is asked, the service kept.
      await Promise.all([
        page.waitForURL(/\/lieux\?territoire=23&service=/),
        page.getByRole("link", { name: /^Creuse \(département\)/ }).click(),
      ]);
      assert.match((await page.locator("h1").textContent()) ?? "", /Creuse/);
      assert.equal(await page.getByLabel("Territoire").inputValue(), "Creuse (département)");
      const first = page.locator("ol.results a").first();
      const name = ((await first.textContent()) ?? "").trim();
      await Promise.all([page.waitForURL(/\/lieux\/lieu-/), first.click()]);
      assert.ok(name.startsWith(((await page.locator("h1").textContent()) ?? "").trim()));
      await page.goto(`${journey.server.url}/lieux/${merged}?semaine=2025-07-14`);
      assert.match(
        (await page.locator("#horaires + p, #horaires ~ div caption").first().textContent()) ?? "",
        /./,
      );
      assert.equal(await page.locator("table caption").first().textContent(), "Semaine du 14 juillet 2025");
      await Promise.all([page.waitForURL(/semaine=2025-07-21/), page.getByText("Semaine suivante").click()]);
      assert.equal(await page.locator("table caption").first().textContent(), "Semaine du 21 juillet 2025");
    });
  });

  test("without JavaScript: filter on frais and modalité with the form, keep the choice", async () => {
    await withPage(journey.browser, { javaScriptEnabled: false }, async (page) => {
      await page.goto(`${journey.server.url}/lieux`);
      await page.getByLabel("Territoire").fill("13");
      await page.getByLabel("Frais à charge").selectOption("Gratuit");
      await page.getByLabel("Modalité d'accompagnement").selectOption("Accompagnement individuel");
      await Promise.all([page.waitForURL(/frais=Gratuit/), page.getByRole("button").click()]);
      assert.match(page.url(), /modalite=Accompagnement\+individuel/);
      assert.match((await page.locator("h2#resultats").textContent()) ?? "", /^\d+ lieux?$/);
      assert.ok((await page.locator("ol.results li").count()) > 0);
      assert.equal(await page.getByLabel("Frais à charge").inputValue(), "Gratuit");
      assert.equal(await page.getByLabel("Public spécifiquement adressé").inputValue(), "");
    });
  });

  test("the menu has a link to the places, marked current on their pages", async () => {
    await withPage(journey.browser, { javaScriptEnabled: false }, async (page) => {
      await page.goto(`${journey.server.url}/lieux`);
      const link = page.locator('nav[aria-label="Menu principal"] a[href="/lieux"]');
      assert.equal(await link.getAttribute("aria-current"), "page");
    });
  });
});
