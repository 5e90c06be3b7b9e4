/**
 * Activity reports over real HTTP on the loaded database (a real place of Guéret run by the mediator's
 * organisation): the quick report without JavaScript, its replay, every bad input of the issue (a duration of 0 or
 * of 25 hours, a date in the future, a place of another organisation, an unknown thématique with the closest one
 * suggested, a workshop of 0 participants, a replayed submission), nothing half-written; the API with its
 * Idempotency-Key (same key → same 201 body, no new row; same key, another body → 422); the journey of an
 * orientation reference from a prescriber to « accueillie »; statistics that match a hand count.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { checkCharacter } from "../src/pass/code.ts";
import type { Clock } from "../src/platform/clock.ts";
import { member, organisation, PersonClient, tokenOf } from "./support/people.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

let instant = Date.parse("2026-12-02T15:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
let server: TestServer;
const db = () => server.ctx.database.db;
const ids: Record<string, number> = {};
const tokens: Record<string, string> = {};
let place = "";
const client = () =>
  new PersonClient(
    () => server.url,
    () => (instant += 30_000),
  );
const rowsOf = async () =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM activite`.execute(db())).rows[0]?.n);

async function call(who: string, method: string, path: string, body?: unknown, key?: string) {
  const res = await fetch(server.url + path, {
    method,
    headers: {
      authorization: `Bearer ${tokens[who]}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(key ? { "idempotency-key": key } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

before(async () => {
  server = await startTestServer({ clock });
  const { rows } = await sql<{
    id: string;
  }>`SELECT id FROM place WHERE commune_code = '23096' ORDER BY id LIMIT 1`.execute(db());
  place = rows[0]?.id as string;
  ids.lieu = await organisation(db(), clock, {
    name: "Espace numérique de Guéret (essai)",
    kind: "lieu-de-mediation",
    territoryId: "23096",
    placeIds: [place],
  });
  ids.ccas = await organisation(db(), clock, {
    name: "CCAS de Guéret (essai)",
    kind: "ccas",
    territoryId: "23096",
  });
  ids.creuse = await organisation(db(), clock, {
    name: "Coordination Creuse (essai)",
    kind: "collectivite",
    territoryId: "23",
  });
  await member(db(), clock, "mediation.activites@example.org", ids.lieu, "mediateur");
  await member(db(), clock, "prescription.activites@example.org", ids.ccas, "prescripteur");
  await member(db(), clock, "coordination.activites@example.org", ids.creuse, "coordinateur");
  tokens.mediateur = await tokenOf(db(), clock, "mediation.activites@example.org");
  tokens.coordinateur = await tokenOf(db(), clock, "coordination.activites@example.org");
});
after(() => server?.close());

/** The quick form's fields as the page gives them, with what the mediator ticks. */
const quick = (html: string, over: Record<string, string | string[]> = {}) => ({
  cle: /name="cle" value="([^"]+)"/.exec(html)?.[1] ?? "",
  type: "individuel",
  date: "02/12/2026",
  duree: "45",
  lieu: "lieu_activite",
  lieu_activite: place,
  thematiques: ["aide_aux_demarches_administratives", "social_sante"],
  autonomie: "partiellement_autonome",
  tranche_age: "soixante_dix_plus",
  ...over,
});

describe("activity reports, without JavaScript", () => {
  test("the quick report is recorded once; its replay says so and adds nothing", async () => {
    const c = client();
    await c.login("mediation.activites@example.org");
    const home = await c.get("/activites");
    assert.equal(home.status, 200);
    const form = quick(home.text);
    const saved = await c.post("/activites", form);
    assert.equal(saved.status, 303);
    assert.match(saved.location ?? "", /^\/activites\?enregistre=\d+$/);
    assert.equal(await rowsOf(), 1);
    const replay = await c.post("/activites", form);
    assert.equal(replay.status, 303);
    assert.match(replay.location ?? "", /deja=1$/);
    assert.equal(await rowsOf(), 1);
    // The next form starts from the last choices (duration, place) with a new key.
    const next = await c.get("/activites");
    assert.match(next.text, /id="duree-45" type="radio" name="duree" value="45" checked/);
    assert.notEqual(/name="cle" value="([^"]+)"/.exec(next.text)?.[1], form.cle);
    assert.match(next.text, /Aide aux démarches administratives/);
  });

  test("bad input: each said in French on the form, what was typed kept, nothing written", async () => {
    const c = client();
    await c.login("mediation.activites@example.org");
    const home = await c.get("/activites");
    const before = await rowsOf();
    const cases: [Record<string, string | string[]>, RegExp][] = [
      [{ duree: "0" }, /plus grand que 0/],
      [{ duree: "", duree_autre: "1500" }, /24 heures au plus/],
      [{ date: "03/12/2026" }, /dans le futur/],
      [{ lieu_activite: "lieu-d-une-autre-organisation" }, /pas un des lieux de votre organisation/],
      [{ thematiques: ["emial"] }, /Vouliez-vous dire « email »/],
      [{ type: "collectif", titre: "Atelier tablette", participants: "0" }, /au moins 1 participant/],
    ];
    for (const [over, message] of cases) {
      const r = await c.post("/activites", quick(home.text, over));
      assert.equal(r.status, 400, JSON.stringify(over));
      assert.match(r.text, message);
    }
    assert.equal(await rowsOf(), before);
  });
});

describe("the API with an Idempotency-Key", () => {
  const body = {
    type: "individuel",
    date: "2026-12-01",
    duree_minutes: 30,
    lieu: "domicile",
    commune: "23096",
    thematiques: ["email", "securite_numerique"],
    autonomie: "autonome",
  };

  test("the same key twice: the same 201 body, one row; the same key with another body: 422", async () => {
    const before = await rowsOf();
    const first = await call("mediateur", "POST", "/api/v1/activites", body, "api-cle-0001-essai");
    assert.equal(first.status, 201, JSON.stringify(first.json));
    const again = await call("mediateur", "POST", "/api/v1/activites", body, "api-cle-0001-essai");
    assert.equal(again.status, 201);
    assert.deepEqual(again.json, first.json);
    assert.equal(await rowsOf(), before + 1);
    const other = await call(
      "mediateur",
      "POST",
      "/api/v1/activites",
      { ...body, duree_minutes: 31 },
      "api-cle-0001-essai",
    );
    assert.equal(other.status, 422);
    assert.equal(await rowsOf(), before + 1);
    const noKey = await call("mediateur", "POST", "/api/v1/activites", body);
    assert.equal(noKey.status, 400);
    const bad = await call(
      "mediateur",
      "POST",
      "/api/v1/activites",
      { ...body, duree_minutes: 0, thematiques: ["emial"] },
      "api-cle-0002-essai",
    );
    assert.equal(bad.status, 422);
    assert.match(String((bad.json.champs as Record<string, string>).thematiques), /email/);
    const list = await call("mediateur", "GET", "/api/v1/activites?limit=10");
    assert.equal(list.status, 200);
    assert.equal(list.json.total, before + 1);
  });
});

describe("from an orientation to « accueillie »", () => {
  test("a prescriber hands a reference; the place records it; the prescriber sees « accueillie le … »", async () => {
    const p = client();
    await p.login("prescription.activites@example.org");
    await p.get("/orientations");
    const created = await p.post("/orientations", { commune: "23096" });
    assert.equal(created.status, 303);
    const sheet = await p.get(created.location as string);
    const code = (/class="pass-code">([^<]+)</.exec(sheet.text)?.[1] ?? "").replaceAll("-", "");
    assert.equal(code.length, 10);
    assert.match((await p.get("/orientations")).text, /pas encore/);
    const m = client();
    await m.login("mediation.activites@example.org");
    const home = await m.get("/activites");
    // A well-formed reference (its check character right) that no prescriber handed.
    const unknown = `23456789A${checkCharacter("23456789A")}`;
    const wrong = await m.post("/activites", quick(home.text, { orientation: unknown }));
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /Aucune fiche d(&#x27;|')orientation n(&#x27;|')a cette référence/);
    const ok = await m.post("/activites", quick(home.text, { orientation: code.toLowerCase() }));
    assert.equal(ok.status, 303);
    const list = await p.get("/orientations");
    assert.match(list.text, /accueillie le 2 décembre 2026 \(Espace numérique de Guéret \(essai\)\)/);
    assert.match(list.text, /1 personne orientée, dont 1 accueillie/);
  });
});

describe("statistics", () => {
  test("the mediator's own figures match a hand count; the territory's are protected", async () => {
    const m = client();
    await m.login("mediation.activites@example.org");
    const mine = await m.get("/activites/statistiques?perimetre=moi&de=2026-12-01&a=2026-12-31");
    assert.equal(mine.status, 200);
    // By hand: the quick report, the API one, the one with the reference: 3 reports, 3 people, all individual.
    assert.match(mine.text, /Comptes rendus : 3</);
    assert.match(mine.text, /Accompagnement individuel<\/th><td>3</);
    assert.match(mine.text, /Aide aux démarches administratives<\/th><td>2</);
    assert.match(mine.text, /E-mail<\/th><td>1</);
    const csv = await m.get("/activites/statistiques.csv?perimetre=moi&de=2026-12-01&a=2026-12-31");
    assert.match(csv.text, /comptes rendus;;3/);
    const api = await call(
      "coordinateur",
      "GET",
      "/api/v1/activites/statistiques?territoire=23&de=2026-12-01&a=2026-12-31",
    );
    assert.equal(api.status, 200);
    // 3 reports of one organisation: too few (and all one organisation's) to show anything beyond it.
    assert.equal(api.json.suffisant, false);
    assert.equal(api.json.comptes_rendus, null);
  });
});

describe("importing La Coop's export", () => {
  /** La Coop's export: lines about the export, a blank line, then the table (its real column names). */
  const HEADER = [
    "Date",
    "Type",
    "Nombre de participants",
    "Bénéficiaire",
    "Canaux d’accompagnement",
    "Lieu",
    "Durée (min)",
    "Nom de l’atelier",
    "Matériel numérique utilisé",
    "Thématique(s) d’accompagnement",
    "Tags",
    "Nom de la démarche administrative",
    "Niveau d’autonomie (ou de l’atelier)",
    "Bénéficiaire réorienté",
    "Structure de redirection",
    "Commune de résidence du bénéficiaire",
    "Genre du bénéficiaire",
    "Tranche d’âge du bénéficiaire",
    "Statut du bénéficiaire",
    "Notes supplémentaires",
  ];
  // Fictitious people and activities, in La Coop's labels; Guéret's postcode and name are real.
  const ROWS: (string | number | Date)[][] = [
    [
      new Date("2026-11-03T00:00:00Z"),
      "Accompagnement individuel",
      1,
      "Camille Exemple",
      "À domicile",
      "23000 Guéret",
      45,
      "",
      "Téléphone",
      "E-mail\nSanté",
      "",
      "",
      "2/3",
      "Non",
      "",
      "23000 Guéret",
      "Féminin",
      "70 ans et plus",
      "Retraité",
      "",
    ],
    [
      new Date("2026-11-05T00:00:00Z"),
      "Atelier collectif",
      6,
      "Anonyme",
      "Autre lieu",
      "23000 Guéret",
      120,
      "Découvrir la tablette",
      "Tablette",
      "Prendre en main du matériel",
      "",
      "",
      "1/3",
      "",
      "",
      "",
      "",
      "",
      "",
      "",
    ],
    [
      new Date("2026-11-06T00:00:00Z"),
      "Réunion",
      1,
      "",
      "",
      "",
      30,
      "",
      "",
      "",
      "",
      "",
      "",
      "",
      "",
      "",
      "",
      "",
      "",
      "",
    ],
    [
      new Date("2026-11-07T00:00:00Z"),
      "Accompagnement individuel",
      1,
      "Dominique Fictif",
      "À distance",
      "",
      0,
      "",
      "",
      "Thématique inventée",
      "",
      "",
      "",
      "",
      "",
      "99999 Nullepart",
      "",
      "",
      "",
      "",
    ],
  ];

  async function upload(c: PersonClient, name: string, data: Buffer | string, type: string) {
    await c.get("/activites/import");
    const form = new FormData();
    form.append("_csrf", c.csrf);
    form.append(
      "fichier",
      new Blob([typeof data === "string" ? data : new Uint8Array(data)], { type }),
      name,
    );
    const res = await fetch(`${server.url}/activites/import`, {
      method: "POST",
      headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
      body: form,
    });
    return { status: res.status, text: await res.text() };
  }

  test("an export is imported row by row with its report; the same file again adds nothing; another format is refused", async () => {
    const { default: writeXlsxFile } = await import("write-excel-file/node");
    const sheet = [
      [{ value: "Export des activités (essai)" }],
      [{ value: "" }],
      HEADER.map((h) => ({ value: h })),
      ...ROWS.map((r) =>
        r.map((v) => (v instanceof Date ? { value: v, type: Date, format: "dd/mm/yyyy" } : { value: v })),
      ),
    ];
    const xlsx = await writeXlsxFile(sheet as never, { sheet: "Activités" }).toBuffer();
    const c = client();
    await c.login("mediation.activites@example.org");
    const before = await rowsOf();
    const r = await upload(
      c,
      "export-coop.xlsx",
      xlsx,
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.match(r.text, /Comptes rendus importés : 2</);
    assert.match(r.text, /Lignes refusées : 2</);
    assert.match(r.text, /Type « Réunion » inconnu/);
    assert.match(r.text, /plus grand que 0/);
    assert.equal(await rowsOf(), before + 2);
    const [workshop] = (
      await sql<{
        participants: number;
        niveau: string;
        titre: string;
      }>`SELECT participants, niveau, titre FROM activite WHERE type = 'collectif'`.execute(db())
    ).rows;
    assert.deepEqual(workshop, { participants: 6, niveau: "debutant", titre: "Découvrir la tablette" });
    const [individual] = (
      await sql<{
        thematiques: string[];
        autonomie: string;
        beneficiaire_commune: string;
        tranche_age: string;
      }>`SELECT thematiques, autonomie, beneficiaire_commune, tranche_age FROM activite WHERE date = '2026-11-03'`.execute(
        db(),
      )
    ).rows;
    assert.deepEqual(individual, {
      thematiques: ["email", "sante"],
      autonomie: "partiellement_autonome",
      beneficiaire_commune: "23096",
      tranche_age: "soixante_dix_plus",
    });
    // No name was kept anywhere.
    const names = await sql<{
      n: string;
    }>`SELECT count(*) AS n FROM activite WHERE notes LIKE '%Camille%' OR notes LIKE '%Exemple%'`.execute(
      db(),
    );
    assert.equal(Number(names.rows[0]?.n), 0);
    const again = await upload(
      c,
      "export-coop.xlsx",
      xlsx,
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    assert.match(
      again.text,
      /Déjà importés \(le même fichier, ou une ligne identique d(&#x27;|')un autre\) : 2</,
    );
    assert.equal(await rowsOf(), before + 2);
    const png = await upload(c, "photo.xlsx", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), "image/png");
    assert.equal(png.status, 400);
    assert.match(png.text, /ni un tableur XLSX ni un fichier CSV lisible/);
    const other = await upload(c, "lieux.csv", "nom;adresse\nMédiathèque;Guéret\n", "text/csv");
    assert.equal(other.status, 400);
    assert.match(other.text, /pas un export des activités de La Coop/);
    assert.equal(await rowsOf(), before + 2);
  });
});

describe("named follow-up files", () => {
  test("opened only with consent, linked to reports, merged, purged two years after the last report", async () => {
    const c = client();
    await c.login("mediation.activites@example.org");
    await c.get("/beneficiaires");
    const refused = await c.post("/beneficiaires", { prenoms: "Alix", nom: "Fictif", annee: "1950" });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /qu(&#x27;|')avec l(&#x27;|')accord de la personne/);
    assert.equal(
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM beneficiaire`.execute(db())).rows[0]?.n),
      0,
    );
    const first = await c.post("/beneficiaires", {
      prenoms: "Alix",
      nom: "Fictif",
      annee: "1950",
      accord: "oui",
    });
    assert.equal(first.status, 303);
    const firstId = Number(/\/beneficiaires\/(\d+)/.exec(first.location ?? "")?.[1]);
    await c.get("/beneficiaires");
    const second = await c.post("/beneficiaires", { prenoms: "Alix", nom: "FICTIF", accord: "oui" });
    const secondId = Number(/\/beneficiaires\/(\d+)/.exec(second.location ?? "")?.[1]);
    // A report for each file.
    for (const id of [firstId, secondId]) {
      const home = await c.get("/activites");
      const r = await c.post(
        "/activites",
        quick(home.text, { beneficiaire: String(id), date: "01/12/2026" }),
      );
      assert.equal(r.status, 303, String(id));
    }
    // Another organisation's file number (or none): refused, nothing written.
    const home = await c.get("/activites");
    const wrong = await c.post("/activites", quick(home.text, { beneficiaire: "999999" }));
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /pas un dossier ouvert de votre organisation/);
    // The two files of the same person merged: both reports in the first.
    await c.get(`/beneficiaires/${firstId}`);
    const merged = await c.post(`/beneficiaires/${firstId}/fusion`, { autre: String(secondId) });
    assert.equal(merged.status, 303);
    const file = await c.get(merged.location as string);
    assert.match(file.text, /Les deux dossiers n(&#x27;|')en font plus qu(&#x27;|')un/);
    assert.equal((file.text.match(/href="\/activites\/\d+"/g) ?? []).length, 2);
    // Another mediator's organisation does not see it.
    const p = client();
    await p.login("prescription.activites@example.org");
    assert.equal((await p.get(`/beneficiaires/${firstId}`)).status, 403);
    // Two years and a day after the last report: purged, the reports stay, anonymous.
    const ctx = { ...server.ctx, database: { ...server.ctx.database, close: async () => {} } };
    const { accountCommandsWith } = await import("../src/accounts/cli.ts");
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: () => {}, stdin: async () => "" };
    const saved = instant;
    instant += (730 + 1) * 86_400_000;
    try {
      assert.equal(await accountCommandsWith(io)["privacy purge"]?.run(["--apply"], async () => ctx), 0);
    } finally {
      instant = saved;
    }
    assert.match(out.join("\n"), /dossiers de suivi sans compte rendu depuis plus de 730 jours .* : 2/);
    assert.equal(
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM beneficiaire`.execute(db())).rows[0]?.n),
      0,
    );
    assert.equal(
      Number(
        (
          await sql<{
            n: string;
          }>`SELECT count(*) AS n FROM activite WHERE beneficiaire_id IS NOT NULL`.execute(db())
        ).rows[0]?.n,
      ),
      0,
    );
  });
});
