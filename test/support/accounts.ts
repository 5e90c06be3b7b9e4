/**
 * A professional's personal API token for tests and the harnesses (obviously fictitious person and organisation,
 * on a real territory): what a prescriber's software would send to record diagnostics in the statistics.
 */
import {
  addOrganisation,
  addPerson,
  addPersonalToken,
  apiTokenHash,
  newApiToken,
} from "../../src/accounts/people.ts";
import { BY_SYSTEM } from "../../src/accounts/store.ts";
import type { Clock } from "../../src/platform/clock.ts";
import type { Db } from "../../src/platform/db.ts";

export async function professionalToken(
  db: Db,
  clock: Clock,
  email = "prescripteur.test@example.org",
): Promise<string> {
  const organisation = await addOrganisation(
    db,
    clock,
    { name: "Organisation d'essai (exemple)", kind: "ccas", territoryId: "23" },
    BY_SYSTEM,
    "essai.organisation",
  );
  await addPerson(
    db,
    clock,
    { email, role: "prescripteur", organisationId: organisation.id },
    BY_SYSTEM,
    "essai.personne",
  );
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
