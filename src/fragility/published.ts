import type { Db } from "../platform/db.ts";
import { currentMethods, pickMethod } from "./routes.tsx";
import { getAllScoreValues, type StoredMethod } from "./store.ts";

const RECHECK_MS = 5_000;

/** The scores of one computed method for every commune and arrondissement (INSEE code → score, null = missing). */
export interface FragilitySnapshot {
  method: StoredMethod;
  scores: ReadonlyMap<string, number | null>;
}

/**
 * The computed fragility scores in memory, for capabilities that weigh communes by fragility (coverage,
 * planning). The list of methods is re-read at most every few seconds; a method's scores are read once per
 * computation (version + computation date).
 */
export class PublishedFragility {
  private methodsCache: { at: number; methods: StoredMethod[] } | null = null;
  private readonly scores = new Map<string, Promise<ReadonlyMap<string, number | null>>>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** The latest version of each method, the default method first. */
  async methods(): Promise<StoredMethod[]> {
    if (!this.methodsCache || this.now() - this.methodsCache.at >= RECHECK_MS) {
      this.methodsCache = { at: this.now(), methods: await currentMethods(this.db) };
    }
    return this.methodsCache.methods;
  }

  /** Scores of a method (id or version; the default method when none): null if nothing is computed. */
  async of(method?: string): Promise<FragilitySnapshot | null | "unknown"> {
    const picked = pickMethod(await this.methods(), method);
    if (picked === null || picked === "unknown") return picked;
    const key = `${picked.version}:${picked.computedAt.toISOString()}`;
    let scores = this.scores.get(key);
    if (!scores) {
      scores = getAllScoreValues(this.db, picked.version);
      this.scores.set(key, scores);
      scores.catch(() => this.scores.delete(key));
    }
    return { method: picked, scores: await scores };
  }
}
