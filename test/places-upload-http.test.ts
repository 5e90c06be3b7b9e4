/**
 * Imports from the browser over real HTTP (one server): a coordinator of Creuse uploads real France Services rows,
 * sees the dry run's report (errors by line and field, a Corrèze row refused as outside the territory, the places
 * that would be new), downloads every error as CSV, confirms, and the import runs in the background to its end;
 * cancel; bad input: a PNG, an empty file, a CSV of something else, a file over 200 MB streamed (memory measured),
 * a second import of a source « en cours » (the database's unique index), no CSRF token, a role without the right.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { request } from "node:http";
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
import { getUpload, isRunningConflict, moveUpload } from "../src/places/store/uploads.ts";
import { MAX_UPLOAD_BYTES, sourceOfOrganisation, uploadsFolder } from "../src/places/upload.ts";
import { ERROR_CSV_HEADER } from "../src/places/upload-errors.ts";
import type { Clock } from "../src/platform/clock.ts";
import { FormClient } from "./support/accounts.ts";
import { FILES, realText } from "./support/places.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const PASSWORD = "Tulipe-Granit-Boussole-48";
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const ORGANISATION = "Réseau d'essai de la Creuse (exemple)";
const SOURCE = sourceOfOrganisation(ORGANISATION);

let instant = Date.parse("2026-12-01T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
let server: TestServer;
const db = () => server.ctx.database.db;
const code = () =>
  new TOTP({ secret: SECRET, digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: instant });

class Client extends FormClient {
  constructor() {
    super(() => server.url);
  }

  /** Posts the upload form as a browser does: the token first, then the fields, then the file. */
  async upload(
    file: { name: string; bytes: Buffer | string },
    fields: Record<string, string> = {},
    csrf = true,
  ) {
    const form = new FormData();
    if (csrf) form.append("_csrf", this.csrf);
    form.append("source", fields.source ?? SOURCE);
    form.append("format", fields.format ?? "");
    if (fields.complet) form.append("complet", "1");
    form.append(
      "fichier",
      new Blob([typeof file.bytes === "string" ? file.bytes : new Uint8Array(file.bytes)]),
      file.name,
    );
    const res = await fetch(`${server.url}/admin/imports`, {
      method: "POST",
      headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
      body: form,
      redirect: "manual",
    });
    return { status: res.status, location: res.headers.get("location"), text: await res.text() };
  }
}

async function person(email: string, org: number, role: Role, totp: boolean) {
  const p = await createPerson(
    db(),
    { email, name: `Personne ${email.split("@")[0]}`, passwordHash: await hashPassword(PASSWORD) },
    clock.now(),
    BY_SYSTEM,
  );
  await addMembership(db(), { personId: p.id, organisationId: org, role }, clock.now(), BY_SYSTEM);
  if (totp) await setTotp(db(), p.id, SECRET, [], clock.now(), BY_SYSTEM);
}

async function signedIn(email: string, totp: boolean) {
  const c = new Client();
  await c.signIn(
    email,
    PASSWORD,
    totp
      ? () => {
          instant += 30_000;
          return code();
        }
      : undefined,
  );
  await c.get("/admin/imports");
  return c;
}

const journal = async (action: string) => (await listJournal(db(), { action, limit: 50, offset: 0 })).entries;
const keptFiles = () => readdirSync(uploadsFolder(server.ctx));
const uploadCount = async () =>
  Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM place_upload`.execute(db())).rows[0]?.n);
const idOf = (location: string | null) => Number(/\/admin\/imports\/(\d+)$/.exec(location ?? "")?.[1]);

/**
 * Real France Services rows: the 21 of Creuse, then one of Corrèze (outside the coordinator's territory). Two
 * Creuse rows are damaged on purpose: the first loses its name, the second gets a formula as its postcode.
 */
let creuseFile: string;
let coordinator: Client;

before(async () => {
  server = await startTestServer({ clock });
  const org = (
    await createOrganisation(
      db(),
      { name: ORGANISATION, kind: "association", siret: null, territoryId: "23" },
      clock.now(),
      BY_SYSTEM,
    )
  ).id;
  await person("coord23@example.org", org, "coordinateur", true);
  await person("mediatrice@example.org", org, "mediateur", false);
  const lines = (await realText(FILES.franceServices)).split(/\r?\n/);
  const creuse = lines.filter((l) => /^"\d+","23",/.test(l));
  const correze = lines.find((l) => l.startsWith('"121","19",')) as string;
  assert.equal(creuse.length, 21);
  creuse[0] = (creuse[0] as string).replace(/^("\d+","23",)"[^"]*"/, '$1""');
  creuse[1] = (creuse[1] as string).replace(/("23\d{3}",)"\d{5}"/, '$1"=1+2"');
  creuseFile = `${[lines[0], ...creuse, correze].join("\n")}\n`;
  coordinator = await signedIn("coord23@example.org", true);
});
after(() => server.close());

describe("the journey", () => {
  let first: number;

  test("upload → report: counts, every error by line and field, the places that would be new", async () => {
    const page = await coordinator.get("/admin/imports");
    assert.equal(page.status, 200);
    assert.match(page.text, /enctype="multipart\/form-data"/);
    assert.match(page.text, new RegExp(`<option value="${SOURCE}"[^>]*>${SOURCE} \\(nouvelle source\\)`));
    // A national source has places outside Creuse: not offered to its coordinator.
    assert.doesNotMatch(page.text, /france-services \(\d/);
    const r = await coordinator.upload({ name: "france-services-creuse-2024-08-01.csv", bytes: creuseFile });
    assert.equal(r.status, 303, r.text);
    first = idOf(r.location);
    const report = await coordinator.get(`/admin/imports/${first}`);
    assert.equal(report.status, 200);
    assert.match(report.text, /vérifié, à confirmer/);
    assert.match(report.text, /22 lignes lues : 19 acceptées, 3 refusées/);
    assert.match(report.text, /19 nouveaux lieux, 0 mis à jour, 0 inchangés, 0 retirés/);
    assert.match(report.text, /ligne 2, champ nom : valeur obligatoire manquante/);
    assert.match(report.text, /ligne 3, champ code_postal/);
    assert.match(
      report.text,
      /Saint-Ybard \(19248\) n&#39;est pas dans votre territoire \(Creuse\)|Saint-Ybard \(19248\) n'est pas dans votre territoire \(Creuse\)/,
    );
    assert.match(report.text, /Lieux qui seraient ajoutés \(19\)/);
    assert.match(
      report.text,
      /France services Bénévent|France services La Poste de Bénévent-l&#39;Abbaye|Bénévent/,
    );
    // Nothing was written: a dry run.
    const records = await sql<{
      n: string;
    }>`SELECT count(*)::text AS n FROM place_record WHERE source = ${SOURCE}`.execute(db());
    assert.equal(records.rows[0]?.n, "0");
    assert.equal(keptFiles().length, 1);
    const deposited = (await journal("import.deposer"))[0];
    assert.equal(deposited?.target, `import:${first}`);
    assert.equal(((deposited?.details ?? {}) as { erreurs: number }).erreurs, 3);
  });

  test("every error downloads as CSV, formulas neutralised", async () => {
    const csv = await coordinator.get(`/admin/imports/${first}/erreurs.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type") ?? "", /text\/csv/);
    const lines = csv.text.split("\r\n").filter(Boolean);
    assert.equal(`${lines[0]}\r\n`, ERROR_CSV_HEADER.replace("\uFEFF", ""));
    assert.equal(lines.length, 4);
    assert.match(lines[1] as string, /^2,nom,,required,/);
    assert.match(lines[2] as string, /^3,code_postal,'=1\+2,/);
    assert.match(lines[3] as string, /^23,commune,Saint-Ybard \(19248\),territoire,/);
  });

  test("confirm → import in the background → done: published, journaled, file removed", async () => {
    const r = await coordinator.post(`/admin/imports/${first}/confirmer`, {});
    assert.equal(r.status, 303, r.text);
    await server.app.placeUploads.jobs.get(first);
    const done = await coordinator.get(`/admin/imports/${first}`);
    assert.match(done.text, /État : importé/);
    assert.match(done.text, /Résultat de l&#39;import|Résultat de l'import/);
    assert.match(done.text, /19 nouveaux lieux/);
    assert.doesNotMatch(done.text, /http-equiv="refresh"/);
    const records = await sql<{ n: string }>`
      SELECT count(*)::text AS n FROM place_record WHERE source = ${SOURCE} AND status = 'active'`.execute(
      db(),
    );
    assert.equal(records.rows[0]?.n, "19");
    // The published places of this process were reloaded: the new records are in them (merged or alone).
    const places = await server.ctx.places.all();
    assert.ok(places.some((p) => p.provenance.some((x) => x.source === SOURCE)));
    assert.deepEqual(keptFiles(), []);
    const confirmed = await journal("import.confirmer");
    assert.equal(confirmed[0]?.target, `import:${first}`);
    const result = (await journal("import.terminer"))[0];
    assert.equal(((result?.details ?? {}) as { created: number }).created, 19);
    assert.equal(((result?.details ?? {}) as { rejected: number }).rejected, 3);
    // Confirming again changes nothing.
    const again = await coordinator.post(`/admin/imports/${first}/confirmer`, {});
    assert.equal(again.status, 409);
  });

  test("the same file again: nothing new; cancel removes it", async () => {
    const r = await coordinator.upload({ name: "france-services-creuse-2024-08-01.csv", bytes: creuseFile });
    const id = idOf(r.location);
    const report = await coordinator.get(`/admin/imports/${id}`);
    assert.match(report.text, /0 nouveaux lieux, 0 mis à jour, 19 inchangés/);
    // The source now has places, all in Creuse: offered with its count.
    assert.match((await coordinator.get("/admin/imports")).text, new RegExp(`${SOURCE} \\(19 lieux\\)`));
    const c = await coordinator.post(`/admin/imports/${id}/annuler`, {});
    assert.equal(c.status, 303);
    assert.equal((await getUpload(db(), id))?.state, "annulé");
    assert.deepEqual(keptFiles(), []);
    assert.equal((await journal("import.annuler"))[0]?.target, `import:${id}`);
  });
});

describe("bad input", () => {
  test("not a places file: a PNG, an empty file, a CSV of something else: refused, nothing imported or kept", async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(4096),
    ]);
    const cases: [string, Buffer | string, RegExp][] = [
      ["photo.png", png, /binaire/],
      ["vide.csv", "", /vide/],
      ["comptes.csv", "date,montant,libelle\n2024-01-02,12.50,Papeterie\n", /format non reconnu/],
    ];
    for (const [name, bytes, reason] of cases) {
      const r = await coordinator.upload({ name, bytes });
      assert.equal(r.status, 303, `${name} ${r.text}`);
      const id = idOf(r.location);
      assert.equal((await getUpload(db(), id))?.state, "refusé", name);
      const page = await coordinator.get(`/admin/imports/${id}`);
      assert.match(
        page.text,
        /Fichier refusé, rien n&#39;a été enregistré|Fichier refusé, rien n'a été enregistré/,
      );
      assert.match(page.text, reason, name);
      assert.doesNotMatch(page.text, /Confirmer l/);
      assert.equal((await coordinator.post(`/admin/imports/${id}/confirmer`, {})).status, 409);
    }
    assert.deepEqual(keptFiles(), []);
  });

  test("a file over 200 MB, streamed: refused (413), nothing kept, memory bounded", async () => {
    const before = await uploadCount();
    global.gc?.();
    const start = process.memoryUsage().rss;
    let peak = start;
    const boundary = "----maillage-essai";
    const chunk = Buffer.alloc(1024 * 1024, "a");
    const total = MAX_UPLOAD_BYTES / chunk.length + 16;
    const cookie = [...coordinator.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        `${server.url}/admin/imports`,
        { method: "POST", headers: { cookie, "content-type": `multipart/form-data; boundary=${boundary}` } },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (d) => {
            body += d;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: body }));
        },
      );
      req.on("error", reject);
      req.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${coordinator.csrf}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\n${SOURCE}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="enorme.csv"\r\n` +
          "Content-Type: text/csv\r\n\r\n",
      );
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent++;
          peak = Math.max(peak, process.memoryUsage().rss);
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end(`\r\n--${boundary}--\r\n`);
      };
      pump();
    });
    assert.equal(status, 413, text);
    assert.match(text, /dépasse 200 Mo/);
    assert.equal(await uploadCount(), before);
    assert.deepEqual(keptFiles(), []);
    const mb = (n: number) => n / 1024 / 1024;
    const growth = mb(peak - start);
    console.log(
      `# upload of ${total} MB: RSS ${mb(start).toFixed(0)} MB before, ${mb(peak).toFixed(0)} MB at most (+${growth.toFixed(0)} MB)`,
    );
    assert.ok(growth < 150, `RSS grew by ${growth.toFixed(0)} MB`);
  });

  test("a second import of a source « en cours » is refused by the database", async () => {
    const a = idOf((await coordinator.upload({ name: "a.csv", bytes: creuseFile })).location);
    const b = idOf((await coordinator.upload({ name: "b.csv", bytes: creuseFile })).location);
    // As if another server were importing `a`.
    assert.ok(await moveUpload(db(), a, ["prêt"], "en cours", clock.now()));
    await assert.rejects(moveUpload(db(), b, ["prêt"], "en cours", clock.now()), isRunningConflict);
    const running = await coordinator.get(`/admin/imports/${a}`);
    assert.match(running.text, /import en cours/);
    assert.doesNotMatch(running.text, /http-equiv="refresh"/);
    const auto = await coordinator.get(`/admin/imports/${a}?auto=1`);
    assert.match(auto.text, /<meta http-equiv="refresh" content="5"\/?>/);
    const refused = await coordinator.post(`/admin/imports/${b}/confirmer`, {});
    assert.equal(refused.status, 409);
    assert.match(refused.text, /déjà en cours/);
    assert.equal((await getUpload(db(), b))?.state, "prêt");
    const stored = (await getUpload(db(), a))?.stored ?? null;
    await moveUpload(db(), a, ["en cours"], "annulé", clock.now(), { stored: null });
    await server.app.placeUploads.remove(stored);
    await coordinator.post(`/admin/imports/${b}/annuler`, {});
  });

  test("without the CSRF token: refused, nothing kept", async () => {
    const before = await uploadCount();
    const r = await coordinator.upload({ name: "lieux.csv", bytes: creuseFile }, {}, false);
    assert.equal(r.status, 403);
    assert.match(r.text, /Ce formulaire a expiré ou ne vient pas de Maillage/);
    assert.equal(await uploadCount(), before);
    assert.deepEqual(keptFiles(), []);
  });

  test("a role without « lieu.importer »: 403, journaled", async () => {
    const m = await signedIn("mediatrice@example.org", false);
    assert.equal((await m.get("/admin/imports")).status, 403);
    const refusedBefore = (await journal("acces.refuse")).length;
    const r = await m.upload({ name: "lieux.csv", bytes: creuseFile });
    assert.equal(r.status, 403);
    const refused = await journal("acces.refuse");
    assert.equal(refused.length, refusedBefore + 1);
    assert.equal(((refused[0]?.details ?? {}) as { action: string }).action, "lieu.importer");
  });
});
