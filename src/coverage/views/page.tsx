/** The coverage page: the choice of territory and layer, then the figures, map, gaps and planning. */
import type { VNode } from "preact";
import { Layout } from "../../platform/views/layout.tsx";
import { TerritoryChoices } from "../../territories/components/choices.tsx";
import type { TerritoryCoverage } from "../engine.ts";
import { int, NO_SOURCE, pct, plural, sourcesText } from "../format.ts";
import { DEFAULT_DISTANCES_TEXT, DISPOSITIFS, type Layer, layerKey, layerLabel, SERVICES } from "../model.ts";
import { share } from "../stats.ts";
import { CoverageMapSection } from "./map.tsx";
import { PlanSection } from "./plan.tsx";
import { type CoveragePageProps, thresholdPhrase } from "./props.ts";
import { CommuneDistances, GapTable, LayerTable } from "./tables.tsx";

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
  const sources = cov.sources.get(key) ?? [];
  const absent = sources.length === 0;
  return (
    <>
      <section aria-labelledby="resume">
        <h2 id="resume">En résumé</h2>
        {!s || s.communes === 0 ? (
          <p>Ce territoire ne compte aucune commune à mesurer.</p>
        ) : (
          <>
            {absent ? (
              <p>
                <strong>
                  {layerLabel(p.layer)} : {NO_SOURCE}.
                </strong>{" "}
                Sa couverture ne peut pas être mesurée : ce n'est pas un manque constaté sur le terrain.
              </p>
            ) : (
              <p>
                <strong>{pct(share(s.coveredPopulation, s.population))}</strong> des habitants de {where} (
                {int(s.coveredPopulation)} sur {int(s.population)}) ont un lieu ({layerLabel(p.layer)}){" "}
                {reach}.
              </p>
            )}
            <p>
              {absent ? null : s.fragileCommunes === 0 ? (
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
                    {(cov.sources.get(d.layer) ?? []).length === 0 ? (
                      `${d.layer} : ${NO_SOURCE}.`
                    ) : d.fragileCommunes === 0 ? (
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
        {absent ? null : (
          <p class="muted">
            Lieux comptés ({layerLabel(p.layer)}) : {sourcesText(sources)}.
          </p>
        )}
        <p class="muted">
          Distance estimée par la route : distance à vol d'oiseau depuis le point de référence de la commune,
          multipliée par {String(cov.params.detour).replace(".", ",")} (approximation habituelle du détour
          routier). Les lieux itinérants comptent à l'arrêt indiqué dans leur fiche. Communes urbaines et
          rurales : unités urbaines de l'INSEE (2017).
        </p>
      </section>
      {oneCommune ? <CommuneDistances cov={cov} /> : <LayerTable cov={cov} reach={reach} />}
      {p.map && !absent ? <CoverageMapSection map={p.map} layer={p.layer} where={where} /> : null}
      {cov.territory && cov.territory.kind === "region" ? (
        <p class="muted">La carte est proposée pour un département, une intercommunalité ou une commune.</p>
      ) : null}
      {oneCommune || absent ? null : <GapTable {...p} gaps={p.gaps ?? []} />}
      {cov.territory ? <PlanSection {...p} /> : null}
    </>
  );
}
