/**
 * The diagnostic's operational indicators (contract in context.ts): the diagnostics recorded in a period, those that
 * found an urgency, and their profiles, with the statistics' small-cell suppression (stats.ts) — per period and per
 * month. A response carries its commune only: nothing at the scale of a quartier.
 */
import type {
  AppContext,
  IndicatorDefinition,
  IndicatorProvider,
  IndicatorScope,
  IndicatorValue,
} from "../context.ts";
import { guardMonths, monthsOf, notAtQpv, shown } from "../platform/indicators.ts";
import { BARRIERS, LEVELS, MODES, PROFILE_LABELS, PROFILES, type Profile } from "./model.ts";
import { type RawCounts, showStats } from "./stats.ts";
import { countResponsesByMonth } from "./store.ts";

const HIDDEN =
  "masqué de 1 à 4 diagnostics, et tout est masqué quand la période en compte moins de 5 ; une urgence est masquée " +
  "aussi quand moins de 5 diagnostics n'en ont pas ; quand un seul profil (ou un seul mois) est masqué, le plus petit " +
  "des autres l'est aussi, pour qu'aucune soustraction ne le retrouve : on protège les personnes. 0 est affiché.";

const common = {
  family: "Diagnostics",
  source: "saisies dans Maillage (diagnostics d'aisance numérique enregistrés)",
  vintage: "en continu",
  unit: "diagnostics",
  hidden: HIDDEN,
  access: "operationnel",
  monthly: true,
} as const;

const WHERE =
  "comptés dans la commune que la personne a indiquée ; le jour est celui de la fin du questionnaire (heure de Paris)";

const profileId = (p: Profile) => `diagnostics.profil.${p}`;

export const DIAGNOSTIC_INDICATORS: IndicatorDefinition[] = [
  {
    ...common,
    id: "diagnostics.realises",
    label: "Diagnostics numériques réalisés",
    definition: `Diagnostics d'aisance numérique menés jusqu'au bout et enregistrés (seul ou avec un professionnel), ${WHERE}.`,
    formula: "nombre de diagnostics enregistrés dont le jour est dans la période",
    cnv: "nombre de diagnostics numériques réalisés",
  },
  {
    ...common,
    id: "diagnostics.urgence",
    label: "Diagnostics avec une urgence",
    definition: `Diagnostics qui ont signalé une urgence numérique (un droit sur le point d'être perdu), ${WHERE}.`,
    formula: "nombre de diagnostics de la période marqués « urgence »",
  },
  ...PROFILES.map(
    (p): IndicatorDefinition => ({
      ...common,
      id: profileId(p),
      label: `Diagnostics : profil « ${PROFILE_LABELS[p]} »`,
      definition: `Diagnostics dont le résultat est le profil « ${PROFILE_LABELS[p]} », ${WHERE}.`,
      formula: `nombre de diagnostics de la période de profil « ${PROFILE_LABELS[p]} » (les quatre profils font le total)`,
    }),
  ),
];

const IDS = DIAGNOSTIC_INDICATORS.map((d) => d.id);
const KEYS = { profiles: PROFILES, levels: LEVELS, modes: MODES, barriers: BARRIERS };

/** What may be shown of counts (statistics' rules: nothing under 5 in all, shares and partitions protected). */
function values(raw: RawCounts): Record<string, IndicatorValue> {
  if (raw.total === 0) return Object.fromEntries(IDS.map((id) => [id, { value: 0 }]));
  const s = showStats(raw, KEYS);
  if (!s.enough) return Object.fromEntries(IDS.map((id) => [id, shown(null)]));
  return {
    "diagnostics.realises": shown(s.total),
    "diagnostics.urgence": shown(s.urgent),
    ...Object.fromEntries(s.profiles.map((p) => [profileId(p.key as Profile), shown(p.count)])),
  };
}

const empty = (): RawCounts => ({
  total: 0,
  urgent: 0,
  profiles: {},
  levels: {},
  modes: {},
  barriers: {},
  first: null,
  last: null,
});

function add(into: RawCounts, c: RawCounts): void {
  into.total += c.total;
  into.urgent += c.urgent;
  for (const [k, n] of Object.entries(c.profiles)) into.profiles[k] = (into.profiles[k] ?? 0) + n;
  for (const [k, n] of Object.entries(c.levels)) into.levels[k] = (into.levels[k] ?? 0) + n;
}

async function counts(ctx: AppContext, scope: IndicatorScope) {
  const byMonth = await countResponsesByMonth(
    ctx.database.db,
    scope.communes ? [...scope.communes] : null,
    scope.from,
    scope.to,
  );
  const period = empty();
  for (const c of byMonth.values()) add(period, c);
  return { byMonth, period };
}

const unavailable = () => Object.fromEntries(IDS.map((id) => [id, notAtQpv()]));

export const diagnosticIndicators: IndicatorProvider = {
  definitions: DIAGNOSTIC_INDICATORS,
  async compute(ctx, scope) {
    if (scope.qpv) return unavailable();
    return values((await counts(ctx, scope)).period);
  },
  async monthly(ctx, scope) {
    const months = monthsOf(scope.from, scope.to);
    if (scope.qpv) return Object.fromEntries(months.map((m) => [m.month, unavailable()]));
    const { byMonth, period } = await counts(ctx, scope);
    const out = Object.fromEntries(months.map((m) => [m.month, values(byMonth.get(m.month) ?? empty())]));
    guardMonths(out, values(period), IDS);
    return out;
  },
};
