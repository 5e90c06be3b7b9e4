/** The pages of a single-use link (invitation, set-up, reset) and « Mot de passe oublié ». */
import type { ComponentChildren, VNode } from "preact";
import { formatDateTime } from "../../platform/format.ts";
import { Layout } from "../../platform/views/layout.tsx";
import { ROLE_LABELS, type Role } from "../model.ts";
import type { InvitationPurpose } from "../store.ts";
import { Csrf, Notice, Problem } from "./signin.tsx";

const when = (d: Date) => formatDateTime(d, "Europe/Paris");

function Frame(props: { title: string; problem?: string; children: ComponentChildren }): VNode {
  return (
    <Layout title={props.problem ? `Erreur : ${props.title}` : props.title} current="/connexion">
      <div class="diag">{props.children}</div>
    </Layout>
  );
}

const TITLES: Record<InvitationPurpose, string> = {
  invitation: "Accepter l'invitation",
  installation: "Activer votre compte",
  reinitialisation: "Choisir un nouveau mot de passe",
};

export interface LinkView {
  purpose: InvitationPurpose;
  email: string;
  organisation: string;
  role: Role;
  expiresAt: Date;
  /** The e-mail already has an account with a password: the invitation asks for it instead of a new one. */
  existingAccount: boolean;
}

export function LinkPage(p: {
  csrf: string;
  action: string;
  link: LinkView;
  name?: string;
  problem?: string;
}) {
  const l = p.link;
  const title = TITLES[l.purpose];
  return (
    <Frame title={title} problem={p.problem}>
      <h1>{title}</h1>
      {l.purpose === "reinitialisation" ? (
        <p>
          Compte : <strong>{l.email}</strong>. Une fois le mot de passe changé, toutes vos sessions ouvertes
          sont fermées.
        </p>
      ) : (
        <p>
          <strong>{l.email}</strong> est invité(e) à rejoindre <strong>{l.organisation}</strong> avec le rôle
          « {ROLE_LABELS[l.role]} ».
        </p>
      )}
      <p class="hint">Ce lien ne sert qu'une fois ; il est valable jusqu'au {when(l.expiresAt)}.</p>
      <Problem text={p.problem} />
      <form method="post" action={p.action} class="account-form">
        <Csrf token={p.csrf} />
        {l.existingAccount ? (
          <>
            <p>Vous avez déjà un compte Maillage : confirmez avec votre mot de passe actuel.</p>
            <div class="field">
              <label for="motdepasse">Mot de passe actuel</label>
              <input
                type="password"
                id="motdepasse"
                name="motdepasse"
                required
                autocomplete="current-password"
              />
            </div>
            <button type="submit">Accepter l'invitation</button>
          </>
        ) : (
          <>
            {l.purpose === "reinitialisation" ? null : (
              <div class="field">
                <label for="nom">Nom et prénom</label>
                <input
                  type="text"
                  id="nom"
                  name="nom"
                  required
                  maxLength={200}
                  autocomplete="name"
                  value={p.name ?? ""}
                />
              </div>
            )}
            <div class="field">
              <label for="motdepasse">
                Mot de passe <span class="hint">(12 caractères au moins, difficile à deviner)</span>
              </label>
              <input
                type="password"
                id="motdepasse"
                name="motdepasse"
                required
                minLength={12}
                autocomplete="new-password"
                aria-describedby={p.problem ? "erreur" : undefined}
              />
            </div>
            <div class="field">
              <label for="confirmation">Le même mot de passe, une seconde fois</label>
              <input
                type="password"
                id="confirmation"
                name="confirmation"
                required
                minLength={12}
                autocomplete="new-password"
              />
            </div>
            <button type="submit">
              {l.purpose === "reinitialisation" ? "Changer le mot de passe" : title}
            </button>
          </>
        )}
      </form>
    </Frame>
  );
}

/** An unknown, used or expired link: nothing was changed. */
export function LinkInvalidPage(): VNode {
  return (
    <Frame title="Lien plus valable">
      <h1>Ce lien n'est plus valable</h1>
      <p>
        Il a déjà servi, il a expiré (il est valable 72 heures) ou il est incomplet. Rien n'a été modifié.
      </p>
      <p>
        Demandez un nouveau lien à la personne qui vous l'a envoyé, ou, si vous avez oublié votre mot de
        passe, <a href="/mot-de-passe-oublie">demandez-en un nouveau</a>.
      </p>
    </Frame>
  );
}

export function LinkDonePage(p: { purpose: InvitationPurpose }): VNode {
  const text =
    p.purpose === "reinitialisation"
      ? "Votre mot de passe est changé ; vos sessions ouvertes ont été fermées."
      : "Votre compte est prêt.";
  return (
    <Frame title="C'est fait">
      <h1>C'est fait</h1>
      <Notice text={text} />
      <p>
        <a class="button" href="/connexion">
          Se connecter
        </a>
      </p>
    </Frame>
  );
}

export function ForgottenPage(p: { csrf: string; sent?: boolean; email?: string; problem?: string }): VNode {
  return (
    <Frame title="Mot de passe oublié" problem={p.problem}>
      <h1>Mot de passe oublié</h1>
      {p.sent ? (
        <Notice text="Si un compte actif a cette adresse, un e-mail vient de lui être envoyé avec un lien pour choisir un nouveau mot de passe (valable 72 heures). Pensez à regarder dans les indésirables." />
      ) : (
        <p>
          Indiquez l'adresse e-mail de votre compte : vous recevrez un lien pour choisir un nouveau mot de
          passe.
        </p>
      )}
      <Problem text={p.problem} />
      <form method="post" action="/mot-de-passe-oublie" class="account-form">
        <Csrf token={p.csrf} />
        <div class="field">
          <label for="email">Adresse e-mail</label>
          <input
            type="email"
            id="email"
            name="email"
            autocomplete="username"
            required
            maxLength={254}
            value={p.email ?? ""}
            aria-describedby={p.problem ? "erreur" : undefined}
          />
        </div>
        <button type="submit">Recevoir un lien</button>
      </form>
      <p>
        Pas d'e-mail reçu ? Demandez à la personne qui coordonne l'inclusion numérique de votre territoire de
        vous envoyer un lien.
      </p>
    </Frame>
  );
}
