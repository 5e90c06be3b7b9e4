import { join } from "node:path";
import type { VNode } from "preact";
import type { AppContext, BaseContext } from "../context.ts";
import type { Territory } from "../territories/model.ts";
import { FILE_SPECS, FRAGILITY_FILES, readIndicatorFile } from "./indicators.ts";
import { formerCodeMap } from "./load.ts";
import type { AggregateLevel, StoredMethod } from "./model.ts";
import { currentMethods, fragilitySection, pickMethod } from "./routes.tsx";
import {
  getAggregates,
  getAllScoreValues,
  getScores,
  type StoredAggregate,
  type StoredScore,
} from "./store.ts";

const RECHECK_MS = 5_000;

/** Scores of computed methods (keyed by version and computation date) and the communes' urban classes. */
export interface FragilityPreload {
  scores: [string, ReadonlyMap<string, number | null>][];
  urbanClasses: Map<string, number | null> | null;
}

/** The scores of one computed method for every commune and arrondissement (INSEE code → score, null = missing). */
export interface FragilitySnapshot {
  method: StoredMethod;
  scores: ReadonlyMap<string, number | null>;
}

/**
 * Fragility's read model: the computed scores in memory, for capabilities that weigh communes by fragility
 * (coverage, planning), and the urban-unit class of every commune (one of fragility's reference files). The list
 * of methods is re-read at most every few seconds; a method's scores are read once per computation (version +
 * computation date).
 */
export class PublishedFragility {
  private methodsCache: { at: number; methods: StoredMethod[] } | null = null;
  private readonly scores = new Map<string, Promise<ReadonlyMap<string, number | null>>>();
  private tuu: Promise<Map<string, number | null>> | null = null;

  constructor(
    private readonly base: Pick<BaseContext, "database" | "territories" | "config">,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The scores read so far (by method version and computation date) and the urban classes, for `preload` elsewhere.
   */
  async current(): Promise<FragilityPreload> {
    const scores: [string, ReadonlyMap<string, number | null>][] = [];
    for (const [key, promise] of this.scores) scores.push([key, await promise]);
    return { scores, urbanClasses: this.tuu ? await this.tuu : null };
  }

  /**
   * What another instance read from a copy of this very database and the same reference files (tests keep it
   * between processes): a method's scores are taken from it only for the same method version and computation date
   * as the database's (a recomputation reads them again), as they are within one process.
   */
  preload(p: FragilityPreload): void {
    for (const [key, scores] of p.scores)
      if (!this.scores.has(key)) this.scores.set(key, Promise.resolve(scores));
    if (p.urbanClasses && !this.tuu) this.tuu = Promise.resolve(p.urbanClasses);
  }

  /** The latest version of each method, the default method first. */
  async methods(): Promise<StoredMethod[]> {
    if (!this.methodsCache || this.now() - this.methodsCache.at >= RECHECK_MS) {
      this.methodsCache = { at: this.now(), methods: await currentMethods(this.base.database.db) };
    }
    return this.methodsCache.methods;
  }

  /** Scores of a method (id or version; the default method when none): null if nothing is computed. */
  /** The stored aggregates of a level (EPCI, département, région), by code: score and per-indicator means. */
  aggregates(
    version: string,
    level: AggregateLevel,
    codes?: string[],
  ): Promise<Map<string, StoredAggregate>> {
    return getAggregates(this.base.database.db, version, level, codes);
  }

  /** The stored scores of communes with their explanation lines (each indicator's normalised value). */
  scoreLines(version: string, codes: string[]): Promise<Map<string, StoredScore>> {
    return getScores(this.base.database.db, version, codes);
  }

  /** A territory's communes (a région's départements) coloured by fragility, as its territory page shows them. */
  territoryMap(t: Territory, ctx: AppContext): Promise<VNode | null> {
    return fragilitySection.map?.(t, ctx) ?? Promise.resolve(null);
  }

  async of(method?: string): Promise<FragilitySnapshot | null | "unknown"> {
    const picked = pickMethod(await this.methods(), method);
    if (picked === null || picked === "unknown") return picked;
    const key = `${picked.version}:${picked.computedAt.toISOString()}`;
    let scores = this.scores.get(key);
    if (!scores) {
      scores = getAllScoreValues(this.base.database.db, picked.version);
      this.scores.set(key, scores);
      scores.catch(() => this.scores.delete(key));
    }
    return { method: picked, scores: await scores };
  }

  /**
   * Urban-unit size class of every commune (INSEE table d'appartenance 2022, TUU2017: 0 rural … 8 Paris), read
   * once from fragility's reference file.
   */
  urbanClasses(): Promise<Map<string, number | null>> {
    this.tuu ??= (async () => {
      const all = this.base.territories.all;
      const known = new Set(all.filter((t) => t.kind === "commune").map((t) => t.code));
      const { values } = await readIndicatorFile(
        join(this.base.config.referenceDir, FRAGILITY_FILES.appartenance),
        FILE_SPECS.appartenance,
        known,
        formerCodeMap(all),
      );
      return values.get("tranche_unite_urbaine")?.values ?? new Map();
    })();
    this.tuu.catch(() => {
      this.tuu = null;
    });
    return this.tuu;
  }
}
