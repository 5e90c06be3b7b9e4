/** The review of possible duplicates: the queue of a territory's pairs, and one pair side by side. */
import type { ComponentChildren, VNode } from "preact";
import { Pager } from "../../accounts/views/admin.tsx";
import { Csrf, Notice, Problem } from "../../accounts/views/signin.tsx";
import { formatDateTime, formatNumber } from "../../platform/format.ts";
import { TableRegion } from "../../platform/views/table.tsx";
import { DEFAULT_DEDUPE } from "../dedupe.ts";
import { placeUrl, SOURCE_LABELS } from "../describe.ts";
import { BackOffice } from "../reports/views.tsx";
import type { ListedPair, PairSide } from "../store/decisions.ts";

const ZONE = "Europe/Paris";
const decimal = (n: number) => n.toFixed(2).replace(".", ",");
const sourceName = (s: string) => SOURCE_LABELS[s] ?? s;

export const pairHref = (p: { a: { id: string }; b: { id: string } }) =>
  `/admin/doublons/${encodeURIComponent(p.a.id)}/${encodeURIComponent(p.b.id)}`;

const DECISION_LABELS = { fusionner: "Fusionner", séparer: "Garder séparés" } as const;

const OUTCOME_LABELS: Record<string, string> = {
  fusion: "réunies en un seul lieu",
  "à vérifier": "à vérifier",
  distincts: "gardées séparées",
};

function SideName({
  side,
  communeName,
}: {
  side: PairSide;
  communeName: (c: string | null) => string;
}): VNode {
  return (
    <>
      {side.standard.nom}
      <span class="hint">
        {" "}
        ({communeName(side.communeCode)}, {sourceName(side.source)})
      </span>
    </>
  );
}

export function PairQueuePage(p: {
  account: ComponentChildren;
  territory: string;
  view: "a-verifier" | "decisions";
  pairs: ListedPair[];
  total: number;
  page: number;
  pageSize: number;
  communeName: (code: string | null) => string;
}): VNode {
  const decided = p.view === "decisions";
  return (
    <BackOffice account={p.account} title="Doublons possibles" current="/admin/doublons">
      <h1>Doublons possibles</h1>
      <p>
        Territoire : {p.territory}. Deux fiches de sources différentes semblent décrire le même lieu sans que
        le score suffise à les réunir (fusion automatique à partir de {decimal(DEFAULT_DEDUPE.mergeThreshold)}
        , à vérifier à partir de {decimal(DEFAULT_DEDUPE.reviewThreshold)}). Votre décision est gardée et
        appliquée à chaque nouvel import.
      </p>
      <ul class="admin-menu">
        <li>
          <a href="/admin/doublons" aria-current={decided ? undefined : "page"}>
            Paires à vérifier
          </a>
        </li>
        <li>
          <a href="/admin/doublons?vue=decisions" aria-current={decided ? "page" : undefined}>
            Décisions prises
          </a>
        </li>
      </ul>
      <p role="status">
        {formatNumber(p.total)} {decided ? "décision" : "paire"}
        {p.total > 1 ? "s" : ""} {decided ? "prise" : "à vérifier"}
        {p.total > 1 ? "s" : ""}
      </p>
      {p.pairs.length > 0 ? (
        <TableRegion label={decided ? "décisions prises" : "paires à vérifier"}>
          <table>
            <caption>
              {decided ? "Décisions, les plus récentes d'abord" : "Paires, les plus ressemblantes d'abord"}
            </caption>
            <thead>
              <tr>
                <th scope="col">Première fiche</th>
                <th scope="col">Deuxième fiche</th>
                <th scope="col">Score</th>
                {decided ? <th scope="col">Décision</th> : null}
                <th scope="col">Comparer</th>
              </tr>
            </thead>
            <tbody>
              {p.pairs.map((x) => (
                <tr key={`${x.a.id}-${x.b.id}`}>
                  <td>
                    <SideName side={x.a} communeName={p.communeName} />
                  </td>
                  <td>
                    <SideName side={x.b} communeName={p.communeName} />
                  </td>
                  <td>{decimal(x.score)}</td>
                  {decided ? (
                    <td>
                      {x.decision ? DECISION_LABELS[x.decision.decision] : ""}
                      {x.decision ? (
                        <span class="hint"> le {formatDateTime(x.decision.decidedAt, ZONE)}</span>
                      ) : null}
                    </td>
                  ) : null}
                  <td>
                    {/* aria-label, not a visually hidden span: one positioned outside the scrolling table would widen the page. */}
                    <a href={pairHref(x)} aria-label={`Comparer ${x.a.standard.nom} et ${x.b.standard.nom}`}>
                      Comparer
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      ) : null}
      <Pager
        path="/admin/doublons"
        params={{ vue: decided ? "decisions" : undefined }}
        page={p.page}
        total={p.total}
        pageSize={p.pageSize}
        label="Pages des doublons"
      />
    </BackOffice>
  );
}

/** The fields compared side by side (in the standard's words, in plain French). */
const FIELDS: { label: string; value: (s: PairSide) => string }[] = [
  { label: "Nom", value: (s) => s.standard.nom },
  {
    label: "Adresse",
    value: (s) => [s.standard.adresse, s.standard.complement_adresse].filter(Boolean).join(", "),
  },
  { label: "Code postal", value: (s) => s.standard.code_postal },
  { label: "Commune", value: (s) => s.standard.commune },
  {
    label: "Coordonnées",
    value: (s) =>
      s.standard.latitude !== null && s.standard.longitude !== null
        ? `${s.standard.latitude}, ${s.standard.longitude}`
        : "",
  },
  { label: "SIRET", value: (s) => s.standard.pivot },
  { label: "Téléphone", value: (s) => s.standard.telephone.join(", ") },
  { label: "Courriel", value: (s) => s.standard.courriels.join(", ") },
  { label: "Site web", value: (s) => s.standard.site_web.join(", ") },
  { label: "Horaires", value: (s) => s.standard.horaires ?? "" },
  { label: "Services", value: (s) => s.standard.services.join(", ") },
  { label: "Type de structure", value: (s) => s.standard.typologie.join(", ") },
  { label: "Mise à jour par la source", value: (s) => s.standard.date_maj },
  { label: "Source", value: (s) => `${sourceName(s.source)} (identifiant ${s.sourceId})` },
];

const PART_LABELS = { nom: "Nom", adresse: "Adresse", distance: "Distance", siret: "SIRET" } as const;

export function PairPage(p: {
  account: ComponentChildren;
  csrf: string;
  pair: ListedPair;
  communeName: (code: string | null) => string;
  notice?: string;
  problem?: string;
  note?: string;
}): VNode {
  const { a, b } = p.pair;
  const d = p.pair.decision;
  const action = pairHref(p.pair);
  const side = (s: PairSide) =>
    s.status === "withdrawn" ? (
      <>
        {s.standard.nom} <span class="hint">(retirée par sa source)</span>
      </>
    ) : (
      <a href={placeUrl(s.placeId ?? s.id)}>{s.standard.nom}</a>
    );
  return (
    <BackOffice
      account={p.account}
      title="Comparer deux fiches"
      current="/admin/doublons"
      problem={p.problem}
    >
      <p>
        <a href="/admin/doublons">Retour aux doublons</a>
      </p>
      <h1>Comparer deux fiches</h1>
      <Notice text={p.notice} />
      <Problem text={p.problem} />
      <p>
        Score de ressemblance : <strong>{decimal(p.pair.score)}</strong> (fusion automatique à partir de{" "}
        {decimal(DEFAULT_DEDUPE.mergeThreshold)}, à vérifier à partir de{" "}
        {decimal(DEFAULT_DEDUPE.reviewThreshold)}). Aujourd'hui, ces fiches sont{" "}
        {OUTCOME_LABELS[p.pair.outcome] ?? p.pair.outcome}.
      </p>
      <TableRegion label="les deux fiches">
        <table>
          <caption>Les deux fiches, champ par champ</caption>
          <thead>
            <tr>
              <th scope="col">Champ</th>
              <th scope="col">{side(a)}</th>
              <th scope="col">{side(b)}</th>
            </tr>
          </thead>
          <tbody>
            {FIELDS.map((f) => {
              const x = f.value(a);
              const y = f.value(b);
              return (
                <tr key={f.label}>
                  <th scope="row">
                    {f.label}
                    {x !== y ? <span class="hint"> (diffère)</span> : null}
                  </th>
                  <td>{x || "—"}</td>
                  <td>{y || "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableRegion>
      <h2>D'où vient le score</h2>
      {p.pair.parts.length > 0 ? (
        <TableRegion label="parts du score">
          <table>
            <caption>Chaque partie du score et ce qu'elle ajoute</caption>
            <thead>
              <tr>
                <th scope="col">Partie</th>
                <th scope="col">Explication</th>
                <th scope="col">Apport au score</th>
              </tr>
            </thead>
            <tbody>
              {p.pair.parts.map((x) => (
                <tr key={x.part}>
                  <th scope="row">{PART_LABELS[x.part]}</th>
                  <td>{x.detail}</td>
                  <td>
                    {x.contribution >= 0 ? "+" : "−"}
                    {decimal(Math.abs(x.contribution))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      ) : (
        <p>Ces deux fiches n'ont pas été comparées par la dernière déduplication.</p>
      )}
      <h2>Votre décision</h2>
      {d ? (
        <>
          <p>
            Décision prise le {formatDateTime(d.decidedAt, ZONE)} :{" "}
            <strong>{DECISION_LABELS[d.decision]}</strong>
            {d.note ? ` (« ${d.note} »)` : ""}. Elle s'applique à chaque nouvel import de ces sources.
          </p>
          <form method="post" action={action} class="account-form">
            <Csrf token={p.csrf} />
            <input type="hidden" name="choix" value="annuler" />
            <button type="submit" class="button secondary">
              Annuler cette décision
            </button>
          </form>
          <p>Ou changez-la :</p>
        </>
      ) : null}
      <form method="post" action={action} class="account-form">
        <Csrf token={p.csrf} />
        <div class="field">
          <label for="note">
            Note<span class="hint"> (facultative, 500 caractères au plus)</span>
          </label>
          <textarea id="note" name="note" rows={3} maxLength={500}>
            {p.note ?? ""}
          </textarea>
        </div>
        <p class="hint">
          Fusionner : un seul lieu est publié, avec les informations des deux fiches. Garder séparés : deux
          lieux sont publiés, même si le score dit de les réunir.
        </p>
        <button type="submit" name="choix" value="fusionner">
          Fusionner
        </button>{" "}
        <button type="submit" name="choix" value="separer">
          Garder séparés
        </button>
      </form>
    </BackOffice>
  );
}
