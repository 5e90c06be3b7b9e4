import { formatNumber } from "../platform/format.ts";
import { EPCI_TYPE_LABELS, KIND_LABELS, type Territory } from "./model.ts";
import type { Referential } from "./referential.ts";

/** Singular or plural French label of a count: "1 habitant", "171 057 habitants". */
export const plural = (n: number, one: string, many: string) => `${formatNumber(n, 3)} ${n > 1 ? many : one}`;

export const territoryUrl = (t: Territory) => `/territoires/${encodeURIComponent(t.id)}`;

/** Kind of territory in plain French, precise for EPCI ("communauté de communes"). */
export function kindLabel(t: Territory): string {
  if (t.kind === "epci" && t.epciType) return EPCI_TYPE_LABELS[t.epciType] ?? KIND_LABELS.epci;
  return KIND_LABELS[t.kind];
}

/** One line that tells territories with the same name apart: "commune · Loire (42) · 171 057 habitants". */
export function contextLabel(t: Territory, ref: Referential): string {
  const parts = [kindLabel(t)];
  if ((t.kind === "commune" || t.kind === "arrondissement") && t.departement) {
    const dep = ref.get(t.departement);
    parts.push(dep ? `${dep.name} (${dep.code})` : t.departement);
  } else if (t.kind === "departement") {
    parts.push(`n° ${t.code}`);
  } else if (t.kind === "epci") {
    const deps = ref.parentsOf(t).filter((p) => p.kind === "departement");
    parts.push(deps.map((d) => `${d.name} (${d.code})`).join(", "));
  }
  if (t.population !== null) parts.push(plural(t.population, "habitant", "habitants"));
  return parts.filter(Boolean).join(" · ");
}
