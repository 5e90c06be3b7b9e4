/**
 * The real places shipped in data/mediation/ (France Services 2024, conseillers numériques 2022, PACA hub 2023)
 * loaded as three sources on first start and by `maillage data load`, then deduplicated; nothing is done when
 * the same files are already loaded. One transaction for the three files: a damaged file leaves the base as it was.
 */
import { join } from "node:path";
import { sql } from "kysely";
import type { AppContext, SyncOptions } from "../context.ts";
import { datasetState, recordDataset } from "../platform/datasets.ts";
import type { Db } from "../platform/db.ts";
import { DataFileError } from "../platform/files.ts";
import { DATA } from "../platform/provenance.ts";
import type { Referential } from "../territories/referential.ts";
import { DEFAULT_DEDUPE } from "./dedupe.ts";
import { type CommuneIndex, communeIndex } from "./import/communes.ts";
import { changed, emptyResult, importInto, republish, type StoreImportResult } from "./import/ingest.ts";
import { openFile } from "./import/read.ts";
import type { SourceFormat } from "./import/sources.ts";
import { type PlaceTrx, placeTables } from "./store/tables.ts";

const DATASET = "lieux";

export interface ShippedSource {
  source: string;
  file: string;
  format: SourceFormat;
  /** Rows in the file, for the progress bar. */
  rows: number;
}

/** The shipped files, relative to the reference folder, with the source name each is imported as. */
export const SHIPPED: ShippedSource[] = [
  {
    source: "france-services",
    file: DATA.franceServices.path,
    format: "france-services",
    rows: 2845,
  },
  {
    source: "conseillers-numeriques",
    file: DATA.conseillersNumeriques.path,
    format: "standard",
    rows: 4930,
  },
  {
    source: "hub-du-sud",
    file: DATA.hubDuSud.path,
    format: "standard",
    rows: 646,
  },
];

/** What the loaded result depends on besides the files: the import rules and the deduplication settings. */
const SALT = `places-1:${JSON.stringify(DEFAULT_DEDUPE)}`;

const indexes = new WeakMap<Referential, CommuneIndex>();
/** The commune index of a referential, built once. */
export function communesOf(ref: Referential): CommuneIndex {
  let index = indexes.get(ref);
  if (!index) {
    index = communeIndex([...ref.all]);
    indexes.set(ref, index);
  }
  return index;
}

export interface PlacesSyncResult {
  status: "unchanged" | "loaded";
  imports: StoreImportResult[];
  published?: { places: number; merged: number; toReview: number };
}

export async function syncPlaces(
  db: Db,
  referenceDir: string,
  communes: CommuneIndex,
  opts: Pick<SyncOptions, "force" | "progress"> = {},
): Promise<PlacesSyncResult> {
  const paths = SHIPPED.map((s) => join(referenceDir, s.file));
  const state = await datasetState(db, DATASET, paths, SALT);
  if (!opts.force && state.current) return { status: "unchanged", imports: [] };
  const total = SHIPPED.reduce((n, s) => n + s.rows, 0);
  const progress = opts.progress?.("Lieux de médiation numérique", total);
  const imports: StoreImportResult[] = [];
  let published: PlacesSyncResult["published"];
  await placeTables(db)
    .transaction()
    .execute(async (trx) => {
      let before = 0;
      for (const [k, s] of SHIPPED.entries()) {
        const file = s.file.split("/").pop() as string;
        const result = emptyResult({ file, source: s.source });
        await importInto(
          trx,
          openFile(paths[k] as string),
          {
            source: s.source,
            file,
            format: s.format,
            communes,
            full: true,
            by: "chargement des données de référence",
            onProgress: (n) => progress?.tick(before + n),
          },
          result,
        ).catch((e: unknown) => {
          if (result.summary.fileError) throw new DataFileError(file, null, result.summary.fileError);
          throw e;
        });
        imports.push(result);
        before += result.counts.read;
      }
      published = imports.some(changed) ? await republish(trx) : await publishedCounts(trx);
      const counts: Record<string, number> = { lieux: published.places, fusions: published.merged };
      for (const r of imports) counts[r.summary.source] = r.counts.accepted;
      await recordDataset(
        trx as unknown as Db,
        DATASET,
        { hash: state.hash ?? "", fingerprint: state.fingerprint },
        counts,
      );
    });
  progress?.done();
  return { status: "loaded", imports, published };
}

/** capability.sync: loads the shipped places when missing or changed. */
export async function syncCapability(ctx: AppContext, opts: SyncOptions): Promise<void> {
  const r = await syncPlaces(ctx.database.db, ctx.config.referenceDir, communesOf(ctx.territories), opts);
  if (r.status === "loaded" && r.published) {
    opts.log(
      `Lieux chargés : ${r.imports.map((i) => `${i.summary.source} ${i.counts.accepted}`).join(", ")} ; ` +
        `${r.published.places} lieux publiés après ${r.published.merged} fusions (${r.published.toReview} paires à vérifier)`,
    );
  }
}

async function publishedCounts(trx: PlaceTrx) {
  const r = await trx
    .selectFrom("place")
    .select((eb) => [
      eb.fn.countAll<string>().as("n"),
      eb.fn.count<string>(sql`CASE WHEN cardinality(members) > 1 THEN 1 END`).as("m"),
    ])
    .executeTakeFirstOrThrow();
  const review = await trx
    .selectFrom("place_pair")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("decision", "=", "à vérifier")
    .executeTakeFirstOrThrow();
  return { places: Number(r.n), merged: Number(r.m), toReview: Number(review.n) };
}
