/** The sign-in pages: e-mail and password, the organisation to act for, the second factor and its enrolment. */
import type { ComponentChildren, VNode } from "preact";
import { Layout } from "../../platform/views/layout.tsx";
import { ROLE_LABELS } from "../model.ts";
import type { MembershipWithOrganisation } from "../store.ts";

export function Csrf({ token }: { token: string }): VNode {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A problem said at the top of a form, read first by screen readers. */
export function Problem({ text }: { text?: string }): VNode | null {
  return text ? (
    <div class="account-error" role="alert" id="erreur">
      <p>{text}</p>
    </div>
  ) : null;
}

export function Notice({ text }: { text?: string }): VNode | null {
  return text ? (
    <div class="notice" role="status">
      <p>{text}</p>
    </div>
  ) : null;
}

/** Keeps the page to come back to through the steps of signing in. */
const Back = ({ retour }: { retour?: string }) =>
  retour ? <input type="hidden" name="retour" value={retour} /> : null;

function Frame(props: { title: string; problem?: string; children: ComponentChildren }): VNode {
  return (
    <Layout title={props.problem ? `Erreur : ${props.title}` : props.title} current="/connexion">
      <div class="diag">{props.children}</div>
    </Layout>
  );
}

export function LoginPage(p: {
  csrf: string;
  email?: string;
  problem?: string;
  notice?: string;
  retour?: string;
}): VNode {
  return (
    <Frame title="Connexion à l'espace professionnel" problem={p.problem}>
      <h1>Connexion à l'espace professionnel</h1>
      <p class="lead">
        Pour les professionnels de l'inclusion numérique invités par leur coordination. Les pages publiques
        restent ouvertes à tous, sans compte.
      </p>
      <Notice text={p.notice} />
      <Problem text={p.problem} />
      <form method="post" action="/connexion" class="account-form">
        <Csrf token={p.csrf} />
        <Back retour={p.retour} />
        <div class="field">
          <label for="email">Adresse e-mail</label>
          <input
            type="email"
            id="email"
            name="email"
            autocomplete="username"
            required
            value={p.email ?? ""}
            aria-describedby={p.problem ? "erreur" : undefined}
          />
        </div>
        <div class="field">
          <label for="motdepasse">Mot de passe</label>
          <input type="password" id="motdepasse" name="motdepasse" autocomplete="current-password" required />
        </div>
        <button type="submit">Se connecter</button>
      </form>
      <p>
        <a href="/mot-de-passe-oublie">Mot de passe oublié ?</a>
      </p>
      <p>
        Pas encore de compte ? Demandez à la personne qui coordonne l'inclusion numérique de votre territoire
        de vous envoyer une invitation.
      </p>
    </Frame>
  );
}

export const membershipLabel = (m: MembershipWithOrganisation) =>
  `${m.organisation.name} (${ROLE_LABELS[m.role]})`;

export function RolePage(p: {
  csrf: string;
  memberships: MembershipWithOrganisation[];
  current: number | null;
  problem?: string;
  retour?: string;
}): VNode {
  return (
    <Frame title="Pour quelle organisation agissez-vous ?" problem={p.problem}>
      <h1>Pour quelle organisation agissez-vous ?</h1>
      <p>Tout ce que vous ferez sera enregistré au nom de cette organisation et de ce rôle.</p>
      <Problem text={p.problem} />
      <form method="post" action="/connexion/role" class="account-form">
        <Csrf token={p.csrf} />
        <Back retour={p.retour} />
        <fieldset class="diag-choices">
          <legend>Organisation et rôle</legend>
          {p.memberships.map((m) => (
            <label class="diag-choice" key={m.id}>
              <input type="radio" name="membre" value={String(m.id)} required checked={m.id === p.current} />
              <span>{membershipLabel(m)}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit">Continuer</button>
      </form>
    </Frame>
  );
}

export function SecondFactorPage(p: { csrf: string; problem?: string; retour?: string }): VNode {
  return (
    <Frame title="Code de votre application" problem={p.problem}>
      <h1>Code de votre application</h1>
      <p>Votre rôle demande une seconde vérification. Ouvrez votre application d'authentification.</p>
      <Problem text={p.problem} />
      <form method="post" action="/connexion/second-facteur" class="account-form">
        <Csrf token={p.csrf} />
        <Back retour={p.retour} />
        <div class="field">
          <label for="code">
            Code à 6 chiffres <span class="hint">(il change toutes les 30 secondes)</span>
          </label>
          <input
            type="text"
            id="code"
            name="code"
            inputMode="numeric"
            autocomplete="one-time-code"
            pattern="[0-9 ]{6,7}"
            maxLength={7}
          />
        </div>
        <details>
          <summary>Je n'ai pas mon téléphone : utiliser un code de secours</summary>
          <div class="field">
            <label for="secours">
              Code de secours{" "}
              <span class="hint">(par exemple K7M3Q-WXA9F ; chaque code ne sert qu'une fois)</span>
            </label>
            <input type="text" id="secours" name="secours" autocomplete="off" maxLength={20} />
          </div>
        </details>
        <button type="submit">Vérifier</button>
      </form>
    </Frame>
  );
}

export function EnrolPage(p: {
  csrf: string;
  action: string;
  secret: string;
  qrSvg: string;
  problem?: string;
  retour?: string;
  account?: ComponentChildren;
}): VNode {
  const grouped = p.secret.replace(/(.{4})/g, "$1 ").trim();
  return (
    <Layout
      title={p.problem ? "Erreur : Activer la seconde vérification" : "Activer la seconde vérification"}
      current="/connexion"
      account={p.account}
    >
      <div class="diag">
        <h1>Activer la seconde vérification</h1>
        <p>
          Installez une application d'authentification sur votre téléphone (par exemple FreeOTP, Aegis, Google
          Authenticator ou Microsoft Authenticator), puis ajoutez-y votre compte Maillage :
        </p>
        <ol>
          <li>
            scannez ce code QR avec l'application,
            <div
              class="account-qr"
              role="img"
              aria-label="Code QR à scanner avec votre application d'authentification"
              dangerouslySetInnerHTML={{ __html: p.qrSvg }}
            />
          </li>
          <li>
            ou tapez cette clé dans l'application : <span class="account-secret">{grouped}</span>
          </li>
        </ol>
        <Problem text={p.problem} />
        <form method="post" action={p.action} class="account-form">
          <Csrf token={p.csrf} />
          <Back retour={p.retour} />
          <input type="hidden" name="cle" value={p.secret} />
          <div class="field">
            <label for="code">Code à 6 chiffres affiché par l'application</label>
            <input
              type="text"
              id="code"
              name="code"
              inputMode="numeric"
              autocomplete="one-time-code"
              pattern="[0-9 ]{6,7}"
              maxLength={7}
              required
            />
          </div>
          <button type="submit">Activer</button>
        </form>
      </div>
    </Layout>
  );
}

export function RecoveryCodesPage(p: { codes: string[]; next: string; account?: ComponentChildren }): VNode {
  return (
    <Layout title="Vos codes de secours" current="/connexion" account={p.account}>
      <div class="diag">
        <h1>Vos codes de secours</h1>
        <Notice text="La seconde vérification est active." />
        <p>
          Notez ou imprimez ces dix codes et gardez-les à l'abri : ils remplacent votre téléphone si vous le
          perdez. Chaque code ne sert qu'une fois. <strong>Ils ne seront plus affichés.</strong>
        </p>
        <ol class="account-codes">
          {p.codes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ol>
        <p>
          <a class="button" href={p.next}>
            J'ai noté mes codes, continuer
          </a>
        </p>
      </div>
    </Layout>
  );
}
