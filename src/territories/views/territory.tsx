import { Fragment, type VNode } from "preact";
import { type MapPoint, type MapShape, SvgMap } from "../../platform/svgmap.tsx";
import { Layout } from "../../platform/views/layout.tsx";
import { contextLabel, kindLabel, plural, territoryUrl } from "../describe.ts";
import type { Geometry, Territory } from "../model.ts";
import type { Referential } from "../referential.ts";

export interface RenderedSection {
  id: string;
  title: string;
  body: VNode;
}

export interface ChildGroup {
  title: string;
  items: Territory[];
  total: number;
  page: number;
  pages: number;
  /** Query parameter that pages this group. */
  param: string;
}

export function TerritoryPage(props: {
  t: Territory;
  ref: Referential;
  parents: Territory[];
  groups: ChildGroup[];
  shape: Geometry | null;
  /** For an arrondissement, its commune's boundary with the arrondissement as a point. */
  contextShape: Geometry | null;
  sections: RenderedSection[];
  /** A capability's map of the territory (communes coloured by fragility), shown instead of the bare boundary. */
  map?: VNode | null;
}): VNode {
  const { t, ref, parents, groups, shape, contextShape, sections } = props;
  const shapes: MapShape[] = [];
  if (contextShape) shapes.push({ geometry: contextShape, className: "context" });
  if (shape) shapes.push({ geometry: shape, className: "shape" });
  const points: MapPoint[] =
    !shape && t.lat !== null && t.lon !== null
      ? [{ lat: t.lat, lon: t.lon, className: "point", label: t.name }]
      : [];
  const widest = [...parents].reverse();
  return (
    <Layout title={t.name} description={`${t.name} : ${contextLabel(t, ref)}`}>
      <nav class="breadcrumb" aria-label="Fil d'Ariane">
        <ol>
          <li>
            <a href="/territoires">Territoires</a>
          </li>
          {widest.map((p) => (
            <li key={p.id}>
              <a href={territoryUrl(p)}>{p.name}</a>
            </li>
          ))}
          <li aria-current="page">{t.name}</li>
        </ol>
      </nav>
      <h1>
        {t.name} <span class="muted">({kindLabel(t)})</span>
      </h1>
      <div class="overview">
        <section aria-labelledby="en-bref">
          <h2 id="en-bref">En bref</h2>
          <dl class="facts">
            <dt>Type</dt>
            <dd>{kindLabel(t)}</dd>
            <dt>
              {t.kind === "epci"
                ? "SIREN"
                : t.kind === "commune" || t.kind === "arrondissement"
                  ? "Code INSEE"
                  : "Code"}
            </dt>
            <dd>{t.code}</dd>
            <dt>Population</dt>
            <dd>{t.population !== null ? plural(t.population, "habitant", "habitants") : "inconnue"}</dd>
            {t.postcodes.length > 0 ? (
              <>
                <dt>{t.postcodes.length > 1 ? "Codes postaux" : "Code postal"}</dt>
                <dd>{t.postcodes.join(", ")}</dd>
              </>
            ) : null}
            {t.formerCodes.length > 0 ? (
              <>
                <dt>Anciennes communes</dt>
                <dd>{t.formerNames.length > 0 ? t.formerNames.join(", ") : t.formerCodes.join(", ")}</dd>
              </>
            ) : null}
            {parents.map((p) => (
              <Fragment key={p.id}>
                <dt>{capitalize(kindLabel(p))}</dt>
                <dd>
                  <a href={territoryUrl(p)}>{p.name}</a>
                </dd>
              </Fragment>
            ))}
          </dl>
          <p>
            <a href={`/indicateurs?territoire=${encodeURIComponent(t.id)}`}>Tous les indicateurs</a> ·{" "}
            <a href={`/indicateurs/portrait?territoire=${encodeURIComponent(t.id)}`}>Portrait imprimable</a>
          </p>
        </section>
        <section aria-labelledby="carte">
          <h2 id="carte">Carte</h2>
          {props.map ? (
            props.map
          ) : shapes.length > 0 || points.length > 0 ? (
            <SvgMap title={`Contour de ${t.name}`} shapes={shapes} points={points} />
          ) : (
            <p>Le contour de ce territoire n'est pas disponible.</p>
          )}
          {contextShape ? <p class="muted">Le point indique {t.name} dans sa commune.</p> : null}
        </section>
      </div>
      {sections.map((s) => (
        <section key={s.id} class="territory-section" aria-labelledby={`section-${s.id}`}>
          <h2 id={`section-${s.id}`}>{s.title}</h2>
          {s.body}
        </section>
      ))}
      {groups.map((g) => (
        <section key={g.param} aria-labelledby={`groupe-${g.param}`}>
          <h2 id={`groupe-${g.param}`}>
            {g.title} <span class="muted">({g.total})</span>
          </h2>
          <ul class="columns">
            {g.items.map((c) => (
              <li key={c.id}>
                <a href={territoryUrl(c)}>{c.name}</a>
              </li>
            ))}
          </ul>
          {g.pages > 1 ? (
            <nav class="pager" aria-label={`Pages : ${g.title}`}>
              {g.page > 1 ? (
                <a href={`${territoryUrl(t)}?${g.param}=${g.page - 1}#groupe-${g.param}`}>Page précédente</a>
              ) : null}
              <span>
                Page {g.page} sur {g.pages}
              </span>
              {g.page < g.pages ? (
                <a href={`${territoryUrl(t)}?${g.param}=${g.page + 1}#groupe-${g.param}`}>Page suivante</a>
              ) : null}
            </nav>
          ) : null}
        </section>
      ))}
    </Layout>
  );
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
