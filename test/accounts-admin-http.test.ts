/**
 * The administration pages over real HTTP: organisations, people, invitations and their links, « mot de passe
 * oublié », the journal and its CSV export; a coordinator of Creuse (23) reaching Corrèze (19) gets 403 and
 * changes nothing; every form without its CSRF token is refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TOTP } from "otpauth";
import { ADMIN_PAGE_SIZE } from "../src/accounts/admin-routes.tsx";
import type { Role } from "../src/accounts/model.ts";
import { hashPassword } from "../src/accounts/password.ts";
import {
  addMembership,
  appendJournal,
  BY_SYSTEM,
  createOrganisation,
  createPerson,
  findPersonByEmail,
  listJournal,
  listOrganisations,
  membershipsOf,
  setTotp,
} from "../src/accounts/store.ts";
import { hashRecoveryCode } from "../src/accounts/totp.ts";
import type { Clock } from "../src/platform/clock.ts";
import { FormClient } from "./support/accounts.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const PASSWORD = "Tulipe-Granit-Boussole-48";
const NEW_PASSWORD = "Cerisier-Lanterne-Mistral-71";
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

let instant = Date.parse("2026-12-01T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
let server: TestServer;
const db = () => server.ctx.database.db;
const code = (secret: string) =>
  new TOTP({ secret, digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: instant });

/** The house's form client on this file's server, with its way of signing in. */
class Client extends FormClient {
  constructor() {
    super(() => server.url);
  }

  /** Signs in (with the second factor's code when a secret is given: a new 30-second step each time). */
  login(email: string, secret?: string, password = PASSWORD) {
    return this.signIn(
      email,
      password,
      secret
        ? () => {
            instant += 30_000;
            return code(secret);
          }
        : undefined,
    );
  }
}

let gueret: number;
let tulle: number;
const ids: Record<string, number> = {};

async function person(email: string, roles: { org: number; role: Role }[], secret?: string) {
  const p = await createPerson(
    db(),
    { email, name: `Personne ${email.split("@")[0]}`, passwordHash: await hashPassword(PASSWORD) },
    clock.now(),
    BY_SYSTEM,
  );
  for (const r of roles)
    await addMembership(
      db(),
      { personId: p.id, organisationId: r.org, role: r.role },
      clock.now(),
      BY_SYSTEM,
    );
  if (secret) await setTotp(db(), p.id, secret, [hashRecoveryCode("AAAAA-BBBBB")], clock.now(), BY_SYSTEM);
  ids[email] = p.id;
  return p;
}

const org = async (name: string, territoryId: string) =>
  (
    await createOrganisation(
      db(),
      { name, kind: "association", siret: null, territoryId },
      clock.now(),
      BY_SYSTEM,
    )
  ).id;

async function as(email: string, secret?: string) {
  const c = new Client();
  await c.login(email, secret);
  return c;
}
const organisationCount = async () => (await listOrganisations(db(), { limit: 1, offset: 0 })).total;
const journalCount = async (action: string) =>
  (await listJournal(db(), { action, limit: 1, offset: 0 })).total;

before(async () => {
  server = await startTestServer({ clock });
  gueret = await org("France Services de Guéret", "23");
  tulle = await org("Association de Tulle", "19");
  await person("admin@example.org", [{ org: gueret, role: "admin" }], SECRET);
  await person("coord23@example.org", [{ org: gueret, role: "coordinateur" }], SECRET);
  await person("mediatrice@example.org", [{ org: gueret, role: "mediateur" }]);
  await person("double@example.org", [
    { org: gueret, role: "prescripteur" },
    { org: tulle, role: "mediateur" },
  ]);
  await person("tulle@example.org", [{ org: tulle, role: "mediateur" }]);
});
after(() => server.close());

describe("organisations", () => {
  test("the admin sees every organisation; a coordinator only those of their territory; filters and pages", async () => {
    const a = await as("admin@example.org", SECRET);
    const all = await a.get("/admin/organisations");
    assert.equal(all.status, 200);
    assert.match(all.text, /Association de Tulle/);
    assert.match(all.text, /France Services de Guéret/);
    assert.match(all.text, /Connecté : <strong>Personne admin<\/strong>/);
    const c = await as("coord23@example.org", SECRET);
    const mine = await c.get("/admin/organisations");
    assert.equal(mine.status, 200);
    assert.match(mine.text, /France Services de Guéret/);
    assert.doesNotMatch(mine.text, /Tulle/);
    // Filters: name and kind.
    assert.doesNotMatch((await a.get("/admin/organisations?q=tulle")).text, /Guéret<\/a>/);
    assert.match((await a.get("/admin/organisations?type=association")).text, /Association de Tulle/);
    assert.doesNotMatch((await a.get("/admin/organisations?type=ccas")).text, /Association de Tulle/);
    // Pages of ADMIN_PAGE_SIZE.
    for (let i = 0; i <= ADMIN_PAGE_SIZE; i++) await org(`Pagination ${String(i).padStart(3, "0")}`, "23096");
    const p1 = await a.get("/admin/organisations?q=Pagination");
    assert.match(p1.text, new RegExp(`${ADMIN_PAGE_SIZE + 1} organisations`));
    assert.match(p1.text, /Page 1 sur 2/);
    assert.match(p1.text, /href="\/admin\/organisations\?q=Pagination&amp;page=2"/);
    const p2 = await a.get("/admin/organisations?q=Pagination&page=2");
    assert.match(p2.text, new RegExp(`Pagination ${String(ADMIN_PAGE_SIZE).padStart(3, "0")}`));
    assert.doesNotMatch(p2.text, /Pagination 000/);
  });

  test("anonymous: to /connexion; a mediator: their own organisation only, else 403", async () => {
    const anon = await new Client().get("/admin/organisations");
    assert.equal(anon.status, 303);
    assert.match(anon.location ?? "", /^\/connexion\?retour=%2Fadmin%2Forganisations/);
    const m = await as("mediatrice@example.org");
    const list = await m.get("/admin/organisations");
    assert.equal(list.status, 200);
    assert.match(list.text, /France Services de Guéret/);
    assert.doesNotMatch(list.text, /Association de Tulle/);
    for (const path of ["/admin/personnes", "/admin/journal", "/admin/journal.csv"]) {
      const r = await m.get(path);
      assert.equal(r.status, 403, path);
    }
    // Their own organisation's page is theirs to read, without its people.
    const own = await m.get(`/admin/organisations/${gueret}`);
    assert.equal(own.status, 200);
    assert.doesNotMatch(own.text, /Membres/);
    assert.equal((await m.get(`/admin/organisations/${tulle}`)).status, 403);
  });

  test("creation: an invalid SIRET, an ambiguous territory, a missing CSRF token change nothing", async () => {
    const c = await as("coord23@example.org", SECRET);
    const form = await c.get("/admin/organisations/nouvelle");
    assert.equal(form.status, 200);
    assert.match(form.text, /value="Creuse"/, "the coordinator's territory is proposed");
    const before = await organisationCount();
    const bad = await c.post("/admin/organisations/nouvelle", {
      nom: "CCAS de Guéret",
      type: "ccas",
      siret: "22230962700017",
      territoire: "23096",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Ce SIRET n&#39;est pas valide|Ce SIRET n'est pas valide/);
    const short = await c.post("/admin/organisations/nouvelle", {
      nom: "CCAS de Guéret",
      type: "ccas",
      siret: "1234",
      territoire: "23096",
    });
    assert.match(short.text, /Le SIRET doit compter 14 chiffres/);
    const ambiguous = await c.post("/admin/organisations/nouvelle", {
      nom: "CCAS",
      type: "ccas",
      siret: "",
      territoire: "Saint-Martin",
    });
    assert.equal(ambiguous.status, 400);
    assert.match(ambiguous.text, /Plusieurs territoires correspondent/);
    assert.match(ambiguous.text, /href="\/admin\/organisations\/nouvelle\?nom=CCAS&amp;type=ccas/);
    const noCsrf = await c.request("/admin/organisations/nouvelle", {
      form: { nom: "CCAS", type: "ccas", territoire: "23096" },
    });
    assert.equal(noCsrf.status, 403);
    assert.match(noCsrf.text, /Ce formulaire a expiré ou ne vient pas de Maillage/);
    assert.equal(await organisationCount(), before);

    const ok = await c.post("/admin/organisations/nouvelle", {
      nom: "CCAS de Guéret",
      type: "ccas",
      siret: "222 309 627 00016",
      territoire: "Guéret",
    });
    assert.equal(ok.status, 303, ok.text);
    const page = await c.get(ok.location as string);
    assert.match(page.text, /L&#39;organisation est créée|L'organisation est créée/);
    assert.match(page.text, /22230962700016/);
    assert.equal(await organisationCount(), before + 1);
  });

  test("a coordinator of Creuse cannot create, see or invite in Corrèze: 403, journaled, nothing changed", async () => {
    const c = await as("coord23@example.org", SECRET);
    await c.get("/admin/organisations/nouvelle");
    const before = await organisationCount();
    const refused = await journalCount("acces.refuse");
    const r = await c.post("/admin/organisations/nouvelle", {
      nom: "Intrus",
      type: "ccas",
      territoire: "19",
    });
    assert.equal(r.status, 403);
    assert.match(r.text, /hors de votre territoire/);
    assert.equal(await organisationCount(), before);
    assert.equal(await journalCount("acces.refuse"), refused + 1);
    assert.equal((await c.get(`/admin/organisations/${tulle}`)).status, 403);
    await c.get(`/admin/organisations/${gueret}`);
    const invite = await c.post(`/admin/organisations/${tulle}/inviter`, {
      email: "intrus@example.org",
      role: "mediateur",
    });
    assert.equal(invite.status, 403);
    assert.equal(await journalCount("invitation.envoyer"), 0);
  });
});

describe("invitations", () => {
  test("an invitation shows its link; the invited person sets a name and password; the link serves once", async () => {
    const c = await as("coord23@example.org", SECRET);
    const page = await c.get(`/admin/organisations/${gueret}`);
    assert.match(page.text, /Personne mediatrice/);
    assert.doesNotMatch(page.text, /<option value="admin"/, "a coordinator cannot invite an admin");
    const asAdmin = await c.post(`/admin/organisations/${gueret}/inviter`, {
      email: "nouvelle@example.org",
      role: "admin",
    });
    assert.equal(asAdmin.status, 400);
    assert.match(asAdmin.text, /Choisissez un rôle/);
    const badEmail = await c.post(`/admin/organisations/${gueret}/inviter`, {
      email: "pas-un-email",
      role: "mediateur",
    });
    assert.equal(badEmail.status, 400);
    assert.match(
      badEmail.text,
      /n&#39;est pas une adresse e-mail valable|n'est pas une adresse e-mail valable/,
    );
    const r = await c.post(`/admin/organisations/${gueret}/inviter`, {
      email: "Nouvelle@Example.org",
      role: "mediateur",
    });
    assert.equal(r.status, 200);
    assert.match(r.text, /n&#39;a pas été envoyée par e-mail|n'a pas été envoyée par e-mail/);
    const link = /http:\/\/127\.0\.0\.1:\d+(\/invitation\/[A-Za-z0-9_-]{43})/.exec(r.text)?.[1];
    assert.ok(link, "the link is shown to pass on by hand");
    assert.match(r.text, /Invitations en attente[\s\S]*nouvelle@example\.org/);

    const p = new Client();
    const form = await p.get(link);
    assert.equal(form.status, 200);
    assert.match(form.text, /nouvelle@example\.org/);
    assert.equal(form.headers.get("referrer-policy"), "no-referrer");
    const mismatch = await p.post(link, {
      nom: "Nouvelle Médiatrice",
      motdepasse: NEW_PASSWORD,
      confirmation: "autre",
    });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.text, /ne sont pas identiques/);
    const weak = await p.post(link, {
      nom: "Nouvelle Médiatrice",
      motdepasse: "motdepasse",
      confirmation: "motdepasse",
    });
    assert.equal(weak.status, 400);
    assert.match(weak.text, /12 caractères/);
    const noCsrf = await p.request(link, {
      form: { nom: "Nouvelle Médiatrice", motdepasse: NEW_PASSWORD, confirmation: NEW_PASSWORD },
    });
    assert.equal(noCsrf.status, 403);
    assert.equal(await findPersonByEmail(db(), "nouvelle@example.org"), null, "nothing created yet");
    const ok = await p.post(link, {
      nom: "Nouvelle Médiatrice",
      motdepasse: NEW_PASSWORD,
      confirmation: NEW_PASSWORD,
    });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /Votre compte est prêt/);
    const created = await findPersonByEmail(db(), "nouvelle@example.org");
    assert.equal(created?.name, "Nouvelle Médiatrice");
    assert.deepEqual(
      (await membershipsOf(db(), created?.id as number)).map((m) => [m.organisationId, m.role]),
      [[gueret, "mediateur"]],
    );
    // Used: the same link is no longer valid, by GET or POST.
    const reused = await new Client().get(link);
    assert.equal(reused.status, 410);
    assert.match(reused.text, /Ce lien n&#39;est plus valable|Ce lien n'est plus valable/);
    const again = await p.post(link, { nom: "X", motdepasse: NEW_PASSWORD, confirmation: NEW_PASSWORD });
    assert.equal(again.status, 410);
    assert.equal((await new Client().get("/invitation/inconnu")).status, 410);
    await new Client().login("nouvelle@example.org", undefined, NEW_PASSWORD);
  });

  test("an expired invitation is refused and changes nothing", async () => {
    const c = await as("admin@example.org", SECRET);
    await c.get(`/admin/organisations/${gueret}`);
    const r = await c.post(`/admin/organisations/${gueret}/inviter`, {
      email: "tard@example.org",
      role: "prescripteur",
    });
    const link = /(\/invitation\/[A-Za-z0-9_-]{43})/.exec(r.text)?.[1] as string;
    const p = new Client();
    await p.get(link);
    instant += 73 * 3_600_000;
    const late = await p.post(link, { nom: "Tard", motdepasse: NEW_PASSWORD, confirmation: NEW_PASSWORD });
    assert.equal(late.status, 410);
    assert.equal(await findPersonByEmail(db(), "tard@example.org"), null);
    assert.equal((await p.get(link)).status, 410);
  });

  test("« mot de passe oublié » answers the same for a known and an unknown address, and never shows the link", async () => {
    const answers = [];
    for (const email of ["mediatrice@example.org", "personne-inconnue@example.org"]) {
      const c = new Client();
      const form = await c.get("/mot-de-passe-oublie");
      assert.equal(form.status, 200);
      const r = await c.post("/mot-de-passe-oublie", { email });
      assert.equal(r.status, 200);
      assert.doesNotMatch(r.text, /\/invitation\//);
      answers.push(r.text.replace(/name="_csrf" value="[^"]+"/, ""));
    }
    assert.equal(answers[0], answers[1]);
    const c = new Client();
    await c.get("/mot-de-passe-oublie");
    assert.equal(
      (await c.request("/mot-de-passe-oublie", { form: { email: "mediatrice@example.org" } })).status,
      403,
    );
  });
});

describe("people", () => {
  test("a coordinator lists the people of their territory, sees only their memberships there", async () => {
    const c = await as("coord23@example.org", SECRET);
    const list = await c.get("/admin/personnes");
    assert.equal(list.status, 200);
    assert.match(list.text, /mediatrice@example\.org/);
    assert.match(list.text, /double@example\.org/);
    assert.doesNotMatch(list.text, /tulle@example\.org/);
    assert.match((await c.get("/admin/personnes?q=mediatrice")).text, /1 personne\b/);
    assert.equal((await c.get(`/admin/personnes/${ids["tulle@example.org"]}`)).status, 403);
    const double = await c.get(`/admin/personnes/${ids["double@example.org"]}`);
    assert.equal(double.status, 200);
    assert.match(double.text, /France Services de Guéret/);
    assert.doesNotMatch(double.text, /Association de Tulle/);
    assert.match(double.text, /1 autre rôle hors de votre territoire/);
    assert.doesNotMatch(
      double.text,
      /Désactiver le compte/,
      "a person of Corrèze too cannot be deactivated here",
    );
    const a = await as("admin@example.org", SECRET);
    assert.match((await a.get("/admin/personnes")).text, /tulle@example\.org/);
  });

  test("role change, refusals outside the territory or above the coordinator, removal: journaled", async () => {
    const c = await as("coord23@example.org", SECRET);
    const doubleId = ids["double@example.org"] as number;
    const ms = await membershipsOf(db(), doubleId);
    const inGueret = ms.find((m) => m.organisationId === gueret);
    const inTulle = ms.find((m) => m.organisationId === tulle);
    assert.ok(inGueret && inTulle);
    await c.get(`/admin/personnes/${doubleId}`);
    const toAdmin = await c.post(`/admin/personnes/${doubleId}/roles/${inGueret.id}`, { role: "admin" });
    assert.equal(toAdmin.status, 403);
    const outside = await c.post(`/admin/personnes/${doubleId}/roles/${inTulle.id}`, {
      role: "prescripteur",
    });
    assert.equal(outside.status, 403);
    const removeOutside = await c.post(`/admin/personnes/${doubleId}/roles/${inTulle.id}/retirer`, {});
    assert.equal(removeOutside.status, 403);
    const deactivate = await c.post(`/admin/personnes/${doubleId}/desactiver`, { confirmation: "oui" });
    assert.equal(deactivate.status, 403);
    const noCsrf = await c.request(`/admin/personnes/${doubleId}/roles/${inGueret.id}`, {
      form: { role: "mediateur" },
    });
    assert.equal(noCsrf.status, 403);
    assert.deepEqual(
      (await membershipsOf(db(), doubleId)).map((m) => m.role),
      ms.map((m) => m.role),
      "nothing changed",
    );
    assert.equal((await findPersonByEmail(db(), "double@example.org"))?.active, true);

    const changed = await c.post(`/admin/personnes/${doubleId}/roles/${inGueret.id}`, { role: "mediateur" });
    assert.equal(changed.status, 200);
    assert.match(changed.text, /Le rôle est changé/);
    const after = await membershipsOf(db(), doubleId);
    assert.deepEqual(
      after.map((m) => [m.organisationId, m.role]).sort(),
      [
        [gueret, "mediateur"],
        [tulle, "mediateur"],
      ].sort(),
    );
    const j = await listJournal(db(), { action: "personne.role", limit: 1, offset: 0 });
    assert.deepEqual(j.entries[0]?.details, {
      organisation: gueret,
      avant: "prescripteur",
      apres: "mediateur",
    });
    assert.equal(j.entries[0]?.personId, ids["coord23@example.org"]);
    const newOne = after.find((m) => m.organisationId === gueret);
    const removed = await c.post(`/admin/personnes/${doubleId}/roles/${newOne?.id}/retirer`, {});
    assert.equal(removed.status, 303, "out of the coordinator's reach now: back to the list");
    assert.equal(removed.location, "/admin/personnes");
    assert.deepEqual(
      (await membershipsOf(db(), doubleId)).map((m) => m.organisationId),
      [tulle],
    );
  });

  test("deactivation asks for confirmation, then closes the person's sessions", async () => {
    const m = await as("mediatrice@example.org");
    assert.equal((await m.get("/mon-compte")).status, 200);
    const c = await as("coord23@example.org", SECRET);
    const id = ids["mediatrice@example.org"] as number;
    const confirm = await c.get(`/admin/personnes/${id}/desactiver`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /Je confirme la désactivation/);
    const unconfirmed = await c.post(`/admin/personnes/${id}/desactiver`, {});
    assert.equal(unconfirmed.status, 400);
    assert.equal((await findPersonByEmail(db(), "mediatrice@example.org"))?.active, true);
    const done = await c.post(`/admin/personnes/${id}/desactiver`, { confirmation: "oui" });
    assert.equal(done.status, 200);
    assert.match(done.text, /Le compte est désactivé/);
    assert.equal((await findPersonByEmail(db(), "mediatrice@example.org"))?.active, false);
    assert.equal((await m.get("/mon-compte")).status, 303, "their session is closed");
    const self = await c.get(`/admin/personnes/${ids["coord23@example.org"]}/desactiver`);
    assert.equal(self.status, 403);
  });
});

describe("the journal", () => {
  test("a coordinator sees only their territory's lines; filters; a bad date is explained", async () => {
    await appendJournal(db(), {
      ...BY_SYSTEM,
      at: clock.now(),
      action: "test.correze",
      target: "organisation:0",
      territoryId: "19",
    });
    const c = await as("coord23@example.org", SECRET);
    const page = await c.get("/admin/journal");
    assert.equal(page.status, 200);
    assert.match(page.text, /personne\.role/);
    assert.doesNotMatch(page.text, /test\.correze/);
    assert.doesNotMatch((await c.get("/admin/journal?action=test.correze")).text, /test\.correze<\/td>/);
    const a = await as("admin@example.org", SECRET);
    assert.match((await a.get("/admin/journal?action=test.correze")).text, /test\.correze<\/td>/);
    const byPerson = await a.get("/admin/journal?personne=coord23%40example.org&action=personne.role");
    assert.match(byPerson.text, /1 ligne\b/);
    const byTarget = await a.get(
      `/admin/journal?cible=personne%3A${ids["double@example.org"]}&action=personne.role`,
    );
    assert.match(byTarget.text, /1 ligne\b/);
    const period = await a.get("/admin/journal?action=personne.role&du=2020-01-01&au=2020-01-31");
    assert.match(period.text, /0 ligne\b/);
    const bad = await a.get("/admin/journal?du=hier");
    assert.equal(bad.status, 400);
    assert.match(bad.text, /AAAA-MM-JJ/);
  });

  test("the CSV export: same filters, territory only, formula-safe cells", async () => {
    const sly = await createPerson(
      db(),
      { email: "=cmd@example.org", name: "Formule" },
      clock.now(),
      BY_SYSTEM,
    );
    await appendJournal(db(), {
      personId: sly.id,
      organisationId: gueret,
      role: "mediateur",
      address: "127.0.0.1",
      at: clock.now(),
      action: "test.formule",
      target: '=HYPERLINK("x")',
      territoryId: "23",
    });
    const a = await as("admin@example.org", SECRET);
    const csv = await a.get("/admin/journal.csv?action=test.formule");
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type") ?? "", /^text\/csv/);
    const lines = csv.text
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    assert.equal(lines[0], "id,date,personne,organisation,role,action,cible,territoire,adresse,details");
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? "", /,'=cmd@example\.org,/);
    assert.match(lines[1] ?? "", /,"'=HYPERLINK\(""x""\)",/);
    const c = await as("coord23@example.org", SECRET);
    const mine = await c.get("/admin/journal.csv");
    assert.equal(mine.status, 200);
    assert.doesNotMatch(mine.text, /test\.correze/);
    assert.match(mine.text, /personne\.role/);
  });
});
