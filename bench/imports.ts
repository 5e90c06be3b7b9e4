/**
 * Imports from the browser (`npm run bench -- imports`): upload → report (the file streamed to disk, then the dry
 * run) over real HTTP, time and peak memory, for the shipped files and for a 20 000-row file made of REAL France
 * Services rows repeated with distinct ids (written to a temporary folder, never committed). The reference, in the
 * same run: reading and validating the same file without the database (what every import does first), and the ratio.
 */
import { mkdtempSync, openAsBlob, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { TOTP } from "otpauth";
import { hashPassword } from "../src/accounts/password.ts";
import {
  addMembership,
  BY_SYSTEM,
  createOrganisation,
  createPerson,
  setTotp,
} from "../src/accounts/store.ts";
import { openApp } from "../src/app.ts";
import { openFile } from "../src/places/import/read.ts";
import { importPlaces } from "../src/places/import/rows.ts";
import { getUpload } from "../src/places/store/uploads.ts";
import { communesOf, SHIPPED } from "../src/places/sync.ts";
import { sourceOfOrganisation } from "../src/places/upload.ts";
import { buildServer, listen } from "../src/server.ts";
import { FormClient } from "../test/support/accounts.ts";
import { preparedDataDir, testConfig } from "../test/support/server.ts";
import { report } from "./stats.ts";

const DATA = join(import.meta.dirname, "..", "data");
const mb = (n: number) => n / 1024 / 1024;
const ROWS = 20_000;
const PASSWORD = "Tulipe-Granit-Boussole-48";
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/** Time and peak RSS (sampled every 5 ms) of `run`, in seconds and MB above the start. */
async function measured<T>(
  run: () => Promise<T>,
): Promise<{ result: T; s: number; rss: number; peak: number }> {
  global.gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const t0 = performance.now();
  try {
    const result = await run();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, s: (performance.now() - t0) / 1000, rss: mb(peak - start), peak: mb(peak) };
  } finally {
    clearInterval(timer);
  }
}

/** Real France Services rows, repeated with distinct ids (« 12-r2 »…) until `rows` rows. */
function largeFile(dir: string, rows: number): string {
  const text = gunzipSync(readFileSync(join(DATA, SHIPPED[0]?.file as string))).toString("utf8");
  const [header, ...lines] = text.split(/\r?\n/).filter(Boolean);
  // A record starts with its quoted id; a quoted value may hold line breaks (the next lines belong to it).
  const records: string[] = [];
  for (const line of lines)
    if (/^"\d+","/.test(line) || records.length === 0) records.push(line);
    else records[records.length - 1] += `\n${line}`;
  const out = [header];
  for (let i = 0; i < rows; i++) {
    const record = records[i % records.length] as string;
    const round = Math.floor(i / records.length);
    out.push(round === 0 ? record : record.replace(/^"(\d+)"/, `"$1-r${round + 1}"`));
  }
  const file = join(dir, `france-services-x${rows}-2024-08-01.csv`);
  writeFileSync(file, `${out.join("\n")}\n`);
  return file;
}

export async function benchImports(): Promise<void> {
  console.log("# Imports depuis le navigateur (dépôt → rapport)");
  const dataDir = await preparedDataDir();
  const tmp = mkdtempSync(join(tmpdir(), "maillage-bench-imports-"));
  let instant = Date.now();
  const ctx = await openApp({ ...testConfig(), dataDir }, { clock: { now: () => new Date(instant) } });
  const app = await buildServer(ctx);
  const url = await listen(app, 0, "127.0.0.1");
  try {
    const db = ctx.database.db;
    const org = await createOrganisation(
      db,
      { name: "Instance d'essai (exemple)", kind: "autre", siret: null, territoryId: "france" },
      new Date(instant),
      BY_SYSTEM,
    );
    const p = await createPerson(
      db,
      { email: "admin.bench@example.org", name: "Admin", passwordHash: await hashPassword(PASSWORD) },
      new Date(instant),
      BY_SYSTEM,
    );
    await addMembership(
      db,
      { personId: p.id, organisationId: org.id, role: "admin" },
      new Date(instant),
      BY_SYSTEM,
    );
    await setTotp(db, p.id, SECRET, [], new Date(instant), BY_SYSTEM);
    const client = new FormClient(() => url);
    await client.signIn("admin.bench@example.org", PASSWORD, () => {
      instant += 30_000;
      return new TOTP({ secret: SECRET, digits: 6, period: 30, algorithm: "SHA1" }).generate({
        timestamp: instant,
      });
    });
    await client.get("/admin/imports");

    const upload = async (path: string, source: string) => {
      const form = new FormData();
      form.append("_csrf", client.csrf);
      form.append("source", source);
      form.append("fichier", await openAsBlob(path), basename(path));
      const res = await fetch(`${url}/admin/imports`, {
        method: "POST",
        headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
        body: form,
        redirect: "manual",
      });
      await res.text();
      const id = Number(/(\d+)$/.exec(res.headers.get("location") ?? "")?.[1]);
      if (res.status !== 303 || !id) throw new Error(`dépôt refusé : ${res.status}`);
      return id;
    };
    const validate = async (path: string, source: string) => {
      const { outcomes } = importPlaces(openFile(path), {
        source,
        file: basename(path),
        communes: communesOf(ctx.territories),
      });
      let n = 0;
      for await (const _ of outcomes) n++;
      return n;
    };

    const files = [
      ...SHIPPED.map((s) => ({ path: join(DATA, s.file), source: s.source, label: basename(s.file) })),
      {
        path: largeFile(tmp, ROWS),
        source: sourceOfOrganisation(org.name),
        label: `${ROWS} lignes réelles (France Services répétées, identifiants distincts)`,
      },
    ];
    for (const f of files) {
      const up = await measured(() => upload(f.path, f.source));
      const ref = await measured(() => validate(f.path, f.source));
      const u = await getUpload(db, up.result);
      const c = u?.report.counts ?? {};
      console.log(
        `  ${f.label} : ${c.read} lignes, ${c.created} nouvelles, ${c.updated} mises à jour, ${c.unchanged} inchangées, ${u?.report.errorCount} erreurs`,
      );
      report(`dépôt → rapport, ${f.label}`, up.s, "s");
      report(`  pic de mémoire (RSS au-dessus du départ), ${f.label}`, up.rss, "Mo");
      report(`  RSS du processus (serveur et client) au pic`, up.peak, "Mo");
      report(`  référence : lecture + validation seules (sans base), ${f.label}`, ref.s, "s");
      report(`  rapport dépôt → rapport / lecture + validation`, up.s / ref.s, "×");
      // Leave nothing behind: the report is cancelled (its file removed).
      await client.post(`/admin/imports/${up.result}/annuler`, {});
    }
  } finally {
    await app.close();
    await ctx.database.close();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}
