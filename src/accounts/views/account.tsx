/** « Mon compte »: profile, password, second factor, API tokens, open sessions, my data; and the signed-in header. */

import type { VNode } from "preact";
import { formatDateTime } from "../../platform/format.ts";
import { Layout } from "../../platform/views/layout.tsx";
import { type Actor, ROLE_LABELS, type Role } from "../model.ts";
import { ACTION_RULES, type Action } from "../policy.ts";
import type { ApiToken, MembershipWithOrganisation, StoredPerson } from "../store.ts";
import { Csrf, membershipLabel, Notice, Problem } from "./signin.tsx";

/** Dates of the account pages are in metropolitan France's time (the instance's sessions, not a place's hours). */
const ZONE = "Europe/Paris";
const when = (d: Date) => formatDateTime(d, ZONE);

/** « Connecté : Nom — Organisation (rôle) » and the sign-out button, in the header of the account pages. */
export function SignedIn({ actor, csrf }: { actor: Actor; csrf: string }): VNode {
  return (
    <>
      <p>
        Connecté : <strong>{actor.person.name}</strong> — {actor.organisation.name} (
        {ROLE_LABELS[actor.membership.role]}) · <a href="/mon-compte">Mon compte</a>
      </p>
      <form method="post" action="/deconnexion">
        <Csrf token={csrf} />
        <button type="submit" class="secondary">
          Se déconnecter
        </button>
      </form>
    </>
  );
}

interface SessionLine {
  ref: string;
  createdAt: Date;
  lastSeenAt: Date;
  address: string | null;
  userAgent: string | null;
  current: boolean;
}

export type AccountForm = "profil" | "motdepasse" | "facteur" | "jetons" | "sessions";

export interface AccountProps {
  actor: Actor;
  csrf: string;
  person: StoredPerson;
  memberships: MembershipWithOrganisation[];
  sessions: SessionLine[];
  tokens: ApiToken[];
  codesLeft: number;
  notice?: string;
  problem?: { form: AccountForm; text: string };
  /** A token just created, shown once. */
  newToken?: { label: string; value: string };
}

const problemOf = (p: AccountProps, form: AccountForm) =>
  p.problem?.form === form ? <Problem text={p.problem.text} /> : null;

export function AccountPage(p: AccountProps): VNode {
  const { person } = p;
  return (
    <Layout
      title={p.problem ? "Erreur : Mon compte" : "Mon compte"}
      account={<SignedIn actor={p.actor} csrf={p.csrf} />}
    >
      <h1>Mon compte</h1>
      <Notice text={p.notice} />
      {p.newToken ? (
        <div class="notice" role="status">
          <p>
            Votre jeton « {p.newToken.label} » est créé. Copiez-le maintenant :{" "}
            <strong>il ne sera plus affiché</strong>.
          </p>
          <p class="account-secret">{p.newToken.value}</p>
        </div>
      ) : null}

      <h2>Mes organisations</h2>
      <ul>
        {p.memberships.map((m) => (
          <li key={m.id}>
            {membershipLabel(m)}
            {m.id === p.actor.membership.id ? <strong> — vous agissez pour celle-ci</strong> : null}
          </li>
        ))}
      </ul>
      {p.memberships.length > 1 ? (
        <p>
          <a href="/connexion/role">Agir pour une autre organisation</a>
        </p>
      ) : null}
      <WorkSpaces role={p.actor.membership.role} />
      <p>
        <a href="/admin/organisations">Les organisations</a>
        {ACTION_RULES["personne.lire"].reach[p.actor.membership.role] === "territoire" ||
        p.actor.membership.role === "admin" ? (
          <>
            {" · "}
            <a href="/admin/personnes">Les personnes</a>
            {" · "}
            <a href="/admin/journal">Le journal</a>
          </>
        ) : null}
      </p>

      <h2 id="profil">Mon profil</h2>
      {problemOf(p, "profil")}
      <form method="post" action="/mon-compte/profil" class="account-form">
        <Csrf token={p.csrf} />
        <p>
          Adresse e-mail (votre identifiant) : <strong>{person.email}</strong>
        </p>
        <div class="field">
          <label for="nom">Nom et prénom</label>
          <input
            type="text"
            id="nom"
            name="nom"
            required
            maxLength={200}
            value={person.name}
            autocomplete="name"
          />
        </div>
        <div class="field">
          <label for="telephone">
            Téléphone <span class="hint">(facultatif)</span>
          </label>
          <input type="tel" id="telephone" name="telephone" maxLength={30} value={person.phone ?? ""} />
        </div>
        <button type="submit">Enregistrer le profil</button>
      </form>

      <h2 id="motdepasse">Mon mot de passe</h2>
      {problemOf(p, "motdepasse")}
      <form method="post" action="/mon-compte/mot-de-passe" class="account-form">
        <Csrf token={p.csrf} />
        <div class="field">
          <label for="actuel">Mot de passe actuel</label>
          <input type="password" id="actuel" name="actuel" required autocomplete="current-password" />
        </div>
        <div class="field">
          <label for="nouveau">
            Nouveau mot de passe <span class="hint">(12 caractères au moins, difficile à deviner)</span>
          </label>
          <input
            type="password"
            id="nouveau"
            name="nouveau"
            required
            minLength={12}
            autocomplete="new-password"
          />
        </div>
        <button type="submit">Changer le mot de passe</button>
        <p class="hint">Vos autres sessions ouvertes seront fermées.</p>
      </form>

      <h2 id="facteur">Seconde vérification</h2>
      {problemOf(p, "facteur")}
      {person.hasSecondFactor ? (
        <>
          <p>
            Active, avec une application d'authentification. Codes de secours encore utilisables :{" "}
            {p.codesLeft}.
          </p>
          <form method="post" action="/mon-compte/codes-de-secours" class="account-form">
            <Csrf token={p.csrf} />
            <div class="field">
              <label for="code-facteur">Code à 6 chiffres de votre application</label>
              <input
                type="text"
                id="code-facteur"
                name="code"
                inputMode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9 ]{6,7}"
                maxLength={7}
                required
              />
            </div>
            <button type="submit">Remplacer mes codes de secours</button>
          </form>
        </>
      ) : (
        <p>
          Pas encore active. <a href="/mon-compte/second-facteur">Activer la seconde vérification</a>
        </p>
      )}

      <h2 id="jetons">Mes jetons d'accès à l'API</h2>
      <p>
        Un jeton permet à un logiciel d'utiliser l'API de Maillage en votre nom (en-tête{" "}
        <code>Authorization: Bearer …</code>).
      </p>
      {problemOf(p, "jetons")}
      {p.tokens.length > 0 ? (
        <ul class="account-list">
          {p.tokens.map((t) => (
            <li key={t.id}>
              <strong>{t.label}</strong> — créé le {when(t.createdAt)}
              {t.expiresAt ? `, expire le ${when(t.expiresAt)}` : ""}
              {t.lastUsedAt ? `, dernier usage le ${when(t.lastUsedAt)}` : ", jamais utilisé"}
              {t.revokedAt ? (
                ` — révoqué le ${when(t.revokedAt)}`
              ) : (
                <form method="post" action={`/mon-compte/jetons/${t.id}/revoquer`}>
                  {" "}
                  <Csrf token={p.csrf} />
                  <button type="submit" class="secondary" aria-label={`Révoquer le jeton ${t.label}`}>
                    Révoquer
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p>Aucun jeton.</p>
      )}
      <form method="post" action="/mon-compte/jetons" class="account-form">
        <Csrf token={p.csrf} />
        <div class="field">
          <label for="libelle">Nom du jeton (à quoi il sert)</label>
          <input type="text" id="libelle" name="libelle" required maxLength={100} />
        </div>
        <div class="field">
          <label for="jours">
            Valable pendant (jours) <span class="hint">(vide : jusqu'à ce que vous le révoquiez)</span>
          </label>
          <input type="text" id="jours" name="jours" inputMode="numeric" pattern="[0-9]{1,4}" maxLength={4} />
        </div>
        <button type="submit">Créer un jeton</button>
      </form>

      <h2 id="sessions">Mes sessions ouvertes</h2>
      {problemOf(p, "sessions")}
      <ul class="account-list">
        {p.sessions.map((s) => (
          <li key={s.ref}>
            Ouverte le {when(s.createdAt)}, vue le {when(s.lastSeenAt)}
            {s.address ? ` depuis l'adresse ${s.address}` : ""}
            {s.userAgent ? ` (${s.userAgent.slice(0, 80)})` : ""}
            {s.current ? (
              <strong> — cette session</strong>
            ) : (
              <form method="post" action={`/mon-compte/sessions/${s.ref}/fermer`}>
                {" "}
                <Csrf token={p.csrf} />
                <button
                  type="submit"
                  class="secondary"
                  aria-label={`Fermer la session ouverte le ${when(s.createdAt)}`}
                >
                  Fermer
                </button>
              </form>
            )}
          </li>
        ))}
      </ul>
      {p.sessions.length > 1 ? (
        <form method="post" action="/mon-compte/sessions/fermer-les-autres">
          <Csrf token={p.csrf} />
          <button type="submit">Fermer toutes mes autres sessions</button>
        </form>
      ) : null}

      <h2 id="donnees">Mes données</h2>
      <p>
        Tout ce que Maillage garde sur vous : profil, organisations, sessions, jetons (sans leur valeur) et
        les lignes du journal à votre nom.
      </p>
      <p>
        <a class="button secondary" href="/mon-compte/donnees" download>
          Télécharger mes données (JSON)
        </a>
      </p>
    </Layout>
  );
}

/** The work spaces a role has (each page still asks the policy with its target). */
function WorkSpaces({ role }: { role: Role }): VNode | null {
  const reaches = (action: Action) => ACTION_RULES[action].reach[role] !== undefined;
  const spaces = [
    ...((["pass.commander", "pass.attribuer", "pass.remettre", "pass.encaisser"] as const).some(reaches)
      ? [{ href: "/pass", label: "Pass numérique" }]
      : []),
    ...(reaches("mandat.consulter") ? [{ href: "/mandats", label: "Mandats" }] : []),
    ...(reaches("aidant.habiliter")
      ? [{ href: "/mandats/habilitations", label: "Habilitation des aidants" }]
      : []),
  ];
  if (spaces.length === 0) return null;
  return (
    <nav aria-label="Mes espaces de travail">
      <ul class="admin-menu">
        {spaces.map((x) => (
          <li key={x.href}>
            <a href={x.href}>{x.label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
