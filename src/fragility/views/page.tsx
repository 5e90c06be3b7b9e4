import type { VNode } from "preact";
import { formatNumber } from "../../platform/format.ts";
import { VINTAGES } from "../../platform/provenance.ts";
import { Layout } from "../../platform/views/layout.tsx";
import { TableRegion } from "../../platform/views/table.tsx";
import { TerritoryChoices } from "../../territories/components/choices.tsx";
import { kindLabel, plural, territoryUrl } from "../../territories/describe.ts";
import type { Territory } from "../../territories/model.ts";
import type { Referential } from "../../territories/referential.ts";
import type { Candidate } from "../../territories/resolve.ts";
import { BREAKS, formatScore, formatShare, PALETTE } from "../classes.ts";
import { FRAGILE_THRESHOLD } from "../model.ts";
import type { StoredAggregate, StoredMethod, StoredScore } from "../store.ts";
import { ChoroplethMap, ExplanationTable, Legend, type MapItem } from "./parts.tsx";

export type SortKey = "score" | "nom" | "population";

export interface Row {
  t: Territory;
  score: number | null;
}

export interface FragilityPageProps {
  ref: Referential;
  q: string;
  methods: StoredMethod[];
  method: StoredMethod | null;
  problem?: string;
  /** « Laquelle ? » when the typed name is ambiguous; « Vouliez-vous dire ? » when it matches nothing. */
  choices?: { title: string; candidates: Candidate[] };
  territory?: Territory;
  aggregate?: StoredAggregate | null;
  communeScore?: StoredScore | null;
  /** What the map and the table list: communes, or départements for a région and for France. */
  unitLabel: string;
  mapItems: MapItem[];
  ranking: Row[];
  table: { rows: Row[]; page: number; pages: number; total: number; sort: SortKey; order: "asc" | "desc" };
  /** The query string of this view without page/sort, to build links. */
  base: string;
  /** The basemap drawn under the interactive map (MAILLAGE_FOND_DE_CARTE); none by default. */
  basemap?: string;
}

export function FragilityPage(p: FragilityPageProps): VNode {
  const where = p.territory ? p.territory.name : "France";
  const title = `Fragilité numérique${p.territory ? ` : ${p.territory.name}` : ""}`;
  const territoryParam = p.territory ? `?territoire=${encodeURIComponent(p.territory.id)}` : "";
  return (
    <Layout title={title} current="/fragilite">
      <h1>Fragilité numérique{p.territory ? ` : ${p.territory.name}` : " en France"}</h1>
      <p class="lead">
        L'indice de fragilité numérique va de 0 à 10 : plus il est haut, plus les habitants risquent d'avoir
        du mal avec le numérique (pas de très haut débit ni de 4G, pauvreté, personnes âgées, personnes sans
        diplôme).
      </p>
      <form class="form-row" action="/fragilite" method="get">
        <div class="field">
          <label for="territoire">
            Territoire <span class="hint">(commune, intercommunalité, département, région)</span>
          </label>
          <input
            type="text"
            id="territoire"
            name="territoire"
            value={p.q}
            maxLength={100}
            autocomplete="off"
          />
        </div>
        <div class="field">
          <label for="methode">Méthode de calcul</label>
          <select id="methode" name="methode">
            {p.methods.map((m) => (
              <option key={m.id} value={m.id} selected={p.method?.id === m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Afficher</button>
      </form>
      {p.problem ? (
        <p class="notice" role="alert">
          {p.problem}
        </p>
      ) : null}
      <TerritoryChoices
        title={p.choices?.title ?? ""}
        candidates={p.choices?.candidates}
        href={(v) => `/fragilite?territoire=${encodeURIComponent(v)}&methode=${p.method?.id ?? ""}`}
      />
      {p.method ? (
        <p class="muted">
          Méthode : {p.method.description} Données : {VINTAGES.ifn}
          {p.method.id === "officiel-2023" ? "" : ", INSEE"} (<a href="/a-propos/donnees">sources et dates</a>
          ).
        </p>
      ) : null}
      {p.method && p.communeScore !== undefined && p.territory ? (
        <CommuneView t={p.territory} score={p.communeScore} />
      ) : null}
      {p.method && p.communeScore === undefined && !p.choices?.candidates.length ? (
        <>
          {p.aggregate ? <AggregateSummary where={where} a={p.aggregate} /> : null}
          <section aria-labelledby="carte-titre">
            <h2 id="carte-titre">Carte des {p.unitLabel}</h2>
            <div class="figure-grid">
              <div
                data-map-geojson={`/api/v1/fragilite/carte?${p.base}`}
                data-map-breaks={JSON.stringify(BREAKS)}
                data-map-colours={JSON.stringify(PALETTE)}
                data-map-points={`/api/v1/lieux/carte${territoryParam}`}
                data-map-points-link="/lieux/{id}"
                data-map-points-list={`/lieux${territoryParam}`}
                data-map-basemap={p.basemap}
                data-map-legend="legende-titre"
                data-map-size={p.territory ? "environ 500 Ko" : "environ 1 Mo"}
              >
                <ChoroplethMap
                  title={`Carte de l'indice de fragilité des ${p.unitLabel} : ${where}`}
                  items={p.mapItems}
                />
                <p class="muted">
                  La même information est dans le tableau plus bas. Survolez un territoire pour voir son
                  score. La carte interactive montre aussi chaque indicateur de l'indice et les lieux de
                  médiation numérique
                  {p.unitLabel === "départements"
                    ? " ; pour un département, la valeur d'un indicateur est la moyenne de ses communes, pondérée par la population."
                    : " ; le détail des indicateurs d'une commune est sur sa page."}
                </p>
              </div>
              <div>
                <h3 id="legende-titre">Légende : score sur 10</h3>
                <Legend />
              </div>
            </div>
          </section>
          <section aria-labelledby="classement">
            <h2 id="classement">Les {p.unitLabel} les plus fragiles</h2>
            <ol>
              {p.ranking.map((r) => (
                <li key={r.t.id}>
                  <a href={territoryUrl(r.t)}>{r.t.name}</a> : {formatScore(r.score)}/10
                  {r.t.population !== null ? ` (${plural(r.t.population, "habitant", "habitants")})` : ""}
                </li>
              ))}
            </ol>
          </section>
          <ScoreTable {...p} />
        </>
      ) : null}
    </Layout>
  );
}

function AggregateSummary({ where, a }: { where: string; a: StoredAggregate }): VNode {
  return (
    <section aria-labelledby="resume">
      <h2 id="resume">En résumé</h2>
      <p>
        <span class="score-big">{formatScore(a.score)}/10</span> : score moyen de {where}, pondéré par la
        population.
      </p>
      <p>
        {formatShare(a.shareAtLeast7)} des habitants vivent dans une commune au score de {FRAGILE_THRESHOLD}{" "}
        ou plus (commune fragile).
      </p>
      {a.official !== null ? (
        <p>Indice officiel 2023 de La MedNum pour cette intercommunalité : {formatScore(a.official)}/10.</p>
      ) : null}
      {a.scoredCommunes < a.communes ? (
        <p class="muted">
          {plural(a.communes - a.scoredCommunes, "commune n'a", "communes n'ont")} pas de score (données
          manquantes).
        </p>
      ) : null}
    </section>
  );
}

function CommuneView({ t, score }: { t: Territory; score: StoredScore | null }): VNode {
  if (!score || score.score === null) {
    return <p>Cette commune n'a pas de score : les données manquent.</p>;
  }
  return (
    <section aria-labelledby="commune-score">
      <h2 id="commune-score">Pourquoi ce score ?</h2>
      <p>{score.summary}</p>
      <ExplanationTable lines={score.lines} caption={`Détail du score de ${t.name}`} />
      <p>
        <a href={`/fragilite?territoire=${t.departement ?? ""}`}>Voir la carte du département</a> ·{" "}
        <a href={territoryUrl(t)}>Voir la page de {t.name}</a>
      </p>
    </section>
  );
}

function ScoreTable(p: FragilityPageProps): VNode {
  const { table } = p;
  const link = (changes: Record<string, string | number>) => {
    const params = new URLSearchParams(p.base);
    params.set("tri", String(changes.tri ?? table.sort));
    params.set("ordre", String(changes.ordre ?? table.order));
    params.set("page", String(changes.page ?? 1));
    return `/fragilite?${params.toString()}#tableau`;
  };
  const sortLink = (key: SortKey, label: string) => {
    const active = table.sort === key;
    const next = active && table.order === "desc" ? "asc" : "desc";
    return (
      <a href={link({ tri: key, ordre: key === "nom" && !active ? "asc" : next })}>
        {label}
        {active ? (table.order === "desc" ? " (décroissant)" : " (croissant)") : ""}
      </a>
    );
  };
  const aria = (key: SortKey) =>
    table.sort === key ? (table.order === "desc" ? "descending" : "ascending") : undefined;
  return (
    <section aria-labelledby="tableau">
      <h2 id="tableau">
        {p.unitLabel === "départements" ? "Tous" : "Toutes"} les {p.unitLabel}{" "}
        <span class="muted">({table.total})</span>
      </h2>
      <p>
        <a href={`/fragilite.csv?${p.base}`}>Télécharger le tableau (CSV)</a>
      </p>
      <TableRegion label="Score de fragilité">
        <table>
          <caption class="visually-hidden">
            Score de fragilité des {p.unitLabel}, triable : cliquez sur un titre de colonne pour trier.
          </caption>
          <thead>
            <tr>
              <th scope="col" aria-sort={aria("nom")}>
                {sortLink("nom", "Nom")}
              </th>
              <th scope="col" class="num" aria-sort={aria("population")}>
                {sortLink("population", "Population")}
              </th>
              <th scope="col" class="num" aria-sort={aria("score")}>
                {sortLink("score", "Score sur 10")}
              </th>
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r) => (
              <tr key={r.t.id}>
                <th scope="row">
                  <a href={territoryUrl(r.t)}>{r.t.name}</a>
                  <span class="visually-hidden"> ({kindLabel(r.t)})</span>
                </th>
                <td class="num">{r.t.population === null ? "—" : formatNumber(r.t.population)}</td>
                <td class="num">{formatScore(r.score)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      {table.pages > 1 ? (
        <nav class="pager" aria-label="Pages du tableau">
          {table.page > 1 ? <a href={link({ page: table.page - 1 })}>Page précédente</a> : null}
          <span>
            Page {table.page} sur {table.pages}
          </span>
          {table.page < table.pages ? <a href={link({ page: table.page + 1 })}>Page suivante</a> : null}
        </nav>
      ) : null}
    </section>
  );
}
