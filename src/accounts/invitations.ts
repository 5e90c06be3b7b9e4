/**
 * Invitations, set-up links and password resets: one single-use link each (32 random bytes, base64url; the store
 * keeps its SHA-256), valid 72 hours, sent by e-mail when SMTP is configured and always returned to the caller so
 * that it can be passed on by hand. Used by the commands now and by the pages.
 *
 * Accepting a link is one transaction: the link is used (the database decides single use), the password checked
 * and hashed, the person created or updated, the membership added, each journaled. Any refusal rolls it all back:
 * a weak password leaves the link usable.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../platform/clock.ts";
import type { Config } from "../platform/config.ts";
import type { Db } from "../platform/db.ts";
import { invitationMessage, type MailResult, resetMessage, sendMail, setupMessage } from "./mail.ts";
import type { Role } from "./model.ts";
import { hashPassword, passwordProblem, verifyPassword } from "./password.ts";
import {
  addMembership,
  appendJournal,
  createInvitation,
  createPerson,
  findPersonByEmail,
  getOrganisation,
  getPerson,
  type InvitationPurpose,
  type JournalBy,
  membershipsOf,
  type StoredPerson,
  setPassword,
  useInvitation,
  withJournal,
} from "./store.ts";

/** How long a link stays valid. */
export const LINK_HOURS = 72;

/** A link's secret: 32 random bytes in base64url (43 characters). */
const newLinkToken = (): string => randomBytes(32).toString("base64url");

/** What the store keeps of a link's secret. */
const linkTokenHash = (token: string): string => createHash("sha256").update(token).digest("hex");

/** MAILLAGE_PUBLIC_URL, else the configured host and port (a command does not know the port a server chose). */
function linkBase(config: Pick<Config, "publicUrl" | "host" | "port">): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return `http://${host}:${config.port}`;
}

/** A plausible e-mail address (the login): one @, no spaces, a dot in the domain, 254 characters at most. */
export function emailProblem(email: string): string | null {
  const e = email.trim();
  if (e.length === 0) return "indiquez une adresse e-mail.";
  if (e.length > 254 || !/^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/.test(e))
    return `« ${e.slice(0, 80)} » n'est pas une adresse e-mail valable.`;
  return null;
}

export interface InviteRequest {
  email: string;
  organisationId: number;
  role: Role;
  /** The membership's territory (a coordinator's); by default the organisation's. */
  territoryId?: string;
  by: JournalBy;
  purpose: InvitationPurpose;
  /** The inviter's name, for the message (« Claire Martin vous invite… »). */
  inviterName?: string | null;
  /** The site's address for the link (the pages give `publicBase`); by default `linkBase(config)`. */
  base?: string;
}

export type InviteOutcome =
  | { ok: true; link: string; expiresAt: Date; mail: MailResult }
  | { ok: false; error: string };

/**
 * Creates a single-use link (journaled `<purpose>.envoyer` by the store), then, once committed, sends it by e-mail
 * when SMTP is configured. Always returns the link: the inviter can pass it on by hand. The pages must not show a
 * reset link to someone who is not an administrator (a reset asked « mot de passe oublié » is only mailed).
 */
export async function invite(
  db: Db,
  config: Pick<Config, "publicUrl" | "host" | "port" | "smtpUrl" | "mailFrom">,
  clock: Clock,
  r: InviteRequest,
): Promise<InviteOutcome> {
  const bad = emailProblem(r.email);
  if (bad) return { ok: false, error: bad };
  const organisation = await getOrganisation(db, r.organisationId);
  if (!organisation) return { ok: false, error: `l'organisation n° ${r.organisationId} n'existe pas.` };
  const email = r.email.trim().toLowerCase();
  if (r.purpose !== "invitation") {
    const person = await findPersonByEmail(db, email);
    if (!person) return { ok: false, error: `aucun compte n'a l'adresse ${email}.` };
    if (!person.active) return { ok: false, error: `le compte de ${email} est désactivé.` };
  }
  const now = clock.now();
  const token = newLinkToken();
  const expiresAt = new Date(now.getTime() + LINK_HOURS * 3_600_000);
  await createInvitation(
    db,
    {
      tokenHash: linkTokenHash(token),
      email,
      organisationId: organisation.id,
      role: r.role,
      territoryId: r.territoryId ?? organisation.territoryId,
      expiresAt,
      purpose: r.purpose,
    },
    now,
    r.by,
  );
  const link = `${r.base ?? linkBase(config)}/invitation/${token}`;
  const message =
    r.purpose === "invitation"
      ? invitationMessage({
          to: email,
          link,
          expiresAt,
          organisation: organisation.name,
          role: r.role,
          inviter: r.inviterName,
        })
      : r.purpose === "installation"
        ? setupMessage({ to: email, link, expiresAt, role: r.role })
        : resetMessage({ to: email, link, expiresAt });
  const mail = await sendMail(config, message);
  return { ok: true, link, expiresAt, mail };
}

/**
 * A password reset for an existing, active account: a link of purpose `reinitialisation` for their first
 * membership (the table needs one; the membership is not changed when the link is used).
 */
export async function requestReset(
  db: Db,
  config: Parameters<typeof invite>[1],
  clock: Clock,
  r: { email: string; by: JournalBy; base?: string },
): Promise<InviteOutcome> {
  const person = await findPersonByEmail(db, r.email);
  if (!person?.active) return { ok: false, error: `aucun compte actif n'a l'adresse ${r.email.trim()}.` };
  const [first] = await membershipsOf(db, person.id);
  if (!first)
    return { ok: false, error: `le compte de ${person.email} n'a aucun rôle dans une organisation.` };
  return invite(db, config, clock, {
    email: person.email,
    organisationId: first.organisationId,
    role: first.role,
    territoryId: first.territoryId,
    by: r.by,
    purpose: "reinitialisation",
    base: r.base,
  });
}

/** The single message for an unknown, used or expired link (the database does not tell them apart). */
export const LINK_INVALID =
  "ce lien n'est plus valable : il a déjà servi, il a expiré (72 heures) ou il est inconnu. Demandez un nouveau lien à la personne qui vous l'a envoyé.";

export type AcceptOutcome =
  | { ok: true; person: StoredPerson; purpose: InvitationPurpose }
  | { ok: false; error: string };

/** Thrown inside the transaction to roll everything back with a French message. */
class Refused extends Error {}

/**
 * Uses a link: `name` and `password` as the person typed them on the page. An invitation creates the person (or,
 * when the e-mail already has an account with a password, asks for that password instead of replacing it) and
 * adds the membership; a set-up link sets the first password; a reset sets a new one and closes every session.
 */
export async function acceptInvitation(
  db: Db,
  clock: Clock,
  token: string,
  input: { name?: string; password: string; address?: string | null },
): Promise<AcceptOutcome> {
  const now = clock.now();
  const address = input.address ?? null;
  const by = (personId: number | null): JournalBy => ({
    personId,
    organisationId: null,
    role: null,
    address,
  });
  try {
    const result = await withJournal<{ person: StoredPerson; purpose: InvitationPurpose }>(
      db,
      (r) => ({
        ...by(r.person.id),
        at: now,
        action: `${r.purpose}.utiliser`,
        target: `personne:${r.person.id}`,
      }),
      async (trx) => {
        const inv = await useInvitation(trx, linkTokenHash(token), now);
        if (!inv) throw new Refused(LINK_INVALID);
        const existing = await findPersonByEmail(trx, inv.email);
        if (existing && !existing.active)
          throw new Refused("ce compte est désactivé : adressez-vous à un administrateur.");
        const name = (input.name ?? "").trim() || existing?.name || "";
        if (inv.purpose === "invitation" && existing?.passwordHash) {
          // An existing account: the link alone (which the inviter saw too) must not replace its password.
          if (!(await verifyPassword(input.password, existing.passwordHash)))
            throw new Refused(
              "vous avez déjà un compte Maillage : saisissez votre mot de passe actuel pour accepter l'invitation.",
            );
        } else {
          if (!existing && name.length === 0) throw new Refused("indiquez votre nom.");
          if (name.length > 200) throw new Refused("votre nom est trop long (200 caractères au plus).");
          const problem = passwordProblem(input.password, [inv.email, name]);
          if (problem) throw new Refused(problem);
        }
        let person = existing;
        if (!person) {
          if (inv.purpose !== "invitation") throw new Refused(LINK_INVALID);
          person = await createPerson(
            trx,
            { email: inv.email, name, passwordHash: await hashPassword(input.password) },
            now,
            by(null),
          );
        } else if (!(inv.purpose === "invitation" && existing?.passwordHash)) {
          await setPassword(trx, person.id, await hashPassword(input.password), now, by(person.id));
        }
        if (inv.purpose !== "reinitialisation") {
          const memberships = await membershipsOf(trx, person.id);
          const has = memberships.some((m) => m.organisationId === inv.organisationId && m.role === inv.role);
          if (!has)
            await addMembership(
              trx,
              {
                personId: person.id,
                organisationId: inv.organisationId,
                role: inv.role,
                territoryId: inv.territoryId,
              },
              now,
              by(person.id),
            );
        }
        const fresh = (await getPerson(trx, person.id)) as StoredPerson;
        return { person: fresh, purpose: inv.purpose };
      },
    );
    return { ok: true, ...result };
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    // Nothing changed (rolled back); the refusal itself is journaled, without the link or the password.
    await appendJournal(db, {
      ...by(null),
      at: now,
      action: "invitation.refuser",
      details: { motif: e.message === LINK_INVALID ? "lien" : "saisie" },
    });
    return { ok: false, error: e.message };
  }
}
