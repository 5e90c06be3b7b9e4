/**
 * Reports and duplicates in a browser, by keyboard, on a 360 px screen: a visitor (with and without JavaScript) reports an error
 * on a real place of Guéret; a coordinator of Creuse finds it in the queue and takes it in hand, then compares a
 * pair of possible duplicates of Creuse side by side and keeps them apart, and withdraws that decision.
 * axe-core on every page, no page wider than the screen.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sql } from "kysely";
import { TOTP } from "otpauth";
import type { Page } from "playwright-core";
import { hashPassword } from "../../src/accounts/password.ts";
import {
  addMembership,
  BY_SYSTEM,
  createOrganisation,
  createPerson,
  setTotp,
} from "../../src/accounts/store.ts";
import { newSecret } from "../../src/accounts/totp.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { axeViolations, browserJourney, browserSkip, tabTo, withPage } from "../support/browser.ts";

const PASSWORD = "Tulipe-Granit-Boussole-48";
const SECRET = newSecret();
const instant = Date.parse("2026-12-01T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
let place = { id: "", nom: "" };

const journey = browserJourney({ clock }, async (server) => {
  const db = server.ctx.database.db;
  const at = clock.now();
  const o = await createOrganisation(
    db,
    {
      name: "Coordination d'essai de la Creuse (exemple)",
      kind: "association",
      siret: null,
      territoryId: "23",
    },
    at,
    BY_SYSTEM,
  );
  const p = await createPerson(
    db,
    {
      email: "coordination@example.org",
      name: "Camille Coordination",
      passwordHash: await hashPassword(PASSWORD),
    },
    at,
    BY_SYSTEM,
  );
  await setTotp(db, p.id, SECRET, [], at, BY_SYSTEM);
  await addMembership(db, { personId: p.id, organisationId: o.id, role: "coordinateur" }, at, BY_SYSTEM);
  const r = await sql<{ id: string; nom: string }>`SELECT id, nom FROM place
    WHERE commune_code = '23096' ORDER BY id LIMIT 1`.execute(db);
  place = r.rows[0] as typeof place;
});

async function checked(page: Page): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], page.url());
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${page.url()} is ${overflow}px wider than the screen`);
}

const code = () =>
  new TOTP({ secret: SECRET, digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: instant });

describe("reports and duplicates in a browser", { skip: browserSkip() }, () => {
  test("keyboard only: report without JavaScript, then the coordinator's queue and a duplicate decision", async () => {
    const url = () => journey.server.url;
    // A visitor reports by keyboard: with JavaScript (axe-core checks each page), then without.
    for (const javaScriptEnabled of [true, false]) {
      const check = javaScriptEnabled ? checked : async () => {};
      await withPage(journey.browser, { width: 360, javaScriptEnabled }, async (page) => {
        await page.goto(`${url()}/lieux/${place.id}`);
        await tabTo(page, `a[href="/lieux/${place.id}/signaler"]`, "« Signaler une erreur »");
        await page.keyboard.press("Enter");
        await page.waitForURL(/\/signaler$/);
        await check(page);
        await tabTo(page, 'input[name="quoi"]', "the choices");
        // A radio group takes one Tab; the arrows choose within it (the first is « fermé »: go to « horaires »).
        await page.keyboard.press("ArrowDown");
        assert.equal(await page.isChecked('input[value="horaires"]'), true);
        await tabTo(page, "#texte");
        await page.keyboard.type("https://www.example.org/horaires");
        await tabTo(page, 'button[type="submit"]:has-text("Envoyer")');
        await page.keyboard.press("Enter");
        // Only a link: refused, the text and the choice kept.
        await page.waitForSelector("#erreur");
        await check(page);
        assert.equal(await page.inputValue("#texte"), "https://www.example.org/horaires");
        assert.equal(await page.isChecked('input[value="horaires"]'), true);
        await tabTo(page, "#texte");
        await page.keyboard.press("End");
        await page.keyboard.type(" : fermé le lundi matin depuis septembre.");
        await tabTo(page, 'button[type="submit"]:has-text("Envoyer")');
        await page.keyboard.press("Enter");
        await page.waitForURL(/envoye=1/);
        await check(page);
        assert.match((await page.textContent("main")) ?? "", /Merci/);
      });
    }

    // The coordinator of Creuse.
    await withPage(journey.browser, { width: 360 }, async (page) => {
      page.setDefaultTimeout(20_000);
      await page.goto(`${url()}/connexion?retour=%2Fadmin%2Fsignalements`);
      await tabTo(page, "#email");
      await page.keyboard.type("coordination@example.org");
      await page.keyboard.press("Tab");
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press("Enter");
      await page.waitForURL(/second-facteur/);
      await tabTo(page, "#code");
      await page.keyboard.type(code());
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/admin\/signalements$/);
      await checked(page);
      assert.match((await page.textContent("main")) ?? "", /fermé le lundi matin/);
      assert.equal(await page.locator('a:has-text("Corriger la fiche")').count(), 2);

      await tabTo(page, 'a[href^="/admin/signalements/"]', "« Traiter »");
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/admin\/signalements\/\d+$/);
      await checked(page);
      await tabTo(page, "#etat");
      await page.selectOption("#etat", "en cours");
      await tabTo(page, "#note");
      await page.keyboard.type("J'appelle le lieu.");
      await tabTo(page, 'button:has-text("Enregistrer")');
      await page.keyboard.press("Enter");
      await page.waitForURL(/enregistre=1/);
      await checked(page);
      assert.match((await page.textContent("main")) ?? "", /En cours/);

      // Duplicates of Creuse.
      await tabTo(page, 'a[href="/admin/doublons"]', "the menu's « Doublons »");
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/admin\/doublons$/);
      await checked(page);
      await tabTo(page, 'a[href^="/admin/doublons/lieu-"]', "« Comparer »");
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/admin\/doublons\/lieu-[0-9a-f]+\/lieu-[0-9a-f]+$/);
      await checked(page);
      assert.match((await page.textContent("main")) ?? "", /D'où vient le score/);
      const pair = new URL(page.url()).pathname;
      await tabTo(page, "#note");
      await page.keyboard.type("Deux lieux distincts, vérifié sur place.");
      await tabTo(page, 'button[value="separer"]');
      await page.keyboard.press("Enter");
      await page.waitForURL(/fait=separer/);
      await checked(page);
      assert.match((await page.textContent("main")) ?? "", /Garder séparés/);

      await page.goto(`${url()}/admin/doublons?vue=decisions`);
      await checked(page);
      assert.equal(await page.locator(`a[href="${pair}"]`).count(), 1);
      await page.goto(`${url()}${pair}`);
      await tabTo(page, 'button:has-text("Annuler cette décision")');
      await page.keyboard.press("Enter");
      await page.waitForURL(/fait=annuler/);
      await checked(page);
      assert.match((await page.textContent("main")) ?? "", /La décision est annulée/);
    });
  });
});
