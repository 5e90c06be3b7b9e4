/**
 * What the quartiers prioritaires add to territory pages: on a quartier's page its places (inside, within 300 m,
 * approximate apart) on a numbered map over its communes; on a commune, EPCI, département or région page the list
 * of its quartiers with their places, and the contrats de ville it carries.
 */
import type { VNode } from "preact";
import type { AppContext } from "../context.ts";
import { addressLine, placeUrl } from "../places/describe.ts";
import type { Place } from "../places/model.ts";
import { formatNumber } from "../platform/format.ts";
import { type MapPoint, SvgMap } from "../platform/svgmap.tsx";
import { TableRegion } from "../platform/views/table.tsx";
import { territoryUrl } from "../territories/describe.ts";
import type { Territory } from "../territories/model.ts";

/** The places of a quartier, numbered as on its map: inside first, then within 300 m. */
async function numbered(ctx: AppContext, t: Territory) {
  const lists = await ctx.qpv.of(t.id);
  return { lists, all: [...lists.inside, ...lists.near] };
}

export async function qpvMap(t: Territory, ctx: AppContext): Promise<VNode | null> {
  if (t.kind !== "qpv") return null;
  const { all } = await numbered(ctx, t);
  const shapes = await ctx.shapes([t.id, ...t.communes]);
  const own = shapes.get(t.id);
  if (!own) return null;
  const points: MapPoint[] = all.flatMap((p, i) =>
    p.location
      ? [{ ...p.location, className: "place", number: i + 1, label: `${i + 1}. ${p.standard.nom}` }]
      : [],
  );
  return (
    <figure class="list-map">
      <SvgMap
        title={`Carte du quartier ${t.name} et des lieux numérotés comme dans la liste`}
        shapes={[
          ...t.communes.flatMap((c) => {
            const g = shapes.get(c);
            return g ? [{ geometry: g, className: "context" }] : [];
          }),
          { geometry: own, className: "shape" },
        ]}
        frameOn={[own]}
        points={points}
      />
      <figcaption>
        Le contour du quartier (en couleur) dans sa commune ; les lieux numérotés comme dans la liste « Lieux
        dans le quartier et à moins de 300 m ».
      </figcaption>
    </figure>
  );
}

function PlaceItem({ p, n }: { p: Place; n: number }): VNode {
  return (
    <li value={n}>
      <a href={placeUrl(p.id)}>{p.standard.nom}</a> — {addressLine(p)}
    </li>
  );
}

export async function qpvSection(t: Territory, ctx: AppContext): Promise<VNode | null> {
  if (t.kind !== "qpv") return null;
  const { lists } = await numbered(ctx, t);
  const contrats = ctx.territories.contratsOf(t);
  return (
    <>
      <p>
        Quartier prioritaire de la politique de la ville (liste 2024), code {t.code}. Un lieu est « dans le
        quartier » quand ses coordonnées exactes sont dans le contour ; « à moins de 300 m » quand il est
        dehors mais à 300 m au plus du contour.{" "}
        <a href={`/indicateurs?territoire=${encodeURIComponent(t.id)}`}>Indicateurs du quartier</a>.
      </p>
      <h3>Dans le quartier ({lists.inside.length})</h3>
      {lists.inside.length > 0 ? (
        <ol>
          {lists.inside.map((p, i) => (
            <PlaceItem key={p.id} p={p} n={i + 1} />
          ))}
        </ol>
      ) : (
        <p>Aucun lieu de l'annuaire n'a ses coordonnées dans le contour du quartier.</p>
      )}
      <h3>À moins de 300 m du quartier ({lists.near.length})</h3>
      {lists.near.length > 0 ? (
        <ol start={lists.inside.length + 1}>
          {lists.near.map((p, i) => (
            <PlaceItem key={p.id} p={p} n={lists.inside.length + i + 1} />
          ))}
        </ol>
      ) : (
        <p>Aucun lieu à moins de 300 m.</p>
      )}
      {lists.approximate.length > 0 ? (
        <>
          <h3>Coordonnées approximatives, non comptés ({lists.approximate.length})</h3>
          <p>
            Ces lieux ont un point approximatif (le centre de leur commune, par exemple) : on ne sait pas
            s'ils sont dans le quartier.
          </p>
          <ul>
            {lists.approximate.map((p) => (
              <li key={p.id}>
                <a href={placeUrl(p.id)}>{p.standard.nom}</a> — {addressLine(p)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {contrats.length > 0 ? (
        <p>
          Contrat de ville 2015-2023 de ses communes : {contrats.map((c) => c.name).join(" ; ")} (les contrats
          2024-2030 ne sont pas encore publiés en données ouvertes).
        </p>
      ) : null}
    </>
  );
}

export async function quartiersSection(t: Territory, ctx: AppContext): Promise<VNode | null> {
  if (t.kind === "qpv" || t.kind === "arrondissement") return null;
  const qpvs = ctx.territories.qpvsOf(t);
  const contrats = ctx.territories.contratsOf(t);
  if (qpvs.length === 0 && contrats.length === 0) return null;
  const rows = await Promise.all(qpvs.map(async (q) => ({ q, lists: await ctx.qpv.of(q.id) })));
  const withView = (t.kind === "epci" || t.kind === "commune") && qpvs.length > 0;
  return (
    <>
      {qpvs.length > 0 ? (
        <>
          <p>
            {qpvs.length === 1
              ? "Un quartier prioritaire"
              : `${formatNumber(qpvs.length, 3)} quartiers prioritaires`}{" "}
            de la liste 2024, avec les lieux de l'annuaire situés dedans ou à moins de 300 m.{" "}
            <a href={`/indicateurs?territoire=${encodeURIComponent(t.id)}`}>Indicateurs du territoire</a>
            {withView ? (
              <>
                {" · "}
                <a href={`/indicateurs/contrat-de-ville?territoire=${encodeURIComponent(t.id)}`}>
                  Vue contrat de ville
                </a>
              </>
            ) : null}
          </p>
          <TableRegion label="Quartiers prioritaires">
            <table>
              <caption>Quartiers prioritaires (QPV 2024)</caption>
              <thead>
                <tr>
                  <th scope="col">Quartier</th>
                  <th scope="col">Code</th>
                  <th scope="col">Lieux dedans</th>
                  <th scope="col">À moins de 300 m</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ q, lists }) => (
                  <tr key={q.id}>
                    <th scope="row">
                      <a href={territoryUrl(q)}>{q.name}</a>
                    </th>
                    <td>{q.code}</td>
                    <td class="num">{lists.inside.length}</td>
                    <td class="num">{lists.near.length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        </>
      ) : (
        <p>Aucun quartier prioritaire de la liste 2024 dans ce territoire.</p>
      )}
      {contrats.length > 0 ? (
        <>
          <h3>Contrats de ville 2015-2023 ({contrats.length})</h3>
          <ul>
            {contrats.map((c) => (
              <li key={`${c.code}-${c.departement}`}>
                {c.name} ({c.code}
                {c.qpvPopulation !== null
                  ? `, ${formatNumber(c.qpvPopulation, 3)} habitants en quartier prioritaire au recensement 2018`
                  : ""}
                )
              </li>
            ))}
          </ul>
          <p class="muted">
            Source : ANCT, Ci.Ville (contrats 2015-2023) ; les contrats 2024-2030 ne sont pas encore en
            données ouvertes.
          </p>
        </>
      ) : null}
    </>
  );
}
