import type { ComponentChildren, VNode } from "preact";
import type { IndicatorDefinition, IndicatorValue } from "../context.ts";
import { Layout } from "../platform/views/layout.tsx";
import { TableRegion } from "../platform/views/table.tsx";
import { kindLabel, territoryUrl } from "../territories/describe.ts";
import type { Territory } from "../territories/model.ts";
import { formatValue, monthLabel, type Period } from "./compute.ts";

export const defUrl = (id: string) => `/indicateurs/definitions#${id.replace(/\./g, "-")}`;

/** One figure with its definition link (« ? » names the indicator for screen readers). */
function Figure({ d, v }: { d: IndicatorDefinition; v: IndicatorValue | undefined }): VNode {
  const text = formatValue(d, v);
  return (
    <span class={v?.value === null ? "masked" : undefined}>
      {text}
      {v?.note ? <span class="muted"> ({v.note})</span> : null}
    </span>
  );
}

/** A column of figures: a territory and its values. */
export interface Column {
  title: string;
  href?: string;
  values: Record<string, IndicatorValue>;
}

/** The table of a family of indicators, one row per indicator, one column per territory compared. */
export function FamilyTable(p: {
  family: string;
  defs: IndicatorDefinition[];
  columns: Column[];
  caption?: string;
}): VNode {
  return (
    <TableRegion label={p.family}>
      <table class="indicators">
        <caption>{p.caption ?? p.family}</caption>
        <thead>
          <tr>
            <th scope="col">Indicateur</th>
            {p.columns.map((c) => (
              <th key={c.title} scope="col">
                {c.href ? <a href={c.href}>{c.title}</a> : c.title}
              </th>
            ))}
            <th scope="col">Source et date</th>
          </tr>
        </thead>
        <tbody>
          {p.defs.map((d) => (
            <tr key={d.id}>
              <th scope="row">
                <a href={defUrl(d.id)}>{d.label}</a>
                {d.unit !== "%" && d.unit !== "indice (0 à 10)" ? (
                  <span class="muted"> ({d.unit})</span>
                ) : null}
              </th>
              {p.columns.map((c) => (
                <td key={c.title} class="num">
                  <Figure d={d} v={c.values[d.id]} />
                </td>
              ))}
              <td class="muted">
                {d.source} ({d.vintage})
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

/** Groups definitions by family, in their order. */
export function byFamily(defs: IndicatorDefinition[]): [string, IndicatorDefinition[]][] {
  const out = new Map<string, IndicatorDefinition[]>();
  for (const d of defs) out.set(d.family, [...(out.get(d.family) ?? []), d]);
  return [...out];
}

/** The evolution of one monthly indicator as vertical bars (a hidden month shows as a gap marked « m »). */
function MonthChart(p: {
  d: IndicatorDefinition;
  months: string[];
  values: Record<string, Record<string, IndicatorValue>>;
}): VNode | null {
  const points = p.months.map((m) => ({ m, v: p.values[m]?.[p.d.id]?.value }));
  const nums = points.map((x) => (typeof x.v === "number" ? x.v : 0));
  if (points.every((x) => x.v === undefined)) return null;
  const max = Math.max(1, ...nums);
  const w = 28;
  const h = 120;
  return (
    <figure class="month-chart">
      <svg
        viewBox={`0 0 ${points.length * w + 10} ${h + 34}`}
        role="img"
        aria-label={`Graphique : ${p.d.label}, par mois`}
      >
        <line x1="0" y1={h} x2={points.length * w + 10} y2={h} stroke="#555" />
        {points.map((x, i) => {
          const v = typeof x.v === "number" ? x.v : 0;
          const bh = (v / max) * (h - 16);
          return (
            <g key={x.m} transform={`translate(${i * w + 6} 0)`}>
              <rect x="0" y={h - bh} width={w - 8} height={bh} fill="#2a5f8f" />
              <text x={(w - 8) / 2} y={h - bh - 3} font-size="10" text-anchor="middle">
                {x.v === null ? "m" : x.v === undefined ? "" : v}
              </text>
              <text x={(w - 8) / 2} y={h + 14} font-size="9" text-anchor="middle">
                {x.m.slice(5, 7)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        {p.d.label}, par mois ({monthLabel(p.months[0] ?? "")} à {monthLabel(p.months.at(-1) ?? "")}) ; « m »
        : masqué.
      </figcaption>
    </figure>
  );
}

function TerritoryForm(p: {
  action: string;
  territoire: string;
  periode: string;
  extra?: ComponentChildren;
}): VNode {
  return (
    <form method="get" action={p.action} class="form-row">
      <div class="field">
        <label for="territoire">
          Territoire (nom, code INSEE, SIREN, département, code QPV ou « france »)
        </label>
        <input id="territoire" name="territoire" value={p.territoire} maxLength={100} required />
      </div>
      <div class="field">
        <label for="periode">Période (année ou mois, vide : 12 derniers mois)</label>
        <input id="periode" name="periode" value={p.periode} maxLength={7} placeholder="2026 ou 2026-11" />
      </div>
      {p.extra}
      <button type="submit">Afficher</button>
    </form>
  );
}

export function DashboardPage(p: {
  t: Territory | null;
  name: string;
  period: Period;
  query: string;
  territoire: string;
  periode: string;
  families: [string, IndicatorDefinition[]][];
  columns: Column[];
  operational: "shown" | "signin" | "refused";
  signInHref: string;
  refusedReason?: string;
  monthly: {
    d: IndicatorDefinition;
    months: string[];
    values: Record<string, Record<string, IndicatorValue>>;
  }[];
  qpvs: Territory[];
  hasContrat: boolean;
}): VNode {
  return (
    <Layout
      title={`Indicateurs — ${p.name}`}
      description={`Indicateurs de l'inclusion numérique : ${p.name}`}
    >
      <h1>Indicateurs — {p.name}</h1>
      <p>
        {p.t ? (
          <>
            <a href={territoryUrl(p.t)}>{p.t.name}</a> ({kindLabel(p.t)}) —{" "}
          </>
        ) : null}
        période : {p.period.label} (du {p.period.from} au {p.period.to}). Chaque chiffre renvoie à sa
        définition ; la dernière colonne dit sa source et sa date.
      </p>
      <TerritoryForm action="/indicateurs" territoire={p.territoire} periode={p.periode} />
      <ul class="actions">
        <li>
          <a href={`/indicateurs.csv?${p.query}`}>Télécharger le tableau (CSV)</a>
        </li>
        <li>
          <a href={`/indicateurs.xlsx?${p.query}`}>
            Télécharger le tableau (tableur XLSX, avec les définitions)
          </a>
        </li>
        {p.t ? (
          <li>
            <a href={`/indicateurs/portrait?territoire=${encodeURIComponent(p.t.id)}`}>
              Portrait imprimable du territoire
            </a>
          </li>
        ) : null}
        {p.hasContrat && p.t ? (
          <li>
            <a href={`/indicateurs/contrat-de-ville?territoire=${encodeURIComponent(p.t.id)}`}>
              Vue contrat de ville (indicateurs par quartier prioritaire)
            </a>
          </li>
        ) : null}
        <li>
          <a href="/indicateurs/definitions">Toutes les définitions</a>
        </li>
      </ul>
      {p.operational === "signin" ? (
        <p class="notice">
          Les chiffres d'activité (diagnostics, accompagnements, pass numérique, mandats) sont réservés aux
          coordinateurs et financeurs du territoire : <a href={p.signInHref}>connectez-vous</a> pour les voir.
        </p>
      ) : p.operational === "refused" ? (
        <p class="notice">{p.refusedReason} Seuls les chiffres publics sont affichés.</p>
      ) : (
        <p class="notice">
          Chiffres d'activité : un chiffre sous 5, ou que presque une seule structure fait, est masqué pour
          protéger les personnes.
        </p>
      )}
      {p.families.map(([family, defs]) => (
        <section key={family} aria-labelledby={`famille-${slug(family)}`}>
          <h2 id={`famille-${slug(family)}`}>{family}</h2>
          <FamilyTable family={family} defs={defs} columns={p.columns} />
        </section>
      ))}
      {p.monthly.length > 0 ? (
        <section aria-labelledby="evolution">
          <h2 id="evolution">Évolution par mois</h2>
          {p.monthly.map((m) => (
            <MonthChart key={m.d.id} d={m.d} months={m.months} values={m.values} />
          ))}
        </section>
      ) : null}
      {p.qpvs.length > 0 ? (
        <section aria-labelledby="quartiers">
          <h2 id="quartiers">Quartiers prioritaires du territoire ({p.qpvs.length})</h2>
          <ul class="columns">
            {p.qpvs.map((q) => (
              <li key={q.id}>
                <a href={`/indicateurs?territoire=${q.id}`}>{q.name}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Layout>
  );
}

const slug = (s: string) =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-");

export function DefinitionsPage({ defs }: { defs: IndicatorDefinition[] }): VNode {
  return (
    <Layout title="Définitions des indicateurs">
      <h1>Définitions des indicateurs</h1>
      <p>
        Chaque indicateur est défini une fois : les tableaux de bord, les exports, l'API, la vue contrat de
        ville et le portrait lisent cette définition.
      </p>
      {byFamily(defs).map(([family, list]) => (
        <section key={family} aria-labelledby={`def-${slug(family)}`}>
          <h2 id={`def-${slug(family)}`}>{family}</h2>
          {list.map((d) => (
            <article key={d.id} id={d.id.replace(/\./g, "-")} class="definition">
              <h3>{d.label}</h3>
              <dl class="facts">
                <dt>Identifiant</dt>
                <dd>
                  <code>{d.id}</code>
                </dd>
                <dt>Définition</dt>
                <dd>{d.definition}</dd>
                <dt>Calcul</dt>
                <dd>{d.formula}</dd>
                <dt>Unité</dt>
                <dd>{d.unit}</dd>
                <dt>Source</dt>
                <dd>{d.source}</dd>
                <dt>Date des données</dt>
                <dd>{d.vintage}</dd>
                <dt>Ce qui est masqué</dt>
                <dd>{d.hidden}</dd>
                <dt>Accès</dt>
                <dd>
                  {d.access === "public" ? "public" : "coordinateurs et financeurs du territoire, connectés"}
                </dd>
                {d.cnv ? (
                  <>
                    <dt>Conseil national des villes</dt>
                    <dd>« {d.cnv} »</dd>
                  </>
                ) : null}
              </dl>
            </article>
          ))}
        </section>
      ))}
    </Layout>
  );
}
