/**
 * Obviously fictitious people for the back-office tests, on real territories: organisations, people with a role,
 * a known password and a TOTP second factor, personal API tokens, and a form client that signs them in.
 */
import { TOTP } from "otpauth";
import type { OrganisationKind, Role } from "../../src/accounts/model.ts";
import { hashPassword } from "../../src/accounts/password.ts";
import { addPersonalToken, apiTokenHash, newApiToken } from "../../src/accounts/people.ts";
import {
  addMembership,
  BY_SYSTEM,
  createOrganisation,
  createPerson,
  setTotp,
} from "../../src/accounts/store.ts";
import { hashRecoveryCode } from "../../src/accounts/totp.ts";
import type { Clock } from "../../src/platform/clock.ts";
import type { Db } from "../../src/platform/db.ts";
import { FormClient } from "./accounts.ts";

export const PASSWORD_FOR_TESTS = "Tulipe-Granit-Boussole-48";
const PASSWORD = PASSWORD_FOR_TESTS;
const TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

let hashed: Promise<string> | null = null;
const passwordHash = () => {
  hashed ??= hashPassword(PASSWORD);
  return hashed;
};

export async function organisation(
  db: Db,
  clock: Clock,
  o: { name: string; kind: OrganisationKind; territoryId: string; placeIds?: string[] },
): Promise<number> {
  return (await createOrganisation(db, { ...o, siret: null }, clock.now(), BY_SYSTEM)).id;
}

/** A person of `organisationId` with `role`, the test password and a second factor; returns their id. */
export async function member(
  db: Db,
  clock: Clock,
  email: string,
  organisationId: number,
  role: Role,
): Promise<number> {
  const p = await createPerson(
    db,
    { email, name: `Personne ${email.split("@")[0]}`, passwordHash: await passwordHash() },
    clock.now(),
    BY_SYSTEM,
  );
  await addMembership(db, { personId: p.id, organisationId, role }, clock.now(), BY_SYSTEM);
  await setTotp(db, p.id, TOTP_SECRET, [hashRecoveryCode("AAAAA-BBBBB")], clock.now(), BY_SYSTEM);
  return p.id;
}

/** A personal API token of a person (by e-mail). */
export async function tokenOf(db: Db, clock: Clock, email: string): Promise<string> {
  const token = newApiToken();
  await addPersonalToken(
    db,
    clock,
    { email, label: "essai", tokenHash: apiTokenHash(token) },
    BY_SYSTEM,
    "essai.jeton",
  );
  return token;
}

/** The current TOTP code; `advance` moves the test clock past the previous step (a code is used once). */
export function totpCode(advance: () => number): string {
  return new TOTP({ secret: TOTP_SECRET, digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: advance(),
  });
}

/** A browser without JavaScript that signs in with the test password and second factor. */
export class PersonClient extends FormClient {
  constructor(
    base: () => string,
    private readonly advance: () => number,
  ) {
    super(base);
  }
  /** Signs in, with the second factor when the role asks for one (the sign-in then sends to its step). */
  async login(email: string) {
    const r = await this.signIn(email, PASSWORD);
    if (!r.location?.includes("second-facteur")) return r;
    await this.get("/connexion/second-facteur");
    const s = await this.post("/connexion/second-facteur", { code: totpCode(this.advance) });
    if (s.status !== 303) throw new Error(`second facteur refusé (${s.status})`);
    return s;
  }
}
