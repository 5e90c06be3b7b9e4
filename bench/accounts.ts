/**
 * `npm run bench -- comptes`: what accounts cost. The login's hash against Node's default scrypt cost, the policy
 * and the route gate per call, the session lookup (PGlite, and PostgreSQL when DATABASE_URL is set), and a public
 * page signed in vs anonymous (autocannon, same run).
 */
import { scrypt } from "node:crypto";
import autocannon from "autocannon";
import { accessOf, gateDecision } from "../src/accounts/access.ts";
import { IDLE_MINUTES } from "../src/accounts/model.ts";
import { hashPassword, verifyPassword } from "../src/accounts/password.ts";
import { can } from "../src/accounts/policy.ts";
import {
  accountMigrations,
  addMembership,
  BY_SYSTEM,
  createOrganisation,
  createPerson,
  createSession,
  findSession,
} from "../src/accounts/store.ts";
import { newSecretValue, sha256 } from "../src/accounts/web.ts";
import type { Db } from "../src/platform/db.ts";
import { migrate } from "../src/platform/db.ts";
import { backends } from "../test/support/db.ts";
import { startTestServer } from "../test/support/server.ts";
import { median, report } from "./stats.ts";

const PASSWORD = "Tulipe-Granit-Boussole-48";
const CONNECTIONS = 20;
const SECONDS = 5;

const time = async (f: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};

const scryptDefault = (password: string) =>
  new Promise<Buffer>((resolve, reject) =>
    // Node's default cost (N = 16384, r = 8, p = 1), the reference of the same run.
    scrypt(password, "sel-de-reference", 32, (e, key) => (e ? reject(e) : resolve(key))),
  );

/** A person with a live session (a mediator of a Creuse organisation: no second factor) and its cookie value. */
async function signedIn(db: Db, email: string): Promise<string> {
  const now = new Date();
  const org = await createOrganisation(
    db,
    { name: `Médiathèque ${email}`, kind: "lieu-de-mediation", siret: null, territoryId: "23" },
    now,
    BY_SYSTEM,
  );
  const p = await createPerson(db, { email, name: "Personne de mesure" }, now, BY_SYSTEM);
  const m = await addMembership(
    db,
    { personId: p.id, organisationId: org.id, role: "mediateur" },
    now,
    BY_SYSTEM,
  );
  const value = newSecretValue();
  await createSession(
    db,
    {
      idHash: sha256(value),
      personId: p.id,
      membershipId: m.id,
      csrfSecret: "",
      idleMinutes: IDLE_MINUTES.mediateur,
      secondFactorDone: false,
    },
    now,
  );
  return value;
}

async function benchLogin(): Promise<void> {
  const encoded = await hashPassword(PASSWORD);
  const [, n, r, p] = encoded.split("$");
  const login: number[] = [];
  const reference: number[] = [];
  await scryptDefault(PASSWORD);
  for (let i = 0; i < 7; i++) {
    login.push(await time(() => verifyPassword(PASSWORD, encoded)));
    reference.push(await time(() => scryptDefault(PASSWORD)));
  }
  console.log(
    `  coût choisi : scrypt N=${n}, r=${r}, p=${p} (${(Number(n) * Number(r) * 128) / 2 ** 20} Mio)`,
  );
  report("connexion : vérification du mot de passe (médiane de 7)", median(login), "ms", "< 500 ms");
  report("référence : scrypt au coût par défaut de Node (N=16384), même passage", median(reference), "ms");
  report("rapport connexion / référence", median(login) / median(reference), "×");
}

function benchPolicy(): void {
  const actor = {
    person: { id: 1, email: "coordinatrice@example.org", name: "Coordinatrice" },
    membership: { id: 1, personId: 1, organisationId: 1, role: "coordinateur", territoryId: "23" },
    organisation: { id: 1, name: "Département de la Creuse", territoryId: "23", placeIds: [] },
    via: "session",
  } as unknown as Parameters<typeof can>[0];
  const within = (inner: string, outer: string) => inner === outer || inner.startsWith(outer);
  const n = 1_000_000;
  let allowed = 0;
  for (let i = 0; i < 10_000; i++)
    allowed += can(actor, "lieu.modifier", { territoryId: "23" }, within).allowed ? 1 : 0;
  let t = performance.now();
  for (let i = 0; i < n; i++)
    allowed += can(actor, "lieu.modifier", { territoryId: i % 2 ? "23" : "19" }, within).allowed ? 1 : 0;
  report("can() par appel (coordinateur, territoire)", ((performance.now() - t) * 1000) / n, "µs", "< 1 µs");
  t = performance.now();
  for (let i = 0; i < n; i++)
    allowed += gateDecision(accessOf(i % 2 ? "GET" : "HEAD", "/lieux/:id"), actor, true) === "ok" ? 1 : 0;
  report(
    "contrôle d'accès de la route (table + rôle) par requête",
    ((performance.now() - t) * 1000) / n,
    "µs",
    "< 1 µs",
  );
  if (allowed === 0) console.log("  (aucune décision favorable : mesure suspecte)");
}

async function benchSessionLookup(): Promise<void> {
  for (const backend of backends) {
    const database = await backend.open();
    try {
      await migrate(database.db, accountMigrations);
      const value = await signedIn(database.db, `mesure-${backend.name.toLowerCase()}@example.org`);
      const idHash = sha256(value);
      const times: number[] = [];
      for (let i = 0; i < 50; i++) await findSession(database.db, idHash, new Date());
      for (let i = 0; i < 500; i++)
        times.push(await time(() => findSession(database.db, idHash, new Date())));
      report(
        `recherche de session (store.findSession, ${backend.name}, médiane de 500)`,
        median(times),
        "ms",
      );
    } finally {
      await database.close();
    }
  }
  if (backends.length === 1) console.log("  (PostgreSQL : définir DATABASE_URL pour le mesurer aussi)");
}

async function benchSignedInPage(): Promise<void> {
  const server = await startTestServer();
  try {
    const value = await signedIn(server.ctx.database.db, "mesure-page@example.org");
    const path = "/lieux?territoire=23";
    const headers = { "accept-encoding": "gzip, deflate, br, zstd" };
    const cookie = { ...headers, cookie: `maillage-session=${value}` };
    // The same page for both (public pages are identical for everyone): check, then warm.
    const a = await fetch(server.url + path);
    const b = await fetch(server.url + path, { headers: { cookie: cookie.cookie } });
    if (a.status !== 200 || b.status !== 200) throw new Error(`${path}: ${a.status} / ${b.status}`);
    await autocannon({ url: server.url + path, connections: CONNECTIONS, duration: 1, headers });
    const rate = async (h: Record<string, string>) => {
      const r = await autocannon({
        url: server.url + path,
        connections: CONNECTIONS,
        duration: SECONDS,
        headers: h,
      });
      if (r.non2xx > 0 || r.errors > 0)
        console.log(`  attention : ${r.non2xx} réponses non 2xx, ${r.errors} erreurs`);
      return r.requests.average;
    };
    // Alternated, twice each, so that the machine's drift weighs on both alike.
    const anon = [await rate(headers)];
    const signed = [await rate(cookie)];
    signed.push(await rate(cookie));
    anon.push(await rate(headers));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    report(`${path} anonyme (${CONNECTIONS} connexions, 2 × ${SECONDS} s)`, mean(anon), "req/s");
    report(`${path} connecté (cookie de session)`, mean(signed), "req/s");
    report("rapport connecté / anonyme", mean(signed) / mean(anon), "", "≥ 0.8");
  } finally {
    await server.close();
  }
}

export async function benchAccounts(): Promise<void> {
  console.log("# Comptes : connexion, politique, sessions, page connectée");
  await benchLogin();
  benchPolicy();
  await benchSessionLookup();
  await benchSignedInPage();
}
