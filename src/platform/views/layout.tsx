import type { ComponentChildren, VNode } from "preact";
import { render } from "preact-render-to-string";

export interface PageProps {
  title: string;
  /** Short description for search engines and link previews. */
  description?: string;
  children: ComponentChildren;
  /** Where the person is, for `aria-current` in the menu. */
  current?: string;
  /**
   * Who is signed in (« Connecté : … » and the sign-out button), given only by the account pages: public pages are
   * the same for everyone (they are cached per address).
   */
  account?: ComponentChildren;
  /** Seconds after which the page reloads itself (a progress page that works without JavaScript). */
  refresh?: number;
}

const NAV: { href: string; label: string }[] = [
  { href: "/", label: "Accueil" },
  { href: "/trouver", label: "Trouver de l'aide" },
  { href: "/diagnostic", label: "Diagnostic" },
  { href: "/territoires", label: "Territoires" },
  { href: "/lieux", label: "Lieux" },
  { href: "/fragilite", label: "Fragilité" },
  { href: "/couverture", label: "Couverture" },
  { href: "/connexion", label: "Espace professionnel" },
];

const SITE_NAME = "Maillage";

function NavList({ current }: { current: string | undefined }): VNode {
  return (
    <ul class="nav">
      {NAV.map((n) => (
        <li key={n.href}>
          <a href={n.href} aria-current={current === n.href ? "page" : undefined}>
            {n.label}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** The frame of every page: skip link, header with menu, main, footer. */
export function Layout({ title, description, children, current, account, refresh }: PageProps): VNode {
  return (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${SITE_NAME}`}</title>
        {description ? <meta name="description" content={description} /> : null}
        {refresh ? <meta http-equiv="refresh" content={String(refresh)} /> : null}
        <link rel="stylesheet" href="/assets/style.css" />
        <script type="module" src="/assets/app.js" />
      </head>
      <body>
        <a class="skip-link" href="#contenu">
          Aller au contenu
        </a>
        <header class="site-header">
          <div class="wrap">
            <a class="brand" href="/">
              {SITE_NAME}
              <span class="brand-tagline">l'inclusion numérique sur votre territoire</span>
            </a>
            <nav class="nav-wide" aria-label="Menu principal">
              <NavList current={current} />
            </nav>
            {/* On a phone the same links fold into a menu that opens without JavaScript. */}
            <details class="nav-narrow">
              <summary>Menu</summary>
              <nav aria-label="Menu">
                <NavList current={current} />
              </nav>
            </details>
          </div>
          {account ? <div class="wrap account-bar">{account}</div> : null}
        </header>
        <main id="contenu" class="wrap" tabIndex={-1}>
          {children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
            <p>
              Maillage est un logiciel libre. Données publiques : INSEE (Code officiel géographique 2025),
              IGN, La Poste, ANCT — <a href="/a-propos/donnees">sources des données</a> ·{" "}
              <a href="/api">API</a>.
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}

export function renderPage(vnode: VNode): string {
  return `<!doctype html>${render(vnode)}`;
}
