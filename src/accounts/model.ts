/**
 * Who is who: organisations, people, their memberships (person × organisation × role), and the actor a request is
 * made by (a person acting for one of their memberships). Types and vocabularies only: the store owns the tables,
 * the policy decides what an actor may do.
 */

/** The roles, in the order the pages list them. */
export const ROLES = ["admin", "coordinateur", "prescripteur", "mediateur", "aidant", "financeur"] as const;
export type Role = (typeof ROLES)[number];

/** A role's name for people (the pages and the journal's export). */
export const ROLE_LABELS: Record<Role, string> = {
  admin: "Administrateur de l'instance",
  coordinateur: "Coordinateur du territoire",
  prescripteur: "Prescripteur",
  mediateur: "Médiateur numérique",
  aidant: "Aidant habilité",
  financeur: "Financeur",
};

/** Roles whose holders must have a second factor (TOTP) before they act. */
export const SECOND_FACTOR_ROLES: ReadonlySet<Role> = new Set<Role>(["admin", "coordinateur", "aidant"]);

/** Idle timeout of a session, by the role it acts for (minutes); the absolute lifetime is the same for all. */
export const IDLE_MINUTES: Record<Role, number> = {
  admin: 15,
  aidant: 15,
  coordinateur: 120,
  prescripteur: 120,
  mediateur: 120,
  financeur: 120,
};
export const SESSION_ABSOLUTE_HOURS = 12;

export const ORGANISATION_KINDS = [
  "collectivite",
  "france-services",
  "ccas",
  "association",
  "lieu-de-mediation",
  "financeur",
  "autre",
] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

export const ORGANISATION_KIND_LABELS: Record<OrganisationKind, string> = {
  collectivite: "Collectivité",
  "france-services": "France Services",
  ccas: "CCAS ou CIAS",
  association: "Association",
  "lieu-de-mediation": "Lieu de médiation numérique",
  financeur: "Financeur",
  autre: "Autre",
};

export interface Organisation {
  id: number;
  name: string;
  kind: OrganisationKind;
  /** 14 digits, checked with its Luhn key; null when the organisation has none. */
  siret: string | null;
  /** The territory it acts on (a territory id of the referential: "23", "200067213", "23096"…). */
  territoryId: string;
  /** Published places it runs (ids of the directory). */
  placeIds: string[];
  createdAt: Date;
}

export interface Person {
  id: number;
  /** The login, lower-cased. */
  email: string;
  name: string;
  phone: string | null;
  /** False once deactivated (by an admin, or after 6 months unused): no login, no session, no token. */
  active: boolean;
  /** True once a TOTP second factor is enrolled. */
  hasSecondFactor: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

export interface Membership {
  id: number;
  personId: number;
  organisationId: number;
  role: Role;
  /**
   * The territory this membership covers: a coordinator's territory (defaults to the organisation's); for other
   * roles the organisation's territory.
   */
  territoryId: string;
}

/** Who makes a request: a person acting for one of their memberships (null for anonymous visitors). */
export interface Actor {
  person: Pick<Person, "id" | "email" | "name">;
  membership: Membership;
  organisation: Pick<Organisation, "id" | "name" | "territoryId" | "placeIds">;
  /** How the request is authenticated. */
  via: "session" | "token" | "command";
}

/** One line of the append-only journal. */
export interface JournalEntry {
  id: number;
  at: Date;
  /** Null for anonymous attempts (a failed login names the e-mail in `target`). */
  personId: number | null;
  organisationId: number | null;
  role: Role | null;
  /** What was done, e.g. "connexion", "connexion.echec", "organisation.creer", "invitation.envoyer". */
  action: string;
  /** What it was done to, e.g. "organisation:12", "personne:4", "email:jean@example.org". */
  target: string | null;
  /** The territory the target belongs to, for coordinators' filtered view. */
  territoryId: string | null;
  /** The client address as the edge sees it (X-Forwarded-For only behind a configured proxy). */
  address: string | null;
  /** Non-personal details (field names changed, counts). */
  details: Record<string, unknown>;
}
