/**
 * The printable territory portrait (`/indicateurs/portrait?territoire=`): one page for an élu that prints on 4 to 6
 * A4 pages — the key figures, fragility and its causes, the offer, its gaps and the planner's proposal, the activity
 * (for those allowed), the quartiers prioritaires and every source. It computes nothing of its own: the figures come
 * from the indicators (computeAll), fragility's stored scores and aggregates, coverage's engine and the QPV read
 * model, so the portrait says what the dashboards, the fragility and coverage pages say.
 */
import type { FastifyInstance } from "fastify";
import type { ComponentChildren, VNode } from "preact";
import { signInHref } from "../accounts/web.ts";
import type { AppContext, IndicatorDefinition, IndicatorValue } from "../context.ts";
import type { PlanResult } from "../coverage/engine.ts";
import { int, km, pct } from "../coverage/format.ts";
import type { Gap } from "../coverage/model.ts";
import { DEFAULT_DISTANCES_TEXT, DEFAULT_PARAMS } from "../coverage/model.ts";
import { formatScore } from "../fragility/classes.ts";
import { INDICATORS } from "../fragility/indicators.ts";
import { sendPage } from "../platform/http.ts";
import { DATA, VINTAGES } from "../platform/provenance.ts";
import { Layout } from "../platform/views/layout.tsx";
import { TableRegion } from "../platform/views/table.tsx";
import { kindLabel, territoryUrl } from "../territories/describe.ts";
import type { Territory } from "../territories/model.ts";
import { computeAll, formatValue } from "./compute.ts";
import { type IndicatorQuery, type IndicatorRequest, readRequest } from "./routes.tsx";
import { byFamily, defUrl, FamilyTable } from "./views.tsx";

/** How many quartiers the portrait lists (the others are counted), gaps it names and sites it proposes. */
const MAX_QPV = 15;
const MAX_GAPS = 8;
const PLAN_SITES = 5;
const PLAN_RADIUS_KM = 10;
/** Above this many communes (a région, France) the plan is left to the planning page: too long for a page view. */
const PLAN_MAX_COMMUNES = 1500;

const KEY_FIGURES = ["population.totale", "lieux.total", "couverture.part_a_portee", "ifn.indice"] as const;

interface Cause {
  id: string;
  label: string;
  cause: string;
  here: number | null;
  france: number | null;
}

interface QpvRow {
  q: Territory;
  inside: number;
  near: number;
}

interface PortraitData {
  r: IndicatorRequest;
  defs: Map<string, IndicatorDefinition>;
  here: Record<string, IndicatorValue>;
  france: Record<string, IndicatorValue>;
  map: VNode | null;
  method: { label: string } | null;
  causes: Cause[];
  fragile: { score: number | null; shareAtLeast7: number | null } | null;
  gaps: Gap[];
  gapCount: number;
  plan: PlanResult | null;
  planNote: string | null;
  qpvs: QpvRow[];
  qpvTotal: number;
  signIn: string;
}

/** The causes of fragility: each indicator's mean score (0–10) here and in France, most weighty first. */
async function causesOf(ctx: AppContext, t: Territory | null, version: string, ids: string[]) {
  const deps = await ctx.fragility.aggregates(version, "departement");
  const franceMean: Record<string, number | null> = {};
  let franceScore = 0;
  let franceWeight = 0;
  for (const id of ids) {
    let [sum, weight] = [0, 0];
    for (const a of deps.values()) {
      const v = a.indicators[id];
      if (typeof v === "number") {
        sum += v * a.scoredPopulation;
        weight += a.scoredPopulation;
      }
    }
    franceMean[id] = weight > 0 ? sum / weight : null;
  }
  for (const a of deps.values())
    if (a.score !== null) {
      franceScore += a.score * a.scoredPopulation;
      franceWeight += a.scoredPopulation;
    }
  let here: Record<string, number | null> = franceMean;
  let fragile: PortraitData["fragile"] = null;
  if (t) {
    const level = t.kind === "epci" || t.kind === "departement" || t.kind === "region" ? t.kind : null;
    if (level) {
      const a = (await ctx.fragility.aggregates(version, level, [t.code])).get(t.code);
      here = a?.indicators ?? {};
      fragile = a ? { score: a.score, shareAtLeast7: a.shareAtLeast7 } : null;
    } else if (t.kind === "commune" || t.kind === "arrondissement") {
      const s = (await ctx.fragility.scoreLines(version, [t.code])).get(t.code);
      here = Object.fromEntries((s?.lines ?? []).map((l) => [l.indicator, l.normalised]));
      fragile = s ? { score: s.score, shareAtLeast7: null } : null;
    } else here = {};
  } else fragile = { score: franceWeight > 0 ? franceScore / franceWeight : null, shareAtLeast7: null };
  const causes = ids
    .map((id) => ({
      id,
      label: INDICATORS[id]?.label ?? id,
      cause: INDICATORS[id]?.cause ?? id,
      here: here[id] ?? null,
      france: franceMean[id] ?? null,
    }))
    .sort((a, b) => (b.here ?? -1) - (a.here ?? -1));
  return { causes, fragile };
}

async function portraitData(ctx: AppContext, r: IndicatorRequest, signIn: string): Promise<PortraitData> {
  const t = r.t;
  const [here, france] = await Promise.all([
    computeAll(ctx, t, r.period, r.operational),
    t ? computeAll(ctx, null, r.period, false) : Promise.resolve({}),
  ]);
  const method = (await ctx.fragility.methods())[0] ?? null;
  const fr = method
    ? await causesOf(ctx, t, method.version, method.indicators)
    : { causes: [], fragile: null };
  const map = t ? await ctx.fragility.territoryMap(t, ctx) : null;
  const cov = await ctx.coverage.coverage(t);
  const allGaps = ctx.coverage.gaps(cov, { kind: "tous" });
  let plan: PlanResult | null = null;
  let planNote: string | null = null;
  if (!t || cov.communes.length > PLAN_MAX_COMMUNES)
    planNote = "Pour un territoire aussi grand, la proposition se calcule sur la page de planification.";
  else if (cov.communes.length < 2) planNote = "Une seule commune : pas de proposition de nouveaux sites.";
  else {
    try {
      plan = await ctx.coverage.plan(t, {
        sites: PLAN_SITES,
        radiusKm: PLAN_RADIUS_KM,
        layer: { kind: "tous" },
      });
    } catch (e) {
      planNote = e instanceof Error ? e.message : String(e);
    }
  }
  const qpvList = t?.kind === "qpv" ? [t] : ctx.territories.qpvsOf(t);
  const qpvs = await Promise.all(
    qpvList.map(async (q) => {
      const l = await ctx.qpv.of(q.id);
      return { q, inside: l.inside.length, near: l.near.length };
    }),
  );
  qpvs.sort((a, b) => b.inside + b.near - (a.inside + a.near) || a.q.name.localeCompare(b.q.name, "fr"));
  return {
    r,
    defs: new Map(r.defs.map((d) => [d.id, d])),
    here,
    france,
    map: map ?? null,
    method,
    causes: fr.causes,
    fragile: fr.fragile,
    gaps: allGaps.slice(0, MAX_GAPS),
    gapCount: allGaps.length,
    plan,
    planNote,
    qpvs: qpvs.slice(0, MAX_QPV),
    qpvTotal: qpvs.length,
    signIn,
  };
}

export function registerPortraitRoute(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: IndicatorQuery }>(
    "/indicateurs/portrait",
    { schema: { hide: true } },
    async (req, reply) => {
      const r = await readRequest(ctx, req);
      const query = new URLSearchParams({ territoire: r.t ? r.t.id : "france" });
      if (typeof req.query.periode === "string" && req.query.periode)
        query.set("periode", req.query.periode.slice(0, 7));
      const data = await portraitData(ctx, r, signInHref(`/indicateurs/portrait?${query}`));
      return sendPage(
        reply.header("cache-control", req.actor ? "private, no-store" : "public, no-cache"),
        PortraitPage(data),
      );
    },
  );
}

/** The sources cited, numbered in the order the page first cites them. */
class Sources {
  readonly list: { key: string; text: string; href?: string }[] = [];
  cite(key: string, text: string, href?: string): number {
    const i = this.list.findIndex((s) => s.key === key);
    if (i >= 0) return i + 1;
    this.list.push({ key, text, href });
    return this.list.length;
  }
}

const ref = (n: number) => (
  <a class="portrait-ref" href={`#source-${n}`} aria-label={`source ${n}`}>
    [{n}]
  </a>
);

const number = (v: IndicatorValue | undefined) => (typeof v?.value === "number" ? v.value : null);

/** A horizontal bar, for a table cell: decorative (the number is written beside it). */
function Bar({ value, max, colour = "#2a5f8f" }: { value: number; max: number; colour?: string }): VNode {
  const w = max > 0 ? Math.max(0, Math.min(100, (value / max) * 100)) : 0;
  return (
    <svg
      class="portrait-bar"
      viewBox="0 0 100 10"
      preserveAspectRatio="none"
      aria-hidden="true"
      focusable="false"
    >
      <rect x="0" y="0" width="100" height="10" fill="#eef1f5" />
      <rect x="0" y="0" width={w} height="10" fill={colour} />
    </svg>
  );
}

function reading(id: string, v: number | null, fr: number | null, name: string): string {
  if (v === null) return "Chiffre non disponible pour ce territoire.";
  const cmp = (more: string, less: string, same: string) =>
    fr === null ? "" : Math.abs(v - fr) < 0.05 * Math.max(1, Math.abs(fr)) ? same : v > fr ? more : less;
  switch (id) {
    case "population.totale":
      return `${name} compte ${int(v)} habitants.`;
    case "lieux.total":
      return `Autant de lieux où l'on peut se faire aider pour le numérique.`;
    case "couverture.part_a_portee":
      return `${int(v)} habitants sur 100 ont un lieu près de chez eux. ${cmp("C'est mieux qu'en France.", "C'est moins bien qu'en France.", "C'est comme en France.")}`;
    case "ifn.indice":
      return `Sur 10, plus c'est haut, plus les habitants risquent d'être en difficulté avec le numérique. ${cmp("C'est plus fragile que la France.", "C'est moins fragile que la France.", "C'est proche de la France.")}`;
    default:
      return "";
  }
}

function PortraitPage(p: PortraitData): VNode {
  const { r } = p;
  const t = r.t;
  const src = new Sources();
  const cite = (d: IndicatorDefinition) =>
    src.cite(`def:${d.source}|${d.vintage}`, `${d.source} (${d.vintage}).`);
  const def = (id: string) => p.defs.get(id);
  const fmt = (id: string, v: IndicatorValue | undefined) => {
    const d = def(id);
    return d ? formatValue(d, v) : "non disponible";
  };
  const perThousand = (() => {
    const pop = number(p.here["population.totale"]);
    const n = number(p.here["lieux.total"]);
    return pop && n !== null ? (n / pop) * 10_000 : null;
  })();
  const perThousandFrance = (() => {
    const pop = number(p.france["population.totale"]);
    const n = number(p.france["lieux.total"]);
    return pop && n !== null ? (n / pop) * 10_000 : null;
  })();
  const fragilitySource = p.method
    ? src.cite(
        "fragilite",
        `Indice de fragilité de Maillage, ${p.method.label}, à partir de l'${VINTAGES.ifn}, INSEE Filosofi 2021 et recensement 2021.`,
      )
    : 0;
  const services = r.defs.filter((d) => d.family === "Services proposés");
  const lieux = r.defs.filter((d) => d.family === "Lieux");
  const servicesMax = Math.max(1, ...services.map((d) => number(p.here[d.id]) ?? 0));
  const lieuxMax = Math.max(1, number(p.here["lieux.total"]) ?? 1);
  const operational = r.defs.filter((d) => d.access === "operationnel");
  const coverSource = src.cite(
    "couverture",
    `Couverture calculée par Maillage : distance par la route estimée entre chaque commune et le lieu le plus proche (${DEFAULT_DISTANCES_TEXT}) ; lieux de l'annuaire, ${DATA.communes.title} (${DATA.communes.vintage}).`,
    "/couverture",
  );
  const qpvSource = src.cite(
    "qpv",
    `${DATA.qpvList.title} ; ${DATA.qpvContours.title} (${DATA.qpvContours.vintage}).`,
  );
  const topCauses = p.causes.filter((c) => c.here !== null).slice(0, 2);
  const name = r.name;
  return (
    <Layout
      title={`Portrait numérique — ${name}`}
      description={`Portrait imprimable de l'inclusion numérique : ${name}`}
    >
      <article class="portrait">
        <h1>Portrait numérique — {name}</h1>
        <p>
          {t ? (
            <>
              <a href={territoryUrl(t)}>{t.name}</a> ({kindLabel(t)}).{" "}
            </>
          ) : null}
          Période : {r.period.label} (du {r.period.from} au {r.period.to}). Chaque chiffre renvoie à sa
          définition ; le numéro entre crochets renvoie à sa source, en fin de document.
        </p>
        <p class="no-print">
          Pour imprimer ou enregistrer en PDF : menu du navigateur, « Imprimer » (format A4).{" "}
          <a href={`/indicateurs?territoire=${encodeURIComponent(t ? t.id : "france")}`}>
            Tableau de bord complet
          </a>
          .
        </p>

        <section aria-labelledby="en-bref">
          <h2 id="en-bref">En bref</h2>
          <ul class="portrait-figures">
            {KEY_FIGURES.map((id) => {
              const d = def(id);
              if (!d) return null;
              return (
                <li key={id}>
                  <span class="portrait-big">{fmt(id, p.here[id])}</span>
                  <a href={defUrl(id)}>{d.label}</a> {ref(cite(d))}
                  <span class="portrait-reading">
                    {reading(id, number(p.here[id]), t ? number(p.france[id]) : null, name)}
                  </span>
                  {t && id !== "population.totale" ? (
                    <span class="muted">France : {fmt(id, p.france[id])}.</span>
                  ) : null}
                </li>
              );
            })}
          </ul>
          {perThousand !== null ? (
            <p>
              Il y a <strong>{perThousand.toLocaleString("fr-FR", { maximumFractionDigits: 1 })}</strong>{" "}
              lieux pour 10 000 habitants
              {t && perThousandFrance !== null
                ? ` (France : ${perThousandFrance.toLocaleString("fr-FR", { maximumFractionDigits: 1 })})`
                : ""}
              .
            </p>
          ) : null}
          {p.fragile?.shareAtLeast7 != null ? (
            <p>
              {Math.round(p.fragile.shareAtLeast7 * 100)} habitants sur 100 vivent dans une commune fragile
              (indice de 7 ou plus) {ref(fragilitySource)}.
            </p>
          ) : null}
          {number(p.here["couverture.fragiles_a_portee"]) !== null ? (
            <p>
              Dans ces communes fragiles,{" "}
              <strong>{fmt("couverture.fragiles_a_portee", p.here["couverture.fragiles_a_portee"])}</strong>{" "}
              des habitants ont un lieu près de chez eux (
              <a href={defUrl("couverture.fragiles_a_portee")}>définition</a>) {ref(coverSource)}.
            </p>
          ) : null}
          {topCauses.length > 0 ? (
            <p>Ce qui pèse le plus sur la fragilité ici : {topCauses.map((c) => c.cause).join(" et ")}.</p>
          ) : null}
        </section>

        <section class="portrait-break" aria-labelledby="fragilite">
          <h2 id="fragilite">Fragilité numérique et ses causes</h2>
          <p>
            L'indice de fragilité dit, sur 10, le risque que les habitants aient du mal avec le numérique : 0
            pour les communes les moins fragiles de France, 10 pour les plus fragiles.
            {p.fragile?.score != null ? (
              <>
                {" "}
                Ici, l'indice moyen est de <strong>{formatScore(p.fragile.score)}/10</strong> (pondéré par la
                population) {ref(fragilitySource)}.
              </>
            ) : null}
          </p>
          {p.map}
          {p.causes.length > 0 ? (
            <TableRegion label="Les causes de la fragilité">
              <table class="portrait-table">
                <caption>
                  Les causes : score moyen de chaque composante sur 10 {t ? "ici et en France" : "en France"}{" "}
                  {ref(fragilitySource)}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Composante</th>
                    <th scope="col" class="num">
                      {t ? "Ici" : "France"}
                    </th>
                    {t ? (
                      <th scope="col" class="num">
                        France
                      </th>
                    ) : null}
                    <th scope="col">
                      <span class="visually-hidden">Graphique</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {p.causes.map((c) => (
                    <tr key={c.id}>
                      <th scope="row">{c.label}</th>
                      <td class="num">{c.here === null ? "—" : formatScore(c.here)}</td>
                      {t ? <td class="num">{c.france === null ? "—" : formatScore(c.france)}</td> : null}
                      <td>
                        <Bar value={c.here ?? 0} max={10} colour="#e34a33" />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
          ) : (
            <p>Les causes ne sont pas calculées pour ce type de territoire.</p>
          )}
          <p class="muted">
            Méthode et détail par commune :{" "}
            <a href={`/fragilite?territoire=${encodeURIComponent(t ? t.id : "")}`}>
              page Fragilité numérique
            </a>
            .
          </p>
        </section>

        <section class="portrait-break" aria-labelledby="offre">
          <h2 id="offre">L'offre d'aide au numérique</h2>
          <p>
            {name} compte <strong>{fmt("lieux.total", p.here["lieux.total"])}</strong> lieux d'inclusion
            numérique. Voici ce qu'ils proposent.
          </p>
          <BarTable
            caption="Les lieux par dispositif et par horaires"
            head="Lieux"
            countHead="Nombre"
            defs={lieux}
            values={p.here}
            max={lieuxMax}
            cite={(d) => ref(cite(d))}
          />
          <BarTable
            caption="Les lieux par service proposé"
            head="Service"
            countHead="Lieux"
            defs={services}
            values={p.here}
            max={servicesMax}
            cite={(d) => ref(cite(d))}
          />
        </section>

        <section class="portrait-break" aria-labelledby="manques">
          <h2 id="manques">Les manques et ce qui pourrait être fait</h2>
          <p>
            <strong>{fmt("couverture.part_a_portee", p.here["couverture.part_a_portee"])}</strong> des
            habitants ont un lieu à proximité ({DEFAULT_DISTANCES_TEXT}, par la route) (
            <a href={defUrl("couverture.part_a_portee")}>définition</a>) {ref(coverSource)}.
            {number(p.here["couverture.fragiles_a_portee"]) !== null ? (
              <>
                {" "}
                Pour les habitants des communes fragiles, c'est{" "}
                <strong>{fmt("couverture.fragiles_a_portee", p.here["couverture.fragiles_a_portee"])}</strong>{" "}
                (<a href={defUrl("couverture.fragiles_a_portee")}>définition</a>).
              </>
            ) : null}
          </p>
          <h3>Les plus grands manques</h3>
          {p.gapCount === 0 ? (
            <p>Toutes les communes fragiles ont un lieu à proximité.</p>
          ) : (
            <>
              <p>
                {int(p.gapCount)} commune{p.gapCount > 1 ? "s" : ""} fragile{p.gapCount > 1 ? "s" : ""}{" "}
                (indice de {DEFAULT_PARAMS.fragileFrom} ou plus) n'{p.gapCount > 1 ? "ont" : "a"} pas de lieu
                à proximité.
                {p.gapCount > p.gaps.length ? ` Voici les ${p.gaps.length} plus peuplées.` : ""}{" "}
                {ref(coverSource)}
              </p>
              <TableRegion label="Les communes fragiles loin de toute aide">
                <table class="portrait-table">
                  <caption>Les communes fragiles loin de toute aide</caption>
                  <thead>
                    <tr>
                      <th scope="col">Commune</th>
                      <th scope="col" class="num">
                        Habitants
                      </th>
                      <th scope="col" class="num">
                        Indice
                      </th>
                      <th scope="col" class="num">
                        Lieu le plus proche
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {p.gaps.map((g) => (
                      <tr key={g.code}>
                        <th scope="row">
                          <a href={`/territoires/${g.code}`}>{g.name}</a>
                        </th>
                        <td class="num">{int(g.population)}</td>
                        <td class="num">{formatScore(g.score)}</td>
                        <td class="num">{km(g.distanceKm)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableRegion>
            </>
          )}
          <h3>La proposition du planificateur</h3>
          {p.plan && p.plan.sites.length > 0 ? (
            <>
              <p>
                Où ouvrir {p.plan.sites.length} nouveaux points d'aide (lieu ou permanence) pour toucher le
                plus d'habitants fragiles, à {PLAN_RADIUS_KM} km au plus ? Aujourd'hui,{" "}
                {pct(p.plan.totalWeight > 0 ? p.plan.alreadyCovered / p.plan.totalWeight : 0)} de la
                population (comptée selon sa fragilité) est couverte. Après ces sites, ce serait{" "}
                <strong>{pct(p.plan.sites.at(-1)?.coveredShare ?? 0)}</strong>. {ref(coverSource)}
              </p>
              <TableRegion label="Les sites proposés">
                <table class="portrait-table">
                  <caption>Les sites proposés, dans l'ordre</caption>
                  <thead>
                    <tr>
                      <th scope="col">Commune</th>
                      <th scope="col" class="num">
                        Communes en plus à portée
                      </th>
                      <th scope="col" class="num">
                        Part couverte après
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {p.plan.sites.map((s) => (
                      <tr key={s.code}>
                        <th scope="row">
                          {s.rank}. <a href={`/territoires/${s.code}`}>{s.name}</a>
                        </th>
                        <td class="num">{int(s.newlyCovered)}</td>
                        <td class="num">{pct(s.coveredShare)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableRegion>
            </>
          ) : (
            <p>{p.planNote ?? "Aucun nouveau site ne couvrirait plus d'habitants fragiles."}</p>
          )}
          <p class="muted">
            Pour changer le nombre de sites ou la distance :{" "}
            <a href={`/couverture?territoire=${encodeURIComponent(t ? t.id : "")}`}>
              page Couverture et planification
            </a>
            .
          </p>
        </section>

        <section class="portrait-break" aria-labelledby="activite">
          <h2 id="activite">Activité : diagnostics, accompagnements, pass numérique, mandats</h2>
          {!r.operational ? (
            <p>
              Ces chiffres sont réservés aux coordinateurs et financeurs du territoire, connectés.{" "}
              <a class="no-print" href={p.signIn}>
                Se connecter
              </a>
            </p>
          ) : operational.length === 0 ? (
            <p>Aucun indicateur d'activité n'est encore disponible.</p>
          ) : (
            <>
              <p>
                Un chiffre sous 5, ou que presque une seule structure fait, est masqué pour protéger les
                personnes.
              </p>
              {byFamily(operational).map(([family, defs]) => (
                <FamilyTable
                  key={family}
                  family={family}
                  defs={defs}
                  columns={[{ title: name, values: p.here }]}
                  caption={`${family} (sources : ${[...new Set(defs.map((d) => d.source))].join(" ; ")})`}
                />
              ))}
            </>
          )}
        </section>

        <section aria-labelledby="quartiers">
          <h2 id="quartiers">Quartiers prioritaires</h2>
          {p.qpvTotal === 0 ? (
            <p>Aucun quartier prioritaire de la politique de la ville (liste 2024) sur ce territoire.</p>
          ) : (
            <>
              <p>
                {p.qpvTotal} quartier{p.qpvTotal > 1 ? "s" : ""} prioritaire{p.qpvTotal > 1 ? "s" : ""} (liste
                2024). Un lieu est « dans le quartier » si ses coordonnées sont dans le contour ; « à moins de
                300 m » s'il est dehors mais tout près (<a href={defUrl("lieux.qpv")}>définition</a>){" "}
                {ref(qpvSource)}.
                {p.qpvTotal > p.qpvs.length
                  ? ` Voici les ${p.qpvs.length} quartiers qui ont le plus de lieux.`
                  : ""}
              </p>
              <TableRegion label="Les lieux des quartiers prioritaires">
                <table class="portrait-table">
                  <caption>Les lieux dans les quartiers prioritaires et à moins de 300 m</caption>
                  <thead>
                    <tr>
                      <th scope="col">Quartier</th>
                      <th scope="col" class="num">
                        Dans le quartier
                      </th>
                      <th scope="col" class="num">
                        À moins de 300 m
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {p.qpvs.map((x) => (
                      <tr key={x.q.id}>
                        <th scope="row">
                          <a href={territoryUrl(x.q)}>{x.q.name}</a>
                        </th>
                        <td class="num">{x.inside}</td>
                        <td class="num">{x.near}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableRegion>
              {p.qpvTotal > p.qpvs.length ? (
                <p>
                  Et {p.qpvTotal - p.qpvs.length} autres quartiers :{" "}
                  <a href={`/indicateurs?territoire=${encodeURIComponent(t ? t.id : "france")}#quartiers`}>
                    la liste complète
                  </a>
                  .
                </p>
              ) : null}
            </>
          )}
        </section>

        <section aria-labelledby="sources">
          <h2 id="sources">Sources</h2>
          <ol class="portrait-sources">
            {src.list.map((s, i) => (
              <li key={s.key} id={`source-${i + 1}`}>
                {s.text}
              </li>
            ))}
          </ol>
          <p>
            Toutes les définitions : <a href="/indicateurs/definitions">/indicateurs/definitions</a>. Tous les
            fichiers, leur date et leur licence : <a href="/a-propos/donnees">page Sources des données</a>.
            Document produit par Maillage.
          </p>
        </section>
      </article>
    </Layout>
  );
}

/** A table of figures with a bar each and its numbered source. */
function BarTable(p: {
  caption: string;
  head: string;
  countHead: string;
  defs: IndicatorDefinition[];
  values: Record<string, IndicatorValue>;
  max: number;
  cite: (d: IndicatorDefinition) => ComponentChildren;
}): VNode {
  return (
    <TableRegion label={p.caption}>
      <table class="portrait-table">
        <caption>{p.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{p.head}</th>
            <th scope="col" class="num">
              {p.countHead}
            </th>
            <th scope="col">
              <span class="visually-hidden">Graphique</span>
            </th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {p.defs.map((d) => (
            <tr key={d.id}>
              <th scope="row">
                <a href={defUrl(d.id)}>{d.label}</a>
              </th>
              <td class="num">{formatValue(d, p.values[d.id])}</td>
              <td>
                <Bar value={number(p.values[d.id]) ?? 0} max={p.max} />
              </td>
              <td>{p.cite(d)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
