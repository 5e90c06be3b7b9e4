import type { VNode } from "preact";
import type { StoredMethod } from "../../fragility/model.ts";
import { type MapPoint, type MapShape, SvgMap } from "../../platform/svgmap.tsx";
import { Layout } from "../../platform/views/layout.tsx";
import { LegendItem, Legend as MapLegend } from "../../platform/views/legend.tsx";
import { TerritoryChoices } from "../../territories/components/choices.tsx";
import type { Geometry, Territory } from "../../territories/model.ts";
import type { Referential } from "../../territories/referential.ts";
import type { Candidate } from "../../territories/resolve.ts";
import type { PlanResult, PlanSiteOut, TerritoryCoverage } from "../engine.ts";
import { DISTANCE_PALETTE, distanceClassLabels, int, km, pct, plural } from "../format.ts";
import {
  DEFAULT_DISTANCES_TEXT,
  DISPOSITIFS,
  type Gap,
  LAYERS,
  type Layer,
  layerKey,
  layerLabel,
  SERVICES,
} from "../model.ts";
import { distanceClass, share } from "../stats.ts";

interface CoverageMapData {
  areas: { name: string; geometry: Geometry; distanceKm: number }[];
  places: { lat: number; lon: number; label: string }[];
  sites: PlanSiteOut[];
}

interface PlanForm {
  sites: string;
  rayon: string;
  itinerant: boolean;
}

export interface CoveragePageProps {
  ref: Referential;
  q: string;
  layer: Layer;
  methods: StoredMethod[];
  method: StoredMethod | null;
  fixedKm?: number;
  /** Fragility threshold asked (the default when absent). */
  fragileFrom?: number;
  problem?: string;
  /** « Laquelle ? » when the typed name is ambiguous; « Vouliez-vous dire ? » when it matches nothing. */
  choices?: { title: string; candidates: Candidate[] };
  cov?: TerritoryCoverage;
  gaps?: Gap[];
  map?: CoverageMapData | null;
  plan?: PlanResult;
  planProblem?: string;
  planForm: PlanForm;
  /** Query string of the coverage view (territory, service, method, threshold), for links. */
  base: string;
}

const GAPS_SHOWN = 50;

const thresholdPhrase = (fixedKm: number | undefined, urbanKm: number, ruralKm: number) =>
  fixedKm !== undefined
    ? `à moins de ${int(fixedKm)} km`
    : `à moins de ${urbanKm} km en ville (commune d'une unité urbaine) ou de ${ruralKm} km à la campagne (commune rurale)`;

export function CoveragePage(p: CoveragePageProps): VNode {
  const t = p.cov?.territory ?? null;
  const title = `Couverture${t ? ` : ${t.name}` : ""}`;
  return (
    <Layout title={title} current="/couverture">
      <h1>Couverture{t ? ` : ${t.name}` : " en France"}</h1>
      <p class="lead">
        Où l'aide au numérique manque, et où ouvrir de nouveaux lieux : distance de chaque commune au lieu de
        médiation le plus proche, habitants des communes fragiles laissés loin de toute aide, et proposition
        de nouveaux sites.
      </p>
      <CoverageForm {...p} />
      {p.problem ? (
        <p class="notice" role="alert">
          {p.problem}
        </p>
      ) : null}
      <TerritoryChoices
        title={p.choices?.title ?? ""}
        candidates={p.choices?.candidates}
        href={(v) => `/couverture?territoire=${encodeURIComponent(v)}`}
      />
      {p.cov ? <CoverageBody {...p} cov={p.cov} /> : null}
    </Layout>
  );
}

function LayerSelect({ id, layer }: { id: string; layer: Layer }): VNode {
  const key = layerKey(layer);
  return (
    <select id={id} name="service">
      <option value="tous" selected={key === "tous"}>
        Tout lieu de médiation numérique
      </option>
      <optgroup label="Services du référentiel national">
        {SERVICES.map((s) => (
          <option key={s} value={s} selected={key === s}>
            {s}
          </option>
        ))}
      </optgroup>
      <optgroup label="Dispositifs nationaux">
        {DISPOSITIFS.map((s) => (
          <option key={s} value={s} selected={key === s}>
            {s}
          </option>
        ))}
      </optgroup>
    </select>
  );
}

function CoverageForm(p: CoveragePageProps): VNode {
  return (
    <form class="form-row coverage-form" action="/couverture" method="get">
      <div class="field">
        <label for="territoire">
          Territoire <span class="hint">(commune, intercommunalité, département, région)</span>
        </label>
        <input type="text" id="territoire" name="territoire" value={p.q} maxLength={100} autocomplete="off" />
      </div>
      <div class="field">
        <label for="service">Aide recherchée</label>
        <LayerSelect id="service" layer={p.layer} />
      </div>
      <div class="field">
        <label for="methode">Indice de fragilité</label>
        <select id="methode" name="methode">
          {p.methods.map((m) => (
            <option key={m.id} value={m.id} selected={p.method?.id === m.id}>
              {m.label}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="seuil">
          Distance acceptable en km <span class="hint">(vide : {DEFAULT_DISTANCES_TEXT})</span>
        </label>
        <input
          type="number"
          id="seuil"
          name="seuil"
          min="0.5"
          max="100"
          step="0.5"
          inputMode="decimal"
          value={p.fixedKm === undefined ? "" : String(p.fixedKm)}
        />
      </div>
      <div class="field">
        <label for="fragilite">
          Commune fragile à partir de l'indice <span class="hint">(0 à 10, 7 par défaut)</span>
        </label>
        <input
          type="number"
          id="fragilite"
          name="fragilite"
          min="0"
          max="10"
          step="0.1"
          inputMode="decimal"
          value={p.fragileFrom === undefined ? "" : String(p.fragileFrom)}
        />
      </div>
      <button type="submit">Afficher</button>
    </form>
  );
}

function CoverageBody(p: CoveragePageProps & { cov: TerritoryCoverage }): VNode {
  const { cov } = p;
  const key = layerKey(p.layer);
  const s = cov.stats.find((x) => x.layer === key);
  const where = cov.territory?.name ?? "la France";
  const reach = thresholdPhrase(p.fixedKm, cov.params.urbanKm, cov.params.ruralKm);
  const dispositifStats = cov.stats.filter((x) => (DISPOSITIFS as readonly string[]).includes(x.layer));
  const oneCommune = cov.communes.length === 1 ? cov.communes[0] : undefined;
  return (
    <>
      <section aria-labelledby="resume">
        <h2 id="resume">En résumé</h2>
        {!s || s.communes === 0 ? (
          <p>Ce territoire ne compte aucune commune à mesurer.</p>
        ) : (
          <>
            {s.unreachable === s.communes ? (
              <p>
                <strong>Aucun lieu ({layerLabel(p.layer)}) n'est connu : la couverture est de 0 %.</strong>
              </p>
            ) : null}
            <p>
              <strong>{pct(share(s.coveredPopulation, s.population))}</strong> des habitants de {where} (
              {int(s.coveredPopulation)} sur {int(s.population)}) ont un lieu ({layerLabel(p.layer)}) {reach}.
            </p>
            <p>
              {s.fragileCommunes === 0 ? (
                <>
                  Aucune commune n'a un indice de fragilité de{" "}
                  {String(cov.params.fragileFrom).replace(".", ",")} ou plus.
                </>
              ) : (
                <>
                  {plural(s.fragileCommunes, "commune est fragile", "communes sont fragiles")} (indice de{" "}
                  {String(cov.params.fragileFrom).replace(".", ",")} ou plus
                  {cov.method ? ` selon « ${cov.method.label} »` : ""}) : {int(s.fragilePopulation)}{" "}
                  habitants, dont{" "}
                  <strong>{pct(share(s.coveredFragilePopulation, s.fragilePopulation))}</strong> ont un lieu{" "}
                  {p.fixedKm !== undefined ? `à moins de ${int(p.fixedKm)} km` : "à proximité"}.{" "}
                  {int(s.fragilePopulation - s.coveredFragilePopulation)} habitants de communes fragiles
                  restent loin de toute aide.
                </>
              )}
            </p>
            {oneCommune ? null : (
              <ul>
                {dispositifStats.map((d) => (
                  <li key={d.layer}>
                    {d.fragileCommunes === 0 ? (
                      `${d.layer} : aucune commune fragile.`
                    ) : (
                      <>
                        <strong>{pct(share(d.fragileWithoutInCommune, d.fragileCommunes))}</strong> des
                        communes fragiles ({int(d.fragileWithoutInCommune)} sur {int(d.fragileCommunes)})
                        n'ont aucun lieu {d.layer} sur leur territoire ;{" "}
                        {pct(share(d.fragileWithoutNearby, d.fragileCommunes))} n'en ont aucun à proximité.
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
        <p class="muted">
          Distance estimée par la route : distance à vol d'oiseau depuis le point de référence de la commune,
          multipliée par {String(cov.params.detour).replace(".", ",")} (approximation habituelle du détour
          routier). Les lieux itinérants comptent à l'arrêt indiqué dans leur fiche. Communes urbaines et
          rurales : unités urbaines de l'INSEE (2017).
        </p>
      </section>
      {oneCommune ? <CommuneDistances cov={cov} /> : <LayerTable cov={cov} reach={reach} />}
      {p.map ? <CoverageMapSection map={p.map} layer={p.layer} where={where} /> : null}
      {cov.territory && cov.territory.kind === "region" ? (
        <p class="muted">La carte est proposée pour un département, une intercommunalité ou une commune.</p>
      ) : null}
      {oneCommune ? null : <GapTable {...p} gaps={p.gaps ?? []} />}
      {cov.territory ? <PlanSection {...p} /> : null}
    </>
  );
}

function CommuneDistances({ cov }: { cov: TerritoryCoverage }): VNode {
  return (
    <section aria-labelledby="distances">
      <h2 id="distances">Distance au lieu le plus proche</h2>
      <div class="table-wrap">
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
                <td class="num">{km(cov.dist.get(layerKey(l))?.[0] ?? null)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function LayerTable({ cov, reach }: { cov: TerritoryCoverage; reach: string }): VNode {
  return (
    <section aria-labelledby="par-service">
      <h2 id="par-service">Par service et par dispositif</h2>
      <div class="table-wrap">
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
                <td class="num">{pct(share(s.coveredPopulation, s.population))}</td>
                <td class="num">
                  {s.fragileCommunes === 0
                    ? "—"
                    : pct(share(s.coveredFragilePopulation, s.fragilePopulation))}
                </td>
                <td class="num">
                  {s.fragileCommunes === 0
                    ? "—"
                    : `${pct(share(s.fragileWithoutInCommune, s.fragileCommunes))} (${int(s.fragileWithoutInCommune)})`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function CoverageMapSection({
  map,
  layer,
  where,
}: {
  map: CoverageMapData;
  layer: Layer;
  where: string;
}): VNode {
  const shapes: MapShape[] = map.areas.map((a) => ({
    geometry: a.geometry,
    className: "area",
    fill: DISTANCE_PALETTE[distanceClass(a.distanceKm)],
    label: `${a.name} : ${km(a.distanceKm)}`,
  }));
  const points: MapPoint[] = [
    ...map.places.map((pl) => ({ ...pl, className: "point" })),
    ...map.sites.map((s) => ({
      lat: s.lat,
      lon: s.lon,
      className: "site",
      label: `Site proposé n° ${s.rank} : ${s.name}`,
    })),
  ];
  const labels = distanceClassLabels();
  return (
    <section aria-labelledby="carte-titre">
      <h2 id="carte-titre">Carte des distances</h2>
      <div class="figure-grid">
        <div>
          <SvgMap
            title={`Distance de chaque commune au lieu le plus proche (${layerLabel(layer)}) : ${where}`}
            shapes={shapes}
            points={points}
            frameOn={shapes.map((s) => s.geometry)}
            width={600}
            height={520}
          />
          <p class="muted">
            Survolez une commune pour voir sa distance ; le tableau des manques dit la même chose.
          </p>
        </div>
        <div>
          <h3>Légende : distance par la route</h3>
          <MapLegend
            label="Légende de la carte : distance au lieu le plus proche"
            colours={DISTANCE_PALETTE}
            labels={labels}
          >
            <LegendItem symbol={<circle cx="10" cy="10" r="6" class="legend-point" />}>
              lieu existant ({int(map.places.length)})
            </LegendItem>
            {map.sites.length > 0 ? (
              <LegendItem symbol={<circle cx="10" cy="10" r="7" class="legend-site" />}>
                site proposé
              </LegendItem>
            ) : null}
          </MapLegend>
        </div>
      </div>
    </section>
  );
}

function GapTable(p: CoveragePageProps & { gaps: Gap[] }): VNode {
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
          <div class="table-wrap">
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
          </div>
        </>
      )}
    </section>
  );
}

function PlanSection(p: CoveragePageProps): VNode {
  const t = p.cov?.territory;
  return (
    <section aria-labelledby="plan">
      <h2 id="plan">Planifier de nouveaux lieux</h2>
      <p>
        Maillage choisit, parmi les communes du territoire, celles où ouvrir un lieu ({layerLabel(p.layer)})
        couvrirait le plus d'habitants non couverts, chacun compté selon la fragilité de sa commune
        (population × indice / 10). Pour un bus itinérant, choisissez un rayon plus petit : chaque site est
        alors un arrêt desservi chaque semaine.
      </p>
      <form class="form-row coverage-form" action="/couverture#plan" method="get">
        <input type="hidden" name="territoire" value={t?.id ?? p.q} />
        <input type="hidden" name="service" value={layerKey(p.layer)} />
        {p.method ? <input type="hidden" name="methode" value={p.method.id} /> : null}
        {p.fixedKm !== undefined ? <input type="hidden" name="seuil" value={String(p.fixedKm)} /> : null}
        {p.fragileFrom !== undefined ? (
          <input type="hidden" name="fragilite" value={String(p.fragileFrom)} />
        ) : null}
        <div class="field">
          <label for="sites">Nombre de sites</label>
          <input
            type="number"
            id="sites"
            name="sites"
            min="1"
            max="1000"
            step="1"
            value={p.planForm.sites}
            required
          />
        </div>
        <div class="field">
          <label for="rayon">Rayon couvert par un site, en km</label>
          <input
            type="number"
            id="rayon"
            name="rayon"
            min="0.5"
            max="100"
            step="0.5"
            inputMode="decimal"
            value={p.planForm.rayon}
            required
          />
        </div>
        <div class="field checkbox">
          <input type="checkbox" id="itinerant" name="itinerant" value="1" checked={p.planForm.itinerant} />
          <label for="itinerant">Arrêts d'un bus itinérant</label>
        </div>
        <button type="submit">Proposer des sites</button>
      </form>
      {p.planProblem ? (
        <p class="notice" role="alert">
          {p.planProblem}
        </p>
      ) : null}
      {p.plan ? <PlanResultView plan={p.plan} base={p.base} form={p.planForm} /> : null}
    </section>
  );
}

/** The coverage curve as a small SVG chart (its table is right below it). */
function CurveChart({ plan }: { plan: PlanResult }): VNode {
  const w = 400;
  const h = 200;
  const pad = 44;
  const n = Math.max(plan.curve.length, plan.baselineCurve.length) - 1;
  const x = (i: number) => pad + (n === 0 ? 0 : (i * (w - 2 * pad)) / n);
  const y = (v: number) => h - pad - v * (h - 2 * pad);
  const line = (c: number[]) => c.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  return (
    <svg
      class="curve"
      viewBox={`0 0 ${w} ${h}`}
      role="img"
      aria-label={`Courbe de couverture : de ${pct(plan.curve[0] ?? 0)} sans nouveau site à ${pct(plan.curve.at(-1) ?? 0)} avec ${plan.sites.length} sites (choix de Maillage), ${pct(plan.baselineCurve.at(-1) ?? 0)} en prenant les plus grandes communes`}
      xmlns="http://www.w3.org/2000/svg"
    >
      <line x1={pad} y1={y(0)} x2={w - pad} y2={y(0)} class="axis" />
      <line x1={pad} y1={y(0)} x2={pad} y2={y(1)} class="axis" />
      <text x={pad - 4} y={y(1) + 4} text-anchor="end" class="tick">
        100 %
      </text>
      <text x={pad - 4} y={y(0) + 4} text-anchor="end" class="tick">
        0 %
      </text>
      <text x={w - pad} y={h - 8} text-anchor="end" class="tick">
        {n} sites
      </text>
      <polyline points={line(plan.baselineCurve)} class="curve-baseline" fill="none" />
      <polyline points={line(plan.curve)} class="curve-greedy" fill="none" />
    </svg>
  );
}

function PlanResultView({ plan, base, form }: { plan: PlanResult; base: string; form: PlanForm }): VNode {
  const word = plan.bus ? "arrêt" : "site";
  const params = new URLSearchParams(base);
  params.set("sites", form.sites);
  params.set("rayon", form.rayon);
  if (form.itinerant) params.set("itinerant", "1");
  const greedyNew = plan.sites.at(-1)?.cumulative ?? 0;
  const baseNew = plan.baseline.at(-1)?.cumulative ?? 0;
  return (
    <div class="plan-result">
      <h3>
        {plan.sites.length} {word}
        {plan.sites.length > 1 ? "s" : ""} proposé{plan.sites.length > 1 ? "s" : ""}
        {plan.bus ? " (une visite par semaine)" : ""}
      </h3>
      <p>
        Aujourd'hui, {pct(plan.curve[0] ?? 0)} de la population pondérée par la fragilité a un lieu à moins de{" "}
        {String(plan.radiusKm).replace(".", ",")} km. Avec ces {word}s :{" "}
        <strong>{pct(plan.curve.at(-1) ?? 0)}</strong>.
      </p>
      <p>
        En comparaison, ouvrir dans les {plan.baseline.length} plus grandes communes non couvertes mènerait à{" "}
        {pct(plan.baselineCurve.at(-1) ?? 0)}
        {plan.ratio !== null
          ? ` : le choix de Maillage couvre ${plan.ratio.toFixed(2).replace(".", ",")} fois plus d'habitants pondérés nouvellement couverts (${int(greedyNew)} contre ${int(baseNew)}).`
          : "."}
      </p>
      {plan.stoppedEarly ? (
        <p class="notice">
          Seulement {plan.sites.length} {word}
          {plan.sites.length > 1 ? "s" : ""} : au-delà, aucun autre {word} ne couvrirait un habitant de plus.
        </p>
      ) : null}
      {plan.sites.length === 0 ? (
        <p>
          Tous les habitants pondérés du territoire sont déjà couverts à cette distance : aucun site à
          ajouter.
        </p>
      ) : (
        <>
          <CurveChart plan={plan} />
          <p class="muted">
            Trait plein : choix de Maillage ; pointillés : les plus grandes communes d'abord.
          </p>
          <p>
            <a href={`/couverture/plan.csv?${params.toString()}`}>Télécharger les sites proposés (CSV)</a>
          </p>
          <div class="table-wrap">
            <table>
              <caption>
                {word === "site" ? "Sites" : "Arrêts"} dans l'ordre du choix, avec le gain de chacun
              </caption>
              <thead>
                <tr>
                  <th scope="col" class="num">
                    Rang
                  </th>
                  <th scope="col">Commune</th>
                  <th scope="col" class="num">
                    Habitants pondérés nouvellement couverts
                  </th>
                  <th scope="col" class="num">
                    Communes nouvellement couvertes
                  </th>
                  <th scope="col" class="num">
                    Couverture après ce {word}
                  </th>
                </tr>
              </thead>
              <tbody>
                {plan.sites.map((s) => (
                  <tr key={s.code}>
                    <td class="num">{s.rank}</td>
                    <th scope="row">
                      <a href={`/territoires/${encodeURIComponent(s.code)}`}>{s.name}</a>
                    </th>
                    <td class="num">{int(s.gain)}</td>
                    <td class="num">{int(s.newlyCovered)}</td>
                    <td class="num">{pct(s.coveredShare)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}

/** The "Couverture" section of a territory page. */
export function CoverageSection({ cov }: { cov: TerritoryCoverage }): VNode {
  const t = cov.territory as Territory;
  const s = cov.stats.find((x) => x.layer === "tous");
  const link = (
    <a href={`/couverture?territoire=${encodeURIComponent(t.id)}`}>
      Voir la couverture{cov.communes.length > 1 ? ", les manques et la planification" : " en détail"}
    </a>
  );
  if (!s || s.communes === 0) return <p>Pas de commune à mesurer pour ce territoire. {link}</p>;
  if (cov.communes.length === 1) {
    const d = (key: string) => km(cov.dist.get(key)?.[0] ?? null);
    return (
      <>
        <p>
          Lieu de médiation le plus proche : <strong>{d("tous")}</strong> par la route (estimation). France
          Services : {d("France Services")} ; conseiller numérique : {d("Conseillers numériques")} ; Aidants
          Connect : {d("Aidants Connect")}.
        </p>
        <p>{link}</p>
      </>
    );
  }
  return (
    <>
      <p>
        <strong>{pct(share(s.coveredPopulation, s.population))}</strong> des habitants ont un lieu de
        médiation numérique à proximité ({DEFAULT_DISTANCES_TEXT}).{" "}
        {s.fragileCommunes > 0
          ? `${int(s.fragilePopulation - s.coveredFragilePopulation)} habitants de communes fragiles (${plural(s.fragileWithoutNearby, "commune", "communes")}) restent loin de toute aide.`
          : ""}
      </p>
      <p>{link}</p>
    </>
  );
}
