/**
 * Opening hours for orientation, in local time (Europe/Paris), with the clock always passed in.
 *
 * Rule for public holidays: when a place's hours say nothing about them (no `PH` rule), it is taken as closed on
 * French public holidays (`; PH off` is added), as nearly every public service is. A person sent to a closed door
 * on 14 July loses more than one told to come back the next day.
 */
import type opening_hours from "opening_hours";
import { isPublicHoliday, parseHours } from "../places/hours.ts";
import { DAYS, type Day, type HalfDay, type When } from "./model.ts";

const cache = new Map<string, opening_hours | null>();

/** The parsed hours of a place, holidays closed unless said otherwise; null when unknown or unreadable. */
export function placeHours(text: string | null, unparsed = false): opening_hours | null {
  if (!text || unparsed) return null;
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const oh = /\bPH\b/.test(text) ? parseHours(text) : (parseHours(`${text}; PH off`) ?? parseHours(text));
  if (cache.size > 50_000) cache.clear();
  cache.set(text, oh);
  return oh;
}

/** « 9 h », « 13 h 30 ». */
function frenchTime(d: Date): string {
  const m = d.getMinutes();
  return `${d.getHours()} h${m === 0 ? "" : ` ${String(m).padStart(2, "0")}`}`;
}

const WEEKDAYS = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"];
const DAY_MONTH = new Intl.DateTimeFormat("fr-FR", { weekday: "long", day: "numeric", month: "long" });

const midnight = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate());
const addDays = (d: Date, n: number) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
const daysBetween = (a: Date, b: Date) =>
  Math.round((midnight(b).getTime() - midnight(a).getTime()) / 86_400_000);

/** « à 14 h » (today), « demain à 9 h », « mardi à 9 h » (this week), « le lundi 18 novembre à 9 h ». */
function whenText(d: Date, now: Date): string {
  const days = daysBetween(now, d);
  const at = `à ${frenchTime(d)}`;
  if (days === 0) return at;
  if (days === 1) return `demain (${WEEKDAYS[d.getDay()]}) ${at}`;
  if (days < 7) return `${WEEKDAYS[d.getDay()]} ${at}`;
  return `le ${DAY_MONTH.format(d)} ${at}`;
}

/** Open or closed at `now`, and the next change, in plain French (« Fermé, ouvre mardi à 9 h »). */
export function openInfo(oh: opening_hours, now: Date): { open: boolean; text: string } {
  const open = oh.getState(now);
  const next = oh.getNextChange(now, addDays(now, 60));
  if (open) return { open, text: next ? `Ouvert, ferme ${whenText(next, now)}` : "Ouvert" };
  return {
    open,
    text: next ? `Fermé, ouvre ${whenText(next, now)}` : "Fermé, pas d'ouverture prévue dans les 2 mois",
  };
}

/** A time a person can go, turned into dates from `now`. */
export interface TimeWindow {
  when: When;
  /** The reason shown when a place is open then: « ouvert le samedi ». */
  reason: string;
  /** Intervals to test: open at any moment of one of them (empty for "maintenant"). */
  ranges: [Date, Date][];
  /** Said once above the results: a public holiday skipped. */
  note: string | null;
}

const HALF: Record<HalfDay, [number, number, string]> = {
  matin: [8, 12, "matin"],
  "apres-midi": [13, 18, "après-midi"],
};

/** The next date (today included while `endHour` is not past) that falls on `weekday` (0 = Sunday). */
function nextDay(now: Date, weekday: number, endHour: number): Date {
  let d = midnight(now);
  while (d.getDay() !== weekday || now.getTime() >= d.getTime() + endHour * 3_600_000) d = addDays(d, 1);
  return d;
}

/** The next such day that is not a public holiday, and a note when one was skipped. */
function nextWorkingDay(now: Date, weekday: number, endHour: number): { day: Date; note: string | null } {
  const first = nextDay(now, weekday, endHour);
  let day = first;
  while (isPublicHoliday(day)) day = addDays(day, 7);
  const note =
    day === first
      ? null
      : `Le ${DAY_MONTH.format(first)} est un jour férié : nous cherchons les lieux ouverts le ${DAY_MONTH.format(day)}.`;
  return { day, note };
}

const at = (day: Date, hours: number) =>
  new Date(day.getFullYear(), day.getMonth(), day.getDate(), Math.floor(hours), (hours % 1) * 60);

export function timeWindow(when: When, now: Date): TimeWindow {
  if (when === "maintenant") return { when, reason: "ouvert maintenant", ranges: [], note: null };
  if (when === "samedi") {
    const { day, note } = nextWorkingDay(now, 6, 24);
    const from = day.getTime() > now.getTime() ? day : now;
    return { when, reason: "ouvert le samedi", ranges: [[from, addDays(day, 1)]], note };
  }
  if (when === "soir") {
    // After 18 h on one of the coming 7 evenings (today's if not over).
    const ranges: [Date, Date][] = [];
    for (let i = 0; i < 7; i++) {
      const day = addDays(midnight(now), i);
      const from = at(day, 18);
      const to = addDays(day, 1);
      if (to.getTime() <= now.getTime()) continue;
      ranges.push([from.getTime() > now.getTime() ? from : now, to]);
    }
    return { when, reason: "ouvert après 18 h", ranges, note: null };
  }
  const [dayName, half] = when.split(/-(.*)/s) as [Day, HalfDay];
  const [start, end, label] = HALF[half];
  const { day, note } = nextWorkingDay(now, DAYS.indexOf(dayName) + 1, end);
  const from = at(day, start);
  return {
    when,
    reason: `ouvert le ${dayName} ${label}`,
    ranges: [[from.getTime() > now.getTime() ? from : now, at(day, end)]],
    note,
  };
}

/** Is the place open at `now` (maintenant) or at some moment of the window? */
export function openDuring(oh: opening_hours, w: TimeWindow, now: Date): boolean {
  if (w.when === "maintenant") return oh.getState(now);
  for (const [from, to] of w.ranges) {
    if (oh.getState(from)) return true;
    const next = oh.getNextChange(from, to);
    if (next && next.getTime() < to.getTime()) return true;
  }
  return false;
}
