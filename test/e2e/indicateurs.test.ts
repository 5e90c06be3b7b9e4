/**
 * Indicators in a browser, signed in as the Somme's coordinator, keyboard only, axe-core on every page, at 360 and
 * 1 280 px: the dashboard of the Somme with its activity figures and monthly charts, the contrat de ville view of
 * Amiens Métropole (7 quartiers); on the phone, a target set with the form and shown against the actual value, then
 * removed.
 * The same pages without JavaScript and signed out: test/indicateurs-http.test.ts and test/e2e/phone.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { warmIndicators } from "../../src/indicateurs/compute.ts";
import type { Clock } from "../../src/platform/clock.ts";
import {
  axeViolations,
  browserJourney,
  browserSkip,
  signInByForm,
  tabTo,
  withPage,
} from "../support/browser.ts";
import { member, organisation } from "../support/people.ts";

let instant = Date.parse("2026-12-02T15:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
let epci = "";

const journey = browserJourney({ clock }, async (server) => {
  const db = server.ctx.database.db;
  const somme = await organisation(db, clock, {
    name: "Coordination Somme (essai navigateur)",
    kind: "collectivite",
    territoryId: "80",
  });
  await member(db, clock, "coordination.somme.navigateur@example.org", somme, "coordinateur");
  epci = server.ctx.territories.get("80021")?.epci as string;
  // As the server does once it listens (src/cli.ts).
  await warmIndicators(server.ctx);
});

async function checked(page: Page): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], page.url());
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${page.url()} is ${overflow}px wider than the screen`);
}

const signIn = (page: Page, path: string) =>
  signInByForm(
    page,
    journey.server.url,
    "coordination.somme.navigateur@example.org",
    path,
    () => (instant += 30_000),
  );

describe("indicators in a browser", { skip: browserSkip(), timeout: 600_000 }, () => {
  for (const [width, height] of [
    [360, 800],
    [1280, 900],
  ] as const) {
    test(`${width} px: the coordinator's dashboard and contrat de ville${width === 360 ? ", a target set and removed by keyboard" : ""}`, async () => {
      await withPage(journey.browser, { width, height }, async (page) => {
        await signIn(page, "/indicateurs?territoire=80&periode=2026");
        assert.match((await page.locator("h1").textContent()) ?? "", /Indicateurs — Somme/);
        assert.equal(await page.locator("#famille-diagnostics").count(), 1);
        assert.ok((await page.locator("figure.month-chart svg").count()) >= 1, "monthly charts");
        await checked(page);

        await page.goto(`${journey.server.url}/indicateurs/contrat-de-ville?territoire=${epci}&annee=2026`);
        await checked(page);
        // The form's journey once, on the phone; the wide screen checks the pages only.
        if (width !== 360) return;
        await tabTo(page, "#zone", "the zone");
        await page.selectOption("#zone", "QN08003M");
        await tabTo(page, "#indicateur", "the indicator");
        await page.selectOption("#indicateur", "lieux.total");
        await tabTo(page, "#valeur", "the target");
        await page.keyboard.type("8");
        await Promise.all([
          page.waitForURL((u) => u.searchParams.get("fait") === "1"),
          page.keyboard.press("Enter"),
        ]);
        await page.waitForSelector("p[role=status]");
        assert.match(
          (await page.locator("table.indicators").textContent()) ?? "",
          /objectif 2026 : 8 \(atteint à 63 %\)/,
        );
        await checked(page);

        // Undo: the same zone and indicator, an empty value.
        await page.goto(`${journey.server.url}/indicateurs/contrat-de-ville?territoire=${epci}&annee=2026`);
        await tabTo(page, "#zone", "the zone");
        await page.selectOption("#zone", "QN08003M");
        await tabTo(page, "#indicateur", "the indicator");
        await page.selectOption("#indicateur", "lieux.total");
        await tabTo(page, "#valeur", "the target");
        await Promise.all([
          page.waitForURL((u) => u.searchParams.get("fait") === "1"),
          page.keyboard.press("Enter"),
        ]);
        await page.waitForSelector("p[role=status]");
        assert.doesNotMatch(
          (await page.locator("table.indicators").textContent()) ?? "",
          /objectif 2026 : 8/,
        );
      });
    });
  }
});
