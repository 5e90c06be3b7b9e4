import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import {
  axeViolations,
  browserJourney,
  browserSkip,
  checkPage,
  tabTo,
  withPage,
} from "../support/browser.ts";

const journey = browserJourney();

/** axe needs JavaScript in the page: with it off, the same URLs are scanned by checkPage above. */
async function noViolations(page: Page, step: string, js: boolean): Promise<void> {
  if (js) assert.deepEqual(await axeViolations(page), [], step);
}

/** The whole journey by keyboard only: commune → need → results → sheet. */
async function keyboardJourney(page: Page, js: boolean): Promise<void> {
  await page.goto(`${journey.server.url}/trouver`);
  await noViolations(page, "form", js);
  await tabTo(page, "#or-commune", "commune field");
  await page.keyboard.type("Cagnes-sur-Mer");
  await tabTo(page, "#or-besoin-demarches", "need « démarche en ligne »");
  await page.keyboard.press("Space");
  await tabTo(page, "form.or-form button[type=submit]", "search button");
  await Promise.all([page.waitForURL(/\/trouver\?commune=Cagnes/), page.keyboard.press("Enter")]);
  assert.equal(await page.locator("h1").textContent(), "Lieux pour vous aider près de Cagnes-sur-Mer");
  await noViolations(page, "results", js);
  const first = ((await page.locator(".or-result h3").first().textContent()) ?? "").trim();
  assert.ok(first.length > 0);
  await tabTo(page, "#or-lieu-1", "first « Mettre sur ma fiche »");
  await page.keyboard.press("Space");
  await tabTo(page, "#or-preparer", "sheet button");
  await Promise.all([page.waitForURL(/\/trouver\/fiche\?/), page.keyboard.press("Enter")]);
  assert.equal(await page.locator("h1").textContent(), "Fiche d'orientation");
  assert.equal(((await page.locator(".or-sheet h2").first().textContent()) ?? "").trim(), first);
  await noViolations(page, "sheet", js);
}

describe("orientation in a real browser", { skip: browserSkip(), timeout: 600_000 }, () => {
  test("every step: status, French, 0 axe violations, 360 px", async () => {
    await checkPage(
      journey.browser,
      `${journey.server.url}/trouver`,
      200,
      /^Trouver de l'aide près de chez vous · Maillage$/,
    );
    await checkPage(
      journey.browser,
      `${journey.server.url}/trouver?commune=06027&besoin=demarches&modalite=individuel&quand=samedi&gratuit=1`,
      200,
      /Lieux pour vous aider près de Cagnes-sur-Mer/,
    );
    await checkPage(
      journey.browser,
      `${journey.server.url}/trouver?commune=69383&besoin=demarches&public=jeune&exiger=besoin&exiger=public`,
      200,
      /Lyon 3e/,
    );
    // The nearest place that fits is 12 km away: nearer places and help by phone, said plainly.
    await checkPage(
      journey.browser,
      `${journey.server.url}/trouver?commune=01305&besoin=demarches`,
      200,
      /Pont-de-Vaux/,
    );
    await checkPage(
      journey.browser,
      `${journey.server.url}/trouver?commune=06027&besoin=demarches&carte=1`,
      200,
      /Lieux pour vous aider près de Cagnes-sur-Mer/,
    );
    await checkPage(
      journey.browser,
      `${journey.server.url}/trouver?commune=Cagnes-sur-Mez`,
      404,
      /Trouver de l'aide/,
    );
    await checkPage(
      journey.browser,
      `${journey.server.url}/trouver?commune=06027&besoin=zzz`,
      400,
      /Trouver de l'aide/,
    );
    const api = await (
      await fetch(`${journey.server.url}/api/v1/orientation?commune=06027&besoin=demarches`)
    ).json();
    await checkPage(
      journey.browser,
      journey.server.url + api.resultats[0].fiche,
      200,
      /^Fiche d'orientation · Maillage$/,
    );
  });

  test("keyboard only, with JavaScript", async () => {
    await withPage(journey.browser, {}, (page) => keyboardJourney(page, true));
  });

  test("keyboard only, without JavaScript", async () => {
    await withPage(journey.browser, { javaScriptEnabled: false }, (page) => keyboardJourney(page, false));
  });

  test("with JavaScript, the copy and print buttons appear; without, they stay hidden", async () => {
    const api = await (
      await fetch(`${journey.server.url}/api/v1/orientation?commune=06027&besoin=demarches`)
    ).json();
    const url = journey.server.url + api.resultats[0].fiche;
    await withPage(journey.browser, {}, async (page) => {
      await page.goto(url);
      await page.getByRole("button", { name: "Copier le texte" }).waitFor({ state: "visible" });
      assert.ok(await page.getByRole("button", { name: "Imprimer la fiche" }).isVisible());
    });
    await withPage(journey.browser, { javaScriptEnabled: false }, async (page) => {
      await page.goto(url);
      assert.equal(await page.getByRole("button", { name: "Copier le texte" }).isVisible(), false);
      const sms = await page.locator(".or-sms textarea").inputValue();
      assert.equal(sms, api.resultats[0].sms);
    });
  });

  test("print view: A4, no menu or controls, one page with the hours and the QR code", async () => {
    const api = await (
      await fetch(`${journey.server.url}/api/v1/orientation?commune=06027&besoin=demarches`)
    ).json();
    await withPage(journey.browser, {}, async (page) => {
      await page.goto(journey.server.url + api.resultats[0].fiche);
      await page.emulateMedia({ media: "print" });
      assert.equal(await page.locator(".site-header").isVisible(), false);
      assert.equal(await page.locator(".or-sms").isVisible(), false);
      assert.ok(await page.locator(".or-hours").isVisible());
      assert.ok(await page.locator(".or-qr img").isVisible());
      const pdf = await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
      const pages = pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
      assert.ok(pdf.length > 5000);
      assert.equal(pages, 1, `the sheet of one place prints on ${pages} pages`);
    });
  });
});

describe("orientation: « Laquelle ? » in a real browser", { skip: browserSkip(), timeout: 600_000 }, () => {
  test("« Laquelle ? »: an ambiguous commune chosen by keyboard, with and without JavaScript; then its name in the field", async () => {
    await checkPage(
      journey.browser,
      `${journey.server.url}/trouver?commune=Saint-Martin&besoin=demarches`,
      200,
      /Trouver de l'aide/,
    );
    for (const js of [true, false]) {
      await withPage(journey.browser, { javaScriptEnabled: js }, async (page) => {
        await page.goto(`${journey.server.url}/trouver?commune=Saint-Martin&besoin=demarches`);
        assert.equal(await page.locator("#or-laquelle").textContent(), "Laquelle ?");
        assert.equal(await page.locator(".or-result").count(), 0, "no commune picked silently");
        await noViolations(page, "« Laquelle ? »", js);
        const gers = page.getByRole("link", { name: "Saint-Martin (Gers)" });
        await gers.focus();
        await Promise.all([page.waitForURL(/commune=32389/), page.keyboard.press("Enter")]);
        assert.equal(await page.locator("#or-commune").inputValue(), "Saint-Martin (Gers)");
        assert.ok((await page.locator(".or-result").count()) > 0);
        await noViolations(page, "results after the choice", js);
      });
    }
  });
});
