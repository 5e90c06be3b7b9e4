/**
 * Opening hours in the OpenStreetMap `opening_hours` syntax required by the standard (`horaires`).
 * Parsing uses the `opening_hours` library with French public holidays (run with TZ=Europe/Paris).
 */
import opening_hours from "opening_hours";

/** French holidays: the library needs a country and a region; national holidays are the same everywhere. */
const FRANCE = { lat: 48.8566, lon: 2.3522, address: { country_code: "fr", state: "Île-de-France" } };

export type HoursCheck = { ok: true; warnings: string[] } | { ok: false; error: string };

const cache = new Map<string, HoursCheck>();

/** Checks an opening_hours value (results are cached: parsing costs ~1 ms and values repeat a lot). */
export function checkHours(text: string): HoursCheck {
  const hit = cache.get(text);
  if (hit) return hit;
  let result: HoursCheck;
  try {
    const oh = new opening_hours(text, FRANCE);
    result = { ok: true, warnings: oh.getWarnings() };
  } catch (e) {
    result = { ok: false, error: String(e).split("\n")[0] ?? String(e) };
  }
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
