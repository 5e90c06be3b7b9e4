/** The questionnaire flow without pages: links of each step, the first question left, how a commune is read, the stored day. */
import type { AppContext } from "../context.ts";
import { calendarOf } from "../places/hours.ts";
import { dayIn } from "../platform/clock.ts";
import type { ResolveOptions } from "../territories/resolve.ts";
import { type Answers, BARRIERS, LEVELS, MODES, type Mode, PROFILES } from "./model.ts";
import { QUESTIONNAIRE } from "./questionnaire.ts";

const MAX_TEXT = 100;
export const text = (v: unknown) => (typeof v === "string" ? v.slice(0, MAX_TEXT).trim() : "");
export const modeOf = (v: unknown): Mode | null => (MODES.includes(v as Mode) ? (v as Mode) : null);
export const STAT_KEYS = { profiles: PROFILES, levels: LEVELS, modes: MODES, barriers: BARRIERS };

/**
 * How the diagnostic reads a commune: communes and arrondissements, a postcode before an INSEE code (what people
 * type); `prefer: "code"` for links, which carry ids.
 */
export const communeOptions = (
  ctx: Pick<AppContext, "territories" | "search">,
  prefer: "postcode" | "code" = "postcode",
): ResolveOptions => ({
  referential: ctx.territories,
  search: ctx.search,
  kinds: ["commune", "arrondissement"],
  prefer,
});

/** The commune's day (YYYY-MM-DD, on its wall clock): only the day is stored, not the time. */
export const dayOf = (ms: number, commune: string) => dayIn(new Date(ms), calendarOf(commune).zone);

/** Index (0-based) of the first question without an answer; the count when all are answered. */
export const firstUnanswered = (answers: Answers) => {
  const i = QUESTIONNAIRE.questions.findIndex((q) => answers[q.id] === undefined);
  return i === -1 ? QUESTIONNAIRE.questions.length : i;
};

export const startHref = (commune?: string, mode?: Mode) => {
  const p = new URLSearchParams();
  if (commune) p.set("commune", commune);
  if (mode) p.set("mode", mode);
  const s = p.toString();
  return s ? `/diagnostic?${s}` : "/diagnostic";
};
export const questionHref = (n: number, t: string) => `/diagnostic/question/${n}?t=${encodeURIComponent(t)}`;
export const resultHref = (t: string, sheet = false) =>
  `/diagnostic/${sheet ? "fiche" : "resultat"}?t=${encodeURIComponent(t)}`;
