/**
 * Mandates over real HTTP on the loaded database, without JavaScript: the coordinator habilitates an aidant and
 * chooses the organisation's démarches; the aidant fills in the form, sees the draft, creates the mandate, prints
 * it, records a use, revokes a family; the public verification shows no personal data; the person sees their
 * mandate with its code and birth date and asks for a revocation. Every bad input of the issue: a démarche outside
 * the organisation's list or the 10 families, a duration not in the four, a use after expiry or revocation, an aidant
 * of another organisation, a non-habilitated person, an aidant without second factor, a tampered attestation, a
 * birth date in the future — each said in French with nothing written but the journal line.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { accountCommandsWith } from "../src/accounts/cli.ts";
import { listJournal, setTotp } from "../src/accounts/store.ts";
import type { AppContext } from "../src/context.ts";
import { CHECKLIST } from "../src/mandats/model.ts";
import type { Clock } from "../src/platform/clock.ts";
import { formFields } from "./support/accounts.ts";
import { member, organisation, PersonClient } from "./support/people.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

let instant = Date.parse("2026-12-02T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
let server: TestServer;
const db = () => server.ctx.database.db;
const ids: Record<string, number> = {};
const client = () =>
  new PersonClient(
    () => server.url,
    () => (instant += 30_000),
  );

const count = async (table: string) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db())).rows[0]?.n);
const lastJournal = async (action: string) =>
  (await listJournal(db(), { action, limit: 1, offset: 0 })).entries[0];

/** A fictitious person's mandate, as the form posts it. */
const FORM = {
  demarches: ["social", "logement"],
  duree: "31",
  prenoms: "Camille",
  nom: "Exemple",
  date_naissance: "04/07/1948",
  lieu_naissance: "Guéret",
  piece: "carte-identite",
  contact: "",
  verifications: CHECKLIST.map((c) => c.id),
};

before(async () => {
  server = await startTestServer({ clock });
  ids.org = await organisation(db(), clock, {
    name: "France Services de Guéret (essai)",
    kind: "france-services",
    territoryId: "23096",
  });
  ids.other = await organisation(db(), clock, {
    name: "CCAS de Brive (essai)",
    kind: "ccas",
    territoryId: "19031",
  });
  ids.coordination = await organisation(db(), clock, {
    name: "Coordination Creuse (essai)",
    kind: "collectivite",
    territoryId: "23",
  });
  await member(db(), clock, "coordination.creuse@example.org", ids.coordination, "coordinateur");
  ids.aidant = await member(db(), clock, "aidante.gueret@example.org", ids.org, "aidant");
  ids.notHabilitated = await member(db(), clock, "aidant.pas.habilite@example.org", ids.org, "aidant");
  ids.otherAidant = await member(db(), clock, "aidant.brive@example.org", ids.other, "aidant");
  ids.instance = await organisation(db(), clock, {
    name: "Instance (essai)",
    kind: "autre",
    territoryId: "france",
  });
  await member(db(), clock, "admin.instance@example.org", ids.instance, "admin");
});
after(() => server?.close());

describe("mandates, without JavaScript", () => {
  let mandatId = 0;
  let hash = "";
  let code = "";

  test("a coordinator habilitates a person of an organisation and chooses its démarches", async () => {
    const c = client();
    await c.login("coordination.creuse@example.org");
    const list = await c.get("/mandats/habilitations");
    assert.equal(list.status, 200);
    assert.match(list.text, /France Services de Guéret \(essai\)/);
    assert.doesNotMatch(list.text, /CCAS de Brive/, "another territory's organisation");
    assert.equal((await c.get(`/mandats/habilitations/${ids.other}`)).status, 403);
    await c.get(`/mandats/habilitations/${ids.org}`);
    // Bad input: a training in the future, the charter not accepted.
    const bad = await c.post(`/mandats/habilitations/${ids.org}`, {
      personne: String(ids.aidant),
      formation: "01/01/2027",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /dans le futur/);
    assert.match(bad.text, /accepter la charte/);
    assert.equal(await count("aidant_habilitation"), 0);
    const ok = await c.post(`/mandats/habilitations/${ids.org}`, {
      personne: String(ids.aidant),
      formation: "20/11/2026",
      charte: "2026-12",
    });
    assert.equal(ok.status, 303);
    const page = await c.get(ok.location as string);
    assert.match(page.text, /Aidant habilité\./);
    assert.match(page.text, /20 novembre 2026/);
    // The organisation covers 9 families: not « justice ».
    const families = [
      "papiers",
      "famille",
      "social",
      "travail",
      "logement",
      "transports",
      "argent",
      "etranger",
      "loisirs",
    ];
    assert.equal(
      (await c.post(`/mandats/habilitations/${ids.org}/demarches`, { demarches: [...families, "impots"] }))
        .status,
      400,
    );
    assert.equal(
      (await c.post(`/mandats/habilitations/${ids.org}/demarches`, { demarches: families })).status,
      303,
    );
    assert.equal((await lastJournal("aidant.habiliter"))?.target, `personne:${ids.aidant}`);
  });

  test("the aidant fills in the form, sees the draft « projet sans valeur », then creates the mandate", async () => {
    const c = client();
    await c.login("aidante.gueret@example.org");
    const form = await c.get("/mandats/nouveau");
    assert.equal(form.status, 200);
    assert.doesNotMatch(
      form.text,
      /value="justice"/,
      "a family the organisation does not cover is not offered",
    );
    const draft = await c.post("/mandats/nouveau", { ...FORM, etape: "projet" });
    assert.equal(draft.status, 200);
    assert.match(draft.text, /Projet sans valeur/);
    assert.match(draft.text, /SOCIAL - SANTÉ/);
    assert.equal(await count("mandat"), 0, "a draft writes nothing");
    const created = await c.post("/mandats/nouveau", { ...formFields(draft.text), etape: "creer" });
    assert.equal(
      created.status,
      303,
      /class="error"[^>]*>([^<]+)/.exec(created.text)?.[1] ??
        /role="alert"><p>([^<]+)/.exec(created.text)?.[1],
    );
    mandatId = Number(/\/mandats\/(\d+)/.exec(created.location ?? "")?.[1]);
    const page = await c.get(created.location as string);
    assert.match(page.text, /Mandat créé/);
    const print = await c.get(`/mandats/${mandatId}/attestation`);
    assert.equal(print.status, 200);
    assert.doesNotMatch(print.text, /Projet sans valeur/);
    hash = /\/mandats\/verifier\/([0-9a-f]{64})/.exec(print.text)?.[1] ?? "";
    assert.match(hash, /^[0-9a-f]{64}$/);
    code = (/class="pass-code">([^<]+)</.exec(print.text)?.[1] ?? "").replaceAll("-", "");
    assert.equal(code.length, 10);
    assert.match(print.text, /<svg/, "the QR code");
    assert.match(print.text, /carte nationale d(&#x27;|')identité/);
    assert.match(print.text, /4 juillet 1948/);
    const easy = await c.get(`/mandats/${mandatId}/attestation?version=facile`);
    assert.match(easy.text, /Vous pouvez arrêter le mandat quand vous voulez/);
    const journal = (await listJournal(db(), { target: `mandat:${mandatId}`, limit: 10, offset: 0 })).entries;
    assert.deepEqual(journal.map((e) => e.action).sort(), [
      "mandat.creer",
      "mandat.imprimer",
      "mandat.imprimer",
    ]);
  });

  test("bad input of the form: each said on its field, nothing written", async () => {
    const c = client();
    await c.login("aidante.gueret@example.org");
    await c.get("/mandats/nouveau");
    const before = await count("mandat");
    const cases: [Record<string, string | string[]>, RegExp][] = [
      [{ demarches: ["justice"] }, /ne couvre pas : Justice/],
      [{ demarches: ["impots"] }, /Famille de démarches inconnue : impots/],
      [{ duree: "30" }, /1 jour, 1 mois, 6 mois ou 1 an/],
      [{ date_naissance: "01/01/2030" }, /dans le futur/],
      [{ verifications: ["peut"] }, /cochez-les tous/],
    ];
    for (const [over, message] of cases) {
      const r = await c.post("/mandats/nouveau", { ...FORM, ...over, etape: "creer" });
      assert.equal(r.status, 400, JSON.stringify(over));
      assert.match(r.text, message);
      assert.match(r.text, /value="Exemple"/, "what was typed is kept");
    }
    assert.equal(await count("mandat"), before);
  });

  test("a use, a revocation of « logement », its printable attestation; the use after it is refused and journaled", async () => {
    const c = client();
    await c.login("aidante.gueret@example.org");
    await c.get(`/mandats/${mandatId}/utilisation`);
    const used = await c.post(`/mandats/${mandatId}/utilisation`, {
      demarche: "logement",
      description: "Demande d'aide au logement déposée",
      jour: "02/12/2026",
    });
    assert.equal(used.status, 303);
    await c.get(`/mandats/${mandatId}/revocation`);
    const revoked = await c.post(`/mandats/${mandatId}/revocation`, {
      demarches: ["logement"],
      portee: "choisies",
    });
    assert.equal(revoked.status, 303);
    const attestation = await c.get(revoked.location as string);
    assert.match(attestation.text, /Attestation de révocation/);
    assert.match(attestation.text, /LOGEMENT/);
    assert.match(attestation.text, /Les autres démarches du mandat ne changent pas/);
    await c.get(`/mandats/${mandatId}/utilisation`);
    const uses = await count("mandat_utilisation");
    const refused = await c.post(`/mandats/${mandatId}/utilisation`, {
      demarche: "logement",
      description: "Une autre démarche",
      jour: "02/12/2026",
    });
    assert.equal(refused.status, 403);
    assert.match(refused.text, /révoqué pour cette famille/);
    assert.equal(await count("mandat_utilisation"), uses);
    assert.equal((await lastJournal("mandat.utiliser.refuse"))?.details.refus, "revoquee");
    const impossible = await c.post(`/mandats/${mandatId}/utilisation`, {
      demarche: "social",
      description: "x",
      jour: "31/02/2026",
    });
    assert.equal(impossible.status, 422);
    assert.match(impossible.text, /JJ\/MM\/AAAA/);
    const future = await c.post(`/mandats/${mandatId}/utilisation`, {
      demarche: "social",
      description: "x",
      jour: "03/12/2026",
    });
    assert.equal(future.status, 422);
    assert.match(future.text, /dans le futur/);
  });

  test("the public verification: the states, the organisation, no personal data; a tampered hash does not verify", async () => {
    const r = await fetch(`${server.url}/mandats/verifier/${hash}`);
    const html = await r.text();
    assert.equal(r.status, 200);
    assert.match(html, /France Services de Guéret \(essai\)/);
    assert.match(html, /Social - Santé<\/th><td>en cours/);
    assert.match(html, /Logement<\/th><td>révoquée/);
    for (const personal of ["Camille", "Exemple", "1948", "Guéret</", "carte"])
      assert.ok(!html.includes(personal), personal);
    const tampered = `${hash.slice(0, 10)}${hash[10] === "0" ? "1" : "0"}${hash.slice(11)}`;
    const t = await fetch(`${server.url}/mandats/verifier/${tampered}`);
    assert.equal(t.status, 404);
    assert.match(await t.text(), /Aucun mandat n(&#x27;|')a cette empreinte/);
    // The stored mandate changed behind the attestation's back (a family added): the page says it no longer verifies.
    await sql`UPDATE mandat SET birth_place = 'Aubusson' WHERE id = ${mandatId}`.execute(db());
    const changed = await (await fetch(`${server.url}/mandats/verifier/${hash}`)).text();
    assert.match(changed, /ce mandat a été modifié/);
    await sql`UPDATE mandat SET birth_place = 'Guéret' WHERE id = ${mandatId}`.execute(db());
    assert.equal((await lastJournal("mandat.verifier"))?.target, `mandat:${mandatId}`);
  });

  test("the person sees their mandate and its uses with the code and their birth date, and asks for a revocation", async () => {
    const p = client();
    await p.get("/mes-mandats");
    const wrong = await p.post("/mes-mandats", { code, naissance: "05/07/1948" });
    assert.equal(wrong.status, 404);
    const typo = await p.post("/mes-mandats", {
      code: `${code.slice(0, 9)}${code[9] === "2" ? "3" : "2"}`,
      naissance: "04/07/1948",
    });
    assert.equal(typo.status, 400);
    assert.match(typo.text, /faute de frappe/);
    const seen = await p.post("/mes-mandats", { code: code.toLowerCase(), naissance: "4/7/1948" });
    assert.equal(seen.status, 200);
    assert.match(seen.text, /Demande d(&#x27;|')aide au logement déposée/);
    const asked = await p.post("/mes-mandats/arreter", {
      code,
      naissance: "04/07/1948",
      mandat: String(mandatId),
      demarches: ["social"],
      message: "Je n'en ai plus besoin",
    });
    assert.equal(asked.status, 200);
    assert.match(asked.text, /Votre demande est envoyée/);
    const c = client();
    await c.login("aidante.gueret@example.org");
    const list = await c.get("/mandats");
    assert.match(list.text, /Demandes de révocation à traiter \(1\)/);
    assert.match(list.text, /Je n(&#x27;|')en ai plus besoin/);
  });

  test("refusals: another organisation's aidant, a non-habilitated aidant, an aidant without second factor", async () => {
    const other = client();
    await other.login("aidant.brive@example.org");
    assert.equal((await other.get(`/mandats/${mandatId}`)).status, 403);
    await other.get("/mandats");
    const r = await other.post(`/mandats/${mandatId}/revocation`, { portee: "toutes" });
    assert.equal(r.status, 403);
    assert.equal((await lastJournal("acces.refuse"))?.details.action, "mandat.revoquer");
    const before = await count("mandat");
    const n = client();
    await n.login("aidant.pas.habilite@example.org");
    // Not habilitated: no list, no mandate, even of their own organisation.
    const list = await n.get("/mandats");
    assert.match(list.text, /pas aidant habilité de cette organisation/);
    assert.doesNotMatch(list.text, /Exemple/);
    assert.equal((await n.get(`/mandats/${mandatId}`)).status, 403);
    // An administrator of the instance does not read an organisation's mandates either.
    const admin = client();
    await admin.login("admin.instance@example.org");
    assert.equal((await admin.get(`/mandats/${mandatId}`)).status, 403);
    assert.equal((await n.get("/mandats/nouveau")).status, 403);
    await n.get("/mandats");
    const created = await n.post("/mandats/nouveau", { ...FORM, etape: "creer" });
    assert.equal(created.status, 403);
    assert.match(created.text, /pas aidant habilité/);
    assert.equal((await lastJournal("mandat.creer.refuse"))?.details.refus, "non-habilite");
    // The habilitated aidant loses the second factor: no mandate until it is back.
    const c = client();
    await c.login("aidante.gueret@example.org");
    await c.get("/mandats");
    await setTotp(db(), ids.aidant as number, null, [], clock.now(), {
      personId: null,
      organisationId: null,
      role: null,
      address: null,
    });
    const no2fa = await c.post("/mandats/nouveau", { ...FORM, etape: "creer" });
    assert.equal(no2fa.status, 403);
    assert.match(no2fa.text, /vérification en deux étapes/);
    await setTotp(db(), ids.aidant as number, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", [], clock.now(), {
      personId: null,
      organisationId: null,
      role: null,
      address: null,
    });
    assert.equal(await count("mandat"), before);
  });

  test("after expiry (the clock moved 31 days on): the use is refused and journaled; the verification says expired", async () => {
    instant = Date.parse("2027-01-03T09:00:00Z");
    const c = client();
    await c.login("aidante.gueret@example.org");
    await c.get(`/mandats/${mandatId}`);
    const r = await c.post(`/mandats/${mandatId}/utilisation`, {
      demarche: "social",
      description: "Trop tard",
      jour: "03/01/2027",
    });
    assert.equal(r.status, 403);
    assert.match(r.text, /a expiré/);
    assert.equal((await lastJournal("mandat.utiliser.refuse"))?.details.refus, "expiree");
    const v = await (await fetch(`${server.url}/mandats/verifier/${hash}`)).text();
    assert.match(v, /Social - Santé<\/th><td>expirée/);
  });

  test("the person's view closes after 5 tries on one mandate in a day, even with the right birth date then", async () => {
    const p = client();
    await p.get("/mes-mandats");
    for (const wrong of ["01/01/1948", "02/01/1948", "03/01/1948", "04/01/1948", "05/01/1948"])
      assert.equal((await p.post("/mes-mandats", { code, naissance: wrong })).status, 404);
    const locked = await p.post("/mes-mandats", { code, naissance: "04/07/1948" });
    assert.equal(locked.status, 429);
    assert.match(locked.text, /Trop d(&#x27;|')essais/);
    assert.doesNotMatch(locked.text, /Demande d(&#x27;|')aide au logement/);
  });

  test("maillage privacy purge lists the mandates past retention (3 years after their end)", async () => {
    const ctx: AppContext = { ...server.ctx, database: { ...server.ctx.database, close: async () => {} } };
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: () => {}, stdin: async () => "" };
    instant = Date.parse("2030-01-10T09:00:00Z");
    assert.equal(await accountCommandsWith(io)["privacy purge"]?.run([], async () => ctx), 0);
    assert.match(out.join("\n"), /mandats terminés depuis plus de 3 ans \(avec leurs utilisations\) : 1/);
    assert.equal(await count("mandat"), 1, "listed, not deleted without --apply");
    assert.equal(await accountCommandsWith(io)["privacy purge"]?.run(["--apply"], async () => ctx), 0);
    assert.equal(await count("mandat"), 0);
    assert.equal(await count("mandat_utilisation"), 0);
  });
});
