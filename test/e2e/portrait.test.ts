/**
 * The printable territory portrait in a browser: the Creuse (255 communes, few quartiers) and the Bouches-du-Rhône
 * (many quartiers) at 1 280 and 360 px wide: 0 axe violations, no horizontal overflow; printed as an A4 PDF by the
 * browser, 4 to 6 pages, without the site's header and footer. The HTTP checks are in test/indicateurs-http.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { warmIndicators } from "../../src/indicateurs/compute.ts";
import { axeViolations, browserJourney, browserSkip, withPage } from "../support/browser.ts";

// As the server does once it listens (src/cli.ts): the dashboards' tables are built before the first page.
const journey = browserJourney({}, (server) => warmIndicators(server.ctx));

const pdfPages = (pdf: Buffer) => pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;

describe("territory portrait in a browser", { skip: browserSkip(), timeout: 600_000 }, () => {
  for (const [code, name] of [
    ["23", "Creuse"],
    ["13", "Bouches-du-Rhône"],
  ] as const) {
    test(`${name}: 0 axe violations at 1 280 and 360 px, prints on 4 to 6 A4 pages`, async () => {
      for (const [width, height] of [
        [1280, 900],
        [360, 800],
      ] as const) {
        await withPage(journey.browser, { width, height }, async (page) => {
          const res = await page.goto(`${journey.server.url}/indicateurs/portrait?territoire=${code}`);
          assert.equal(res?.status(), 200);
          assert.equal(await page.textContent("h1"), `Portrait numérique — ${name}`);
          assert.deepEqual(await axeViolations(page), [], `${name} at ${width} px`);
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          assert.ok(overflow <= 0, `${name} at ${width} px is ${overflow}px wider than the screen`);
          if (width !== 1280) return;
          await page.emulateMedia({ media: "print" });
          assert.equal(await page.locator(".site-header").isVisible(), false);
          assert.equal(await page.locator(".site-footer").isVisible(), false);
          const pdf = await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
          const pages = pdfPages(pdf);
          console.log(`portrait ${code} (${name}): ${pages} A4 pages, ${pdf.length} bytes`);
          assert.ok(pages >= 4 && pages <= 6, `${name} prints on ${pages} pages`);
        });
      }
    });
  }
});
