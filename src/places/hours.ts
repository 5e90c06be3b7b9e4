/**
 * Opening hours in the OpenStreetMap `opening_hours` syntax required by the standard (`horaires`).
 * Parsing uses the `opening_hours` library with French public holidays (run with TZ=Europe/Paris).
 */
import opening_hours from "opening_hours";

/** French holidays: the library needs a country and a region; national holidays are the same everywhere. */
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

/** Parses opening hours for use (is it open now, next change…); null when the text is not valid. */
export function parseHours(text: string): opening_hours | null {
  if (!checkHours(text).ok) return null;
  return new opening_hours(text, FRANCE);
}

const OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"] as const;
const FRENCH_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
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
      .map((d, i) => ((d ?? "").trim() ? `${FRENCH_DAYS[i]} : ${(d ?? "").trim()}` : ""))
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

/** One day of a weekly table of opening hours. */
export interface DaySchedule {
  /** Midnight of the day (local time, Europe/Paris). */
  date: Date;
  /** "lundi 14 juillet". */
  label: string;
  /** Opening intervals, "09:00" to "12:00" ("24:00" for midnight at the end of the day). */
  intervals: { from: string; to: string; comment: string | null }[];
  /** A French public holiday (the hours apply their "PH" rule, if any). */
  holiday: boolean;
}

const DAY_LABEL = new Intl.DateTimeFormat("fr-FR", { weekday: "long", day: "numeric", month: "long" });
const hhmm = (d: Date, dayStart: Date) =>
  d.getTime() - dayStart.getTime() >= 86_400_000 - 60_000
    ? "24:00"
    : `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;

let holidays: opening_hours | null = null;
/** Is this day a French public holiday (from the library's calendar)? */
export function isPublicHoliday(day: Date): boolean {
  holidays ??= new opening_hours("PH", FRANCE);
  return holidays.getState(new Date(day.getFullYear(), day.getMonth(), day.getDate(), 12));
}

/** The Monday (midnight) of the week containing `day`. */
export function mondayOf(day: Date): Date {
  const d = new Date(day.getFullYear(), day.getMonth(), day.getDate());
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return d;
}

/** The seven days of the week starting on `monday`, with their opening intervals, computed by the library. */
export function weekSchedule(oh: opening_hours, monday: Date): DaySchedule[] {
  const days: DaySchedule[] = [];
  for (let i = 0; i < 7; i++) {
    const from = new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + i);
    const to = new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + i + 1);
    days.push({
      date: from,
      label: DAY_LABEL.format(from),
      intervals: oh.getOpenIntervals(from, to).map(([a, b, , comment]) => ({
        from: hhmm(a, from),
        to: hhmm(b, from),
        comment: comment ?? null,
      })),
      holiday: isPublicHoliday(from),
    });
  }
  return days;
}

const WHEN = new Intl.DateTimeFormat("fr-FR", { weekday: "long", hour: "2-digit", minute: "2-digit" });
const TIME_ONLY = new Intl.DateTimeFormat("fr-FR", { hour: "2-digit", minute: "2-digit" });

/** "Ouvert maintenant, ferme à 12:00" / "Fermé maintenant, ouvre lundi à 09:00", in plain French. */
export function openStatus(oh: opening_hours, now: Date): { open: boolean; text: string } {
  const open = oh.getState(now);
  const next = oh.getNextChange(now);
  const sameDay = next && next.toDateString() === now.toDateString();
  const at = (d: Date) =>
    sameDay ? `à ${TIME_ONLY.format(d)}` : WHEN.format(d).replace(/ (\d\d:\d\d)$/, " à $1");
  if (open) return { open, text: next ? `Ouvert maintenant, ferme ${at(next)}` : "Ouvert maintenant" };
  return { open, text: next ? `Fermé maintenant, ouvre ${at(next)}` : "Fermé maintenant" };
}
