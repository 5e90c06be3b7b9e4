/** Signing in, sessions, CSRF, the second factor, tokens and /api/v1/moi, over real HTTP. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TOTP } from "otpauth";
import { hashPassword } from "../src/accounts/password.ts";
import {
  addMembership,
  BY_SYSTEM,
  clearFailures,
  createOrganisation,
  createPerson,
  listJournal,
  setTotp,
} from "../src/accounts/store.ts";
import { hashRecoveryCode } from "../src/accounts/totp.ts";
import type { Clock } from "../src/platform/clock.ts";
import { FormClient } from "./support/accounts.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const PASSWORD = "Tulipe-Granit-Boussole-48";
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/** A clock the test moves forward. */
let instant = Date.parse("2026-12-01T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };

let server: TestServer;
const db = () => server.ctx.database.db;

/** The house's form client on this file's server, with its way of signing in. */
class Client extends FormClient {
  constructor() {
    super(() => server.url);
  }

  async login(email: string, password = PASSWORD) {
    await this.get("/connexion");
    return this.post("/connexion", { email, motdepasse: password });
  }
}

const code = (secret: string, at = instant) =>
  new TOTP({ secret, digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: at });

let creuse: number;
let correze: number;

async function person(
  email: string,
  roles: { org: number; role: "admin" | "mediateur" | "coordinateur" | "prescripteur" }[],
) {
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
  return p;
}

before(async () => {
  server = await startTestServer({ clock });
  creuse = (
    await createOrganisation(
      db(),
      { name: "France Services de Guéret", kind: "france-services", siret: null, territoryId: "23" },
      clock.now(),
      BY_SYSTEM,
    )
  ).id;
  correze = (
    await createOrganisation(
      db(),
      { name: "Association de Tulle", kind: "association", siret: null, territoryId: "19" },
      clock.now(),
      BY_SYSTEM,
    )
  ).id;
  await person("mediatrice@example.org", [{ org: creuse, role: "mediateur" }]);
  await person("double@example.org", [
    { org: creuse, role: "prescripteur" },
    { org: correze, role: "mediateur" },
  ]);
  const admin = await person("admin@example.org", [{ org: creuse, role: "admin" }]);
  await setTotp(db(), admin.id, SECRET, ["AAAAA-BBBBB"].map(hashRecoveryCode), clock.now(), BY_SYSTEM);
  await person("nouveau@example.org", [{ org: creuse, role: "coordinateur" }]);
});
after(() => server.close());

describe("signing in", () => {
  test("a right password opens a session with a new cookie; the account page names the person", async () => {
    const c = new Client();
    c.cookies.set("maillage-session", "valeur-choisie-par-un-autre");
    await c.get("/connexion");
    assert.equal(c.cookies.has("maillage-session"), false, "a dead cookie is cleared");
    const r = await c.post("/connexion", { email: "Mediatrice@Example.org", motdepasse: PASSWORD });
    assert.equal(r.status, 303);
    assert.equal(r.location, "/mon-compte");
    const cookie = r.headers.getSetCookie().find((x) => x.startsWith("maillage-session="));
    assert.ok(cookie && /HttpOnly/i.test(cookie) && /SameSite=Lax/i.test(cookie));
    assert.match(c.cookies.get("maillage-session") ?? "", /^[A-Za-z0-9_-]{43}$/);
    const page = await c.get("/mon-compte");
    assert.equal(page.status, 200);
    assert.match(
      page.text,
      /Connecté : <strong>Personne mediatrice<\/strong> — France Services de Guéret \(Médiateur numérique\)/,
    );
    assert.match(page.text, /Se déconnecter/);
    const j = await listJournal(db(), { action: "connexion", limit: 5, offset: 0 });
    assert.equal(j.entries[0]?.address, "127.0.0.1");
  });

  test("a wrong password and an unknown e-mail get the same answer, journaled", async () => {
    const wrong = await new Client().login("mediatrice@example.org", "pas-le-bon-mot-de-passe");
    const unknown = await new Client().login("personne@example.org");
    for (const r of [wrong, unknown]) {
      assert.equal(r.status, 401);
      assert.match(r.text, /E-mail ou mot de passe incorrect\./);
    }
    const j = await listJournal(db(), {
      action: "connexion.echec",
      target: "email:personne@example.org",
      limit: 5,
      offset: 0,
    });
    assert.equal(j.total, 1);
    await clearFailures(db(), "adresse:127.0.0.1");
  });

  test("after 10 failures in 15 minutes, signing in is refused for 15 minutes, even with the right password", async () => {
    for (let i = 0; i < 10; i++) await new Client().login("double@example.org", `mauvais-${i}`);
    const blocked = await new Client().login("double@example.org");
    assert.equal(blocked.status, 429);
    assert.match(blocked.text, /suspendue pendant 15 minutes/);
    instant += 16 * 60_000;
    await clearFailures(db(), "adresse:127.0.0.1");
    const r = await new Client().login("double@example.org");
    assert.equal(r.status, 303);
  });

  test("a form without or with a wrong CSRF token is refused with 403 and changes nothing", async () => {
    const c = new Client();
    await c.get("/connexion");
    const before = (await listJournal(db(), { limit: 1, offset: 0 })).total;
    const none = await c.request("/connexion", {
      form: { email: "mediatrice@example.org", motdepasse: PASSWORD },
    });
    const wrong = await c.request("/connexion", {
      form: { _csrf: "faux", email: "mediatrice@example.org", motdepasse: PASSWORD },
    });
    for (const r of [none, wrong]) {
      assert.equal(r.status, 403);
      assert.match(r.text, /Ce formulaire a expiré ou ne vient pas de Maillage/);
      assert.equal(
        r.headers.getSetCookie().some((x) => x.startsWith("maillage-session=")),
        false,
      );
    }
    // A token of another session is refused too (bound to the session).
    const other = new Client();
    await other.login("mediatrice@example.org");
    await other.get("/mon-compte");
    const mine = new Client();
    await mine.login("mediatrice@example.org");
    const r = await mine.request("/mon-compte/profil", { form: { _csrf: other.csrf, nom: "Pirate" } });
    assert.equal(r.status, 403);
    assert.equal((await listJournal(db(), { action: "personne.modifier", limit: 1, offset: 0 })).total, 0);
    assert.ok((await listJournal(db(), { limit: 1, offset: 0 })).total >= before);
  });

  test("several memberships: the person chooses the organisation, which sets the idle timeout", async () => {
    const c = new Client();
    const r = await c.login("double@example.org");
    assert.equal(r.location, "/connexion/role");
    const page = await c.get("/connexion/role");
    assert.match(page.text, /Pour quelle organisation agissez-vous/);
    const m = /name="membre" value="(\d+)"[^>]*>\s*<span>Association de Tulle/.exec(page.text);
    assert.ok(m?.[1]);
    const chosen = await c.post("/connexion/role", { membre: m[1] });
    assert.equal(chosen.location, "/mon-compte");
    assert.match((await c.get("/mon-compte")).text, /Association de Tulle \(Médiateur numérique\)/);
  });
});

describe("the second factor", () => {
  test("a role that requires it enrols: QR code and key, a first code, ten recovery codes once", async () => {
    const c = new Client();
    const r = await c.login("nouveau@example.org");
    assert.equal(r.location, "/connexion/second-facteur");
    assert.equal((await c.get("/mon-compte")).status, 303, "no actor before the second factor");
    const page = await c.get("/connexion/second-facteur");
    assert.match(page.text, /<svg/);
    const key = /name="cle" value="([A-Z2-7]{32})"/.exec(page.text)?.[1];
    assert.ok(key);
    const bad = await c.post("/connexion/second-facteur", { cle: key, code: "000000" });
    assert.equal(bad.status, 400);
    const ok = await c.post("/connexion/second-facteur", { cle: key, code: code(key) });
    assert.equal(ok.status, 200);
    const codes = ok.text.match(/[2-9A-HJKMNP-TW-Z]{5}-[2-9A-HJKMNP-TW-Z]{5}/g) ?? [];
    assert.equal(new Set(codes).size, 10);
    assert.equal((await c.get("/mon-compte")).status, 200);
    assert.equal(
      (await listJournal(db(), { action: "second-facteur.activer", limit: 5, offset: 0 })).total >= 1,
      true,
    );
  });

  test("the TOTP step: a right code passes, the same code again is refused as replayed", async () => {
    const c = new Client();
    await c.login("admin@example.org");
    await c.get("/connexion/second-facteur");
    const first = await c.post("/connexion/second-facteur", { code: code(SECRET) });
    assert.equal(first.status, 303);
    assert.equal(first.location, "/mon-compte");
    const d = new Client();
    await d.login("admin@example.org");
    await d.get("/connexion/second-facteur");
    const replay = await d.post("/connexion/second-facteur", { code: code(SECRET) });
    assert.equal(replay.status, 401);
    assert.match(replay.text, /Ce code a déjà servi/);
  });

  test("a recovery code serves once", async () => {
    const use = async () => {
      const c = new Client();
      await c.login("admin@example.org");
      await c.get("/connexion/second-facteur");
      return c.post("/connexion/second-facteur", { secours: "aaaaa bbbbb" });
    };
    assert.equal((await use()).status, 303);
    const again = await use();
    assert.equal(again.status, 401);
    assert.match(again.text, /n'est pas valable ou a déjà servi/);
  });
});

describe("sessions", () => {
  test("after logging out, the same cookie leads back to /connexion with « session expirée »", async () => {
    const c = new Client();
    await c.login("mediatrice@example.org");
    await c.get("/mon-compte");
    const value = c.cookies.get("maillage-session") as string;
    const out = await c.post("/deconnexion", {});
    assert.equal(out.location, "/connexion?sortie=1");
    c.cookies.set("maillage-session", value);
    const r = await c.get("/mon-compte");
    assert.equal(r.status, 303);
    assert.equal(r.location, "/connexion?retour=%2Fmon-compte&expiree=1");
    assert.match((await c.get(r.location as string)).text, /Votre session a expiré, reconnectez-vous\./);
  });

  test("a session idle longer than its role's timeout (15 minutes for an admin) expires", async () => {
    const c = new Client();
    await c.login("admin@example.org");
    await c.get("/connexion/second-facteur");
    instant += 30_000;
    assert.equal((await c.post("/connexion/second-facteur", { code: code(SECRET) })).status, 303);
    instant += 14 * 60_000;
    assert.equal((await c.get("/mon-compte")).status, 200, "seen after 14 minutes: still open");
    instant += 16 * 60_000;
    const r = await c.get("/mon-compte");
    assert.equal(r.status, 303);
    assert.match(r.location ?? "", /expiree=1/);
  });

  test("a public page costs no account query and stays the same with or without a session", async () => {
    const c = new Client();
    await c.login("mediatrice@example.org");
    const anon = await fetch(`${server.url}/a-propos/donnees`).then((r) => r.text());
    const signed = await c.get("/a-propos/donnees");
    assert.equal(signed.text, anon);
    assert.doesNotMatch(anon, /Connecté :/);
    assert.match(anon, /href="\/connexion"[^>]*>Espace professionnel/);
  });
});

describe("tokens and /api/v1/moi", () => {
  test("without a token: 401 problem+json", async () => {
    const r = await fetch(`${server.url}/api/v1/moi`);
    assert.equal(r.status, 401);
    assert.match(r.headers.get("content-type") ?? "", /application\/problem\+json/);
  });

  test("a token created on the account page answers /api/v1/moi, and no more once revoked", async () => {
    const c = new Client();
    await c.login("mediatrice@example.org");
    await c.get("/mon-compte");
    const created = await c.post("/mon-compte/jetons", { libelle: "Tableur" });
    const token = /mlg_[A-Za-z0-9_-]{43}/.exec(created.text)?.[0];
    assert.ok(token);
    const moi = await fetch(`${server.url}/api/v1/moi`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(moi.status, 200);
    const body = (await moi.json()) as { personne: { email: string }; organisations: { role: string }[] };
    assert.equal(body.personne.email, "mediatrice@example.org");
    assert.deepEqual(
      body.organisations.map((o) => o.role),
      ["mediateur"],
    );
    assert.doesNotMatch((await c.get("/mon-compte")).text, new RegExp(token), "shown once");
    const id = /\/mon-compte\/jetons\/(\d+)\/revoquer/.exec((await c.get("/mon-compte")).text)?.[1];
    assert.equal((await c.post(`/mon-compte/jetons/${id}/revoquer`, {})).status, 200);
    const after = await fetch(`${server.url}/api/v1/moi`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(after.status, 401);
  });

  test("my data downloads as JSON with my journal lines", async () => {
    const c = new Client();
    await c.login("mediatrice@example.org");
    const r = await c.get("/mon-compte/donnees");
    assert.equal(r.status, 200);
    const data = JSON.parse(r.text) as { profil: { email: string }; journal: { action: string }[] };
    assert.equal(data.profil.email, "mediatrice@example.org");
    assert.ok(data.journal.some((l) => l.action === "connexion"));
  });
});
