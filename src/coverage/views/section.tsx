/** The "Couverture" section of every territory page. */
import type { VNode } from "preact";
import type { Territory } from "../../territories/model.ts";
import type { TerritoryCoverage } from "../engine.ts";
import { int, km, NO_SOURCE, pct, plural, sourcesText } from "../format.ts";
import { DEFAULT_DISTANCES_TEXT } from "../model.ts";
import { share } from "../stats.ts";

/** The "Couverture" section of a territory page. */
export function CoverageSection({ cov }: { cov: TerritoryCoverage }): VNode {
  const t = cov.territory as Territory;
  const s = cov.stats.find((x) => x.layer === "tous");
  const link = (
    <a href={`/couverture?territoire=${encodeURIComponent(t.id)}`}>
      Voir la couverture{cov.communes.length > 1 ? ", les manques et la planification" : " en détail"}
    </a>
  );
  const sourcesLine = <p class="muted">Lieux comptés : {sourcesText(cov.sources.get("tous") ?? [])}.</p>;
  if (!s || s.communes === 0) return <p>Pas de commune à mesurer pour ce territoire. {link}</p>;
  if (cov.communes.length === 1) {
    const d = (key: string) =>
      (cov.sources.get(key) ?? []).length === 0 ? NO_SOURCE : km(cov.dist.get(key)?.[0] ?? null);
    return (
      <>
        <p>
          Lieu de médiation le plus proche : <strong>{d("tous")}</strong> par la route (estimation). France
          Services : {d("France Services")} ; conseiller numérique : {d("Conseillers numériques")} ; Aidants
          Connect : {d("Aidants Connect")}.
        </p>
        {sourcesLine}
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
      {sourcesLine}
      <p>{link}</p>
    </>
  );
}
