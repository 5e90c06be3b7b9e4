/**
 * The one authorization policy: may this actor do this action on this target? Pure: every route and command asks
 * `can`, with the target's territory and organisation and the referential's `within`. The rules are data
 * (`ACTION_RULES`), so that a page and the route × role test read the same table the decision is made from.
 */
import { type Actor, ROLE_LABELS, ROLES, type Role } from "./model.ts";

export type Action =
  | "compte.lire"
  | "organisation.lire"
  | "organisation.creer"
  | "organisation.modifier"
  | "personne.lire"
  | "personne.inviter"
  | "personne.role"
  | "personne.desactiver"
  | "journal.lire"
  | "journal.exporter"
  | "instance.administrer"
  | "lieu.modifier"
  | "lieu.importer"
  | "signalement.traiter"
  | "doublon.decider"
  | "pass.commander"
  | "pass.attribuer"
  | "pass.consulter"
  | "pass.payer"
  | "pass.remettre"
  | "pass.encaisser"
  | "aidant.habiliter"
  | "mandat.consulter"
  | "mandat.creer"
  | "mandat.utiliser"
  | "mandat.revoquer"
  | "activite.saisir"
  | "activite.statistiques"
  | "beneficiaire.suivre"
  | "orientation.remettre"
  | "indicateur.operationnel"
  | "objectif.fixer";

/** What an action is done to: the territory it belongs to and the organisation that holds it, when known. */
export interface Scope {
  territoryId?: string;
  organisationId?: number;
}

export type Decision = { allowed: true } | { allowed: false; status: 401 | 403; reason: string };

/**
 * How far a role reaches for an action: `partout` (the whole instance), `territoire` (targets whose territory is
 * within the membership's territory), `organisation` (targets of the membership's organisation), `compte` (the
 * actor's own account, whatever the target). A role absent from a rule may not do the action.
 */
type Reach = "partout" | "territoire" | "organisation" | "compte";

export interface ActionRule {
  /** The action in French, as « pour … » completes it: « lire les organisations ». */
  label: string;
  reach: Partial<Record<Role, Reach>>;
  /** Who may do it, in French (built from `reach`). */
  who: string;
}

const REACH_LABELS: Record<Reach, string> = {
  partout: "partout",
  territoire: "dans son territoire",
  organisation: "pour son organisation",
  compte: "pour son propre compte",
};

const rule = (label: string, reach: Partial<Record<Role, Reach>>): ActionRule => ({
  label,
  reach: { admin: "partout", ...reach },
  who: ROLES.filter((r) => r === "admin" || reach[r])
    .map((r) => `${ROLE_LABELS[r]} (${REACH_LABELS[r === "admin" ? "partout" : (reach[r] as Reach)]})`)
    .join(", "),
});

const everyone = (reach: Reach) => Object.fromEntries(ROLES.map((r) => [r, reach])) as Record<Role, Reach>;

/** Who may do what. The admin may do everything; a coordinator acts within their territory, never outside. */
export const ACTION_RULES: Record<Action, ActionRule> = {
  "compte.lire": rule("consulter son compte", everyone("compte")),
  "organisation.lire": rule("consulter une organisation", {
    coordinateur: "territoire",
    prescripteur: "organisation",
    mediateur: "organisation",
    aidant: "organisation",
    financeur: "organisation",
  }),
  "organisation.creer": rule("créer une organisation", { coordinateur: "territoire" }),
  "organisation.modifier": rule("modifier une organisation", { coordinateur: "territoire" }),
  "personne.lire": rule("consulter les personnes", { coordinateur: "territoire" }),
  "personne.inviter": rule("inviter une personne", { coordinateur: "territoire" }),
  "personne.role": rule("changer le rôle d'une personne", { coordinateur: "territoire" }),
  "personne.desactiver": rule("désactiver le compte d'une personne", { coordinateur: "territoire" }),
  "journal.lire": rule("consulter le journal", { coordinateur: "territoire" }),
  "journal.exporter": rule("exporter le journal", { coordinateur: "territoire" }),
  "instance.administrer": rule("administrer l'instance", {}),
  "lieu.modifier": rule("modifier la fiche d'un lieu", {
    coordinateur: "territoire",
    mediateur: "organisation",
  }),
  "lieu.importer": rule("importer un fichier de lieux", { coordinateur: "territoire" }),
  "signalement.traiter": rule("traiter les signalements sur les lieux", { coordinateur: "territoire" }),
  "doublon.decider": rule("décider des doublons de lieux", { coordinateur: "territoire" }),
  "pass.commander": rule("créer un programme de pass numérique et commander ses carnets", {
    financeur: "organisation",
  }),
  "pass.attribuer": rule("attribuer des carnets de pass numérique à un prescripteur", {
    coordinateur: "territoire",
    financeur: "organisation",
  }),
  "pass.consulter": rule("consulter le tableau de bord d'un programme de pass numérique", {
    coordinateur: "territoire",
    financeur: "organisation",
  }),
  "pass.payer": rule("marquer payé un relevé de pass numérique", { financeur: "organisation" }),
  "pass.remettre": rule("remettre un pass numérique", { prescripteur: "organisation" }),
  "pass.encaisser": rule("encaisser un pass numérique", { mediateur: "organisation" }),
  "aidant.habiliter": rule("habiliter les aidants d'une organisation et choisir ses démarches", {
    coordinateur: "territoire",
  }),
  "mandat.consulter": rule("consulter les mandats d'une organisation", { aidant: "organisation" }),
  "mandat.creer": rule("créer ou renouveler un mandat", { aidant: "organisation" }),
  "mandat.utiliser": rule("agir avec un mandat", { aidant: "organisation" }),
  "mandat.revoquer": rule("révoquer ou transférer un mandat", { aidant: "organisation" }),
  "activite.saisir": rule("saisir une activité", { mediateur: "organisation", aidant: "organisation" }),
  "activite.statistiques": rule("consulter les statistiques des accompagnements", {
    coordinateur: "territoire",
    mediateur: "organisation",
    aidant: "organisation",
  }),
  "beneficiaire.suivre": rule("tenir les dossiers de suivi nominatifs de son organisation", {
    mediateur: "organisation",
    aidant: "organisation",
  }),
  "indicateur.operationnel": rule("consulter les indicateurs d'activité d'un territoire", {
    coordinateur: "territoire",
    financeur: "territoire",
  }),
  "objectif.fixer": rule("fixer les objectifs d'un contrat de ville", { coordinateur: "territoire" }),
  "orientation.remettre": rule("remettre une fiche d'orientation avec une référence", {
    prescripteur: "organisation",
    mediateur: "organisation",
    aidant: "organisation",
  }),
};

const ALLOWED: Decision = { allowed: true };
const refuse = (status: 401 | 403, reason: string): Decision => ({ allowed: false, status, reason });

/**
 * May `actor` do `action` on `target`? `within(inner, outer)` says whether a territory lies in another (or is it),
 * from the referential. Anonymous visitors get 401; a role without the action, or a target outside the actor's
 * reach (or whose territory or organisation is not given), 403 with the reason in French.
 */
export function can(
  actor: Actor | null,
  action: Action,
  target: Scope,
  within: (inner: string, outer: string) => boolean,
): Decision {
  if (!actor) return refuse(401, "Connectez-vous pour accéder à cette page.");
  const { role, territoryId, organisationId } = actor.membership;
  const { label, reach } = ACTION_RULES[action];
  switch (reach[role]) {
    case "partout":
    case "compte":
      return ALLOWED;
    case "territoire":
      if (target.territoryId === undefined)
        return refuse(403, `Le territoire de cet élément n'est pas connu : vous ne pouvez pas ${label} ici.`);
      return within(target.territoryId, territoryId)
        ? ALLOWED
        : refuse(403, `Cet élément est hors de votre territoire : vous ne pouvez pas ${label} ici.`);
    case "organisation":
      return target.organisationId !== undefined && target.organisationId === organisationId
        ? ALLOWED
        : refuse(403, `Cet élément n'est pas de votre organisation : vous ne pouvez pas ${label} ici.`);
    default:
      return refuse(
        403,
        `Votre rôle (${ROLE_LABELS[role]}) ne permet pas ${/^[aeéiou]/.test(label) ? "d'" : "de "}${label}.`,
      );
  }
}

/** The roles an actor may give when inviting or changing a role: all for the admin, all but admin for a coordinator. */
export function inviteRoles(actor: Actor | null): Role[] {
  switch (actor?.membership.role) {
    case "admin":
      return [...ROLES];
    case "coordinateur":
      return ROLES.filter((r) => r !== "admin");
    default:
      return [];
  }
}
