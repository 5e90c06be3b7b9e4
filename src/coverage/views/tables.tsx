/** The coverage tables: distance by commune, figures by layer, the ranked gaps. */
import type { VNode } from "preact";
import { TableRegion } from "../../platform/views/table.tsx";
import type { TerritoryCoverage } from "../engine.ts";
import { int, km, NO_SOURCE, pct, plural, sourcesText } from "../format.ts";
import { type Gap, LAYERS, layerKey, layerLabel } from "../model.ts";
import { share } from "../stats.ts";
import { type CoveragePageProps, GAPS_SHOWN } from "./props.ts";

/** Does a loaded source list any place of this layer? */
const listed = (cov: TerritoryCoverage, key: string) => (cov.sources.get(key) ?? []).length > 0;

/** The sources of the places counted, with their dates, under a table of figures. */
function PlacesSources({ cov }: { cov: TerritoryCoverage }): VNode {
  return <p class="muted">Lieux comptés : {sourcesText(cov.sources.get("tous") ?? [])}.</p>;
}

export function CommuneDistances({ cov }: { cov: TerritoryCoverage }): VNode {
  return (
    <section aria-labelledby="distances">
      <h2 id="distances">Distance au lieu le plus proche</h2>
      <TableRegion label="Distance au lieu le plus proche">
        <table>
          <caption class="visually-hidden">
            Distance estimée par la route, par service et par dispositif
          </caption>
          <thead>
            <tr>
              <th scope="col">Aide</th>
              <th scope="col" class="num">
                Distance
              </th>
            </tr>
          </thead>
          <tbody>
            {LAYERS.map((l) => (
              <tr key={layerKey(l)}>
                <th scope="row">{l.kind === "tous" ? "Tout lieu de médiation" : l.name}</th>
                {listed(cov, layerKey(l)) ? (
                  <td class="num">{km(cov.dist.get(layerKey(l))?.[0] ?? null)}</td>
                ) : (
                  <td>{NO_SOURCE}</td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      <PlacesSources cov={cov} />
    </section>
  );
}

export function LayerTable({ cov, reach }: { cov: TerritoryCoverage; reach: string }): VNode {
  return (
    <section aria-labelledby="par-service">
      <h2 id="par-service">Par service et par dispositif</h2>
      <TableRegion label="Par service et par dispositif">
        <table>
          <caption>Part des habitants ayant un lieu {reach}</caption>
          <thead>
            <tr>
              <th scope="col">Aide</th>
              <th scope="col" class="num">
                Habitants couverts
              </th>
              <th scope="col" class="num">
                Habitants de communes fragiles couverts
              </th>
              <th scope="col" class="num">
                Communes fragiles sans lieu sur place
              </th>
            </tr>
          </thead>
          <tbody>
            {cov.stats.map((s) => (
              <tr key={s.layer}>
                <th scope="row">{s.layer === "tous" ? "Tout lieu de médiation" : s.layer}</th>
                {listed(cov, s.layer) ? <LayerCells s={s} /> : <td colSpan={3}>{NO_SOURCE}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      <PlacesSources cov={cov} />
    </section>
  );
}

function LayerCells({ s }: { s: TerritoryCoverage["stats"][number] }): VNode {
  return (
    <>
      <td class="num">{pct(share(s.coveredPopulation, s.population))}</td>
      <td class="num">
        {s.fragileCommunes === 0 ? "—" : pct(share(s.coveredFragilePopulation, s.fragilePopulation))}
      </td>
      <td class="num">
        {s.fragileCommunes === 0
          ? "—"
          : `${pct(share(s.fragileWithoutInCommune, s.fragileCommunes))} (${int(s.fragileWithoutInCommune)})`}
      </td>
    </>
  );
}

export function GapTable(p: CoveragePageProps & { gaps: Gap[] }): VNode {
  const shown = p.gaps.slice(0, GAPS_SHOWN);
  return (
    <section aria-labelledby="manques">
      <h2 id="manques">Les manques : communes fragiles loin de toute aide</h2>
      {p.gaps.length === 0 ? (
        <p>Aucune commune fragile n'est laissée sans lieu à proximité.</p>
      ) : (
        <>
          <p>
            {plural(p.gaps.length, "commune fragile n'a", "communes fragiles n'ont")} aucun lieu (
            {layerLabel(p.layer)}) à proximité, les plus peuplées d'abord
            {p.gaps.length > GAPS_SHOWN ? ` (les ${GAPS_SHOWN} premières ci-dessous)` : ""}.{" "}
            <a href={`/couverture.csv?${p.base}`}>Télécharger la liste complète (CSV)</a>
          </p>
          <TableRegion label="Communes fragiles sans lieu à proximité">
            <table>
              <caption class="visually-hidden">
                Communes fragiles sans lieu à proximité, par population
              </caption>
              <thead>
                <tr>
                  <th scope="col" class="num">
                    Rang
                  </th>
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
                {shown.map((g, i) => (
                  <tr key={g.code}>
                    <td class="num">{i + 1}</td>
                    <th scope="row">
                      <a href={`/territoires/${encodeURIComponent(g.code)}`}>{g.name}</a>
                    </th>
                    <td class="num">{int(g.population)}</td>
                    <td class="num">{g.score.toFixed(1).replace(".", ",")}</td>
                    <td class="num">{km(g.distanceKm)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        </>
      )}
    </section>
  );
}
