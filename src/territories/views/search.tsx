import type { VNode } from "preact";
import { Layout } from "../../platform/views/layout.tsx";
import { contextLabel, plural, territoryUrl } from "../describe.ts";
import type { Referential } from "../referential.ts";
import type { SearchResult } from "../search.ts";

export const MAX_QUERY_LENGTH = 100;

/** The territory search form: a plain GET form, enhanced with live suggestions when JavaScript runs. */
function SearchForm({ q = "" }: { q?: string }): VNode {
  return (
    <form class="search" action="/territoires" method="get" role="search" data-suggest="">
      <div class="field">
        <label for="q">
          Commune, code postal, intercommunalité, département ou région
          <span class="hint" id="q-hint">
            {" "}
            Par exemple : Saint-Étienne, 42000, Creuse
          </span>
        </label>
        <input
          type="search"
          id="q"
          name="q"
          value={q}
          maxLength={MAX_QUERY_LENGTH}
          autocomplete="off"
          aria-describedby="q-hint"
        />
      </div>
      <button type="submit">Rechercher</button>
    </form>
  );
}

export function SearchPage(props: {
  q: string;
  problem?: string;
  result?: SearchResult;
  page: number;
  pageSize: number;
  ref: Referential;
}): VNode {
  const { q, problem, result, page, pageSize, ref } = props;
  const pages = result ? Math.max(1, Math.ceil(result.total / pageSize)) : 1;
  const title = q && result ? `Recherche « ${q} »` : "Chercher un territoire";
  const link = (p: number) => `/territoires?q=${encodeURIComponent(q)}&page=${p}`;
  return (
    <Layout title={title} current="/territoires">
      <h1>Chercher un territoire</h1>
      <SearchForm q={q} />
      {problem ? (
        <p class="notice" role="alert">
          {problem}
        </p>
      ) : null}
      {result ? (
        <>
          <h2 id="resultats">
            {result.total === 0
              ? `Aucun territoire ne correspond à « ${q} »`
              : `${plural(result.total, "résultat", "résultats")} pour « ${q} »`}
          </h2>
          {result.total === 0 ? (
            <p>Vérifiez l'orthographe, ou essayez le code postal ou le nom du département.</p>
          ) : (
            <ol class="results" aria-labelledby="resultats" start={(page - 1) * pageSize + 1}>
              {result.hits.map((h) => (
                <li key={h.territory.id}>
                  <a href={territoryUrl(h.territory)}>
                    {h.territory.name}
                    <span class="meta">
                      {contextLabel(h.territory, ref)}
                      {h.former ? ` · ancienne commune : ${h.former}` : ""}
                    </span>
                  </a>
                </li>
              ))}
            </ol>
          )}
          {pages > 1 ? (
            <nav class="pager" aria-label="Pages de résultats">
              {page > 1 ? <a href={link(page - 1)}>Page précédente</a> : null}
              <span>
                Page {page} sur {pages}
              </span>
              {page < pages ? <a href={link(page + 1)}>Page suivante</a> : null}
            </nav>
          ) : null}
        </>
      ) : null}
    </Layout>
  );
}

export function HomePage({ regions }: { regions: { name: string; url: string }[] }): VNode {
  return (
    <Layout title="Accueil" current="/">
      <h1>L'aide au numérique près de chez vous</h1>
      <ul class="entries">
        <li>
          <a href="/trouver">
            <span class="entry-title">Trouver de l'aide près de chez moi</span>
            <span class="entry-text">
              Un lieu pour faire une démarche en ligne, apprendre à se servir d'un téléphone ou d'un
              ordinateur.
            </span>
          </a>
        </li>
        <li>
          <a href="/diagnostic">
            <span class="entry-title">Faire le point sur mes usages</span>
            <span class="entry-text">
              Quelques questions simples pour savoir ce que vous savez déjà faire et ce qui peut vous aider.
            </span>
          </a>
        </li>
      </ul>
      <h2>Pour les communes, intercommunalités et départements</h2>
      <p>
        Maillage montre où vivent les personnes en difficulté avec le numérique, et quels lieux peuvent les
        aider : <a href="/fragilite">fragilité numérique</a>, <a href="/lieux">lieux de médiation</a>,{" "}
        <a href="/couverture">couverture du territoire</a>.
      </p>
      <h3>Trouver un territoire</h3>
      <SearchForm />
      <h3>Les régions</h3>
      <ul class="columns">
        {regions.map((r) => (
          <li key={r.url}>
            <a href={r.url}>{r.name}</a>
          </li>
        ))}
      </ul>
    </Layout>
  );
}
