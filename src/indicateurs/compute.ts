/**
 * Indicators for a territory and a period, from every capability's provider: the one place that turns a territory
 * into a scope (its communes, or a quartier's places) and asks each provider. Dashboards, exports, the API, the
 * contrat de ville view and the portrait all read their figures from here.
 */
import type { AppContext, IndicatorDefinition, IndicatorScope, IndicatorValue } from "../context.ts";
import { addDays, dayIn } from "../platform/clock.ts";
import { MONTHS } from "../platform/format.ts";
import type { Territory } from "../territories/model.ts";

export interface Period {
  from: string;
  to: string;
  /** As typed (« 2026 », « 2026-11 ») or « 12 derniers mois ». */
  label: string;
}

export type PeriodResult = { ok: true; period: Period } | { ok: false; message: string };

export const monthLabel = (month: string): string =>
  `${MONTHS[Number(month.slice(5, 7)) - 1] ?? month.slice(5, 7)} ${month.slice(0, 4)}`;

/**
 * `periode`: a year (`2026`), a month (`2026-11`), or nothing for the last 12 months to today (Paris days). A
 * period that has not started yet is refused; one still running ends today.
 */
export function parsePeriod(raw: string | undefined, now: Date): PeriodResult {
  const today = dayIn(now, "Europe/Paris");
  const text = (raw ?? "").trim();
  if (text === "") {
    let month = today.slice(0, 7);
    for (let i = 0; i < 11; i++) month = previousMonth(month);
    return { ok: true, period: { from: `${month}-01`, to: today, label: "12 derniers mois" } };
  }
  let from: string;
  let to: string;
  let label: string;
  if (/^\d{4}$/.test(text)) {
    [from, to, label] = [`${text}-01-01`, `${text}-12-31`, `année ${text}`];
  } else if (/^\d{4}-(0[1-9]|1[0-2])$/.test(text)) {
    from = `${text}-01`;
    to = addDays(`${nextMonth(text)}-01`, -1);
    label = monthLabel(text);
  } else {
    return {
      ok: false,
      message: `Période « ${text.slice(0, 20)} » illisible : écrivez une année (2026) ou un mois (2026-11).`,
    };
  }
  if (from > today)
    return {
      ok: false,
      message: `La période ${label} est dans le futur : les chiffres s'arrêtent aujourd'hui (${today}).`,
    };
  if (Number(text.slice(0, 4)) < 2000)
    return { ok: false, message: "Période trop ancienne : à partir de l'an 2000." };
  return { ok: true, period: { from, to: to > today ? today : to, label } };
}

function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

function previousMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}

/** The months of a period, `AAAA-MM`, oldest first. */
export function monthsOf(p: Period): string[] {
  const out: string[] = [];
  for (let m = p.from.slice(0, 7); m <= p.to.slice(0, 7); m = nextMonth(m)) out.push(m);
  return out;
}

/** Every indicator of every capability, in the capabilities' order. */
export const definitions = (ctx: AppContext): IndicatorDefinition[] =>
  ctx.indicatorProviders.flatMap((p) => p.definitions);

/** The scope of a territory (France when null): its communes with their arrondissements, or a quartier's places. */
async function scopeOf(ctx: AppContext, t: Territory | null, period: Period): Promise<IndicatorScope> {
  if (!t) return { territory: null, communes: null, qpv: null, from: period.from, to: period.to };
  const ref = ctx.territories;
  const communes = new Set<string>();
  const list = t.kind === "arrondissement" ? [t] : ref.communesOf(t);
  for (const c of list) {
    communes.add(c.id);
    for (const a of ref.childrenOf(c.id)) if (a.kind === "arrondissement") communes.add(a.id);
  }
  const qpv =
    t.kind === "qpv"
      ? { code: t.id, placeIds: new Set((await ctx.qpv.of(t.id)).inside.map((p) => p.id)) }
      : null;
  return { territory: t, communes, qpv, from: period.from, to: period.to };
}

/**
 * The values of every indicator for a territory; operational ones only when `operational` (the caller has checked
 * the person may see them); the others are absent.
 */
export async function computeAll(
  ctx: AppContext,
  t: Territory | null,
  period: Period,
  operational: boolean,
): Promise<Record<string, IndicatorValue>> {
  const scope = await scopeOf(ctx, t, period);
  const out: Record<string, IndicatorValue> = {};
  for (const p of ctx.indicatorProviders) {
    if (!operational && p.definitions.every((d) => d.access === "operationnel")) continue;
    const values = await p.compute(ctx, scope);
    for (const d of p.definitions)
      if (operational || d.access === "public")
        out[d.id] = values[d.id] ?? { value: undefined, note: "non calculé" };
  }
  return out;
}

/** Month → id → value for the monthly indicators the caller may see. */
export async function computeMonthly(
  ctx: AppContext,
  t: Territory | null,
  period: Period,
  operational: boolean,
): Promise<Record<string, Record<string, IndicatorValue>>> {
  const scope = await scopeOf(ctx, t, period);
  const out: Record<string, Record<string, IndicatorValue>> = {};
  for (const p of ctx.indicatorProviders) {
    if (!p.monthly) continue;
    const visible = p.definitions.filter((d) => d.monthly && (operational || d.access === "public"));
    if (visible.length === 0) continue;
    const months = await p.monthly(ctx, scope);
    for (const [m, values] of Object.entries(months)) {
      const row = out[m] ?? {};
      for (const d of visible) if (values[d.id]) row[d.id] = values[d.id] as IndicatorValue;
      out[m] = row;
    }
  }
  return out;
}

/** A value as a page shows it: « 12 », « 45,3 % », « masqué », « non disponible ». */
export function formatValue(d: IndicatorDefinition, v: IndicatorValue | undefined): string {
  if (!v || v.value === undefined) return "non disponible";
  if (v.value === null) return "masqué";
  // Money is kept in integer cents (pass numérique): shown in euros.
  if (d.unit === "centimes d'euro")
    return `${(v.value / 100).toLocaleString("fr-FR", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).replace(/[\u202f\u00a0]/g, " ")} €`;
  const n = v.value.toLocaleString("fr-FR", { maximumFractionDigits: 1 }).replace(/[\u202f\u00a0]/g, " ");
  return d.unit === "%" ? `${n} %` : n;
}

/**
 * Builds what every dashboard reads first (places located in the quartiers, the per-commune table of the public
 * indicators): a few seconds the first time, yielding to other requests. The server does it once it listens, so the
 * first person to open a dashboard does not wait for it.
 */
export async function warmIndicators(ctx: AppContext): Promise<void> {
  const p = parsePeriod(undefined, ctx.clock.now());
  if (p.ok) await computeAll(ctx, null, p.period, false);
}
