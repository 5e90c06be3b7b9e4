import type { FastifyInstance } from "fastify";
import type { Migration } from "kysely";
import type { AppContext } from "./app.ts";
import type { Progress } from "./platform/progress.ts";
import type { TerritorySection } from "./territories/routes.ts";

export type ProgressFactory = (label: string, total: number) => Progress;

export interface SyncOptions {
  /** Recompute or reload even when the stored version matches the files. */
  force?: boolean;
  progress?: ProgressFactory;
  log: (message: string) => void;
}

/** A command of `maillage`, e.g. "places import". It parses its own arguments. */
export interface Command {
  /** One line for `maillage --help`. */
  summary: string;
  /** The text of `maillage <command> --help`, in French. */
  help: string;
  /** Returns the exit code. `open` opens the application (database migrated, data loaded). */
  run(args: string[], open: () => Promise<AppContext>): Promise<number>;
}

/**
 * What a capability (places, fragility, coverage…) plugs into the application. Territories are the base every
 * capability builds on, so they are wired directly in app.ts; every other capability is listed in capabilities.ts.
 */
export interface Capability {
  name: string;
  migrations?: Record<string, Migration>;
  /** Loads or computes this capability's reference data when missing or outdated (first start, `data load`). */
  sync?(ctx: AppContext, opts: SyncOptions): Promise<void>;
  /** HTTP pages and API routes. */
  routes?(app: FastifyInstance, ctx: AppContext): void;
  /** Sections added to every territory page, in order. */
  sections?: TerritorySection[];
  /** Commands, keyed by their words ("places import"). */
  commands?: Record<string, Command>;
}
