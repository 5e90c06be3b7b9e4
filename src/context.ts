/**
 * What the application shares with its capabilities, as types only: this module imports nothing at run time, so
 * a capability can name the context without importing `app.ts` (which imports every capability).
 *
 * The context is the platform (configuration, database, the territory referential) plus one read model per
 * capability that offers one, each declared by that capability (`Capability.provide`), so that capabilities read
 * each other's data through a model, never through another capability's tables.
 */
import type { FastifyInstance } from "fastify";
import type { Migration } from "kysely";
import type { VNode } from "preact";
import type { CoverageEngine } from "./coverage/engine.ts";
import type { PublishedFragility } from "./fragility/published.ts";
import type { QpvPlaces } from "./indicateurs/qpv-places.ts";
import type { PublishedPlaces } from "./places/published.ts";
import type { Clock } from "./platform/clock.ts";
import type { Config } from "./platform/config.ts";
import type { Database, Db } from "./platform/db.ts";
import type { Progress } from "./platform/progress.ts";
import type { Geometry, Territory } from "./territories/model.ts";
import type { Referential } from "./territories/referential.ts";
import type { SearchIndex } from "./territories/search.ts";

/** The platform part of the context: what exists before any capability is asked for its read model. */
export interface BaseContext {
  config: Config;
  /** The one source of "now" (routes never read the time themselves; tests pass a fixed clock). */
  clock: Clock;
  database: Database;
  territories: Referential;
  search: SearchIndex;
  /** Boundaries of territories by id, for maps (capabilities do not read the territories' tables). */
  shapes(ids: string[]): Promise<Map<string, Geometry>>;
  /** The indicators every capability defines (`Capability.indicators`), in the capabilities' order. */
  indicatorProviders: readonly IndicatorProvider[];
}

/** The read models, each provided by one capability (see its `capability.ts`). */
export interface ReadModels {
  /** Every published place in memory (places; coverage and orientation read places through it). */
  places: PublishedPlaces;
  /** Computed fragility scores and the urban classes of communes, in memory (fragility; read by coverage). */
  fragility: PublishedFragility;
  /** Coverage of every commune, computed on demand from the two above and cached per generation (coverage). */
  coverage: CoverageEngine;
  /** Published places located in and near the quartiers prioritaires, once per snapshot (indicateurs). */
  qpv: QpvPlaces;
}

/** What the HTTP routes, territory-page sections and commands share. */
export type AppContext = BaseContext & ReadModels;

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
 * A section that a capability adds to every territory page (fragility, places, coverage…).
 * `render` returns null when it has nothing to say about this territory.
 */
export interface TerritorySection {
  id: string;
  title: string;
  render(t: Territory, ctx: AppContext): Promise<VNode | null>;
  /**
   * The territory's map when this capability has a better one than the bare boundary (the communes coloured by
   * fragility); the first section giving one is shown at the top of the page.
   */
  map?(t: Territory, ctx: AppContext): Promise<VNode | null>;
  /**
   * Shown on a quartier prioritaire's page too. Sections without it are left out there: a quartier is not a
   * subdivision of its communes, and their figures would be the communes'.
   */
  qpv?: boolean;
}

/**
 * What a capability (places, fragility, coverage…) plugs into the application. Territories are the base every
 * capability builds on, so they are wired directly in app.ts; every other capability is listed in capabilities.ts.
 */
export interface Capability {
  name: string;
  migrations?: Record<string, Migration>;
  /**
   * The read models this capability offers (to itself and the others), built once when the application opens.
   * `ctx` is still being assembled: a model may keep it and read other models when it is used, not while built.
   */
  provide?(ctx: AppContext): Partial<ReadModels>;
  /** Loads or computes this capability's reference data when missing or outdated (first start, `data load`). */
  sync?(ctx: AppContext, opts: SyncOptions): Promise<void>;
  /** HTTP pages and API routes. */
  routes?(app: FastifyInstance, ctx: AppContext): void;
  /**
   * Admin routes under `/admin/`, behind the running server's token: what this capability's writing commands
   * send to a server that owns the embedded database (bodies arrive as raw byte streams).
   */
  admin?(app: FastifyInstance, ctx: AppContext): void;
  /** Sections added to every territory page, in order. */
  sections?: TerritorySection[];
  /** Commands, keyed by their words ("places import"). */
  commands?: Record<string, Command>;
  /** Personal data this capability keeps, deleted by `maillage privacy purge` once past its retention. */
  retention?: RetentionRule[];
  /** The indicators this capability defines and computes (src/indicateurs/ assembles, shows and exports them). */
  indicators?: IndicatorProvider;
}

// ————————————————————————————————————————————————————————————— indicators

/**
 * Where and when indicators are computed. A territory of any kind (commune, EPCI, département, région, QPV) or
 * France (`territory` null); days are Europe/Paris calendar days, both inclusive (`AAAA-MM-JJ`).
 */
export interface IndicatorScope {
  /** null for France. */
  territory: Territory | null;
  /**
   * INSEE codes of the communes the territory covers, with their arrondissements municipaux (Paris, Lyon,
   * Marseille); for a QPV, those of the communes it lies in; null for France (every commune).
   */
  communes: ReadonlySet<string> | null;
  /**
   * For a QPV only: the QPV code, and the ids of the published places located inside its contour by their
   * coordinates (approximate coordinates excluded). A capability whose records carry a place id counts those;
   * one whose records only carry a commune says « non disponible à l'échelle du quartier » (value undefined).
   */
  qpv: { code: string; placeIds: ReadonlySet<string> } | null;
  from: string;
  to: string;
}

/** One indicator, defined once: the dashboards, exports, API, contrat de ville view and portrait all read this. */
export interface IndicatorDefinition {
  /** Stable id, used in URLs and exports: `lieux.total`, `pass.remis`… */
  id: string;
  /** The group it is shown in (« Lieux », « Diagnostics », « Pass numérique »…). */
  family: string;
  /** French label, as a column header. */
  label: string;
  /** What it counts, in plain French. */
  definition: string;
  /** How it is computed (the formula, in French). */
  formula: string;
  /** Where the data comes from (a shipped file of data/PROVENANCE.md, or « saisies dans Maillage »). */
  source: string;
  /** The vintage of the data: the file's date, or « en continu » for records kept by Maillage. */
  vintage: string;
  /** Unit of the value: a count of something (« lieux », « personnes »), « % » or « indice (0 à 10) ». */
  unit: string;
  /** What is hidden and why (« rien : données publiques » or the small-count rule). */
  hidden: string;
  /** Public data (anyone) or operational data (signed-in coordinators and financeurs of the territory). */
  access: "public" | "operationnel";
  /** Whether it has a value per month (records with dates). */
  monthly: boolean;
  /** The Conseil national des villes' item it answers, when it is one of theirs. */
  cnv?: string;
}

/**
 * A computed value: a number; null when hidden to protect small counts (`hidden` true); undefined value when not
 * available at this scale (`note` says why).
 */
export interface IndicatorValue {
  value: number | null | undefined;
  hidden?: boolean;
  note?: string;
}

export interface IndicatorProvider {
  definitions: IndicatorDefinition[];
  /** Every indicator of this provider for the scope over its period (ids of `definitions` as keys). */
  compute(ctx: AppContext, scope: IndicatorScope): Promise<Record<string, IndicatorValue>>;
  /** For the monthly ones: month `AAAA-MM` → id → value, every month of the period. */
  monthly?(ctx: AppContext, scope: IndicatorScope): Promise<Record<string, Record<string, IndicatorValue>>>;
}

/** One kind of personal data kept for a while: how many rows are past retention at `now`, and their deletion. */
export interface RetentionRule {
  /** What is deleted, in French, as the purge lists it (« mandats terminés depuis plus de 3 ans »). */
  label: string;
  count(db: Db, now: Date): Promise<number>;
  /** Deletes them in the purge's transaction (`db` is that transaction); returns how many. */
  purge(db: Db, now: Date): Promise<number>;
}
