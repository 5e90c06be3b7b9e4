import type { VNode } from "preact";
import { Layout } from "./layout.tsx";

const TEXTS: Record<number, { title: string; body: string }> = {
  400: {
    title: "La demande n'est pas complète",
    body: "Certaines informations manquent ou ne sont pas au bon format.",
  },
  404: {
    title: "Page introuvable",
    body: "Cette page n'existe pas ou plus. L'adresse est peut-être mal écrite, ou le territoire a changé de code.",
  },
  405: {
    title: "Action impossible à cette adresse",
    body: "Cette adresse existe, mais pas pour cette action.",
  },
  413: {
    title: "Demande trop grande",
    body: "Ce que vous avez envoyé est trop grand.",
  },
  414: {
    title: "Adresse trop longue",
    body: "L'adresse demandée est trop longue.",
  },
  415: {
    title: "Format non pris en charge",
    body: "Ce format n'est pas accepté.",
  },
  429: {
    title: "Trop de demandes",
    body: "Vous avez fait beaucoup de demandes en peu de temps. Attendez une minute.",
  },
  503: {
    title: "Le service est très demandé",
    body: "Beaucoup de calculs sont en cours. Réessayez dans quelques secondes.",
  },
  500: {
    title: "Le service a un problème",
    body: "Une erreur s'est produite de notre côté. Ce n'est pas de votre faute. Réessayez dans quelques minutes.",
  },
};

/** A plain-French error page with a way forward. */
export function ErrorPage({ status, message }: { status: number; message?: string }): VNode {
  const text = TEXTS[status] ?? (status >= 500 ? TEXTS[500] : TEXTS[400]) ?? { title: "Erreur", body: "" };
  return (
    <Layout title={text.title}>
      <h1>{text.title}</h1>
      <p class="lead">{message ?? text.body}</p>
      <p>Vous pouvez :</p>
      <ul>
        <li>
          <a href="/">revenir à l'accueil</a> ;
        </li>
        <li>
          <a href="/territoires">chercher une commune, une intercommunalité, un département ou une région</a>.
        </li>
      </ul>
      <p class="muted">Code d'erreur : {status}</p>
    </Layout>
  );
}
