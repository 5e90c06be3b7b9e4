import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  axeViolations,
  browserJourney,
  browserSkip,
  checkPage,
  tabTo,
  withPage,
} from "../support/browser.ts";

const journey = browserJourney();

const PAGES: { path: string; title: RegExp; status: number }[] = [
  { path: "/", title: /^Accueil · Maillage$/, status: 200 },
  { path: "/territoires?q=saint+etienne", title: /Recherche « saint etienne »/, status: 200 },
  { path: "/territoires?q=", title: /Chercher un territoire/, status: 400 },
  { path: "/territoires/42218", title: /Saint-Étienne/, status: 200 },
  { path: "/territoires/244200770", title: /Saint-Étienne Métropole/, status: 200 },
  { path: "/territoires/23", title: /Creuse/, status: 200 },
  { path: "/territoires/region-84", title: /Auvergne-Rhône-Alpes/, status: 200 },
  { path: "/territoires/69383", title: /Lyon 3e Arrondissement/, status: 200 },
  { path: "/territoires/99999", title: /Page introuvable/, status: 404 },
  { path: "/cette-page-n-existe-pas", title: /Page introuvable/, status: 404 },
  { path: "/a-propos/donnees", title: /Sources des données/, status: 200 },
];

describe("pages in a real browser", { skip: browserSkip() }, () => {
  for (const p of PAGES) {
    test(`${p.path}: status ${p.status}, 0 axe violations, readable at 360 px`, () =>
      checkPage(journey.browser, journey.server.url + p.path, p.status, p.title));
  }

  test("the territory pages show a boundary map as inline SVG, with a text alternative", async () => {
    await withPage(journey.browser, { javaScriptEnabled: false }, async (page) => {
      await page.goto(`${journey.server.url}/territoires/42218`);
      const svg = page.locator("svg.map");
      assert.equal(await svg.getAttribute("role"), "img");
      assert.equal(await svg.getAttribute("aria-label"), "Contour de Saint-Étienne");
      assert.ok(((await svg.locator("path.shape").getAttribute("d")) ?? "").length > 100);
      // Parents and children are links.
      assert.equal((await page.locator('a[href="/territoires/244200770"]').count()) > 0, true);
      await page.goto(`${journey.server.url}/territoires/244200770`);
      assert.ok((await page.locator('a[href="/territoires/42218"]').count()) > 0);
    });
  });

  test("keyboard only, without JavaScript: skip link, search form, results, territory page", async () => {
    await withPage(journey.browser, { javaScriptEnabled: false }, async (page) => {
      await page.goto(journey.server.url);
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Aller au contenu");
      await page.keyboard.press("Enter");
      assert.ok(page.url().endsWith("#contenu"));
      // From the main content, past the two entries for people, Tab reaches the search field.
      await tabTo(page, "#q", "the search field");
      await page.keyboard.type("st etienne");
      await Promise.all([page.waitForURL(/\/territoires\?q=st\+etienne/), page.keyboard.press("Enter")]);
      assert.match((await page.locator("h2#resultats").textContent()) ?? "", /résultats pour « st etienne »/);
      // Tab to the first result and open it.
      for (let i = 0; i < 30; i++) {
        await page.keyboard.press("Tab");
        if ((await page.evaluate(() => document.activeElement?.closest("ol.results") !== null)) === true)
          break;
      }
      assert.equal(
        await page.evaluate(() => document.activeElement?.getAttribute("href")),
        "/territoires/42218",
      );
      await Promise.all([page.waitForURL(/\/territoires\/42218$/), page.keyboard.press("Enter")]);
      assert.equal(await page.locator("h1").textContent(), "Saint-Étienne (commune)");
    });
  });

  test("keyboard only, with JavaScript: suggestions while typing, arrows to choose, Enter to open", async () => {
    await withPage(journey.browser, {}, async (page) => {
      await page.goto(journey.server.url);
      await page.keyboard.press("Tab");
      await page.keyboard.press("Enter");
      await tabTo(page, "#q", "the search field");
      await page.keyboard.type("les abymes");
      // The list is redrawn after each key typed: wait for the one of the whole name (its first suggestion).
      await page.locator('#q-suggestions a[href="/territoires/97101"]').first().waitFor();
      // And no search is still on its way (a redraw would take the focus away from the list).
      await page.waitForLoadState("networkidle");
      await page.locator('#q-suggestions a[href="/territoires/97101"]').first().waitFor();
      assert.match((await page.locator("[role=status]").textContent()) ?? "", /résultat/);
      await page.keyboard.press("ArrowDown");
      assert.equal(
        await page.evaluate(() => document.activeElement?.getAttribute("href")),
        "/territoires/97101",
      );
      await Promise.all([page.waitForURL(/\/territoires\/97101$/), page.keyboard.press("Enter")]);
      assert.equal(await page.locator("h1").textContent(), "Les Abymes (commune)");
      assert.deepEqual(await axeViolations(page), []);
    });
  });

  test("a postcode typed in the plain form goes straight to the only commune", async () => {
    await withPage(journey.browser, { javaScriptEnabled: false }, async (page) => {
      await page.goto(`${journey.server.url}/territoires?q=42000`);
      assert.ok(page.url().endsWith("/territoires/42218"));
    });
  });
});
