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
const MONTHS = [
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
