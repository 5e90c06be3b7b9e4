/**
 * The pass numérique's operational indicators (contract in context.ts): cheques issued to prescribers, booklets handed
 * to people, cheques redeemed and their value, and the share of handed cheques used — per period and per month, from
 * the booklets' and cheques' states (store.ts, `indicatorCounts`), protected by the accompaniments' dominance rule
 * (`protect`: by prescriber or place organisation). A handing records a commune, a redemption an organisation:
 * nothing at the scale of a quartier.
 */
import { protect, type RawCell } from "../activites/model.ts";
import type {
  AppContext,
  IndicatorDefinition,
  IndicatorProvider,
  IndicatorScope,
  IndicatorValue,
} from "../context.ts";
import { cellOf, guardMonths, monthsOf, notAtQpv, shown, territoryInScope } from "../platform/indicators.ts";
import { indicatorCounts, type PassCounts } from "./store.ts";

const HIDDEN =
  "masqué sous 5, ou quand une seule structure (prescripteur ou lieu) fait presque tout le chiffre (moins de 5 sans " +
  "elle), pour protéger les personnes ; 0 est affiché.";

const common = {
  family: "Pass numérique",
  source: "saisies dans Maillage (programmes, carnets et chèques du pass numérique)",
  vintage: "en continu",
  hidden: HIDDEN,
  access: "operationnel",
  monthly: true,
} as const;

const HANDED_WHERE =
  "comptés dans la commune de la personne, notée à la remise ; le jour est celui du programme (heure de Paris en " +
  "métropole)";

export const PASS_INDICATORS: IndicatorDefinition[] = [
  {
    ...common,
    id: "pass.emis",
    label: "Chèques émis vers les prescripteurs",
    definition:
      "Chèques des carnets attribués à un prescripteur dans la période (heure de Paris). Un carnet attribué n'a pas " +
      "encore de commune : il compte dans un territoire quand le territoire du programme y est entièrement compris " +
      "(un programme départemental ne compte pas dans une de ses communes, mais dans le département et au-delà).",
    formula: "somme, sur les carnets attribués dans la période, du nombre de chèques par carnet (5 ou 10)",
    unit: "chèques",
  },
  {
    ...common,
    id: "pass.remis",
    label: "Personnes ayant reçu un pass",
    definition: `Carnets remis à une personne par un prescripteur dans la période (un carnet par personne), ${HANDED_WHERE}.`,
    formula: "nombre de carnets dont le jour de remise est dans la période",
    unit: "personnes",
  },
  {
    ...common,
    id: "pass.utilises",
    label: "Chèques utilisés",
    definition: `Chèques encaissés par un lieu labellisé dans la période (le jour où le lieu l'a enregistré), ${HANDED_WHERE}.`,
    formula: "nombre de chèques dont le jour d'encaissement est dans la période",
    unit: "chèques",
  },
  {
    ...common,
    id: "pass.montant_utilise",
    label: "Valeur des chèques utilisés",
    definition: `Valeur faciale des chèques encaissés dans la période, en centimes d'euro, ${HANDED_WHERE}.`,
    formula: "somme des valeurs faciales (en centimes) des chèques encaissés dans la période",
    unit: "centimes d'euro",
    hidden:
      "masqué quand le nombre de chèques utilisés l'est (sous 5, ou une seule structure) ; 0 est affiché.",
  },
  {
    ...common,
    id: "pass.taux_utilisation",
    label: "Part des chèques remis qui ont été utilisés",
    definition:
      `Parmi les chèques des carnets remis dans la période, la part encaissée au plus tard le dernier jour de la période, ${HANDED_WHERE}. ` +
      "Par mois : les carnets remis ce mois-là. Sans chèque remis, il n'y a pas de taux.",
    formula:
      "chèques encaissés (au plus tard le dernier jour) ÷ chèques des carnets remis dans la période × 100, à 0,1 près",
    unit: "%",
    hidden:
      "masqué quand le nombre de personnes ayant reçu un pass l'est, ou quand moins de 5 de leurs chèques ont été " +
      "utilisés (ou presque tous par les personnes d'un seul prescripteur), pour protéger les personnes.",
  },
];

const IDS = PASS_INDICATORS.map((d) => d.id);
/** Counts that add up over months (the value follows the cheques used: hidden with them). */
const ADDITIVE = ["pass.emis", "pass.remis", "pass.utilises"];
const one = (c: RawCell) => protect([c], false)[0]?.count ?? null;

function values(ctx: AppContext, scope: IndicatorScope, c: PassCounts): Record<string, IndicatorValue> {
  const issued = cellOf(
    c.issued
      .filter((r) => territoryInScope(ctx, r.territory, scope))
      .map((r) => ({ org: r.org, n: r.cheques })),
  );
  const people = one(cellOf(c.handed.map((r) => ({ org: r.org, n: r.booklets }))));
  const handedCheques = c.handed.reduce((a, r) => a + r.cheques, 0);
  const usedOfHanded = cellOf(c.handed.map((r) => ({ org: r.org, n: r.redeemedByEnd })));
  const used = one(cellOf(c.redeemed.map((r) => ({ org: r.org, n: r.cheques }))));
  const cents = c.redeemed.reduce((a, r) => a + r.cents, 0);
  const rate: IndicatorValue =
    handedCheques === 0
      ? { value: undefined, note: "aucun chèque remis dans la période" }
      : shown(
          people === null || one(usedOfHanded) === null
            ? null
            : Math.round((usedOfHanded.count / handedCheques) * 1000) / 10,
        );
  return {
    "pass.emis": shown(one(issued)),
    "pass.remis": shown(people),
    "pass.utilises": shown(used),
    "pass.montant_utilise": shown(used === null ? null : cents),
    "pass.taux_utilisation": rate,
  };
}

const counts = (ctx: AppContext, scope: IndicatorScope) =>
  indicatorCounts(ctx.database.db, scope.communes ? [...scope.communes] : null, scope.from, scope.to);
const unavailable = () => Object.fromEntries(IDS.map((id) => [id, notAtQpv()]));

export const passIndicators: IndicatorProvider = {
  definitions: PASS_INDICATORS,
  async compute(ctx, scope) {
    if (scope.qpv) return unavailable();
    return values(ctx, scope, await counts(ctx, scope));
  },
  async monthly(ctx, scope) {
    const months = monthsOf(scope.from, scope.to);
    if (scope.qpv) return Object.fromEntries(months.map((m) => [m.month, unavailable()]));
    const c = await counts(ctx, scope);
    const out = Object.fromEntries(
      months.map((m) => [
        m.month,
        values(ctx, scope, {
          issued: c.issued.filter((r) => r.month === m.month),
          handed: c.handed.filter((r) => r.month === m.month),
          redeemed: c.redeemed.filter((r) => r.month === m.month),
        }),
      ]),
    );
    guardMonths(out, values(ctx, scope, c), ADDITIVE);
    for (const m of Object.values(out))
      if (m["pass.utilises"]?.hidden) m["pass.montant_utilise"] = shown(null);
    return out;
  },
};
