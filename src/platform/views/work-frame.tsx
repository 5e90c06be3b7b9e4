/** The frame of a work space's page (pass numérique, mandates, activity reports): the signed-in header, its menu. */
import type { ComponentChildren, VNode } from "preact";
import { Layout } from "./layout.tsx";

/** What a work space's page carries: the signed-in header and the links of its menu the actor may follow. */
export interface WorkNav {
  account: ComponentChildren;
  links: { href: string; label: string }[];
}

export function WorkFrame(p: {
  /** The menu's name for screen readers (« Pass numérique », « Mandats »…). */
  space: string;
  nav: WorkNav;
  title: string;
  current: string;
  problem?: string;
  children: ComponentChildren;
}): VNode {
  return (
    <Layout title={p.problem ? `Erreur : ${p.title}` : p.title} account={p.nav.account}>
      <nav aria-label={p.space}>
        <ul class="admin-menu">
          {p.nav.links.map((l) => (
            <li key={l.href}>
              <a href={l.href} aria-current={p.current === l.href ? "page" : undefined}>
                {l.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {p.children}
    </Layout>
  );
}
