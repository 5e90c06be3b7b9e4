/**
 * Cheque codes: 9 random characters and a check character, from an alphabet of 31 characters without look-alikes
 * (no 0, 1, I, L, O), read aloud and typed by people. The check character makes the weighted sum of the ten values
 * (weights 1 to 10) a multiple of 31; 31 being prime and the weights distinct and below 31, any single wrong
 * character and any swap of two characters change the sum, so the check catches them.
 */
import { randomInt } from "node:crypto";

export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const BASE = CODE_ALPHABET.length; // 31, prime
export const CODE_LENGTH = 10;

const codeValue = (c: string): number => CODE_ALPHABET.indexOf(c);

/** The check character of 9 characters of the alphabet. */
export function checkCharacter(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += (i + 1) * codeValue(body[i] as string);
  // (sum + 10·c) ≡ 0 (mod 31): c = −sum · 10⁻¹, and 10⁻¹ ≡ 28 (mod 31) since 10 × 28 = 280 = 9 × 31 + 1.
  const c = (((-sum * 28) % BASE) + BASE) % BASE;
  return CODE_ALPHABET[c] as string;
}

/** A new random code (crypto-random: a code cannot be guessed from another). */
export function newCode(): string {
  let body = "";
  for (let i = 0; i < CODE_LENGTH - 1; i++) body += CODE_ALPHABET[randomInt(BASE)];
  return body + checkCharacter(body);
}

/** As people read it: three groups, « 4KX7-M2QP-9T ». */
export function displayCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}

export type CodeReading =
  | { ok: true; code: string }
  | { ok: false; kind: "vide" | "longueur" | "caractere" | "faute"; message: string };

/**
 * A code as typed: spaces, dashes and dots ignored, lower case accepted. Says what is wrong in French: its length,
 * a character that no code has, or a typo (the check character does not match).
 */
export function readCode(typed: string): CodeReading {
  const code = typed.toUpperCase().replace(/[\s.\-_–]/g, "");
  if (code === "")
    return { ok: false, kind: "vide", message: "Tapez le code du chèque, écrit sous le QR code." };
  const wrong = [...code].find((c) => codeValue(c) < 0);
  if (wrong !== undefined)
    return {
      ok: false,
      kind: "caractere",
      message: `Le caractère « ${wrong} » n'existe pas dans les codes des chèques (ils n'ont ni 0, ni 1, ni I, ni L, ni O) : vérifiez le code.`,
    };
  if (code.length !== CODE_LENGTH)
    return {
      ok: false,
      kind: "longueur",
      message: `Un code de chèque a ${CODE_LENGTH} caractères ; celui-ci en a ${code.length} : vérifiez le code.`,
    };
  if (checkCharacter(code.slice(0, -1)) !== code.slice(-1))
    return {
      ok: false,
      kind: "faute",
      message: "Ce code contient une faute de frappe : vérifiez chaque caractère avec le chèque.",
    };
  return { ok: true, code };
}
