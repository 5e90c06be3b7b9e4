/**
 * Mandates in a browser, on a 360 px screen, with the keyboard only, axe-core on every page: an habilitated aidant
 * creates a 31-day mandate for « social » and « logement » (form, draft, attestation), prints the attestation (one A4
 * page as PDF), records a use, revokes « logement »; the public verification shows « social » active and « logement »
 * revoked with no personal data; the person sees the mandate with the printed code and their birth date. The
 * coordinator's habilitation pages are checked too. The same pages without JavaScript: test/mandats-http.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { BY_SYSTEM } from "../../src/accounts/store.ts";
import { habilitate } from "../../src/mandats/store.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { axeViolations, browserJourney, browserSkip, tabTo, withPage } from "../support/browser.ts";
import { member, organisation, PASSWORD_FOR_TESTS, totpCode } from "../support/people.ts";

let instant = Date.parse("2026-12-02T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
const ids: Record<string, number> = {};

const journey = browserJourney({ clock }, async (server) => {
  const db = server.ctx.database.db;
  ids.org = await organisation(db, clock, {
    name: "France Services de Guéret (essai)",
    kind: "france-services",
    territoryId: "23096",
  });
  ids.creuse = await organisation(db, clock, {
    name: "Coordination Creuse (essai)",
    kind: "collectivite",
    territoryId: "23",
  });
  const aidant = await member(db, clock, "aidante.mandats@example.org", ids.org, "aidant");
  await member(db, clock, "coordination.mandats@example.org", ids.creuse, "coordinateur");
  await habilitate(
    db,
    {
      personId: aidant,
      organisationId: ids.org,
      trainedOn: "2026-11-20",
      charter: "2026-12",
      territoryId: "23096",
    },
    BY_SYSTEM,
    clock.now(),
  );
});

async function checked(page: Page): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], page.url());
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${page.url()} is ${overflow}px wider than the screen`);
}

/** Signs in with the keyboard (e-mail, password, second factor), then goes to `path`. */
async function signIn(page: Page, email: string, path: string): Promise<void> {
  await page.goto(`${journey.server.url}/connexion?retour=${encodeURIComponent(path)}`);
  await tabTo(page, "#email");
  await page.keyboard.type(email);
  await tabTo(page, "#motdepasse");
  await page.keyboard.type(PASSWORD_FOR_TESTS);
  await Promise.all([page.waitForURL((u) => u.pathname !== "/connexion"), page.keyboard.press("Enter")]);
  if (page.url().includes("second-facteur")) {
    await tabTo(page, 'input[name="code"]');
    await page.keyboard.type(totpCode(() => (instant += 30_000)));
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith("/connexion")),
      page.keyboard.press("Enter"),
    ]);
  }
  await page.waitForURL((u) => u.pathname === path);
}

/** Tabs to a field and types into it, as a keyboard user does. */
async function type(page: Page, selector: string, text: string): Promise<void> {
  await tabTo(page, selector);
  await page.keyboard.type(text);
}

/** Tabs to a checkbox or a button and presses Space or Enter. */
async function press(page: Page, selector: string, key: "Space" | "Enter" = "Space"): Promise<void> {
  await tabTo(page, selector);
  await page.keyboard.press(key);
}

const pdfPages = (pdf: Buffer) => pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;

describe("mandates in a browser, keyboard only", { skip: browserSkip(), timeout: 600_000 }, () => {
  let hash = "";
  let code = "";

  test("the aidant creates a 31-day mandate for « social » and « logement », prints it, records a use, revokes « logement »", async () => {
    await withPage(journey.browser, { width: 360, height: 800 }, async (page) => {
      page.setDefaultTimeout(20_000);
      await signIn(page, "aidante.mandats@example.org", "/mandats");
      await checked(page);
      await Promise.all([page.waitForURL(/\/mandats\/nouveau$/), press(page, "main a.button", "Enter")]);
      await checked(page);
      await press(page, "#demarche-social");
      await press(page, "#demarche-logement");
      // Tab enters the group of durations on its first choice; the arrow moves to « 1 mois ».
      await tabTo(page, "#duree-1");
      await page.keyboard.press("ArrowDown");
      await type(page, "#prenoms", "Camille");
      await type(page, "#nom", "Exemple");
      await type(page, "#date_naissance", "04/07/1948");
      await type(page, "#lieu_naissance", "Guéret");
      await tabTo(page, "#piece");
      await page.keyboard.press("ArrowDown");
      for (const id of ["peut", "ne-peut-pas", "annuler", "protection", "identite"])
        await press(page, `#verif-${id}`);
      assert.equal(await page.inputValue("#piece"), "carte-identite");
      assert.ok(await page.isChecked("#duree-31"));
      await Promise.all([
        page.waitForSelector(".mandat-projet"),
        press(page, 'button[value="projet"]', "Enter"),
      ]);
      assert.match((await page.textContent("main")) ?? "", /Projet sans valeur/);
      assert.match((await page.textContent("main")) ?? "", /pour 1 mois \(31 jours\)/);
      await checked(page);
      await Promise.all([
        page.waitForURL(/\/mandats\/\d+\?cree=1$/),
        press(page, 'button[value="creer"]', "Enter"),
      ]);
      await checked(page);
      const mandatUrl = page.url().replace(/\?.*$/, "");

      // The attestation: one A4 page once printed, the hash as text and as a QR code.
      await Promise.all([
        page.waitForURL(/\/attestation$/),
        press(page, 'main a[href$="/attestation"]', "Enter"),
      ]);
      await checked(page);
      hash = ((await page.textContent(".mandat-hash")) ?? "").replace(/\s+/g, "");
      code = ((await page.textContent(".pass-code")) ?? "").replaceAll("-", "");
      assert.match(hash, /^[0-9a-f]{64}$/);
      assert.equal(await page.locator(".mandat-qr svg").count(), 1);
      await page.emulateMedia({ media: "print" });
      assert.equal(await page.locator(".site-header").isVisible(), false);
      assert.equal(await page.locator("p.no-print").isVisible(), false);
      const pdf = await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
      assert.ok(pdf.length > 5000);
      assert.equal(pdfPages(pdf), 1, `the attestation prints on ${pdfPages(pdf)} pages`);
      await page.emulateMedia({ media: "screen" });
      // The easy-to-read version, in large type.
      await page.goto(`${mandatUrl}/attestation?version=facile`);
      await checked(page);
      assert.match((await page.textContent("main")) ?? "", /Vous pouvez arrêter le mandat quand vous voulez/);
      await page.emulateMedia({ media: "print" });
      const easy = await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
      assert.ok(pdfPages(easy) <= 2, `the easy version prints on ${pdfPages(easy)} pages`);
      await page.emulateMedia({ media: "screen" });

      // A use.
      await page.goto(mandatUrl);
      await Promise.all([page.waitForURL(/\/utilisation$/), press(page, 'a[href$="/utilisation"]', "Enter")]);
      await checked(page);
      await tabTo(page, "#demarche");
      await page.keyboard.press("ArrowDown");
      assert.equal(await page.inputValue("#demarche"), "logement");
      await type(page, "#description", "Demande d'aide au logement déposée");
      await Promise.all([
        page.waitForURL(/fait=utilisation$/),
        press(page, "main form button[type=submit]", "Enter"),
      ]);
      assert.match((await page.textContent("main")) ?? "", /Demande d'aide au logement déposée/);
      await checked(page);

      // Revoke « logement ».
      await Promise.all([page.waitForURL(/\/revocation$/), press(page, 'a[href$="/revocation"]', "Enter")]);
      await checked(page);
      await press(page, "#rev-logement");
      await Promise.all([
        page.waitForURL(/\/revocations\/\d+$/),
        press(page, 'button[value="choisies"]', "Enter"),
      ]);
      assert.match((await page.textContent("main")) ?? "", /Attestation de révocation de mandat/);
      await checked(page);
      // The transfer page (not submitted: the mandate stays here).
      await page.goto(`${mandatUrl}/transfert`);
      await checked(page);
    });
  });

  test("the public verification shows « social » active and « logement » revoked, with no personal data", async () => {
    await withPage(journey.browser, { width: 360, height: 800 }, async (page) => {
      await page.goto(`${journey.server.url}/mandats/verifier`);
      await checked(page);
      await type(page, "#empreinte", hash.toUpperCase());
      await Promise.all([page.waitForURL(/empreinte=/), page.keyboard.press("Enter")]);
      await checked(page);
      const rows = await page.locator("main table tbody tr").allTextContents();
      assert.deepEqual(rows, ["Social - Santéen cours", "Logementrévoquée"]);
      const text = (await page.textContent("body")) ?? "";
      for (const personal of ["Camille", "Exemple", "1948", "carte nationale"])
        assert.ok(!text.includes(personal), personal);
    });
  });

  test("the person sees the mandate and its use with the printed code and their birth date", async () => {
    await withPage(journey.browser, { width: 360, height: 800 }, async (page) => {
      await page.goto(`${journey.server.url}/mes-mandats`);
      await checked(page);
      await type(page, "#code", code);
      await type(page, "#naissance", "04/07/1948");
      await Promise.all([page.waitForSelector("main h2"), page.keyboard.press("Enter")]);
      await checked(page);
      const main = (await page.textContent("main")) ?? "";
      assert.match(main, /Avec France Services de Guéret \(essai\)/);
      assert.match(main, /Demande d'aide au logement déposée/);
    });
  });

  test("the coordinator's habilitation pages", async () => {
    await withPage(journey.browser, { width: 360, height: 800 }, async (page) => {
      page.setDefaultTimeout(20_000);
      await signIn(page, "coordination.mandats@example.org", "/mandats/habilitations");
      await checked(page);
      await Promise.all([
        page.waitForURL(/\/mandats\/habilitations\/\d+$/),
        press(page, `a[href="/mandats/habilitations/${ids.org}"]`, "Enter"),
      ]);
      await checked(page);
      assert.match((await page.textContent("main")) ?? "", /20 novembre 2026/);
    });
  });
});
