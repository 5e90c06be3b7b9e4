/**
 * The times a person can go (« le samedi », « lundi matin », « après 18 h »), turned into instants on the wall clock
 * of the searched commune's calendar, with the clock always passed in. Open status, holidays and their policy are
 * the places' hours module (`src/places/hours.ts`).
 */
import { type Calendar, isPublicHoliday, type PlaceHours } from "../places/hours.ts";
import { addDays, type Day as CalendarDay, dayAt, dayIn, dayParts } from "../platform/clock.ts";
import { formatDay } from "../platform/format.ts";
import { DAYS, type Day, type HalfDay, type When } from "./model.ts";

/** A time a person can go, turned into instants from `now`. */
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

/** The next day (today included while `endHour` is not past) that falls on `weekday` (0 = Monday). */
function nextDay(now: Date, weekday: number, endHour: number, zone: string): CalendarDay {
  let d = dayIn(now, zone);
  while (dayParts(d).weekday !== weekday || now.getTime() >= dayAt(d, zone, endHour).getTime())
    d = addDays(d, 1);
  return d;
}

/** The next such day that is not a public holiday, and a note when one was skipped. */
function nextWorkingDay(
  now: Date,
  weekday: number,
  endHour: number,
  cal: Calendar,
): { day: CalendarDay; note: string | null } {
  const first = nextDay(now, weekday, endHour, cal.zone);
  let day = first;
  while (isPublicHoliday(day, cal)) day = addDays(day, 7);
  const note =
    day === first
      ? null
      : `Le ${formatDay(first)} est un jour férié : nous cherchons les lieux ouverts le ${formatDay(day)}.`;
  return { day, note };
}

const later = (a: Date, b: Date) => (a.getTime() > b.getTime() ? a : b);

/** The window of `when` from `now`, on the wall clock and holidays of `cal` (the searched commune's). */
export function timeWindow(when: When, now: Date, cal: Calendar): TimeWindow {
  const zone = cal.zone;
  if (when === "maintenant") return { when, reason: "ouvert maintenant", ranges: [], note: null };
  if (when === "samedi") {
    const { day, note } = nextWorkingDay(now, 5, 24, cal);
    return {
      when,
      reason: "ouvert le samedi",
      ranges: [[later(dayAt(day, zone), now), dayAt(day, zone, 24)]],
      note,
    };
  }
  if (when === "soir") {
    // After 18 h on one of the coming 7 evenings (today's if not over).
    const ranges: [Date, Date][] = [];
    const today = dayIn(now, zone);
    for (let i = 0; i < 7; i++) {
      const day = addDays(today, i);
      const to = dayAt(day, zone, 24);
      if (to.getTime() <= now.getTime()) continue;
      ranges.push([later(dayAt(day, zone, 18), now), to]);
    }
    return { when, reason: "ouvert après 18 h", ranges, note: null };
  }
  const [dayName, half] = when.split(/-(.*)/s) as [Day, HalfDay];
  const [start, end, label] = HALF[half];
  const { day, note } = nextWorkingDay(now, DAYS.indexOf(dayName), end, cal);
  return {
    when,
    reason: `ouvert le ${dayName} ${label}`,
    ranges: [[later(dayAt(day, zone, start), now), dayAt(day, zone, end)]],
    note,
  };
}

/** Is the place open at `now` (maintenant) or at some moment of the window? */
export function openDuring(h: PlaceHours, w: TimeWindow, now: Date): boolean {
  if (w.when === "maintenant") return h.isOpen(now);
  for (const [from, to] of w.ranges) {
    if (h.isOpen(from)) return true;
    const next = h.nextChange(from, to);
    if (next && next.getTime() < to.getTime()) return true;
  }
  return false;
}
