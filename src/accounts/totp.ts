/**
 * The second factor: TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps, what every authenticator app reads) through
 * the `otpauth` package, and single-use recovery codes. The clock is the caller's (`now`); the store keeps the last
 * step used, so that a code cannot be played twice.
 */
import { createHash, randomInt } from "node:crypto";
import { Secret, TOTP } from "otpauth";

const PERIOD = 30;
const DIGITS = 6;

function totp(secret: string, label = "", issuer = ""): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: "SHA1",
    digits: DIGITS,
    period: PERIOD,
    secret: Secret.fromBase32(secret),
  });
}

/** A new secret of 160 bits (RFC 4226's recommended length), in base32 as the apps take it typed. */
export function newSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://totp/…` address the QR code of the enrolment carries. */
export function otpauthUri(secret: string, email: string, issuer = "Maillage"): string {
  return totp(secret, email, issuer).toString();
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: "format" | "wrong" | "replayed" };

/**
 * Checks a typed code (spaces allowed) at `now`, one step either side for clocks that drift. A code of a step at or
 * before `lastUsedStep` is a replay; when accepted, the caller stores `step` as the new last used step.
 */
export function verifyTotp(secret: string, code: string, now: Date, lastUsedStep: number | null): TotpCheck {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return { ok: false, reason: "format" };
  const at = now.getTime();
  const delta = totp(secret).validate({ token, timestamp: at, window: 1 });
  if (delta === null) return { ok: false, reason: "wrong" };
  const step = Math.floor(at / 1000 / PERIOD) + delta;
  if (lastUsedStep !== null && step <= lastUsedStep) return { ok: false, reason: "replayed" };
  return { ok: true, step };
}

/* Recovery codes: ten, each of 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U/V), read
 * aloud in two groups of 5: « K7M3Q-WXA9F ». About 48 bits each. */

const ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ";
const RECOVERY_CODES = 10;

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODES }, () => {
    let code = "";
    for (let i = 0; i < 10; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    return `${code.slice(0, 5)}-${code.slice(5)}`;
  });
}

/**
 * What the store keeps of a recovery code: SHA-256 (hex) of the code without case, spaces or dashes. A fast hash is
 * enough for random codes of 48 bits; see docs/decisions.md.
 */
export function hashRecoveryCode(code: string): string {
  const normal = code.toUpperCase().replace(/[\s\-‐‑–—]/g, "");
  return createHash("sha256").update(normal).digest("hex");
}
