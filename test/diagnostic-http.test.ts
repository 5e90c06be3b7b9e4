import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { listJournal } from "../src/accounts/store.ts";
import { SKIP } from "../src/diagnostic/model.ts";
import { QUESTIONNAIRE } from "../src/diagnostic/questionnaire.ts";
import { SECRET_FILE } from "../src/diagnostic/secret.ts";
import { signToken, type TokenState } from "../src/diagnostic/token.ts";
import { professionalToken } from "./support/accounts.ts";
import { startTestServer } from "./support/server.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
let secret: Buffer;
before(async () => {
  server = await startTestServer();
  bearer = await professionalToken(server.ctx.database.db, server.ctx.clock);
  secret = process.env.MAILLAGE_SECRET
    ? Buffer.from(process.env.MAILLAGE_SECRET)
    : readFileSync(join(server.ctx.config.dataDir, SECRET_FILE));
});
after(() => server.close());

const GUERET = "23096";
const ADMIN = "Aide aux démarches administratives";
const get = (path: string) => fetch(server.url + path, { redirect: "manual" });
const postForm = (path: string, fields: [string, string][]) =>
  fetch(server.url + path, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
/** A professional's token: with it, an API submission counts in the statistics. */
let bearer = "";
const postJson = (path: string, body: unknown, opts: { anonymous?: boolean } = {}) =>
  fetch(server.url + path, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(opts.anonymous ? {} : { authorization: `Bearer ${bearer}` }),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const count = async () =>
  Number(
    (
      await sql<{ n: string }>`SELECT count(*)::text AS n FROM diagnostic_response`.execute(
        server.ctx.database.db,
      )
    ).rows[0]?.n,
  );
const tokenOf = (location: string | null) => new URL(location ?? "", server.url).searchParams.get("t") ?? "";
const token = (over: Partial<TokenState> = {}) =>
  signToken(
    { v: QUESTIONNAIRE.version, m: "seul", c: GUERET, a: {}, i: Date.now(), n: "test", ...over },
    secret,
  );

const URGENT = {
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

describe("diagnostic API", () => {
  test("GET /api/v1/diagnostic/questions: the current version, every question with its skip answer", async () => {
    const res = await get("/api/v1/diagnostic/questions");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.version, QUESTIONNAIRE.version);
    assert.equal(body.questions.length, QUESTIONNAIRE.questions.length);
    for (const q of body.questions) assert.equal(q.reponses.at(-1).id, SKIP);
  });

  test("POST /api/v1/diagnostic: profile, urgency, barriers, level, services and real places near the commune", async () => {
    const before = await count();
    const res = await postJson("/api/v1/diagnostic", {
      commune: GUERET,
      mode: "accompagne",
      reponses: URGENT,
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(
      [body.profil, body.urgence, body.niveau, body.freins, body.services[0], body.dispositifs],
      ["eloigne", true, "urgence", ["lecture", "vue", "peur"], ADMIN, ["Aidants Connect", "France Services"]],
    );
    assert.deepEqual(body.commune, { code: GUERET, nom: "Guéret" });
    assert.ok(body.lieux.length > 0 && body.lieux.length <= 5);
    for (const p of body.lieux) {
      assert.ok(p.services.includes(ADMIN), p.nom);
      assert.ok(p.distanceKm < 30, `${p.nom} ${p.distanceKm}`);
      assert.match(p.url, /^\/lieux\//);
    }
    assert.match(body.rechercheLieux, /^\/trouver\?/);
    // Handed to the finder, prefilled.
    assert.equal((await get(body.rechercheLieux)).status, 200);
    assert.equal(await count(), before + 1);
    assert.equal(body.compteDansLesStatistiques, true);
    // Recorded by a professional: journaled (who, for which organisation; the département, not the commune).
    const { entries: items } = await listJournal(server.ctx.database.db, {
      action: "diagnostic.enregistrer",
      limit: 5,
      offset: 0,
    });
    assert.equal(items.length, 1);
    assert.equal(items[0]?.role, "prescripteur");
    assert.equal(items[0]?.territoryId, "23");
    assert.notEqual(items[0]?.personId, null);
  });

  test("without a professional's token (or with a revoked one), the result is given but not counted", async () => {
    const before = await count();
    const anonymous = await postJson(
      "/api/v1/diagnostic",
      { commune: GUERET, reponses: URGENT },
      { anonymous: true },
    );
    assert.equal(anonymous.status, 200);
    const body = await anonymous.json();
    assert.equal(body.profil, "eloigne");
    assert.equal(body.compteDansLesStatistiques, false);
    const forged = await fetch(`${server.url}/api/v1/diagnostic`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer pas-un-jeton" },
      body: JSON.stringify({ commune: GUERET, reponses: URGENT }),
    });
    assert.equal((await forged.json()).compteDansLesStatistiques, false);
    assert.equal(await count(), before);
  });

  test("bad input: clear French problems, never a 500", async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ commune: "99999", reponses: {} }, 400, /aucune commune n'a le code INSEE « 99999 »/],
      [{ commune: "abc", reponses: {} }, 400, /code INSEE de 5 caractères/],
      [{ commune: GUERET, mode: "robot", reponses: {} }, 400, /mode : « seul » ou « accompagne »/],
      [{ commune: GUERET, reponses: { demarche: "toujours" } }, 400, /réponse inconnue « toujours »/],
      [{ commune: GUERET, reponses: { inconnue: "oui" } }, 400, /la question « inconnue » n'existe pas/],
      [{ commune: GUERET, reponses: { genes: ["vue", SKIP] } }, 400, /ne peut pas être coché/],
      [{ commune: GUERET, reponses: [] }, 400, /reponses/],
      [{ commune: GUERET, version: "2020-01-1.00000000", reponses: {} }, 409, /Le questionnaire a changé/],
      ["{not json", 400, /./],
    ];
    for (const [body, status, detail] of cases) {
      const res = await postJson("/api/v1/diagnostic", body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/);
      assert.match((await res.json()).detail, detail);
    }
  });
});

describe("diagnostic pages without JavaScript (plain HTTP forms)", () => {
  test("start, answer every question, result with places; counted once", async () => {
    let res = await postForm("/diagnostic/commencer", [
      ["commune", "Guéret"],
      ["mode", "seul"],
    ]);
    assert.equal(res.status, 303);
    assert.match(res.headers.get("location") ?? "", /^\/diagnostic\/question\/1\?t=/);
    let t = tokenOf(res.headers.get("location"));
    const before = await count();
    const questions = QUESTIONNAIRE.questions;
    for (const [i, q] of questions.entries()) {
      const page = await get(`/diagnostic/question/${i + 1}?t=${encodeURIComponent(t)}`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.ok(html.includes(q.text), q.id);
      // Epicene wording (no « seul·e »); the way back is a plain link apart from the button that goes on.
      assert.doesNotMatch(html, /\p{L}·\p{L}/u, q.id);
      assert.match(
        html,
        /<\/form><p class="diag-back-line"><a class="diag-back" href="[^"]+"><span aria-hidden="true">← <\/span>Revenir en arrière<\/a><\/p>/,
      );
      assert.match(html, new RegExp(`Question ${i + 1} sur ${questions.length}`));
      const answer = URGENT[q.id as keyof typeof URGENT];
      const fields: [string, string][] = [
        ["t", t],
        ...[answer].flat().map((a): [string, string] => ["reponse", a]),
      ];
      res = await postForm(`/diagnostic/question/${i + 1}`, fields);
      assert.equal(res.status, 303, q.id);
      t = tokenOf(res.headers.get("location"));
      if (i < questions.length - 1)
        assert.match(res.headers.get("location") ?? "", new RegExp(`/question/${i + 2}\\?`));
      else assert.match(res.headers.get("location") ?? "", /^\/diagnostic\/resultat\?t=/);
    }
    assert.equal(await count(), before + 1);
    const result = await get(`/diagnostic/resultat?t=${encodeURIComponent(t)}`);
    assert.equal(result.status, 200);
    const html = await result.text();
    for (const heading of [
      "Votre démarche est urgente",
      "Ce que vous savez déjà faire",
      "Ce qui peut vous aider",
      "Où aller",
    ])
      assert.ok(html.includes(heading), heading);
    assert.match(html, /<ol class="diag-places"><li><a href="\/lieux\//);
    // What the person can already do, from the answers: alone, with help, what they have.
    const already = html.slice(
      html.indexOf("Ce que vous savez déjà faire"),
      html.indexOf("Ce qui peut vous aider"),
    );
    for (const line of [
      "<li>Vous savez envoyer des messages et faire des appels vidéo.</li>",
      "<li>Vous savez utiliser votre téléphone ou votre ordinateur, avec de l'aide.</li>",
      "<li>Vous avez un téléphone qui va sur internet.</li>",
      "<li>Vous avez internet.</li>",
    ])
      assert.ok(already.includes(line), line);
    // Phones are read in pairs and dialled when tapped.
    const phones = [...html.matchAll(/Téléphone : (<a[^>]*>[^<]*<\/a>)/g)].map((m) => m[1]);
    assert.ok(phones.length > 0);
    for (const a of phones)
      assert.match(a ?? "", /^<a class="tel" href="tel:\+\d{9,12}">0\d( \d\d){4}<\/a>$/);
    assert.doesNotMatch(html, /\p{L}·\p{L}/u);
    // Answering the last question again (back, then forward) does not count the person twice.
    res = await postForm(`/diagnostic/question/${questions.length}`, [
      ["t", t],
      ["reponse", "oui"],
    ]);
    assert.equal(res.status, 303);
    assert.equal(await count(), before + 1);
    const sheet = await get(`/diagnostic/fiche?t=${encodeURIComponent(t)}`);
    assert.equal(sheet.status, 200);
    assert.match(await sheet.text(), /Votre fiche/);
  });

  test("back keeps the answer; no answer or an impossible one is explained on the same question", async () => {
    const t = token({ a: { equipement: "aucun" } });
    const back = await (await get(`/diagnostic/question/1?t=${encodeURIComponent(t)}`)).text();
    assert.match(back, /value="aucun" checked/);
    let res = await postForm("/diagnostic/question/2", [["t", t]]);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Choisissez une réponse/);
    res = await postForm("/diagnostic/question/2", [
      ["t", t],
      ["reponse", "peut-etre"],
    ]);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Cette réponse n'existe pas/);
    // Jumping ahead to a question not yet reached goes back to the first unanswered one.
    res = await get(`/diagnostic/question/9?t=${encodeURIComponent(t)}`);
    assert.equal(res.status, 303);
    assert.match(res.headers.get("location") ?? "", /\/question\/2\?/);
    res = await get(`/diagnostic/question/99?t=${encodeURIComponent(t)}`);
    assert.equal(res.status, 404);
    // The result of an unfinished questionnaire sends back to the questions.
    res = await get(`/diagnostic/resultat?t=${encodeURIComponent(t)}`);
    assert.equal(res.status, 303);
  });

  test("tampered, expired, changed version, unknown commune: a French message and a way out", async () => {
    const good = token();
    const [body, sig] = good.split(".") as [string, string];
    const forged = `${Buffer.from(JSON.stringify({ v: QUESTIONNAIRE.version, m: "seul", c: "75056", a: {}, i: Date.now(), n: "x" })).toString("base64url")}.${sig}`;
    const cases: [string, number, RegExp][] = [
      [forged, 400, /a été modifié/],
      [`${body}.${sig.slice(0, -3)}abc`, 400, /a été modifié/],
      ["n-importe-quoi", 400, /incomplet ou abîmé/],
      ["", 400, /incomplet ou abîmé/],
      [token({ i: Date.now() - 3 * 3600 * 1000 }), 400, /plus de deux heures/],
      [
        token({ v: "2020-01-1.00000000", a: { equipement: "aucun", ancienne: "oui" } }),
        409,
        /a été modifié pendant que vous répondiez/,
      ],
      [token({ c: "99999" }), 400, /n'existe plus/],
      [token({ a: { demarche: "toujours" } }), 400, /ne correspondent pas/],
    ];
    for (const [t, status, message] of cases) {
      for (const path of [
        `/diagnostic/question/1?t=${encodeURIComponent(t)}`,
        `/diagnostic/resultat?t=${encodeURIComponent(t)}`,
      ]) {
        const res = await get(path);
        assert.equal(res.status, status, path);
        const html = await res.text();
        assert.match(html, message, path);
        assert.match(html, /Recommencer le questionnaire/);
      }
    }
    // A changed version can be resumed: the answers that still exist are kept.
    const old = token({ v: "2020-01-1.00000000", a: { equipement: "aucun", ancienne: "oui" } });
    const page = await (await get(`/diagnostic/question/1?t=${encodeURIComponent(old)}`)).text();
    assert.match(page, /Reprendre avec mes réponses/);
    const res = await postForm("/diagnostic/reprendre", [["t", old]]);
    assert.equal(res.status, 303);
    assert.match(res.headers.get("location") ?? "", /\/question\/2\?/);
    const resumed = await get(res.headers.get("location") ?? "");
    assert.equal(resumed.status, 200);
    assert.equal((await postForm("/diagnostic/reprendre", [["t", forged]])).status, 400);
  });

  test("odd requests get a French page, never a 500", async () => {
    const t = token();
    const cases: [Promise<Response>, number][] = [
      [
        postForm("/diagnostic/question/abc", [
          ["t", t],
          ["reponse", "oui"],
        ]),
        303,
      ],
      [
        postForm("/diagnostic/question/1", [
          ["t", t],
          ...Array.from({ length: 30 }, (): [string, string] => ["reponse", "aucun"]),
        ]),
        400,
      ],
      [postForm("/diagnostic/question/1", [["reponse", "aucun"]]), 400],
      [get(`/diagnostic/question/1?t=${encodeURIComponent(t)}&t=autre`), 400],
      [get("/diagnostic/resultat"), 400],
      [postForm("/diagnostic/reprendre", []), 400],
      [
        postForm("/diagnostic/commencer", [
          ["commune", "x".repeat(5000)],
          ["mode", "seul"],
        ]),
        400,
      ],
      [fetch(`${server.url}/diagnostic/commencer`, { method: "POST", redirect: "manual" }), 400],
    ];
    for (const [res, status] of cases) {
      const r = await res;
      assert.equal(r.status, status, r.url);
      if (status !== 303) assert.match(await r.text(), /lang="fr"/);
    }
  });

  test("the start form: unknown commune, several communes, no mode", async () => {
    let res = await postForm("/diagnostic/commencer", [
      ["commune", "Zzyzxville"],
      ["mode", "seul"],
    ]);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Nous ne trouvons pas la commune « Zzyzxville »/);
    res = await postForm("/diagnostic/commencer", [
      ["commune", "23000"],
      ["mode", "accompagne"],
    ]);
    const html = await res.text();
    assert.ok(res.status === 303 || /Plusieurs communes correspondent/.test(html), String(res.status));
    res = await postForm("/diagnostic/commencer", [["commune", "Guéret"]]);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Choisissez qui répond/);
  });
});

describe("the commune of the start form", () => {
  test("a name of several communes asks « Laquelle ? » with each département, none chosen in advance", async () => {
    const res = await postForm("/diagnostic/commencer", [
      ["commune", "Saint-Martin"],
      ["mode", "seul"],
    ]);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /Plusieurs communes correspondent à « Saint-Martin ». Laquelle \?/);
    const radios = [...html.matchAll(/<input type="radio" name="commune" value="([^"]+)"[^>]*>/g)];
    assert.deepEqual(
      radios.map((m) => m[1]),
      ["67426", "32389", "65392", "Saint-Martin (Meurthe-et-Moselle)"],
    );
    assert.ok(
      radios.every((m) => !/checked/.test(m[0] ?? "")),
      "no commune is picked in advance",
    );
    assert.match(html, /Saint-Martin \(Gers\)<span class="hint"> commune · Gers \(32\)/);
    // The choice, and the name with its département, both start the questionnaire.
    for (const commune of ["32389", "Saint-Martin (Gers)", "Saint-Martin (Meurthe-et-Moselle)"]) {
      const start = await postForm("/diagnostic/commencer", [
        ["commune", commune],
        ["mode", "seul"],
      ]);
      assert.equal(start.status, 303, commune);
    }
  });

  test("a link with a commune's code fills the field with its name", async () => {
    // 01090 is Châtenay's INSEE code and the postcode of six other communes.
    const html = await (await get("/diagnostic?commune=01090")).text();
    assert.match(html, /id="commune" name="commune" value="Châtenay \(Ain\)"/);
    const typed = await postForm("/diagnostic/commencer", [
      ["commune", "01090"],
      ["mode", "seul"],
    ]);
    assert.equal(typed.status, 200, "typed, 01090 is first a postcode: « Laquelle ? »");
    assert.match(await typed.text(), /value="Châtenay \(Ain\)"/);
  });

  test("statistics: an ambiguous territory asks which one", async () => {
    const res = await get("/diagnostic/statistiques?territoire=Sainte-Marie");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /Laquelle \?/);
    assert.match(html, /href="\/diagnostic\/statistiques\?territoire=97228">Sainte-Marie \(Martinique\)/);
  });
});

describe("anonymous statistics page", () => {
  test("fewer than 5 responses: no figure; then counts by profile, barriers and urgent cases", async () => {
    // La Souterraine (23176): no response yet.
    const commune = "23176";
    let html = await (await get(`/diagnostic/statistiques?territoire=${commune}`)).text();
    assert.match(html, /Moins de 5 diagnostics ont été faits ici/);
    for (let i = 0; i < 4; i++)
      assert.equal((await postJson("/api/v1/diagnostic", { commune, reponses: URGENT })).status, 200);
    html = await (await get(`/diagnostic/statistiques?territoire=${commune}`)).text();
    assert.match(html, /Moins de 5 diagnostics ont été faits ici/);
    assert.doesNotMatch(html, /<strong>4<\/strong>/);
    assert.equal(
      (await postJson("/api/v1/diagnostic", { commune, reponses: { ...URGENT, urgence: "non" } })).status,
      200,
    );
    html = await (await get(`/diagnostic/statistiques?territoire=${commune}`)).text();
    assert.match(html, /<strong>5<\/strong> diagnostics/);
    // 4 urgent out of 5: hidden (and so is its complement).
    assert.match(
      html,
      /Cas urgents : <strong>masqué \(moins de 5 ou pour protéger un autre chiffre\)<\/strong>/,
    );
    assert.doesNotMatch(html, />moins de 5</);
    assert.match(html, /lire ou écrire le français<\/th><td>5</);
    // The territory page has a section with the same suppression.
    const territoryPage = await (await get(`/territoires/${commune}`)).text();
    assert.match(
      territoryPage,
      /5 diagnostics faits ici ; cas urgents : masqué \(moins de 5 ou pour protéger un autre chiffre\)/,
    );
    assert.match(territoryPage, /href="\/diagnostic\?commune=23176"/);
    assert.match(await (await get("/territoires/75056")).text(), /Moins de 5 diagnostics faits ici/);
    // The département sees them too.
    const dep = await (await get("/diagnostic/statistiques?territoire=23")).text();
    assert.match(dep, /Diagnostics : Creuse/);
    assert.equal((await get("/diagnostic/statistiques?territoire=zzzzqqqq")).status, 404);
  });
});
