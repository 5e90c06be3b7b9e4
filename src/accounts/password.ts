/**
 * Passwords: a memory-hard hash (Node's scrypt) and the rules a new password must meet.
 *
 * A hash is stored as `scrypt$N$r$p$salt$hash` (salt and hash in base64url), so that its parameters travel with it:
 * raising the cost later needs no migration, `needsRehash` says when a hash was made with other parameters and the
 * login re-hashes the password it has just verified. Passwords are compared in NFC, so that « é » typed as one
 * character or as e + accent is the same password.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import { createRequire } from "node:module";

/**
 * The cost: N = 2^16, r = 8, p = 1, i.e. 64 MiB of memory and about 0.35 s per hash on the 2-core machine of the
 * measurements. See docs/decisions.md, « Accounts: hashing, second factor, policy ».
 */
const CURRENT = { N: 2 ** 16, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

interface Params {
  N: number;
  r: number;
  p: number;
}

/** scrypt needs 128 × N × r bytes; Node refuses above `maxmem` (32 MiB by default). */
function options(params: Params): ScryptOptions {
  return { ...params, maxmem: 128 * params.N * params.r + 1024 * 1024 };
}

function derive(password: string, salt: Buffer, params: Params, length = KEY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, length, options(params), (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

interface Parsed extends Params {
  salt: Buffer;
  hash: Buffer;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/** The parts of a stored hash, or null when it is not one (bounded parameters: a stored value cannot ask for 1 TB). */
function parse(encoded: string): Parsed | null {
  const parts = encoded.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every(Number.isSafeInteger)) return null;
  if (N < 2 ** 10 || N > 2 ** 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const [salt, hash] = [parts[4] as string, parts[5] as string];
  if (!B64URL.test(salt) || !B64URL.test(hash)) return null;
  const parsed = { N, r, p, salt: Buffer.from(salt, "base64url"), hash: Buffer.from(hash, "base64url") };
  if (parsed.salt.length < 8 || parsed.hash.length < 16 || parsed.hash.length > 64) return null;
  return parsed;
}

/** The stored form of a new password: `scrypt$N$r$p$salt$hash`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, CURRENT);
  return [
    "scrypt",
    CURRENT.N,
    CURRENT.r,
    CURRENT.p,
    salt.toString("base64url"),
    hash.toString("base64url"),
  ].join("$");
}

/** Does `password` match the stored hash? False for a malformed hash. Compared in constant time. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parse(encoded);
  if (!parsed) return false;
  const hash = await derive(password, parsed.salt, parsed, parsed.hash.length);
  return timingSafeEqual(hash, parsed.hash);
}

/**
 * The same work as `verifyPassword` against a current hash, for a login whose e-mail is unknown: the answer then
 * takes as long as for a known e-mail with a wrong password. Always false.
 */
export async function verifyDummy(password: string): Promise<false> {
  const hash = await derive(password, randomBytes(SALT_BYTES), CURRENT);
  timingSafeEqual(hash, Buffer.alloc(KEY_BYTES));
  return false;
}

/** Was this hash made with other parameters than today's (or is it not a hash at all)? Then store a new one. */
export function needsRehash(encoded: string): boolean {
  const parsed = parse(encoded);
  return (
    !parsed ||
    parsed.N !== CURRENT.N ||
    parsed.r !== CURRENT.r ||
    parsed.p !== CURRENT.p ||
    parsed.salt.length !== SALT_BYTES ||
    parsed.hash.length !== KEY_BYTES
  );
}

/* Strength: zxcvbn-ts with the common and French dictionaries, loaded at the first check (about 4 MB). */

const MIN_LENGTH = 12;
const MAX_LENGTH = 256;

type Core = typeof import("@zxcvbn-ts/core");
type Common = typeof import("@zxcvbn-ts/language-common");
type French = typeof import("@zxcvbn-ts/language-fr");

let estimator: { zxcvbn: InstanceType<Core["ZxcvbnFactory"]>; french: French["translations"] } | null = null;

function loadEstimator(): NonNullable<typeof estimator> {
  if (!estimator) {
    const require = createRequire(import.meta.url);
    const core = require("@zxcvbn-ts/core") as Core;
    const common = require("@zxcvbn-ts/language-common") as Common;
    const french = require("@zxcvbn-ts/language-fr") as French;
    // No translations given: the feedback comes as keys, worded below.
    const zxcvbn = new core.ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...french.dictionary },
      graphs: common.adjacencyGraphs,
      useLevenshteinDistance: true,
    });
    estimator = { zxcvbn, french: french.translations };
  }
  return estimator;
}

/** Why a password is guessable, by zxcvbn's warning key, in our words (« Ce mot de passe est trop facile à deviner : … »). */
const WHY: Record<string, string> = {
  straightRow: "il suit une rangée du clavier.",
  keyPattern: "il suit un motif du clavier.",
  simpleRepeat: "il répète le même caractère.",
  extendedRepeat: "il répète un même groupe de caractères.",
  sequences: "il contient une suite facile à deviner (abc, 1234…).",
  recentYears: "il contient une année récente.",
  dates: "il contient une date.",
  topTen: "c'est l'un des mots de passe les plus utilisés.",
  topHundred: "c'est l'un des mots de passe les plus utilisés.",
  common: "c'est un mot de passe très répandu.",
  similarToCommon: "il ressemble à un mot de passe très répandu.",
  wordByItself: "c'est un mot du dictionnaire, seul.",
  namesByThemselves: "c'est un nom ou un prénom, seul.",
  commonNames: "il est fait de noms ou de prénoms courants.",
  userInputs: "il contient votre nom, votre adresse e-mail ou le nom du site.",
  pwned: "il a été divulgué lors d'une fuite de données.",
};
const ADVICE = "Choisissez par exemple trois ou quatre mots sans lien entre eux.";

/** Words of the person (e-mail, name) and of the site that a password must not lean on. */
function personalWords(userInputs: string[]): string[] {
  const words = new Set(["maillage"]);
  for (const input of userInputs) {
    const text = input.trim().toLowerCase();
    if (!text) continue;
    words.add(text);
    for (const part of text.split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) words.add(part);
  }
  return [...words];
}

/**
 * What is wrong with a new password, in plain French, or null when it is acceptable: at least 12 characters, and
 * not guessable (zxcvbn score of 3 or more, with the person's e-mail and name given in `userInputs`).
 */
export function passwordProblem(password: string, userInputs: string[]): string | null {
  const length = [...password.normalize("NFC")].length;
  if (length < MIN_LENGTH) return `Le mot de passe doit compter au moins ${MIN_LENGTH} caractères.`;
  if (length > MAX_LENGTH) return `Le mot de passe ne peut pas dépasser ${MAX_LENGTH} caractères.`;
  const { zxcvbn, french } = loadEstimator();
  const words = personalWords(userInputs);
  const result = zxcvbn.check(password, words);
  // zxcvbn counts « claire.martin2024 » as strong for Claire Martin (each known word still costs guesses): the
  // person's and the site's words add nothing against someone who knows them, so what is left must be strong alone.
  const rest = withoutWords(password, words);
  const key =
    result.score < 3
      ? result.feedback.warning
      : rest !== password && zxcvbn.check(rest).score < 3
        ? "userInputs"
        : undefined;
  if (key === undefined) return null;
  // A key we do not word ourselves (a newer zxcvbn): its French translation, else our generic reason.
  const why =
    (key && (WHY[key] ?? lowerFirst(french.warnings[key as keyof typeof french.warnings]))) ||
    "il est trop prévisible.";
  return `Ce mot de passe est trop facile à deviner : ${why} ${ADVICE}`;
}

/** `password` with every word of `words` (3 characters or more) taken out, ignoring case. */
function withoutWords(password: string, words: string[]): string {
  let rest = password;
  for (const word of [...words].sort((a, b) => b.length - a.length)) {
    if (word.length < 3) continue;
    for (;;) {
      const lower = rest.toLowerCase();
      const at = lower.indexOf(word);
      // Lower-casing may change the length of a few characters (İ): positions then do not match, stop there.
      if (at < 0 || lower.length !== rest.length) break;
      rest = rest.slice(0, at) + rest.slice(at + word.length);
    }
  }
  return rest;
}

function lowerFirst(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const sentence = text.endsWith(".") ? text : `${text}.`;
  return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}
