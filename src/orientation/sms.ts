/**
 * The text message version of an orientation sheet: at most 160 GSM-7 characters (one SMS), no emoji, only
 * abbreviations a person understands. Shortened by rule, never in the middle of a word:
 * 1. « Nom, adresse, code postal commune. Tel 04 00 00 00 00. lun-ven 9h-12h » in full;
 * 2. usual abbreviations of the address (avenue → av., boulevard → bd, Saint → St…);
 * 3. without the hours;
 * 4. the name cut after its last whole word that fits, followed by « ... »;
 * 5. the street cut likewise (the postcode, the commune and the phone are always kept).
 */
import { isSimpleHours } from "../places/hours.ts";
import type { Place } from "../places/model.ts";
import { formatPhone } from "../platform/format.ts";

export const SMS_MAX = 160;

const BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const EXTENDED = "^{}\\[~]|€";
const BASIC_SET = new Set(BASIC);
const EXTENDED_SET = new Set(EXTENDED);

const REPLACE: Record<string, string> = {
  "’": "'",
  "‘": "'",
  ʼ: "'",
  "`": "'",
  "“": '"',
  "”": '"',
  "«": '"',
  "»": '"',
  "–": "-",
  "—": "-",
  "‑": "-",
  "…": "...",
  œ: "oe",
  Œ: "OE",
  "\u00a0": " ",
  "\u202f": " ",
  "\t": " ",
};

/** The text in the GSM-7 alphabet: accents that GSM-7 lacks are dropped (ê → e), other signs replaced or removed. */
export function toGsm7(text: string): string {
  let out = "";
  for (const ch of text.replace(/«\s*/g, '"').replace(/\s*»/g, '"')) {
    if (BASIC_SET.has(ch) || EXTENDED_SET.has(ch)) out += ch;
    else if (REPLACE[ch] !== undefined) out += REPLACE[ch];
    else {
      const bare = ch.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
      if ([...bare].every((c) => BASIC_SET.has(c))) out += bare;
    }
  }
  return out.replace(/\s+/g, " ").trim();
}

/** Length in GSM-7 septets: characters of the extension table count twice. */
export function gsm7Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    if (EXTENDED_SET.has(ch)) n += 2;
    else if (BASIC_SET.has(ch)) n += 1;
    else return Number.POSITIVE_INFINITY;
  }
  return n;
}

const ABBREVIATIONS: [RegExp, string][] = [
  [/\bavenue\b/gi, "av."],
  [/\bboulevard\b/gi, "bd"],
  [/\bplace\b/gi, "pl."],
  [/\broute\b/gi, "rte"],
  [/\bchemin\b/gi, "ch."],
  [/\bimpasse\b/gi, "imp."],
  [/\bsaint\b/gi, "St"],
  [/\bsainte\b/gi, "Ste"],
  [/\bdocteur\b/gi, "Dr"],
];

const DAY_SHORT: Record<string, string> = {
  Mo: "lun",
  Tu: "mar",
  We: "mer",
  Th: "jeu",
  Fr: "ven",
  Sa: "sam",
  Su: "dim",
};
const shortTime = (t: string) =>
  t
    .replace(/^0(\d)/, "$1")
    .replace(/:00$/, "h")
    .replace(":", "h");

/** « lun-ven 9h-12h 14h-17h, sam 9h-12h » from a plain weekly opening_hours value; null for other values. */
export function compactHours(text: string | null): string | null {
  if (!text || !isSimpleHours(text)) return null;
  return text
    .split("; ")
    .map((rule) => {
      const [days = "", ranges = ""] = rule.split(" ");
      const d = days.replace(/Mo|Tu|We|Th|Fr|Sa|Su/g, (x) => DAY_SHORT[x] ?? x);
      const r = ranges
        .split(",")
        .map((range) => range.split("-").map(shortTime).join("-"))
        .join(" ");
      return `${d} ${r}`;
    })
    .join(", ");
}

/** Keeps the whole words of `text` that fit in `budget` characters, then « ... »; "" if not even one fits. */
export function cutAtWord(text: string, budget: number): string {
  if (gsm7Length(text) <= budget) return text;
  const words = text.split(" ");
  let out = "";
  for (const w of words) {
    const next = out ? `${out} ${w}` : w;
    if (gsm7Length(`${next}...`) > budget) break;
    out = next;
  }
  out = out.replace(/[\s,.;:\-/(]+$/, "");
  return out ? `${out}...` : "";
}

interface Parts {
  name: string;
  street: string;
  town: string;
  phone: string;
  hours: string;
}

const assemble = (p: Parts) =>
  [[p.name, p.street, p.town].filter(Boolean).join(", "), p.phone ? `Tel ${p.phone}` : "", p.hours]
    .filter(Boolean)
    .join(". ");

const texts = new WeakMap<Place, string>();

/** The orientation sheet as one text message (≤ 160 GSM-7 characters); places do not change, texts are kept. */
export function smsText(place: Place): string {
  let text = texts.get(place);
  if (text === undefined) {
    text = buildSms(place);
    texts.set(place, text);
  }
  return text;
}

function buildSms(place: Place): string {
  const s = place.standard;
  const phone = formatPhone(s.telephone[0] ?? "")?.text ?? "";
  const full: Parts = {
    name: toGsm7(s.nom),
    street: toGsm7(s.adresse),
    town: toGsm7(`${s.code_postal} ${s.commune}`),
    phone: toGsm7(phone),
    hours: toGsm7(compactHours(place.flags.unparsedHours ? null : s.horaires) ?? ""),
  };
  const fits = (p: Parts) => gsm7Length(assemble(p)) <= SMS_MAX;
  if (fits(full)) return assemble(full);
  let p: Parts = { ...full, street: ABBREVIATIONS.reduce((t, [re, to]) => t.replace(re, to), full.street) };
  if (fits(p)) return assemble(p);
  p = { ...p, hours: "" };
  if (fits(p)) return assemble(p);
  // Name: as many whole words as fit with the rest (at least its first word when possible).
  const rest = gsm7Length(assemble({ ...p, name: "" }));
  const nameBudget = SMS_MAX - rest - 2;
  const name = cutAtWord(p.name, Math.max(nameBudget, 0));
  p = { ...p, name: name || cutAtWord(p.name, 40) };
  if (fits(p)) return assemble(p);
  const streetBudget = SMS_MAX - gsm7Length(assemble({ ...p, street: "" })) - 2;
  p = { ...p, street: cutAtWord(p.street, Math.max(streetBudget, 0)) };
  if (fits(p)) return assemble(p);
  // Last resort (never seen on real data): the phone and the town alone.
  return assemble({ name: cutAtWord(p.name, 60), street: "", town: p.town, phone: p.phone, hours: "" });
}
