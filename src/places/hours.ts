/**
 * Opening hours in the OpenStreetMap `opening_hours` syntax required by the standard (`horaires`): the one hours
 * module of Maillage. Checking a value; each place's calendar (time zone and public holidays, from its
 * département); the holiday policy; the weekly table; and the one French phrasing of « Ouvert, ferme à 12 h » /
 * « Fermé, ouvre mardi à 9 h » that the place page, the finder, the orientation sheet and the diagnostic show.
 *
 * The `opening_hours` library computes on a Date's local components: it is given wall Dates of the place's zone
 * (`toWallDate` in `src/platform/clock.ts`) and its answers are turned back into instants, so the server's time
 * zone does not matter.
 */
import opening_hours from "opening_hours";
import {
  addDays,
  type Day,
  dayIn,
  daysBetween,
  fromWallDate,
  toWallDate,
  wallMidnight,
  wallTime,
} from "../platform/clock.ts";
import { formatDay, frenchTime, WEEKDAYS } from "../platform/format.ts";
import type { Referential } from "../territories/referential.ts";

/** Syntax checks only need a country; the holidays of a place come from its calendar (below). */
const FRANCE = { lat: 48.8566, lon: 2.3522, address: { country_code: "fr", state: "Île-de-France" } };

export type HoursCheck = { ok: true; warnings: string[] } | { ok: false; error: string };

const cache = new Map<string, HoursCheck>();

const DAY = "(?:Mo|Tu|We|Th|Fr|Sa|Su)";
const TIME = "(?:[01]\\d|2[0-3]):[0-5]\\d";
const RANGE = `${TIME}-(?:${TIME}|24:00)`;
const RULE = `${DAY}(?:-${DAY})?(?:,${DAY}(?:-${DAY})?)* ${RANGE}(?:,${RANGE})*`;
/**
 * The plain weekly subset ("Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00"), valid OSM syntax by construction:
 * most real values, and every value converted from France Services' columns. Checked without the library,
 * whose parser costs about 1 ms per value.
 */
const SIMPLE = new RegExp(`^${RULE}(?:; ${RULE})*$`);

const DAY_INDEX: Record<string, number> = { Mo: 0, Tu: 1, We: 2, Th: 3, Fr: 4, Sa: 5, Su: 6 };
const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/**
 * Is this value in the plain weekly subset that checkHours accepts without the library? Besides the syntax,
 * the library warns when a later rule overwrites a day of an earlier one and when a range is empty; such
 * values, overnight ranges and overlapping ranges are left to the library (a test compares both on every
 * real value).
 */
export function isSimpleHours(text: string): boolean {
  if (!SIMPLE.test(text)) return false;
  let seen = 0;
  for (const rule of text.split("; ")) {
    const space = rule.indexOf(" ");
    let days = 0;
    for (const span of rule.slice(0, space).split(",")) {
      const from = DAY_INDEX[span.slice(0, 2)] as number;
      const to = span.length > 2 ? (DAY_INDEX[span.slice(3, 5)] as number) : from;
      if (to < from) return false;
      for (let d = from; d <= to; d++) days |= 1 << d;
    }
    if ((days & seen) !== 0) return false;
    seen |= days;
    let end = -1;
    for (const range of rule.slice(space + 1).split(",")) {
      const a = minutes(range.slice(0, 5));
      const b = minutes(range.slice(6, 11));
      if (a <= end || b <= a) return false;
      end = b;
    }
  }
  return true;
}

/**
 * For a value of the plain weekly subset (`isSimpleHours`), the days it opens (Monday = 0) and, per day, the latest
 * closing time in minutes — read from the text without the library (a hundred times faster). Null otherwise.
 */
export function simpleWeek(text: string): { open: boolean[]; closes: number[] } | null {
  if (!isSimpleHours(text)) return null;
  const open = Array.from({ length: 7 }, () => false);
  const closes = Array.from({ length: 7 }, () => 0);
  for (const rule of text.split("; ")) {
    const space = rule.indexOf(" ");
    let last = 0;
    for (const range of rule.slice(space + 1).split(",")) last = Math.max(last, minutes(range.slice(6, 11)));
    for (const span of rule.slice(0, space).split(",")) {
      const from = DAY_INDEX[span.slice(0, 2)] as number;
      const to = span.length > 2 ? (DAY_INDEX[span.slice(3, 5)] as number) : from;
      for (let d = from; d <= to; d++) {
        open[d] = true;
        closes[d] = Math.max(closes[d] as number, last);
      }
    }
  }
  return { open, closes };
}

/** The library's verdict, uncached and without the fast path (for tests and the rare complex value). */
export function libraryCheck(text: string): HoursCheck {
  try {
    const oh = new opening_hours(text, FRANCE);
    return { ok: true, warnings: oh.getWarnings() };
  } catch (e) {
    return { ok: false, error: String(e).split("\n")[0] ?? String(e) };
  }
}

/** Checks an opening_hours value (results are cached: parsing costs ~1 ms and values repeat a lot). */
export function checkHours(text: string): HoursCheck {
  if (isSimpleHours(text)) return { ok: true, warnings: [] };
  const hit = cache.get(text);
  if (hit) return hit;
  const result = libraryCheck(text);
  if (cache.size > 50_000) cache.clear();
  cache.set(text, result);
  return result;
}

const OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"] as const;
const SLOT = /^(\d{1,2})[:h](\d{2})\s*-\s*(\d{1,2})[:h](\d{2})$/;

export type DayHoursResult = { ok: true; value: string | null } | { ok: false; original: string };

/**
 * Turns per-day columns like France Services' ("09:00 - 12:00 / 13:30 - 17:00", one per day from Monday)
 * into one opening_hours value, grouping consecutive days with the same hours ("Mo-Fr 09:00-12:00,13:30-17:00").
 * An empty day and "00:00 - 00:00" mean closed. `value` is null when every day is closed.
 * When a day cannot be read, the original text of every day is returned, in French, to keep it.
 */
export function dayColumnsToOpeningHours(days: (string | undefined)[]): DayHoursResult {
  const perDay: string[] = [];
  let readable = true;
  for (const cell of days) {
    const text = (cell ?? "").trim();
    const slots: string[] = [];
    for (const part of text === "" ? [] : text.split("/")) {
      const m = SLOT.exec(part.trim());
      if (!m) {
        readable = false;
        break;
      }
      const [h1, m1, h2, m2] = [m[1], m[2], m[3], m[4]].map((x) => (x as string).padStart(2, "0"));
      const slot = `${h1}:${m1}-${h2}:${m2}`;
      if (slot !== "00:00-00:00") slots.push(slot);
    }
    perDay.push(slots.join(","));
  }
  if (!readable) {
    const original = days
      .map((d, i) => ((d ?? "").trim() ? `${WEEKDAYS[i]} : ${(d ?? "").trim()}` : ""))
      .filter((s) => s !== "")
      .join(" ; ");
    return { ok: false, original };
  }
  const rules: string[] = [];
  for (let i = 0; i < perDay.length; ) {
    let j = i;
    while (j + 1 < perDay.length && perDay[j + 1] === perDay[i]) j++;
    if (perDay[i] !== "") {
      const first = OSM_DAYS[i] as string;
      const last = OSM_DAYS[j] as string;
      const span = j === i ? first : j === i + 1 ? `${first},${last}` : `${first}-${last}`;
      rules.push(`${span} ${perDay[i]}`);
    }
    i = j + 1;
  }
  return { ok: true, value: rules.length > 0 ? rules.join("; ") : null };
}

/**
 * Where a place's hours are read: its time zone, and the region the `opening_hours` library knows for its public
 * holidays (Alsace-Moselle and each overseas département have their own).
 */
export interface Calendar {
  /** The département code (`75`, `57`, `974`), or `metropole` when unknown. */
  key: string;
  /** IANA time zone. */
  zone: string;
  /** Name of the library's French state (holidays), and a point for sun times. */
  state: string;
  lat: number;
  lon: number;
}

const calendar = (key: string, zone: string, state: string, lat: number, lon: number): Calendar => ({
  key,
  zone,
  state,
  lat,
  lon,
});

/** Metropolitan France outside Alsace-Moselle: Paris time, the national holidays. */
export const METROPOLE = calendar("metropole", "Europe/Paris", "Île-de-France", 48.8566, 2.3522);

/** The départements whose calendar differs from METROPOLE's. */
const CALENDARS: Record<string, Calendar> = {
  "57": calendar("57", "Europe/Paris", "Moselle", 49.1193, 6.1757),
  "67": calendar("67", "Europe/Paris", "Bas-Rhin", 48.5734, 7.7521),
  "68": calendar("68", "Europe/Paris", "Haut-Rhin", 47.7508, 7.3359),
  "971": calendar("971", "America/Guadeloupe", "Guadeloupe", 16.2411, -61.5331),
  "972": calendar("972", "America/Martinique", "Martinique", 14.6161, -61.0588),
  "973": calendar("973", "America/Cayenne", "Guyane", 4.9372, -52.326),
  "974": calendar("974", "Indian/Reunion", "La Réunion", -20.8823, 55.4504),
  "975": calendar("975", "America/Miquelon", "Saint-Pierre-et-Miquelon", 46.7811, -56.1764),
  "976": calendar("976", "Indian/Mayotte", "Mayotte", -12.7806, 45.2279),
  "977": calendar("977", "America/St_Barthelemy", "Saint-Barthélemy", 17.8967, -62.8498),
  "978": calendar("978", "America/Marigot", "Saint-Martin", 18.0674, -63.0822),
};

/** The département of a commune INSEE code or a postcode (3 characters overseas); null when it is neither. */
export function departementOf(code: string | null | undefined): string | null {
  const c = (code ?? "").trim();
  if (!/^(\d{5}|2[AB]\d{3})$/i.test(c)) return null;
  return c.startsWith("97") || c.startsWith("98") ? c.slice(0, 3) : c.slice(0, 2).toUpperCase();
}

/** The calendar of a département code, or of a commune code or postcode; METROPOLE when unknown. */
export function calendarOf(code: string | null | undefined): Calendar {
  const c = (code ?? "").trim();
  const dep = /^\d{2,3}$|^2[AB]$/i.test(c) ? c : departementOf(c);
  return (dep && CALENDARS[dep]) || METROPOLE;
}

/** The time zone of a territory's days: its département's (overseas ones differ), else metropolitan France. */
export function zoneOfTerritory(territories: Referential, territoryId: string): string {
  const t = territories.get(territoryId);
  if (!t) return METROPOLE.zone;
  const dep = t.departement ?? territories.communesOf(t)[0]?.departement ?? null;
  return calendarOf(dep).zone;
}

/** A place's calendar: from its commune's INSEE code, else from its postcode. */
export function placeCalendar(place: {
  communeCode: string | null;
  standard: { code_postal: string };
}): Calendar {
  return calendarOf(departementOf(place.communeCode) ?? departementOf(place.standard.code_postal));
}

const address = (c: Calendar) => ({
  lat: c.lat,
  lon: c.lon,
  address: { country_code: "fr", state: c.state },
});

/** A place's opening hours in its calendar; every question takes and gives instants. */
export class PlaceHours {
  constructor(
    readonly text: string,
    readonly calendar: Calendar,
    readonly oh: opening_hours,
  ) {}

  get zone(): string {
    return this.calendar.zone;
  }

  isOpen(at: Date): boolean {
    return this.oh.getState(toWallDate(at, this.zone));
  }

  /** The next opening or closing after `at` (before `limit`), or null. */
  nextChange(at: Date, limit?: Date): Date | null {
    const next = this.oh.getNextChange(
      toWallDate(at, this.zone),
      limit ? toWallDate(limit, this.zone) : undefined,
    );
    return next ? fromWallDate(next, this.zone) : null;
  }

  /** The opening intervals of one day of the place's wall clock, « 09:00 » to « 12:00 » (« 24:00 »: midnight). */
  intervals(day: Day): { from: string; to: string; comment: string | null }[] {
    const start = wallMidnight(day);
    const end = wallMidnight(addDays(day, 1));
    const hhmm = (d: Date) =>
      d.getTime() >= end.getTime()
        ? "24:00"
        : `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
    return this.oh.getOpenIntervals(start, end).map(([a, b, , comment]) => ({
      from: hhmm(a),
      to: hhmm(b),
      comment: comment ?? null,
    }));
  }
}

/** Parses opening hours as written, in a calendar; null when the text is not valid. */
export function parseHours(text: string, cal: Calendar = METROPOLE): PlaceHours | null {
  if (!checkHours(text).ok) return null;
  return new PlaceHours(text, cal, new opening_hours(text, address(cal)));
}

const parsed = new Map<string, PlaceHours | null>();

/**
 * The hours of a place as Maillage uses them everywhere, with the one holiday policy: when the text says nothing
 * about public holidays (no `PH` rule), the place is taken as closed on them (`; PH off` is added), as nearly every
 * public service is. Null when the hours are unknown or unreadable (`unparsed`: kept as written by the source).
 */
export function placeHours(
  text: string | null,
  cal: Calendar = METROPOLE,
  unparsed = false,
): PlaceHours | null {
  if (!text || unparsed) return null;
  const key = `${cal.key}\u0000${text}`;
  const hit = parsed.get(key);
  if (hit !== undefined) return hit;
  const h = hasHolidayRule(text)
    ? parseHours(text, cal)
    : (parseHours(`${text}; PH off`, cal) ?? parseHours(text, cal));
  // Keeps the text as written (without the added `; PH off`).
  const result = h ? new PlaceHours(text, cal, h.oh) : null;
  if (parsed.size > 50_000) parsed.clear();
  parsed.set(key, result);
  return result;
}

/** Does the text have its own rule for public holidays? */
export const hasHolidayRule = (text: string) => /\bPH\b/.test(text);

const holidayCalendars = new Map<string, opening_hours>();
/** Is this day a public holiday in this calendar? */
export function isPublicHoliday(day: Day, cal: Calendar = METROPOLE): boolean {
  let ph = holidayCalendars.get(cal.key);
  if (!ph) {
    ph = new opening_hours("PH", address(cal));
    holidayCalendars.set(cal.key, ph);
  }
  const noon = wallMidnight(day);
  noon.setHours(12);
  return ph.getState(noon);
}

/** One day of a weekly table of opening hours. */
export interface DaySchedule {
  /** The day on the place's wall clock, AAAA-MM-JJ. */
  day: Day;
  /** "lundi 14 juillet". */
  label: string;
  /** Opening intervals, "09:00" to "12:00" ("24:00" for midnight at the end of the day). */
  intervals: { from: string; to: string; comment: string | null }[];
  /** A public holiday of the place's calendar (closed unless the hours have their own "PH" rule). */
  holiday: boolean;
}

/** The seven days of the week starting on `monday` (a day of the place's wall clock). */
export function weekSchedule(h: PlaceHours, monday: Day): DaySchedule[] {
  return Array.from({ length: 7 }, (_, i) => {
    const day = addDays(monday, i);
    return {
      day,
      label: formatDay(day),
      intervals: h.intervals(day),
      holiday: isPublicHoliday(day, h.calendar),
    };
  });
}

/** « à 14 h » (today), « demain (mardi) à 9 h », « mardi à 9 h » (this week), « le lundi 18 novembre à 9 h ». */
function whenText(at: Date, now: Date, zone: string): string {
  const day = dayIn(at, zone);
  const days = daysBetween(dayIn(now, zone), day);
  const w = wallTime(at, zone);
  const time = `à ${frenchTime(w.hour, w.minute)}`;
  if (days === 0) return time;
  if (days === 1) return `demain (${WEEKDAYS[w.weekday]}) ${time}`;
  if (days < 7) return `${WEEKDAYS[w.weekday]} ${time}`;
  return `le ${formatDay(day)} ${time}`;
}

/**
 * Open or closed at `now` on the place's wall clock, and the next change within two months, in plain French:
 * « Ouvert, ferme à 12 h », « Fermé, ouvre demain (mardi) à 9 h ». The one phrasing of every page.
 */
export function openStatus(h: PlaceHours, now: Date): { open: boolean; text: string } {
  const open = h.isOpen(now);
  const next = h.nextChange(now, new Date(now.getTime() + 60 * 86_400_000));
  if (open) return { open, text: next ? `Ouvert, ferme ${whenText(next, now, h.zone)}` : "Ouvert" };
  return {
    open,
    text: next
      ? `Fermé, ouvre ${whenText(next, now, h.zone)}`
      : "Fermé, pas d'ouverture prévue dans les 2 mois",
  };
}
