/**
 * The one clock, and wall-clock time in a named time zone.
 *
 * Nothing in Maillage reads the time itself: routes and commands get a `Clock` (`ctx.clock`), tests pass a fixed one.
 * Nothing depends on the server's time zone either: a day or an hour is always the wall clock of an explicit IANA
 * zone (the place's, see `src/places/hours.ts`), computed from the instant with `Intl.DateTimeFormat`.
 */

/** Where "now" comes from. */
export interface Clock {
  now(): Date;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock stopped at one instant (tests, scripts that render a page for a given time). */
export function fixedClock(at: Date | string): Clock {
  const t = new Date(at).getTime();
  if (Number.isNaN(t)) throw new Error(`fixedClock: instant invalide « ${String(at)} »`);
  return { now: () => new Date(t) };
}

/** The wall clock of an instant in a zone (month 1–12, weekday 0 = Monday … 6 = Sunday). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall clock of `instant` in `zone`. */
export function wallTime(instant: Date, zone: string): WallTime {
  const w = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of partsFormatter(zone).formatToParts(instant))
    if (p.type in w) w[p.type as keyof typeof w] = Number(p.value);
  return { ...w, weekday: weekdayOf(w.year, w.month, w.day) };
}

/** 0 = Monday … 6 = Sunday, of a calendar day (no time zone involved). */
function weekdayOf(year: number, month: number, day: number): number {
  return (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
}

/** Offset of `zone` from UTC at `ms`, in ms. */
function offsetAt(ms: number, zone: string): number {
  const w = wallTime(new Date(ms), zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the wall clock of `zone` shows this day and time (hours may be 24 for the next midnight).
 * A time skipped by a change to summer time is taken with the offset from before the change (02:30 → 03:30).
 */
export function zonedInstant(
  zone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): Date {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const a = offsetAt(asUtc, zone);
  const b = offsetAt(asUtc - a, zone);
  if (a === b) return new Date(asUtc - a);
  // Near a change of offset: the candidate whose wall clock is the one asked; none in a skipped hour.
  for (const o of [a, b]) if (offsetAt(asUtc - o, zone) === o) return new Date(asUtc - o);
  return new Date(asUtc - Math.min(a, b));
}

/** A calendar day, "AAAA-MM-JJ" (no time zone: the day of some wall clock). */
export type Day = string;

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const toDay = (year: number, month: number, day: number): Day => `${pad(year, 4)}-${pad(month)}-${pad(day)}`;

/** The day `instant` falls on in `zone`. */
export function dayIn(instant: Date, zone: string): Day {
  const w = wallTime(instant, zone);
  return toDay(w.year, w.month, w.day);
}

/** Year, month (1–12) and day of a Day. */
export function dayParts(day: Day): { year: number; month: number; day: number; weekday: number } {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return { year: y, month: m, day: d, weekday: weekdayOf(y, m, d) };
}

/** A Day from "AAAA-MM-JJ" text, or null when it is not a real date between 2000 and 2100. */
export function parseDay(text: unknown): Day | null {
  const m = typeof text === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) : null;
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (y < 2000 || y > 2100 || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return toDay(y, mo, d);
}

/** The day `n` days after (before, when negative) `day`. */
export function addDays(day: Day, n: number): Day {
  const { year, month, day: d } = dayParts(day);
  const t = new Date(Date.UTC(year, month - 1, d + n));
  return toDay(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** Whole days from `a` to `b`. */
export function daysBetween(a: Day, b: Day): number {
  const pa = dayParts(a);
  const pb = dayParts(b);
  return Math.round(
    (Date.UTC(pb.year, pb.month - 1, pb.day) - Date.UTC(pa.year, pa.month - 1, pa.day)) / 86_400_000,
  );
}

/** The Monday of the week of `day`. */
export function mondayOf(day: Day): Day {
  return addDays(day, -dayParts(day).weekday);
}

/** The instant of `day` at `hour`:`minute` on the wall clock of `zone` (hour 24 = the next midnight). */
export function dayAt(day: Day, zone: string, hour = 0, minute = 0): Date {
  const { year, month, day: d } = dayParts(day);
  return zonedInstant(zone, year, month, d, hour, minute);
}

/*
 * Libraries that compute on a Date's local components (getHours, new Date(y, m, d)…), such as `opening_hours`,
 * are given a "wall Date": a Date whose components in the server's zone are the wall clock of the place's zone.
 * Their answers are turned back into instants. This is exact except in the hour that the server's own zone skips
 * when it changes to summer time (that wall time cannot be a local Date): see docs/decisions.md.
 */

/** The wall Date of `instant` in `zone`, for libraries that read local components. */
export function toWallDate(instant: Date, zone: string): Date {
  const w = wallTime(instant, zone);
  return new Date(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** The instant of a wall Date of `zone`. */
export function fromWallDate(wall: Date, zone: string): Date {
  return zonedInstant(
    zone,
    wall.getFullYear(),
    wall.getMonth() + 1,
    wall.getDate(),
    wall.getHours(),
    wall.getMinutes(),
    wall.getSeconds(),
  );
}

/** The wall Date of midnight starting `day`. */
export function wallMidnight(day: Day): Date {
  const { year, month, day: d } = dayParts(day);
  return new Date(year, month - 1, d);
}
