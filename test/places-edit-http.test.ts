/**
 * Editing a place over real HTTP, on a real place of Creuse: the weekly editor's fields become OpenStreetMap hours,
 * the public page and the published places show them at once, the history keeps both versions, a restore brings
 * the old one back; the edit wins over the next publication until released; two coordinators saving the same
 * version (the second is told, nothing typed is lost); someone outside the territory (403, journaled); a restore of
 * a withdrawn place; forms without their CSRF token.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
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
import { hashRecoveryCode } from "../src/accounts/totp.ts";
import { republish } from "../src/places/import/ingest.ts";
import { placeTables } from "../src/places/store/tables.ts";
import type { Clock } from "../src/platform/clock.ts";
import { FormClient, formFields } from "./support/accounts.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const PASSWORD = "Tulipe-Granit-Boussole-48";
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
let instant = Date.parse("2026-12-01T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
let server: TestServer;
const db = () => server.ctx.database.db;

class Client extends FormClient {
  constructor() {
    super(() => server.url);
  }
  login(email: string) {
    return this.signIn(email, PASSWORD, () => {
      instant += 30_000;
      return new TOTP({ secret: SECRET, digits: 6, period: 30, algorithm: "SHA1" }).generate({
        timestamp: instant,
      });
    });
  }
}

async function person(email: string, org: number, role: Role, hash: string) {
  const p = await createPerson(
    db(),
    { email, name: `Personne ${email.split("@")[0]}`, passwordHash: hash },
    clock.now(),
    BY_SYSTEM,
  );
  await addMembership(db(), { personId: p.id, organisationId: org, role }, clock.now(), BY_SYSTEM);
  await setTotp(db(), p.id, SECRET, [hashRecoveryCode("AAAAA-BBBBB")], clock.now(), BY_SYSTEM);
}

/** Real published places of a département, single-record ones first (the simplest to reason about). */
async function placesOf(dep: string) {
  return placeTables(db())
    .selectFrom("place")
    .select(["id", "nom", "members", "standard"])
    .where("commune_code", "like", `${dep}%`)
    .orderBy("id")
    .execute();
}

/** The form as the edit page gives it, with some fields changed. */
const formOf = (html: string, changes: Record<string, string>) => ({ ...formFields(html), ...changes });

/** Posts the form with the page's CSRF token. */
const postForm = (c: Client, path: string, form: Record<string, string | string[]>) => c.post(path, form);

const week = (mo: [string, string, string, string]) => {
  const f: Record<string, string> = { horaires_mode: "semaine" };
  for (let d = 0; d < 7; d++)
    for (let k = 0; k < 2; k++)
      for (let side = 0; side < 2; side++)
        f[`h_${d}_${k}_${side}`] = d < 5 ? (mo[k * 2 + side] as string) : "";
  return f;
};

let creuse: Awaited<ReturnType<typeof placesOf>>;
let correze: Awaited<ReturnType<typeof placesOf>>;

before(async () => {
  server = await startTestServer({ clock });
  const hash = await hashPassword(PASSWORD);
  const cd23 = (
    await createOrganisation(
      db(),
      { name: "Conseil départemental de la Creuse", kind: "collectivite", siret: null, territoryId: "23" },
      clock.now(),
      BY_SYSTEM,
    )
  ).id;
  await person("coord23@example.org", cd23, "coordinateur", hash);
  await person("coord23b@example.org", cd23, "coordinateur", hash);
  creuse = (await placesOf("23")).filter((p) => p.members.length === 1);
  correze = await placesOf("19");
  assert.ok(creuse.length > 5 && correze.length > 0, "real places of Creuse and Corrèze");
});
after(() => server.close());

test("a coordinator sets a place's hours with the weekly editor; public page, published places and history follow; a restore brings them back", async () => {
  const place = creuse[0] as (typeof creuse)[number];
  const before = place.standard.horaires;
  const c = new Client();
  await c.login("coord23@example.org");
  const edit = await c.get(`/admin/lieux/${place.id}/modifier`);
  assert.equal(edit.status, 200, edit.text);
  assert.match(edit.text, /Lundi, matin, ouvre à/);
  const saved = await postForm(
    c,
    `/admin/lieux/${place.id}/modifier`,
    formOf(edit.text, { ...week(["08:30", "12:00", "13:30", "17:00"]), motif: "horaires d'hiver" }),
  );
  assert.equal(saved.status, 303, saved.text);
  const hours = "Mo-Fr 08:30-12:00,13:30-17:00";
  const row = await placeTables(db())
    .selectFrom("place")
    .select("standard")
    .where("id", "=", place.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.standard.horaires, hours);
  assert.equal(row.standard.date_maj, "2026-12-01", "an edit is an update");
  const published = (await server.ctx.places.all()).find((p) => p.id === place.id);
  assert.equal(published?.standard.horaires, hours, "the finder's places follow at once");
  const page = await c.get(`/lieux/${place.id}`);
  assert.match(page.text, /8 h 30/);
  assert.match(page.text, /Version 2 — Modification/);
  assert.match(page.text, /Version 1 — Fiche publiée avant la première modification/);
  assert.match(page.text, /horaires d&#39;hiver|horaires d'hiver/);
  const history = await c.get(`/admin/lieux/${place.id}/historique`);
  assert.match(history.text, /Restaurer la version 1/);
  const restored = await c.post(`/admin/lieux/${place.id}/restaurer`, { version: "1", depuis: "2" });
  assert.equal(restored.status, 303, restored.text);
  const back = await placeTables(db())
    .selectFrom("place")
    .select("standard")
    .where("id", "=", place.id)
    .executeTakeFirstOrThrow();
  assert.equal(back.standard.horaires, before);
  const journal = await listJournal(db(), { action: "lieu.modifier", limit: 10, offset: 0 });
  assert.equal(journal.total, 1);
  assert.equal(journal.entries[0]?.territoryId?.slice(0, 2), "23");
});

test("an edit wins over the next publication until a coordinator releases it", async () => {
  const place = creuse[1] as (typeof creuse)[number];
  const c = new Client();
  await c.login("coord23@example.org");
  const edit = await c.get(`/admin/lieux/${place.id}/modifier`);
  const r = await postForm(
    c,
    `/admin/lieux/${place.id}/modifier`,
    formOf(edit.text, { nom: `${place.nom} (centre-ville)` }),
  );
  assert.equal(r.status, 303, r.text);
  await placeTables(db())
    .transaction()
    .execute((trx) => republish(trx));
  const after1 = await placeTables(db())
    .selectFrom("place")
    .select("nom")
    .where("id", "=", place.id)
    .executeTakeFirstOrThrow();
  assert.equal(after1.nom, `${place.nom} (centre-ville)`, "the manual name stays after a publication");
  await c.get(`/admin/lieux/${place.id}/historique`);
  const released = await c.post(`/admin/lieux/${place.id}/liberer`, { depuis: "2" });
  assert.equal(released.status, 303, released.text);
  await placeTables(db())
    .transaction()
    .execute((trx) => republish(trx));
  const after2 = await placeTables(db())
    .selectFrom("place")
    .select("nom")
    .where("id", "=", place.id)
    .executeTakeFirstOrThrow();
  assert.equal(after2.nom, place.nom);
});

test("two coordinators save the same version: the second is told, sees the difference and keeps what they typed", async () => {
  const place = creuse[2] as (typeof creuse)[number];
  const a = new Client();
  const b = new Client();
  await a.login("coord23@example.org");
  await b.login("coord23b@example.org");
  const formA = await a.get(`/admin/lieux/${place.id}/modifier`);
  const formB = await b.get(`/admin/lieux/${place.id}/modifier`);
  const first = await postForm(
    a,
    `/admin/lieux/${place.id}/modifier`,
    formOf(formA.text, { complement_adresse: "Bâtiment A" }),
  );
  assert.equal(first.status, 303, first.text);
  const second = await postForm(
    b,
    `/admin/lieux/${place.id}/modifier`,
    formOf(formB.text, { complement_adresse: "Bâtiment B" }),
  );
  assert.equal(second.status, 409);
  assert.match(second.text, /Cette fiche a changé pendant que vous la modifiiez/);
  assert.match(second.text, /Bâtiment B/, "what the second typed is still in the form");
  assert.match(second.text, /Bâtiment A/, "the difference shows what the first saved");
  const row = await placeTables(db())
    .selectFrom("place")
    .select("standard")
    .where("id", "=", place.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.standard.complement_adresse, "Bâtiment A");
});

test("bad input: outside the territory (403, journaled), invalid values kept in the form, no CSRF token, a withdrawn place", async () => {
  const c = new Client();
  await c.login("coord23@example.org");
  const other = correze[0] as (typeof correze)[number];
  assert.equal((await c.get(`/admin/lieux/${other.id}/modifier`)).status, 403);
  const mine = await c.get(`/admin/lieux/${(creuse[3] as (typeof creuse)[number]).id}/modifier`);
  const refusals = (await listJournal(db(), { action: "acces.refuse", limit: 1, offset: 0 })).total;
  const denied = await postForm(
    c,
    `/admin/lieux/${other.id}/modifier`,
    formOf(mine.text, { nom: "Autre nom" }),
  );
  assert.equal(denied.status, 403);
  assert.equal(
    (await listJournal(db(), { action: "acces.refuse", limit: 1, offset: 0 })).total,
    refusals + 1,
  );

  const place = creuse[3] as (typeof creuse)[number];
  const edit = await c.get(`/admin/lieux/${place.id}/modifier`);
  const bad = await postForm(
    c,
    `/admin/lieux/${place.id}/modifier`,
    formOf(edit.text, { code_postal: "2300", telephone: "05 55 00", ...week(["17:00", "09:00", "", ""]) }),
  );
  assert.equal(bad.status, 422);
  assert.match(bad.text, /code postal invalide/);
  assert.match(
    bad.text,
    /la fermeture \(09:00\) doit venir après l&#39;ouverture|la fermeture \(09:00\) doit venir après l'ouverture/,
  );
  assert.match(bad.text, /value="2300"/, "what was typed is kept");
  // Links: only http(s), as on import (the same validation).
  for (const [field, value] of [
    ["site_web", "javascript:alert(document.cookie)"],
    ["fiche_acces_libre", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="],
    ["prise_rdv", "JaVaScRiPt:alert(1)"],
  ] as const) {
    const refused = await postForm(
      c,
      `/admin/lieux/${place.id}/modifier`,
      formOf(edit.text, { [field]: value }),
    );
    assert.equal(refused.status, 422, `${field} = ${value}`);
    assert.doesNotMatch(refused.text, new RegExp(`href="${value.slice(0, 10)}`, "i"));
  }
  const unchanged = await placeTables(db())
    .selectFrom("place")
    .select("standard")
    .where("id", "=", place.id)
    .executeTakeFirstOrThrow();
  assert.ok(
    ![unchanged.standard.site_web, unchanged.standard.fiche_acces_libre, unchanged.standard.prise_rdv]
      .flat()
      .some((v) => /^(javascript|data):/i.test(String(v))),
  );
  const noToken = await c.request(`/admin/lieux/${place.id}/modifier`, { form: { nom: "Sans jeton" } });
  assert.equal(noToken.status, 403);

  // A place withdrawn by its source (its record withdrawn, the places published again): no edit, no restore.
  const gone = creuse[4] as (typeof creuse)[number];
  const e = await c.get(`/admin/lieux/${gone.id}/modifier`);
  assert.equal(
    (await postForm(c, `/admin/lieux/${gone.id}/modifier`, formOf(e.text, { complement_adresse: "Étage 1" })))
      .status,
    303,
  );
  await placeTables(db())
    .transaction()
    .execute(async (trx) => {
      await sql`UPDATE place_record SET status = 'withdrawn' WHERE id = ${gone.id}`.execute(trx);
      await republish(trx);
    });
  server.ctx.places.invalidate();
  await c.get(`/admin/lieux/${place.id}/historique`);
  const restore = await c.post(`/admin/lieux/${gone.id}/restaurer`, { version: "1", depuis: "2" });
  assert.equal(restore.status, 404);
  assert.match(restore.text, /retiré par sa source/);
});

test("a form saved as loaded changes nothing (lists in the source's order, hours written another way); a stale form is told", async () => {
  const c = new Client();
  await c.login("coord23@example.org");
  const merged =
    (await placesOf("23")).find((p) => p.members.length > 1) ?? (creuse[5] as (typeof creuse)[number]);
  const edit = await c.get(`/admin/lieux/${merged.id}/modifier`);
  const same = await postForm(c, `/admin/lieux/${merged.id}/modifier`, formOf(edit.text, {}));
  assert.equal(same.status, 200, same.text);
  assert.match(same.text, /Aucun changement/);
  const held = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM place_edit WHERE place_id = ANY(${merged.members}::text[])`.execute(db());
  assert.equal(held.rows[0]?.n, 0, "nothing held by hand");

  // The sources change the place (as an import would) after the form was loaded: the save is refused, told why.
  const place = creuse[6] as (typeof creuse)[number];
  const form = await c.get(`/admin/lieux/${place.id}/modifier`);
  await placeTables(db())
    .transaction()
    .execute(async (trx) => {
      await sql`UPDATE place_record SET standard = jsonb_set(standard, '{complement_adresse}', '"Entrée par la cour"') WHERE id = ${place.id}`.execute(
        trx,
      );
      await republish(trx);
    });
  server.ctx.places.invalidate();
  const stale = await postForm(
    c,
    `/admin/lieux/${place.id}/modifier`,
    formOf(form.text, { motif: "essai", nom: `${place.nom} (essai)` }),
  );
  assert.equal(stale.status, 409);
  assert.match(stale.text, /Ses sources ont été mises à jour/);
  assert.match(stale.text, /Entrée par la cour/);
  const row = await placeTables(db())
    .selectFrom("place")
    .select("nom")
    .where("id", "=", place.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.nom, place.nom, "nothing saved");
});

test("an address moved out of the territory is refused (403, journaled); an unknown commune is an error", async () => {
  const c = new Client();
  await c.login("coord23@example.org");
  const place = creuse[7] as (typeof creuse)[number];
  const edit = await c.get(`/admin/lieux/${place.id}/modifier`);
  const refusals = (await listJournal(db(), { action: "acces.refuse", limit: 1, offset: 0 })).total;
  // Brive-la-Gaillarde (19031), in Corrèze.
  const out = await postForm(
    c,
    `/admin/lieux/${place.id}/modifier`,
    formOf(edit.text, {
      commune: "Brive-la-Gaillarde",
      code_postal: "19100",
      code_insee: "19031",
      latitude: "",
      longitude: "",
    }),
  );
  assert.equal(out.status, 403);
  assert.equal(
    (await listJournal(db(), { action: "acces.refuse", limit: 1, offset: 0 })).total,
    refusals + 1,
  );
  const nowhere = await postForm(
    c,
    `/admin/lieux/${place.id}/modifier`,
    formOf(edit.text, {
      commune: "Nullepart",
      code_postal: "23999",
      code_insee: "",
      latitude: "",
      longitude: "",
    }),
  );
  assert.equal(nowhere.status, 422);
  assert.match(nowhere.text, /commune « Nullepart » introuvable/);
});
