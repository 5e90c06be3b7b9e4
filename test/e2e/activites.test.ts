/**
 * Activity reports in a browser, on a 360 px screen, with the keyboard only, axe-core on every page: the mediator
 * records the common individual report from their home page (the interactions are counted: at most 8); with the
 * network cut (offline emulation) the report is kept on the device and sent when the network returns, exactly once,
 * even when the draft is sent again. The complete form, the statistics and the prescriber's pages are checked too.
 * The same pages without JavaScript: test/activites-http.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sql } from "kysely";
import type { Page } from "playwright-core";
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

const journey = browserJourney({ clock }, async (server) => {
  const db = server.ctx.database.db;
  const { rows } = await sql<{
    id: string;
  }>`SELECT id FROM place WHERE commune_code = '23096' ORDER BY id LIMIT 1`.execute(db);
  const lieu = await organisation(db, clock, {
    name: "Espace numérique de Guéret (essai)",
    kind: "lieu-de-mediation",
    territoryId: "23096",
    placeIds: [rows[0]?.id as string],
  });
  const ccas = await organisation(db, clock, {
    name: "CCAS de Guéret (essai)",
    kind: "ccas",
    territoryId: "23096",
  });
  await member(db, clock, "mediation.navigateur@example.org", lieu, "mediateur");
  await member(db, clock, "prescription.navigateur@example.org", ccas, "prescripteur");
});

const reports = async () =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM activite`.execute(journey.server.ctx.database.db))
      .rows[0]?.n,
  );

async function checked(page: Page): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], page.url());
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${page.url()} is ${overflow}px wider than the screen`);
}

const signIn = (page: Page, email: string, path: string) =>
  signInByForm(page, journey.server.url, email, path, () => (instant += 30_000));

/** Counts what a person does: each action (a tick, a choice, a submit), apart from moving with Tab. */
class Counter {
  actions = 0;
  tabs = 0;
  constructor(private readonly page: Page) {}
  async act(selector: string, key: "Space" | "Enter" | "ArrowDown"): Promise<void> {
    for (let i = 0; ; i++) {
      if ((await this.page.locator(`${selector}:focus`).count()) > 0) break;
      if (i === 120) throw new Error(`${selector}: never reached with Tab`);
      await this.page.keyboard.press("Tab");
      this.tabs++;
    }
    await this.page.keyboard.press(key);
    this.actions++;
  }
}

describe("activity reports in a browser, keyboard only", { skip: browserSkip(), timeout: 600_000 }, () => {
  test("the common individual report: at most 8 interactions from the mediator's home page", async () => {
    await withPage(journey.browser, { width: 360, height: 800 }, async (page) => {
      page.setDefaultTimeout(20_000);
      await signIn(page, "mediation.navigateur@example.org", "/activites");
      await checked(page);
      const started = Date.now();
      const count = new Counter(page);
      await count.act("#thematiques-aide_aux_demarches_administratives", "Space");
      // Tab enters the group of radios on its first choice; the arrow moves to (and checks) the next one.
      await count.act("#autonomie-entierement_accompagne", "ArrowDown");
      await Promise.all([
        page.waitForURL(/enregistre=\d+$/),
        count.act("form.activity-form button[type=submit]", "Enter"),
      ]);
      const seconds = (Date.now() - started) / 1000;
      assert.ok(count.actions <= 8, `${count.actions} interactions`);
      console.log(
        `compte rendu individuel : ${count.actions} interactions, ${count.tabs} tabulations, ${seconds.toFixed(1)} s`,
      );
      assert.match((await page.textContent("main")) ?? "", /Compte rendu enregistré/);
      assert.equal(await reports(), 1);
      const [saved] = (
        await sql<{
          thematiques: string[];
          autonomie: string;
          minutes: number;
        }>`SELECT thematiques, autonomie, minutes FROM activite`.execute(journey.server.ctx.database.db)
      ).rows;
      assert.deepEqual(saved?.thematiques, ["aide_aux_demarches_administratives"]);
      assert.equal(saved?.autonomie, "partiellement_autonome");
      assert.equal(saved?.minutes, 30, "the default duration");
      await checked(page);
    });
  });

  test("network cut: the report is kept on the device and sent once when the network returns", async () => {
    await withPage(journey.browser, { width: 360, height: 800 }, async (page) => {
      page.setDefaultTimeout(20_000);
      await signIn(page, "mediation.navigateur@example.org", "/activites");
      const before = await reports();
      await page.context().setOffline(true);
      await page.check("#thematiques-email");
      await page.check("#autonomie-autonome");
      await page.click("form.activity-form button[type=submit]");
      await page.waitForFunction(() =>
        document.querySelector(".activity-live")?.textContent?.includes("Pas de réseau"),
      );
      const kept = await page.evaluate(() => localStorage.getItem("maillage.brouillons.activites"));
      assert.equal(JSON.parse(kept ?? "[]").length, 1);
      assert.equal(await reports(), before);
      await page.context().setOffline(false);
      await page.waitForFunction(() =>
        document.querySelector(".activity-live")?.textContent?.includes("Réseau revenu"),
      );
      assert.equal(await reports(), before + 1);
      assert.equal(await page.evaluate(() => localStorage.getItem("maillage.brouillons.activites")), "[]");
      // The same draft sent again (a second tab, a retry after a lost answer): the server records it once.
      await page.evaluate((d) => localStorage.setItem("maillage.brouillons.activites", d ?? "[]"), kept);
      await page.reload();
      await page.waitForFunction(() => localStorage.getItem("maillage.brouillons.activites") === "[]");
      assert.equal(await reports(), before + 1);
    });
  });

  test("the complete form, the statistics and the prescriber's pages pass axe at 360 px", async () => {
    await withPage(journey.browser, { width: 360, height: 800 }, async (page) => {
      page.setDefaultTimeout(20_000);
      await signIn(page, "mediation.navigateur@example.org", "/activites");
      for (const path of [
        "/activites/nouvelle",
        "/activites/import",
        "/activites/statistiques",
        "/activites/statistiques?perimetre=france",
        "/beneficiaires",
      ]) {
        await page.goto(journey.server.url + path);
        await checked(page);
      }
      await page.goto(`${journey.server.url}/activites`);
      await page.click("main ul.plain-list a");
      await checked(page);
      // A follow-up file, opened with the person's consent, by keyboard.
      await page.goto(`${journey.server.url}/beneficiaires`);
      await tabTo(page, "#prenoms");
      await page.keyboard.type("Alix");
      await tabTo(page, "#nom");
      await page.keyboard.type("Fictif");
      await tabTo(page, "#accord");
      await page.keyboard.press("Space");
      await Promise.all([page.waitForURL(/\/beneficiaires\/\d+$/), page.keyboard.press("Enter")]);
      assert.match((await page.textContent("main")) ?? "", /Dossier de Alix Fictif/);
      await checked(page);
    });
    await withPage(journey.browser, { width: 360, height: 800 }, async (page) => {
      page.setDefaultTimeout(20_000);
      await signIn(page, "prescription.navigateur@example.org", "/orientations");
      await checked(page);
      await tabTo(page, "main form button[type=submit]");
      await Promise.all([page.waitForURL(/\/orientations\/[2-9A-Z]{10}$/), page.keyboard.press("Enter")]);
      await checked(page);
      await page.goto(`${journey.server.url}/orientations`);
      assert.match((await page.textContent("main")) ?? "", /pas encore/);
      await checked(page);
    });
  });
});
