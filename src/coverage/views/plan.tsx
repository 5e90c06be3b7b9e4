/** The planning form and its result: sites, the coverage curve, the baseline. */
import type { VNode } from "preact";
import { TableRegion } from "../../platform/views/table.tsx";
import type { PlanResult } from "../engine.ts";
import { int, pct } from "../format.ts";
import { layerKey, layerLabel } from "../model.ts";
import type { CoveragePageProps, PlanForm } from "./props.ts";

export function PlanSection(p: CoveragePageProps): VNode {
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
          <TableRegion label="Sites proposés">
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
          </TableRegion>
        </>
      )}
    </div>
  );
}
