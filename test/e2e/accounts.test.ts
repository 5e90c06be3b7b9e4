/** Signing in with a browser: keyboard only, the second factor, signing out, an expired session; axe on every page. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TOTP } from "otpauth";
import type { Page } from "playwright-core";
import { hashPassword } from "../../src/accounts/password.ts";
import { addMembership, BY_SYSTEM, createOrganisation, createPerson } from "../../src/accounts/store.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { axeViolations, browserJourney, browserSkip, tabTo, withPage } from "../support/browser.ts";

const PASSWORD = "Tulipe-Granit-Boussole-48";
let instant = Date.parse("2026-12-01T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };

const journey = browserJourney({ clock }, async (server) => {
  const db = server.ctx.database.db;
  const org = await createOrganisation(
    db,
    { name: "France Services de Guéret", kind: "france-services", siret: null, territoryId: "23" },
    clock.now(),
    BY_SYSTEM,
  );
  const p = await createPerson(
    db,
    {
      email: "coordination@example.org",
      name: "Camille Coordination",
      passwordHash: await hashPassword(PASSWORD),
    },
    clock.now(),
    BY_SYSTEM,
  );
  await addMembership(
    db,
    { personId: p.id, organisationId: org.id, role: "coordinateur" },
    clock.now(),
    BY_SYSTEM,
  );
});

async function noViolations(page: Page): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], page.url());
}

const code = (secret: string) =>
  new TOTP({ secret, digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: instant });

describe("accounts in a browser", { skip: browserSkip() }, () => {
  test("sign in by keyboard, enrol the second factor, see the account, sign out, expired session", async () => {
    await withPage(journey.browser, { width: 360 }, async (page) => {
      page.setDefaultTimeout(20_000);
      await page.goto(`${journey.server.url}/connexion`);
      await noViolations(page);
      await tabTo(page, "#email");
      await page.keyboard.type("coordination@example.org");
      await page.keyboard.press("Tab");
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press("Enter");
      await page.waitForURL(/second-facteur/);
      await noViolations(page);
      const key = (await page.inputValue('input[name="cle"]')) as string;
      assert.equal(await page.locator(".account-qr svg").count(), 1);
      await tabTo(page, "#code");
      await page.keyboard.type(code(key));
      await page.keyboard.press("Enter");
      await page.waitForSelector("text=Vos codes de secours");
      await noViolations(page);
      assert.equal(await page.locator(".account-codes li").count(), 10);
      await page.getByRole("link", { name: /continuer/ }).click();
      await page.waitForURL(/\/mon-compte$/);
      assert.match(
        (await page.textContent(".account-bar")) ?? "",
        /Connecté : Camille Coordination — France Services de Guéret/,
      );
      await noViolations(page);
      await page.goto(`${journey.server.url}/mon-compte/second-facteur`);
      await page.getByRole("button", { name: "Se déconnecter" }).click();
      await page.waitForURL(/sortie=1/);
      assert.match((await page.textContent("main")) ?? "", /Vous êtes déconnecté/);

      // Signed in again, then idle past the coordinator's 2 hours: back to /connexion, told why.
      await page.fill("#email", "coordination@example.org");
      await page.fill("#motdepasse", PASSWORD);
      await page.click("button[type=submit]");
      await page.waitForURL(/second-facteur/);
      await noViolations(page);
      instant += 30_000;
      await page.fill("#code", code(key));
      await page.click("button[type=submit]");
      await page.waitForURL(/\/mon-compte$/);
      instant += 121 * 60_000;
      await page.goto(`${journey.server.url}/mon-compte`);
      await page.waitForURL(/\/connexion\?/);
      assert.match((await page.textContent("main")) ?? "", /Votre session a expiré, reconnectez-vous\./);
      await noViolations(page);
    });
  });
});
