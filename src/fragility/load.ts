import { join } from "node:path";
import { readTerritoryDataset } from "../territories/load.ts";
import type { Territory } from "../territories/model.ts";
import { IndicatorTable } from "./compute.ts";
import { FILE_SPECS, FRAGILITY_FILES, readIndicatorFile, readOfficialEpci } from "./indicators.ts";
import { completeParisLyonMarseille } from "./join.ts";
import type { CommuneRef, IndicatorValues, ReadReport } from "./model.ts";

export interface FragilityInputs {
  /** COG 2025 communes and arrondissements municipaux. */
  communes: CommuneRef[];
  /** Every indicator, by id, joined to COG 2025 codes (Paris/Lyon/Marseille completed, see join.ts). */
  indicators: Map<string, IndicatorValues>;
  /** One report per file read. */
  reports: ReadReport[];
  /** The official IFN per EPCI, by SIREN. */
  officialEpci: Map<string, { name: string; total: number | null }>;
  /** The same indicators as typed-array columns in the order of `communes`, with the communes' groups (compute.ts). */
  columns: IndicatorTable;
}

/** Former commune code → current commune code (COG 2025), to place rows of older files. */
export function formerCodeMap(territories: readonly Territory[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of territories) for (const code of t.formerCodes) out.set(code, t.code);
  return out;
}

function toCommuneRefs(territories: readonly Territory[]): CommuneRef[] {
  const out: CommuneRef[] = [];
  for (const t of territories) {
    if (t.kind !== "commune" && t.kind !== "arrondissement") continue;
    out.push({
      code: t.code,
      kind: t.kind,
      population: t.population,
      epci: t.epci,
      departement: t.departement,
      region: t.region,
      parent: t.parent,
    });
  }
  return out;
}

/** Reads every indicator file of the data folder, joined on the COG 2025 communes. */
export async function readFragilityInputs(dataDir: string): Promise<FragilityInputs> {
  const { territories } = await readTerritoryDataset(dataDir, undefined, { geometries: false });
  const refs = toCommuneRefs(territories);
  const former = formerCodeMap(territories);
  const known = new Set(refs.map((c) => c.code));
  const indicators = new Map<string, IndicatorValues>();
  const reports: ReadReport[] = [];
  for (const key of ["ifnCommunes", "filosofi", "rcarlier", "appartenance"] as const) {
    const { values, report } = await readIndicatorFile(
      join(dataDir, FRAGILITY_FILES[key]),
      FILE_SPECS[key],
      known,
      former,
    );
    reports.push(report);
    for (const [id, v] of values)
      indicators.set(id, { indicator: v.indicator, values: completeParisLyonMarseille(v.values, refs) });
  }
  const officialEpci = await readOfficialEpci(join(dataDir, FRAGILITY_FILES.ifnEpci));
  return { communes: refs, indicators, reports, officialEpci, columns: new IndicatorTable(indicators, refs) };
}
