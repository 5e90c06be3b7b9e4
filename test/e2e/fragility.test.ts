import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { axeViolations, browserJourney, browserSkip, checkPage, withPage } from "../support/browser.ts";

const journey = browserJourney();

describe("fragility pages in a real browser", { skip: browserSkip() }, () => {
  for (const [path, title] of [
    ["/fragilite", /Fragilité numérique · Maillage/],
    ["/fragilite?territoire=23", /Fragilité numérique : Creuse/],
    ["/fragilite?territoire=200034825&methode=maillage-2025", /Fragilité numérique : CA du Grand Guéret/],
    ["/fragilite?territoire=region-84", /Auvergne-Rhône-Alpes/],
    ["/fragilite?territoire=23096", /Guéret/],
    ["/fragilite?territoire=Saint-Martin", /Fragilité numérique/],
    ["/territoires/23096", /Guéret/],
  ] as const) {
    test(`${path}: 0 axe violations, readable at 360 px`, () =>
      checkPage(journey.browser, journey.server.url + path, 200, title));
  }

  test("without JavaScript: the map is an SVG image, the table is its alternative, sorting is by links", async () => {
    await withPage(journey.browser, { javaScriptEnabled: false }, async (page) => {
      await page.goto(`${journey.server.url}/fragilite?territoire=23`);
      const map = page.locator("svg.map");
      assert.equal(await map.getAttribute("role"), "img");
      assert.equal(await map.locator("path.area").count(), 255);
      assert.match((await map.locator("path.area title").first().textContent()) ?? "", /^.+ : \d,\d\/10$/);
      await page.getByRole("link", { name: /^Nom/ }).click();
      await page.waitForURL(/tri=nom&ordre=asc/);
      assert.equal(
        await page
          .locator("#tableau ~ .table-wrap tbody tr, .table-wrap tbody tr")
          .first()
          .locator("th a")
          .textContent(),
        "Ahun",
      );
    });
  });

  test("with JavaScript: the interactive map (MapLibre) on request, then 0 axe violations", async () => {
    await withPage(journey.browser, {}, async (page) => {
      await page.goto(`${journey.server.url}/fragilite?territoire=23`);
      // Nothing heavy is loaded until asked.
      assert.equal(await page.locator(".maplibregl-canvas").count(), 0);
      await page.getByRole("button", { name: /Carte interactive/ }).click();
      await page.locator(".maplibregl-canvas").waitFor();
      await page.getByText("Carte interactive affichée.").waitFor();
      assert.equal(await page.locator("svg.map").isHidden(), true);
      assert.deepEqual(await axeViolations(page), []);
    });
  });

  test("keyboard: choose a territory and a method with the form", async () => {
    await withPage(journey.browser, { javaScriptEnabled: false }, async (page) => {
      await page.goto(`${journey.server.url}/fragilite`);
      await page.locator("#territoire").focus();
      await page.keyboard.type("Guéret");
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "methode");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Tab");
      await Promise.all([
        page.waitForURL(/territoire=Gu%C3%A9ret&methode=maillage-2025/),
        page.keyboard.press("Enter"),
      ]);
      assert.match(await page.title(), /Fragilité numérique : Guéret/);
      assert.equal(await page.locator("#methode").inputValue(), "maillage-2025");
    });
  });
});
