/**
 * Editing a place in a browser, by keyboard, on a real place of Creuse: a coordinator signs in, finds
 * it on the dashboard, types Tuesday's hours in the weekly editor (with JavaScript, which writes the text and checks
 * it with the server; and once more without JavaScript), the public page and the finder show the new hours at once,
 * the history shows both versions, a restore brings the old one back. axe-core on every page.
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
import { weekOfHours } from "../../src/places/edit.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { axeViolations, browserJourney, browserSkip, tabTo, withPage } from "../support/browser.ts";

const PASSWORD = "Tulipe-Granit-Boussole-48";
const SECRET = newSecret();
// A Tuesday, 10:00 in Paris.
let instant = Date.parse("2026-12-01T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
const target = { id: "", nom: "", commune: "" };

const journey = browserJourney({ clock }, async (server) => {
  const db = server.ctx.database.db;
  const at = clock.now();
  const cd23 = await createOrganisation(
    db,
    { name: "Conseil départemental de la Creuse", kind: "collectivite", siret: null, territoryId: "23" },
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
  await addMembership(db, { personId: p.id, organisationId: cd23.id, role: "coordinateur" }, at, BY_SYSTEM);
  // A real place of Creuse whose hours the weekly editor shows, and that says nothing of 12:15 or 16:30.
  const r = await sql<{ id: string; nom: string; commune_code: string; horaires: string | null }>`
    SELECT id, nom, commune_code, standard->>'horaires' AS horaires FROM place
    WHERE commune_code LIKE '23%' AND cardinality(members) = 1 ORDER BY id`.execute(db);
  const row = r.rows.find(
    (x) =>
      weekOfHours(x.horaires) !== null && !/12:15|16:30/.test(x.horaires ?? "") && !/[&<>"']/.test(x.nom),
  );
  assert.ok(row, "a real place of Creuse with plain weekly hours");
  Object.assign(target, { id: row.id, nom: row.nom, commune: row.commune_code });
});

async function noViolations(page: Page): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], page.url());
}

const code = () => {
  instant += 30_000;
  return new TOTP({ secret: SECRET, digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: instant,
  });
};

async function signIn(page: Page, back: string): Promise<void> {
  await page.goto(`${journey.server.url}/connexion?retour=${encodeURIComponent(back)}`);
  await tabTo(page, "#email");
  await page.keyboard.type("coordination@example.org");
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForURL(/second-facteur/);
  await tabTo(page, "#code");
  await page.keyboard.type(code());
  await page.keyboard.press("Enter");
  await page.waitForURL((u) => u.pathname === back.split("?")[0]);
}

describe("editing a place in a browser", { skip: browserSkip() }, () => {
  test("keyboard only: dashboard, weekly editor, public page and finder at once, history, restore", async () => {
    await withPage(journey.browser, { width: 360 }, async (page) => {
      page.setDefaultTimeout(20_000);
      const url = journey.server.url;
      await signIn(page, "/admin/lieux");
      await noViolations(page);
      // The dashboard: find the place by its name.
      await tabTo(page, "#q");
      await page.keyboard.type(target.nom);
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/admin\/lieux\?q=/);
      await noViolations(page);
      await tabTo(page, `a[href="/admin/lieux/${target.id}/modifier"]`, "the place's « Modifier » link");
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/modifier$/);
      await noViolations(page);

      // Tuesday morning, typed in the weekly editor: the script writes the text and the server says it reads.
      await tabTo(page, 'input[name="h_1_0_0"]', "Tuesday's opening");
      await page.keyboard.press("Control+A");
      await page.keyboard.type("9h30");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Control+A");
      await page.keyboard.type("12:15");
      await page.waitForFunction(() =>
        /Tu(?:[-,][A-Za-z]{2})* 09:30-12:15/.test(
          (document.querySelector("#horaires") as HTMLTextAreaElement).value,
        ),
      );
      await page.waitForSelector("text=Horaires lisibles.");
      // Enter in a field submits the form (the reason is optional).
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/historique\?enregistre=2/);
      await noViolations(page);
      assert.match((await page.textContent("main")) ?? "", /Version 2 — Modification/);
      assert.match(
        (await page.textContent("main")) ?? "",
        /Version 1 — Fiche publiée avant la première modification/,
      );

      // At once: the public page and the finder (open now, a Tuesday at 10:00).
      await page.goto(`${url}/lieux/${target.id}`);
      await noViolations(page);
      assert.match((await page.textContent("main")) ?? "", /12 h 15/);
      assert.match((await page.textContent("main")) ?? "", /Version 2 — Modification/);
      await page.goto(`${url}/trouver?commune=${target.commune}`);
      const finder = (await page.textContent("main")) ?? "";
      assert.match(finder, new RegExp(target.nom.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").slice(0, 30)));
      assert.match(finder, /12 h 15/);

      // The history's restore, by keyboard: version 1 (no hours) is back.
      await page.goto(`${url}/admin/lieux/${target.id}/historique`);
      await tabTo(page, 'button:has-text("Restaurer la version 1")');
      await page.keyboard.press("Enter");
      await page.waitForURL(/restauree=1/);
      await noViolations(page);
      await page.goto(`${url}/lieux/${target.id}`);
      assert.doesNotMatch((await page.textContent("main")) ?? "", /12 h 15/);
      assert.match((await page.textContent("main")) ?? "", /Version 3 — Restauration/);
    });

    // Without JavaScript: the same form works, the week read by the server (Sunday afternoon).
    await withPage(journey.browser, { width: 360, javaScriptEnabled: false }, async (page) => {
      page.setDefaultTimeout(20_000);
      await signIn(page, `/admin/lieux/${target.id}/modifier`);
      // (axe-core runs in the page: with JavaScript off it cannot; the same page passed it above.)
      await tabTo(page, 'input[name="h_6_1_0"]', "Sunday's afternoon opening", 300);
      await page.keyboard.press("Control+A");
      await page.keyboard.type("14:00");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Control+A");
      await page.keyboard.type("16h30");
      await Promise.all([page.waitForURL(/\/historique\?enregistre=4/), page.keyboard.press("Enter")]);
      await page.goto(`${journey.server.url}/lieux/${target.id}`);
      assert.match((await page.textContent("main")) ?? "", /16 h 30/);
    });
  });
});
