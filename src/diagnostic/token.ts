/**
 * The state of a questionnaire in progress travels in a signed token (nothing is stored until the end, no account):
 * base64url(JSON) + "." + base64url(HMAC-SHA256). It carries no personal data: the questionnaire version, the mode,
 * the commune, the answers, when it was issued and a random nonce (so that a result is counted once).
 * Pure functions: the secret and the clock are given.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { type Answers, MODES, type Mode } from "./model.ts";

/** A questionnaire may take a while with a helper; after two hours the person starts again. */
export const TOKEN_MAX_AGE_MS = 2 * 60 * 60 * 1000;
/** Tolerated clock difference between servers. */
const SKEW_MS = 60 * 1000;
const MAX_TOKEN_LENGTH = 4000;

export interface TokenState {
  /** Questionnaire version. */
  v: string;
  m: Mode;
  /** INSEE code of the commune. */
  c: string;
  a: Answers;
  /** Issued at (ms since epoch). */
  i: number;
  /** Random nonce. */
  n: string;
}

const stateSchema = z.object({
  v: z.string().max(60),
  m: z.enum(MODES as [Mode, ...Mode[]]),
  c: z.string().max(10),
  a: z.record(z.string().max(40), z.union([z.string().max(40), z.array(z.string().max(40)).max(20)])),
  i: z.number().int(),
  n: z.string().max(40),
});

export type TokenProblem = "malformed" | "signature" | "expired";

const mac = (body: string, secret: Buffer) => createHmac("sha256", secret).update(body).digest();

export function signToken(state: TokenState, secret: Buffer): string {
  const body = Buffer.from(JSON.stringify(state)).toString("base64url");
  return `${body}.${mac(body, secret).toString("base64url")}`;
}

/** The state of a token whose signature is right and which is neither expired nor from the future. */
export function verifyToken(
  token: string,
  secret: Buffer,
  now: number,
  maxAgeMs = TOKEN_MAX_AGE_MS,
): { ok: true; state: TokenState } | { ok: false; problem: TokenProblem } {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, problem: "malformed" };
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!m?.[1] || !m[2]) return { ok: false, problem: "malformed" };
  const given = Buffer.from(m[2], "base64url");
  const expected = mac(m[1], secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, problem: "signature" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(m[1], "base64url").toString("utf8"));
  } catch {
    return { ok: false, problem: "malformed" };
  }
  const state = stateSchema.safeParse(parsed);
  if (!state.success) return { ok: false, problem: "malformed" };
  if (now - state.data.i > maxAgeMs || state.data.i - now > SKEW_MS) return { ok: false, problem: "expired" };
  return { ok: true, state: state.data };
}

/** Plain French for a refused token. */
export const TOKEN_MESSAGES: Record<TokenProblem, string> = {
  malformed: "Le lien du questionnaire est incomplet ou abîmé.",
  signature: "Le lien du questionnaire a été modifié : nous ne pouvons pas reprendre vos réponses.",
  expired: "Le questionnaire a été commencé il y a plus de deux heures : vos réponses ne sont plus gardées.",
};
