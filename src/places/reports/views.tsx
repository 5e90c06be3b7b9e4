/**
 * « Signaler une erreur » (public form, no account) and the coordinators' queue of reports; also the frame and the
 * pager of the places' back-office pages (reports, duplicates).
 */
import type { ComponentChildren, VNode } from "preact";
import { Pager } from "../../accounts/views/admin.tsx";
import { Csrf, Notice, Problem } from "../../accounts/views/signin.tsx";
import { formatDateTime, formatNumber } from "../../platform/format.ts";
import { Layout } from "../../platform/views/layout.tsx";
import { TableRegion } from "../../platform/views/table.tsx";
import { placeUrl } from "../describe.ts";
import {
  type PlaceReport,
  REPORT_KIND_LABELS,
  REPORT_KINDS,
  REPORT_STATES,
  REPORT_TEXT_MAX,
  type ReportFilter,
  type ReportState,
} from "./store.ts";

const ZONE = "Europe/Paris";
const when = (d: Date) => formatDateTime(d, ZONE);

// ——— public form

export interface ReportValues {
  quoi: string;
  texte: string;
}

export function ReportFormPage(p: {
  place: { id: string; nom: string; commune: string };
  values: ReportValues;
  csrf: string;
  problem?: string;
  sent?: boolean;
}): VNode {
  const title = `Signaler une erreur : ${p.place.nom}`;
  const action = `${placeUrl(p.place.id)}/signaler`;
  return (
    <Layout title={p.problem ? `Erreur : ${title}` : title} current="/lieux">
      <p>
        <a href={placeUrl(p.place.id)}>Retour à la fiche du lieu</a>
      </p>
      <h1>Signaler une erreur</h1>
      <p>
        Lieu : <strong>{p.place.nom}</strong> ({p.place.commune})
      </p>
      {p.sent ? (
        <Notice text="Merci : votre signalement est envoyé au coordinateur du territoire, qui vérifiera la fiche." />
      ) : null}
      <Problem text={p.problem} />
      <p>
        Votre signalement va au coordinateur du territoire de ce lieu. Il n'est pas publié. Nous ne vous
        demandons ni votre nom, ni votre adresse : n'en écrivez pas dans le message.
      </p>
      <form
        method="post"
        action={action}
        class="account-form"
        aria-describedby={p.problem ? "erreur" : undefined}
      >
        <Csrf token={p.csrf} />
        <fieldset class="diag-choices">
          <legend>Qu'est-ce qui est faux ?</legend>
          {REPORT_KINDS.map((k) => (
            <label class="diag-choice" key={k}>
              <input type="radio" name="quoi" value={k} required checked={p.values.quoi === k} />
              <span>{REPORT_KIND_LABELS[k]}</span>
            </label>
          ))}
        </fieldset>
        <div class="field">
          <label for="texte">
            Précisez (facultatif, obligatoire pour « Autre chose »)
            <span class="hint">
              {" "}
              Par exemple les bons horaires ou le bon numéro. {formatNumber(REPORT_TEXT_MAX)} caractères au
              plus.
            </span>
          </label>
          <textarea id="texte" name="texte" rows={5} maxLength={REPORT_TEXT_MAX}>
            {p.values.texte}
          </textarea>
        </div>
        {/* A field people do not see: robots that fill every field give themselves away. */}
        <div hidden>
          <label for="site">Ne remplissez pas ce champ</label>
          <input type="text" id="site" name="site" value="" autocomplete="off" tabIndex={-1} />
        </div>
        <button type="submit">Envoyer le signalement</button>
      </form>
    </Layout>
  );
}

// ——— back-office frame

const MENU = [
  { href: "/admin/signalements", label: "Signalements" },
  { href: "/admin/doublons", label: "Doublons" },
];

/** The frame of the places' back-office pages: the signed-in bar and the menu. */
export function BackOffice(props: {
  account: ComponentChildren;
  title: string;
  current: string;
  problem?: string;
  children: ComponentChildren;
}): VNode {
  return (
    <Layout title={props.problem ? `Erreur : ${props.title}` : props.title} account={props.account}>
      <nav aria-label="Lieux : suivi">
        <ul class="admin-menu">
          {MENU.map((m) => (
            <li key={m.href}>
              <a href={m.href} aria-current={props.current === m.href ? "page" : undefined}>
                {m.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {props.children}
    </Layout>
  );
}

// ——— queue of reports

const STATE_LABELS: Record<ReportState, string> = {
  nouveau: "Nouveau",
  "en cours": "En cours",
  corrigé: "Corrigé",
  rejeté: "Rejeté",
};

export const REPORT_FILTERS: { value: ReportFilter; label: string }[] = [
  { value: "à traiter", label: "À traiter (nouveaux et en cours)" },
  ...REPORT_STATES.map((s) => ({ value: s as ReportFilter, label: STATE_LABELS[s] })),
  { value: "tous", label: "Tous" },
];

const editHref = (r: PlaceReport) =>
  `/admin/lieux/${encodeURIComponent(r.placeId)}/modifier?signalement=${r.id}`;

export function ReportQueuePage(p: {
  account: ComponentChildren;
  territory: string;
  reports: PlaceReport[];
  total: number;
  filter: ReportFilter;
  page: number;
  pageSize: number;
  communeName: (code: string | null) => string;
}): VNode {
  return (
    <BackOffice account={p.account} title="Signalements" current="/admin/signalements">
      <h1>Signalements du public</h1>
      <p>Territoire : {p.territory}. Les plus anciens d'abord.</p>
      <form method="get" action="/admin/signalements" class="account-form">
        <div class="field">
          <label for="etat">État</label>
          <select id="etat" name="etat">
            {REPORT_FILTERS.map((f) => (
              <option key={f.value} value={f.value} selected={p.filter === f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Filtrer</button>
      </form>
      <p role="status">
        {formatNumber(p.total)} {p.total > 1 ? "signalements" : "signalement"}
      </p>
      {p.reports.length > 0 ? (
        <TableRegion label="signalements">
          <table>
            <caption>Signalements, les plus anciens d'abord</caption>
            <thead>
              <tr>
                <th scope="col">Reçu le</th>
                <th scope="col">Lieu</th>
                <th scope="col">Erreur signalée</th>
                <th scope="col">État</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {p.reports.map((r) => (
                <tr key={r.id}>
                  <td>{when(r.createdAt)}</td>
                  <th scope="row">
                    <a href={placeUrl(r.placeId)}>{r.placeName}</a>
                    <span class="hint"> ({p.communeName(r.communeCode)})</span>
                  </th>
                  <td>
                    {REPORT_KIND_LABELS[r.kind]}
                    {r.message ? <span class="hint"> : {r.message.slice(0, 120)}</span> : null}
                  </td>
                  <td>{STATE_LABELS[r.state]}</td>
                  <td>
                    {/* aria-label, not a visually hidden span: one positioned outside the scrolling table would widen the page. */}
                    <a href={`/admin/signalements/${r.id}`} aria-label={`Traiter le signalement n° ${r.id}`}>
                      Traiter
                    </a>
                    {r.state === "nouveau" || r.state === "en cours" ? (
                      <>
                        {" · "}
                        <a href={editHref(r)} aria-label={`Corriger la fiche de ${r.placeName}`}>
                          Corriger la fiche
                        </a>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      ) : null}
      <Pager
        path="/admin/signalements"
        params={{ etat: p.filter === "à traiter" ? undefined : p.filter }}
        page={p.page}
        total={p.total}
        pageSize={p.pageSize}
        label="Pages des signalements"
      />
    </BackOffice>
  );
}

export function ReportPage(p: {
  account: ComponentChildren;
  csrf: string;
  report: PlaceReport;
  communeName: string;
  values?: { etat: string; note: string };
  problem?: string;
  notice?: string;
}): VNode {
  const r = p.report;
  const values = p.values ?? { etat: r.state, note: r.note };
  const open = r.state === "nouveau" || r.state === "en cours";
  return (
    <BackOffice
      account={p.account}
      title={`Signalement n° ${r.id}`}
      current="/admin/signalements"
      problem={p.problem}
    >
      <p>
        <a href="/admin/signalements">Retour aux signalements</a>
      </p>
      <h1>Signalement n° {r.id}</h1>
      <Notice text={p.notice} />
      <Problem text={p.problem} />
      <dl class="facts">
        <dt>Lieu</dt>
        <dd>
          <a href={placeUrl(r.placeId)}>{r.placeName}</a> ({p.communeName})
        </dd>
        <dt>Reçu le</dt>
        <dd>{when(r.createdAt)}</dd>
        <dt>Erreur signalée</dt>
        <dd>{REPORT_KIND_LABELS[r.kind]}</dd>
        <dt>Message</dt>
        <dd>{r.message || "(aucun)"}</dd>
        <dt>État</dt>
        <dd>
          {STATE_LABELS[r.state]}
          {r.fixedByVersion !== null ? ` par la version n° ${r.fixedByVersion} de la fiche` : ""}, le{" "}
          {when(r.updatedAt)}
        </dd>
        {r.note ? (
          <>
            <dt>Note</dt>
            <dd>{r.note}</dd>
          </>
        ) : null}
      </dl>
      {open ? (
        <p>
          <a class="button" href={editHref(r)}>
            Corriger la fiche
          </a>{" "}
          <span class="hint">Le signalement sera marqué corrigé par votre modification.</span>
        </p>
      ) : null}
      <h2>Changer l'état</h2>
      <form method="post" action={`/admin/signalements/${r.id}`} class="account-form">
        <Csrf token={p.csrf} />
        <div class="field">
          <label for="etat">Nouvel état</label>
          <select id="etat" name="etat">
            {REPORT_STATES.map((s) => (
              <option key={s} value={s} selected={values.etat === s}>
                {STATE_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="note">
            Note
            <span class="hint"> (obligatoire pour rejeter : dites pourquoi ; 500 caractères au plus)</span>
          </label>
          <textarea id="note" name="note" rows={3} maxLength={500}>
            {values.note}
          </textarea>
        </div>
        <button type="submit">Enregistrer</button>
      </form>
    </BackOffice>
  );
}
