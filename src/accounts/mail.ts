/**
 * E-mail of the accounts: invitations, set-up links and password resets, sent through SMTP (nodemailer) when
 * `MAILLAGE_SMTP_URL` is set. Sending never throws: the caller has already committed its change and always shows
 * the link too, so a mail server that is down or refuses the message becomes `{ sent: false, reason }`.
 * The texts are pure functions, in plain French.
 */
import { createTransport } from "nodemailer";
import type { Config } from "../platform/config.ts";
import { formatDateTime } from "../platform/format.ts";
import { ROLE_LABELS, type Role } from "./model.ts";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export type MailResult = { sent: true } | { sent: false; reason: string };

/** Dates in the messages are read on the wall clock of metropolitan France. */
const ZONE = "Europe/Paris";

/** A stuck mail server must not keep a command or a page waiting. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

type Transport = ReturnType<typeof createTransport>;
const transports = new Map<string, Transport>();

/** Sends one plain-text message; never throws. Without `MAILLAGE_SMTP_URL`, nothing is sent. */
export async function sendMail(
  config: Pick<Config, "smtpUrl" | "mailFrom">,
  message: MailMessage,
): Promise<MailResult> {
  if (!config.smtpUrl || !config.mailFrom)
    return { sent: false, reason: "aucun serveur d'envoi configuré (MAILLAGE_SMTP_URL)" };
  try {
    let transport = transports.get(config.smtpUrl);
    if (!transport) {
      transport = createTransport({ url: config.smtpUrl, ...TIMEOUTS });
      transports.set(config.smtpUrl, transport);
    }
    await transport.sendMail({
      from: config.mailFrom,
      to: message.to,
      subject: message.subject,
      text: message.text,
    });
    return { sent: true };
  } catch (e) {
    return {
      sent: false,
      reason: `le serveur d'envoi a refusé ou n'a pas répondu (${(e as Error).message})`,
    };
  }
}

interface LinkText {
  link: string;
  expiresAt: Date;
}

const until = (expiresAt: Date) =>
  `Ce lien ne sert qu'une fois et expire le ${formatDateTime(expiresAt, ZONE)}.`;

const FOOTER =
  "Si vous n'attendiez pas ce message, ignorez-le : rien ne sera fait sans ce lien.\n\n— Maillage, l'inclusion numérique du territoire";

/** An invitation to join an organisation with a role. */
export function invitationMessage(
  m: LinkText & { to: string; organisation: string; role: Role; inviter?: string | null },
): MailMessage {
  const who = m.inviter ? `${m.inviter} vous invite` : "Vous êtes invité(e)";
  return {
    to: m.to,
    subject: `Invitation à rejoindre ${m.organisation} sur Maillage`,
    text: [
      "Bonjour,",
      "",
      `${who} à rejoindre ${m.organisation} sur Maillage, avec le rôle « ${ROLE_LABELS[m.role]} ».`,
      "",
      "Pour accepter, ouvrez ce lien et choisissez votre mot de passe :",
      m.link,
      "",
      until(m.expiresAt),
      "",
      FOOTER,
    ].join("\n"),
  };
}

/** The first password of an account created from the command line. */
export function setupMessage(m: LinkText & { to: string; role: Role }): MailMessage {
  return {
    to: m.to,
    subject: "Votre compte Maillage : choisissez votre mot de passe",
    text: [
      "Bonjour,",
      "",
      `Un compte Maillage a été créé pour vous, avec le rôle « ${ROLE_LABELS[m.role]} ».`,
      "",
      "Pour l'activer, ouvrez ce lien et choisissez votre mot de passe :",
      m.link,
      "",
      until(m.expiresAt),
      "",
      FOOTER,
    ].join("\n"),
  };
}

/** A password reset. */
export function resetMessage(m: LinkText & { to: string }): MailMessage {
  return {
    to: m.to,
    subject: "Maillage : changer votre mot de passe",
    text: [
      "Bonjour,",
      "",
      "Une demande de nouveau mot de passe a été faite pour votre compte Maillage.",
      "",
      "Pour choisir un nouveau mot de passe, ouvrez ce lien :",
      m.link,
      "",
      until(m.expiresAt),
      "Votre ancien mot de passe reste valable tant que vous n'en avez pas choisi un nouveau ; une fois changé,",
      "toutes vos sessions ouvertes sont fermées.",
      "",
      FOOTER,
    ].join("\n"),
  };
}
