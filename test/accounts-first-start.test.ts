/**
 * The first acceptance point as one HTTP journey: a server on a fresh copy of the test database, the first
 * admin created by `maillage users add --role admin --password-stdin`, who signs in and enrols the second factor,
 * creates the Creuse organisation and invites a coordinator by e-mail (received by a real SMTP server on the
 * loopback); the coordinator accepts, signs in with the second factor and invites a mediator, who accepts and
 * signs in. « Mot de passe oublié » mails its link the same way.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { TOTP } from "otpauth";
import { SMTPServer } from "smtp-server";
import { accountCommandsWith, type Io } from "../src/accounts/cli.ts";
import type { AppContext } from "../src/context.ts";
import type { Clock } from "../src/platform/clock.ts";
import { FormClient } from "./support/accounts.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const PASSWORD = "Tulipe-Granit-Boussole-48";
let instant = Date.parse("2026-12-01T09:00:00Z");
const clock: Clock = { now: () => new Date(instant) };
let server: TestServer;
let smtp: SMTPServer;
const code = (secret: string) =>
  new TOTP({ secret, digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: instant });

/** Messages received, and the waiters of the next ones (no sleeping: each arrival resolves one). */
const received: { to: string[]; raw: string }[] = [];
const waiting: ((m: { to: string[]; raw: string }) => void)[] = [];
const nextMessage = (): Promise<{ to: string[]; raw: string }> =>
  new Promise((resolve) => {
    const m = received.shift();
    if (m) resolve(m);
    else waiting.push(resolve);
  });

/** The link of a message's plain-text body (quoted-printable soft breaks undone). */
function linkIn(raw: string): string {
  const body = raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
  const m = /https?:\/\/[^\s]+(\/invitation\/[A-Za-z0-9_-]{43})/.exec(body);
  assert.ok(m?.[1], body);
  return m[1];
}

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

before(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const m = {
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        };
        const w = waiting.shift();
        if (w) w(m);
        else received.push(m);
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  server = await startTestServer({
    clock,
    config: { smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: "Maillage <ne-pas-repondre@example.org>" },
  });
});
after(async () => {
  await server?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/** `maillage users add …` as the command runs it, on the server's database (its close left to the server). */
async function usersAdd(args: string[], stdin: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), stdin: async () => stdin };
  const command = accountCommandsWith(io)["users add"];
  assert.ok(command);
  const open = async (): Promise<AppContext> => ({
    ...server.ctx,
    database: { ...server.ctx.database, close: async () => {} },
  });
  const status = await command.run(args, open);
  return { status, out: out.join("\n"), err: err.join("\n") };
}

/** Signs in a person whose role needs the second factor for the first time: enrols it, returns the key. */
async function firstSignIn(c: Client, email: string, password: string): Promise<string> {
  await c.get("/connexion");
  const r = await c.post("/connexion", { email, motdepasse: password });
  assert.equal(r.location, "/connexion/second-facteur");
  const page = await c.get("/connexion/second-facteur");
  const key = /name="cle" value="([A-Z2-7]{32})"/.exec(page.text)?.[1];
  assert.ok(key);
  instant += 30_000;
  const ok = await c.post("/connexion/second-facteur", { cle: key, code: code(key) });
  assert.equal(ok.status, 200);
  assert.match(ok.text, /codes de secours/i);
  return key;
}

/** Accepts an invitation link with a name and a password. */
async function accept(link: string, name: string, password: string) {
  const p = new Client();
  const form = await p.get(link);
  assert.equal(form.status, 200, form.text);
  const r = await p.post(link, { nom: name, motdepasse: password, confirmation: password });
  assert.equal(r.status, 200, r.text);
  assert.match(r.text, /Votre compte est prêt/);
}

test("first start: admin by the command, coordinator invited by e-mail, who invites a mediator", async () => {
  const made = await usersAdd(
    ["--email", "admin@example.org", "--role", "admin", "--password-stdin"],
    `${PASSWORD}\n`,
  );
  assert.equal(made.status, 0, made.err);
  assert.match(made.out, /Compte créé : admin@example\.org/);

  // The admin signs in and enrols the second factor.
  const admin = new Client();
  await firstSignIn(admin, "admin@example.org", PASSWORD);
  assert.equal((await admin.get("/mon-compte")).status, 200);

  // Creates the Creuse organisation (by its name) and invites a coordinator.
  await admin.get("/admin/organisations/nouvelle");
  const created = await admin.post("/admin/organisations/nouvelle", {
    nom: "Conseil départemental de la Creuse",
    type: "collectivite",
    siret: "22230962700016",
    territoire: "Creuse (département)",
  });
  assert.equal(created.status, 303, created.text);
  const orgPath = (created.location as string).split("?")[0] as string;
  await admin.get(orgPath);
  const invited = await admin.post(`${orgPath}/inviter`, {
    email: "coordination@example.org",
    role: "coordinateur",
  });
  assert.equal(invited.status, 200);
  assert.match(invited.text, /L&#39;invitation est envoyée par e-mail|L'invitation est envoyée par e-mail/);
  const shown = /(\/invitation\/[A-Za-z0-9_-]{43})/.exec(invited.text)?.[1];
  const mail = await nextMessage();
  assert.deepEqual(mail.to, ["coordination@example.org"]);
  const link = linkIn(mail.raw);
  assert.equal(link, shown, "the page shows the link that was mailed");

  // The coordinator accepts, signs in with the second factor, invites a mediator.
  await accept(link, "Camille Coordination", "Lavande-Compas-Horizon-62");
  const coord = new Client();
  await firstSignIn(coord, "coordination@example.org", "Lavande-Compas-Horizon-62");
  const page = await coord.get(orgPath);
  assert.equal(page.status, 200);
  assert.match(page.text, /Camille Coordination/);
  const second = await coord.post(`${orgPath}/inviter`, {
    email: "mediation@example.org",
    role: "mediateur",
  });
  assert.equal(second.status, 200);
  const mail2 = await nextMessage();
  assert.deepEqual(mail2.to, ["mediation@example.org"]);

  // The mediator accepts and signs in (no second factor for this role).
  await accept(linkIn(mail2.raw), "Dominique Médiation", "Girouette-Sablier-Fjord-85");
  const med = new Client();
  await med.get("/connexion");
  const signed = await med.post("/connexion", {
    email: "mediation@example.org",
    motdepasse: "Girouette-Sablier-Fjord-85",
  });
  assert.equal(signed.location, "/mon-compte");
  const account = await med.get("/mon-compte");
  assert.match(
    account.text,
    /Dominique Médiation<\/strong> — Conseil départemental de la Creuse \(Médiateur numérique\)/,
  );
});

test("« mot de passe oublié » mails a reset link, which sets a new password once", async () => {
  const c = new Client();
  await c.get("/mot-de-passe-oublie");
  const r = await c.post("/mot-de-passe-oublie", { email: "mediation@example.org" });
  assert.equal(r.status, 200);
  assert.doesNotMatch(r.text, /\/invitation\//);
  const mail = await nextMessage();
  assert.deepEqual(mail.to, ["mediation@example.org"]);
  const link = linkIn(mail.raw);
  const p = new Client();
  const form = await p.get(link);
  assert.match(form.text, /Choisir un nouveau mot de passe/);
  const done = await p.post(link, {
    motdepasse: "Baleine-Tambour-Quartz-27",
    confirmation: "Baleine-Tambour-Quartz-27",
  });
  assert.equal(done.status, 200);
  assert.match(done.text, /Votre mot de passe est changé/);
  assert.equal((await new Client().get(link)).status, 410);
  const again = new Client();
  await again.get("/connexion");
  const signed = await again.post("/connexion", {
    email: "mediation@example.org",
    motdepasse: "Baleine-Tambour-Quartz-27",
  });
  assert.equal(signed.location, "/mon-compte");
});
