/**
 * French formatting of numbers, days and times, in one place. Every date or time is formatted from an explicit
 * time zone (a Day is already a wall-clock day): the server's zone never shows through.
 */
import { type Day, dayIn, dayParts, wallTime } from "./clock.ts";

const numberFormats = new Map<string, Intl.NumberFormat>();

/** « 12 345 », « 3,5 »: at most `maxDigits` decimals (0 by default), at least `minDigits`. */
export function formatNumber(n: number, maxDigits = 0, minDigits = 0): string {
  const key = `${maxDigits}/${minDigits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat("fr-FR", {
      maximumFractionDigits: maxDigits,
      minimumFractionDigits: Math.min(minDigits, maxDigits),
    });
    numberFormats.set(key, f);
  }
  return f.format(n);
}

/** Monday first, as `WallTime.weekday` and `dayParts().weekday` count. */
export const WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"] as const;
/** The months' names, January first. */
export const MONTHS = [
  "janvier",
  "février",
  "mars",
  "avril",
  "mai",
  "juin",
  "juillet",
  "août",
  "septembre",
  "octobre",
  "novembre",
  "décembre",
];

/** « 9 h », « 13 h 30 », « 24 h » (midnight at the end of a day). */
export function frenchTime(hour: number, minute: number): string {
  return `${hour} h${minute === 0 ? "" : ` ${String(minute).padStart(2, "0")}`}`;
}

/** « 9 h 30 » from « 09:30 ». */
export function frenchClock(hhmm: string): string {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  return m ? frenchTime(Number(m[1]), Number(m[2])) : hhmm;
}

/** « 1er » for the first day of a month, as French writes dates. */
const dayNumber = (d: number) => (d === 1 ? "1er" : String(d));

/** « lundi 18 novembre » (`year`: « lundi 18 novembre 2026 »). */
export function formatDay(day: Day, opts: { weekday?: boolean; year?: boolean } = {}): string {
  const p = dayParts(day);
  const text = `${dayNumber(p.day)} ${MONTHS[p.month - 1]}${opts.year ? ` ${p.year}` : ""}`;
  return opts.weekday === false ? text : `${WEEKDAYS[p.weekday]} ${text}`;
}

/** « mercredi 18 novembre 2026 à 10 h 05 »: the wall clock of `zone` at `instant`. */
export function formatDateTime(instant: Date, zone: string): string {
  const w = wallTime(instant, zone);
  return `${formatDay(dayIn(instant, zone), { year: true })} à ${frenchTime(w.hour, w.minute)}`;
}

/** A phone number as people read it and as a phone dials it (`tel:` link target, E.164 when known). */
export interface Phone {
  /** « 05 87 33 01 80 », « 02 62 12 34 56 », « +508 41 23 45 »; other numbers as written. */
  text: string;
  /** « +33587330180 »; null when the text holds no number to dial. */
  tel: string | null;
}

/** Overseas départements and collectivités dialled with a 0 in France: national prefix → country code. */
const OVERSEAS_PREFIXES: [RegExp, string][] = [
  [/^0(262|263|269|639|692|693)/, "+262"],
  [/^0(590|690|691)/, "+590"],
  [/^0(594|694)/, "+594"],
  [/^0(596|696|697)/, "+596"],
];
/** Country codes whose numbers are written nationally as 0 + 9 digits. */
const NATIONAL_CODES = ["+33", "+262", "+590", "+594", "+596"];

const pairs = (digits: string) => digits.replace(/(\d{2})(?=\d)/g, "$1 ");

/**
 * « 05 87 33 01 80 » and `tel:+33587330180` from « +33587330180 », « 0587330180 », « 05.87.33.01.80 », « 0033… »;
 * overseas numbers too (« +262262123456 » → « 02 62 12 34 56 », « +508 41 23 45 »). Short numbers (« 3939 »)
 * and unknown forms keep their text. Null for an empty text.
 */
export function formatPhone(raw: string): Phone | null {
  const text = raw.trim();
  if (text === "") return null;
  let digits = text.replace(/[\s.\-/()]/g, "").replace(/^00/, "+");
  // « +33 (0)5 … »
  digits = digits.replace(/^\+33\(?0\)?/, "+33");
  if (!/^\+?\d+$/.test(digits)) {
    // A number with words around it (« 05 87 33 01 80 (standard) »): the words stay, the number is dialled.
    const only = text.replace(/[^\d+]/g, "");
    return { text, tel: /^\+?\d{3,}$/.test(only) ? (formatPhone(only)?.tel ?? null) : null };
  }
  if (/^0\d{9}$/.test(digits)) {
    const code = OVERSEAS_PREFIXES.find(([re]) => re.test(digits))?.[1] ?? "+33";
    return { text: pairs(digits), tel: `${code}${digits.slice(1)}` };
  }
  for (const code of NATIONAL_CODES)
    if (digits.startsWith(code) && digits.length === code.length + 9)
      return { text: pairs(`0${digits.slice(code.length)}`), tel: digits };
  // Saint-Pierre-et-Miquelon (6 digits), Pacific collectivités (6 or 8 digits): international form, in pairs.
  const pacific = /^\+(508|681|687|689)(\d{6}|\d{8})$/.exec(digits);
  if (pacific) return { text: `+${pacific[1]} ${pairs(pacific[2] as string)}`, tel: digits };
  if (/^\d{3,6}$/.test(digits)) return { text, tel: digits };
  return { text, tel: digits.replace(/\D/g, "").length >= 6 ? digits : null };
}
