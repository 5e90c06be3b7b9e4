import { sql } from "kysely";
import type { Db } from "../platform/db.ts";
import { SOURCE_LABELS } from "./describe.ts";
import { PlaceListing } from "./listing.ts";
import type { ImportedSource, Place } from "./model.ts";
import { LATEST_VERSION_SQL } from "./store/edits.ts";
import { importedSources } from "./store/history.ts";
import { streamPlaces } from "./store/published.ts";

/** Every published place, and the import marker of the database when they were read. */
export interface PlacesSnapshot {
  marker: string;
  places: readonly Place[];
}

/** How long a snapshot is trusted before checking whether an import happened (in another process, say). */
const RECHECK_MS = 5_000;

/**
 * Every published place (after deduplication) in memory, for capabilities that compute over all places
 * (coverage, orientation). It is reloaded when a new import is recorded in `place_import`: checked at once when
 * an import's NOTIFY arrives (`recheck()`, see capability.ts; other servers on one PostgreSQL), after
 * `invalidate()` (imports in this process), and otherwise at most every few seconds (the fallback).
 */
export class PublishedPlaces {
  private snapshot: PlacesSnapshot | null = null;
  /** A snapshot read by another instance over a copy of this database (`preload`), used if its marker matches. */
  private preloaded: PlacesSnapshot | null = null;
  private loading: Promise<readonly Place[]> | null = null;
  private checkedAt = 0;
  private version = 0;
  private readonly listings = new WeakMap<readonly Place[], PlaceListing>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** A number that changes whenever the snapshot is replaced: derived indexes compare it to rebuild. */
  get generation(): number {
    return this.version;
  }

  invalidate(): void {
    this.snapshot = null;
    this.preloaded = null;
    this.checkedAt = 0;
  }

  /** Another process may have imported (a NOTIFY arrived): the next read checks `place_import` at once. */
  recheck(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }

  /** Each source of places as last imported (file, date, records, latest update date). */
  async sources(): Promise<(ImportedSource & { label: string })[]> {
    return (await importedSources(this.db)).map((s) => ({
      ...s,
      label: SOURCE_LABELS[s.source] ?? s.source,
    }));
  }

  /** The sorted list index of the current snapshot (built once per snapshot). */
  async listing(): Promise<PlaceListing> {
    const places = await this.all();
    let listing = this.listings.get(places);
    if (!listing) {
      listing = new PlaceListing(places);
      this.listings.set(places, listing);
    }
    return listing;
  }

  /** The current snapshot and its import marker (null before the first read), for `preload` elsewhere. */
  current(): PlacesSnapshot | null {
    return this.snapshot;
  }

  /**
   * A snapshot that another instance read from a copy of this very database (tests keep one between processes):
   * the next read still asks the database for its import marker, and takes these places instead of reading them
   * again only if the marker is the same; otherwise it reads them as always. Used once.
   */
  preload(snapshot: PlacesSnapshot): void {
    this.preloaded = snapshot;
  }

  async all(): Promise<readonly Place[]> {
    if (this.snapshot && this.now() - this.checkedAt < RECHECK_MS) return this.snapshot.places;
    this.loading ??= this.refresh().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async refresh(): Promise<readonly Place[]> {
    const marker = await importMarker(this.db);
    this.checkedAt = this.now();
    if (this.snapshot && this.snapshot.marker === marker) return this.snapshot.places;
    const preloaded = this.preloaded;
    this.preloaded = null;
    let places: readonly Place[];
    if (preloaded?.marker === marker) places = preloaded.places;
    else {
      const read: Place[] = [];
      for await (const p of streamPlaces(this.db, {}, 5000)) read.push(p);
      places = read;
    }
    this.snapshot = { marker, places };
    this.version++;
    return places;
  }
}

async function importMarker(db: Db): Promise<string> {
  // Imports, manual edits (their latest version) and duplicate decisions (count and latest, an undo deletes one).
  const r = await sql<{ n: string | null; m: string | null; v: string | null; d: string | null }>`
    SELECT count(*)::text AS n, max(id)::text AS m, ${sql.raw(LATEST_VERSION_SQL)}::text AS v,
           (SELECT count(*) || '/' || coalesce(max(decided_at)::text, '') FROM place_pair_decision) AS d
    FROM place_import`.execute(db);
  const row = r.rows[0];
  return `${row?.n ?? 0}:${row?.m ?? ""}:${row?.v ?? ""}:${row?.d ?? ""}`;
}
