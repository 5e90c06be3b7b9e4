/**
 * The accompaniments' operational indicators (contract in context.ts): individual accompaniments, workshops and their
 * participants, people accompanied, autonomy reached, a few thématiques, active mediators — per period and per month,
 * counted as the statistics count them (store.ts, rawStats: a report's day, its stats commune or its place) and
 * protected by the same dominance rule (model.ts, `protect`). A report made in a published place counts in the
 * quartier (QPV) that place lies in; one made elsewhere (at home, « autre lieu ») does not.
 */
import type {
  AppContext,
  IndicatorDefinition,
  IndicatorProvider,
  IndicatorScope,
  IndicatorValue,
} from "../context.ts";
import { cellOf, guardMonths, monthsOf, shown } from "../platform/indicators.ts";
import { protect, type RawCell } from "./model.ts";
import { indicatorCounts, type MonthCounts } from "./store.ts";
import { THEMATIQUE_LABELS, type Thematique } from "./vocabulary.ts";

/** The thématiques shown as indicators: the most asked of La Coop's, démarches first. */
const THEMES: readonly Thematique[] = [
  "aide_aux_demarches_administratives",
  "prendre_en_main_du_materiel",
  "navigation_sur_internet",
  "email",
  "securite_numerique",
];

const HIDDEN =
  "masqué sous 5 comptes rendus, ou quand une seule structure fait presque tout le chiffre (moins de 5 sans elle), " +
  "pour protéger les personnes ; un nombre de personnes est masqué aussi quand les comptes rendus derrière lui le " +
  "sont ; 0 est affiché.";
const WHERE =
  "comptés dans la commune du lieu de l'accompagnement (ou celle indiquée quand il a eu lieu ailleurs) ; dans un " +
  "quartier prioritaire, seuls les comptes rendus faits dans un lieu publié situé dans le quartier";

const common = {
  source: "saisies dans Maillage (comptes rendus d'activité des médiateurs et aidants)",
  vintage: "en continu",
  hidden: HIDDEN,
  access: "operationnel",
  monthly: true,
} as const;

const themeId = (t: Thematique) => `accompagnements.thematique.${t}`;

export const ACTIVITY_INDICATORS: IndicatorDefinition[] = [
  {
    ...common,
    id: "accompagnements.individuels",
    family: "Accompagnements",
    label: "Accompagnements individuels",
    definition: `Comptes rendus d'accompagnement individuel dont le jour est dans la période, ${WHERE}.`,
    formula: "nombre de comptes rendus de type « accompagnement individuel » (un par personne accompagnée)",
    unit: "accompagnements",
  },
  {
    ...common,
    id: "accompagnements.personnes",
    family: "Accompagnements",
    label: "Personnes accompagnées",
    definition:
      "Accompagnements de personnes : chaque accompagnement individuel compte une personne, chaque atelier compte " +
      `ses participants (une personne venue deux fois compte deux fois), ${WHERE}.`,
    formula: "accompagnements individuels + participants des ateliers collectifs",
    unit: "personnes",
    cnv: "% des populations prises en charge",
  },
  {
    ...common,
    id: "accompagnements.autonomes",
    family: "Accompagnements",
    label: "Accompagnements individuels terminés en autonomie",
    definition: `Accompagnements individuels à l'issue desquels la personne est repartie autonome, ${WHERE}.`,
    formula: "nombre de comptes rendus individuels dont le niveau d'autonomie est « Autonome »",
    unit: "accompagnements",
  },
  ...THEMES.map(
    (t): IndicatorDefinition => ({
      ...common,
      id: themeId(t),
      family: "Accompagnements",
      label: `Personnes accompagnées : ${THEMATIQUE_LABELS[t]}`,
      definition:
        `Personnes accompagnées (individuellement ou en atelier) sur la thématique « ${THEMATIQUE_LABELS[t]} » ` +
        `(La Coop de la médiation numérique), ${WHERE}. Un accompagnement peut avoir plusieurs thématiques.`,
      formula:
        "accompagnements individuels + participants des ateliers dont le compte rendu porte cette thématique",
      unit: "personnes",
    }),
  ),
  {
    ...common,
    id: "formations.ateliers",
    family: "Formations",
    label: "Ateliers collectifs (formations délivrées)",
    definition: `Ateliers collectifs tenus dans la période, ${WHERE}.`,
    formula: "nombre de comptes rendus de type « atelier collectif »",
    unit: "ateliers",
    cnv: "nombre de formations délivrées",
  },
  {
    ...common,
    id: "formations.participants",
    family: "Formations",
    label: "Participants aux ateliers",
    definition: `Participants des ateliers collectifs de la période (une personne venue à deux ateliers compte deux fois), ${WHERE}.`,
    formula: "somme des participants des comptes rendus d'atelier collectif",
    unit: "participants",
  },
  {
    ...common,
    id: "mediateurs.actifs",
    family: "Médiateurs et aidants",
    label: "Médiateurs actifs",
    definition:
      "Personnes (médiateurs, conseillers numériques, aidants) qui ont enregistré au moins un compte rendu dont le " +
      `jour est dans la période, ${WHERE}. Sur plusieurs mois, une personne compte une fois.`,
    formula: "nombre de personnes distinctes auteures d'au moins un compte rendu de la période",
    unit: "personnes",
    hidden:
      "masqué sous 5 personnes, ou quand une seule structure en compte presque toutes (moins de 5 sans elle), pour " +
      "protéger les personnes ; 0 est affiché.",
    cnv: "nombre d'aidants numériques et de médiateurs sociaux",
  },
];

const IDS = ACTIVITY_INDICATORS.map((d) => d.id);
/** Figures that add up over months (not the distinct mediators). */
const ADDITIVE = IDS.filter((id) => id !== "mediateurs.actifs");

const one = (c: RawCell) => protect([c], false)[0]?.count ?? null;
/** People behind reports: hidden when either the reports or the people would be. */
const behind = (reports: RawCell, people: RawCell) =>
  one(reports) === null || one(people) === null ? null : people.count;

type Counts = Awaited<ReturnType<typeof indicatorCounts>>;

function values(c: Counts): Record<string, IndicatorValue> {
  const sum = (f: (r: MonthCounts) => number) => cellOf(c.counts.map((r) => ({ org: r.org, n: f(r) })));
  const individuels = one(sum((r) => r.individuels));
  let participants = behind(
    sum((r) => r.ateliers),
    sum((r) => r.participants),
  );
  let indiv = individuels;
  const personnes = behind(
    sum((r) => r.individuels + r.ateliers),
    sum((r) => r.individuels + r.participants),
  );
  // People = individual accompaniments + participants: one of the two hidden would come back by subtraction.
  if (personnes !== null && (indiv === null) !== (participants === null)) {
    indiv = null;
    participants = null;
  }
  const mediators = new Map<number, Set<number>>();
  for (const m of c.mediators) mediators.set(m.org, (mediators.get(m.org) ?? new Set()).add(m.person));
  const distinct = new Set(c.mediators.map((m) => m.person)).size;
  const mediatorCell = {
    key: "",
    count: distinct,
    largest: Math.max(0, ...[...mediators.values()].map((s) => s.size)),
  };
  return {
    "accompagnements.individuels": shown(indiv),
    "accompagnements.personnes": shown(personnes),
    "accompagnements.autonomes": shown(one(sum((r) => r.autonomes))),
    ...Object.fromEntries(
      THEMES.map((t) => {
        const rows = c.thematiques.filter((r) => r.code === t);
        return [
          themeId(t),
          shown(
            behind(
              cellOf(rows.map((r) => ({ org: r.org, n: r.reports }))),
              cellOf(rows.map((r) => ({ org: r.org, n: r.people }))),
            ),
          ),
        ];
      }),
    ),
    "formations.ateliers": shown(one(sum((r) => r.ateliers))),
    "formations.participants": shown(participants),
    "mediateurs.actifs": shown(one(mediatorCell)),
  };
}

const counts = (ctx: AppContext, scope: IndicatorScope) =>
  indicatorCounts(
    ctx.database.db,
    scope.qpv
      ? { placeIds: [...scope.qpv.placeIds] }
      : { communes: scope.communes ? [...scope.communes] : null },
    scope.from,
    scope.to,
    THEMES,
  );

export const activityIndicators: IndicatorProvider = {
  definitions: ACTIVITY_INDICATORS,
  async compute(ctx, scope) {
    return values(await counts(ctx, scope));
  },
  async monthly(ctx, scope) {
    const c = await counts(ctx, scope);
    const out = Object.fromEntries(
      monthsOf(scope.from, scope.to).map((m) => [
        m.month,
        values({
          counts: c.counts.filter((r) => r.month === m.month),
          thematiques: c.thematiques.filter((r) => r.month === m.month),
          mediators: c.mediators.filter((r) => r.month === m.month),
        }),
      ]),
    );
    guardMonths(out, values(c), ADDITIVE);
    return out;
  },
};
