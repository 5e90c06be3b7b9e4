/** The pass numérique's pages: programmes, their dashboard, booklets, handing, redemption, statements, printing. */
import type { ComponentChildren, VNode } from "preact";
import { Pager } from "../accounts/views/admin.tsx";
import { Csrf, Notice, Problem } from "../accounts/views/signin.tsx";
import type { Day } from "../platform/clock.ts";
import { formatDay, formatNumber } from "../platform/format.ts";
import { described, Field } from "../platform/views/field.tsx";
import { Layout } from "../platform/views/layout.tsx";
import { TableRegion } from "../platform/views/table.tsx";
import { WorkFrame } from "../platform/views/work-frame.tsx";
import { displayCode } from "./code.ts";
import type { Funnel } from "./dashboard.ts";
import {
  AGE_BRACKET_LABELS,
  AGE_BRACKETS,
  CHEQUE_STATE_LABELS,
  type ChequeView,
  euros,
  LIMITS,
  type Programme,
  PUBLIC_LABELS,
  PUBLICS,
} from "./model.ts";
import type { Booklet, Statement } from "./store.ts";

const day = (d: Day | null) => (d ? formatDay(d, { year: true, weekday: false }) : "—");
const n = (x: number) => formatNumber(x);

/** What every pass page carries: the signed-in header, the form token, what the actor may do. */
export interface PassNav {
  csrf: string;
  account: ComponentChildren;
  /** Links of the pass menu this actor may follow. */
  links: { href: string; label: string }[];
  organisationName: (id: number) => string;
}

function Frame(p: {
  nav: PassNav;
  title: string;
  current: string;
  problem?: string;
  children: ComponentChildren;
}) {
  return <WorkFrame space="Pass numérique" {...p} />;
}

// ——— the list of programmes

export function ProgrammesPage(p: {
  nav: PassNav;
  programmes: Programme[];
  territoryName: (id: string) => string;
  canCreate: boolean;
  notice?: string;
}): VNode {
  return (
    <Frame nav={p.nav} title="Pass numérique" current="/pass">
      <h1>Pass numérique</h1>
      <Notice text={p.notice} />
      <p>
        Un pass numérique est un carnet de chèques qui paient des ateliers numériques dans les lieux
        habilités. Un chèque paie un atelier, il est valable un temps limité après sa remise.
      </p>
      {p.canCreate ? (
        <p>
          <a class="button" href="/pass/programmes/nouveau">
            Créer un programme
          </a>
        </p>
      ) : null}
      <h2>Programmes</h2>
      {p.programmes.length === 0 ? (
        <p>Aucun programme ne vous concerne pour l'instant.</p>
      ) : (
        <ul class="plain-list">
          {p.programmes.map((x) => (
            <li key={x.id}>
              <a href={`/pass/programmes/${x.id}`}>{x.name}</a> — {p.territoryName(x.territoryId)}, chèques de{" "}
              {euros(x.faceValueCents)}, carnets de {x.bookletSize}, remise jusqu'au {day(x.lastDate)}
            </li>
          ))}
        </ul>
      )}
    </Frame>
  );
}

// ——— a new programme

export interface ProgrammeValues {
  nom: string;
  territoire: string;
  publics: string[];
  valeur: string;
  carnet: string;
  validite: string;
  date_limite: string;
  grace: string;
  budget: string;
  lieux: string[];
}

export function NewProgrammePage(p: {
  nav: PassNav;
  values: ProgrammeValues;
  errors: Partial<Record<keyof ProgrammeValues, string>>;
  places: { id: number; name: string }[];
  problem?: string;
}): VNode {
  const v = p.values;
  const e = p.errors;
  const text = (
    id: keyof ProgrammeValues,
    label: string,
    hint: string,
    props: Record<string, unknown> = {},
  ) => (
    <Field id={id} label={label} hint={hint} error={e[id]}>
      <input
        id={id}
        name={id}
        value={v[id] as string}
        aria-describedby={described(id, true, Boolean(e[id]))}
        aria-invalid={e[id] ? "true" : undefined}
        {...props}
      />
    </Field>
  );
  return (
    <Frame nav={p.nav} title="Créer un programme de pass numérique" current="/pass" problem={p.problem}>
      <h1>Créer un programme de pass numérique</h1>
      <Problem text={p.problem} />
      <form method="post" action="/pass/programmes/nouveau" class="account-form" novalidate>
        <Csrf token={p.nav.csrf} />
        {text("nom", "Nom du programme", "Par exemple : Pass numérique Creuse 2027.", {
          maxLength: 200,
          required: true,
        })}
        {text(
          "territoire",
          "Territoire",
          "Le nom ou le code du département, de l'intercommunalité ou de la commune.",
          {
            maxLength: 100,
            required: true,
          },
        )}
        <fieldset class={e.publics ? "field-error" : undefined}>
          <legend>Publics visés</legend>
          {e.publics ? <p class="error">{e.publics}</p> : null}
          {PUBLICS.map((x) => (
            <div key={x} class="check">
              <input
                type="checkbox"
                id={`public-${x}`}
                name="publics"
                value={x}
                checked={v.publics.includes(x)}
              />
              <label for={`public-${x}`}>{PUBLIC_LABELS[x]}</label>
            </div>
          ))}
        </fieldset>
        {text("valeur", "Valeur d'un chèque, en euros", "Souvent 10 €.", {
          inputMode: "decimal",
          maxLength: 12,
        })}
        <fieldset class={e.carnet ? "field-error" : undefined}>
          <legend>Chèques par carnet</legend>
          {e.carnet ? <p class="error">{e.carnet}</p> : null}
          {["10", "5"].map((x) => (
            <div key={x} class="check">
              <input type="radio" id={`carnet-${x}`} name="carnet" value={x} checked={v.carnet === x} />
              <label for={`carnet-${x}`}>{x} chèques</label>
            </div>
          ))}
        </fieldset>
        {text(
          "validite",
          "Validité d'un chèque après sa remise, en mois",
          `Souvent 12 mois. De ${LIMITS.validityMonths.min} à ${LIMITS.validityMonths.max}.`,
          { inputMode: "numeric", maxLength: 3 },
        )}
        {text(
          "date_limite",
          "Date limite",
          "Dernier jour pour remettre un carnet et utiliser un chèque, au format AAAA-MM-JJ (par exemple 2027-12-31). Les carnets non remis à cette date sont annulés et remboursés au financeur.",
          { maxLength: 10 },
        )}
        {text(
          "grace",
          "Délai pour déclarer un atelier après la fin de validité, en jours",
          "Un atelier fait pendant la validité du chèque peut encore être enregistré pendant ce délai. Par exemple 59 jours : jusqu'au 28 février pour une validité au 31 décembre.",
          { inputMode: "numeric", maxLength: 3 },
        )}
        {text("budget", "Budget, en euros", "Le total des carnets commandés ne peut pas le dépasser.", {
          inputMode: "decimal",
          maxLength: 16,
        })}
        <fieldset class={e.lieux ? "field-error" : undefined}>
          <legend>Lieux habilités à encaisser les chèques</legend>
          {e.lieux ? <p class="error">{e.lieux}</p> : null}
          {p.places.length === 0 ? (
            <p>
              Aucune structure de médiation n'est enregistrée sur ce territoire : vous pourrez en ajouter plus
              tard.
            </p>
          ) : (
            p.places.map((o) => (
              <div key={o.id} class="check">
                <input
                  type="checkbox"
                  id={`lieu-${o.id}`}
                  name="lieux"
                  value={String(o.id)}
                  checked={v.lieux.includes(String(o.id))}
                />
                <label for={`lieu-${o.id}`}>{o.name}</label>
              </div>
            ))
          )}
        </fieldset>
        <button type="submit">Créer le programme</button>
      </form>
    </Frame>
  );
}

// ——— a programme: its dashboard and its forms

export function ProgrammePage(p: {
  nav: PassNav;
  programme: Programme;
  territoryName: string;
  funnel: Funnel;
  booklets: Booklet[];
  bookletTotal: number;
  page: number;
  pageSize: number;
  canOrder: boolean;
  canAllocate: boolean;
  prescribers: { id: number; name: string }[];
  ordered?: { count: number; first: string; last: string };
  notice?: string;
  problem?: string;
  values?: { nombre?: string; organisation?: string; carnets?: string };
}): VNode {
  const x = p.programme;
  const f = p.funnel;
  const pct = (a: number, b: number) => (b > 0 ? `${formatNumber((100 * a) / b, 0)} %` : "—");
  return (
    <Frame nav={p.nav} title={x.name} current="/pass" problem={p.problem}>
      <h1>{x.name}</h1>
      <Problem text={p.problem} />
      <Notice text={p.notice} />
      <p>
        {p.territoryName} · financé par {p.nav.organisationName(x.organisationId)} · chèques de{" "}
        {euros(x.faceValueCents)} en carnets de {x.bookletSize} · valables {x.validityMonths} mois après la
        remise, jusqu'au {day(x.lastDate)} au plus tard · ateliers déclarés jusqu'à {x.graceDays} jours après
        · budget {euros(x.budgetCents)}.
      </p>
      <p>
        <a href={`/pass/releves?programme=${x.id}`}>Relevés mensuels et paiements</a>
        {" · "}
        Télécharger le tableau de bord : <a href={`/pass/programmes/${x.id}/export.csv`}>CSV</a>,{" "}
        <a href={`/pass/programmes/${x.id}/export.xlsx`}>tableur (XLSX)</a>
      </p>
      <h2>Où en sont les chèques ?</h2>
      <TableRegion label="Du carnet commandé au carnet entièrement utilisé">
        <table class="data">
          <caption>Du carnet commandé au carnet entièrement utilisé</caption>
          <thead>
            <tr>
              <th scope="col">Étape</th>
              <th scope="col">Carnets</th>
              <th scope="col">Part des carnets commandés</th>
            </tr>
          </thead>
          <tbody>
            {(
              [
                ["Commandés", f.ordered],
                ["Attribués à un prescripteur", f.allocated],
                ["Remis à un bénéficiaire", f.handed],
                ["Premier chèque utilisé", f.firstUsed],
                ["Carnet entièrement utilisé", f.completed],
                ["Annulés (non remis à la date limite)", f.cancelled],
              ] as const
            ).map(([label, v]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>{n(v)}</td>
                <td>{pct(v, f.ordered)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      <ul>
        <li>
          Chèques encaissés : {n(f.redeemedCheques)} ({euros(f.redeemedCents)}), expirés :{" "}
          {n(f.expiredCheques)}.
        </li>
        <li>
          Délai médian entre la remise et le premier atelier :{" "}
          {f.medianDaysToFirstUse === null ? "pas encore mesurable" : `${n(f.medianDaysToFirstUse)} jours`}.
        </li>
        <li>
          Bénéficiaires sans lieu habilité à moins de 15 km de leur commune :{" "}
          {f.farShare === null ? "aucun carnet remis" : `${formatNumber(100 * f.farShare, 0)} %`} (distance
          par la route estimée depuis le centre de la commune).
        </li>
        <li>Carnets attribués qui dorment chez un prescripteur depuis plus de 30 jours : {n(f.sleeping)}.</li>
        <li>Carnets remis dont aucun chèque n'a servi après 8 semaines : {n(f.unusedAfter8Weeks)}.</li>
      </ul>
      <CountTable
        caption="Par prescripteur"
        columns={["Prescripteur", "Attribués", "Remis", "Premier chèque utilisé"]}
        rows={f.byPrescriber.map((r) => ({
          key: p.nav.organisationName(r.organisationId),
          cells: [r.allocated, r.handed, r.firstUsed],
        }))}
      />
      <CountTable
        caption="Par lieu habilité"
        columns={["Lieu", "Chèques encaissés"]}
        rows={f.byPlace.map((r) => ({ key: p.nav.organisationName(r.organisationId), cells: [r.redeemed] }))}
      />
      <CountTable
        caption="Par commune des bénéficiaires (les nombres inférieurs à 5 ne sont pas affichés)"
        columns={["Commune", "Carnets remis", "Premier chèque utilisé"]}
        rows={f.byCommune.map((r) => ({ key: r.commune, cells: [r.handed, r.firstUsed] }))}
      />
      <CountTable
        caption="Mois par mois"
        columns={["Mois", "Carnets remis", "Chèques encaissés"]}
        rows={f.byMonth.map((r) => ({ key: r.month, cells: [r.handed, r.redeemed] }))}
      />
      {p.canOrder ? (
        <section aria-labelledby="commander">
          <h2 id="commander">Commander des carnets</h2>
          {p.ordered ? (
            <p>
              {n(p.ordered.count)} carnet(s) commandé(s), du {p.ordered.first} au {p.ordered.last}.{" "}
              <a href={`/pass/programmes/${x.id}/impression?de=${p.ordered.first}&a=${p.ordered.last}`}>
                Imprimer ces carnets
              </a>
            </p>
          ) : null}
          <form method="post" action={`/pass/programmes/${x.id}/carnets`} class="account-form">
            <Csrf token={p.nav.csrf} />
            <Field
              id="nombre"
              label="Nombre de carnets"
              hint={`De ${LIMITS.order.min} à ${n(LIMITS.order.max)}.`}
            >
              <input
                id="nombre"
                name="nombre"
                inputMode="numeric"
                maxLength={5}
                value={p.values?.nombre ?? ""}
                aria-describedby="nombre-aide"
              />
            </Field>
            <button type="submit">Commander</button>
          </form>
        </section>
      ) : null}
      {p.canAllocate ? (
        <section aria-labelledby="attribuer">
          <h2 id="attribuer">Attribuer des carnets à un prescripteur</h2>
          {p.prescribers.length === 0 ? (
            <p>Aucune structure prescriptrice n'est enregistrée sur ce territoire.</p>
          ) : (
            <form method="post" action={`/pass/programmes/${x.id}/attribution`} class="account-form">
              <Csrf token={p.nav.csrf} />
              <Field id="organisation" label="Prescripteur">
                <select id="organisation" name="organisation">
                  {p.prescribers.map((o) => (
                    <option
                      key={o.id}
                      value={String(o.id)}
                      selected={p.values?.organisation === String(o.id)}
                    >
                      {o.name}
                    </option>
                  ))}
                </select>
              </Field>
              <Field
                id="carnets"
                label="Nombre de carnets"
                hint="Les premiers carnets non attribués, dans l'ordre des numéros."
              >
                <input
                  id="carnets"
                  name="carnets"
                  inputMode="numeric"
                  maxLength={5}
                  value={p.values?.carnets ?? ""}
                  aria-describedby="carnets-aide"
                />
              </Field>
              <button type="submit">Attribuer</button>
            </form>
          )}
        </section>
      ) : null}
      <h2>Carnets</h2>
      <BookletTable booklets={p.booklets} name={p.nav.organisationName} />
      <Pager
        path={`/pass/programmes/${x.id}`}
        params={{}}
        page={p.page}
        total={p.bookletTotal}
        pageSize={p.pageSize}
        label="Pages des carnets"
      />
    </Frame>
  );
}

/** Counts below 5 are not shown (as in the diagnostic's statistics): a commune with 2 beneficiaries names them. */
const small = (v: number | null) => (v === null ? "moins de 5" : n(v));

/** One breakdown of the dashboard: a row header, then counts (null: fewer than 5, not shown). */
function CountTable(p: {
  caption: string;
  columns: string[];
  rows: { key: string; cells: (number | null)[] }[];
}) {
  if (p.rows.length === 0) return null;
  return (
    <TableRegion label={p.caption}>
      <table class="data">
        <caption>{p.caption}</caption>
        <thead>
          <tr>
            {p.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.key}</th>
              {r.cells.map((v, i) => (
                <td key={i}>{small(v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

const BOOKLET_STATE_LABELS: Record<Booklet["state"], string> = {
  commande: "Commandé",
  attribue: "Attribué",
  remis: "Remis",
  annule: "Annulé",
};

function BookletTable(p: { booklets: Booklet[]; name: (id: number) => string }) {
  if (p.booklets.length === 0) return <p>Aucun carnet.</p>;
  return (
    <TableRegion label="Carnets, par numéro">
      <table class="data">
        <caption>Carnets, par numéro</caption>
        <thead>
          <tr>
            <th scope="col">Numéro</th>
            <th scope="col">État</th>
            <th scope="col">Prescripteur</th>
            <th scope="col">Remis le</th>
          </tr>
        </thead>
        <tbody>
          {p.booklets.map((b) => (
            <tr key={b.serial}>
              <th scope="row">
                <a href={`/pass/carnets/${b.serial}`}>{b.serial}</a>
              </th>
              <td>{BOOKLET_STATE_LABELS[b.state]}</td>
              <td>{b.allocatedTo === null ? "—" : p.name(b.allocatedTo)}</td>
              <td>{day(b.handedOn)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

// ——— a booklet and its handing

export interface HandingValues {
  commune: string;
  tranche: string;
  beneficiaire: string;
  diagnostic: string;
}

export function BookletPage(p: {
  nav: PassNav;
  booklet: Booklet;
  programme: Programme;
  canHand: boolean;
  communeName: (code: string) => string;
  values: HandingValues;
  errors: Partial<Record<keyof HandingValues, string>>;
  notice?: string;
  problem?: string;
}): VNode {
  const b = p.booklet;
  const v = p.values;
  const e = p.errors;
  return (
    <Frame nav={p.nav} title={`Carnet ${b.serial}`} current="/pass/remettre" problem={p.problem}>
      <h1>Carnet {b.serial}</h1>
      <Problem text={p.problem} />
      <Notice text={p.notice} />
      <p>
        Programme <a href={`/pass/programmes/${p.programme.id}`}>{p.programme.name}</a> · {b.cheques.length}{" "}
        chèques de {euros(p.programme.faceValueCents)} · {BOOKLET_STATE_LABELS[b.state].toLowerCase()}
        {b.allocatedTo !== null ? ` à ${p.nav.organisationName(b.allocatedTo)}` : ""}.
      </p>
      {b.state === "remis" ? (
        <p>
          Remis le {day(b.handedOn)} à un bénéficiaire de {p.communeName(b.communeCode ?? "")}
          {b.beneficiary ? ` (numéro ${b.beneficiary})` : ""}. Chèques valables jusqu'au {day(b.validUntil)}.
        </p>
      ) : null}
      <TableRegion label="Chèques du carnet">
        <table class="data">
          <caption>Chèques du carnet</caption>
          <thead>
            <tr>
              <th scope="col">Chèque</th>
              <th scope="col">État</th>
            </tr>
          </thead>
          <tbody>
            {b.cheques.map((c) => (
              <tr key={c.code}>
                <th scope="row">n° {c.rank}</th>
                <td>
                  {CHEQUE_STATE_LABELS[c.state]}
                  {c.redeemedOn ? ` le ${day(c.redeemedOn)}` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      {b.state === "remis" ? (
        <p>
          <a href={`/pass/carnets/${b.serial}/rappel`}>Imprimer une lettre de rappel pour le bénéficiaire</a>
        </p>
      ) : null}
      {p.canHand ? (
        <section aria-labelledby="remettre">
          <h2 id="remettre">Remettre ce carnet à un bénéficiaire</h2>
          <p>
            Maillage n'enregistre pas le nom de la personne : seulement sa commune, sa tranche d'âge si elle
            veut la donner, et votre propre numéro de dossier si vous en avez un.
          </p>
          <form method="post" action={`/pass/carnets/${b.serial}/remise`} class="account-form" novalidate>
            <Csrf token={p.nav.csrf} />
            <Field
              id="commune"
              label="Commune du bénéficiaire"
              hint="Son nom ou son code postal."
              error={e.commune}
            >
              <input
                id="commune"
                name="commune"
                value={v.commune}
                maxLength={100}
                required
                aria-describedby={described("commune", true, Boolean(e.commune))}
                aria-invalid={e.commune ? "true" : undefined}
              />
            </Field>
            <Field id="tranche" label="Tranche d'âge (facultatif)" error={e.tranche}>
              <select id="tranche" name="tranche">
                <option value="">Non précisée</option>
                {AGE_BRACKETS.map((a) => (
                  <option key={a} value={a} selected={v.tranche === a}>
                    {AGE_BRACKET_LABELS[a]}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              id="beneficiaire"
              label="Votre numéro de dossier (facultatif)"
              hint="Jamais un nom : un numéro qui ne dit rien à personne d'autre que vous."
              error={e.beneficiaire}
            >
              <input
                id="beneficiaire"
                name="beneficiaire"
                value={v.beneficiaire}
                maxLength={30}
                aria-describedby={described("beneficiaire", true, Boolean(e.beneficiaire))}
              />
            </Field>
            <Field
              id="diagnostic"
              label="Numéro du diagnostic (facultatif)"
              hint="Le numéro affiché à la fin du diagnostic fait avec la personne."
              error={e.diagnostic}
            >
              <input
                id="diagnostic"
                name="diagnostic"
                value={v.diagnostic}
                inputMode="numeric"
                maxLength={9}
                aria-describedby={described("diagnostic", true, Boolean(e.diagnostic))}
              />
            </Field>
            <button type="submit">Enregistrer la remise</button>
          </form>
        </section>
      ) : null}
    </Frame>
  );
}

export function HandPage(p: {
  nav: PassNav;
  booklets: Booklet[];
  programmeName: (id: number) => string;
  diagnostic?: string;
}): VNode {
  return (
    <Frame nav={p.nav} title="Remettre un carnet" current="/pass/remettre">
      <h1>Remettre un carnet</h1>
      {p.diagnostic ? (
        <p>
          Diagnostic n° {p.diagnostic} : choisissez le carnet que vous donnez à la personne, son numéro de
          diagnostic sera enregistré avec la remise.
        </p>
      ) : null}
      {p.booklets.length === 0 ? (
        <p>Votre structure n'a aucun carnet à remettre : demandez-en au coordinateur du territoire.</p>
      ) : (
        <TableRegion label="Carnets attribués à votre structure, pas encore remis">
          <table class="data">
            <caption>Carnets attribués à votre structure, pas encore remis</caption>
            <thead>
              <tr>
                <th scope="col">Numéro</th>
                <th scope="col">Programme</th>
              </tr>
            </thead>
            <tbody>
              {p.booklets.map((b) => (
                <tr key={b.serial}>
                  <th scope="row">
                    <a href={`/pass/carnets/${b.serial}${p.diagnostic ? `?diagnostic=${p.diagnostic}` : ""}`}>
                      {b.serial}
                    </a>
                  </th>
                  <td>{p.programmeName(b.programmeId)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </Frame>
  );
}

// ——— redeeming a cheque

export function RedeemPage(p: {
  nav: PassNav;
  code: string;
  cheque: ChequeView | null;
  /** Why it cannot be redeemed here (null: it can). */
  refusal: string | null;
  today: Day;
  values: { atelier: string; duree: string };
  problem?: string;
  done?: boolean;
}): VNode {
  const c = p.cheque;
  return (
    <Frame nav={p.nav} title="Encaisser un chèque" current="/pass/encaisser" problem={p.problem}>
      <h1>Encaisser un chèque</h1>
      <Problem text={p.problem} />
      {p.done && c ? (
        <div class="notice" role="status">
          <p>
            Le chèque {displayCode(c.code)} est encaissé : {euros(c.faceValueCents)} pour votre structure. Il
            apparaîtra sur le relevé du mois.
          </p>
        </div>
      ) : null}
      <form method="get" action="/pass/encaisser" class="account-form">
        <Field
          id="code"
          label="Code du chèque"
          hint="10 caractères, écrits sous le QR code. Les espaces et les tirets ne comptent pas."
        >
          <input
            id="code"
            name="code"
            value={p.code}
            maxLength={20}
            autoComplete="off"
            autoCapitalize="characters"
            spellcheck={false}
            aria-describedby="code-aide"
          />
        </Field>
        <button type="submit">Vérifier le chèque</button>
      </form>
      {c && !p.done ? (
        <section aria-labelledby="cheque">
          <h2 id="cheque">Chèque {displayCode(c.code)}</h2>
          <p>
            Programme « {c.programmeName} » · valeur {euros(c.faceValueCents)} ·{" "}
            {CHEQUE_STATE_LABELS[c.state]}
            {c.validUntil ? ` · valable jusqu'au ${day(c.validUntil)}` : ""}.
          </p>
          {p.refusal ? (
            <p class="account-error" role="alert">
              {p.refusal}
            </p>
          ) : (
            <form method="post" action={`/pass/encaisser/${c.code}`} class="account-form">
              <Csrf token={p.nav.csrf} />
              <Field
                id="atelier"
                label="Date de l'atelier"
                hint="Au format AAAA-MM-JJ ; aujourd'hui par défaut."
              >
                <input
                  id="atelier"
                  name="atelier"
                  value={p.values.atelier || p.today}
                  maxLength={10}
                  aria-describedby="atelier-aide"
                />
              </Field>
              <Field
                id="duree"
                label="Durée de l'atelier, en minutes"
                hint={`Un chèque paie un atelier de ${LIMITS.workshopMinutes.max / 60} heures au plus.`}
              >
                <input
                  id="duree"
                  name="duree"
                  value={p.values.duree || "60"}
                  inputMode="numeric"
                  maxLength={3}
                  aria-describedby="duree-aide"
                />
              </Field>
              <button type="submit">Encaisser ce chèque ({euros(c.faceValueCents)})</button>
            </form>
          )}
        </section>
      ) : null}
    </Frame>
  );
}

// ——— statements

export function StatementsPage(p: {
  nav: PassNav;
  statements: Statement[];
  canPay: (s: Statement) => boolean;
  notice?: string;
}): VNode {
  const total = p.statements.reduce((a, s) => a + s.cents, 0);
  return (
    <Frame nav={p.nav} title="Relevés mensuels" current="/pass/releves">
      <h1>Relevés mensuels</h1>
      <Notice text={p.notice} />
      <p>
        Chaque mois terminé, un relevé par lieu et par programme compte les chèques encaissés ce mois-là. Le
        financeur le marque payé quand il a versé la somme.
      </p>
      {p.statements.length === 0 ? (
        <p>Aucun relevé pour l'instant.</p>
      ) : (
        <TableRegion label="Relevés, du plus récent au plus ancien">
          <table class="data">
            <caption>Relevés, du plus récent au plus ancien (total {euros(total)})</caption>
            <thead>
              <tr>
                <th scope="col">Mois</th>
                <th scope="col">Programme</th>
                <th scope="col">Lieu</th>
                <th scope="col">Chèques</th>
                <th scope="col">Montant</th>
                <th scope="col">Paiement</th>
              </tr>
            </thead>
            <tbody>
              {p.statements.map((s) => (
                <tr key={s.id}>
                  <th scope="row">{s.month}</th>
                  <td>{s.programmeName}</td>
                  <td>{p.nav.organisationName(s.organisationId)}</td>
                  <td>{n(s.cheques)}</td>
                  <td>{euros(s.cents)}</td>
                  <td>
                    {s.paidAt ? (
                      "Payé"
                    ) : p.canPay(s) ? (
                      <form method="post" action={`/pass/releves/${s.id}/paye`}>
                        <Csrf token={p.nav.csrf} />
                        <button type="submit">Marquer payé</button>
                      </form>
                    ) : (
                      "À payer"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </Frame>
  );
}

// ——— printing

/** The printable booklets (A4, two cheques per row, cut marks), each cheque with its code and QR code. */
export function PrintPage(p: {
  programme: Programme;
  booklets: { serial: string; cheques: { code: string; rank: number; qr: string }[] }[];
  financeur: string;
}): VNode {
  return (
    <Layout title={`Carnets à imprimer — ${p.programme.name}`}>
      <div class="pass-print">
        <h1 class="no-print">Carnets à imprimer — {p.programme.name}</h1>
        <p class="no-print">
          Imprimez cette page sur du papier A4 (Ctrl + P), puis découpez les chèques le long des pointillés.
        </p>
        {p.booklets.map((b) => (
          <section key={b.serial} class="pass-booklet" aria-label={`Carnet ${b.serial}`}>
            <h2>
              Carnet {b.serial} — {p.programme.name}
            </h2>
            <div class="pass-cheques">
              {b.cheques.map((c) => (
                <div key={c.code} class="pass-cheque">
                  <p class="pass-cheque-title">
                    Pass numérique · {euros(p.programme.faceValueCents)} · chèque {c.rank}/{b.cheques.length}
                  </p>
                  <div class="pass-qr" dangerouslySetInnerHTML={{ __html: c.qr }} />
                  <p class="pass-code">{displayCode(c.code)}</p>
                  <p class="pass-cheque-text">
                    Un chèque = un atelier numérique de 2 heures au plus, dans un lieu habilité. Valable un
                    temps limité après la remise du carnet. Financé par {p.financeur}.
                  </p>
                </div>
              ))}
            </div>
          </section>
        ))}
      </div>
    </Layout>
  );
}

/** A letter the prescriber prints and gives or posts to a beneficiary whose booklet is unused. */
export function ReminderPage(p: {
  booklet: Booklet;
  programme: Programme;
  prescriber: string;
  places: { name: string; address: string; href: string }[];
  unused: number;
}): VNode {
  return (
    <Layout title={`Lettre de rappel — carnet ${p.booklet.serial}`}>
      <div class="pass-print">
        <h1 class="no-print">Lettre de rappel — carnet {p.booklet.serial}</h1>
        <p class="no-print">Imprimez cette lettre (Ctrl + P) et remettez-la ou envoyez-la à la personne.</p>
        <p>{p.prescriber}</p>
        <p>Madame, Monsieur,</p>
        <p>
          Le {day(p.booklet.handedOn)}, nous vous avons remis un carnet de pass numérique (numéro{" "}
          {p.booklet.serial}). Il vous reste {n(p.unused)} chèque(s) de {euros(p.programme.faceValueCents)}.
          Chaque chèque paie un atelier pour apprendre à utiliser un ordinateur, un téléphone ou une tablette,
          ou pour faire une démarche en ligne avec quelqu'un.
        </p>
        <p>
          <strong>Vos chèques sont valables jusqu'au {day(p.booklet.validUntil)}.</strong> Après, ils ne
          pourront plus servir.
        </p>
        {p.places.length > 0 ? (
          <>
            <p>Vous pouvez les utiliser ici :</p>
            <ul>
              {p.places.map((x) => (
                <li key={x.href}>
                  {x.name}, {x.address}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <p>Si vous avez une question, vous pouvez nous appeler ou passer nous voir.</p>
      </div>
    </Layout>
  );
}
