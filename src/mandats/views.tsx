/**
 * The mandates' pages: the aidants' list, the new mandate (form, draft, attestation), a mandate (uses, revocation,
 * transfer), the printable attestations, the coordinators' habilitations, and the public pages (verification, the
 * person's view).
 */
import type { ComponentChildren, VNode } from "preact";
import { Pager } from "../accounts/views/admin.tsx";
import { Csrf, Notice, Problem } from "../accounts/views/signin.tsx";
import { displayCode } from "../pass/code.ts";
import { dayIn } from "../platform/clock.ts";
import { formatDateTime, formatDay, formatNumber } from "../platform/format.ts";
import { described, Field } from "../platform/views/field.tsx";
import { Layout } from "../platform/views/layout.tsx";
import { TableRegion } from "../platform/views/table.tsx";
import { WorkFrame } from "../platform/views/work-frame.tsx";
import {
  ARGENT_WARNING,
  type AuthorisationState,
  authorisationState,
  CHARTERS,
  CHECKLIST,
  CURRENT_CHARTER,
  DEMARCHE_INFO,
  DEMARCHES,
  type Demarche,
  DOCUMENT_KINDS,
  DOCUMENT_LABELS,
  DURATION_LABELS,
  DURATIONS,
  displayHash,
  type MandatField,
  type MandatInput,
  STATE_LABELS,
  templateOf,
} from "./model.ts";
import type { Habilitation, Mandat, Request, Revocation, Use } from "./store.ts";

const day = (d: string) => formatDay(d, { year: true, weekday: false });
const dateOf = (instant: Date, zone: string) =>
  formatDay(dayIn(instant, zone), { year: true, weekday: false });
const longDate = (instant: Date, zone: string) => formatDay(dayIn(instant, zone), { year: true });
const fullName = (m: Mandat) => `${m.mandant.givenNames} ${m.mandant.familyName}`;

/** What every aidant or coordinator page carries: the signed-in header, the form token, the menu. */
export interface MandatNav {
  csrf: string;
  account: ComponentChildren;
  links: { href: string; label: string }[];
}

function Frame(p: {
  nav: MandatNav;
  title: string;
  current: string;
  problem?: string;
  children: ComponentChildren;
}) {
  return <WorkFrame space="Mandats" {...p} />;
}

/** The state of a mandate at `now`, one word: en cours while one family runs. */
function mandatState(m: Mandat, now: Date): AuthorisationState {
  const states = m.families.map((f) => authorisationState(f, m.expiresAt, now));
  if (states.includes("active")) return "active";
  return states.includes("expiree") && now >= m.expiresAt ? "expiree" : "revoquee";
}

const Families = ({ m, now }: { m: Mandat; now: Date }) => (
  <ul class="plain-list">
    {m.families.map((f) => (
      <li key={f.demarche}>
        {DEMARCHE_INFO[f.demarche].title} :{" "}
        <strong>{STATE_LABELS[authorisationState(f, m.expiresAt, now)]}</strong>
      </li>
    ))}
  </ul>
);

// ——— the aidant's list

export function MandatsPage(p: {
  nav: MandatNav;
  organisation: string;
  habilitated: boolean;
  hasSecondFactor: boolean;
  mandats: Mandat[];
  total: number;
  page: number;
  pageSize: number;
  q: string;
  running: boolean;
  endingSoon: Mandat[];
  requests: (Request & { mandat: Mandat | null })[];
  now: Date;
  notice?: string;
}): VNode {
  return (
    <Frame nav={p.nav} title="Mandats" current="/mandats">
      <h1>Mandats de {p.organisation}</h1>
      <Notice text={p.notice} />
      {!p.habilitated ? (
        <p class="account-error">
          Vous n'êtes pas aidant habilité de cette organisation : vous pouvez consulter les mandats, mais ni
          en créer ni agir avec. Demandez votre habilitation au coordinateur de votre territoire.
        </p>
      ) : !p.hasSecondFactor ? (
        <p class="account-error">
          Activez la vérification en deux étapes (<a href="/mon-compte/second-facteur">sur votre compte</a>)
          pour créer des mandats et agir avec.
        </p>
      ) : (
        <p>
          <a class="button" href="/mandats/nouveau">
            Nouveau mandat
          </a>
        </p>
      )}
      {p.requests.length > 0 ? (
        <section aria-labelledby="demandes">
          <h2 id="demandes">Demandes de révocation à traiter ({formatNumber(p.requests.length)})</h2>
          <ul class="plain-list">
            {p.requests.map((r) => (
              <li key={r.id}>
                Le {dateOf(r.askedAt, r.mandat?.zone ?? "Europe/Paris")},{" "}
                {r.mandat ? (
                  <a href={`/mandats/${r.mandatId}/revocation?demande=${r.id}`}>{fullName(r.mandat)}</a>
                ) : null}{" "}
                demande la révocation de : {r.demarches.map((d) => DEMARCHE_INFO[d].title).join(", ")}
                {r.message ? ` — « ${r.message} »` : ""}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {p.endingSoon.length > 0 ? (
        <section aria-labelledby="rappels">
          <h2 id="rappels">Mandats qui finissent dans moins de 30 jours</h2>
          <p>Proposez à ces personnes de renouveler leur mandat si elles en ont encore besoin.</p>
          <ul class="plain-list">
            {p.endingSoon.map((m) => (
              <li key={m.id}>
                <a href={`/mandats/${m.id}`}>{fullName(m)}</a> — fin le {dateOf(m.expiresAt, m.zone)} (
                <a href={`/mandats/nouveau?renouvelle=${m.id}`}>renouveler</a>)
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <h2>Tous les mandats</h2>
      <form method="get" action="/mandats" class="form-row">
        <div class="field">
          <label for="q">Nom de la personne</label>
          <input id="q" name="q" value={p.q} maxLength={100} autocomplete="off" />
        </div>
        <div class="field checkbox">
          <input id="en-cours" type="checkbox" name="en_cours" value="1" checked={p.running} />
          <label for="en-cours">En cours seulement</label>
        </div>
        <button type="submit">Chercher</button>
      </form>
      {p.mandats.length === 0 ? (
        <p>Aucun mandat ne correspond.</p>
      ) : (
        <TableRegion label="Mandats">
          <table>
            <caption>
              {formatNumber(p.total)} mandat{p.total > 1 ? "s" : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">Personne</th>
                <th scope="col">Démarches</th>
                <th scope="col">Signé le</th>
                <th scope="col">Fin</th>
                <th scope="col">État</th>
              </tr>
            </thead>
            <tbody>
              {p.mandats.map((m) => (
                <tr key={m.id}>
                  <th scope="row">
                    <a href={`/mandats/${m.id}`}>{fullName(m)}</a>
                  </th>
                  <td>{m.families.map((f) => DEMARCHE_INFO[f.demarche].title.split(" - ")[0]).join(", ")}</td>
                  <td>{dateOf(m.createdAt, m.zone)}</td>
                  <td>{dateOf(m.expiresAt, m.zone)}</td>
                  <td>{STATE_LABELS[mandatState(m, p.now)]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <Pager
        path="/mandats"
        params={{ q: p.q || undefined, en_cours: p.running ? "1" : undefined }}
        page={p.page}
        total={p.total}
        pageSize={p.pageSize}
        label="Pages des mandats"
      />
    </Frame>
  );
}

// ——— the new mandate

export const emptyInput = (): MandatInput => ({
  demarches: [],
  duration: "",
  givenNames: "",
  familyName: "",
  birthDate: "",
  birthPlace: "",
  document: "",
  contact: "",
  checklist: [],
});

function Hidden({ input, renews }: { input: MandatInput; renews?: number }) {
  return (
    <>
      {input.demarches.map((d) => (
        <input key={d} type="hidden" name="demarches" value={d} />
      ))}
      {input.checklist.map((c) => (
        <input key={c} type="hidden" name="verifications" value={c} />
      ))}
      <input type="hidden" name="duree" value={input.duration} />
      <input type="hidden" name="prenoms" value={input.givenNames} />
      <input type="hidden" name="nom" value={input.familyName} />
      <input type="hidden" name="date_naissance" value={input.birthDate} />
      <input type="hidden" name="lieu_naissance" value={input.birthPlace} />
      <input type="hidden" name="piece" value={input.document} />
      <input type="hidden" name="contact" value={input.contact} />
      {renews ? <input type="hidden" name="renouvelle" value={String(renews)} /> : null}
    </>
  );
}

export function NewMandatPage(p: {
  nav: MandatNav;
  organisation: string;
  allowed: Demarche[];
  input: MandatInput;
  errors: Partial<Record<MandatField, string>>;
  renews?: Mandat;
  problem?: string;
}): VNode {
  const e = p.errors;
  const title = p.renews ? "Renouveler un mandat" : "Nouveau mandat";
  return (
    <Frame nav={p.nav} title={title} current="/mandats/nouveau" problem={p.problem}>
      <h1>{title}</h1>
      <Problem text={p.problem} />
      <p>
        Le mandat est signé entre la personne et {p.organisation}. Remplissez-le avec la personne, en face
        d'elle : vous verrez ensuite le projet avant de le créer.
      </p>
      {p.renews ? (
        <p>
          Ce mandat remplacera celui signé le {dateOf(p.renews.createdAt, p.renews.zone)} pour les démarches
          choisies.
        </p>
      ) : null}
      <form method="post" action="/mandats/nouveau" novalidate>
        <Csrf token={p.nav.csrf} />
        {p.renews ? <input type="hidden" name="renouvelle" value={String(p.renews.id)} /> : null}
        <fieldset
          class={e.demarches ? "field-error" : undefined}
          aria-describedby={e.demarches ? "demarches-erreur" : undefined}
        >
          <legend>Démarches que l'organisation pourra faire pour la personne</legend>
          {e.demarches ? (
            <p class="error" id="demarches-erreur">
              {e.demarches}
            </p>
          ) : null}
          {p.allowed.map((d) => (
            <div class="field checkbox" key={d}>
              <input
                id={`demarche-${d}`}
                type="checkbox"
                name="demarches"
                value={d}
                checked={p.input.demarches.includes(d)}
                aria-describedby={`demarche-${d}-aide`}
              />
              <label for={`demarche-${d}`}>{DEMARCHE_INFO[d].title}</label>
              <p class="hint" id={`demarche-${d}-aide`}>
                {DEMARCHE_INFO[d].plain}
                {d === "argent" ? ` — ${ARGENT_WARNING}` : ""}
              </p>
            </div>
          ))}
        </fieldset>
        <fieldset class={e.duration ? "field-error" : undefined}>
          <legend>Durée du mandat</legend>
          {e.duration ? (
            <p class="error" id="duree-erreur">
              {e.duration}
            </p>
          ) : null}
          {DURATIONS.map((d) => (
            <div class="field checkbox" key={d}>
              <input
                id={`duree-${d}`}
                type="radio"
                name="duree"
                value={String(d)}
                checked={p.input.duration === String(d)}
                aria-describedby={e.duration ? "duree-erreur" : undefined}
              />
              <label for={`duree-${d}`}>
                {DURATION_LABELS[d].form} ({DURATION_LABELS[d].hint})
              </label>
            </div>
          ))}
        </fieldset>
        <fieldset>
          <legend>La personne (comme sur sa pièce d'identité)</legend>
          <Field id="prenoms" label="Prénoms" error={e.givenNames}>
            <input
              id="prenoms"
              name="prenoms"
              value={p.input.givenNames}
              maxLength={100}
              autocomplete="off"
              aria-describedby={described("prenoms", false, !!e.givenNames)}
            />
          </Field>
          <Field id="nom" label="Nom de naissance ou d'usage" error={e.familyName}>
            <input
              id="nom"
              name="nom"
              value={p.input.familyName}
              maxLength={100}
              autocomplete="off"
              aria-describedby={described("nom", false, !!e.familyName)}
            />
          </Field>
          <Field
            id="date_naissance"
            label="Date de naissance"
            hint="Par exemple : 04/07/1948"
            error={e.birthDate}
          >
            <input
              id="date_naissance"
              name="date_naissance"
              value={p.input.birthDate}
              maxLength={10}
              inputMode="numeric"
              autocomplete="off"
              aria-describedby={described("date_naissance", true, !!e.birthDate)}
            />
          </Field>
          <Field
            id="lieu_naissance"
            label="Lieu de naissance"
            hint="Commune, ou pays si la personne est née à l'étranger"
            error={e.birthPlace}
          >
            <input
              id="lieu_naissance"
              name="lieu_naissance"
              value={p.input.birthPlace}
              maxLength={100}
              autocomplete="off"
              aria-describedby={described("lieu_naissance", true, !!e.birthPlace)}
            />
          </Field>
          <Field
            id="piece"
            label="Pièce d'identité vue"
            hint="N'écrivez pas son numéro : il n'est jamais demandé."
            error={e.document}
          >
            <select id="piece" name="piece" aria-describedby={described("piece", true, !!e.document)}>
              <option value="">Choisissez</option>
              {DOCUMENT_KINDS.map((k) => (
                <option key={k} value={k} selected={p.input.document === k}>
                  {DOCUMENT_LABELS[k]}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id="contact"
            label="Contact de la personne (facultatif)"
            hint="Téléphone ou adresse électronique, pour la prévenir avant la fin du mandat"
            error={e.contact}
          >
            <input
              id="contact"
              name="contact"
              value={p.input.contact}
              maxLength={200}
              autocomplete="off"
              aria-describedby={described("contact", true, !!e.contact)}
            />
          </Field>
        </fieldset>
        <fieldset class={e.checklist ? "field-error" : undefined}>
          <legend>À lire avec la personne, point par point</legend>
          {e.checklist ? (
            <p class="error" id="verifications-erreur">
              {e.checklist}
            </p>
          ) : null}
          {CHECKLIST.map((c) => (
            <div class="field checkbox" key={c.id}>
              <input
                id={`verif-${c.id}`}
                type="checkbox"
                name="verifications"
                value={c.id}
                checked={p.input.checklist.includes(c.id)}
                aria-describedby={e.checklist ? "verifications-erreur" : undefined}
              />
              <label for={`verif-${c.id}`}>{c.text}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit" name="etape" value="projet">
          Voir le projet de mandat
        </button>
      </form>
    </Frame>
  );
}

/** What an attestation shows (a draft has no id, hash nor code yet). */
export interface AttestationData {
  template: string;
  organisation: string;
  aidant: string;
  demarches: Demarche[];
  duration: (typeof DURATIONS)[number];
  createdAt: Date;
  expiresAt: Date;
  zone: string;
  mandant: Mandat["mandant"];
  final: { hash: string; code: string; qr: string; verifyUrl: string } | null;
}

/** The attestation itself: one A4 page (print stylesheet), in the words of its own template's version. */
function Attestation({ a, easy }: { a: AttestationData; easy: boolean }): VNode {
  const t = templateOf(a.template);
  const name = `${a.mandant.givenNames} ${a.mandant.familyName}`;
  const until = longDate(a.expiresAt, a.zone);
  return (
    <article class={`mandat-attestation${easy ? " mandat-facile" : ""}`} aria-labelledby="attestation-titre">
      {a.final ? null : (
        <p class="mandat-projet" role="note">
          Projet sans valeur : ce document n'est pas un mandat.
        </p>
      )}
      <h1 id="attestation-titre">{easy ? "Mandat : des démarches faites pour vous" : t.title}</h1>
      {easy ? (
        <>
          {t.easy.intro.map((s) => (
            <p key={s}>{s}</p>
          ))}
          <h2>Qui ?</h2>
          <p>
            Vous : <strong>{name}</strong>, né(e) le {day(a.mandant.birthDate)}.
          </p>
          <p>
            L'organisation : <strong>{a.organisation}</strong>.
          </p>
          <h2>Quelles démarches ?</h2>
          <ul>
            {a.demarches.map((d) => (
              <li key={d}>
                <strong>{DEMARCHE_INFO[d].title.split(" - ")[0]}</strong> : {DEMARCHE_INFO[d].plain}
              </li>
            ))}
          </ul>
          <h2>Jusqu'à quand ?</h2>
          <p>
            Jusqu'au <strong>{until}</strong>.
          </p>
          <h2>Vos droits</h2>
          {t.easy.rights.map((s) => (
            <p key={s}>{s}</p>
          ))}
          {t.easy.end.map((s) => (
            <p key={s}>{s}</p>
          ))}
        </>
      ) : (
        <>
          <p>
            Je m'appelle <strong>{name}</strong>, né(e) le {day(a.mandant.birthDate)} à {a.mandant.birthPlace}
            . Je suis le mandant. Mon identité a été vérifiée en personne par {a.aidant} sur présentation de :{" "}
            {DOCUMENT_LABELS[a.mandant.document].toLowerCase()}.
          </p>
          <p>
            J'autorise <strong>{a.organisation}</strong>, le mandataire, à faire pour moi les démarches
            administratives suivantes :
          </p>
          <ul>
            {a.demarches.map((d) => (
              <li key={d}>
                <strong>{DEMARCHE_INFO[d].title.toUpperCase()}</strong> : {DEMARCHE_INFO[d].plain}
              </li>
            ))}
          </ul>
          <p>
            Mon autorisation est donnée {DURATION_LABELS[a.duration].attestation}, du{" "}
            {longDate(a.createdAt, a.zone)} au <strong>{until}</strong>.
          </p>
          <h2>Mentions</h2>
          <ul>
            {t.mentions.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
          <h2>L'organisation s'engage à</h2>
          <ul>
            {t.commitments.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
          <p>Le mandat prend fin avant la date prévue si : {t.earlyEnd.join(" ")}</p>
        </>
      )}
      <p>Fait le {longDate(a.createdAt, a.zone)}, à ______________________.</p>
      <div class="mandat-signatures">
        <div>
          <p>Pour le mandataire, l'aidant : {a.aidant}</p>
          <p>Signature :</p>
        </div>
        <div>
          <p>Le mandant : {name}</p>
          <p>Signature :</p>
        </div>
      </div>
      {a.final ? (
        <footer class="mandat-integrite">
          <div
            class="mandat-qr"
            role="img"
            aria-label="QR code de vérification du mandat"
            dangerouslySetInnerHTML={{ __html: a.final.qr }}
          />
          <div>
            <p>
              {easy ? "Votre code" : "Code de la personne"} :{" "}
              <strong class="pass-code">{displayCode(a.final.code)}</strong>
              {easy ? " (avec votre date de naissance, il sert à voir ou arrêter le mandat)" : ""}
            </p>
            <p>
              Vérifier ce mandat : {a.final.verifyUrl}
              {easy ? null : (
                <>
                  <br />
                  Empreinte (SHA-256, gabarit {a.template}) :{" "}
                  <span class="mandat-hash">{displayHash(a.final.hash)}</span>
                </>
              )}
            </p>
          </div>
        </footer>
      ) : null}
    </article>
  );
}

export function DraftPage(p: {
  nav: MandatNav;
  attestation: AttestationData;
  input: MandatInput;
  renews?: number;
}): VNode {
  return (
    <Frame nav={p.nav} title="Projet de mandat" current="/mandats/nouveau">
      <div class="mandat-print">
        <Attestation a={p.attestation} easy={false} />
      </div>
      <form method="post" action="/mandats/nouveau" class="no-print">
        <Csrf token={p.nav.csrf} />
        <Hidden input={p.input} renews={p.renews} />
        <p>
          Relisez le projet avec la personne. Une fois créé, le mandat ne se modifie plus : il se révoque.
        </p>
        <button type="submit" name="etape" value="creer">
          Créer le mandat
        </button>{" "}
        <button type="submit" name="etape" value="modifier" class="secondary">
          Modifier
        </button>
      </form>
    </Frame>
  );
}

/** The printable attestation (or its easy-to-read version): nothing around it once printed. */
export function AttestationPage(p: { attestation: AttestationData; easy: boolean; id: number }): VNode {
  return (
    <Layout title={p.easy ? "Mandat (facile à lire)" : "Attestation de mandat"}>
      <div class="mandat-print">
        <p class="no-print">
          Imprimez cette page (Ctrl + P) en deux exemplaires : un pour la personne, un pour l'organisation.
          Faites signer les deux. <a href={`/mandats/${p.id}`}>Revenir au mandat</a> —{" "}
          {p.easy ? (
            <a href={`/mandats/${p.id}/attestation`}>version complète</a>
          ) : (
            <a href={`/mandats/${p.id}/attestation?version=facile`}>version facile à lire</a>
          )}
        </p>
        <Attestation a={p.attestation} easy={p.easy} />
      </div>
    </Layout>
  );
}

// ——— one mandate

export function MandatPage(p: {
  nav: MandatNav;
  mandat: Mandat;
  uses: Use[];
  revocations: Revocation[];
  aidantName: (id: number | null) => string;
  organisationName: (id: number) => string;
  canAct: boolean;
  now: Date;
  notice?: string;
}): VNode {
  const m = p.mandat;
  const state = mandatState(m, p.now);
  return (
    <Frame nav={p.nav} title={`Mandat de ${fullName(m)}`} current="">
      <h1>Mandat de {fullName(m)}</h1>
      <Notice text={p.notice} />
      <p>
        {m.aidantId === null ? "Reçu" : "Signé"} le {dateOf(m.createdAt, m.zone)}
        {m.aidantId === null ? "" : ` devant ${p.aidantName(m.aidantId)}`},{" "}
        {DURATION_LABELS[m.duration].attestation}, jusqu'au {dateOf(m.expiresAt, m.zone)} :{" "}
        <strong>{STATE_LABELS[state]}</strong>.
        {m.transferredFrom
          ? " Transféré depuis une autre organisation : imprimez l'attestation et faites-la signer."
          : ""}
      </p>
      <Families m={m} now={p.now} />
      <p>
        <a href={`/mandats/${m.id}/attestation`}>Imprimer l'attestation</a> —{" "}
        <a href={`/mandats/${m.id}/attestation?version=facile`}>version facile à lire</a>
      </p>
      {p.canAct && state === "active" ? (
        <ul class="plain-list">
          <li>
            <a class="button" href={`/mandats/${m.id}/utilisation`}>
              Noter une démarche faite avec ce mandat
            </a>
          </li>
          <li>
            <a href={`/mandats/${m.id}/revocation`}>Révoquer</a>
          </li>
          <li>
            <a href={`/mandats/nouveau?renouvelle=${m.id}`}>Renouveler</a>
          </li>
          <li>
            <a href={`/mandats/${m.id}/transfert`}>Transférer à une autre organisation</a>
          </li>
        </ul>
      ) : p.canAct ? (
        <p>
          <a href={`/mandats/nouveau?renouvelle=${m.id}`}>Faire un nouveau mandat pour cette personne</a>
        </p>
      ) : null}
      <h2>Démarches faites avec ce mandat</h2>
      {p.uses.length === 0 ? (
        <p>Aucune démarche notée.</p>
      ) : (
        <TableRegion label="Démarches faites">
          <table>
            <thead>
              <tr>
                <th scope="col">Jour</th>
                <th scope="col">Famille</th>
                <th scope="col">Ce qui a été fait</th>
                <th scope="col">Par</th>
              </tr>
            </thead>
            <tbody>
              {p.uses.map((u) => (
                <tr key={u.id}>
                  <td>{day(u.doneOn)}</td>
                  <td>{DEMARCHE_INFO[u.demarche].title}</td>
                  <td>{u.description}</td>
                  <td>{p.aidantName(u.aidantId)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {p.revocations.length > 0 ? (
        <>
          <h2>Révocations</h2>
          <ul class="plain-list">
            {p.revocations.map((r) => (
              <li key={r.id}>
                Le {dateOf(r.at, m.zone)} : {r.demarches.map((d) => DEMARCHE_INFO[d].title).join(", ")} (
                {REVOCATION_REASONS[r.reason]}) —{" "}
                <a href={`/mandats/${m.id}/revocations/${r.id}`}>attestation de révocation</a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Frame>
  );
}

const REVOCATION_REASONS: Record<Revocation["reason"], string> = {
  revocation: "révocation",
  remplacement: "remplacé par un nouveau mandat",
  transfert: "transféré à une autre organisation",
};

/** The running families of a mandate at `now`. */
export const running = (m: Mandat, now: Date): Demarche[] =>
  m.families.filter((f) => authorisationState(f, m.expiresAt, now) === "active").map((f) => f.demarche);

export function UsePage(p: {
  nav: MandatNav;
  mandat: Mandat;
  now: Date;
  values: { demarche: string; description: string; jour: string };
  errors: Partial<Record<"demarche" | "description" | "jour", string>>;
  problem?: string;
}): VNode {
  const m = p.mandat;
  const e = p.errors;
  return (
    <Frame nav={p.nav} title="Noter une démarche" current="" problem={p.problem}>
      <h1>Noter une démarche faite pour {fullName(m)}</h1>
      <Problem text={p.problem} />
      <form method="post" action={`/mandats/${m.id}/utilisation`} novalidate>
        <Csrf token={p.nav.csrf} />
        <Field id="demarche" label="Famille de démarches" error={e.demarche}>
          <select id="demarche" name="demarche" aria-describedby={described("demarche", false, !!e.demarche)}>
            {running(m, p.now).map((d) => (
              <option key={d} value={d} selected={p.values.demarche === d}>
                {DEMARCHE_INFO[d].title}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="description"
          label="Ce que vous avez fait"
          hint="Par exemple : demande d'aide au logement déposée sur le site de la CAF"
          error={e.description}
        >
          <textarea
            id="description"
            name="description"
            rows={3}
            maxLength={1000}
            aria-describedby={described("description", true, !!e.description)}
          >
            {p.values.description}
          </textarea>
        </Field>
        <Field id="jour" label="Jour" hint="JJ/MM/AAAA" error={e.jour}>
          <input
            id="jour"
            name="jour"
            value={p.values.jour}
            maxLength={10}
            inputMode="numeric"
            aria-describedby={described("jour", true, !!e.jour)}
          />
        </Field>
        <button type="submit">Enregistrer</button> <a href={`/mandats/${m.id}`}>Annuler</a>
      </form>
    </Frame>
  );
}

export function RevokePage(p: {
  nav: MandatNav;
  mandat: Mandat;
  now: Date;
  requested: Demarche[];
  requestId?: number;
  problem?: string;
}): VNode {
  const m = p.mandat;
  const families = running(m, p.now);
  return (
    <Frame nav={p.nav} title="Révoquer un mandat" current="" problem={p.problem}>
      <h1>Révoquer le mandat de {fullName(m)}</h1>
      <Problem text={p.problem} />
      {families.length === 0 ? (
        <p>Plus aucune démarche de ce mandat n'est en cours : il n'y a rien à révoquer.</p>
      ) : (
        <form method="post" action={`/mandats/${m.id}/revocation`}>
          <Csrf token={p.nav.csrf} />
          {p.requestId ? <input type="hidden" name="demande" value={String(p.requestId)} /> : null}
          <fieldset>
            <legend>Démarches à révoquer</legend>
            {families.map((d) => (
              <div class="field checkbox" key={d}>
                <input
                  id={`rev-${d}`}
                  type="checkbox"
                  name="demarches"
                  value={d}
                  checked={p.requested.includes(d)}
                />
                <label for={`rev-${d}`}>{DEMARCHE_INFO[d].title}</label>
              </div>
            ))}
          </fieldset>
          <p>
            La révocation est immédiate : plus personne de l'organisation ne pourra agir pour ces démarches.
          </p>
          <button type="submit" name="portee" value="choisies">
            Révoquer les démarches cochées
          </button>{" "}
          <button type="submit" name="portee" value="toutes" class="secondary">
            Révoquer tout le mandat
          </button>
        </form>
      )}
    </Frame>
  );
}

export function RevocationPage(p: {
  mandat: Mandat;
  revocation: Revocation;
  organisation: string;
  by: string;
}): VNode {
  const m = p.mandat;
  const r = p.revocation;
  return (
    <Layout title="Attestation de révocation">
      <div class="mandat-print">
        <p class="no-print">
          Imprimez cette page (Ctrl + P) et remettez-la à la personne.{" "}
          <a href={`/mandats/${m.id}`}>Revenir au mandat</a>
        </p>
        <article class="mandat-attestation">
          <h1>Attestation de révocation de mandat</h1>
          <p>
            Le mandat signé le {longDate(m.createdAt, m.zone)} entre <strong>{fullName(m)}</strong>, né(e) le{" "}
            {day(m.mandant.birthDate)}, et <strong>{p.organisation}</strong> a été révoqué le{" "}
            {formatDateTime(r.at, m.zone)} ({REVOCATION_REASONS[r.reason]}) pour les démarches suivantes :
          </p>
          <ul>
            {r.demarches.map((d) => (
              <li key={d}>
                <strong>{DEMARCHE_INFO[d].title.toUpperCase()}</strong> : {DEMARCHE_INFO[d].plain}
              </li>
            ))}
          </ul>
          <p>
            Depuis cette date, l'organisation ne peut plus faire ces démarches pour la personne.
            {m.families.some((f) => !r.demarches.includes(f.demarche))
              ? " Les autres démarches du mandat ne changent pas."
              : ""}
          </p>
          <p>Révocation enregistrée par : {p.by}.</p>
          <p>
            Empreinte du mandat : <span class="mandat-hash">{displayHash(m.hash)}</span>
          </p>
          <div class="mandat-signatures">
            <div>
              <p>Pour l'organisation :</p>
              <p>Signature :</p>
            </div>
            <div>
              <p>La personne :</p>
              <p>Signature :</p>
            </div>
          </div>
        </article>
      </div>
    </Layout>
  );
}

export function TransferPage(p: {
  nav: MandatNav;
  mandat: Mandat;
  now: Date;
  organisations: { id: number; name: string }[];
  problem?: string;
}): VNode {
  const m = p.mandat;
  return (
    <Frame nav={p.nav} title="Transférer un mandat" current="" problem={p.problem}>
      <h1>Transférer le mandat de {fullName(m)}</h1>
      <Problem text={p.problem} />
      <p>
        À la demande de la personne, le mandat passe à une autre organisation, pour les mêmes démarches et
        jusqu'à la même date. Il prend fin ici tout de suite ; l'autre organisation imprime la nouvelle
        attestation et la fait signer.
      </p>
      <form method="post" action={`/mandats/${m.id}/transfert`}>
        <Csrf token={p.nav.csrf} />
        <Field id="organisation" label="Nouvelle organisation">
          <select id="organisation" name="organisation">
            {p.organisations.map((o) => (
              <option key={o.id} value={String(o.id)}>
                {o.name}
              </option>
            ))}
          </select>
        </Field>
        <fieldset>
          <legend>Démarches à transférer</legend>
          {running(m, p.now).map((d) => (
            <div class="field checkbox" key={d}>
              <input id={`tr-${d}`} type="checkbox" name="demarches" value={d} checked />
              <label for={`tr-${d}`}>{DEMARCHE_INFO[d].title}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit">Transférer</button> <a href={`/mandats/${m.id}`}>Annuler</a>
      </form>
    </Frame>
  );
}

// ——— habilitations (coordinators)

export function HabilitationsPage(p: {
  nav: MandatNav;
  organisations: { id: number; name: string; habilitated: number }[];
}): VNode {
  return (
    <Frame nav={p.nav} title="Habilitation des aidants" current="/mandats/habilitations">
      <h1>Habilitation des aidants</h1>
      <p>
        Un aidant habilité peut signer des mandats avec les personnes au nom de son organisation, puis agir
        pour elles. Choisissez une organisation pour habiliter ses aidants et choisir les démarches qu'elle
        couvre.
      </p>
      {p.organisations.length === 0 ? (
        <p>Aucune organisation dans votre territoire.</p>
      ) : (
        <ul class="plain-list">
          {p.organisations.map((o) => (
            <li key={o.id}>
              <a href={`/mandats/habilitations/${o.id}`}>{o.name}</a> — {formatNumber(o.habilitated)} aidant
              {o.habilitated > 1 ? "s" : ""} habilité{o.habilitated > 1 ? "s" : ""}
            </li>
          ))}
        </ul>
      )}
    </Frame>
  );
}

export function OrganisationHabilitationsPage(p: {
  nav: MandatNav;
  organisation: { id: number; name: string };
  members: { id: number; name: string; email: string; hasSecondFactor: boolean }[];
  habilitations: Habilitation[];
  families: Demarche[];
  zone: string;
  values: { personne: string; formation: string; charte: boolean };
  errors: Partial<Record<"personne" | "formation" | "charte", string>>;
  problem?: string;
  notice?: string;
}): VNode {
  const running = p.habilitations.filter((h) => !h.withdrawnAt);
  const nameOf = (id: number) => p.members.find((m) => m.id === id)?.name ?? `personne n° ${id}`;
  const charter = CHARTERS[CURRENT_CHARTER] as (typeof CHARTERS)[string];
  const e = p.errors;
  return (
    <Frame
      nav={p.nav}
      title={`Aidants de ${p.organisation.name}`}
      current="/mandats/habilitations"
      problem={p.problem}
    >
      <h1>Aidants habilités de {p.organisation.name}</h1>
      <Problem text={p.problem} />
      <Notice text={p.notice} />
      {running.length === 0 ? (
        <p>Personne n'est habilité dans cette organisation.</p>
      ) : (
        <TableRegion label="Aidants habilités">
          <table>
            <thead>
              <tr>
                <th scope="col">Aidant</th>
                <th scope="col">Formé le</th>
                <th scope="col">Charte</th>
                <th scope="col">Habilité le</th>
                <th scope="col">Retirer</th>
              </tr>
            </thead>
            <tbody>
              {running.map((h) => (
                <tr key={h.id}>
                  <th scope="row">{nameOf(h.personId)}</th>
                  <td>{day(h.trainedOn)}</td>
                  <td>{h.charter}</td>
                  <td>{dateOf(h.habilitatedAt, p.zone)}</td>
                  <td>
                    <form
                      method="post"
                      action={`/mandats/habilitations/${p.organisation.id}/retirer/${h.id}`}
                    >
                      <Csrf token={p.nav.csrf} />
                      <button
                        type="submit"
                        class="secondary"
                        aria-label={`Retirer l'habilitation de ${nameOf(h.personId)}`}
                      >
                        Retirer
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <h2>Habiliter une personne</h2>
      {p.members.length === 0 ? (
        <p>
          Cette organisation n'a encore aucun membre :{" "}
          <a href={`/admin/organisations/${p.organisation.id}`}>invitez d'abord la personne</a>.
        </p>
      ) : (
        <form method="post" action={`/mandats/habilitations/${p.organisation.id}`} novalidate>
          <Csrf token={p.nav.csrf} />
          <Field id="personne" label="Personne de l'organisation" error={e.personne}>
            <select
              id="personne"
              name="personne"
              aria-describedby={described("personne", false, !!e.personne)}
            >
              <option value="">Choisissez</option>
              {p.members.map((m) => (
                <option key={m.id} value={String(m.id)} selected={p.values.personne === String(m.id)}>
                  {m.name} ({m.email}){m.hasSecondFactor ? "" : " — sans vérification en deux étapes"}
                </option>
              ))}
            </select>
          </Field>
          <Field id="formation" label="Date de la formation d'aidant" hint="JJ/MM/AAAA" error={e.formation}>
            <input
              id="formation"
              name="formation"
              value={p.values.formation}
              maxLength={10}
              inputMode="numeric"
              aria-describedby={described("formation", true, !!e.formation)}
            />
          </Field>
          <details>
            <summary>{charter.title}</summary>
            <ul>
              {charter.items.map((s) => (
                <li key={s}>{s}</li>
              ))}
            </ul>
          </details>
          <div class={`field checkbox${e.charte ? " field-error" : ""}`}>
            {e.charte ? (
              <p class="error" id="charte-erreur">
                {e.charte}
              </p>
            ) : null}
            <input
              id="charte"
              type="checkbox"
              name="charte"
              value={CURRENT_CHARTER}
              checked={p.values.charte}
              aria-describedby={e.charte ? "charte-erreur" : undefined}
            />
            <label for="charte">La personne a lu et accepté la charte (version {CURRENT_CHARTER})</label>
          </div>
          <button type="submit">Habiliter</button>
        </form>
      )}
      <h2>Démarches couvertes par l'organisation</h2>
      <form method="post" action={`/mandats/habilitations/${p.organisation.id}/demarches`}>
        <Csrf token={p.nav.csrf} />
        <fieldset>
          <legend>Les mandats de cette organisation peuvent couvrir</legend>
          {DEMARCHES.map((d) => (
            <div class="field checkbox" key={d}>
              <input
                id={`org-${d}`}
                type="checkbox"
                name="demarches"
                value={d}
                checked={p.families.includes(d)}
              />
              <label for={`org-${d}`}>{DEMARCHE_INFO[d].title}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit">Enregistrer les démarches</button>
      </form>
    </Frame>
  );
}

// ——— public pages

/** What the public verification shows: never a name, a birth date or a contact. */
export interface Verification {
  organisation: string;
  createdOn: string;
  expiresOn: string;
  families: { demarche: Demarche; state: AuthorisationState }[];
  intact: boolean;
}

export function VerifyPage(p: {
  typed: string;
  result: Verification | null;
  searched: boolean;
  problem?: string;
}): VNode {
  const r = p.result;
  return (
    <Layout title={p.searched && !r ? "Erreur : Vérifier un mandat" : "Vérifier un mandat"}>
      <div class="diag">
        <h1>Vérifier un mandat</h1>
        <p>
          Tapez l'empreinte imprimée en bas de l'attestation (64 chiffres et lettres), ou scannez son QR code.
          Cette page dit seulement si le mandat existe, avec quelle organisation, pour quelles démarches, et
          s'il est en cours.
        </p>
        <form method="get" action="/mandats/verifier">
          <Field id="empreinte" label="Empreinte du mandat">
            <input
              id="empreinte"
              name="empreinte"
              value={p.typed}
              maxLength={100}
              autocomplete="off"
              spellcheck={false}
            />
          </Field>
          <button type="submit">Vérifier</button>
        </form>
        {p.problem ? <Problem text={p.problem} /> : null}
        {r ? (
          <section aria-labelledby="resultat">
            <h2 id="resultat">{r.intact ? "Ce mandat existe" : "Attention : ce mandat a été modifié"}</h2>
            {r.intact ? null : (
              <p class="account-error">
                Les informations enregistrées ne correspondent plus à l'empreinte : ne vous fiez pas à ce
                mandat et prévenez l'organisation.
              </p>
            )}
            <p>
              Organisation qui agit pour la personne : <strong>{r.organisation}</strong>. Signé le{" "}
              {day(r.createdOn)}, jusqu'au {day(r.expiresOn)}.
            </p>
            <TableRegion label="Démarches du mandat">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Démarches</th>
                    <th scope="col">État</th>
                  </tr>
                </thead>
                <tbody>
                  {r.families.map((f) => (
                    <tr key={f.demarche}>
                      <th scope="row">{DEMARCHE_INFO[f.demarche].title}</th>
                      <td>{STATE_LABELS[f.state]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
            <p>
              C'est votre mandat ? <a href="/mes-mandats">Voir vos mandats et les démarches faites</a> avec le
              code de l'attestation et votre date de naissance.
            </p>
          </section>
        ) : null}
      </div>
    </Layout>
  );
}

export function PersonPage(p: {
  csrf: string;
  values: { code: string; naissance: string };
  mandats: { mandat: Mandat; organisation: string; uses: Use[] }[] | null;
  now: Date;
  problem?: string;
  notice?: string;
}): VNode {
  return (
    <Layout title={p.problem ? "Erreur : Mes mandats" : "Mes mandats"}>
      <div class="diag">
        <h1>Mes mandats</h1>
        <Problem text={p.problem} />
        <Notice text={p.notice} />
        {p.mandats === null ? (
          <>
            <p>
              Vous avez signé un mandat pour qu'une organisation fasse des démarches pour vous ? Ici, vous
              voyez ce qu'elle a fait, et vous pouvez demander d'arrêter le mandat.
            </p>
            <form method="post" action="/mes-mandats">
              <Csrf token={p.csrf} />
              <Field
                id="code"
                label="Code écrit sur votre mandat"
                hint="10 caractères, par exemple 4KX7-M2QP-9T"
              >
                <input
                  id="code"
                  name="code"
                  value={p.values.code}
                  maxLength={100}
                  autocomplete="off"
                  aria-describedby="code-aide"
                />
              </Field>
              <Field id="naissance" label="Votre date de naissance" hint="Par exemple : 04/07/1948">
                <input
                  id="naissance"
                  name="naissance"
                  value={p.values.naissance}
                  maxLength={10}
                  inputMode="numeric"
                  autocomplete="bday"
                  aria-describedby="naissance-aide"
                />
              </Field>
              <button type="submit">Voir mes mandats</button>
            </form>
          </>
        ) : (
          p.mandats.map(({ mandat: m, organisation, uses }) => {
            const families = running(m, p.now);
            return (
              <section key={m.id} aria-labelledby={`mandat-${m.id}`}>
                <h2 id={`mandat-${m.id}`}>
                  Avec {organisation}, jusqu'au {dateOf(m.expiresAt, m.zone)}
                </h2>
                <Families m={m} now={p.now} />
                <h3>Ce qui a été fait pour vous</h3>
                {uses.length === 0 ? (
                  <p>Rien pour l'instant.</p>
                ) : (
                  <ul>
                    {uses.map((u) => (
                      <li key={u.id}>
                        Le {day(u.doneOn)} ({DEMARCHE_INFO[u.demarche].title.split(" - ")[0]}) :{" "}
                        {u.description}
                      </li>
                    ))}
                  </ul>
                )}
                {families.length > 0 ? (
                  <form method="post" action="/mes-mandats/arreter">
                    <Csrf token={p.csrf} />
                    <input type="hidden" name="code" value={p.values.code} />
                    <input type="hidden" name="naissance" value={p.values.naissance} />
                    <input type="hidden" name="mandat" value={String(m.id)} />
                    <fieldset>
                      <legend>Demander d'arrêter ce mandat pour :</legend>
                      {families.map((d) => (
                        <div class="field checkbox" key={d}>
                          <input
                            id={`stop-${m.id}-${d}`}
                            type="checkbox"
                            name="demarches"
                            value={d}
                            checked
                          />
                          <label for={`stop-${m.id}-${d}`}>{DEMARCHE_INFO[d].title}</label>
                        </div>
                      ))}
                    </fieldset>
                    <Field id={`message-${m.id}`} label="Un mot pour l'organisation (facultatif)">
                      <textarea id={`message-${m.id}`} name="message" rows={2} maxLength={1000} />
                    </Field>
                    <button type="submit">Demander l'arrêt</button>
                  </form>
                ) : null}
              </section>
            );
          })
        )}
      </div>
    </Layout>
  );
}
