/**
 * The public indicators (from open data and the published directory): places by kind, service and opening, places
 * in and near the quartiers prioritaires, population within reach of help (coverage's core) and the fragility
 * index. Computed from one table per commune, built once per snapshot of the places and of the fragility scores:
 * a territory sums its communes, a quartier counts the places inside its contour.
 */
import type {
  AppContext,
  IndicatorDefinition,
  IndicatorProvider,
  IndicatorScope,
  IndicatorValue,
} from "../context.ts";
import { SERVICES } from "../coverage/model.ts";
import { coverageStats } from "../coverage/stats.ts";
import { placeCalendar, placeHours, simpleWeek, weekSchedule } from "../places/hours.ts";
import type { Place } from "../places/model.ts";
import { DATA } from "../platform/provenance.ts";

/** A week without public holiday, the reference week of « ouvert le samedi » and « ouvert après 18 h ». */
const REFERENCE_MONDAY = "2026-11-16";
const PLACES_SOURCE = "Annuaire des lieux de Maillage (sources et dates : page « Sources des données »)";
const PLACES_VINTAGE =
  "annuaire en cours (France Services août 2024, conseillers numériques déc. 2022, Hub du Sud mai 2023, imports)";
const NOTHING_HIDDEN = "rien : données publiques";

const serviceSlug = (s: string) =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");

const place = (
  id: string,
  label: string,
  definition: string,
  formula: string,
  cnv?: string,
): IndicatorDefinition => ({
  id,
  family: "Lieux",
  label,
  definition,
  formula,
  source: PLACES_SOURCE,
  vintage: PLACES_VINTAGE,
  unit: "lieux",
  hidden: NOTHING_HIDDEN,
  access: "public",
  monthly: false,
  ...(cnv ? { cnv } : {}),
});

const PUBLIC_DEFINITIONS: IndicatorDefinition[] = [
  place(
    "lieux.total",
    "Lieux d'inclusion numérique",
    "Lieux publiés dans l'annuaire dont la commune est dans le territoire ; pour un quartier, ceux dont les coordonnées sont dans son contour.",
    "nombre de lieux publiés (après fusion des doublons)",
  ),
  place(
    "lieux.qpv",
    "Lieux dans un quartier prioritaire",
    "Lieux dont les coordonnées exactes sont à l'intérieur du contour d'un quartier prioritaire 2024. Les lieux aux coordonnées approximatives ne sont pas comptés.",
    "nombre de lieux dont le point est dans un contour de QPV (point dans polygone)",
    "nombre de lieux d'accueil dans les QPV",
  ),
  place(
    "lieux.qpv_300m",
    "Lieux à moins de 300 m d'un quartier prioritaire",
    "Lieux hors de tout quartier prioritaire mais à moins de 300 m du contour de l'un d'eux (distance usuelle de la politique de la ville).",
    "nombre de lieux hors QPV à 300 m ou moins du contour le plus proche",
  ),
  place(
    "lieux.france_services",
    "Lieux France Services",
    "Lieux qui portent le dispositif France Services.",
    "nombre de lieux avec « France Services » dans leurs dispositifs",
  ),
  place(
    "lieux.conseillers_numeriques",
    "Lieux avec des conseillers numériques",
    "Lieux qui accueillent des conseillers numériques.",
    "nombre de lieux avec « Conseillers numériques » dans leurs dispositifs",
  ),
  place(
    "lieux.samedi",
    "Lieux ouverts le samedi",
    "Lieux dont les horaires connus les ouvrent le samedi (semaine de référence sans jour férié, celle du 16 novembre 2026).",
    "nombre de lieux ouverts au moins un moment le samedi ; horaires inconnus : non comptés",
  ),
  place(
    "lieux.soir",
    "Lieux ouverts après 18 h",
    "Lieux ouverts après 18 h au moins un jour de la semaine de référence (celle du 16 novembre 2026).",
    "nombre de lieux avec une plage horaire qui finit après 18 h ; horaires inconnus : non comptés",
  ),
  ...SERVICES.map((s) => ({
    ...place(
      `lieux.service.${serviceSlug(s)}`,
      s,
      `Lieux qui proposent le service « ${s} » (standard national des lieux de médiation numérique).`,
      "nombre de lieux dont la liste des services contient celui-ci",
      "quels services proposés",
    ),
    family: "Services proposés",
  })),
  {
    id: "population.totale",
    family: "Population",
    label: "Population",
    definition:
      "Population municipale des communes du territoire. Aucun chiffre de population n'est publié pour les quartiers 2024.",
    formula: "somme des populations municipales des communes",
    source: DATA.communes.title,
    vintage: DATA.communes.vintage,
    unit: "habitants",
    hidden: NOTHING_HIDDEN,
    access: "public",
    monthly: false,
  },
  {
    id: "couverture.part_a_portee",
    family: "Population",
    label: "Part de la population à portée d'un lieu",
    definition:
      "Part des habitants dont la commune est à moins de la distance de couverture d'un lieu (5 km en ville, 15 km ailleurs), comme sur la page Couverture.",
    formula: "population des communes couvertes ÷ population × 100",
    source: `${PLACES_SOURCE} ; ${DATA.communes.title}`,
    vintage: PLACES_VINTAGE,
    unit: "%",
    hidden: NOTHING_HIDDEN,
    access: "public",
    monthly: false,
  },
  {
    id: "couverture.fragiles",
    family: "Population",
    label: "Population des communes fragiles",
    definition: "Habitants des communes dont l'indice de fragilité est de 7 sur 10 ou plus.",
    formula: "somme des populations des communes d'indice ≥ 7",
    source: `Indice de fragilité de Maillage (${DATA.ifnCommunes.vintage}) ; ${DATA.communes.title}`,
    vintage: DATA.ifnCommunes.vintage,
    unit: "habitants",
    hidden: NOTHING_HIDDEN,
    access: "public",
    monthly: false,
  },
  {
    id: "couverture.fragiles_a_portee",
    family: "Population",
    label: "Part de la population fragile à portée d'un lieu",
    definition:
      "Parmi les habitants des communes fragiles (indice ≥ 7), la part dont la commune est couverte par un lieu.",
    formula: "population fragile couverte ÷ population fragile × 100",
    source: `${PLACES_SOURCE} ; indice de fragilité de Maillage`,
    vintage: PLACES_VINTAGE,
    unit: "%",
    hidden: NOTHING_HIDDEN,
    access: "public",
    monthly: false,
  },
  {
    id: "ifn.indice",
    family: "Fragilité numérique",
    label: "Indice de fragilité numérique",
    definition:
      "Indice de fragilité de la méthode par défaut (0 : peu fragile, 10 : très fragile). Pour un territoire, moyenne de ses communes pondérée par leur population ; pour un quartier, celle de ses communes.",
    formula: "Σ (indice × population) ÷ Σ population, sur les communes notées",
    source: `Indice de fragilité de Maillage, ${DATA.ifnCommunes.title}`,
    vintage: DATA.ifnCommunes.vintage,
    unit: "indice (0 à 10)",
    hidden: NOTHING_HIDDEN,
    access: "public",
    monthly: false,
  },
];

/** What each published place counts for (computed once per snapshot). */
interface PlaceFacts {
  commune: string | null;
  keys: string[];
}

/** Per commune: the place counts by indicator id, and the population figures. */
interface CommuneRow {
  counts: Map<string, number>;
  population: number;
  covered: number;
  fragile: number;
  fragileCovered: number;
  score: number | null;
}

export interface PublicBase {
  facts: Map<string, PlaceFacts>;
  communes: Map<string, CommuneRow>;
  /** The same counts over France, once. */
  france: Map<string, number>;
}

/** « samedi » and « soir » by hours text and calendar: many places share the same hours, and reading them is slow. */
const openingCache = new Map<string, string[]>();

function openingKeys(p: Place): string[] {
  const text = p.standard.horaires;
  if (!text || p.flags.unparsedHours) return [];
  const cal = placeCalendar(p);
  const key = `${cal.key}\u0000${text}`;
  let keys = openingCache.get(key);
  if (!keys) {
    keys = [];
    const simple = simpleWeek(text);
    if (simple) {
      if (simple.open[5]) keys.push("lieux.samedi");
      if (simple.closes.some((m) => m > 18 * 60)) keys.push("lieux.soir");
      openingCache.set(key, keys);
      return keys;
    }
    const h = placeHours(text, cal);
    if (h) {
      const week = weekSchedule(h, REFERENCE_MONDAY);
      if ((week[5]?.intervals.length ?? 0) > 0) keys.push("lieux.samedi");
      if (week.some((d) => d.intervals.some((i) => i.to > "18:00"))) keys.push("lieux.soir");
    }
    if (openingCache.size > 50_000) openingCache.clear();
    openingCache.set(key, keys);
  }
  return keys;
}

function placeKeys(p: Place, zones: { inside: string[]; near: string[] } | undefined): string[] {
  const keys = ["lieux.total"];
  if (zones?.inside.length) keys.push("lieux.qpv");
  else if (zones?.near.length) keys.push("lieux.qpv_300m");
  const d = p.standard.dispositif_programmes_nationaux;
  if (d.includes("France Services")) keys.push("lieux.france_services");
  if (d.includes("Conseillers numériques")) keys.push("lieux.conseillers_numeriques");
  keys.push(...openingKeys(p));
  for (const s of p.standard.services)
    if ((SERVICES as readonly string[]).includes(s)) keys.push(`lieux.service.${serviceSlug(s)}`);
  return keys;
}

/** Builds (or returns) the per-commune table of the current places, coverage and fragility. */
export class PublicIndicators implements IndicatorProvider {
  readonly definitions = PUBLIC_DEFINITIONS;
  private base: { places: readonly Place[]; result: Promise<PublicBase> } | null = null;

  async table(ctx: AppContext): Promise<PublicBase> {
    const places = await ctx.places.all();
    if (this.base?.places === places) return this.base.result;
    const result = build(ctx, places);
    this.base = { places, result };
    result.catch(() => {
      this.base = null;
    });
    return result;
  }

  async compute(ctx: AppContext, scope: IndicatorScope): Promise<Record<string, IndicatorValue>> {
    const base = await this.table(ctx);
    const out: Record<string, IndicatorValue> = {};
    if (scope.qpv) {
      const lists = await ctx.qpv.of(scope.qpv.code);
      const counts = new Map<string, number>();
      for (const p of lists.inside)
        for (const k of base.facts.get(p.id)?.keys ?? []) counts.set(k, (counts.get(k) ?? 0) + 1);
      for (const d of PUBLIC_DEFINITIONS)
        if (d.unit === "lieux") out[d.id] = { value: counts.get(d.id) ?? 0 };
      out["lieux.qpv_300m"] = {
        value: lists.near.length,
        note: "lieux hors du quartier à moins de 300 m de son contour",
      };
      const rows = [...(scope.communes ?? [])].flatMap((c) => base.communes.get(c) ?? []);
      const noPop = "aucune population publiée pour les quartiers 2024";
      out["population.totale"] = { value: undefined, note: noPop };
      out["couverture.part_a_portee"] = { value: undefined, note: noPop };
      out["couverture.fragiles"] = { value: undefined, note: noPop };
      out["couverture.fragiles_a_portee"] = { value: undefined, note: noPop };
      out["ifn.indice"] = { ...ifnOf(rows), note: "indice des communes du quartier" };
      return out;
    }
    const rows = scope.communes
      ? [...scope.communes].flatMap((c) => base.communes.get(c) ?? [])
      : [...base.communes.values()];
    const counts = scope.communes ? new Map<string, number>() : base.france;
    if (scope.communes)
      for (const r of rows) for (const [k, n] of r.counts) counts.set(k, (counts.get(k) ?? 0) + n);
    for (const d of PUBLIC_DEFINITIONS) if (d.unit === "lieux") out[d.id] = { value: counts.get(d.id) ?? 0 };
    let [population, covered, fragile, fragileCovered] = [0, 0, 0, 0];
    for (const r of rows) {
      population += r.population;
      covered += r.covered;
      fragile += r.fragile;
      fragileCovered += r.fragileCovered;
    }
    out["population.totale"] = { value: population };
    out["couverture.part_a_portee"] = { value: percent(covered, population) };
    out["couverture.fragiles"] = { value: fragile };
    out["couverture.fragiles_a_portee"] =
      fragile > 0
        ? { value: percent(fragileCovered, fragile) }
        : { value: undefined, note: "aucune commune fragile" };
    out["ifn.indice"] = ifnOf(rows);
    return out;
  }
}

const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);

function ifnOf(rows: CommuneRow[]): IndicatorValue {
  let [sum, weight] = [0, 0];
  for (const r of rows)
    if (r.score !== null && r.population > 0) {
      sum += r.score * r.population;
      weight += r.population;
    }
  return weight > 0
    ? { value: Math.round((sum / weight) * 10) / 10 }
    : { value: undefined, note: "aucune commune notée" };
}

async function build(ctx: AppContext, places: readonly Place[]): Promise<PublicBase> {
  const located = await ctx.qpv.locate();
  const facts = new Map<string, PlaceFacts>();
  const communes = new Map<string, CommuneRow>();
  const france = new Map<string, number>();
  const row = (code: string): CommuneRow => {
    let r = communes.get(code);
    if (!r) {
      r = { counts: new Map(), population: 0, covered: 0, fragile: 0, fragileCovered: 0, score: null };
      communes.set(code, r);
    }
    return r;
  };
  let n = 0;
  for (const p of places) {
    // Reading thousands of opening hours takes seconds the first time: other requests go on meanwhile.
    if (++n % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    const keys = placeKeys(p, located.byPlace.get(p.id));
    facts.set(p.id, { commune: p.communeCode, keys });
    for (const k of keys) france.set(k, (france.get(k) ?? 0) + 1);
    if (!p.communeCode) continue;
    const r = row(p.communeCode);
    for (const k of keys) r.counts.set(k, (r.counts.get(k) ?? 0) + 1);
  }
  // Coverage of every commune of France at once (the layer « tous »), one commune at a time through the core.
  const cov = await ctx.coverage.coverage(null);
  const dist = cov.dist.get("tous");
  const inCommune = cov.table.inCommune.get("tous") ?? new Set<string>();
  cov.communes.forEach((c, i) => {
    const s = coverageStats("tous", [c], [dist?.[i] ?? Number.NaN], inCommune, cov.params);
    const r = row(c.code);
    r.population = s.population;
    r.covered = s.coveredPopulation;
    r.fragile = s.fragilePopulation;
    r.fragileCovered = s.coveredFragilePopulation;
    r.score = c.score;
  });
  return { facts, communes, france };
}
