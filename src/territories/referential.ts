import { regionId, type Territory } from "./model.ts";

/**
 * All territories in memory with their links: parents (commune → EPCI, département, région) and
 * children (région → départements, département → EPCI and communes, EPCI → communes, commune → arrondissements).
 */
export class Referential {
  private readonly byId = new Map<string, Territory>();
  private readonly children = new Map<string, Territory[]>();
  private readonly byFormerCode = new Map<string, Territory>();

  constructor(readonly all: readonly Territory[]) {
    for (const t of all) this.byId.set(t.id, t);
    for (const t of all) for (const code of t.formerCodes) this.byFormerCode.set(code, t);
    const depsOfEpci = new Map<string, Set<string>>();
    for (const t of all) {
      if (t.kind === "departement" && t.region) this.link(regionId(t.region), t);
      if (t.kind === "commune") {
        if (t.departement) this.link(t.departement, t);
        if (t.epci) {
          this.link(t.epci, t);
          if (t.departement) {
            const set = depsOfEpci.get(t.epci) ?? new Set<string>();
            set.add(t.departement);
            depsOfEpci.set(t.epci, set);
          }
        }
      }
      if (t.kind === "arrondissement" && t.parent) this.link(t.parent, t);
    }
    for (const [epci, deps] of depsOfEpci) {
      const e = this.byId.get(epci);
      if (e) for (const d of deps) this.link(d, e);
    }
    for (const list of this.children.values()) list.sort(byName);
  }

  get(id: string): Territory | undefined {
    return this.byId.get(id);
  }

  /** The current commune that a former commune's INSEE code now belongs to (COG 2025 rule). */
  currentOf(formerCode: string): Territory | undefined {
    return this.byFormerCode.get(formerCode);
  }

  /** Direct children, by name. */
  childrenOf(id: string): Territory[] {
    return this.children.get(id) ?? [];
  }

  /** Parents from the nearest to the widest. An EPCI's parents are the départements and régions of its members. */
  parentsOf(t: Territory): Territory[] {
    const ids: string[] = [];
    if (t.kind === "arrondissement" && t.parent) ids.push(t.parent);
    if (t.epci) ids.push(t.epci);
    if (t.kind === "epci") {
      const deps = [...new Set(this.childrenOf(t.id).map((c) => c.departement ?? ""))].filter(Boolean).sort();
      ids.push(...deps);
      const regs = new Set(deps.map((d) => this.byId.get(d)?.region ?? ""));
      ids.push(...[...regs].filter(Boolean).sort().map(regionId));
    } else {
      if (t.kind !== "departement" && t.departement) ids.push(t.departement);
      if (t.kind !== "region" && t.region) ids.push(regionId(t.region));
    }
    return ids.map((id) => this.byId.get(id)).filter((x): x is Territory => x !== undefined);
  }

  /** Communes (not arrondissements) inside a territory; a commune is inside itself. */
  communesOf(t: Territory): Territory[] {
    switch (t.kind) {
      case "commune":
        return [t];
      case "arrondissement":
        return [];
      case "epci":
        return this.childrenOf(t.id).filter((c) => c.kind === "commune");
      case "departement":
        return this.childrenOf(t.id).filter((c) => c.kind === "commune");
      case "region":
        return this.childrenOf(t.id).flatMap((d) =>
          this.childrenOf(d.id).filter((c) => c.kind === "commune"),
        );
    }
  }

  private link(parentId: string, child: Territory): void {
    const list = this.children.get(parentId);
    if (list) list.push(child);
    else this.children.set(parentId, [child]);
  }
}

const byName = (a: Territory, b: Territory) => a.name.localeCompare(b.name, "fr") || a.id.localeCompare(b.id);
