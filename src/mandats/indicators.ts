/**
 * The mandates' operational indicators (contract in context.ts): mandates running at the end of the period, created in
 * it (in all and by family of démarches), uses, and aidants habilitated — per period and per month, protected by the
 * accompaniments' dominance rule (`protect`, by organisation). A mandate counts where its organisation acts (its
 * territory, copied on the mandate); an habilitation where its organisation acts (read through the accounts' store).
 * No record carries a place: nothing at the scale of a quartier.
 */
import { listOrganisations } from "../accounts/store.ts";
import { protect, type RawCell } from "../activites/model.ts";
import type {
  AppContext,
  IndicatorDefinition,
  IndicatorProvider,
  IndicatorScope,
  IndicatorValue,
} from "../context.ts";
import {
  cellOf,
  guardMonths,
  type Month,
  monthsOf,
  notAtQpv,
  shown,
  territoryInScope,
} from "../platform/indicators.ts";
import { DEMARCHE_INFO, DEMARCHES, type Demarche } from "./model.ts";
import { indicatorCounts, type MandatCounts } from "./store.ts";

const HIDDEN =
  "masqué sous 5, ou quand une seule structure fait presque tout le chiffre (moins de 5 sans elle), pour protéger " +
  "les personnes ; 0 est affiché.";
const WHERE =
  "comptés dans le territoire d'action de la structure du mandat, quand il est entièrement compris dans le " +
  "territoire demandé (une structure départementale ne compte pas dans une de ses communes)";

const common = {
  family: "Mandats (Aidants Connect)",
  source: "saisies dans Maillage (mandats signés avec un aidant habilité)",
  vintage: "en continu",
  hidden: HIDDEN,
  access: "operationnel",
  monthly: true,
} as const;

const familyId = (d: Demarche) => `mandats.demarche.${d}`;

export const MANDAT_INDICATORS: IndicatorDefinition[] = [
  {
    ...common,
    id: "mandats.actifs",
    label: "Mandats en cours",
    definition:
      "Mandats en cours à la fin de la période (à minuit, heure de Paris) : signés, pas encore arrivés à leur terme, " +
      `avec au moins une famille de démarches ni révoquée ni remplacée, ${WHERE}. Par mois : à la fin de chaque mois.`,
    formula:
      "nombre de mandats signés avant la fin de la période, expirant après, dont une famille au moins court encore",
    unit: "mandats",
  },
  {
    ...common,
    id: "mandats.crees",
    label: "Mandats signés",
    definition:
      "Mandats signés dans la période (heure de Paris), renouvellements et transferts compris (chacun est un nouveau " +
      `mandat), ${WHERE}.`,
    formula: "nombre de mandats dont la signature est dans la période",
    unit: "mandats",
  },
  ...DEMARCHES.map(
    (d): IndicatorDefinition => ({
      ...common,
      id: familyId(d),
      label: `Mandats signés : ${DEMARCHE_INFO[d].title}`,
      definition:
        `Mandats signés dans la période qui couvrent la famille de démarches « ${DEMARCHE_INFO[d].title} » ` +
        `(${DEMARCHE_INFO[d].plain}), ${WHERE}. Un mandat couvre souvent plusieurs familles.`,
      formula: "nombre de mandats signés dans la période dont cette famille fait partie",
      unit: "mandats",
    }),
  ),
  {
    ...common,
    id: "mandats.utilisations",
    label: "Démarches faites sous mandat",
    definition: `Démarches enregistrées par un aidant sous un mandat, le jour où elles ont été faites, ${WHERE}.`,
    formula: "nombre d'utilisations de mandats dont le jour est dans la période",
    unit: "démarches",
  },
  {
    ...common,
    id: "aidants.habilites",
    family: "Médiateurs et aidants",
    label: "Aidants habilités",
    definition:
      "Personnes habilitées à faire des démarches sous mandat à la fin de la période (habilitation en cours, non " +
      "retirée), comptées dans le territoire d'action de leur structure quand il est entièrement compris dans le " +
      "territoire demandé. Par mois : à la fin de chaque mois.",
    formula: "nombre de personnes distinctes ayant une habilitation en cours à la fin de la période",
    unit: "personnes",
    hidden:
      "masqué sous 5 personnes, ou quand une seule structure en compte presque toutes (moins de 5 sans elle), pour " +
      "protéger les personnes ; 0 est affiché.",
    cnv: "nombre d'aidants numériques et de médiateurs sociaux",
  },
];

const IDS = MANDAT_INDICATORS.map((d) => d.id);
/** Flows add up over months; what runs at an end (mandates, habilitations) does not. */
const ADDITIVE = IDS.filter((id) => id !== "mandats.actifs" && id !== "aidants.habilites");
const one = (c: RawCell) => protect([c], false)[0]?.count ?? null;

/** The values of one span (the period or a month), stocks taken at its last day. */
function values(
  c: MandatCounts,
  inScope: (territory: string) => boolean,
  territoryOf: Map<number, string>,
  span: { month?: string; end: string },
): Record<string, IndicatorValue> {
  const inMonth = (r: { month: string }) => span.month === undefined || r.month === span.month;
  const created = c.created.filter((r) => inMonth(r) && inScope(r.territory));
  const count = (rs: { org: number; n: number }[]) =>
    shown(one(cellOf(rs.map((r) => ({ org: r.org, n: r.n })))));
  const habilitated = c.habilitated.filter((r) => {
    const t = territoryOf.get(r.org);
    return r.day === span.end && t !== undefined && inScope(t);
  });
  const byOrg = new Map<number, number>();
  for (const h of habilitated) byOrg.set(h.org, (byOrg.get(h.org) ?? 0) + 1);
  return {
    "mandats.actifs": count(c.active.filter((r) => r.day === span.end && inScope(r.territory))),
    "mandats.crees": count(created.filter((r) => r.demarche === "")),
    ...Object.fromEntries(
      DEMARCHES.map((d) => [familyId(d), count(created.filter((r) => r.demarche === d))]),
    ),
    "mandats.utilisations": count(c.uses.filter((r) => inMonth(r) && inScope(r.territory))),
    "aidants.habilites": shown(
      one({
        key: "",
        count: new Set(habilitated.map((h) => h.person)).size,
        largest: Math.max(0, ...byOrg.values()),
      }),
    ),
  };
}

async function counts(ctx: AppContext, scope: IndicatorScope, months: Month[]) {
  const db = ctx.database.db;
  const c = await indicatorCounts(
    db,
    scope.from,
    scope.to,
    months.map((m) => m.to),
  );
  const ids = [...new Set(c.habilitated.map((h) => h.org))];
  const { organisations } = await listOrganisations(db, { ids, limit: ids.length, offset: 0 });
  const territoryOf = new Map(organisations.map((o) => [o.id, o.territoryId]));
  const known = new Map<string, boolean>();
  const inScope = (t: string) => {
    let v = known.get(t);
    if (v === undefined) {
      v = territoryInScope(ctx, t, scope);
      known.set(t, v);
    }
    return v;
  };
  return { c, inScope, territoryOf };
}

const unavailable = () => Object.fromEntries(IDS.map((id) => [id, notAtQpv()]));

export const mandatIndicators: IndicatorProvider = {
  definitions: MANDAT_INDICATORS,
  async compute(ctx, scope) {
    if (scope.qpv) return unavailable();
    const end: Month = { month: scope.to.slice(0, 7), from: scope.from, to: scope.to };
    const { c, inScope, territoryOf } = await counts(ctx, scope, [end]);
    return values(c, inScope, territoryOf, { end: scope.to });
  },
  async monthly(ctx, scope) {
    const months = monthsOf(scope.from, scope.to);
    if (scope.qpv) return Object.fromEntries(months.map((m) => [m.month, unavailable()]));
    const { c, inScope, territoryOf } = await counts(ctx, scope, months);
    const out = Object.fromEntries(
      months.map((m) => [m.month, values(c, inScope, territoryOf, { month: m.month, end: m.to })]),
    );
    guardMonths(out, values(c, inScope, territoryOf, { end: scope.to }), ADDITIVE);
    return out;
  },
};
