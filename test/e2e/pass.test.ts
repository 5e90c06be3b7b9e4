/**
 * The pass numérique in a browser, on a 360 px screen, axe-core on every page: a financeur creates a programme and
 * orders booklets; the coordinator of the Creuse allocates one to a CCAS; the CCAS's prescriber runs a diagnostic with
 * a person and hands them the booklet from the result page; a mediator of a labelled place types a cheque's code
 * (with dashes, in lower case) and redeems it; the month over, the statement shows it to the financeur. The same
 * pages without JavaScript are walked by test/pass-http.test.ts (they are plain forms).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sql } from "kysely";
import type { Page } from "playwright-core";
import { BY_SYSTEM } from "../../src/accounts/store.ts";
import { drawStatements } from "../../src/pass/store.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { axeViolations, browserJourney, browserSkip, withPage } from "../support/browser.ts";
import { member, organisation, PASSWORD_FOR_TESTS, totpCode } from "../support/people.ts";

let instant = Date.parse("2026-12-02T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
const ids: Record<string, number> = {};

const journey = browserJourney({ clock }, async (server) => {
  const db = server.ctx.database.db;
  const { rows } = await sql<{
    id: string;
  }>`SELECT id FROM place WHERE commune_code = '23096' ORDER BY id LIMIT 1`.execute(db);
  ids.financeur = await organisation(db, clock, {
    name: "Département de la Creuse (essai)",
    kind: "financeur",
    territoryId: "23",
  });
  ids.ccas = await organisation(db, clock, {
    name: "CCAS de Guéret (essai)",
    kind: "ccas",
    territoryId: "23096",
  });
  ids.lieu = await organisation(db, clock, {
    name: "Espace numérique de Guéret (essai)",
    kind: "lieu-de-mediation",
    territoryId: "23096",
    placeIds: [rows[0]?.id as string],
  });
  ids.creuse = await organisation(db, clock, {
    name: "Coordination Creuse (essai)",
    kind: "collectivite",
    territoryId: "23",
  });
  await member(db, clock, "financeur.pass@example.org", ids.financeur, "financeur");
  await member(db, clock, "coordination.pass@example.org", ids.creuse, "coordinateur");
  await member(db, clock, "prescription.pass@example.org", ids.ccas, "prescripteur");
  await member(db, clock, "mediation.pass@example.org", ids.lieu, "mediateur");
});

async function checked(page: Page): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], page.url());
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${page.url()} is ${overflow}px wider than the screen`);
}

/** Signs in through the sign-in page (and the second factor when the role has one). */
async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${journey.server.url}/connexion?retour=/pass`);
  await page.fill("#email", email);
  await page.fill("#motdepasse", PASSWORD_FOR_TESTS);
  await Promise.all([page.waitForLoadState(), page.click("button[type=submit]")]);
  if (page.url().includes("second-facteur")) {
    await page.fill(
      'input[name="code"]',
      totpCode(() => (instant += 30_000)),
    );
    await Promise.all([page.waitForLoadState(), page.click("button[type=submit]")]);
  }
  await page.waitForURL(/\/pass$/);
}

const as = (email: string, fn: (page: Page) => Promise<void>) =>
  withPage(journey.browser, { width: 360, height: 800 }, async (page) => {
    page.setDefaultTimeout(20_000);
    await signIn(page, email);
    await checked(page);
    await fn(page);
  });

describe("the pass numérique in a browser", { skip: browserSkip(), timeout: 600_000 }, () => {
  let programmeUrl = "";
  let code = "";

  test("a financeur creates a programme and orders booklets", async () => {
    await as("financeur.pass@example.org", async (page) => {
      await page.click("text=Créer un programme");
      await checked(page);
      await page.fill("#nom", "Pass numérique Creuse 2027 (essai)");
      await page.fill("#territoire", "23");
      await page.check("#public-seniors");
      await page.check("#carnet-5");
      await page.fill("#date_limite", "2027-12-31");
      await page.fill("#budget", "1000");
      await page.check(`#lieu-${ids.lieu}`);
      await Promise.all([
        page.waitForURL(/\/pass\/programmes\/\d+\?cree=1$/),
        page.click("text=Créer le programme"),
      ]);
      await checked(page);
      programmeUrl = page.url().replace(/\?.*$/, "");
      await page.fill("#nombre", "2");
      await Promise.all([page.waitForLoadState(), page.click("button:text('Commander')")]);
      assert.match((await page.textContent("main")) ?? "", /2 carnet\(s\) commandé\(s\)/);
      await checked(page);
      await page.click("text=Imprimer ces carnets");
      await page.waitForLoadState();
      assert.equal(await page.locator(".pass-cheque").count(), 10);
      assert.equal(await page.locator(".pass-qr svg").count(), 10);
      await checked(page);
    });
  });

  test("the coordinator of the Creuse allocates a booklet to the CCAS", async () => {
    await as("coordination.pass@example.org", async (page) => {
      await page.goto(programmeUrl);
      await page.selectOption("#organisation", String(ids.ccas));
      await page.fill("#carnets", "1");
      await Promise.all([page.waitForLoadState(), page.click("button:text('Attribuer')")]);
      assert.match(
        (await page.textContent("main")) ?? "",
        /1 carnet\(s\) attribué\(s\) à CCAS de Guéret \(essai\)/,
      );
      await checked(page);
    });
  });

  test("the prescriber runs a diagnostic with a person and hands them the booklet from the result", async () => {
    await as("prescription.pass@example.org", async (page) => {
      await page.goto(`${journey.server.url}/diagnostic`);
      await page.fill("#commune", "Guéret");
      await page.check('input[name="mode"][value="accompagne"]');
      await Promise.all([page.waitForURL(/\/question\/1\?/), page.click("button.diag-next")]);
      while (!page.url().includes("/diagnostic/resultat")) {
        await page.locator('input[name="reponse"]').first().check();
        await Promise.all([page.waitForLoadState(), page.click("button.diag-next")]);
      }
      await checked(page);
      const link = page.locator("text=Remettre un carnet de pass numérique à cette personne");
      await Promise.all([page.waitForURL(/\/pass\/remettre\?diagnostic=\d+$/), link.click()]);
      const diagnostic = /diagnostic=(\d+)/.exec(page.url())?.[1] as string;
      await checked(page);
      await Promise.all([
        page.waitForURL(/\/pass\/carnets\/P\d+-\d+/),
        page.locator("table a").first().click(),
      ]);
      assert.equal(await page.inputValue("#diagnostic"), diagnostic);
      await page.fill("#commune", "Guéret");
      await page.selectOption("#tranche", "75-et-plus");
      await Promise.all([page.waitForURL(/remis=1$/), page.click("text=Enregistrer la remise")]);
      const main = (await page.textContent("main")) ?? "";
      assert.match(main, /La remise est enregistrée/);
      assert.match(main, /valables jusqu'au 1 décembre 2027|jusqu'au 1er décembre 2027/);
      await checked(page);
      const serial = /P\d+-\d+/.exec(page.url())?.[0] as string;
      const db = journey.server.ctx.database.db;
      const r = await sql<{
        code: string;
        diagnostic_id: number;
      }>`SELECT c.code, b.diagnostic_id FROM pass_cheque c
        JOIN pass_booklet b ON b.serial = c.serial WHERE c.serial = ${serial} ORDER BY c.rank LIMIT 1`.execute(
        db,
      );
      code = r.rows[0]?.code as string;
      assert.equal(String(r.rows[0]?.diagnostic_id), diagnostic, "the handing keeps the diagnostic's number");
    });
  });

  test("a mediator types the code of a cheque and redeems it; the month over, the statement shows it", async () => {
    await as("mediation.pass@example.org", async (page) => {
      await page.click("text=Encaisser un chèque");
      await checked(page);
      await page.fill("#code", `${code.slice(0, 4).toLowerCase()}-${code.slice(4, 8)} ${code.slice(8)}`);
      await Promise.all([page.waitForLoadState(), page.click("text=Vérifier le chèque")]);
      assert.match((await page.textContent("main")) ?? "", /remis à un bénéficiaire, utilisable/);
      await checked(page);
      await page.fill("#duree", "90");
      await Promise.all([page.waitForURL(/encaisse=1$/), page.click("button:text('Encaisser ce chèque')")]);
      assert.match((await page.textContent("main")) ?? "", /est encaissé : 10\u00a0€ pour votre structure/);
      await checked(page);
    });
    instant = Date.parse("2027-01-01T08:00:00Z");
    assert.equal(await drawStatements(journey.server.ctx.database.db, "2026-12", clock.now(), BY_SYSTEM), 1);
    await as("financeur.pass@example.org", async (page) => {
      await page.click("text=Relevés");
      const row = page.locator("tbody tr").first();
      assert.match(
        (await row.textContent()) ?? "",
        /2026-12.*Espace numérique de Guéret \(essai\).*1.*10\u00a0€/,
      );
      await checked(page);
      await Promise.all([page.waitForURL(/paye=1$/), row.locator("button").click()]);
      assert.match((await page.locator("tbody tr").first().textContent()) ?? "", /Payé/);
      await checked(page);
      await page.goto(programmeUrl);
      assert.match((await page.textContent("main")) ?? "", /Chèques encaissés : 1 \(10\u00a0€\)/);
      await checked(page);
    });
  });
});
