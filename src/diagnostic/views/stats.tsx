import type { VNode } from "preact";
import { formatNumber } from "../../platform/format.ts";
import { Layout } from "../../platform/views/layout.tsx";
import { TerritoryChoices } from "../../territories/components/choices.tsx";
import type { Territory } from "../../territories/model.ts";
import type { Candidate } from "../../territories/resolve.ts";
import { HIDDEN_CELL, MODE_LABELS } from "../describe.ts";
import {
  BARRIER_LABELS,
  type Barrier,
  LEVEL_LABELS,
  type Level,
  type Mode,
  PROFILE_LABELS,
  type Profile,
} from "../model.ts";
import { type Cell, MIN_CELL, type ShownStats } from "../stats.ts";

export interface StatsProps {
  query: string;
  territory: Territory | null;
  stats: ShownStats | null;
  problem?: string;
  /** « Laquelle ? » or « Vouliez-vous dire ? ». */
  choices?: { title: string; candidates: Candidate[] };
}

/** 2026-11-27 → 27/11/2026. */
const frenchDay = (iso: string) => iso.split("-").reverse().join("/");
const cell = (c: Cell) => (c === null ? HIDDEN_CELL : formatNumber(c));

function CountTable({
  caption,
  rows,
  label,
}: {
  caption: string;
  rows: { key: string; count: Cell }[];
  label: (k: string) => string;
}) {
  return (
    <table class="diag-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{caption}</th>
          <th scope="col">Réponses</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">{label(r.key)}</th>
            <td>{cell(r.count)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Anonymous statistics of a territory, small cells hidden. */
export function StatsPage({ query, territory, stats, problem, choices }: StatsProps): VNode {
  const title = territory ? `Diagnostics : ${territory.name}` : "Diagnostics : statistiques anonymes";
  return (
    <Layout title={problem ? `Erreur : ${title}` : title} current="/diagnostic">
      <div class="diag">
        <h1>{title}</h1>
        <p class="lead">
          Ce que disent les diagnostics d'aisance numérique faits sur le territoire. Aucun nom n'est gardé.
          Pour protéger l'anonymat, aucun chiffre n'est montré pour moins de {MIN_CELL} réponses.
        </p>
        <form method="get" action="/diagnostic/statistiques" class="search">
          <div class="field">
            <label for="territoire">
              Territoire <span class="hint">commune, intercommunalité, département ou région</span>
            </label>
            <input type="text" id="territoire" name="territoire" value={query} maxLength={100} />
          </div>
          <button type="submit">Voir</button>
        </form>
        {problem ? (
          <div class="diag-error" role="alert">
            <p>{problem}</p>
          </div>
        ) : null}
        <TerritoryChoices
          title={choices?.title ?? ""}
          candidates={choices?.candidates}
          href={(v) => `/diagnostic/statistiques?territoire=${encodeURIComponent(v)}`}
        />
        {territory && stats && !stats.enough ? (
          <p class="diag-notice">
            Moins de {MIN_CELL} diagnostics ont été faits ici : nous ne montrons pas de chiffre.
          </p>
        ) : null}
        {territory && stats?.enough ? (
          <>
            <p>
              <strong>{cell(stats.total)}</strong> diagnostics
              {stats.first && stats.last ? `, du ${frenchDay(stats.first)} au ${frenchDay(stats.last)}` : ""}.
              Cas urgents : <strong>{cell(stats.urgent)}</strong>.
            </p>
            <CountTable
              caption="Profil"
              rows={stats.profiles}
              label={(k) => PROFILE_LABELS[k as Profile] ?? k}
            />
            <CountTable
              caption="Niveau d'accompagnement"
              rows={stats.levels}
              label={(k) => LEVEL_LABELS[k as Level] ?? k}
            />
            <CountTable
              caption="Freins les plus fréquents"
              rows={stats.barriers}
              label={(k) => BARRIER_LABELS[k as Barrier] ?? k}
            />
            <CountTable
              caption="Façon de répondre"
              rows={stats.modes}
              label={(k) => MODE_LABELS[k as Mode] ?? k}
            />
          </>
        ) : null}
      </div>
    </Layout>
  );
}
