/**
 * Manual edits of a published place, pure. A person's edit is kept as « overrides »: the fields they set and their
 * values. The published place is what the sources give (merged) with the overrides on top, so an edit wins over
 * the next import of the same source for the fields it changed, until a coordinator releases it. Restoring a
 * version sets the overrides to what differs between that version and what the sources give now.
 *
 * Also the weekly hours editor's two directions: the plain weekly subset of OpenStreetMap `opening_hours` to seven
 * days of time ranges, and back.
 */
import { checkHours, dayColumnsToOpeningHours } from "./hours.ts";
import {
  LIST_FIELDS,
  type Place,
  type RawRow,
  STANDARD_FIELDS,
  type StandardField,
  type StandardPlace,
} from "./model.ts";
import type { EditedLocation } from "./store/edits.ts";
import type { FieldChange } from "./store/tables.ts";

/** Fields a person may change: all but the producer's id, the collecting structure and the update date. */
export const EDITABLE_FIELDS = STANDARD_FIELDS.filter(
  (f) => f !== "id" && f !== "source" && f !== "date_maj",
) as readonly StandardField[];

/** Fields that place the place: when one is overridden, the commune and the point are resolved again. */
export const LOCATION_FIELDS: readonly StandardField[] = [
  "commune",
  "code_postal",
  "code_insee",
  "adresse",
  "latitude",
  "longitude",
];

/** The fields a person set, with their values (standard values: lists are arrays, numbers numbers). */
export type Overrides = Partial<Record<StandardField, StandardPlace[StandardField]>>;

const isList = (f: string) => (LIST_FIELDS as readonly string[]).includes(f);

/** Same value for the standard (lists compared in order, null and "" alike). */
export function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (v === "" || v === undefined ? null : v);
  const x = norm(a);
  const y = norm(b);
  if (Array.isArray(x) || Array.isArray(y)) {
    const xs = Array.isArray(x) ? x : [];
    const ys = Array.isArray(y) ? y : [];
    return xs.length === ys.length && xs.every((v, i) => v === ys[i]);
  }
  return x === y;
}

/** The fields that differ between two records, in the standard's order. */
export function changesBetween(before: StandardPlace, after: StandardPlace): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const f of STANDARD_FIELDS) {
    if (!sameValue(before[f], after[f])) changes.push({ field: f, before: before[f], after: after[f] });
  }
  return changes;
}

/** The overrides that turn `base` (what the sources give) into `desired`: the editable fields that differ. */
export function overridesFor(base: StandardPlace, desired: StandardPlace): Overrides {
  const overrides: Overrides = {};
  for (const f of EDITABLE_FIELDS) {
    if (!sameValue(base[f], desired[f])) (overrides as Record<string, unknown>)[f] = desired[f];
  }
  return overrides;
}

/**
 * The published record: `base` with the overrides on top. Its update date is the later of the sources' and the
 * last edit's (`editedOn`, AAAA-MM-JJ): an edit is an update, and a later import with a newer date still shows.
 */
export function applyOverrides(
  base: StandardPlace,
  overrides: Overrides,
  editedOn: string | null,
): StandardPlace {
  const out = { ...base } as Record<string, unknown>;
  for (const [f, v] of Object.entries(overrides)) {
    if ((EDITABLE_FIELDS as readonly string[]).includes(f)) out[f] = v;
  }
  if (editedOn && !(typeof base.date_maj === "string" && base.date_maj.slice(0, 10) >= editedOn))
    out.date_maj = editedOn;
  return out as StandardPlace;
}

/** A standard record as the import reads a row (lists joined by `|`, numbers as text, null as empty). */
export function rawOfStandard(s: StandardPlace): RawRow {
  const raw: RawRow = {};
  for (const f of STANDARD_FIELDS) {
    const v = s[f];
    raw[f] = v === null || v === undefined ? "" : Array.isArray(v) ? v.join("|") : String(v);
  }
  return raw;
}

/** A free list typed one value per line (or separated by `|`) as the import reads it. */
export function listText(text: string): string {
  return text
    .split(/\r?\n|\|/)
    .map((v) => v.trim())
    .filter(Boolean)
    .join("|");
}

export { isList };

// ————————————————————————————————————————————————————————— weekly hours editor

const OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** Time ranges per day in the editor: two ranges (morning, afternoon) are enough for the plain weekly subset. */
export const RANGES_PER_DAY = 2;

/** One day in the editor: its ranges as [opens, closes] times "HH:MM" (empty strings for an unused range). */
export type WeekDay = [string, string][];

/**
 * The seven days (Monday first) of a value in the plain weekly subset ("Mo-Fr 09:00-12:00,14:00-17:00; Sa
 * 09:00-12:00"), at most RANGES_PER_DAY ranges a day; null when the value says more than a week of ranges can
 * (holidays, months, « off »…): the editor then shows the text only.
 */
export function weekOfHours(text: string | null): WeekDay[] | null {
  const days: WeekDay[] = OSM_DAYS.map(() => []);
  const value = (text ?? "").trim();
  if (value === "") return days;
  const seen = new Set<number>();
  for (const rule of value.split(/\s*;\s*/)) {
    const m = /^([A-Za-z,-]+)\s+(\S+)$/.exec(rule);
    if (!m) return null;
    const ranges: [string, string][] = [];
    for (const r of (m[2] as string).split(",")) {
      const [a, b] = r.split("-");
      if (!a || !b || !TIME.test(a) || !(TIME.test(b) || b === "24:00") || b <= a) return null;
      ranges.push([a, b]);
    }
    if (ranges.length > RANGES_PER_DAY) return null;
    for (const span of (m[1] as string).split(",")) {
      const [from, to = from] = span.split("-");
      const i = OSM_DAYS.indexOf(from ?? "");
      const j = OSM_DAYS.indexOf(to ?? "");
      if (i < 0 || j < i) return null;
      for (let d = i; d <= j; d++) {
        if (seen.has(d)) return null;
        seen.add(d);
        days[d] = ranges;
      }
    }
  }
  return days;
}

export type WeekResult = { ok: true; value: string | null } | { ok: false; errors: string[] };

const DAY_NAMES = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];

/** A time as people type it (« 9h30 », « 09:30 », « 9 h », « 0930 ») as "HH:MM"; the text itself when unreadable. */
export function timeOf(text: string): string {
  const m = /^(\d{1,2})(?:\s*[:hH.]\s*|(?=\d{2}$))?(\d{2})?$/.exec(text.trim());
  if (!m) return text.trim();
  return `${(m[1] as string).padStart(2, "0")}:${m[2] ?? "00"}`;
}

/** The `opening_hours` value of seven days of ranges (consecutive days with the same hours grouped). */
export function hoursOfWeek(week: WeekDay[]): WeekResult {
  const errors: string[] = [];
  const days = week.map((ranges) => ranges.map(([a, b]) => [timeOf(a), timeOf(b)] as [string, string]));
  const cells = days.map((ranges, d) => {
    const used = ranges.filter(([a, b]) => a !== "" || b !== "");
    const parts: string[] = [];
    let end = "";
    for (const [a, b] of used) {
      if (!TIME.test(a) || !(TIME.test(b) || b === "24:00")) {
        errors.push(
          `${DAY_NAMES[d]} : indiquez l'heure d'ouverture et l'heure de fermeture (par exemple 09:00 et 12:00)`,
        );
        continue;
      }
      if (b <= a) errors.push(`${DAY_NAMES[d]} : la fermeture (${b}) doit venir après l'ouverture (${a})`);
      else if (a < end)
        errors.push(`${DAY_NAMES[d]} : les plages horaires se chevauchent (${a} avant ${end})`);
      end = b;
      parts.push(`${a} - ${b}`);
    }
    return parts.join(" / ");
  });
  if (errors.length > 0) return { ok: false, errors };
  const r = dayColumnsToOpeningHours(cells);
  return r.ok ? { ok: true, value: r.value } : { ok: false, errors: [`horaires illisibles : ${r.original}`] };
}

// ————————————————————————————————————————————————————————— publication

/** What publication needs of a place's edits (store/edits.ts). */
export interface EditOverlay {
  overrides: Overrides;
  location: EditedLocation | null;
  editedOn: string;
}

/**
 * The published place with the edits of its records on top (oldest first: a later edit wins on a field both set).
 * When an edit set a location field, the commune and point it resolved stand; the hours flag follows the hours.
 */
export function withEdits(place: Place, edits: readonly EditOverlay[]): Place {
  if (edits.length === 0) return place;
  const overrides: Overrides = Object.assign({}, ...edits.map((e) => e.overrides));
  const editedOn =
    edits
      .map((e) => e.editedOn)
      .sort()
      .at(-1) ?? null;
  const standard = applyOverrides(place.standard, overrides, editedOn);
  const out: Place = { ...place, standard, flags: { ...place.flags } };
  const located = [...edits].reverse().find((e) => e.location !== null)?.location;
  if (located && LOCATION_FIELDS.some((f) => f in overrides)) {
    out.communeCode = located.communeCode;
    out.location =
      located.lat !== null && located.lon !== null ? { lat: located.lat, lon: located.lon } : null;
    out.flags.approximateCoordinates = located.approximate;
  }
  if ("horaires" in overrides)
    out.flags.unparsedHours = Boolean(standard.horaires) && !checkHours(standard.horaires ?? "").ok;
  return out;
}
