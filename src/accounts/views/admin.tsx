/** The administration pages: organisations, people, the journal (admins and coordinators). */

import type { ComponentChildren, VNode } from "preact";
import { formatDateTime, formatNumber } from "../../platform/format.ts";
import { Layout } from "../../platform/views/layout.tsx";
import { TableRegion } from "../../platform/views/table.tsx";
import { TerritoryChoices } from "../../territories/components/choices.tsx";
import type { Candidate } from "../../territories/resolve.ts";
import type { MailResult } from "../mail.ts";
import type { Membership } from "../model.ts";
import {
  type JournalEntry,
  ORGANISATION_KIND_LABELS,
  ORGANISATION_KINDS,
  type Organisation,
  type OrganisationKind,
  ROLE_LABELS,
  type Role,
} from "../model.ts";
import type { Invitation, ListedPerson, MembershipWithOrganisation, StoredPerson } from "../store.ts";
import { Csrf, Notice, Problem } from "./signin.tsx";

const ZONE = "Europe/Paris";
const when = (d: Date) => formatDateTime(d, ZONE);

/** What every administration page carries: the signed-in header, the form token, the menu. */
export interface AdminNav {
  csrf: string;
  account: ComponentChildren;
  canJournal: boolean;
  territoryName: (id: string) => string;
}

const MENU = [
  { href: "/admin/lieux", label: "Lieux" },
  { href: "/admin/imports", label: "Imports" },
  { href: "/admin/organisations", label: "Organisations" },
  { href: "/admin/personnes", label: "Personnes" },
  { href: "/admin/journal", label: "Journal" },
];

/** The frame of every back-office page: the signed-in header and the administration menu. */
export function Frame(props: {
  nav: AdminNav;
  title: string;
  current: string;
  problem?: string;
  /** Seconds after which the page reloads itself (see Layout). */
  refresh?: number;
  children: ComponentChildren;
}): VNode {
  return (
    <Layout
      title={props.problem ? `Erreur : ${props.title}` : props.title}
      account={props.nav.account}
      refresh={props.refresh}
    >
      <nav aria-label="Administration">
        <ul class="admin-menu">
          {MENU.filter((m) => m.href !== "/admin/journal" || props.nav.canJournal).map((m) => (
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

/** « Page 2 sur 5 » with the links around it, keeping the filters. */
export function Pager(props: {
  path: string;
  params: Record<string, string | undefined>;
  page: number;
  total: number;
  pageSize: number;
  label: string;
}): VNode | null {
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  if (pages <= 1) return null;
  const href = (p: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(props.params)) if (v) q.set(k, v);
    if (p > 1) q.set("page", String(p));
    const s = q.toString();
    return s ? `${props.path}?${s}` : props.path;
  };
  return (
    <nav class="pager" aria-label={props.label}>
      {props.page > 1 ? <a href={href(props.page - 1)}>Page précédente</a> : null}
      <span>
        Page {formatNumber(props.page)} sur {formatNumber(pages)}
      </span>
      {props.page < pages ? <a href={href(props.page + 1)}>Page suivante</a> : null}
    </nav>
  );
}

const count = (n: number, one: string, many: string) => `${formatNumber(n)} ${n > 1 ? many : one}`;

// ——— organisations

export function OrganisationListPage(p: {
  nav: AdminNav;
  organisations: Organisation[];
  total: number;
  page: number;
  pageSize: number;
  q: string;
  kind: OrganisationKind | undefined;
  canCreate: boolean;
}): VNode {
  return (
    <Frame nav={p.nav} title="Organisations" current="/admin/organisations">
      <h1>Organisations</h1>
      {p.canCreate ? (
        <p>
          <a class="button" href="/admin/organisations/nouvelle">
            Créer une organisation
          </a>
        </p>
      ) : null}
      <form method="get" action="/admin/organisations" class="account-form">
        <div class="field">
          <label for="q">Nom contient</label>
          <input type="text" id="q" name="q" maxLength={200} value={p.q} />
        </div>
        <div class="field">
          <label for="type">Type</label>
          <select id="type" name="type">
            <option value="">Tous les types</option>
            {ORGANISATION_KINDS.map((k) => (
              <option key={k} value={k} selected={p.kind === k}>
                {ORGANISATION_KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Filtrer</button>
      </form>
      <p role="status">{count(p.total, "organisation", "organisations")}</p>
      {p.organisations.length > 0 ? (
        <TableRegion label="organisations">
          <table>
            <caption>Organisations, par nom</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Type</th>
                <th scope="col">Territoire d'action</th>
                <th scope="col">SIRET</th>
              </tr>
            </thead>
            <tbody>
              {p.organisations.map((o) => (
                <tr key={o.id}>
                  <th scope="row">
                    <a href={`/admin/organisations/${o.id}`}>{o.name}</a>
                  </th>
                  <td>{ORGANISATION_KIND_LABELS[o.kind]}</td>
                  <td>{p.nav.territoryName(o.territoryId)}</td>
                  <td>{o.siret ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      ) : null}
      <Pager
        path="/admin/organisations"
        params={{ q: p.q, type: p.kind }}
        page={p.page}
        total={p.total}
        pageSize={p.pageSize}
        label="Pages des organisations"
      />
    </Frame>
  );
}

export interface NewOrganisationValues {
  nom: string;
  type: string;
  siret: string;
  territoire: string;
}

export function NewOrganisationPage(p: {
  nav: AdminNav;
  values: NewOrganisationValues;
  problem?: string;
  choices?: { title: string; candidates: Candidate[] };
}): VNode {
  const v = p.values;
  const again = (territoire: string) =>
    `/admin/organisations/nouvelle?${new URLSearchParams({ nom: v.nom, type: v.type, siret: v.siret, territoire })}`;
  return (
    <Frame nav={p.nav} title="Créer une organisation" current="/admin/organisations" problem={p.problem}>
      <h1>Créer une organisation</h1>
      <Problem text={p.problem} />
      <TerritoryChoices title={p.choices?.title ?? ""} candidates={p.choices?.candidates} href={again} />
      <form method="post" action="/admin/organisations/nouvelle" class="account-form">
        <Csrf token={p.nav.csrf} />
        <div class="field">
          <label for="nom">Nom</label>
          <input type="text" id="nom" name="nom" required maxLength={200} value={v.nom} />
        </div>
        <div class="field">
          <label for="type">Type</label>
          <select id="type" name="type" required>
            <option value="">Choisir…</option>
            {ORGANISATION_KINDS.map((k) => (
              <option key={k} value={k} selected={v.type === k}>
                {ORGANISATION_KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="siret">
            SIRET <span class="hint">(14 chiffres, facultatif)</span>
          </label>
          <input type="text" id="siret" name="siret" inputMode="numeric" maxLength={20} value={v.siret} />
        </div>
        <div class="field">
          <label for="territoire">
            Territoire d'action{" "}
            <span class="hint">(nom ou code : commune, intercommunalité, département)</span>
          </label>
          <input
            type="text"
            id="territoire"
            name="territoire"
            required
            maxLength={100}
            value={v.territoire}
          />
        </div>
        <button type="submit">Créer l'organisation</button>
      </form>
    </Frame>
  );
}

export interface InvitedNotice {
  email: string;
  role: Role;
  link: string;
  expiresAt: Date;
  mail: MailResult;
}

export function OrganisationPage(p: {
  nav: AdminNav;
  organisation: Organisation;
  /** Null when the actor may not see the people. */
  members: { membership: Membership; person: ListedPerson }[] | null;
  /** Null when the actor may not invite. */
  invitations: Invitation[] | null;
  roles: Role[];
  notice?: string;
  problem?: string;
  inviteValues?: { email: string; role: string };
  invited?: InvitedNotice;
}): VNode {
  const o = p.organisation;
  return (
    <Frame nav={p.nav} title={o.name} current="/admin/organisations" problem={p.problem}>
      <h1>{o.name}</h1>
      <Notice text={p.notice} />
      <dl class="facts">
        <dt>Type</dt>
        <dd>{ORGANISATION_KIND_LABELS[o.kind]}</dd>
        <dt>Territoire d'action</dt>
        <dd>{p.nav.territoryName(o.territoryId)}</dd>
        <dt>SIRET</dt>
        <dd>{o.siret ?? "aucun"}</dd>
        <dt>Créée le</dt>
        <dd>{when(o.createdAt)}</dd>
      </dl>
      {p.members ? (
        <>
          <h2>Membres</h2>
          {p.members.length > 0 ? (
            <ul class="account-list">
              {p.members.map(({ membership: m, person }) => (
                <li key={m.id}>
                  <a href={`/admin/personnes/${person.id}`}>{person.name}</a> ({person.email}) —{" "}
                  {ROLE_LABELS[m.role]}
                  {person.active ? "" : " — compte désactivé"}
                </li>
              ))}
            </ul>
          ) : (
            <p>Personne pour l'instant.</p>
          )}
        </>
      ) : null}
      {p.invitations ? (
        <>
          <h2 id="inviter">Inviter une personne</h2>
          {p.invited ? (
            <div class="notice" role="status">
              <p>
                {p.invited.mail.sent
                  ? `L'invitation est envoyée par e-mail à ${p.invited.email}.`
                  : `L'invitation n'a pas été envoyée par e-mail (${p.invited.mail.reason}).`}{" "}
                Vous pouvez aussi lui transmettre ce lien vous-même (une seule utilisation, jusqu'au{" "}
                {when(p.invited.expiresAt)}) :
              </p>
              <p class="account-secret">{p.invited.link}</p>
            </div>
          ) : null}
          <Problem text={p.problem} />
          <form method="post" action={`/admin/organisations/${o.id}/inviter`} class="account-form">
            <Csrf token={p.nav.csrf} />
            <div class="field">
              <label for="email">Adresse e-mail de la personne</label>
              <input
                type="email"
                id="email"
                name="email"
                required
                maxLength={254}
                value={p.inviteValues?.email ?? ""}
                aria-describedby={p.problem ? "erreur" : undefined}
              />
            </div>
            <div class="field">
              <label for="role">Rôle</label>
              <select id="role" name="role" required>
                {p.roles.map((r) => (
                  <option key={r} value={r} selected={p.inviteValues?.role === r}>
                    {ROLE_LABELS[r]}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit">Inviter</button>
          </form>
          <h2>Invitations en attente</h2>
          {p.invitations.length > 0 ? (
            <ul class="account-list">
              {p.invitations.map((i) => (
                <li key={i.tokenHash}>
                  {i.email} — {ROLE_LABELS[i.role]}, envoyée le {when(i.createdAt)}, valable jusqu'au{" "}
                  {when(i.expiresAt)}
                </li>
              ))}
            </ul>
          ) : (
            <p>Aucune invitation en attente.</p>
          )}
        </>
      ) : null}
    </Frame>
  );
}

// ——— people

export function PersonListPage(p: {
  nav: AdminNav;
  people: ListedPerson[];
  total: number;
  page: number;
  pageSize: number;
  q: string;
}): VNode {
  return (
    <Frame nav={p.nav} title="Personnes" current="/admin/personnes">
      <h1>Personnes</h1>
      <p>Pour ajouter une personne, invitez-la depuis la page de son organisation.</p>
      <form method="get" action="/admin/personnes" class="account-form">
        <div class="field">
          <label for="q">Nom ou e-mail contient</label>
          <input type="text" id="q" name="q" maxLength={200} value={p.q} />
        </div>
        <button type="submit">Filtrer</button>
      </form>
      <p role="status">{count(p.total, "personne", "personnes")}</p>
      {p.people.length > 0 ? (
        <TableRegion label="personnes">
          <table>
            <caption>Personnes, par nom</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">E-mail</th>
                <th scope="col">Compte</th>
                <th scope="col">Dernière connexion</th>
              </tr>
            </thead>
            <tbody>
              {p.people.map((x) => (
                <tr key={x.id}>
                  <th scope="row">
                    <a href={`/admin/personnes/${x.id}`}>{x.name}</a>
                  </th>
                  <td>{x.email}</td>
                  <td>{x.active ? "actif" : "désactivé"}</td>
                  <td>{x.lastLoginAt ? when(x.lastLoginAt) : "jamais"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      ) : null}
      <Pager
        path="/admin/personnes"
        params={{ q: p.q }}
        page={p.page}
        total={p.total}
        pageSize={p.pageSize}
        label="Pages des personnes"
      />
    </Frame>
  );
}

export function PersonPage(p: {
  nav: AdminNav;
  person: StoredPerson;
  memberships: MembershipWithOrganisation[];
  /** Memberships outside the actor's reach (not shown). */
  hidden: number;
  roles: Role[];
  canChange: (m: MembershipWithOrganisation) => boolean;
  canDeactivate: boolean;
  notice?: string;
  problem?: string;
}): VNode {
  const x = p.person;
  return (
    <Frame nav={p.nav} title={x.name} current="/admin/personnes" problem={p.problem}>
      <h1>{x.name}</h1>
      <Notice text={p.notice} />
      <Problem text={p.problem} />
      <dl class="facts">
        <dt>E-mail</dt>
        <dd>{x.email}</dd>
        <dt>Compte</dt>
        <dd>{x.active ? "actif" : `désactivé${x.deactivatedAt ? ` le ${when(x.deactivatedAt)}` : ""}`}</dd>
        <dt>Seconde vérification</dt>
        <dd>{x.hasSecondFactor ? "active" : "pas encore active"}</dd>
        <dt>Dernière connexion</dt>
        <dd>{x.lastLoginAt ? when(x.lastLoginAt) : "jamais"}</dd>
      </dl>
      <h2>Organisations et rôles</h2>
      {p.memberships.length === 0 ? <p>Aucun rôle dans une organisation que vous administrez.</p> : null}
      <ul class="account-list">
        {p.memberships.map((m) => (
          <li key={m.id}>
            <a href={`/admin/organisations/${m.organisationId}`}>{m.organisation.name}</a> —{" "}
            {ROLE_LABELS[m.role]}
            {p.canChange(m) ? (
              <>
                <form method="post" action={`/admin/personnes/${x.id}/roles/${m.id}`} class="inline-form">
                  <Csrf token={p.nav.csrf} />
                  <label for={`role-${m.id}`}>Nouveau rôle dans {m.organisation.name}</label>{" "}
                  <select id={`role-${m.id}`} name="role">
                    {p.roles.map((r) => (
                      <option key={r} value={r} selected={r === m.role}>
                        {ROLE_LABELS[r]}
                      </option>
                    ))}
                  </select>{" "}
                  <button type="submit" class="secondary">
                    Changer le rôle
                  </button>
                </form>
                <form method="post" action={`/admin/personnes/${x.id}/roles/${m.id}/retirer`}>
                  <Csrf token={p.nav.csrf} />
                  <button
                    type="submit"
                    class="secondary"
                    aria-label={`Retirer le rôle ${ROLE_LABELS[m.role]} dans ${m.organisation.name}`}
                  >
                    Retirer ce rôle
                  </button>
                </form>
              </>
            ) : null}
          </li>
        ))}
      </ul>
      {p.hidden > 0 ? (
        <p>{count(p.hidden, "autre rôle", "autres rôles")} hors de votre territoire (non affichés).</p>
      ) : null}
      {p.canDeactivate ? (
        <>
          <h2>Désactiver le compte</h2>
          <p>
            <a href={`/admin/personnes/${x.id}/desactiver`}>Désactiver le compte de {x.name}</a>
          </p>
        </>
      ) : null}
      <p>
        <a href={`/admin/journal?personne=${x.id}`}>Voir ses actions dans le journal</a>
      </p>
    </Frame>
  );
}

export function DeactivatePage(p: { nav: AdminNav; person: StoredPerson }): VNode {
  const x = p.person;
  return (
    <Frame nav={p.nav} title={`Désactiver le compte de ${x.name}`} current="/admin/personnes">
      <h1>Désactiver le compte de {x.name}</h1>
      <p>
        {x.name} ({x.email}) ne pourra plus se connecter ; ses sessions ouvertes et ses jetons d'accès à l'API
        seront fermés tout de suite. Le journal garde la trace de ses actions.
      </p>
      <form method="post" action={`/admin/personnes/${x.id}/desactiver`} class="account-form">
        <Csrf token={p.nav.csrf} />
        <div class="field">
          <input type="checkbox" id="confirmation" name="confirmation" value="oui" required />{" "}
          <label for="confirmation">Je confirme la désactivation de ce compte</label>
        </div>
        <button type="submit">Désactiver le compte</button> <a href={`/admin/personnes/${x.id}`}>Annuler</a>
      </form>
    </Frame>
  );
}

// ——— the journal

export interface JournalQuery {
  personne: string;
  action: string;
  cible: string;
  du: string;
  au: string;
}

export function JournalPage(p: {
  nav: AdminNav;
  entries: JournalEntry[];
  emails: Map<number, string>;
  total: number;
  page: number;
  pageSize: number;
  query: JournalQuery;
  problem?: string;
  canExport: boolean;
}): VNode {
  const q = p.query;
  const params = { ...q } as Record<string, string>;
  const exportQuery = new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();
  return (
    <Frame nav={p.nav} title="Journal" current="/admin/journal" problem={p.problem}>
      <h1>Journal</h1>
      <p>
        Qui a fait quoi, pour quelle organisation, quand et depuis quelle adresse. Les plus récentes d'abord.
      </p>
      <Problem text={p.problem} />
      <form method="get" action="/admin/journal" class="account-form">
        <div class="field">
          <label for="personne">
            Personne <span class="hint">(e-mail ou numéro)</span>
          </label>
          <input type="text" id="personne" name="personne" maxLength={254} value={q.personne} />
        </div>
        <div class="field">
          <label for="action">
            Action <span class="hint">(par exemple connexion, organisation.creer)</span>
          </label>
          <input type="text" id="action" name="action" maxLength={100} value={q.action} />
        </div>
        <div class="field">
          <label for="cible">
            Cible <span class="hint">(par exemple personne:12, organisation:3)</span>
          </label>
          <input type="text" id="cible" name="cible" maxLength={200} value={q.cible} />
        </div>
        <div class="field">
          <label for="du">
            Du <span class="hint">(AAAA-MM-JJ)</span>
          </label>
          <input type="text" id="du" name="du" maxLength={10} value={q.du} />
        </div>
        <div class="field">
          <label for="au">
            Au <span class="hint">(AAAA-MM-JJ, inclus)</span>
          </label>
          <input type="text" id="au" name="au" maxLength={10} value={q.au} />
        </div>
        <button type="submit">Filtrer</button>
      </form>
      <p role="status">{count(p.total, "ligne", "lignes")}</p>
      {p.canExport ? (
        <p>
          <a href={`/admin/journal.csv${exportQuery ? `?${exportQuery}` : ""}`}>
            Télécharger ces lignes (tableur CSV)
          </a>
        </p>
      ) : null}
      {p.entries.length > 0 ? (
        <TableRegion label="journal">
          <table>
            <caption>Lignes du journal, les plus récentes d'abord</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Personne</th>
                <th scope="col">Rôle</th>
                <th scope="col">Action</th>
                <th scope="col">Cible</th>
                <th scope="col">Adresse</th>
              </tr>
            </thead>
            <tbody>
              {p.entries.map((e) => (
                <tr key={e.id}>
                  <td>{when(e.at)}</td>
                  <td>
                    {e.personId === null ? "—" : (p.emails.get(e.personId) ?? `personne n° ${e.personId}`)}
                  </td>
                  <td>{e.role ? ROLE_LABELS[e.role] : "—"}</td>
                  <td>{e.action}</td>
                  <td>{e.target ?? "—"}</td>
                  <td>{e.address ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      ) : null}
      <Pager
        path="/admin/journal"
        params={params}
        page={p.page}
        total={p.total}
        pageSize={p.pageSize}
        label="Pages du journal"
      />
    </Frame>
  );
}
