/**
 * The administration pages in a browser, by keyboard: a coordinator acting for one of two organisations passes the
 * second factor, creates an organisation, invites a person (the link shown), reads the people, a deactivation's
 * confirmation and the journal; the invited person accepts; « mot de passe oublié ». axe-core on every page.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
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
let coordination = 0;

const journey = browserJourney({ clock }, async (server) => {
  const db = server.ctx.database.db;
  const at = clock.now();
  const gueret = await createOrganisation(
    db,
    { name: "France Services de Guéret", kind: "france-services", siret: null, territoryId: "23" },
    at,
    BY_SYSTEM,
  );
  const ccas = await createOrganisation(
    db,
    { name: "CCAS d'essai (exemple)", kind: "ccas", siret: null, territoryId: "23096" },
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
  coordination = (
    await addMembership(
      db,
      { personId: p.id, organisationId: gueret.id, role: "coordinateur" },
      at,
      BY_SYSTEM,
    )
  ).id;
  await addMembership(db, { personId: p.id, organisationId: ccas.id, role: "prescripteur" }, at, BY_SYSTEM);
  const m = await createPerson(
    db,
    { email: "mediation@example.org", name: "Dominique Médiation" },
    at,
    BY_SYSTEM,
  );
  await addMembership(db, { personId: m.id, organisationId: gueret.id, role: "mediateur" }, at, BY_SYSTEM);
});

async function noViolations(page: Page): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], page.url());
}

const code = () =>
  new TOTP({ secret: SECRET, digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: instant });

describe("administration pages in a browser", { skip: browserSkip() }, () => {
  test("keyboard only: choose the organisation, second factor, organisations, invitation, people, journal", async () => {
    let link = "";
    await withPage(journey.browser, { width: 360 }, async (page) => {
      page.setDefaultTimeout(20_000);
      const url = journey.server.url;
      await page.goto(`${url}/connexion?retour=%2Fadmin%2Forganisations`);
      await tabTo(page, "#email");
      await page.keyboard.type("coordination@example.org");
      await page.keyboard.press("Tab");
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press("Enter");

      // Two organisations: the person says which one they act for.
      await page.waitForURL(/\/connexion\/role/);
      await noViolations(page);
      // A radio group takes one Tab; the arrows choose within it.
      await tabTo(page, 'input[name="membre"]', "the list of organisations");
      for (let i = 0; i < 3 && !(await page.isChecked(`input[name="membre"][value="${coordination}"]`)); i++)
        await page.keyboard.press("ArrowDown");
      assert.equal(await page.isChecked(`input[name="membre"][value="${coordination}"]`), true);
      await page.keyboard.press("Enter");

      // A coordinator's second factor: the code of the authenticator app.
      await page.waitForURL(/second-facteur/);
      await noViolations(page);
      await tabTo(page, "#code");
      await page.keyboard.type(code());
      await page.keyboard.press("Enter");

      await page.waitForURL(/\/admin\/organisations$/);
      await noViolations(page);
      assert.match((await page.textContent("main")) ?? "", /France Services de Guéret/);

      // A new organisation, by keyboard.
      await tabTo(page, 'a[href="/admin/organisations/nouvelle"]');
      await page.keyboard.press("Enter");
      await page.waitForURL(/nouvelle/);
      await noViolations(page);
      await tabTo(page, "#nom");
      await page.keyboard.type("Association d'essai (exemple)");
      await tabTo(page, "#type");
      await page.selectOption("#type", "association");
      await tabTo(page, "#territoire");
      await page.keyboard.type("23096");
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/admin\/organisations\/\d+/);
      await noViolations(page);
      assert.match((await page.textContent("h1")) ?? "", /Association d'essai \(exemple\)/);

      // An invitation: the link is shown to pass on by hand.
      await tabTo(page, "#email");
      await page.keyboard.type("invitee@example.org");
      await tabTo(page, "#role");
      await page.selectOption("#role", "mediateur");
      await tabTo(page, 'button:has-text("Inviter")');
      await page.keyboard.press("Enter");
      await page.waitForSelector("text=/\\/invitation\\//");
      await noViolations(page);
      link = ((await page.textContent(".notice .account-secret")) ?? "").trim();
      assert.match(link, /\/invitation\/[A-Za-z0-9_-]{20,}$/, "the invitation's link is on the page");

      // People of the territory, one person, the deactivation's confirmation (not confirmed).
      await page.goto(`${url}/admin/personnes`);
      await noViolations(page);
      await page.getByRole("link", { name: /Dominique Médiation/ }).click();
      await page.waitForURL(/\/admin\/personnes\/\d+$/);
      await noViolations(page);
      await page.goto(`${page.url()}/desactiver`);
      await noViolations(page);
      assert.match((await page.textContent("main")) ?? "", /Dominique Médiation/);

      // The journal, filtered by keyboard.
      await page.goto(`${url}/admin/journal`);
      await noViolations(page);
      await tabTo(page, "#action");
      await page.keyboard.type("invitation.envoyer");
      await page.keyboard.press("Enter");
      await page.waitForURL(/action=invitation/);
      await noViolations(page);
      assert.match((await page.textContent("main")) ?? "", /invitation\.envoyer/);

      // The account's own pages: the second factor, a personal token created (shown once).
      await page.goto(`${url}/mon-compte/second-facteur`);
      await noViolations(page);
      await page.goto(`${url}/mon-compte`);
      await tabTo(page, "#libelle");
      await page.keyboard.type("Logiciel du CCAS");
      await page.keyboard.press("Enter");
      await page.waitForSelector("text=il ne sera plus affiché");
      await noViolations(page);
    });

    // The invited person, in another browser: sets a name and a password.
    await withPage(journey.browser, { width: 360 }, async (page) => {
      const path = new URL(link).pathname;
      await page.goto(`${journey.server.url}${path}`);
      await noViolations(page);
      await tabTo(page, "#nom");
      await page.keyboard.type("Alix Invitée");
      await tabTo(page, "#motdepasse");
      await page.keyboard.type("Mimosa-Chaloupe-Vertige-71");
      await tabTo(page, "#confirmation");
      await page.keyboard.type("Mimosa-Chaloupe-Vertige-71");
      await page.keyboard.press("Enter");
      await page.waitForSelector('h1:has-text("C\'est fait")');
      await noViolations(page);
      // The link serves once.
      await page.goto(`${journey.server.url}${path}`);
      assert.match((await page.textContent("h1")) ?? "", /n'est plus valable/);
      await noViolations(page);
      await page.goto(`${journey.server.url}/mot-de-passe-oublie`);
      await noViolations(page);
    });
  });
});
