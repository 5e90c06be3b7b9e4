/**
 * The activity reports' pages: the mediator's home (the quick individual report and the last ones), the complete
 * form, a report, the statistics with their charts, the prescribers' orientation references.
 */
import type { ComponentChildren, VNode } from "preact";
import { Pager } from "../accounts/views/admin.tsx";
import { Csrf, Notice, Problem } from "../accounts/views/signin.tsx";
import { displayCode } from "../pass/code.ts";
import { formatDay, formatNumber } from "../platform/format.ts";
import { Layout } from "../platform/views/layout.tsx";
import { TableRegion } from "../platform/views/table.tsx";
import { WorkFrame } from "../platform/views/work-frame.tsx";
import {
  ACTIVITY_TYPE_LABELS,
  ACTIVITY_TYPES,
  type ActivityField,
  type ActivityInput,
  DURATION_BRACKETS,
  DURATION_CHOICES,
  durationLabel,
  type Shown,
} from "./model.ts";
import type { Beneficiary, Reference, StatDimension, StoredActivity } from "./store.ts";
import {
  AUTONOMIE_LABELS,
  AUTONOMIES,
  DEMARCHES_ADMINISTRATIVES,
  LIEU_LABELS,
  LIEUX,
  MATERIEL_LABELS,
  MATERIELS,
  NIVEAU_LABELS,
  NIVEAUX,
  REDIRECTION_LABELS,
  REDIRECTIONS,
  STATUT_LABELS,
  STATUTS,
  THEMATIQUE_LABELS,
  THEMATIQUES,
  TRANCHE_AGE_LABELS,
  TRANCHES_AGE,
  TYPE_COORDINATION_LABELS,
  TYPES_COORDINATION,
} from "./vocabulary.ts";

const day = (d: string) => formatDay(d, { year: true, weekday: false });
const n = (x: number) => formatNumber(x);
const themLabel = (t: string) => THEMATIQUE_LABELS[t as keyof typeof THEMATIQUE_LABELS] ?? t;

export interface ActivityNav {
  csrf: string;
  account: ComponentChildren;
  links: { href: string; label: string }[];
}

function Frame(p: {
  nav: ActivityNav;
  title: string;
  current: string;
  problem?: string;
  children: ComponentChildren;
}) {
  return <WorkFrame space="Activités" {...p} />;
}

/** The most common thématiques, shown first in the quick form (the others are one click away). */
const COMMON = [
  "aide_aux_demarches_administratives",
  "prendre_en_main_du_materiel",
  "navigation_sur_internet",
  "email",
  "securite_numerique",
  "sante",
] as const;

function Errors({ id, errors }: { id: ActivityField; errors: Partial<Record<ActivityField, string>> }) {
  return errors[id] ? (
    <p class="error" id={`${id}-erreur`}>
      {errors[id]}
    </p>
  ) : null;
}

function Checkboxes(p: {
  name: string;
  legend: string;
  options: readonly string[];
  label: (v: string) => string;
  checked: string[];
  error?: string;
}) {
  return (
    <fieldset class={p.error ? "field-error" : undefined}>
      <legend>{p.legend}</legend>
      {p.error ? (
        <p class="error" id={`${p.name}-erreur`}>
          {p.error}
        </p>
      ) : null}
      {p.options.map((o) => (
        <div class="field checkbox" key={o}>
          <input
            id={`${p.name}-${o}`}
            type="checkbox"
            name={p.name}
            value={o}
            checked={p.checked.includes(o)}
          />
          <label for={`${p.name}-${o}`}>{p.label(o)}</label>
        </div>
      ))}
    </fieldset>
  );
}

function Radios(p: {
  name: string;
  legend: string;
  options: readonly string[];
  label: (v: string) => string;
  value: string;
  error?: string;
}) {
  return (
    <fieldset class={p.error ? "field-error" : undefined}>
      <legend>{p.legend}</legend>
      {p.error ? (
        <p class="error" id={`${p.name}-erreur`}>
          {p.error}
        </p>
      ) : null}
      {p.options.map((o) => (
        <div class="field checkbox" key={o}>
          <input id={`${p.name}-${o}`} type="radio" name={p.name} value={o} checked={p.value === o} />
          <label for={`${p.name}-${o}`}>{p.label(o)}</label>
        </div>
      ))}
    </fieldset>
  );
}

function Select(p: {
  id: string;
  label: string;
  options: readonly string[];
  optionLabel: (v: string) => string;
  value: string;
  error?: string;
  empty?: string;
}) {
  return (
    <div class={`field${p.error ? " field-error" : ""}`}>
      <label for={p.id}>{p.label}</label>
      {p.error ? (
        <p class="error" id={`${p.id}-erreur`}>
          {p.error}
        </p>
      ) : null}
      <select id={p.id} name={p.id} aria-describedby={p.error ? `${p.id}-erreur` : undefined}>
        <option value="">{p.empty ?? "Non renseigné"}</option>
        {p.options.map((o) => (
          <option key={o} value={o} selected={p.value === o}>
            {p.optionLabel(o)}
          </option>
        ))}
      </select>
    </div>
  );
}

function Text(p: {
  id: string;
  label: string;
  value: string;
  hint?: string;
  error?: string;
  max?: number;
  numeric?: boolean;
}) {
  const described = [p.hint ? `${p.id}-aide` : "", p.error ? `${p.id}-erreur` : ""].filter(Boolean).join(" ");
  return (
    <div class={`field${p.error ? " field-error" : ""}`}>
      <label for={p.id}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.id}-aide`}>
          {p.hint}
        </p>
      ) : null}
      {p.error ? (
        <p class="error" id={`${p.id}-erreur`}>
          {p.error}
        </p>
      ) : null}
      <input
        id={p.id}
        name={p.id}
        value={p.value}
        maxLength={p.max ?? 200}
        inputMode={p.numeric ? "numeric" : undefined}
        autocomplete="off"
        aria-describedby={described || undefined}
      />
    </div>
  );
}

/** The form's values: the input as typed, the date as people write it (JJ/MM/AAAA). */
export type FormValues = ActivityInput;

/** The report form: `full` shows every field; the quick one only what changes from one report to the next. */
export function ActivityForm(p: {
  csrf: string;
  key: string;
  values: FormValues;
  errors: Partial<Record<ActivityField, string>>;
  places: { id: string; name: string }[];
  full: boolean;
}) {
  const v = p.values;
  const e = p.errors;
  const durationChoice = (DURATION_CHOICES as readonly number[]).includes(Number(v.duration))
    ? v.duration
    : "";
  return (
    <form method="post" action="/activites" class="activity-form" data-brouillon="1" novalidate>
      <Csrf token={p.csrf} />
      <input type="hidden" name="cle" value={p.key} />
      {p.full ? (
        <Radios
          name="type"
          legend="Type d'activité"
          options={ACTIVITY_TYPES}
          label={(t) => ACTIVITY_TYPE_LABELS[t as keyof typeof ACTIVITY_TYPE_LABELS]}
          value={v.type}
          error={e.type}
        />
      ) : (
        <input type="hidden" name="type" value="individuel" />
      )}
      <p class="activity-live" role="status" aria-live="polite" />
      <Checkboxes
        name="thematiques"
        legend="Thématiques"
        options={p.full ? THEMATIQUES : COMMON}
        label={themLabel}
        checked={v.thematiques}
        error={e.thematiques}
      />
      {p.full ? (
        <Checkboxes
          name="thematiques"
          legend="Démarches administratives"
          options={DEMARCHES_ADMINISTRATIVES}
          label={themLabel}
          checked={v.thematiques}
        />
      ) : (
        <details>
          <summary>Autres thématiques</summary>
          <Checkboxes
            name="thematiques"
            legend="Autres thématiques et démarches administratives"
            options={[...THEMATIQUES, ...DEMARCHES_ADMINISTRATIVES].filter(
              (t) => !(COMMON as readonly string[]).includes(t),
            )}
            label={themLabel}
            checked={v.thematiques}
          />
        </details>
      )}
      <Radios
        name="autonomie"
        legend="Autonomie de la personne à la fin"
        options={AUTONOMIES}
        label={(a) => AUTONOMIE_LABELS[a as keyof typeof AUTONOMIE_LABELS]}
        value={v.autonomie}
        error={e.autonomie}
      />
      <fieldset class={e.duration ? "field-error" : undefined}>
        <legend>Durée</legend>
        <Errors id="duration" errors={e} />
        {DURATION_CHOICES.map((d) => (
          <div class="field checkbox" key={d}>
            <input
              id={`duree-${d}`}
              type="radio"
              name="duree"
              value={String(d)}
              checked={durationChoice === String(d)}
            />
            <label for={`duree-${d}`}>{durationLabel(d)}</label>
          </div>
        ))}
        <Text
          id="duree_autre"
          label="Autre durée, en minutes"
          value={durationChoice ? "" : v.duration}
          max={5}
          numeric
        />
      </fieldset>
      <Text id="date" label="Date" hint="JJ/MM/AAAA" value={v.date} error={e.date} max={10} numeric />
      <Select
        id="lieu"
        label="Lieu"
        options={LIEUX}
        optionLabel={(l) => LIEU_LABELS[l as keyof typeof LIEU_LABELS]}
        value={v.lieu}
        error={e.lieu}
      />
      {p.places.length > 0 ? (
        <div class={`field${e.placeId ? " field-error" : ""}`}>
          <label for="lieu_activite">Lieu d'activité de l'organisation</label>
          <Errors id="placeId" errors={e} />
          <select id="lieu_activite" name="lieu_activite">
            {p.places.map((x) => (
              <option key={x.id} value={x.id} selected={v.placeId === x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {p.full ? (
        <>
          <Text
            id="commune"
            label="Commune (à domicile ou autre lieu), code INSEE"
            value={v.commune}
            error={e.commune}
            max={5}
          />
          <Checkboxes
            name="materiel"
            legend="Matériel utilisé"
            options={MATERIELS}
            label={(m) => MATERIEL_LABELS[m as keyof typeof MATERIEL_LABELS]}
            checked={v.materiel}
            error={e.materiel}
          />
          <Select
            id="redirection"
            label="Orientée vers"
            options={REDIRECTIONS}
            optionLabel={(r) => REDIRECTION_LABELS[r as keyof typeof REDIRECTION_LABELS]}
            value={v.redirection}
            error={e.redirection}
            empty="Pas d'orientation"
          />
          <fieldset>
            <legend>Atelier collectif</legend>
            <Text id="titre" label="Titre de l'atelier" value={v.titre} error={e.titre} />
            <Select
              id="niveau"
              label="Niveau"
              options={NIVEAUX}
              optionLabel={(x) => NIVEAU_LABELS[x as keyof typeof NIVEAU_LABELS]}
              value={v.niveau}
              error={e.niveau}
            />
            <Text
              id="participants"
              label="Nombre de participants"
              value={v.participants}
              error={e.participants}
              max={4}
              numeric
            />
          </fieldset>
          <Select
            id="coordination"
            label="Type de coordination"
            options={TYPES_COORDINATION}
            optionLabel={(x) => TYPE_COORDINATION_LABELS[x as keyof typeof TYPE_COORDINATION_LABELS]}
            value={v.coordination}
            error={e.coordination}
          />
        </>
      ) : null}
      <details open={p.full || undefined}>
        <summary>La personne (anonyme) et les liens</summary>
        <Select
          id="tranche_age"
          label="Tranche d'âge"
          options={TRANCHES_AGE}
          optionLabel={(x) => TRANCHE_AGE_LABELS[x as keyof typeof TRANCHE_AGE_LABELS]}
          value={v.trancheAge}
          error={e.trancheAge}
        />
        <Select
          id="statut"
          label="Situation"
          options={STATUTS}
          optionLabel={(x) => STATUT_LABELS[x as keyof typeof STATUT_LABELS]}
          value={v.statut}
          error={e.statut}
        />
        <Text
          id="commune_personne"
          label="Commune de la personne, code INSEE"
          value={v.beneficiaireCommune}
          error={e.beneficiaireCommune}
          max={5}
        />
        <Text
          id="orientation"
          label="Référence de la fiche d'orientation"
          hint="10 caractères, écrits sous le QR code de la fiche"
          value={v.orientation}
          error={e.orientation}
          max={20}
        />
        <Text
          id="diagnostic"
          label="Numéro du diagnostic"
          value={v.diagnostic}
          error={e.diagnostic}
          max={9}
          numeric
        />
        <Text
          id="cheque"
          label="Code du chèque pass numérique encaissé"
          value={v.cheque}
          error={e.cheque}
          max={20}
        />
        <Text
          id="utilisation"
          label="Numéro de la démarche faite avec un mandat"
          value={v.utilisation}
          error={e.utilisation}
          max={9}
          numeric
        />
        <Text
          id="beneficiaire"
          label="Numéro du dossier de suivi (si la personne en a un)"
          value={v.beneficiaire}
          error={e.beneficiaire}
          max={9}
          numeric
        />
        <div class="field">
          <label for="notes">Notes</label>
          <textarea id="notes" name="notes" rows={3} maxLength={2000}>
            {v.notes}
          </textarea>
        </div>
      </details>
      <button type="submit">Enregistrer le compte rendu</button>
    </form>
  );
}

const Summary = ({ a }: { a: StoredActivity }) => (
  <>
    {ACTIVITY_TYPE_LABELS[a.type]}, {durationLabel(a.minutes)}
    {a.thematiques.length ? ` — ${a.thematiques.map(themLabel).join(", ")}` : ""}
    {a.type === "collectif" ? ` — ${n(a.participants)} participant${a.participants > 1 ? "s" : ""}` : ""}
  </>
);

export function HomePage(p: {
  nav: ActivityNav;
  form: Parameters<typeof ActivityForm>[0];
  activities: StoredActivity[];
  total: number;
  page: number;
  pageSize: number;
  notice?: string;
  problem?: string;
}): VNode {
  return (
    <Frame nav={p.nav} title="Comptes rendus d'activité" current="/activites" problem={p.problem}>
      <h1>Comptes rendus d'activité</h1>
      <Problem text={p.problem} />
      <Notice text={p.notice} />
      <section aria-labelledby="rapide">
        <h2 id="rapide">Nouvel accompagnement individuel</h2>
        <p>
          Les choix de votre dernier compte rendu sont déjà remplis. Pour un atelier ou une coordination :{" "}
          <a href="/activites/nouvelle">compte rendu complet</a>.
        </p>
        <ActivityForm {...p.form} />
      </section>
      <h2>Mes derniers comptes rendus</h2>
      {p.activities.length === 0 ? (
        <p>Aucun compte rendu pour l'instant.</p>
      ) : (
        <ul class="plain-list">
          {p.activities.map((a) => (
            <li key={a.id}>
              <a href={`/activites/${a.id}`}>{day(a.date)}</a> : <Summary a={a} /> —{" "}
              <a href={`/activites/nouvelle?depuis=${a.id}`}>dupliquer</a>
            </li>
          ))}
        </ul>
      )}
      <Pager
        path="/activites"
        params={{}}
        page={p.page}
        total={p.total}
        pageSize={p.pageSize}
        label="Pages des comptes rendus"
      />
      <script type="module" src="/assets/activites.js" />
    </Frame>
  );
}

export function FullFormPage(p: {
  nav: ActivityNav;
  form: Parameters<typeof ActivityForm>[0];
  problem?: string;
}): VNode {
  return (
    <Frame nav={p.nav} title="Compte rendu complet" current="/activites/nouvelle" problem={p.problem}>
      <h1>Compte rendu complet</h1>
      <Problem text={p.problem} />
      <p>Seuls le type, la date et la durée sont obligatoires.</p>
      <ActivityForm {...p.form} />
      <script type="module" src="/assets/activites.js" />
    </Frame>
  );
}

export function ActivityPage(p: {
  nav: ActivityNav;
  a: StoredActivity;
  placeName: string | null;
  notice?: string;
}): VNode {
  const a = p.a;
  const rows: [string, string | null][] = [
    ["Date", day(a.date)],
    ["Type", ACTIVITY_TYPE_LABELS[a.type]],
    ["Durée", durationLabel(a.minutes)],
    ["Lieu", a.lieu ? `${LIEU_LABELS[a.lieu]}${p.placeName ? ` : ${p.placeName}` : ""}` : null],
    ["Thématiques", a.thematiques.map(themLabel).join(", ") || null],
    ["Matériel", a.materiel.map((m) => MATERIEL_LABELS[m]).join(", ") || null],
    ["Autonomie", a.autonomie ? AUTONOMIE_LABELS[a.autonomie] : null],
    ["Orientée vers", a.redirection ? REDIRECTION_LABELS[a.redirection] : null],
    [
      "Atelier",
      a.titre
        ? `${a.titre}${a.niveau ? ` (${NIVEAU_LABELS[a.niveau]})` : ""}, ${n(a.participants)} participant(s)`
        : null,
    ],
    ["Tranche d'âge", a.trancheAge ? TRANCHE_AGE_LABELS[a.trancheAge] : null],
    ["Situation", a.statut ? STATUT_LABELS[a.statut] : null],
    ["Fiche d'orientation", a.orientation ? displayCode(a.orientation) : null],
    ["Diagnostic", a.diagnosticId ? `n° ${a.diagnosticId}` : null],
    ["Chèque pass numérique", a.cheque],
    ["Notes", a.notes],
  ];
  return (
    <Frame nav={p.nav} title="Compte rendu" current="">
      <h1>Compte rendu du {day(a.date)}</h1>
      <Notice text={p.notice} />
      <dl class="activity-summary">
        {rows
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
      <p>
        <a href={`/activites/nouvelle?depuis=${a.id}`}>Dupliquer ce compte rendu</a>
      </p>
    </Frame>
  );
}

// ——— statistics

export interface StatsView {
  title: string;
  period: { from: string; to: string };
  protectedView: boolean;
  enough: boolean;
  activities: Shown;
  accompaniments: Shown;
  oriented: Shown;
  welcomed: Shown;
  by: Record<StatDimension, { key: string; label: string; count: Shown }[]>;
}

export const DIMENSION_LABELS: Record<StatDimension, string> = {
  type: "Par type d'activité",
  thematique: "Par thématique",
  autonomie: "Par autonomie atteinte",
  duree: "Par durée",
  age: "Par tranche d'âge",
  lieu: "Par lieu",
  mois: "Par mois",
};

const HIDDEN = "masqué";

/** A horizontal bar chart (server-rendered SVG); the table beside it carries the same figures for everyone. */
function Bars({ cells, title }: { cells: { label: string; count: Shown }[]; title: string }) {
  const shown = cells.filter((c) => c.count !== null && c.count > 0) as { label: string; count: number }[];
  if (shown.length === 0) return null;
  const max = Math.max(...shown.map((c) => c.count));
  const h = 22;
  return (
    <svg
      class="activity-chart"
      viewBox={`0 0 320 ${shown.length * h + 4}`}
      role="img"
      aria-label={`Graphique : ${title}`}
    >
      {shown.map((c, i) => (
        <g key={c.label} transform={`translate(0 ${i * h + 2})`}>
          <rect x="0" y="2" width={Math.max(2, (c.count / max) * 200)} height={h - 6} fill="#2a5f8f" />
          <text x={Math.max(2, (c.count / max) * 200) + 4} y={h - 7} font-size="11">
            {n(c.count)} — {c.label.length > 24 ? `${c.label.slice(0, 23)}…` : c.label}
          </text>
        </g>
      ))}
    </svg>
  );
}

export function StatsPage(p: {
  nav: ActivityNav;
  stats: StatsView;
  query: string;
  scopes: { value: string; label: string }[];
  scope: string;
  territoire: string;
  problem?: string;
}): VNode {
  const s = p.stats;
  const fig = (x: Shown) => (x === null ? HIDDEN : n(x));
  return (
    <Frame
      nav={p.nav}
      title={`Statistiques — ${s.title}`}
      current="/activites/statistiques"
      problem={p.problem}
    >
      <h1>Statistiques des accompagnements — {s.title}</h1>
      <Problem text={p.problem} />
      <form method="get" action="/activites/statistiques" class="form-row">
        <div class="field">
          <label for="perimetre">Périmètre</label>
          <select id="perimetre" name="perimetre">
            {p.scopes.map((x) => (
              <option key={x.value} value={x.value} selected={p.scope === x.value}>
                {x.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="territoire">Territoire (pour le périmètre territoire)</label>
          <input id="territoire" name="territoire" value={p.territoire} maxLength={100} />
        </div>
        <div class="field">
          <label for="de">Du (AAAA-MM-JJ)</label>
          <input id="de" name="de" value={s.period.from} maxLength={10} />
        </div>
        <div class="field">
          <label for="a">Au (AAAA-MM-JJ)</label>
          <input id="a" name="a" value={s.period.to} maxLength={10} />
        </div>
        <button type="submit">Afficher</button>
      </form>
      <p>
        Du {day(s.period.from)} au {day(s.period.to)}. Vocabulaire de La Coop de la médiation numérique.
        {s.protectedView
          ? " Un chiffre est masqué quand il compte moins de 5 comptes rendus, ou moins de 5 sans ceux de l'organisation qui en a le plus (avec un autre si une soustraction le révélait) : une organisation qui ajouterait des comptes rendus ne peut pas le faire apparaître."
          : ""}
      </p>
      {!s.enough ? (
        <p>
          Pas assez de comptes rendus sur ce périmètre pour montrer des chiffres sans risque pour les
          personnes.
        </p>
      ) : (
        <>
          <ul class="plain-list">
            <li>Comptes rendus : {fig(s.activities)}</li>
            <li>
              Personnes accompagnées (accompagnements individuels et participants aux ateliers) :{" "}
              {fig(s.accompaniments)}
            </li>
            <li>
              Personnes orientées avec une fiche : {fig(s.oriented)} ; accueillies dans un lieu :{" "}
              {fig(s.welcomed)}
              {s.oriented && s.welcomed !== null && s.oriented > 0
                ? ` (${Math.round((100 * s.welcomed) / s.oriented)} %)`
                : ""}
            </li>
          </ul>
          <p>
            <a href={`/activites/statistiques.csv?${p.query}`}>Télécharger en CSV</a> ·{" "}
            <a href={`/activites/statistiques.xlsx?${p.query}`}>Télécharger en tableur (XLSX)</a>
          </p>
          {(Object.keys(DIMENSION_LABELS) as StatDimension[]).map((d) =>
            s.by[d].length === 0 ? null : (
              <section key={d} aria-labelledby={`stat-${d}`}>
                <h2 id={`stat-${d}`}>{DIMENSION_LABELS[d]}</h2>
                <Bars cells={s.by[d]} title={DIMENSION_LABELS[d]} />
                <TableRegion label={DIMENSION_LABELS[d]}>
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">{DIMENSION_LABELS[d].replace("Par ", "")}</th>
                        <th scope="col">Comptes rendus</th>
                      </tr>
                    </thead>
                    <tbody>
                      {s.by[d].map((c) => (
                        <tr key={c.key}>
                          <th scope="row">{c.label}</th>
                          <td>{fig(c.count)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableRegion>
              </section>
            ),
          )}
        </>
      )}
    </Frame>
  );
}

/** Labels of a dimension's keys. */
export function keyLabel(d: StatDimension, key: string): string {
  switch (d) {
    case "type":
      return ACTIVITY_TYPE_LABELS[key as keyof typeof ACTIVITY_TYPE_LABELS] ?? key;
    case "thematique":
      return themLabel(key);
    case "autonomie":
      return AUTONOMIE_LABELS[key as keyof typeof AUTONOMIE_LABELS] ?? key;
    case "duree":
      return DURATION_BRACKETS.find((b) => b.key === key)?.label ?? key;
    case "age":
      return TRANCHE_AGE_LABELS[key as keyof typeof TRANCHE_AGE_LABELS] ?? key;
    case "lieu":
      return LIEU_LABELS[key as keyof typeof LIEU_LABELS] ?? key;
    case "mois": {
      const [y, m] = key.split("-");
      return formatDay(`${y}-${m}-01`, { year: true, weekday: false }).replace(/^1er /, "");
    }
  }
}

// ——— orientation references (prescribers)

export function ReferencesPage(p: {
  nav: ActivityNav;
  references: Reference[];
  total: number;
  welcomed: number;
  page: number;
  pageSize: number;
  placeName: (organisationId: number) => string;
  diagnostic?: string;
  notice?: string;
}): VNode {
  return (
    <Frame nav={p.nav} title="Personnes orientées" current="/orientations">
      <h1>Personnes orientées</h1>
      <Notice text={p.notice} />
      <p>
        Remettez à la personne une fiche d'orientation avec une référence : le lieu qui l'accueille la note
        dans son compte rendu, et vous voyez ici qu'elle a été accueillie, sans aucune donnée personnelle.
      </p>
      <form method="post" action="/orientations">
        <Csrf token={p.nav.csrf} />
        {p.diagnostic ? <input type="hidden" name="diagnostic" value={p.diagnostic} /> : null}
        <Text id="commune" label="Commune de la personne (facultatif), code INSEE" value="" max={5} />
        <button type="submit">Créer une fiche d'orientation</button>
      </form>
      <p>
        {n(p.total)} personne{p.total > 1 ? "s" : ""} orientée{p.total > 1 ? "s" : ""}, dont {n(p.welcomed)}{" "}
        accueillie
        {p.welcomed > 1 ? "s" : ""}.
      </p>
      {p.references.length > 0 ? (
        <TableRegion label="Fiches d'orientation">
          <table>
            <thead>
              <tr>
                <th scope="col">Référence</th>
                <th scope="col">Remise le</th>
                <th scope="col">Accueillie</th>
              </tr>
            </thead>
            <tbody>
              {p.references.map((r) => (
                <tr key={r.code}>
                  <th scope="row">
                    <a href={`/orientations/${r.code}`}>{displayCode(r.code)}</a>
                  </th>
                  <td>{day(r.createdAt.toISOString().slice(0, 10))}</td>
                  <td>
                    {r.welcomedOn
                      ? `accueillie le ${day(r.welcomedOn)}${r.welcomedBy ? ` (${p.placeName(r.welcomedBy)})` : ""}`
                      : "pas encore"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      ) : null}
      <Pager
        path="/orientations"
        params={{}}
        page={p.page}
        total={p.total}
        pageSize={p.pageSize}
        label="Pages des fiches"
      />
    </Frame>
  );
}

export function ReferenceSheet(p: { reference: Reference; organisation: string; qr: string }): VNode {
  return (
    <Layout title={`Fiche d'orientation ${displayCode(p.reference.code)}`}>
      <div class="mandat-print">
        <p class="no-print">
          Imprimez cette fiche (Ctrl + P) et remettez-la à la personne.{" "}
          <a href="/orientations">Revenir à la liste</a>
        </p>
        <article class="mandat-attestation">
          <h1>Fiche d'orientation</h1>
          <p>
            {p.organisation} vous oriente vers un lieu d'aide au numérique. Montrez cette fiche quand vous y
            allez : la personne qui vous accueille notera la référence.
          </p>
          <div class="mandat-integrite">
            <div
              class="mandat-qr"
              role="img"
              aria-label="QR code de la référence"
              dangerouslySetInnerHTML={{ __html: p.qr }}
            />
            <p>
              Référence : <strong class="pass-code">{displayCode(p.reference.code)}</strong>
            </p>
          </div>
          <p>
            Pour trouver un lieu près de chez vous : <a href="/trouver">Trouver de l'aide</a>.
          </p>
        </article>
      </div>
    </Layout>
  );
}

// ——— import

export interface ImportOutcome {
  line: number;
  status: "cree" | "deja" | "refuse";
  messages: string[];
}

const STATUS_LABELS: Record<ImportOutcome["status"], string> = {
  cree: "importé",
  deja: "déjà importé",
  refuse: "refusé",
};

export function ImportPage(p: {
  nav: ActivityNav;
  problem?: string;
  report?: { fileName: string; outcomes: ImportOutcome[] };
}): VNode {
  const r = p.report;
  const count = (s: ImportOutcome["status"]) => r?.outcomes.filter((o) => o.status === s).length ?? 0;
  const shown = r?.outcomes.filter((o) => o.status === "refuse" || o.messages.length > 0) ?? [];
  return (
    <Frame
      nav={p.nav}
      title="Importer mes activités de La Coop"
      current="/activites/import"
      problem={p.problem}
    >
      <h1>Importer mes activités de La Coop</h1>
      <Problem text={p.problem} />
      {r ? (
        <section aria-labelledby="rapport">
          <h2 id="rapport">Résultat de l'import de « {r.fileName} »</h2>
          <ul class="plain-list">
            <li>Comptes rendus importés : {n(count("cree"))}</li>
            <li>Déjà importés (le même fichier, ou une ligne identique d'un autre) : {n(count("deja"))}</li>
            <li>Lignes refusées : {n(count("refuse"))}</li>
          </ul>
          {shown.length > 0 ? (
            <TableRegion label="Lignes refusées ou avec remarques">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Ligne</th>
                    <th scope="col">Résultat</th>
                    <th scope="col">Pourquoi</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.slice(0, 500).map((o) => (
                    <tr key={o.line}>
                      <th scope="row">{n(o.line)}</th>
                      <td>{STATUS_LABELS[o.status]}</td>
                      <td>{o.messages.join(" ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
          ) : null}
        </section>
      ) : null}
      <p>
        Dans La Coop, exportez vos activités (« Exporter », format XLSX), puis choisissez ce fichier ici. Les
        noms des personnes ne sont jamais importés : les comptes rendus restent anonymes. Importer deux fois
        le même fichier ne crée rien de plus.
      </p>
      <form method="post" action="/activites/import" enctype="multipart/form-data">
        <Csrf token={p.nav.csrf} />
        <div class="field">
          <label for="fichier">Fichier exporté de La Coop (XLSX ou CSV)</label>
          <input id="fichier" name="fichier" type="file" accept=".xlsx,.csv" />
        </div>
        <button type="submit">Importer</button>
      </form>
    </Frame>
  );
}

// ——— named follow-up files

type FileField = "prenoms" | "nom" | "annee" | "commune" | "accord";

export function BeneficiariesPage(p: {
  nav: ActivityNav;
  files: Beneficiary[];
  q: string;
  values: { prenoms: string; nom: string; annee: string; commune: string; accord: boolean };
  errors: Partial<Record<FileField, string>>;
  problem?: string;
}): VNode {
  const e = p.errors;
  return (
    <Frame nav={p.nav} title="Dossiers de suivi" current="/beneficiaires" problem={p.problem}>
      <h1>Dossiers de suivi</h1>
      <Problem text={p.problem} />
      <p>
        Par défaut, les comptes rendus sont anonymes. Un dossier au nom de la personne ne s'ouvre qu'avec son
        accord, pour suivre ses accompagnements. Seule votre organisation le voit ; il est supprimé deux ans
        après le dernier compte rendu.
      </p>
      <form method="get" action="/beneficiaires" class="form-row">
        <div class="field">
          <label for="q">Nom</label>
          <input id="q" name="q" value={p.q} maxLength={100} autocomplete="off" />
        </div>
        <button type="submit">Chercher</button>
      </form>
      {p.files.length === 0 ? (
        <p>Aucun dossier.</p>
      ) : (
        <ul class="plain-list">
          {p.files.map((b) => (
            <li key={b.id}>
              <a href={`/beneficiaires/${b.id}`}>
                {b.familyName} {b.givenNames}
              </a>
              {b.birthYear ? ` (${b.birthYear})` : ""} — dossier n° {b.id}
            </li>
          ))}
        </ul>
      )}
      <h2>Ouvrir un dossier</h2>
      <form method="post" action="/beneficiaires" novalidate>
        <Csrf token={p.nav.csrf} />
        <Text id="prenoms" label="Prénom" value={p.values.prenoms} error={e.prenoms} max={100} />
        <Text id="nom" label="Nom" value={p.values.nom} error={e.nom} max={100} />
        <Text
          id="annee"
          label="Année de naissance (facultatif)"
          value={p.values.annee}
          error={e.annee}
          max={4}
          numeric
        />
        <Text
          id="commune"
          label="Commune, code INSEE (facultatif)"
          value={p.values.commune}
          error={e.commune}
          max={5}
        />
        <div class={`field checkbox${e.accord ? " field-error" : ""}`}>
          {e.accord ? (
            <p class="error" id="accord-erreur">
              {e.accord}
            </p>
          ) : null}
          <input
            id="accord"
            type="checkbox"
            name="accord"
            value="oui"
            checked={p.values.accord}
            aria-describedby={e.accord ? "accord-erreur" : undefined}
          />
          <label for="accord">
            La personne est d'accord pour que l'organisation tienne un dossier à son nom.
          </label>
        </div>
        <button type="submit">Ouvrir le dossier</button>
      </form>
    </Frame>
  );
}

export function BeneficiaryPage(p: {
  nav: ActivityNav;
  file: Beneficiary;
  activities: StoredActivity[];
  others: Beneficiary[];
  notice?: string;
}): VNode {
  const b = p.file;
  return (
    <Frame nav={p.nav} title={`Dossier de ${b.givenNames} ${b.familyName}`} current="/beneficiaires">
      <h1>
        Dossier de {b.givenNames} {b.familyName}
      </h1>
      <Notice text={p.notice} />
      {b.mergedInto ? (
        <p>
          Ce dossier a été fusionné avec le{" "}
          <a href={`/beneficiaires/${b.mergedInto}`}>dossier n° {b.mergedInto}</a>.
        </p>
      ) : (
        <p>
          Dossier n° {b.id}, ouvert avec l'accord de la personne le {day(b.consentOn)}.{" "}
          <a href={`/activites/nouvelle?beneficiaire=${b.id}`}>Nouveau compte rendu pour cette personne</a>
        </p>
      )}
      <h2>Comptes rendus</h2>
      {p.activities.length === 0 ? (
        <p>Aucun compte rendu.</p>
      ) : (
        <ul class="plain-list">
          {p.activities.map((a) => (
            <li key={a.id}>
              <a href={`/activites/${a.id}`}>{day(a.date)}</a> : <Summary a={a} />
            </li>
          ))}
        </ul>
      )}
      {!b.mergedInto && p.others.length > 0 ? (
        <>
          <h2>Fusionner un doublon</h2>
          <form method="post" action={`/beneficiaires/${b.id}/fusion`}>
            <Csrf token={p.nav.csrf} />
            <div class="field">
              <label for="autre">Autre dossier de la même personne (ses comptes rendus viendront ici)</label>
              <select id="autre" name="autre">
                {p.others.map((o) => (
                  <option key={o.id} value={String(o.id)}>
                    {o.familyName} {o.givenNames}
                    {o.birthYear ? ` (${o.birthYear})` : ""} — n° {o.id}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit">Fusionner</button>
          </form>
        </>
      ) : null}
    </Frame>
  );
}
