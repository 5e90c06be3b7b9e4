/**
 * Who may reach each route, in one table kept in the repository: every route the server registers has one entry,
 * `"METHOD /pattern"` (Fastify's route URL) → its access. The gate (`gate`, an `onRequest` hook installed right
 * after the actor is resolved) refuses early what the table refuses; the handler still asks `authorize` with the
 * target's territory or organisation. A route without an entry is refused (default deny) and logged, and the
 * route × role test (test/accounts-matrix.test.ts) fails.
 */
import type { FastifyInstance } from "fastify";
import type { Actor } from "./model.ts";
import { ACTION_RULES, type Action } from "./policy.ts";

/**
 * - `public`: anyone, signed in or not (the page may show more to a signed-in person, never less).
 * - `machine`: guarded by the platform, not by a person: the `/admin/…` endpoints of the commands (the server's
 *   token, platform/admin.ts) and `/metrics` (addresses or the admin token). A session gives nothing there.
 * - `connexion`: a step of signing in: a live session, even before the organisation is chosen or the second
 *   factor passed.
 * - `compte`: any signed-in person (past the second factor when their role needs one).
 * - an `Action` of the policy: a signed-in person whose role has some reach for that action.
 */
export type Access = "public" | "machine" | "connexion" | "compte" | Action;

/**
 * The table. A `GET` entry covers the `HEAD` route Fastify adds for it (the same handler without the body).
 * One line per route; the matrix test fails on a route missing here and on a line naming no route.
 */
export const ROUTE_ACCESS: Record<string, Access> = {
  // Platform
  "GET /": "public",
  "GET /assets/style.css": "public",
  "GET /assets/app.js": "public",
  "GET /assets/maplibre/:file": "public",
  "GET /assets/orientation.js": "public",
  "GET /favicon.ico": "public",
  "GET /a-propos/donnees": "public",
  "GET /api": "public",
  "GET /api/v1/openapi.json": "public",
  "GET /sante": "public",
  "GET /sante/pret": "public",
  "GET /metrics": "machine",
  "GET /admin/sauvegarde": "machine",
  // Territories
  "GET /territoires": "public",
  "GET /territoires/:id": "public",
  "GET /api/v1/territoires": "public",
  "GET /api/v1/territoires/:id": "public",
  // Accounts
  "GET /connexion": "public",
  "POST /connexion": "public",
  "GET /connexion/role": "connexion",
  "POST /connexion/role": "connexion",
  "GET /connexion/second-facteur": "connexion",
  "POST /connexion/second-facteur": "connexion",
  "POST /deconnexion": "public",
  "GET /mon-compte": "compte",
  "POST /mon-compte/profil": "compte",
  "POST /mon-compte/mot-de-passe": "compte",
  "GET /mon-compte/second-facteur": "compte",
  "POST /mon-compte/second-facteur": "compte",
  "POST /mon-compte/codes-de-secours": "compte",
  "POST /mon-compte/jetons": "compte",
  "POST /mon-compte/jetons/:id/revoquer": "compte",
  "POST /mon-compte/sessions/:ref/fermer": "compte",
  "POST /mon-compte/sessions/fermer-les-autres": "compte",
  "GET /mon-compte/donnees": "compte",
  "GET /api/v1/moi": "compte",
  // Administration pages (admin-routes.tsx): each handler asks `authorize` with the target's territory
  "GET /admin/organisations": "organisation.lire",
  "GET /admin/organisations/nouvelle": "organisation.creer",
  "POST /admin/organisations/nouvelle": "organisation.creer",
  "GET /admin/organisations/:id": "organisation.lire",
  "POST /admin/organisations/:id/inviter": "personne.inviter",
  "GET /admin/personnes": "personne.lire",
  "GET /admin/personnes/:id": "personne.lire",
  "POST /admin/personnes/:id/roles/:mid": "personne.role",
  "POST /admin/personnes/:id/roles/:mid/retirer": "personne.role",
  "GET /admin/personnes/:id/desactiver": "personne.desactiver",
  "POST /admin/personnes/:id/desactiver": "personne.desactiver",
  "GET /admin/journal": "journal.lire",
  "GET /admin/journal.csv": "journal.exporter",
  // Single-use links and « mot de passe oublié » (invitation-routes.tsx)
  "GET /invitation/:token": "public",
  "POST /invitation/:token": "public",
  "GET /mot-de-passe-oublie": "public",
  "POST /mot-de-passe-oublie": "public",
  "POST /admin/comptes/:operation": "machine",
  // Fragility
  "GET /fragilite": "public",
  "GET /fragilite.csv": "public",
  "GET /api/v1/fragilite": "public",
  "GET /api/v1/fragilite/carte": "public",
  // Places
  "GET /lieux": "public",
  "GET /lieux.csv": "public",
  "GET /lieux.json": "public",
  "GET /lieux-data-inclusion.json": "public",
  "GET /lieux/:id": "public",
  "GET /api/v1/lieux": "public",
  "GET /api/v1/lieux/carte": "public",
  "GET /api/v1/lieux/:id": "public",
  "POST /admin/lieux/import": "machine",
  // Diagnostic (open to anonymous people; statistics count only the signed flow)
  "GET /diagnostic": "public",
  "POST /diagnostic/commencer": "public",
  "GET /diagnostic/question/:n": "public",
  "POST /diagnostic/question/:n": "public",
  "POST /diagnostic/reprendre": "public",
  "GET /diagnostic/resultat": "public",
  "GET /diagnostic/fiche": "public",
  "GET /diagnostic/statistiques": "public",
  "GET /api/v1/diagnostic/questions": "public",
  "POST /api/v1/diagnostic": "public",
  // Coverage and orientation
  "GET /couverture": "public",
  "GET /couverture.csv": "public",
  "GET /couverture/plan.csv": "public",
  "GET /api/v1/couverture": "public",
  "POST /api/v1/planification": "public",
  "GET /trouver": "public",
  "GET /trouver/fiche": "public",
  "GET /api/v1/orientation": "public",
  // Places' back-office: dashboard, edits, versions (src/places/edit-routes.tsx)
  "GET /admin/lieux": "lieu.modifier",
  "GET /admin/lieux/:id/modifier": "lieu.modifier",
  "POST /admin/lieux/:id/modifier": "lieu.modifier",
  "GET /admin/lieux/:id/historique": "lieu.modifier",
  "POST /admin/lieux/:id/restaurer": "lieu.modifier",
  "POST /admin/lieux/:id/liberer": "lieu.modifier",
  "GET /api/v1/horaires/verification": "public",
  "GET /assets/horaires.js": "public",
  // Issue 15, imports from the browser (places/upload-routes.tsx): each handler asks `authorize` with the upload's territory
  "GET /admin/imports": "lieu.importer",
  "POST /admin/imports": "lieu.importer",
  "GET /admin/imports/:id": "lieu.importer",
  "POST /admin/imports/:id/confirmer": "lieu.importer",
  "POST /admin/imports/:id/annuler": "lieu.importer",
  "GET /admin/imports/:id/erreurs.csv": "lieu.importer",
  // Issue 15, reports from the public and duplicate review (src/places/reports, src/places/duplicates)
  "GET /lieux/:id/signaler": "public",
  "POST /lieux/:id/signaler": "public",
  "GET /admin/signalements": "signalement.traiter",
  "GET /admin/signalements/:id": "signalement.traiter",
  "POST /admin/signalements/:id": "signalement.traiter",
  "GET /admin/doublons": "doublon.decider",
  "GET /admin/doublons/:a/:b": "doublon.decider",
  "POST /admin/doublons/:a/:b": "doublon.decider",
  // Pass numérique: pages any signed-in person may reach (the handler asks the policy with the programme, the
  // booklet or the statement), and those of one role.
  "POST /admin/pass/:operation": "machine",
  "GET /pass": "compte",
  "GET /pass/programmes/nouveau": "pass.commander",
  "POST /pass/programmes/nouveau": "pass.commander",
  "GET /pass/programmes/:id": "compte",
  "GET /pass/programmes/:id/export.csv": "pass.consulter",
  "GET /pass/programmes/:id/export.xlsx": "pass.consulter",
  "POST /pass/programmes/:id/carnets": "pass.commander",
  "POST /pass/programmes/:id/attribution": "pass.attribuer",
  "GET /pass/programmes/:id/impression": "pass.commander",
  "GET /pass/carnets/:serial": "compte",
  "POST /pass/carnets/:serial/remise": "pass.remettre",
  "GET /pass/carnets/:serial/rappel": "pass.remettre",
  "GET /pass/remettre": "pass.remettre",
  "GET /pass/encaisser": "pass.encaisser",
  "POST /pass/encaisser/:code": "pass.encaisser",
  "GET /pass/releves": "compte",
  "POST /pass/releves/:id/paye": "pass.payer",
  "POST /api/v1/pass/programmes": "pass.commander",
  "POST /api/v1/pass/programmes/:id/carnets": "pass.commander",
  "POST /api/v1/pass/carnets/:serial/attribution": "pass.attribuer",
  "POST /api/v1/pass/carnets/:serial/remise": "pass.remettre",
  "GET /api/v1/pass/cheques/:code": "pass.encaisser",
  "POST /api/v1/pass/cheques/:code/encaissement": "pass.encaisser",
  // Mandates: the aidants' pages (the handler asks the policy with the mandate's organisation), the coordinators'
  // habilitations, and the public verification and person's view.
  "GET /mandats": "mandat.consulter",
  "GET /mandats/nouveau": "mandat.creer",
  "POST /mandats/nouveau": "mandat.creer",
  "GET /mandats/:id": "mandat.consulter",
  "GET /mandats/:id/attestation": "mandat.consulter",
  "GET /mandats/:id/utilisation": "mandat.utiliser",
  "POST /mandats/:id/utilisation": "mandat.utiliser",
  "GET /mandats/:id/revocation": "mandat.revoquer",
  "POST /mandats/:id/revocation": "mandat.revoquer",
  "GET /mandats/:id/revocations/:rid": "mandat.consulter",
  "GET /mandats/:id/transfert": "mandat.revoquer",
  "POST /mandats/:id/transfert": "mandat.revoquer",
  "GET /mandats/habilitations": "aidant.habiliter",
  "GET /mandats/habilitations/:org": "aidant.habiliter",
  "POST /mandats/habilitations/:org": "aidant.habiliter",
  "POST /mandats/habilitations/:org/retirer/:hid": "aidant.habiliter",
  "POST /mandats/habilitations/:org/demarches": "aidant.habiliter",
  "GET /mandats/verifier": "public",
  "GET /mandats/verifier/:hash": "public",
  "GET /mes-mandats": "public",
  "POST /mes-mandats": "public",
  "POST /mes-mandats/arreter": "public",
  "POST /api/v1/mandats": "mandat.creer",
  "POST /api/v1/mandats/:id/utilisations": "mandat.utiliser",
  "POST /api/v1/mandats/:id/revocation": "mandat.revoquer",
  "GET /api/v1/mandats/verifier/:empreinte": "public",
  // Accompaniments: the reports (each handler asks the policy with the report's organisation), statistics (any
  // signed-in person: the handler asks for the scope chosen), orientation references.
  "GET /activites": "activite.saisir",
  "POST /activites": "activite.saisir",
  "GET /activites/nouvelle": "activite.saisir",
  "GET /activites/import": "activite.saisir",
  "GET /beneficiaires": "beneficiaire.suivre",
  "POST /beneficiaires": "beneficiaire.suivre",
  "GET /beneficiaires/:id": "beneficiaire.suivre",
  "POST /beneficiaires/:id/fusion": "beneficiaire.suivre",
  "POST /activites/import": "activite.saisir",
  "GET /activites/:id": "activite.saisir",
  "GET /activites/statistiques": "compte",
  "GET /activites/statistiques.csv": "compte",
  "GET /activites/statistiques.xlsx": "compte",
  "GET /assets/activites.js": "public",
  // Indicators
  "GET /indicateurs": "public",
  "GET /indicateurs/definitions": "public",
  "GET /indicateurs.csv": "public",
  "GET /indicateurs.xlsx": "public",
  "GET /api/v1/indicateurs": "public",
  "GET /indicateurs/contrat-de-ville": "public",
  "POST /indicateurs/objectifs": "objectif.fixer",
  "GET /indicateurs/portrait": "public",
  "GET /orientations": "orientation.remettre",
  "POST /orientations": "orientation.remettre",
  "GET /orientations/:code": "orientation.remettre",
  "POST /api/v1/activites": "activite.saisir",
  "GET /api/v1/activites": "activite.saisir",
  "GET /api/v1/activites/statistiques": "compte",
};

/** The entry of a route (`HEAD` falls back on its `GET`), or undefined when the table has none. */
export function accessOf(
  method: string,
  url: string,
  table: Record<string, Access> = ROUTE_ACCESS,
): Access | undefined {
  return table[`${method} ${url}`] ?? (method === "HEAD" ? table[`GET ${url}`] : undefined);
}

/** What the gate decides before the handler: go on, or refuse (401: sign in; 403: never for this role). */
export type GateDecision = "ok" | 401 | 403 | "no-rule";

/** The gate's decision for an entry (undefined: no entry), from the request's actor and sign-in. */
export function gateDecision(
  access: Access | undefined,
  actor: Actor | null,
  signedIn: boolean,
): GateDecision {
  switch (access) {
    case undefined:
      return "no-rule";
    case "public":
    case "machine":
      return "ok";
    case "connexion":
      return signedIn ? "ok" : 401;
    case "compte":
      return actor ? "ok" : 401;
    default:
      if (!actor) return 401;
      return ACTION_RULES[access].reach[actor.membership.role] ? "ok" : 403;
  }
}

/** A registered route: its method and Fastify's URL pattern. */
export interface RouteKey {
  method: string;
  url: string;
}

/**
 * Every route of a ready server, read from its router (`printRoutes`), so that none escapes: an `onRoute` hook
 * sees only the routes declared after it.
 */
export function routesOf(app: FastifyInstance): RouteKey[] {
  const out: RouteKey[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    const m = /^([│ ]*)(?:[├└]── )?(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m?.[2]) continue;
    // Four characters per level ("│   " or "    ") before the branch.
    const depth = (m[1] ?? "").length / 4;
    stack.length = depth;
    const path = (depth > 0 ? stack[depth - 1] : "") + m[2];
    stack.push(path);
    for (const method of m[3]?.split(", ") ?? []) out.push({ method, url: path });
  }
  return out;
}

/** Routes without an entry, and entries naming no route (`GET` entries count for their `HEAD` route too). */
export function checkTable(
  routes: readonly RouteKey[],
  table: Record<string, Access> = ROUTE_ACCESS,
): { missing: string[]; unknown: string[] } {
  const registered = new Set(routes.map((r) => `${r.method} ${r.url}`));
  return {
    missing: routes
      .filter((r) => accessOf(r.method, r.url, table) === undefined)
      .map((r) => `${r.method} ${r.url}`),
    unknown: Object.keys(table).filter((k) => !registered.has(k)),
  };
}
