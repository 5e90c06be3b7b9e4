/**
 * Services over people and organisations that the commands use now and the pages later: create a person with
 * a membership, an organisation, a personal API token. Each checks its input first (French messages, nothing
 * written on a refusal) and writes in one transaction with its journal row.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../platform/clock.ts";
import type { Db } from "../platform/db.ts";
import { emailProblem } from "./invitations.ts";
import { ORGANISATION_KINDS, type Organisation, type OrganisationKind, ROLES, type Role } from "./model.ts";
import { normaliseSiret, siretError } from "./siret.ts";
import {
  type ApiToken,
  addMembership,
  createOrganisation,
  createPerson,
  createToken,
  findPersonByEmail,
  getOrganisation,
  type JournalBy,
  listOrganisations,
  type StoredPerson,
  withJournal,
} from "./store.ts";

/** A refused input, in plain French (the commands print « Erreur : … », the pages show it in the form). */
export class AccountInputError extends Error {}

/**
 * The organisation of the instance's administrators, created by the first `users add --role admin`. Its territory
 * is `france`, an id outside the referential meaning the whole country (the policy gives the admin everything
 * without reading it).
 */
export const INSTANCE_ORGANISATION = { name: "Instance", kind: "autre", territoryId: "france" } as const;

/** A role as typed: « admin », « Coordinateur »… */
export function parseRole(raw: string): Role {
  const r = raw.trim().toLowerCase();
  if ((ROLES as readonly string[]).includes(r)) return r as Role;
  throw new AccountInputError(`rôle inconnu « ${raw} » (rôles : ${ROLES.join(", ")}).`);
}

/** A kind as typed: « france-services », « France Services », « lieu de médiation »… */
export function parseKind(raw: string): OrganisationKind {
  const k = raw
    .trim()
    .toLowerCase()
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[\s_]+/g, "-");
  if ((ORGANISATION_KINDS as readonly string[]).includes(k)) return k as OrganisationKind;
  throw new AccountInputError(
    `type d'organisation inconnu « ${raw} » (types : ${ORGANISATION_KINDS.join(", ")}).`,
  );
}

/** The instance's organisation, created the first time. */
async function instanceOrganisation(db: Db, clock: Clock, by: JournalBy): Promise<Organisation> {
  const { organisations } = await listOrganisations(db, {
    withinTerritories: [INSTANCE_ORGANISATION.territoryId],
    limit: 100,
    offset: 0,
  });
  const found = organisations.find((o) => o.name === INSTANCE_ORGANISATION.name);
  if (found) return found;
  return createOrganisation(
    db,
    {
      name: INSTANCE_ORGANISATION.name,
      kind: INSTANCE_ORGANISATION.kind,
      siret: null,
      territoryId: "france",
    },
    clock.now(),
    by,
  );
}

export interface NewPersonRequest {
  email: string;
  /** By default the e-mail's local part (the person can change it later). */
  name?: string;
  role: Role;
  /** Required but for `admin` (the instance's organisation). */
  organisationId?: number;
  /** The membership's territory (a coordinator's); checked by the caller against the referential. */
  territoryId?: string;
  /** Already checked (`passwordProblem`) and hashed; none = the person sets it with a set-up link. */
  passwordHash?: string;
}

/**
 * Creates a person and their membership in one transaction, journaled as `action` (e.g. `commande.users-add`)
 * besides the store's own rows. A second person with the same e-mail is refused.
 */
export async function addPerson(
  db: Db,
  clock: Clock,
  r: NewPersonRequest,
  by: JournalBy,
  action: string,
): Promise<{ person: StoredPerson; organisation: Organisation }> {
  const bad = emailProblem(r.email);
  if (bad) throw new AccountInputError(bad);
  const email = r.email.trim().toLowerCase();
  const name = (r.name ?? "").trim() || (email.split("@")[0] as string);
  if (name.length > 200) throw new AccountInputError("le nom est trop long (200 caractères au plus).");
  if (await findPersonByEmail(db, email))
    throw new AccountInputError(`une personne a déjà l'adresse ${email} : rien n'a été créé.`);
  let organisation: Organisation | null;
  if (r.organisationId === undefined) {
    if (r.role !== "admin")
      throw new AccountInputError(
        `indiquez l'organisation (--organisation ID) : elle est nécessaire pour le rôle ${r.role}.`,
      );
    organisation = null;
  } else {
    organisation = await getOrganisation(db, r.organisationId);
    if (!organisation) throw new AccountInputError(`l'organisation n° ${r.organisationId} n'existe pas.`);
  }
  const now = clock.now();
  return withJournal(
    db,
    (res) => ({
      ...by,
      at: now,
      action,
      target: `personne:${res.person.id}`,
      territoryId: r.territoryId ?? res.organisation.territoryId,
      details: { organisation: res.organisation.id, role: r.role, motDePasse: r.passwordHash !== undefined },
    }),
    async (trx) => {
      const org = organisation ?? (await instanceOrganisation(trx, clock, by));
      const person = await createPerson(trx, { email, name, passwordHash: r.passwordHash ?? null }, now, by);
      await addMembership(
        trx,
        { personId: person.id, organisationId: org.id, role: r.role, territoryId: r.territoryId },
        now,
        by,
      );
      return { person, organisation: org };
    },
  );
}

export interface NewOrganisationRequest {
  name: string;
  kind: OrganisationKind;
  /** Checked by the caller against the referential. */
  territoryId: string;
  siret?: string;
}

/** Creates an organisation after checking its name and SIRET (Luhn key, not already recorded). */
export async function addOrganisation(
  db: Db,
  clock: Clock,
  r: NewOrganisationRequest,
  by: JournalBy,
  action: string,
): Promise<Organisation> {
  const name = r.name.trim();
  if (name.length === 0) throw new AccountInputError("indiquez le nom de l'organisation (--nom).");
  if (name.length > 200) throw new AccountInputError("le nom est trop long (200 caractères au plus).");
  let siret: string | null = null;
  if (r.siret !== undefined && r.siret.trim() !== "") {
    const problem = siretError(r.siret);
    if (problem) throw new AccountInputError(`${problem} Rien n'a été créé.`);
    siret = normaliseSiret(r.siret);
  }
  const now = clock.now();
  try {
    return await withJournal<Organisation>(
      db,
      (o) => ({ ...by, at: now, action, target: `organisation:${o.id}`, territoryId: o.territoryId }),
      (trx) => createOrganisation(trx, { name, kind: r.kind, siret, territoryId: r.territoryId }, now, by),
    );
  } catch (e) {
    if (siret && /unique|duplicate/i.test(String((e as Error).message)))
      throw new AccountInputError(`une organisation a déjà le SIRET ${siret} : rien n'a été créé.`);
    throw e;
  }
}

/** A personal API token's secret (`Authorization: Bearer …`): 32 random bytes, base64url. */
export const newApiToken = (): string => randomBytes(32).toString("base64url");

/** What the store keeps of it (SHA-256, hexadecimal: the same as the sign-in's lookup). */
export const apiTokenHash = (token: string): string => createHash("sha256").update(token).digest("hex");

/**
 * Records a personal token for an active person, whose hash was computed by the caller (the secret itself never
 * reaches the server when a command asks it); `days` = validity, none = until revoked.
 */
export async function addPersonalToken(
  db: Db,
  clock: Clock,
  r: { email: string; label: string; days?: number; tokenHash: string },
  by: JournalBy,
  action: string,
): Promise<{ person: StoredPerson; expiresAt: Date | null; id: number }> {
  const person = await findPersonByEmail(db, r.email);
  if (!person) throw new AccountInputError(`aucun compte n'a l'adresse ${r.email.trim()}.`);
  if (!person.active) throw new AccountInputError(`le compte de ${person.email} est désactivé.`);
  const label = r.label.trim();
  if (label.length === 0 || label.length > 100)
    throw new AccountInputError("le nom du jeton doit compter de 1 à 100 caractères (--nom).");
  const now = clock.now();
  const expiresAt = r.days === undefined ? null : new Date(now.getTime() + r.days * 86_400_000);
  const token = await withJournal<ApiToken>(
    db,
    (t) => ({ ...by, at: now, action, target: `jeton:${t.id}`, details: { personne: person.id } }),
    (trx) => createToken(trx, { personId: person.id, label, tokenHash: r.tokenHash, expiresAt }, now, by),
  );
  return { person, expiresAt, id: token.id };
}
