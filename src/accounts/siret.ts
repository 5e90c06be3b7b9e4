/**
 * SIRET numbers (an establishment's 14-digit identifier: the 9-digit SIREN of the legal unit, then a 5-digit NIC).
 * Both the SIREN and the whole SIRET carry a Luhn key. La Poste is the one exception INSEE documents: its
 * establishments (SIREN 356000000) were numbered so that the sum of the 14 digits is a multiple of 5 instead; only
 * its head office, 356 000 000 00048, has a Luhn key (its digits sum to 26). Every La Poste SIRET of the shipped
 * list of conseillers numériques' places follows this rule.
 */

const LA_POSTE = "356000000";
const LA_POSTE_HEAD_OFFICE = "35600000000048";

/** Luhn's check: from the right, every second digit doubled (minus 9 above 9), the sum a multiple of 10. */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function digitSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += digits.charCodeAt(i) - 48;
  return sum;
}

/** Is `s` a SIRET as stored: 14 digits, SIREN and SIRET keys right (La Poste's rule for its establishments)? */
export function isValidSiret(s: string): boolean {
  if (!/^\d{14}$/.test(s) || /^0+$/.test(s)) return false;
  const siren = s.slice(0, 9);
  if (!luhn(siren)) return false;
  if (siren === LA_POSTE) return s === LA_POSTE_HEAD_OFFICE || digitSum(s) % 5 === 0;
  return luhn(s);
}

/** The 14 digits of a SIRET typed with spaces, dots or non-breaking spaces (« 356 000 000 00048 »). */
function compact(input: string): string {
  return input.replace(/[\s.\u00a0\u202f]/g, "");
}

/** The SIRET as stored (14 digits), or null when the input is not a valid SIRET. */
export function normaliseSiret(input: string): string | null {
  const s = compact(input);
  return isValidSiret(s) ? s : null;
}

/** Why the input is not a valid SIRET, in plain French, or null when it is one. */
export function siretError(input: string): string | null {
  const s = compact(input);
  if (!/^\d{14}$/.test(s)) return "Le SIRET doit compter 14 chiffres.";
  if (!isValidSiret(s)) return "Ce SIRET n'est pas valide : vérifiez les chiffres (clé de contrôle).";
  return null;
}
