/**
 * What a place is, for the policy: its territory (the commune it is in) and, when the actor's organisation runs it,
 * that organisation. Every back-office route on a place asks `authorize(req, ctx, action, placeScope(actor, place))`.
 * Also the communes a coordinator's territory covers, for the queues of their territory.
 */
import type { Actor } from "../accounts/model.ts";
import type { Scope } from "../accounts/policy.ts";
import type { Referential } from "../territories/referential.ts";
import { territoryCodes } from "./describe.ts";

/** A published place as the policy sees it: its id, the ids of the records it stands for, its commune. */
export interface PlaceRef {
  id: string;
  members?: readonly string[];
  communeCode: string | null;
}

export function placeScope(actor: Actor | null, place: PlaceRef): Scope {
  const scope: Scope = {};
  if (place.communeCode) scope.territoryId = place.communeCode;
  const runs = actor?.organisation.placeIds;
  if (actor && runs && (runs.includes(place.id) || place.members?.some((m) => runs.includes(m))))
    scope.organisationId = actor.organisation.id;
  return scope;
}

/**
 * The commune codes an actor's queues cover: null (everywhere) for the admin; otherwise the communes of their
 * territory (with the arrondissements of Paris, Lyon and Marseille); none for a territory the referential does not
 * know (never « everywhere » by mistake).
 */
export function communesInReach(
  territories: Referential,
  actor: { membership: { role: string; territoryId: string } },
): string[] | null {
  return actor.membership.role === "admin"
    ? null
    : communesOfTerritory(territories, actor.membership.territoryId);
}

/** The commune codes of a territory (with the arrondissements of Paris, Lyon and Marseille); none if unknown. */
export function communesOfTerritory(territories: Referential, territoryId: string): string[] {
  const t = territories.get(territoryId);
  if (!t) return [];
  if (t.kind === "commune")
    return [
      t.id,
      ...territories
        .childrenOf(t.id)
        .filter((a) => a.kind === "arrondissement")
        .map((a) => a.id),
    ];
  return territoryCodes(territories, t);
}
