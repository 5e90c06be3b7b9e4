/**
 * Reports from the public and the review of duplicates over real HTTP, on one server with the shipped places:
 * « Signaler une erreur » without an account (honeypot, URL-only spam refused with what was typed kept, throttle per
 * address, unknown place), the queue of reports of a coordinator of Creuse (23), the pairs to review of Creuse, a
 * decision applied at once and withdrawn; a coordinator of Corrèze (19) gets 403 on Creuse's items, journaled.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { TOTP } from "otpauth";
import type { Role } from "../src/accounts/model.ts";
import { hashPassword } from "../src/accounts/password.ts";
import {
  addMembership,
  BY_SYSTEM,
  createOrganisation,
  createPerson,
  listJournal,
  setTotp,
} from "../src/accounts/store.ts";
import { REPORTS_PER_HOUR } from "../src/places/reports/routes.tsx";
import { listReports } from "../src/places/reports/store.ts";
import type { Clock } from "../src/platform/clock.ts";
import { FormClient, formFields } from "./support/accounts.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const PASSWORD = "Tulipe-Granit-Boussole-48";
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
let instant = Date.parse("2026-12-01T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
let server: TestServer;
const db = () => server.ctx.database.db;
const code = () =>
  new TOTP({ secret: SECRET, digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: instant });

/** A real place of Guéret (23096), from the shipped data. */
let place: { id: string; nom: string };
const reportsOf = async () => (await listReports(db(), null, "tous", { limit: 100, offset: 0 })).reports;
const journalCount = async (action: string) =>
  (await listJournal(db(), { action, limit: 1, offset: 0 })).total;

/** Signs in (coordinators pass the second factor: a new 30-second step each time). */
async function as(email: string, secondFactor = true): Promise<FormClient> {
  const c = new FormClient(() => server.url);
  await c.signIn(
    email,
    PASSWORD,
    secondFactor
      ? () => {
          instant += 30_000;
          return code();
        }
      : undefined,
  );
  return c;
}

/** Every field of a server-rendered form as the browser would send it, with some changed. */
const formOf = (html: string, changes: Record<string, string>) => ({ ...formFields(html), ...changes });

before(async () => {
  server = await startTestServer({ clock });
  const hash = await hashPassword(PASSWORD);
  const person = async (email: string, territoryId: string, role: Role) => {
    const o = await createOrganisation(
      db(),
      {
        name: `Organisation d'essai ${territoryId} (exemple)`,
        kind: "association",
        siret: null,
        territoryId,
      },
      clock.now(),
      BY_SYSTEM,
    );
    const p = await createPerson(
      db(),
      { email, name: `Personne ${email}`, passwordHash: hash },
      clock.now(),
      BY_SYSTEM,
    );
    await addMembership(db(), { personId: p.id, organisationId: o.id, role }, clock.now(), BY_SYSTEM);
    await setTotp(db(), p.id, SECRET, [], clock.now(), BY_SYSTEM);
  };
  await person("coord23@example.org", "23", "coordinateur");
  await person("coord19@example.org", "19", "coordinateur");
  await person("mediation23@example.org", "23", "mediateur");
  const r = await sql<{ id: string; nom: string }>`SELECT id, nom FROM place
    WHERE commune_code = '23096' ORDER BY id LIMIT 1`.execute(db());
  place = r.rows[0] as { id: string; nom: string };
  assert.ok(place);
});
after(() => server.close());

describe("« Signaler une erreur » on a public place", () => {
  test("the place page links to the form; the form works without an account", async () => {
    const visitor = new FormClient(() => server.url);
    const page = await visitor.get(`/lieux/${place.id}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(`href="/lieux/${place.id}/signaler"`));
    const form = await visitor.get(`/lieux/${place.id}/signaler`);
    assert.equal(form.status, 200);
    assert.ok(form.text.includes(place.nom.replaceAll("'", "&#39;")) || form.text.includes(place.nom));
    assert.match(form.text, /name="quoi" value="horaires"/);
    assert.equal(form.headers.get("cache-control"), "no-store");

    // Without the form's token: refused, nothing stored.
    const forged = await visitor.request(`/lieux/${place.id}/signaler`, {
      form: { quoi: "horaires", texte: "x" },
    });
    assert.equal(forged.status, 403);
    // The honeypot: answered as sent, nothing stored.
    const robot = await visitor.post(`/lieux/${place.id}/signaler`, {
      quoi: "horaires",
      texte: "Ouvert le samedi matin.",
      site: "https://spam.example.org",
    });
    assert.equal(robot.status, 303);
    assert.equal((await reportsOf()).length, 0);

    // A text made only of links: refused kindly, what was typed is kept.
    await visitor.get(`/lieux/${place.id}/signaler`);
    const spam = await visitor.post(`/lieux/${place.id}/signaler`, {
      quoi: "telephone",
      texte: "https://spam.example.org/a  www.example.org/b",
    });
    assert.equal(spam.status, 400);
    assert.match(spam.text, /ne contient que des liens/);
    assert.match(spam.text, /https:\/\/spam\.example\.org\/a {2}www\.example\.org\/b<\/textarea>/);
    assert.match(spam.text, /value="telephone" required="" checked=""|value="telephone" required checked/);
    assert.equal((await reportsOf()).length, 0);
    // Nothing chosen; « Autre chose » without a word.
    assert.equal((await visitor.post(`/lieux/${place.id}/signaler`, { texte: "Fermé." })).status, 400);
    assert.equal(
      (await visitor.post(`/lieux/${place.id}/signaler`, { quoi: "autre", texte: " " })).status,
      400,
    );

    const sent = await visitor.post(`/lieux/${place.id}/signaler`, {
      quoi: "horaires",
      texte: "Fermé le lundi matin, voir https://www.example.org/horaires",
    });
    assert.equal(sent.status, 303);
    assert.equal(sent.location, `/lieux/${place.id}/signaler?envoye=1`);
    assert.match((await visitor.get(sent.location ?? "")).text, /Merci : votre signalement est envoyé/);
    const [stored] = await reportsOf();
    assert.equal(stored?.placeId, place.id);
    assert.equal(stored?.communeCode, "23096");
    assert.equal(stored?.state, "nouveau");
    // The public report is not journaled (no person's act, nothing about the sender kept).
    assert.equal(await journalCount("signalement.envoyer"), 0);
  });

  test("throttled per address: past the hour's limit, refused with the text kept", async () => {
    const visitor = new FormClient(() => server.url);
    await visitor.get(`/lieux/${place.id}/signaler`);
    // The honeypot and the report above counted for this address.
    for (let i = 2; i < REPORTS_PER_HOUR; i++)
      assert.equal(
        (await visitor.post(`/lieux/${place.id}/signaler`, { quoi: "adresse", texte: `Essai ${i}` })).status,
        303,
      );
    const tooMany = await visitor.post(`/lieux/${place.id}/signaler`, {
      quoi: "services",
      texte: "Plus d'atelier.",
    });
    assert.equal(tooMany.status, 429);
    assert.match(tooMany.text, /réessayez plus tard/);
    assert.match(tooMany.text, /Plus d&#39;atelier\.<\/textarea>|Plus d'atelier\.<\/textarea>/);
    assert.equal((await reportsOf()).length, REPORTS_PER_HOUR - 1);
    // An hour later, accepted again.
    instant += 3_600_000;
    assert.equal(
      (await visitor.post(`/lieux/${place.id}/signaler`, { quoi: "services", texte: "Plus d'atelier." }))
        .status,
      303,
    );
  });

  test("an unknown place: 404", async () => {
    const visitor = new FormClient(() => server.url);
    assert.equal((await visitor.get("/lieux/lieu-inconnu/signaler")).status, 404);
    await visitor.get(`/lieux/${place.id}/signaler`);
    assert.equal((await visitor.post("/lieux/lieu-inconnu/signaler", { quoi: "horaires" })).status, 404);
  });
});

describe("the coordinators' queues", () => {
  test("reports: the queue of Creuse, a state with a note, journaled; Corrèze gets 403 (journaled)", async () => {
    const anonymous = await new FormClient(() => server.url).get("/admin/signalements");
    assert.equal(anonymous.status, 303);
    assert.match(anonymous.location ?? "", /^\/connexion/);
    const mediation = await as("mediation23@example.org", false);
    assert.equal((await mediation.get("/admin/signalements")).status, 403);

    const coord = await as("coord23@example.org");
    const queue = await coord.get("/admin/signalements");
    assert.equal(queue.status, 200);
    const first = (await reportsOf())[0];
    assert.ok(first);
    assert.ok(queue.text.includes(`href="/admin/lieux/${place.id}/modifier?signalement=${first.id}"`));
    assert.match(queue.text, /Corriger la fiche/);
    assert.equal((await coord.get("/admin/signalements?etat=rejet%C3%A9")).text.includes(place.nom), false);

    const one = await coord.get(`/admin/signalements/${first.id}`);
    assert.equal(one.status, 200);
    const refused = await coord.post(`/admin/signalements/${first.id}`, { etat: "rejeté", note: "" });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /dites pourquoi/);
    const before = await journalCount("signalement.traiter");
    const done = await coord.post(`/admin/signalements/${first.id}`, {
      etat: "en cours",
      note: "J'appelle le lieu.",
    });
    assert.equal(done.status, 303);
    assert.equal(await journalCount("signalement.traiter"), before + 1);
    assert.equal((await reportsOf())[0]?.state, "en cours");

    const correze = await as("coord19@example.org");
    const list = await correze.get("/admin/signalements");
    assert.equal(list.status, 200);
    assert.equal(list.text.includes(place.nom), false);
    assert.equal((await correze.get(`/admin/signalements/${first.id}`)).status, 403);
    const refusals = await journalCount("acces.refuse");
    await correze.get("/admin/signalements");
    const outside = await correze.post(`/admin/signalements/${first.id}`, { etat: "corrigé", note: "" });
    assert.equal(outside.status, 403);
    assert.equal(await journalCount("acces.refuse"), refusals + 1);
    assert.equal((await reportsOf())[0]?.state, "en cours");
  });

  test("a report is closed by the edit that fixes the place (« Corriger la fiche »)", async () => {
    const coord = await as("coord23@example.org");
    const first = (await reportsOf())[0];
    assert.ok(first);
    const href = `/admin/lieux/${place.id}/modifier?signalement=${first.id}`;
    assert.ok((await coord.get(`/admin/signalements/${first.id}`)).text.includes(href.replace("&", "&amp;")));
    const edit = await coord.get(href);
    assert.equal(edit.status, 200, edit.text);
    assert.match(edit.text, /Signalements en attente sur ce lieu/);
    assert.match(edit.text, /Fermé le lundi matin/);
    const saved = await coord.post(
      `/admin/lieux/${place.id}/modifier`,
      formOf(edit.text, { complement_adresse: "Accueil au rez-de-chaussée", motif: "signalement du public" }),
    );
    assert.equal(saved.status, 303, saved.text);
    const closed = (await reportsOf()).find((r) => r.id === first.id);
    assert.equal(closed?.state, "corrigé");
    assert.equal(typeof closed?.fixedByVersion, "number");
    // Only the report the edit was opened for.
    assert.ok((await reportsOf()).some((r) => r.id !== first.id && r.state === "nouveau"));
    const journal = await listJournal(db(), {
      action: "signalement.traiter",
      target: `signalement:${first.id}`,
      limit: 5,
      offset: 0,
    });
    assert.ok(journal.entries.some((e) => (e.details as { vers?: string }).vers === "corrigé"));
  });

  test("duplicates: the pairs of Creuse side by side, « fusionner » applied at once, withdrawn; 403 for Corrèze", async () => {
    const coord = await as("coord23@example.org");
    const queue = await coord.get("/admin/doublons");
    assert.equal(queue.status, 200);
    const links = [...queue.text.matchAll(/href="(\/admin\/doublons\/(lieu-[0-9a-f]+)\/(lieu-[0-9a-f]+))"/g)];
    assert.ok(links.length >= 1, "Creuse has pairs to review");
    const [, href, a, b] = links[0] as unknown as [string, string, string, string];
    const pair = await coord.get(href);
    assert.equal(pair.status, 200);
    assert.match(pair.text, /D&#39;où vient le score|D'où vient le score/);
    assert.match(pair.text, /semblables à \d+ %/);
    // The other order of the ids sends to the same page.
    assert.equal((await coord.get(`/admin/doublons/${b}/${a}`)).status, 301);
    assert.equal((await coord.get(`/admin/doublons/${a}/lieu-0000000000000000`)).status, 404);

    const correze = await as("coord19@example.org");
    assert.equal((await correze.get("/admin/doublons")).text.includes(href), false);
    assert.equal((await correze.get(href)).status, 403);
    const refusals = await journalCount("acces.refuse");
    await correze.get("/admin/doublons");
    assert.equal((await correze.post(href, { choix: "fusionner" })).status, 403);
    assert.equal(await journalCount("acces.refuse"), refusals + 1);

    await coord.get(href);
    assert.equal((await coord.post(href, { choix: "peut-être" })).status, 400);
    const merged = await coord.post(href, { choix: "fusionner", note: "Même lieu, vérifié par téléphone." });
    assert.equal(merged.status, 303);
    assert.equal(merged.location, `${href}?fait=fusionner`);
    assert.equal(await journalCount("doublon.decider"), 1);
    // At once: one published place for both records, on its page and in the in-memory places.
    const groups = await sql<{ group_id: string }>`SELECT DISTINCT group_id FROM place_record
      WHERE id IN (${a}, ${b})`.execute(db());
    assert.equal(groups.rows.length, 1);
    const id = groups.rows[0]?.group_id as string;
    const other = id === a ? b : a;
    const moved = await coord.get(`/lieux/${other}`);
    assert.equal(moved.status, 301);
    assert.equal(moved.location, `/lieux/${id}`);
    const all = await server.ctx.places.all();
    assert.equal(all.find((p) => p.id === id)?.provenance.length, 2);
    assert.equal((await coord.get("/admin/doublons")).text.includes(href), false);
    const decided = await coord.get("/admin/doublons?vue=decisions");
    assert.ok(decided.text.includes(href));
    assert.match((await coord.get(`${href}?fait=fusionner`)).text, /Annuler cette décision/);

    // The right to error: withdrawn, the score decides again.
    const undone = await coord.post(href, { choix: "annuler" });
    assert.equal(undone.status, 303);
    assert.equal(await journalCount("doublon.decider"), 2);
    const apart = await sql<{ group_id: string }>`SELECT DISTINCT group_id FROM place_record
      WHERE id IN (${a}, ${b})`.execute(db());
    assert.equal(apart.rows.length, 2);
    assert.ok((await coord.get("/admin/doublons")).text.includes(href));
  });
});
