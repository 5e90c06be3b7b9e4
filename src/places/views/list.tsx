import type { VNode } from "preact";
import { formatNumber } from "../../platform/format.ts";
import { type MapPoint, SvgMap } from "../../platform/svgmap.tsx";
import { Layout } from "../../platform/views/layout.tsx";
import { TerritoryChoices } from "../../territories/components/choices.tsx";
import { contextLabel, plural, territoryUrl } from "../../territories/describe.ts";
import type { Geometry, Territory } from "../../territories/model.ts";
import type { Referential } from "../../territories/referential.ts";
import type { Candidate } from "../../territories/resolve.ts";
import { addressLine, FRAIS, MODALITES, PUBLICS, placeUrl, SERVICES } from "../describe.ts";
import type { Place } from "../model.ts";

export interface ListFilters {
  /** What the person typed in the territory field. */
  territoire: string;
  service: string;
  /** Values of publics_specifiquement_adresses, frais_a_charge and modalites_accompagnement ("" = all). */
  public: string;
  frais: string;
  modalite: string;
  q: string;
}

/** The select fields of the form besides the service: name, label, "all" option, values. */
const VALUE_SELECTS = [
  { name: "public", label: "Public spécifiquement adressé", all: "Tous les publics", values: PUBLICS },
  { name: "frais", label: "Frais à charge", all: "Gratuit ou payant", values: FRAIS },
  {
    name: "modalite",
    label: "Modalité d'accompagnement",
    all: "Toutes les modalités",
    values: MODALITES,
  },
] as const;

/** The query string of a list or export link with these filters. */
function filterQuery(f: Partial<ListFilters>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : "";
}

export function PlaceListPage(props: {
  filters: ListFilters;
  territory: Territory | null;
  /** What the territory field shows: the territory's name once known, else what was typed. */
  territoryLabel?: string;
  ref: Referential;
  problem?: string;
  total: number;
  places: Place[];
  page: number;
  pageSize: number;
  /** « Laquelle ? » when the territory typed is ambiguous, « Vouliez-vous dire ? » when it matches nothing. */
  choices?: { title: string; candidates: Candidate[] };
  /** The sources of the places, with their dates, in one line. */
  sources: string;
  /** The territory's boundary, under the map of the places of this page. */
  shape?: Geometry | null;
}): VNode {
  const { filters, territory, ref, problem, total, pageSize, choices } = props;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const where = territory ? ` : ${territory.name}` : "";
  return (
    <Layout
      title={`Lieux de médiation numérique${where}`}
      current="/lieux"
      description="Les lieux où se faire aider avec le numérique : démarches en ligne, ordinateur, téléphone."
    >
      <h1>Lieux de médiation numérique{where}</h1>
      <p class="lead">
        Les lieux où l'on peut se faire aider avec le numérique : démarches en ligne, ordinateur, téléphone,
        internet.
      </p>
      <p class="muted">Sources : {props.sources}.</p>
      <form class="search" action="/lieux" method="get" role="search" aria-label="Filtrer les lieux">
        <div class="field">
          <label for="territoire">
            Territoire
            <span class="hint" id="territoire-hint">
              {" "}
              Commune, département, code postal ou code INSEE. Par exemple : Guéret, 23, 13001
            </span>
          </label>
          <input
            type="text"
            id="territoire"
            name="territoire"
            value={props.territoryLabel ?? filters.territoire}
            maxLength={100}
            aria-describedby="territoire-hint"
          />
        </div>
        <div class="field">
          <label for="service">Service</label>
          <select id="service" name="service">
            <option value="">Tous les services</option>
            {SERVICES.map((s) => (
              <option key={s} value={s} selected={s === filters.service}>
                {s}
              </option>
            ))}
          </select>
        </div>
        {VALUE_SELECTS.map((f) => (
          <div class="field" key={f.name}>
            <label for={f.name}>{f.label}</label>
            <select id={f.name} name={f.name}>
              <option value="">{f.all}</option>
              {f.values.map((v) => (
                <option key={v} value={v} selected={v === filters[f.name]}>
                  {v}
                </option>
              ))}
            </select>
          </div>
        ))}
        <div class="field">
          <label for="q">
            Nom ou adresse
            <span class="hint" id="q-hint">
              {" "}
              Par exemple : médiathèque
            </span>
          </label>
          <input type="search" id="q" name="q" value={filters.q} maxLength={100} aria-describedby="q-hint" />
        </div>
        <button type="submit">Afficher les lieux</button>
      </form>
      {problem ? (
        <p class="notice" role="alert">
          {problem}
        </p>
      ) : null}
      {territory ? (
        <p>
          Territoire : <a href={territoryUrl(territory)}>{territory.name}</a>{" "}
          <span class="muted">({contextLabel(territory, ref)})</span>
        </p>
      ) : null}
      <TerritoryChoices
        title={choices?.title ?? ""}
        candidates={choices?.candidates}
        href={(v) => `/lieux${filterQuery({ ...filters, territoire: v })}`}
      />
      {choices ? null : <Results {...props} pages={pages} />}
    </Layout>
  );
}

/** The places found, the pages, the downloads. */
function Results(props: Parameters<typeof PlaceListPage>[0] & { pages: number }): VNode {
  const { filters, territory, total, places, page, pageSize, pages } = props;
  const exportFilters = { territoire: territory?.id ?? "" };
  return (
    <>
      <h2 id="resultats">
        {total === 0 ? "Aucun lieu ne correspond à ces critères" : plural(total, "lieu", "lieux")}
      </h2>
      {total === 0 ? (
        <p>
          Essayez un territoire plus large, ou retirez un filtre (service, public, frais, modalité ou nom).
        </p>
      ) : (
        <div class="list-and-map">
          <ol class="results numbered" aria-labelledby="resultats" start={(page - 1) * pageSize + 1}>
            {places.map((p) => (
              <li key={p.id}>
                <a href={placeUrl(p.id)}>
                  {p.standard.nom}
                  <span class="meta">{addressLine(p)}</span>
                  {p.standard.services.length > 0 ? (
                    <span class="meta">{p.standard.services.join(" · ")}</span>
                  ) : null}
                </a>
              </li>
            ))}
          </ol>
          <PageMap {...props} />
        </div>
      )}
      {pages > 1 ? (
        <nav class="pager" aria-label="Pages de résultats">
          {page > 1 ? (
            <a href={`/lieux${filterQuery(filters, { page: String(page - 1) })}`}>Page précédente</a>
          ) : null}
          <span>
            Page {formatNumber(page)} sur {formatNumber(pages)}
          </span>
          {page < pages ? (
            <a href={`/lieux${filterQuery(filters, { page: String(page + 1) })}`}>Page suivante</a>
          ) : null}
        </nav>
      ) : null}
      <h2>Télécharger</h2>
      <p>
        Les lieux{territory ? ` de ${territory.name}` : " de toute la France"} au format du standard national
        des lieux de médiation numérique :{" "}
        <a href={`/lieux.csv${filterQuery(exportFilters)}`}>tableur (CSV)</a> ou{" "}
        <a href={`/lieux.json${filterQuery(exportFilters)}`}>JSON</a> ; ou en structures{" "}
        <a href={`/lieux-data-inclusion.json${filterQuery(exportFilters)}`}>data·inclusion (JSON)</a>.
      </p>
    </>
  );
}

/** The places of this page on a map, numbered as in the list, over the territory's boundary. */
function PageMap(props: Parameters<typeof PlaceListPage>[0]): VNode | null {
  const { places, page, pageSize, territory, shape } = props;
  const first = (page - 1) * pageSize + 1;
  const points: MapPoint[] = places.flatMap((p, i) =>
    p.location
      ? [
          {
            ...p.location,
            className: "place",
            number: first + i,
            label: `${first + i}. ${p.standard.nom}`,
          },
        ]
      : [],
  );
  if (points.length === 0) return null;
  const last = first + places.length - 1;
  return (
    <figure class="list-map">
      <SvgMap
        title={`Carte des lieux ${first} à ${last}${territory ? ` : ${territory.name}` : ""}, numérotés comme dans la liste`}
        shapes={shape ? [{ geometry: shape, className: "context" }] : []}
        points={points}
      />
      <figcaption>
        Les lieux {first} à {last} de la liste, avec leur numéro.
        {points.length < places.length ? " Les lieux sans adresse précise ne sont pas sur la carte." : ""}
      </figcaption>
    </figure>
  );
}
