/**
 * The real data files, read once and kept between test processes. Parsing them (gunzip, CSV, GeoJSON properties,
 * the joins) takes several seconds of CPU per file that uses them; the result is stored in the system's temp folder,
 * serialised with V8's structured clone, under a key made of the data files' bytes and the readers' own code, as
 * `preparedDataDir` keys the loaded database. Any change of a data file or of a reader reads the files again.
 *
 * Only for tests that use the data as their input. The tests of the readers themselves (territories/load.test.ts,
 * the indicator files of fragility/indicators.test.ts, the importers' tests) keep calling them.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { IndicatorTable } from "../../src/fragility/compute.ts";
import { FRAGILITY_FILES } from "../../src/fragility/indicators.ts";
import { type FragilityInputs, readFragilityInputs } from "../../src/fragility/load.ts";
import type { Place } from "../../src/places/model.ts";
import {
  readTerritoryDataset,
  type TerritoryDataset,
  territoryFilePaths,
} from "../../src/territories/load.ts";

const SRC = join(import.meta.dirname, "../../src");

/** The code that reads, joins and imports the files: every module of src/ but the tests. */
const readerSources = (): string[] =>
  readdirSync(SRC, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith(".test.ts"))
    .sort()
    .map((f) => join(SRC, f));

/**
 * `read()` once per version of `files` and of the code of src/: kept in the system's temp folder under `name` and a
 * hash of both.
 */
export async function cached<T>(name: string, files: string[], read: () => Promise<T>): Promise<T> {
  const hash = createHash("sha256");
  for (const f of [...files, ...readerSources()]) hash.update(f).update(readFileSync(f));
  const path = join(tmpdir(), `maillage-test-${name}-${hash.digest("hex").slice(0, 16)}.v8`);
  if (existsSync(path)) return deserialize(readFileSync(path)) as T;
  const value = await read();
  // Written under another name then renamed: files running at the same time never read half a cache.
  const partial = `${path}.${process.pid}`;
  writeFileSync(partial, serialize(value));
  renameSync(partial, path);
  return value;
}

/** `readTerritoryDataset(dataDir, undefined, { geometries: false })`, read once per version of the files. */
export async function territoriesWithoutGeometries(dataDir: string): Promise<TerritoryDataset> {
  return cached("territories", await territoryFilePaths(dataDir), () =>
    readTerritoryDataset(dataDir, undefined, { geometries: false }),
  );
}

/** `readFragilityInputs(dataDir)`, read once per version of the files (the typed columns rebuilt from them). */
export async function fragilityInputs(dataDir: string): Promise<FragilityInputs> {
  const files = [
    ...(await territoryFilePaths(dataDir)),
    ...Object.values(FRAGILITY_FILES).map((f) => join(dataDir, f)),
  ];
  const plain = await cached("fragility", files, async () => {
    const { columns: _, ...read } = await readFragilityInputs(dataDir);
    return read;
  });
  return { ...plain, columns: new IndicatorTable(plain.indicators, plain.communes) };
}

/**
 * Every shipped place after deduplication, as `shipped()` of test/support/orientation.ts builds them from the files
 * (`build`), read once per version of the files.
 */
export async function shippedPlaces(
  dataDir: string,
  /** The shipped places' files, relative to the data folder. */
  placeFiles: string[],
  build: () => Promise<Place[]>,
): Promise<Place[]> {
  const files = [...(await territoryFilePaths(dataDir)), ...placeFiles.map((f) => join(dataDir, f))];
  return cached("places", files, build);
}
