/**
 * Every public HTML page (the `GET` routes of src/accounts/access.ts whose access is `public`, but exports, API
 * and assets) at 360 × 800 and 1 280 × 900 in one browser: no horizontal overflow, no word of a table cell on two
 * lines, 0 axe violations, a header under 120 px on the phone, no « 1970 » in the text. Pages that need a record
 * get one made here: a diagnostic's signed state, a mandate signed by an habilitated aidant, an invitation link.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { sql } from "kysely";
import type { Page } from "playwright-core";
import { invite } from "../../src/accounts/invitations.ts";
import { BY_SYSTEM } from "../../src/accounts/store.ts";
import type { Answers } from "../../src/diagnostic/model.ts";
import { QUESTIONNAIRE } from "../../src/diagnostic/questionnaire.ts";
import { loadSecret } from "../../src/diagnostic/secret.ts";
import { signToken } from "../../src/diagnostic/token.ts";
import { warmIndicators } from "../../src/indicateurs/compute.ts";
import { CURRENT_TEMPLATE } from "../../src/mandats/model.ts";
import { createMandat, habilitate } from "../../src/mandats/store.ts";
import { newCode } from "../../src/pass/code.ts";
import { axeViolations, browserJourney, browserSkip, withPage } from "../support/browser.ts";
import { member, organisation } from "../support/people.ts";

/** A real place of the Creuse, for its page. */
let place = "";
/** The printable sheet of the finder's first result in Guéret. */
let sheet = "";
/** A diagnostic in Guéret: its first question (nothing answered yet) and its finished state. */
let diagnosticStart = "";
let diagnosticDone = "";
/** A mandate signed in Guéret for a fictitious person: its public hash and its printed code. */
let mandat = { hash: "", code: "" };
/** An invitation link's path, as the person invited opens it. */
let invitation = "";

/** Every question answered as a person in difficulty would (the questionnaire's answer ids). */
const ANSWERS: Answers = {
  equipement: "telephone",
  connexion: "oui",
  appareil: "aide",
  recherche: "aide",
  courriel: "jamais",
  "mot-de-passe": "jamais",
  demarche: "jamais",
  arnaque: "doute",
  messagerie: "seul",
  confiance: "peur",
  urgence: "oui",
  genes: ["lecture", "vue"],
  entourage: "non",
};

const journey = browserJourney({}, async (server) => {
  const db = server.ctx.database.db;
  const clock = server.ctx.clock;
  const r = await sql<{
    id: string;
  }>`SELECT id FROM place WHERE search LIKE '%gueret%' ORDER BY id LIMIT 1`.execute(db);
  place = r.rows[0]?.id ?? "";
  // As the server does once it listens (src/cli.ts): the dashboards' tables are built before the first page.
  await warmIndicators(server.ctx);
  const api = await (await fetch(`${server.url}/api/v1/orientation?commune=23096&besoin=demarches`)).json();
  sheet = api.resultats[0]?.fiche ?? "";
  // The diagnostic's pages carry its state in a signed token, as the form's steps would give it.
  const secret = loadSecret(server.ctx.config.secret, server.ctx.config.dataDir);
  const token = (a: Answers) =>
    encodeURIComponent(
      signToken(
        { v: QUESTIONNAIRE.version, m: "seul", c: "23096", a, i: Date.now(), n: "telephone" },
        secret,
      ),
    );
  diagnosticStart = `/diagnostic/question/1?t=${token({})}`;
  diagnosticDone = token(ANSWERS);
  // A mandate, as an habilitated aidant of a France Services signs it (mandates' pages: test/e2e/mandats.test.ts).
  const org = await organisation(db, clock, {
    name: "France Services de Guéret (essai)",
    kind: "france-services",
    territoryId: "23096",
  });
  const aidant = await member(db, clock, "aidante.telephone@example.org", org, "aidant");
  await habilitate(
    db,
    {
      personId: aidant,
      organisationId: org,
      trainedOn: "2026-11-20",
      charter: "2026-12",
      territoryId: "23096",
    },
    BY_SYSTEM,
    clock.now(),
  );
  const created = await createMandat(
    db,
    {
      organisationId: org,
      territoryId: "23096",
      zone: "Europe/Paris",
      template: CURRENT_TEMPLATE,
      demarches: ["social", "logement"],
      duration: 31,
      mandant: {
        givenNames: "Camille",
        familyName: "Exemple",
        birthDate: "1948-07-04",
        birthPlace: "Guéret",
        document: "carte-identite",
        contact: null,
      },
      salt: randomBytes(16).toString("hex"),
      code: newCode(),
    },
    aidant,
    BY_SYSTEM,
    clock.now(),
  );
  if (created.ok) mandat = { hash: created.mandat.hash, code: created.mandat.code };
  const invited = await invite(db, server.ctx.config, clock, {
    email: "invitee.telephone@example.org",
    organisationId: org,
    role: "mediateur",
    by: BY_SYSTEM,
    purpose: "invitation",
    base: server.url,
  });
  if (invited.ok) invitation = new URL(invited.link).pathname;
});

/**
 * A public page: its address and status; `form`, when given, is then filled (selector → text) and sent with Enter
 * in its first field, and the page it leads to is checked too.
 */
interface PublicPage {
  path: string;
  status: number;
  form?: { fields: Record<string, string>; status: number };
}

/** Every public page (public in src/accounts/access.ts), as an inhabitant, an élu or a social worker opens it. */
const pages = (): PublicPage[] => [
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
  { path: diagnosticStart, status: 200 },
  { path: `/diagnostic/resultat?t=${diagnosticDone}`, status: 200 },
  { path: `/diagnostic/fiche?t=${diagnosticDone}`, status: 200 },
  { path: "/diagnostic/statistiques?territoire=23", status: 200 },
  { path: `/lieux/${place}/signaler`, status: 200 },
  { path: `/lieux/${place}/signaler?envoye=1`, status: 200 },
  { path: "/mandats/verifier", status: 200 },
  { path: `/mandats/verifier/${mandat.hash}`, status: 200 },
  {
    path: "/mes-mandats",
    status: 200,
    form: { fields: { "#code": mandat.code, "#naissance": "04/07/1948" }, status: 200 },
  },
  { path: "/connexion", status: 200 },
  { path: "/mot-de-passe-oublie", status: 200 },
  { path: invitation, status: 200 },
  { path: "/invitation/lien-inconnu", status: 410 },
  { path: "/territoires/QN08003M", status: 200 },
  { path: "/indicateurs?territoire=80", status: 200 },
  { path: "/indicateurs/definitions", status: 200 },
  { path: "/indicateurs/contrat-de-ville?territoire=248000531", status: 200 },
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
      assert.ok(mandat.hash && mandat.code && invitation, "a mandate and an invitation were made");
      const problems: string[] = [];
      await withPage(journey.browser, size, async (page) => {
        const check = async (path: string) => {
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          if (overflow > 0) problems.push(`${path}: ${overflow} px wider than the screen`);
          for (const w of await brokenWords(page)) problems.push(`${path}: word broken ${w}`);
          for (const v of await axeViolations(page)) problems.push(`${path}: ${v}`);
          // A missing date is « date inconnue », never the epoch (test/sources-http.test.ts has the details).
          // biome-ignore lint/performance/useDomNodeTextContent: the text as shown, without scripts or hidden parts
          if ((await page.innerText("body")).includes("1970")) problems.push(`${path}: shows « 1970 »`);
          const header = (await page.locator(".site-header").boundingBox())?.height ?? 0;
          if (size.width < 600 && header >= 120) problems.push(`${path}: the header takes ${header} px`);
        };
        for (const p of pages()) {
          const res = await page.goto(journey.server.url + p.path);
          if (res?.status() !== p.status) problems.push(`${p.path}: status ${res?.status()}`);
          // The page asked for, not one a redirect led to (a diagnostic not finished goes back to its questions).
          if (new URL(page.url()).pathname !== p.path.split("?")[0])
            problems.push(`${p.path}: redirected to ${page.url()}`);
          await check(p.path);
          if (!p.form) continue;
          const fields = Object.entries(p.form.fields);
          for (const [selector, text] of fields) await page.fill(selector, text);
          const [sent] = await Promise.all([
            page.waitForNavigation(),
            page.press(fields[0]?.[0] ?? "input", "Enter"),
          ]);
          const label = `${p.path} (formulaire envoyé)`;
          if (sent?.status() !== p.form.status) problems.push(`${label}: status ${sent?.status()}`);
          await check(label);
        }
      });
      assert.deepEqual(problems, []);
    });
  }
});
