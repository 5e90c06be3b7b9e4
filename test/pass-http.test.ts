/**
 * The pass numérique over real HTTP, on the loaded database (real territories, a real place of the Creuse): the API
 * from the order to the redemption with every refusal named by the issue (a redeemed code, a typo, an unknown code,
 * an expired or cancelled cheque, a place the programme does not allow, a booklet handed twice, an allocation from
 * another territory, a negative or fractional amount, a statement for a month not over), each with nothing written;
 * and the pages without JavaScript, through the same journey.
 */
import assert from "node:assert/strict";
import { after, before, describe, mock, test } from "node:test";
import { sql } from "kysely";
import type { AppContext } from "../src/context.ts";
import { passCommands } from "../src/pass/cli.ts";
import { CODE_ALPHABET } from "../src/pass/code.ts";
import type { Clock } from "../src/platform/clock.ts";
import { member, organisation, PersonClient, tokenOf } from "./support/people.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

let instant = Date.parse("2026-12-02T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
let server: TestServer;
const db = () => server.ctx.database.db;

const ids: Record<string, number> = {};
const tokens: Record<string, string> = {};

async function call(who: string, method: string, path: string, body?: unknown) {
  const res = await fetch(server.url + path, {
    method,
    headers: {
      authorization: `Bearer ${tokens[who]}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return {
    status: res.status,
    json: (await res.json()) as Record<string, unknown>,
    type: res.headers.get("content-type"),
  };
}

const ledgerRows = async () =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pass_ledger`.execute(db())).rows[0]?.n);

before(async () => {
  server = await startTestServer({ clock });
  const { rows } = await sql<{
    id: string;
  }>`SELECT id FROM place WHERE commune_code = '23096' ORDER BY id LIMIT 1`.execute(db());
  const place = rows[0]?.id as string;
  ids.financeur = await organisation(db(), clock, {
    name: "Département de la Creuse (essai)",
    kind: "financeur",
    territoryId: "23",
  });
  ids.ccas = await organisation(db(), clock, {
    name: "CCAS de Guéret (essai)",
    kind: "ccas",
    territoryId: "23096",
  });
  ids.lieu = await organisation(db(), clock, {
    name: "Espace numérique de Guéret (essai)",
    kind: "lieu-de-mediation",
    territoryId: "23096",
    placeIds: [place],
  });
  ids.autreLieu = await organisation(db(), clock, {
    name: "Tiers-lieu non habilité (essai)",
    kind: "lieu-de-mediation",
    territoryId: "23",
  });
  ids.creuse = await organisation(db(), clock, {
    name: "Coordination Creuse (essai)",
    kind: "collectivite",
    territoryId: "23",
  });
  ids.correze = await organisation(db(), clock, {
    name: "Coordination Corrèze (essai)",
    kind: "collectivite",
    territoryId: "19",
  });
  const people: [string, number, Parameters<typeof member>[4]][] = [
    ["financeur", ids.financeur, "financeur"],
    ["prescripteur", ids.ccas, "prescripteur"],
    ["mediateur", ids.lieu, "mediateur"],
    ["autreMediateur", ids.autreLieu, "mediateur"],
    ["coordinateur", ids.creuse, "coordinateur"],
    ["coordinateurCorreze", ids.correze, "coordinateur"],
  ];
  for (const [who, org, role] of people) {
    const email = `pass.${who.toLowerCase()}@example.org`;
    await member(db(), clock, email, org, role);
    tokens[who] = await tokenOf(db(), clock, email);
  }
});
after(() => server?.close());

const programme = (over: Record<string, unknown> = {}) => ({
  nom: "Pass numérique Creuse (essai)",
  territoire: "23",
  publics: ["seniors"],
  valeur_centimes: 1000,
  carnet: 5,
  validite_mois: 12,
  date_limite: "2026-12-31",
  delai_grace_jours: 59,
  budget_centimes: 500_000,
  lieux: [ids.lieu],
  ...over,
});

describe("the pass numérique API, from the order to the redemption", () => {
  let programmeId = 0;
  let booklets: { numero: string; cheques: string[] }[] = [];

  test("a negative or fractional amount is refused, nothing written; a financeur creates a programme", async () => {
    const before = await sql<{ n: string }>`SELECT count(*) AS n FROM pass_programme`.execute(db());
    for (const bad of [
      { valeur_centimes: -1000 },
      { valeur_centimes: 10.5 },
      { budget_centimes: -1 },
      { budget_centimes: 0.5 },
    ]) {
      const r = await call("financeur", "POST", "/api/v1/pass/programmes", programme(bad));
      assert.equal(r.status, 400, `${JSON.stringify(bad)} ${JSON.stringify(r.json)}`);
      assert.match(String(r.type), /problem\+json/);
    }
    const after = await sql<{ n: string }>`SELECT count(*) AS n FROM pass_programme`.execute(db());
    assert.equal(after.rows[0]?.n, before.rows[0]?.n);
    const mediator = await call("mediateur", "POST", "/api/v1/pass/programmes", programme());
    assert.equal(mediator.status, 403);
    const r = await call("financeur", "POST", "/api/v1/pass/programmes", programme());
    assert.equal(r.status, 201, JSON.stringify(r.json));
    programmeId = r.json.id as number;
  });

  test("ordering gives booklets with readable, unique cheque codes", async () => {
    const r = await call("financeur", "POST", `/api/v1/pass/programmes/${programmeId}/carnets`, {
      nombre: 3,
    });
    assert.equal(r.status, 201);
    booklets = r.json.carnets as typeof booklets;
    assert.equal(booklets.length, 3);
    assert.ok(
      booklets.every(
        (b) => b.cheques.length === 5 && b.cheques.every((c) => /^[2-9A-HJKMNP-Z]{10}$/.test(c)),
      ),
    );
    assert.equal(new Set(booklets.flatMap((b) => b.cheques)).size, 15);
  });

  test("an allocation by a coordinator of another territory: 403, journaled, nothing allocated", async () => {
    const before = await ledgerRows();
    const r = await call(
      "coordinateurCorreze",
      "POST",
      `/api/v1/pass/carnets/${booklets[0]?.numero}/attribution`,
      { organisation: ids.ccas },
    );
    assert.equal(r.status, 403);
    assert.equal(await ledgerRows(), before);
    const refused = await sql<{
      n: string;
    }>`SELECT count(*) AS n FROM journal WHERE action = 'acces.refuse' AND details->>'action' = 'pass.attribuer'`.execute(
      db(),
    );
    assert.equal(Number(refused.rows[0]?.n), 1);
    const ok = await call("coordinateur", "POST", `/api/v1/pass/carnets/${booklets[0]?.numero}/attribution`, {
      organisation: ids.ccas,
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    const again = await call(
      "coordinateur",
      "POST",
      `/api/v1/pass/carnets/${booklets[0]?.numero}/attribution`,
      { organisation: ids.ccas },
    );
    assert.equal(again.status, 409);
  });

  test("a booklet handed twice: the second is refused (409), nothing written", async () => {
    const serial = booklets[0]?.numero;
    const first = await call("prescripteur", "POST", `/api/v1/pass/carnets/${serial}/remise`, {
      commune: "23096",
      tranche_age: "75-et-plus",
    });
    assert.equal(first.status, 200, JSON.stringify(first.json));
    assert.equal(first.json.valable_jusqu_au, "2026-12-31", "12 months, capped by the last date");
    const before = await ledgerRows();
    const second = await call("prescripteur", "POST", `/api/v1/pass/carnets/${serial}/remise`, {
      commune: "23096",
    });
    assert.equal(second.status, 409);
    assert.match(String(second.json.detail), /déjà été remis/);
    assert.equal(await ledgerRows(), before);
    const notAllocated = await call(
      "prescripteur",
      "POST",
      `/api/v1/pass/carnets/${booklets[1]?.numero}/remise`,
      { commune: "23096" },
    );
    assert.equal(notAllocated.status, 403, "not allocated to this prescriber");
  });

  test("redeeming: 200 once, then 409 with when; typo 422; unknown 404; a place not allowed 403", async () => {
    const code = booklets[0]?.cheques[0] as string;
    const status = await call("mediateur", "GET", `/api/v1/pass/cheques/${code}`);
    assert.equal(status.status, 200);
    assert.equal(status.json.etat, "remis");
    const typo =
      code.slice(0, 3) + CODE_ALPHABET[(CODE_ALPHABET.indexOf(code[3] as string) + 1) % 31] + code.slice(4);
    const t = await call("mediateur", "POST", `/api/v1/pass/cheques/${typo}/encaissement`, {});
    assert.equal(t.status, 422);
    assert.equal(
      t.json.detail,
      "Ce code contient une faute de frappe : vérifiez chaque caractère avec le chèque.",
    );
    const swapped = code[0] === code[1] ? null : `${code[1]}${code[0]}${code.slice(2)}`;
    if (swapped)
      assert.equal(
        (await call("mediateur", "POST", `/api/v1/pass/cheques/${swapped}/encaissement`, {})).status,
        422,
      );
    // A well-formed code that no cheque has: 404.
    const body = "23456789A";
    const { checkCharacter } = await import("../src/pass/code.ts");
    const unknown = await call(
      "mediateur",
      "POST",
      `/api/v1/pass/cheques/${body}${checkCharacter(body)}/encaissement`,
      {},
    );
    assert.equal(unknown.status, 404);
    const before = await ledgerRows();
    const elsewhere = await call("autreMediateur", "POST", `/api/v1/pass/cheques/${code}/encaissement`, {});
    assert.equal(elsewhere.status, 403);
    assert.match(String(elsewhere.json.detail), /n'est pas habilitée/);
    const longWorkshop = await call("mediateur", "POST", `/api/v1/pass/cheques/${code}/encaissement`, {
      duree_minutes: 180,
    });
    assert.equal(longWorkshop.status, 400, "a workshop of more than 2 hours");
    assert.equal(await ledgerRows(), before);
    const ok = await call(
      "mediateur",
      "POST",
      `/api/v1/pass/cheques/${code.toLowerCase().replace(/(.{4})/, "$1-")}/encaissement`,
      { duree_minutes: 90 },
    );
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.equal(ok.json.etat, "encaisse");
    const again = await call("mediateur", "POST", `/api/v1/pass/cheques/${code}/encaissement`, {});
    assert.equal(again.status, 409);
    assert.equal(again.json.encaisse_le, "2026-12-02T09:00:00.000Z");
    assert.equal(await ledgerRows(), before + 1);
  });

  test("a statement for a month not over is refused; a finished month is drawn once", async () => {
    const ctx: AppContext = { ...server.ctx, database: { ...server.ctx.database, close: async () => {} } };
    const errors = mock.method(console, "error", () => {});
    const logs = mock.method(console, "log", () => {});
    try {
      const notOver = await passCommands["pass statements"]?.run(["--month", "2026-12"], async () => ctx);
      assert.equal(notOver, 2);
      assert.match(String(errors.mock.calls.at(-1)?.arguments[0]), /le mois 2026-12 n'est pas terminé/);
      assert.equal(
        Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pass_statement`.execute(db())).rows[0]?.n),
        0,
      );
      instant = Date.parse("2027-01-01T08:00:00Z");
      assert.equal(await passCommands["pass statements"]?.run(["--month", "2026-12"], async () => ctx), 0);
      assert.match(String(logs.mock.calls.at(-1)?.arguments[0]), /^1 relevé\(s\) établi\(s\) pour 2026-12/);
      assert.equal(await passCommands["pass check"]?.run([], async () => ctx), 0);
    } finally {
      errors.mock.restore();
      logs.mock.restore();
    }
  });

  test("past the last date: unhanded booklets cancelled (410); past the grace period: expired (410)", async () => {
    const ctx: AppContext = { ...server.ctx, database: { ...server.ctx.database, close: async () => {} } };
    const logs = mock.method(console, "log", () => {});
    try {
      assert.equal(await passCommands["pass expire"]?.run([], async () => ctx), 0);
      assert.match(
        logs.mock.calls.map((c) => String(c.arguments[0])).join("\n"),
        /Avoir au financeur du programme \d+ : 2 carnet\(s\), 100\u00a0€/,
      );
      const cancelled = await call(
        "mediateur",
        "POST",
        `/api/v1/pass/cheques/${booklets[1]?.cheques[0]}/encaissement`,
        {},
      );
      assert.equal(cancelled.status, 410);
      assert.equal(cancelled.json.erreur, "annule");
      // In the grace period, a workshop of December is paid.
      const late = await call(
        "mediateur",
        "POST",
        `/api/v1/pass/cheques/${booklets[0]?.cheques[1]}/encaissement`,
        { date_atelier: "2026-12-30" },
      );
      assert.equal(late.status, 200, JSON.stringify(late.json));
      const afterEnd = await call(
        "mediateur",
        "POST",
        `/api/v1/pass/cheques/${booklets[0]?.cheques[2]}/encaissement`,
        { date_atelier: "2027-01-02" },
      );
      assert.equal(afterEnd.status, 422);
      instant = Date.parse("2027-03-01T08:00:00Z");
      assert.equal(await passCommands["pass expire"]?.run([], async () => ctx), 0);
      const expired = await call(
        "mediateur",
        "POST",
        `/api/v1/pass/cheques/${booklets[0]?.cheques[2]}/encaissement`,
        { date_atelier: "2026-12-30" },
      );
      assert.equal(expired.status, 410);
      assert.equal(expired.json.erreur, "expire");
      assert.equal(await passCommands["pass check"]?.run([], async () => ctx), 0);
    } finally {
      logs.mock.restore();
      instant = Date.parse("2026-12-02T09:00:00Z");
    }
  });
});

describe("the pass numérique pages without JavaScript", () => {
  test("bad input on the pages: a fractional amount, a typo in a code, each said in French, nothing written", async () => {
    const c = new PersonClient(
      () => server.url,
      () => (instant += 30_000),
    );
    await c.login("pass.financeur@example.org");
    await c.get("/pass/programmes/nouveau");
    const before = await sql<{ n: string }>`SELECT count(*) AS n FROM pass_programme`.execute(db());
    const r = await c.post("/pass/programmes/nouveau", {
      nom: "Programme de la page (essai)",
      territoire: "23",
      publics: ["seniors"],
      valeur: "10,505",
      carnet: "10",
      validite: "12",
      date_limite: "2027-12-31",
      grace: "59",
      budget: "-100",
      lieux: [String(ids.lieu)],
    });
    assert.equal(r.status, 400);
    assert.match(r.text, /La valeur d'un chèque est un montant en euros, positif, d'au plus deux décimales/);
    assert.match(r.text, /Le budget est un montant en euros, positif/);
    assert.match(r.text, /value="Programme de la page \(essai\)"/, "what was typed is kept");
    const after = await sql<{ n: string }>`SELECT count(*) AS n FROM pass_programme`.execute(db());
    assert.equal(after.rows[0]?.n, before.rows[0]?.n);
    const m = new PersonClient(
      () => server.url,
      () => (instant += 30_000),
    );
    await m.login("pass.mediateur@example.org");
    const typo = await m.get("/pass/encaisser?code=23456789AA");
    assert.ok(typo.status === 422 || typo.status === 404, String(typo.status));
    const bad = await m.get("/pass/encaisser?code=O0O0-O0O0-O0");
    assert.equal(bad.status, 422);
    assert.match(bad.text, /Le caractère « O » n'existe pas dans les codes des chèques/);
  });
});

describe("the whole journey by forms, without JavaScript", () => {
  const person = (email: string) => {
    const c = new PersonClient(
      () => server.url,
      () => (instant += 30_000),
    );
    return c.login(email).then(() => c);
  };

  test("programme, order, allocation, handing, redemption by typed code: each page a plain form", async () => {
    const f = await person("pass.financeur@example.org");
    await f.get("/pass/programmes/nouveau");
    const created = await f.post("/pass/programmes/nouveau", {
      nom: "Programme par formulaires (essai)",
      territoire: "23",
      publics: ["seniors", "demandeurs-emploi"],
      valeur: "10",
      carnet: "10",
      validite: "12",
      date_limite: "2027-12-31",
      grace: "59",
      budget: "1 000",
      lieux: [String(ids.lieu)],
    });
    assert.equal(created.status, 303, created.text.slice(0, 300));
    const programmeUrl = (created.location as string).replace(/\?.*$/, "");
    await f.get(programmeUrl);
    const ordered = await f.post(`${programmeUrl}/carnets`, { nombre: "2" });
    assert.equal(ordered.status, 200);
    assert.match(ordered.text, /2 carnet\(s\) commandé\(s\)/);
    const tooMany = await f.post(`${programmeUrl}/carnets`, { nombre: "9" });
    assert.equal(tooMany.status, 409, "the budget of 1 000 € allows 10 booklets of 100 €, 2 ordered");
    assert.match(tooMany.text, /permet 8 carnet\(s\)/);

    const c = await person("pass.coordinateur@example.org");
    await c.get(programmeUrl);
    const allocated = await c.post(`${programmeUrl}/attribution`, {
      organisation: String(ids.ccas),
      carnets: "1",
    });
    assert.match(allocated.text, /1 carnet\(s\) attribué\(s\) à CCAS de Guéret \(essai\)/);
    const outside = await person("pass.coordinateurcorreze@example.org");
    await outside.get("/pass");
    const refused = await outside.post(`${programmeUrl}/attribution`, {
      organisation: String(ids.ccas),
      carnets: "1",
    });
    assert.equal(refused.status, 403);

    const p = await person("pass.prescripteur@example.org");
    const list = await p.get("/pass/remettre");
    const serial = /href="\/pass\/carnets\/(P\d+-\d+)"/.exec(list.text)?.[1] as string;
    assert.ok(serial, "the allocated booklet is listed");
    await p.get(`/pass/carnets/${serial}`);
    const unknownCommune = await p.post(`/pass/carnets/${serial}/remise`, {
      commune: "Nulle-Part-sur-Rien",
      tranche: "",
      beneficiaire: "",
      diagnostic: "",
    });
    assert.equal(unknownCommune.status, 400);
    assert.match(unknownCommune.text, /Nous ne trouvons pas la commune « Nulle-Part-sur-Rien »/);
    const postcode = await p.post(`/pass/carnets/${serial}/remise`, {
      commune: "23000",
      tranche: "",
      beneficiaire: "",
      diagnostic: "",
    });
    assert.equal(postcode.status, 400);
    assert.match(postcode.text, /Plusieurs communes correspondent à « 23000 » : [^.]*Guéret/);
    const handed = await p.post(`/pass/carnets/${serial}/remise`, {
      commune: "Guéret",
      tranche: "60-74",
      beneficiaire: "D-2026-118",
      diagnostic: "",
    });
    assert.equal(
      handed.status,
      303,
      [...handed.text.matchAll(/class="error"[^>]*>([^<]*)/g)].map((x) => x[1]).join(" / "),
    );
    const twice = await p.post(`/pass/carnets/${serial}/remise`, {
      commune: "Guéret",
      tranche: "",
      beneficiaire: "",
      diagnostic: "",
    });
    assert.equal(twice.status, 409);
    assert.match(twice.text, /déjà été remis : un carnet ne se remet qu'une fois/);

    const { rows } = await sql<{
      code: string;
    }>`SELECT code FROM pass_cheque WHERE serial = ${serial} ORDER BY rank LIMIT 1`.execute(db());
    const code = rows[0]?.code as string;
    const m = await person("pass.mediateur@example.org");
    const shown = await m.get(`/pass/encaisser?code=${code.slice(0, 4)}-${code.slice(4)}`);
    assert.equal(shown.status, 200);
    assert.match(shown.text, /remis à un bénéficiaire, utilisable/);
    const redeemed = await m.post(`/pass/encaisser/${code}`, { atelier: "", duree: "120" });
    assert.equal(redeemed.status, 303);
    const again = await m.post(`/pass/encaisser/${code}`, { atelier: "", duree: "60" });
    assert.equal(again.status, 409);
    assert.match(again.text, /déjà été encaissé/);
    const dashboard = await f.get(programmeUrl);
    assert.match(dashboard.text, /Chèques encaissés : 1 \(10\u00a0€\)/);
    const csv = await f.get(`${programmeUrl}/export.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.text, /chèques encaissés;;1/);
    const xlsx = await fetch(`${server.url}${programmeUrl}/export.xlsx`, {
      headers: { cookie: [...f.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    assert.equal(xlsx.status, 200);
    assert.equal(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
      "PK",
      "a zip: the XLSX container",
    );
  });
});
