/**
 * Imports from the browser, by keyboard and without JavaScript: a coordinator of Creuse uploads real France
 * Services rows (one of Corrèze, refused as outside the territory), reads the report, confirms, and sees the end;
 * the page of an import « en cours » reloads itself (meta refresh). axe-core on every page.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
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
import { getUpload, moveUpload } from "../../src/places/store/uploads.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { axeViolations, browserJourney, browserSkip, tabTo, withPage } from "../support/browser.ts";
import { FILES, realText } from "../support/places.ts";

const PASSWORD = "Tulipe-Granit-Boussole-48";
const SECRET = newSecret();
const instant = Date.parse("2026-12-01T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
const dir = mkdtempSync(join(tmpdir(), "maillage-e2e-upload-"));
const file = join(dir, "france-services-creuse-2024-08-01.csv");
after(() => rmSync(dir, { recursive: true, force: true }));

const journey = browserJourney({ clock }, async (server) => {
  const db = server.ctx.database.db;
  const at = clock.now();
  const org = await createOrganisation(
    db,
    { name: "Réseau d'essai de la Creuse (exemple)", kind: "association", siret: null, territoryId: "23" },
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
  await addMembership(db, { personId: p.id, organisationId: org.id, role: "coordinateur" }, at, BY_SYSTEM);
  const lines = (await realText(FILES.franceServices)).split(/\r?\n/);
  const rows = [
    ...lines.filter((l) => /^"\d+","23",/.test(l)).slice(0, 5),
    lines.find((l) => l.startsWith('"121","19",')),
  ];
  writeFileSync(file, `${[lines[0], ...rows].join("\n")}\n`);
});

/**
 * axe-core needs JavaScript: the page the keyboard journey (without JavaScript) is on is opened again, with the same
 * cookies, in a context where scripts run, and scanned there. A page that reloads itself may reload during the scan:
 * the scan is then made again.
 */
async function noViolations(page: Page, opts: { allowChosenRefresh?: boolean } = {}): Promise<void> {
  const browser = journey.browser;
  if (!browser) return;
  const context = await browser.newContext({
    storageState: await page.context().storageState(),
    viewport: { width: 360, height: 800 },
    locale: "fr-FR",
  });
  try {
    const scanned = await context.newPage();
    await scanned.goto(page.url());
    let violations: string[] | null = null;
    for (let attempt = 0; violations === null && attempt < 3; attempt++)
      violations = await axeViolations(scanned).catch(() => null);
    // The reload the person asked for (with a link to stop it) is the one exception: see docs/decisions.md.
    if (opts.allowChosenRefresh)
      violations = (violations ?? []).filter((v) => !v.startsWith("meta-refresh "));
    assert.deepEqual(violations, [], page.url());
  } finally {
    await context.close();
  }
}

/** Waits until the page (which reloads itself while an import runs) says `text`: one reload at a time. */
async function reloadsUntil(page: Page, text: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (((await page.textContent("main")) ?? "").includes(text)) return;
    await page.waitForEvent("load");
  }
  throw new Error(`« ${text} » never shown`);
}

const code = () =>
  new TOTP({ secret: SECRET, digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: instant });

describe("imports from the browser", { skip: browserSkip() }, () => {
  test("keyboard, no JavaScript: upload, report, confirm, progress, done", async () => {
    await withPage(journey.browser, { javaScriptEnabled: false, width: 360 }, async (page) => {
      page.setDefaultTimeout(30_000);
      const url = journey.server.url;
      await page.goto(`${url}/connexion?retour=%2Fadmin%2Fimports`);
      await tabTo(page, "#email");
      await page.keyboard.type("coordination@example.org");
      await page.keyboard.press("Tab");
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press("Enter");
      await page.waitForURL(/second-facteur/);
      await tabTo(page, "#code");
      await page.keyboard.type(code());
      await page.keyboard.press("Enter");

      await page.waitForURL(/\/admin\/imports$/);
      await noViolations(page);
      await tabTo(page, "#source");
      await tabTo(page, "#fichier");
      // A file input opens the system's chooser: the chosen file is given as that chooser would.
      await page.setInputFiles("#fichier", file);
      await tabTo(page, 'form[enctype="multipart/form-data"] button[type="submit"]', "Vérifier le fichier");
      await page.keyboard.press("Enter");

      await page.waitForURL(/\/admin\/imports\/\d+$/);
      await noViolations(page);
      const report = (await page.textContent("main")) ?? "";
      assert.match(report, /6 lignes lues : 5 acceptées, 1 refusées/);
      assert.match(report, /Saint-Ybard \(19248\) n'est pas dans votre territoire \(Creuse\)/);
      assert.match(report, /Lieux qui seraient ajoutés \(5\)/);
      const id = Number(/(\d+)$/.exec(page.url())?.[1]);

      await tabTo(page, `form[action="/admin/imports/${id}/confirmer"] button`, "Confirmer l'import");
      await page.keyboard.press("Enter");
      await page.waitForURL(new RegExp(`/admin/imports/${id}$`));
      // While it runs the page reloads itself; it ends « importé ».
      await reloadsUntil(page, "État : importé");
      await noViolations(page);
      assert.match((await page.textContent("main")) ?? "", /5 nouveaux lieux/);
      assert.equal((await getUpload(journey.server.ctx.database.db, id))?.state, "terminé");
    });
  });

  test("the page of an import « en cours »: reloads itself, accessible", async () => {
    const db = journey.server.ctx.database.db;
    await withPage(journey.browser, { javaScriptEnabled: false, width: 360 }, async (page) => {
      page.setDefaultTimeout(30_000);
      const url = journey.server.url;
      await page.goto(`${url}/connexion?retour=%2Fadmin%2Fimports`);
      await tabTo(page, "#email");
      await page.keyboard.type("coordination@example.org");
      await page.keyboard.press("Tab");
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press("Enter");
      await page.waitForURL(/second-facteur/);
      await tabTo(page, "#code");
      // A new 30-second step: the code of the first sign-in was used.
      await page.keyboard.type(
        new TOTP({ secret: SECRET, digits: 6, period: 30, algorithm: "SHA1" }).generate({
          timestamp: instant + 30_000,
        }),
      );
      clock.now = () => new Date(instant + 30_000);
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/admin\/imports$/);
      await page.setInputFiles("#fichier", file);
      await tabTo(page, 'form[enctype="multipart/form-data"] button[type="submit"]', "Vérifier le fichier");
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/admin\/imports\/\d+$/);
      const id = Number(/(\d+)$/.exec(page.url())?.[1]);
      // As if a server were importing it.
      assert.ok(await moveUpload(db, id, ["prêt"], "en cours", clock.now()));
      await page.goto(`${url}/admin/imports/${id}`);
      assert.match((await page.textContent('[role="status"]')) ?? "", /import en cours/);
      assert.equal(await page.locator('meta[http-equiv="refresh"]').count(), 0);
      await noViolations(page);
      // Asked for by keyboard: the page reloads itself, with a link to stop it.
      await tabTo(page, `a[href="/admin/imports/${id}?auto=1"]`, "Actualiser automatiquement");
      await page.keyboard.press("Enter");
      await page.waitForURL(/auto=1$/);
      assert.equal(await page.getAttribute('meta[http-equiv="refresh"]', "content"), "5");
      assert.match((await page.textContent("main")) ?? "", /Arrêter l'actualisation automatique/);
      await noViolations(page, { allowChosenRefresh: true });
      const stored = (await getUpload(db, id))?.stored ?? null;
      await moveUpload(db, id, ["en cours"], "annulé", clock.now(), { stored: null });
      await journey.server.app.placeUploads.remove(stored);
    });
  });
});
