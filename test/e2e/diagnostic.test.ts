import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { QUESTIONNAIRE } from "../../src/diagnostic/questionnaire.ts";
import {
  axeViolations,
  browserJourney,
  browserSkip,
  checkPage,
  tabTo,
  withPage,
} from "../support/browser.ts";

const journey = browserJourney();

const ADMIN = "Aide aux démarches administratives";
const DAILY = "Maîtrise des outils numériques du quotidien";

/**
 * 0 axe violations and no overflow at 360 px. axe needs JavaScript: a page that runs without it is checked by
 * loading the same address (every step is a GET) in a page of a JavaScript-enabled context.
 */
async function noViolations(page: Page, checker: Page = page): Promise<void> {
  if (checker !== page) await checker.goto(page.url());
  assert.deepEqual(await axeViolations(checker), [], page.url());
  const overflow = await checker.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${page.url()} is ${overflow}px too wide`);
}

/** A JavaScript-enabled page at 360 px for axe, next to a page without JavaScript. */
async function withChecker(fn: (checker: Page) => Promise<void>): Promise<void> {
  await withPage(journey.browser, { width: 360 }, fn);
}

/**
 * The whole questionnaire by keyboard: the answer at `pick(question)` (0-based) of every question, axe on every
 * step; returns the result page's place links.
 */
async function walk(page: Page, checker: Page, mode: "seul" | "accompagne", pick: (id: string) => number[]) {
  page.setDefaultTimeout(20_000);
  if (process.env.DEBUG_DIAG) page.on("framenavigated", (f) => console.log("nav", f.url().slice(0, 80)));
  await page.goto(`${journey.server.url}/diagnostic`);
  await noViolations(page, checker);
  await tabTo(page, "#commune");
  await page.keyboard.type("Guéret");
  await tabTo(page, 'input[name="mode"]');
  if (mode === "accompagne") await page.keyboard.press("ArrowDown");
  await tabTo(page, "button.diag-next");
  await Promise.all([page.waitForURL(/\/diagnostic\/question\/1\?/), page.keyboard.press("Enter")]);
  const total = QUESTIONNAIRE.questions.length;
  for (const [i, q] of QUESTIONNAIRE.questions.entries()) {
    assert.match(
      (await page.locator("h1").textContent()) ?? "",
      new RegExp(q.text.slice(0, 20).replace(/[?()]/g, ".")),
    );
    assert.match(
      (await page.locator(".diag-progress").textContent()) ?? "",
      new RegExp(`Question ${i + 1} sur ${total}`),
    );
    assert.equal(await page.locator(".diag-helper").count(), mode === "accompagne" ? 1 : 0);
    await noViolations(page, checker);
    const wanted = pick(q.id);
    await tabTo(page, 'input[name="reponse"]');
    if (q.kind === "one") {
      // In a radio group, arrows move and check; Space checks the first one.
      await page.keyboard.press("Space");
      for (let k = 0; k < (wanted[0] ?? 0); k++) await page.keyboard.press("ArrowDown");
    } else {
      for (let k = 0; k < q.answers.length; k++) {
        if (wanted.includes(k)) await page.keyboard.press("Space");
        if (k < q.answers.length - 1) await page.keyboard.press("Tab");
      }
    }
    const checked = await page.$$eval('input[name="reponse"]', (xs) =>
      xs.flatMap((x, k) => ((x as HTMLInputElement).checked ? [k] : [])),
    );
    assert.deepEqual(checked, wanted, q.id);
    await tabTo(page, "button.diag-next");
    const next = i < total - 1 ? new RegExp(`/question/${i + 2}\\?`) : /\/diagnostic\/resultat\?/;
    await Promise.all([page.waitForURL(next), page.keyboard.press("Enter")]);
  }
  await noViolations(page, checker);
  return page.$$eval('ol.diag-places a[href^="/lieux/"]', (as) =>
    as.map((a) => [a.getAttribute("href"), a.textContent?.trim()]),
  );
}

describe("diagnostic in a real browser", { skip: browserSkip() }, () => {
  test("alone, JavaScript off, 360 px, keyboard only: urgent, real places that help with procedures", async () => {
    await withChecker((checker) =>
      withPage(journey.browser, { javaScriptEnabled: false, width: 360 }, async (page) => {
        const links = await walk(page, checker, "seul", () => [0]);
        assert.match((await page.locator(".diag-urgent h2").textContent()) ?? "", /urgente/);
        for (const h of ["Ce que vous savez déjà faire", "Ce qui peut vous aider", "Où aller"])
          assert.equal(await page.getByRole("heading", { name: h }).count(), 1, h);
        assert.ok(links.length > 0, "places listed");
        const all = new Map(
          (await journey.server.ctx.places.all()).map((p) => [`/lieux/${encodeURIComponent(p.id)}`, p]),
        );
        for (const [href, name] of links) {
          const place = all.get(href ?? "");
          assert.ok(place, `${href} is a real published place`);
          assert.equal(place.standard.nom, name ?? "");
          assert.ok(place.standard.services.includes(ADMIN), name ?? "");
        }
      }),
    );
  });

  test("assisted, JavaScript off, keyboard only: helper notes, excluded profile, back keeps the answers", async () => {
    await withChecker((checker) =>
      withPage(journey.browser, { javaScriptEnabled: false }, async (page) => {
        const links = await walk(page, checker, "accompagne", (id) => (id === "genes" ? [0, 2] : [2]));
        assert.equal(await page.locator(".diag-urgent").count(), 0);
        assert.match(
          (await page.locator(".diag-summary").textContent()) ?? "",
          /exclu du numérique[\s\S]*inclusion numérique/,
        );
        assert.ok(links.length > 0);
        const all = new Map(
          (await journey.server.ctx.places.all()).map((p) => [`/lieux/${encodeURIComponent(p.id)}`, p]),
        );
        for (const [href] of links)
          assert.ok(all.get(href ?? "")?.standard.services.includes(DAILY), href ?? "");
        // The printable sheet.
        await tabTo(page, 'a[href^="/diagnostic/fiche"]');
        await Promise.all([page.waitForURL(/\/diagnostic\/fiche\?/), page.keyboard.press("Enter")]);
        await noViolations(page, checker);
        // Back from the result: the browser's back, then the page's own back link; answers are kept.
        await page.goBack();
        await page.goBack();
        assert.match(page.url(), /\/question\/13\?/);
        await tabTo(page, "a.diag-back");
        await Promise.all([page.waitForURL(/\/question\/12\?/), page.keyboard.press("Enter")]);
        const checked = await page.$$eval('input[name="reponse"]', (xs) =>
          xs.flatMap((x, k) => ((x as HTMLInputElement).checked ? [k] : [])),
        );
        assert.deepEqual(checked, [0, 2]);
      }),
    );
  });

  test("other pages: 0 axe violations, readable at 360 px", async () => {
    await checkPage(
      journey.browser,
      `${journey.server.url}/diagnostic?commune=xx&mode=accompagne`,
      200,
      /Diagnostic d'aisance numérique/,
    );
    await checkPage(
      journey.browser,
      `${journey.server.url}/diagnostic/question/1?t=abc.def`,
      400,
      /Le lien ne marche pas/,
    );
    await checkPage(
      journey.browser,
      `${journey.server.url}/diagnostic/statistiques?territoire=23`,
      200,
      /Diagnostics : Creuse/,
    );
    await checkPage(
      journey.browser,
      `${journey.server.url}/diagnostic/statistiques`,
      200,
      /statistiques anonymes/,
    );
    await checkPage(journey.browser, `${journey.server.url}/territoires/23096`, 200, /Guéret/);
    await withPage(journey.browser, { width: 360 }, async (page) => {
      await page.goto(`${journey.server.url}/diagnostic`);
      await page.getByLabel("Votre commune").fill("Zzyzxville");
      await Promise.all([
        page.waitForURL(/commencer/),
        page.getByRole("button", { name: "Commencer" }).click(),
      ]);
      assert.match((await page.locator(".diag-error").textContent()) ?? "", /Nous ne trouvons pas/);
      await noViolations(page);
    });
  });
});
