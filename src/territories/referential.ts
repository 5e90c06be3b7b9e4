import { type ContratDeVille, regionId, type Territory } from "./model.ts";

/**
 * All territories in memory with their links: parents (commune → EPCI, département, région) and
 * children (région → départements, département → EPCI and communes, EPCI → communes, commune → arrondissements).
 */
export class Referential {
  private readonly byId = new Map<string, Territory>();
  private readonly children = new Map<string, Territory[]>();
  private readonly byFormerCode = new Map<string, Territory>();
  /** Commune id → the quartiers prioritaires it holds (kept apart from `children`: a QPV is not a subdivision). */
  private readonly qpvByCommune = new Map<string, Territory[]>();

  constructor(
    readonly all: readonly Territory[],
    /** The contrats de ville 2015–2023 (territories' reference data, loaded with them). */
    readonly contrats: readonly ContratDeVille[] = [],
  ) {
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
      if (t.kind === "qpv")
        for (const c of t.communes) {
          const list = this.qpvByCommune.get(c);
          if (list) list.push(t);
          else this.qpvByCommune.set(c, [t]);
        }
    }
    for (const [epci, deps] of depsOfEpci) {
      const e = this.byId.get(epci);
      if (e) for (const d of deps) this.link(d, e);
    }
    for (const list of this.children.values()) list.sort(byName);
    for (const list of this.qpvByCommune.values()) list.sort(byName);
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

  /**
   * The quartiers prioritaires within a territory (those of its communes), by name; a QPV holds itself; every
   * quartier for France (`null`).
   */
  qpvsOf(t: Territory | null): Territory[] {
    if (t === null) return this.all.filter((x) => x.kind === "qpv");
    if (t.kind === "qpv") return [t];
    if (t.kind === "arrondissement") return [];
    const seen = new Set<Territory>();
    for (const c of this.communesOf(t)) for (const q of this.qpvByCommune.get(c.id) ?? []) seen.add(q);
    return [...seen].sort(byName);
  }

  /**
   * The contrats de ville carried by this territory (an EPCI or a commune) or, for a commune, by its EPCI; for a
   * département or région, those of its départements; for a QPV, those of its communes.
   */
  contratsOf(t: Territory): ContratDeVille[] {
    const carriers = new Set<string>();
    if (t.kind === "commune" || t.kind === "epci") carriers.add(t.id);
    if (t.kind === "commune" && t.epci) carriers.add(t.epci);
    if (t.kind === "qpv")
      for (const c of this.communesOf(t)) {
        carriers.add(c.id);
        if (c.epci) carriers.add(c.epci);
      }
    if (t.kind === "departement") return this.contrats.filter((c) => c.departement === t.id);
    if (t.kind === "region") {
      const deps = new Set(this.childrenOf(t.id).map((d) => d.id));
      return this.contrats.filter((c) => deps.has(c.departement));
    }
    return this.contrats.filter((c) => carriers.has(c.carrier));
  }

  /** Parents from the nearest to the widest. An EPCI's parents are the départements and régions of its members. */
  parentsOf(t: Territory): Territory[] {
    const ids: string[] = [];
    if (t.kind === "qpv") {
      ids.push(...t.communes);
      const epcis = new Set(t.communes.map((c) => this.byId.get(c)?.epci ?? ""));
      ids.push(...[...epcis].filter(Boolean).sort());
      if (t.departement) ids.push(t.departement);
      if (t.region) ids.push(regionId(t.region));
      return ids.map((id) => this.byId.get(id)).filter((x): x is Territory => x !== undefined);
    }
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

  /**
   * Communes (not arrondissements) inside a territory; a commune is inside itself. For a QPV, the communes it lies
   * in (wider than the quartier: figures by commune say so).
   */
  communesOf(t: Territory): Territory[] {
    switch (t.kind) {
      case "qpv":
        return t.communes.map((c) => this.byId.get(c)).filter((x): x is Territory => x !== undefined);
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
