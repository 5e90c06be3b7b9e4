import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { backends } from "../../test/support/db.ts";
import { fixedClock } from "../platform/clock.ts";
import { type Database, type Db, migrate } from "../platform/db.ts";
import { acceptInvitation, invite, LINK_INVALID, requestReset } from "./invitations.ts";
import { invitationMessage, resetMessage, setupMessage } from "./mail.ts";
import {
  accountMigrations,
  BY_SYSTEM,
  createOrganisation,
  createSession,
  findPersonByEmail,
  findSession,
  listJournal,
  membershipsOf,
} from "./store.ts";

const T0 = new Date("2026-11-02T09:00:00Z");
const STRONG = "Tournesol-Cahier-Vélo-93!";
const OTHER = "Marmotte-Gravier-Piano-41?";
const config = {
  publicUrl: "https://maillage.example.org",
  host: "127.0.0.1",
  port: 3000,
  smtpUrl: undefined,
  mailFrom: undefined,
};
const tokenOf = (link: string) => link.split("/").at(-1) as string;

test("the messages name the organisation, the role, the link and its end, in French", () => {
  const expiresAt = new Date("2026-11-05T09:00:00Z");
  const link = "https://maillage.example.org/invitation/abc";
  const m = invitationMessage({
    to: "a@example.org",
    link,
    expiresAt,
    organisation: "CCAS de Guéret",
    role: "mediateur",
  });
  assert.equal(m.subject, "Invitation à rejoindre CCAS de Guéret sur Maillage");
  assert.match(
    m.text,
    /Vous êtes invité\(e\) à rejoindre CCAS de Guéret sur Maillage, avec le rôle « Médiateur numérique »/,
  );
  assert.match(m.text, /expire le jeudi 5 novembre 2026 à 10 h\./);
  for (const x of [
    m,
    setupMessage({ to: "a@example.org", link, expiresAt, role: "admin" }),
    resetMessage({ to: "a@example.org", link, expiresAt }),
  ]) {
    assert.ok(x.text.includes(`\n${link}\n`));
    assert.equal(x.to, "a@example.org");
  }
  assert.match(resetMessage({ to: "a@example.org", link, expiresAt }).subject, /changer votre mot de passe/);
});

for (const backend of backends) {
  describe(`invitations on ${backend.name}`, () => {
    let database: Database;
    let db: Db;
    let orgId: number;
    before(async () => {
      database = await backend.open();
      db = database.db;
      await migrate(db, accountMigrations);
      orgId = (
        await createOrganisation(
          db,
          { name: "CCAS de Guéret", kind: "ccas", siret: null, territoryId: "23096" },
          T0,
          BY_SYSTEM,
        )
      ).id;
    });
    after(() => database?.close());
    const send = (email: string, purpose: "invitation" | "installation" = "invitation") =>
      invite(db, config, fixedClock(T0), {
        email,
        organisationId: orgId,
        role: "mediateur",
        by: BY_SYSTEM,
        purpose,
      });

    test("an invitation: weak password changes nothing, then it creates the person once; expired and unknown refused", async () => {
      const r = await send("camille@example.org");
      assert.ok(r.ok);
      assert.deepEqual(r.mail, {
        sent: false,
        reason: "aucun serveur d'envoi configuré (MAILLAGE_SMTP_URL)",
      });
      assert.equal(r.expiresAt.getTime() - T0.getTime(), 72 * 3_600_000);
      const token = tokenOf(r.link);
      const weak = await acceptInvitation(db, fixedClock(T0), token, {
        name: "Camille",
        password: "camille2026",
      });
      assert.equal(weak.ok, false);
      assert.equal(await findPersonByEmail(db, "camille@example.org"), null, "rien n'a changé");
      const ok = await acceptInvitation(db, fixedClock(T0), token, {
        name: "Camille Médiatrice",
        password: STRONG,
      });
      assert.ok(ok.ok);
      assert.equal(ok.person.name, "Camille Médiatrice");
      assert.deepEqual(
        (await membershipsOf(db, ok.person.id)).map((m) => m.role),
        ["mediateur"],
      );
      const used = await acceptInvitation(db, fixedClock(T0), token, { name: "X", password: STRONG });
      assert.deepEqual(used, { ok: false, error: LINK_INVALID });
      assert.deepEqual(await acceptInvitation(db, fixedClock(T0), "inconnu", { password: STRONG }), {
        ok: false,
        error: LINK_INVALID,
      });
      const late = await send("dominique@example.org");
      assert.ok(late.ok);
      const expired = await acceptInvitation(
        db,
        fixedClock(new Date(T0.getTime() + 73 * 3_600_000)),
        tokenOf(late.link),
        { name: "D", password: STRONG },
      );
      assert.deepEqual(expired, { ok: false, error: LINK_INVALID });
      assert.ok((await listJournal(db, { action: "invitation.refuser", limit: 1, offset: 0 })).total >= 3);
      assert.equal((await listJournal(db, { action: "invitation.utiliser", limit: 1, offset: 0 })).total, 1);
    });

    test("an existing account accepts with its current password, which the link cannot replace", async () => {
      const r = await send("camille@example.org");
      assert.ok(r.ok);
      const wrong = await acceptInvitation(db, fixedClock(T0), tokenOf(r.link), { password: OTHER });
      assert.equal(wrong.ok, false);
      assert.match(wrong.ok ? "" : wrong.error, /mot de passe actuel/);
      const ok = await acceptInvitation(db, fixedClock(T0), tokenOf(r.link), { password: STRONG });
      assert.ok(ok.ok);
    });

    test("a password reset sets the new password and closes every session", async () => {
      const person = await findPersonByEmail(db, "camille@example.org");
      assert.ok(person);
      await createSession(
        db,
        {
          idHash: "s".repeat(64),
          personId: person.id,
          csrfSecret: "c",
          idleMinutes: 120,
          secondFactorDone: true,
        },
        T0,
      );
      assert.equal(
        (await requestReset(db, config, fixedClock(T0), { email: "nobody@example.org", by: BY_SYSTEM })).ok,
        false,
      );
      const r = await requestReset(db, config, fixedClock(T0), {
        email: "camille@example.org",
        by: BY_SYSTEM,
      });
      assert.ok(r.ok);
      const ok = await acceptInvitation(db, fixedClock(T0), tokenOf(r.link), { password: OTHER });
      assert.ok(ok.ok);
      assert.equal(ok.purpose, "reinitialisation");
      assert.notEqual(ok.person.passwordHash, person.passwordHash);
      assert.equal(await findSession(db, "s".repeat(64), T0), null);
      assert.equal((await membershipsOf(db, person.id)).length, 1);
    });
  });
}
