import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sql } from "kysely";
import type { Page } from "playwright-core";
import { axeViolations, browserJourney, browserSkip, withPage } from "../support/browser.ts";

/** A real place of the Creuse, for its page. */
let place = "";
/** The printable sheet of the finder's first result in Guéret. */
let sheet = "";

const journey = browserJourney({}, async (server) => {
  const r = await sql<{
    id: string;
  }>`SELECT id FROM place WHERE search LIKE '%gueret%' ORDER BY id LIMIT 1`.execute(server.ctx.database.db);
  place = r.rows[0]?.id ?? "";
  const api = await (await fetch(`${server.url}/api/v1/orientation?commune=23096&besoin=demarches`)).json();
  sheet = api.resultats[0]?.fiche ?? "";
});

/** Every public page, as an inhabitant, an élu or a social worker opens it. */
const pages = (): { path: string; status: number }[] => [
  { path: "/", status: 200 },
  { path: "/territoires?q=gueret", status: 200 },
  { path: "/territoires/23096", status: 200 },
  { path: "/territoires/23", status: 200 },
  { path: "/lieux?territoire=23", status: 200 },
  { path: `/lieux/${place}`, status: 200 },
  { path: "/fragilite?territoire=07", status: 200 },
  { path: "/couverture?territoire=23", status: 200 },
  { path: "/trouver", status: 200 },
  { path: "/trouver?commune=23096&besoin=demarches", status: 200 },
  { path: sheet, status: 200 },
  { path: "/diagnostic", status: 200 },
  { path: "/diagnostic/statistiques?territoire=23", status: 200 },
  { path: "/a-propos/donnees", status: 200 },
  { path: "/api", status: 200 },
  { path: "/cette-page-n-existe-pas", status: 404 },
];

const SIZES = [
  { width: 360, height: 800 },
  { width: 1280, height: 900 },
];

/**
 * The words of table cells that the browser split over two lines or more: for each word of each cell's text, a
 * Range over it whose line boxes (client rects, merged when on the same line) are more than one. Hyphenated
 * compounds may wrap at their hyphen, so words are the runs between spaces and hyphens.
 */
function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    for (const cell of document.querySelectorAll("td, th")) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? "";
        for (const m of text.matchAll(/[^\s\-‐–—/]+/g)) {
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const tops = new Set(
            [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)),
          );
          if (tops.size > 1)
            broken.push(`« ${m[0]} » dans « ${(cell.textContent ?? "").trim().slice(0, 60)} »`);
        }
      }
    }
    return broken;
  });
}

describe("every public page on a phone and a desktop", { skip: browserSkip(), timeout: 900_000 }, () => {
  for (const size of SIZES) {
    test(`${size.width} × ${size.height}: no horizontal overflow, no word broken in a table, 0 axe violations`, async () => {
      assert.ok(place && sheet, "a place and a sheet were found");
      const problems: string[] = [];
      await withPage(journey.browser, size, async (page) => {
        for (const p of pages()) {
          const res = await page.goto(journey.server.url + p.path);
          if (res?.status() !== p.status) problems.push(`${p.path}: status ${res?.status()}`);
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          if (overflow > 0) problems.push(`${p.path}: ${overflow} px wider than the screen`);
          for (const w of await brokenWords(page)) problems.push(`${p.path}: word broken ${w}`);
          for (const v of await axeViolations(page)) problems.push(`${p.path}: ${v}`);
          const header = (await page.locator(".site-header").boundingBox())?.height ?? 0;
          if (size.width < 600 && header >= 120) problems.push(`${p.path}: the header takes ${header} px`);
        }
      });
      assert.deepEqual(problems, []);
    });
  }
});
