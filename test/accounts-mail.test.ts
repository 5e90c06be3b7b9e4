/**
 * Invitations by e-mail through a real SMTP server on the loopback (smtp-server): the message arrives, its
 * recipient, subject and link are the invitation's; a server that is down gives `{ sent: false }`, the link still.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { SMTPServer } from "smtp-server";
import { acceptInvitation, invite } from "../src/accounts/invitations.ts";
import { sendMail } from "../src/accounts/mail.ts";
import { accountMigrations, BY_SYSTEM, createOrganisation } from "../src/accounts/store.ts";
import { fixedClock } from "../src/platform/clock.ts";
import { type Database, migrate, openDatabase } from "../src/platform/db.ts";

const T0 = new Date("2026-11-02T09:00:00Z");
const received: { to: string[]; raw: string }[] = [];
let server: SMTPServer;
let port: number;
let database: Database;

before(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as AddressInfo).port;
  database = await openDatabase({ pgliteDir: "memory://" });
  await migrate(database.db, accountMigrations);
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await database?.close();
});

/** A header's value, unfolded, with RFC 2047 encoded words decoded. */
function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? "";
  const line = new RegExp(`^${name}: (.*(?:\\r?\\n[ \\t].*)*)`, "mi").exec(head)?.[1] ?? "";
  return line
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/\r?\n[ \t]/g, " ")
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : Buffer.from(
            text
              .replace(/_/g, " ")
              .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
            "latin1",
          ).toString("utf8"),
    );
}

/** The plain-text body, quoted-printable or base64 decoded. */
function body(raw: string): string {
  const [, ...rest] = raw.split(/\r?\n\r?\n/);
  const text = rest.join("\n\n");
  const encoding = header(raw, "Content-Transfer-Encoding").toLowerCase();
  if (encoding === "base64") return Buffer.from(text.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable")
    return Buffer.from(
      text
        .replace(/=\r?\n/g, "")
        .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
      "latin1",
    ).toString("utf8");
  return text;
}

const config = () => ({
  publicUrl: "https://maillage.example.org",
  host: "127.0.0.1",
  port: 3000,
  smtpUrl: `smtp://127.0.0.1:${port}`,
  mailFrom: "Maillage <ne-pas-repondre@example.org>",
});

test("an invitation is received by the SMTP server with its recipient, subject and single-use link", async () => {
  const db = database.db;
  const org = await createOrganisation(
    db,
    { name: "Conseil départemental de la Creuse", kind: "collectivite", siret: null, territoryId: "23" },
    T0,
    BY_SYSTEM,
  );
  const r = await invite(db, config(), fixedClock(T0), {
    email: "Coordinatrice@Example.org",
    organisationId: org.id,
    role: "coordinateur",
    by: BY_SYSTEM,
    purpose: "invitation",
    inviterName: "Camille Admin",
  });
  assert.ok(r.ok);
  assert.deepEqual(r.mail, { sent: true });
  assert.match(r.link, /^https:\/\/maillage\.example\.org\/invitation\/[A-Za-z0-9_-]{43}$/);
  const message = received.at(-1);
  assert.ok(message);
  assert.deepEqual(message.to, ["coordinatrice@example.org"]);
  assert.equal(header(message.raw, "To"), "coordinatrice@example.org");
  assert.equal(
    header(message.raw, "Subject"),
    "Invitation à rejoindre Conseil départemental de la Creuse sur Maillage",
  );
  const text = body(message.raw);
  assert.ok(text.includes(r.link), text);
  assert.match(text, /Camille Admin vous invite à rejoindre Conseil départemental de la Creuse/);
  assert.match(text, /rôle « Coordinateur du territoire »/);
  assert.match(text, /expire le jeudi 5 novembre 2026 à 10 h\./);
  // The link from the message works, once.
  const token = r.link.split("/").at(-1) as string;
  const ok = await acceptInvitation(db, fixedClock(T0), token, {
    name: "Dominique Coordinatrice",
    password: "Tournesol-Cahier-Vélo-93!",
  });
  assert.equal(ok.ok, true);
});

test("a mail server that does not answer: not sent, with the reason; nothing thrown", async () => {
  const down = { ...config(), smtpUrl: "smtp://127.0.0.1:1" };
  const r = await sendMail(down, { to: "x@example.org", subject: "s", text: "t" });
  assert.equal(r.sent, false);
  assert.match(r.sent ? "" : r.reason, /le serveur d'envoi a refusé ou n'a pas répondu/);
  const none = await sendMail(
    { smtpUrl: undefined, mailFrom: undefined },
    { to: "x@example.org", subject: "s", text: "t" },
  );
  assert.deepEqual(none, { sent: false, reason: "aucun serveur d'envoi configuré (MAILLAGE_SMTP_URL)" });
});
