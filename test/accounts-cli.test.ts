/**
 * The accounts' commands on a real embedded database loaded with the territories: each run as `maillage` runs it
 * (options, standard input, exit code, French messages), locally and through a running server's admin endpoint.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { after, before, test } from "node:test";
import Fastify from "fastify";
import { accountCommandsWith, type Io, registerAccountAdmin } from "../src/accounts/cli.ts";
import { acceptInvitation } from "../src/accounts/invitations.ts";
import {
  accountMigrations,
  findPersonByEmail,
  findToken,
  listJournal,
  listOrganisations,
  membershipsOf,
} from "../src/accounts/store.ts";
import { openApp } from "../src/app.ts";
import type { AppContext } from "../src/context.ts";
import { migrations } from "../src/migrations.ts";
import { registerAdmin } from "../src/platform/admin.ts";
import { fixedClock } from "../src/platform/clock.ts";
import { migrate } from "../src/platform/db.ts";
import { FolderBusy } from "../src/platform/owner.ts";
import { preparedDataDir, testConfig } from "./support/server.ts";

const T0 = new Date("2026-11-02T09:00:00Z");
const STRONG = "Tournesol-Cahier-Vélo-93!";

let ctx: AppContext;
let dataDir: string;

before(async () => {
  dataDir = await preparedDataDir();
  ctx = await openApp({ ...testConfig(), dataDir }, { clock: fixedClock(T0) });
  // Until the accounts capability lists them, its migrations are applied here (a no-op once it does).
  await migrate(ctx.database.db, { ...migrations, ...accountMigrations });
});
after(async () => {
  await ctx?.database.close();
  (await import("node:fs")).rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `maillage <words> <args>` in process; `at` moves the clock, `stdin` is what is piped in. */
async function maillage(
  words: string,
  args: string[],
  opts: { stdin?: string; at?: Date; open?: () => Promise<AppContext> } = {},
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    stdin: async () => opts.stdin ?? "",
  };
  const command = accountCommandsWith(io)[words];
  assert.ok(command, words);
  // The command closes what it opens: it gets the shared database with a no-op close.
  const open =
    opts.open ??
    (async () => ({
      ...ctx,
      clock: fixedClock(opts.at ?? T0),
      database: { ...ctx.database, close: async () => {} },
    }));
  const code = await command.run(args, open);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const organisationCount = async () =>
  (await listOrganisations(ctx.database.db, { limit: 1, offset: 0 })).total;

test("organisations add: checked SIRET, type and territory, prints the new id", async () => {
  const before = await organisationCount();
  for (const [args, message] of [
    [
      [
        "--nom",
        "Conseil départemental",
        "--type",
        "collectivite",
        "--territoire",
        "23",
        "--siret",
        "22230962700017",
      ],
      /Erreur : Ce SIRET n'est pas valide/,
    ],
    [
      ["--nom", "Conseil départemental", "--type", "collectivite", "--territoire", "23", "--siret", "1234"],
      /Erreur : Le SIRET doit compter 14 chiffres/,
    ],
    [["--nom", "X", "--type", "club", "--territoire", "23"], /Erreur : type d'organisation inconnu « club »/],
    [["--nom", "X", "--type", "ccas", "--territoire", "99999"], /Erreur : --territoire : /],
    [["--type", "ccas", "--territoire", "23"], /Erreur : indiquez --nom/],
    [["--nom", "X", "--type", "ccas", "--territoire", "23", "en-trop"], /Erreur : argument inattendu/],
    [["--nom", "X", "--vite"], /Erreur : .*--vite/],
  ] as const) {
    const r = await maillage("organisations add", [...args]);
    assert.equal(r.code, 2, `${args.join(" ")} : ${r.err}`);
    assert.match(r.err, message);
  }
  assert.equal(await organisationCount(), before, "rien n'est créé");

  const r = await maillage("organisations add", [
    "--nom",
    "Conseil départemental de la Creuse",
    "--type",
    "Collectivité",
    "--territoire",
    "23",
    "--siret",
    "222 309 627 00016",
  ]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^\d+$/);
  const { organisations } = await listOrganisations(ctx.database.db, { limit: 100, offset: 0 });
  const creuse = organisations.find((o) => o.id === Number(r.out));
  assert.equal(creuse?.siret, "22230962700016");
  assert.equal(creuse?.territoryId, "23");
  assert.equal(creuse?.kind, "collectivite");
  const again = await maillage("organisations add", [
    "--nom",
    "Doublon",
    "--type",
    "autre",
    "--territoire",
    "23",
    "--siret",
    "22230962700016",
  ]);
  assert.equal(again.code, 2);
  assert.match(again.err, /une organisation a déjà le SIRET 22230962700016/);
  const journal = await listJournal(ctx.database.db, {
    action: "commande.organisations-add",
    limit: 10,
    offset: 0,
  });
  assert.equal(journal.total, 1);
  assert.equal(journal.entries[0]?.personId, null);
});

test("users add: the first admin with --password-stdin, weak password and duplicate e-mail refused", async () => {
  const weak = await maillage(
    "users add",
    ["--email", "admin@example.org", "--role", "admin", "--password-stdin"],
    {
      stdin: "motdepasse123\n",
    },
  );
  assert.equal(weak.code, 2);
  assert.match(weak.err, /Erreur : mot de passe refusé : /);
  assert.equal(await findPersonByEmail(ctx.database.db, "admin@example.org"), null);

  const ok = await maillage(
    "users add",
    ["--email", "Admin@Example.org", "--role", "admin", "--nom", "Camille Admin", "--password-stdin"],
    { stdin: `${STRONG}\n` },
  );
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /Compte créé : admin@example\.org .*rôle admin pour « Instance »/);
  assert.match(ok.out, /Mot de passe enregistré/);
  const admin = await findPersonByEmail(ctx.database.db, "admin@example.org");
  assert.ok(admin?.passwordHash?.startsWith("scrypt$"));
  const [m] = await membershipsOf(ctx.database.db, admin?.id ?? 0);
  assert.equal(m?.role, "admin");
  assert.equal(m?.organisation.territoryId, "france");

  const dup = await maillage(
    "users add",
    ["--email", "admin@example.org", "--role", "admin", "--password-stdin"],
    {
      stdin: STRONG,
    },
  );
  assert.equal(dup.code, 2);
  assert.match(dup.err, /Erreur : une personne a déjà l'adresse admin@example\.org/);

  for (const [args, message] of [
    [["--role", "admin"], /indiquez --email/],
    [["--email", "pas-une-adresse", "--role", "admin"], /n'est pas une adresse e-mail/],
    [["--email", "x@example.org", "--role", "chef"], /rôle inconnu « chef »/],
    [["--email", "x@example.org", "--role", "mediateur"], /indiquez --organisation/],
    [
      ["--email", "x@example.org", "--role", "mediateur", "--organisation", "999999"],
      /l'organisation n° 999999 n'existe pas/,
    ],
  ] as const) {
    const r = await maillage("users add", [...args]);
    assert.equal(r.code, 2, `${args.join(" ")} : ${r.err}`);
    assert.match(r.err, message);
  }
  assert.equal(await findPersonByEmail(ctx.database.db, "x@example.org"), null);
});

test("users add without a password prints a one-time set-up link that works once", async () => {
  const org = await maillage("organisations add", [
    "--nom",
    "La Quincaillerie",
    "--type",
    "lieu de médiation",
    "--territoire",
    "23096",
  ]);
  assert.equal(org.code, 0, org.err);
  const r = await maillage("users add", [
    "--email",
    "mediatrice@example.org",
    "--role",
    "mediateur",
    "--organisation",
    org.out,
  ]);
  assert.equal(r.code, 0, r.err);
  const link = /^(http:\/\/\S+\/invitation\/([A-Za-z0-9_-]{43}))$/m.exec(r.out);
  assert.ok(link, r.out);
  assert.match(r.err, /n'a pas été envoyé par e-mail \(aucun serveur d'envoi configuré/);
  const accepted = await acceptInvitation(ctx.database.db, fixedClock(T0), link[2] as string, {
    password: STRONG,
  });
  assert.equal(accepted.ok, true, accepted.ok ? "" : accepted.error);
  const again = await acceptInvitation(ctx.database.db, fixedClock(T0), link[2] as string, {
    password: STRONG,
  });
  assert.equal(again.ok, false);
  const person = await findPersonByEmail(ctx.database.db, "mediatrice@example.org");
  assert.ok(person?.passwordHash);
  assert.equal((await membershipsOf(ctx.database.db, person.id)).length, 1);
});

test("users token prints the token once; the store keeps its hash only", async () => {
  const r = await maillage("users token", [
    "--email",
    "admin@example.org",
    "--expire-in",
    "30",
    "--nom",
    "export",
  ]);
  assert.equal(r.code, 0, r.err);
  const token = r.out.trim();
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.match(r.err, /valable jusqu'au .* 2026/);
  const hash = createHash("sha256").update(token).digest("hex");
  const found = await findToken(ctx.database.db, hash, T0);
  assert.equal(found?.label, "export");
  assert.equal(await findToken(ctx.database.db, token, T0), null, "le jeton en clair n'est pas gardé");
  assert.equal(await findToken(ctx.database.db, hash, new Date(T0.getTime() + 31 * 86_400_000)), null);
  const bad = await maillage("users token", ["--email", "personne@example.org"]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /aucun compte n'a l'adresse personne@example\.org/);
  const days = await maillage("users token", ["--email", "admin@example.org", "--expire-in", "0"]);
  assert.equal(days.code, 2);
});

test("through a running server: the command sends its operation to the admin endpoint", async (t) => {
  const token = "t".repeat(43);
  const app = Fastify();
  registerAdmin(app, token, (admin) => registerAccountAdmin(admin, ctx));
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  t.after(() => app.close());
  const busy = async (): Promise<AppContext> => {
    throw new FolderBusy(dataDir, {
      pid: process.pid,
      since: T0.toISOString(),
      command: "serve",
      host: hostname(),
      started: null,
      url,
      token,
    });
  };
  const org = await maillage(
    "organisations add",
    ["--nom", "CCAS de Guéret", "--type", "ccas", "--territoire", "23096"],
    { open: busy },
  );
  assert.equal(org.code, 0, org.err);
  assert.match(org.out, /^\d+$/);
  assert.match(org.err, /Un serveur Maillage utilise cette base/);
  const refused = await maillage(
    "organisations add",
    ["--nom", "X", "--type", "ccas", "--territoire", "23096", "--siret", "22230962700017"],
    { open: busy },
  );
  assert.equal(refused.code, 2);
  assert.match(refused.err, /Erreur : Ce SIRET n'est pas valide/);
  const person = await maillage(
    "users add",
    [
      "--email",
      "coordinatrice@example.org",
      "--role",
      "coordinateur",
      "--organisation",
      org.out,
      "--password-stdin",
    ],
    { open: busy, stdin: STRONG },
  );
  assert.equal(person.code, 0, person.err);
  assert.ok((await findPersonByEmail(ctx.database.db, "coordinatrice@example.org"))?.passwordHash);
  // Without the token, nothing.
  const anonymous = await fetch(`${url}/admin/comptes/privacy-purge`, {
    method: "POST",
    body: '{"apply":true}',
  });
  assert.equal(anonymous.status, 401);
});

test("users deactivate-inactive and privacy purge, journaled as the system", async () => {
  const none = await maillage("users deactivate-inactive", []);
  assert.equal(none.code, 0, none.err);
  assert.match(none.out, /Aucun compte inutilisé depuis 6 mois/);
  const later = new Date("2027-05-03T09:00:00Z");
  const r = await maillage("users deactivate-inactive", [], { at: later });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /compte\(s\) inutilisé\(s\) depuis 6 mois désactivé\(s\)/);
  assert.match(r.out, /^admin@example\.org\tCamille Admin$/m);
  assert.match(r.out, /^mediatrice@example\.org\t/m);

  const muchLater = new Date("2029-01-01T09:00:00Z");
  const list = await maillage("privacy purge", [], { at: muchLater });
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /comptes désactivés depuis plus de 365 jours : [1-9]/);
  assert.match(list.out, /Rien n'a été supprimé : relancez avec --apply/);
  assert.ok(await findPersonByEmail(ctx.database.db, "admin@example.org"));
  const apply = await maillage("privacy purge", ["--apply"], { at: muchLater });
  assert.equal(apply.code, 0, apply.err);
  assert.match(apply.out, /\(supprimé\)/);
  assert.equal(await findPersonByEmail(ctx.database.db, "admin@example.org"), null);
  const purged = await listJournal(ctx.database.db, {
    action: "confidentialite.purger",
    limit: 1,
    offset: 0,
  });
  assert.equal(purged.total, 1);
  const commands = await listJournal(ctx.database.db, {
    action: "commande.users-deactivate-inactive",
    limit: 5,
    offset: 0,
  });
  assert.ok(commands.total === 0 || commands.entries.every((e) => e.personId === null));
});
