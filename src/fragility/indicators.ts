import { readCsv } from "../platform/files.ts";
import { DATA } from "../platform/provenance.ts";
import type { Indicator, IndicatorValues, ReadReport } from "./model.ts";

/** The indicator files, relative to the data folder (provenance in data/PROVENANCE.md). */
export const FRAGILITY_FILES = {
  ifnCommunes: DATA.ifnCommunes.path,
  ifnEpci: DATA.ifnEpci.path,
  filosofi: DATA.filosofi.path,
  rcarlier: DATA.postcodes.path,
  appartenance: DATA.appartenance.path,
} as const;

const IFN_SOURCE = "La MedNum, indice de fragilité numérique 2023";
const ifnScore = (id: string, label: string, cause: string): Indicator => ({
  id,
  label,
  cause,
  source: IFN_SOURCE,
  file: FRAGILITY_FILES.ifnCommunes,
  unit: "score 0–10",
  direction: "higher-is-more-fragile",
});

const INDICATOR_LIST: Indicator[] = [
  ifnScore("ifn_thd", "Absence de très haut débit (score IFN)", "l'absence de très haut débit"),
  ifnScore("ifn_4g", "Absence de couverture 4G (score IFN)", "la mauvaise couverture 4G"),
  ifnScore("ifn_pauvrete", "Pauvreté (score IFN)", "la pauvreté"),
  ifnScore("ifn_65plus", "Part des 65 ans et plus (score IFN)", "la part de personnes de plus de 65 ans"),
  ifnScore(
    "ifn_sans_diplome",
    "Part des 15 ans et plus sans diplôme (score IFN)",
    "la part de personnes sans diplôme",
  ),
  ifnScore("ifn_total", "Score IFN officiel 2023", "le score IFN officiel élevé"),
  {
    id: "revenu_median",
    label: "Revenu médian (niveau de vie par unité de consommation)",
    cause: "le faible revenu médian",
    source: "INSEE, Filosofi 2021",
    file: FRAGILITY_FILES.filosofi,
    unit: "€",
    direction: "lower-is-more-fragile",
  },
  {
    id: "taux_pauvrete",
    label: "Taux de pauvreté (seuil à 60 % du revenu médian)",
    cause: "le taux de pauvreté élevé",
    source: "INSEE, Filosofi 2021",
    file: FRAGILITY_FILES.filosofi,
    unit: "%",
    direction: "higher-is-more-fragile",
  },
  {
    id: "taux_chomage",
    label: "Taux de chômage des 15–64 ans",
    cause: "le chômage",
    source: "INSEE, recensement 2021 (comparateur de territoires 2024)",
    file: FRAGILITY_FILES.rcarlier,
    unit: "%",
    direction: "higher-is-more-fragile",
  },
  {
    id: "densite",
    label: "Densité de population",
    cause: "la faible densité de population",
    source: "INSEE, recensement 2021 et COG 2024",
    file: FRAGILITY_FILES.rcarlier,
    unit: "hab./km²",
    direction: "lower-is-more-fragile",
  },
  {
    id: "tranche_unite_urbaine",
    label: "Taille de l'unité urbaine (0 = commune rurale, 8 = agglomération de Paris)",
    cause: "l'éloignement des villes",
    source: "INSEE, table d'appartenance géographique 2022 (TUU2017)",
    file: FRAGILITY_FILES.appartenance,
    unit: "tranche 0–8",
    direction: "lower-is-more-fragile",
  },
];

/** Every indicator Maillage can read, by id. */
export const INDICATORS: Record<string, Indicator> = Object.fromEntries(INDICATOR_LIST.map((i) => [i.id, i]));

/** Why a cell has no value. */
type MissingReason = "secret" | "nd" | "vide" | "division par zéro";

/** One cell read: a number, an explicit missing value, or something unreadable. */
export type Cell = { value: number } | { missing: MissingReason } | { invalid: string };

/**
 * Reads one numeric cell. `s` is INSEE's statistical secrecy, `nd` "non disponible", an empty cell
 * is missing: all three give an explicit missing value, never 0. With `decimalComma`, "17,5" is 17.5.
 */
export function parseCell(text: string | undefined, opts: { decimalComma?: boolean } = {}): Cell {
  const t = (text ?? "").trim();
  if (t === "") return { missing: "vide" };
  if (t.toLowerCase() === "s") return { missing: "secret" };
  if (t.toLowerCase() === "nd") return { missing: "nd" };
  const normalised = opts.decimalComma ? t.replace(",", ".") : t;
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(normalised)) return { invalid: t };
  return { value: Number(normalised) };
}

const COMMUNE_CODE = /^(\d{2}|2A|2B)\d{3}$/;

/** The result of parsing one row: its code and each indicator's cell (or a reason to skip the row). */
export type ParsedRow = { code: string; cells: Record<string, Cell> } | { skip: string };

/** A row of ifn/ifn-communes-2023.csv: the five official 0–10 scores and their mean `total`. */
export function parseIfnRow(row: Record<string, string>): ParsedRow {
  const code = (row.code ?? "").trim();
  if (row.division !== undefined && row.division !== "city") return { skip: `division « ${row.division} »` };
  return {
    code,
    cells: {
      ifn_thd: parseCell(row.no_thd_coverage_rate),
      ifn_4g: parseCell(row.no_4g_coverage_rate),
      ifn_pauvrete: parseCell(row.poverty_rate),
      ifn_65plus: parseCell(row.older_65_rate),
      ifn_sans_diplome: parseCell(row.nscol15p_rate),
      ifn_total: parseCell(row.total),
    },
  };
}
const IFN_COLUMNS = [
  "code",
  "no_thd_coverage_rate",
  "no_4g_coverage_rate",
  "poverty_rate",
  "older_65_rate",
  "nscol15p_rate",
  "total",
];

/** A row of INSEE Filosofi 2021 (`;`, decimal comma, `s` for secret): median income and poverty rate. */
export function parseFilosofiRow(row: Record<string, string>): ParsedRow {
  return {
    code: (row.CODGEO ?? "").trim(),
    cells: {
      revenu_median: parseCell(row.MED21, { decimalComma: true }),
      taux_pauvrete: parseCell(row.TP6021, { decimalComma: true }),
    },
  };
}
const FILOSOFI_COLUMNS = ["CODGEO", "MED21", "TP6021"];

/**
 * A row of communes-france-2024-rcarlier.csv: unemployment of the 15–64 = jobless / active, and density
 * = population / area. Only COM and ARM rows count: COMD rows (communes déléguées) repeat their parent.
 */
export function parseRcarlierRow(row: Record<string, string>): ParsedRow {
  const type = row.commune_type ?? "";
  if (type !== "COM" && type !== "ARM") return { skip: `ligne ${type || "sans type"} (commune déléguée)` };
  return {
    code: (row.insee_com ?? "").trim(),
    cells: {
      taux_chomage: ratio(parseCell(row.pop_15_64_chomage_2021), parseCell(row.pop_15_64_active_2021), 100),
      densite: ratio(parseCell(row.population_2021), parseCell(row.superficie_km2), 1),
    },
  };
}
const RCARLIER_COLUMNS = [
  "insee_com",
  "commune_type",
  "population_2021",
  "superficie_km2",
  "pop_15_64_chomage_2021",
  "pop_15_64_active_2021",
];

function ratio(num: Cell, den: Cell, scale: number): Cell {
  if (!("value" in num)) return num;
  if (!("value" in den)) return den;
  if (den.value === 0) return { missing: "division par zéro" };
  return { value: (scale * num.value) / den.value };
}

/** A row of the table d'appartenance géographique 2022: the size class of the urban unit (TUU2017). */
export function parseAppartenanceRow(row: Record<string, string>): ParsedRow {
  const cell = parseCell(row.TUU2017);
  const ok = !("value" in cell) || (Number.isInteger(cell.value) && cell.value >= 0 && cell.value <= 8);
  return {
    code: (row.CODGEO ?? "").trim(),
    cells: { tranche_unite_urbaine: ok ? cell : { invalid: row.TUU2017 ?? "" } },
  };
}
const APPARTENANCE_COLUMNS = ["CODGEO", "TUU2017"];

/** How to read one indicator file. */
export interface IndicatorFileSpec {
  delimiter: string;
  required: string[];
  parse: (row: Record<string, string>) => ParsedRow;
  /** The indicators the file gives. */
  indicators: string[];
}

export const FILE_SPECS = {
  ifnCommunes: {
    delimiter: ",",
    required: IFN_COLUMNS,
    parse: parseIfnRow,
    indicators: ["ifn_thd", "ifn_4g", "ifn_pauvrete", "ifn_65plus", "ifn_sans_diplome", "ifn_total"],
  },
  filosofi: {
    delimiter: ";",
    required: FILOSOFI_COLUMNS,
    parse: parseFilosofiRow,
    indicators: ["revenu_median", "taux_pauvrete"],
  },
  rcarlier: {
    delimiter: ",",
    required: RCARLIER_COLUMNS,
    parse: parseRcarlierRow,
    indicators: ["taux_chomage", "densite"],
  },
  appartenance: {
    delimiter: ",",
    required: APPARTENANCE_COLUMNS,
    parse: parseAppartenanceRow,
    indicators: ["tranche_unite_urbaine"],
  },
} satisfies Record<string, IndicatorFileSpec>;

/** Turns parsed rows into per-indicator values and a report. Pure: the rows may come from any source. */
export function collectValues(
  file: string,
  spec: Pick<IndicatorFileSpec, "indicators">,
  rows: Iterable<{ line: number; parsed: ParsedRow }>,
  known?: Set<string>,
  former?: Map<string, string>,
): { values: Map<string, IndicatorValues>; report: ReadReport } {
  const report: ReadReport = {
    file,
    rows: 0,
    missing: {},
    invalid: [],
    duplicateRows: 0,
    conflictingDuplicates: [],
    unknownCodes: [],
    formerCodes: [],
    skipped: {},
  };
  /** Rows of former communes, by the current commune they belong to (used only if it has no row of its own). */
  const fromFormer = new Map<string, { code: string; row: Record<string, number | null> }[]>();
  const values = new Map<string, IndicatorValues>(
    spec.indicators.map((id) => {
      const indicator = INDICATORS[id];
      if (!indicator) throw new Error(`indicator ${id} is not in INDICATORS`);
      return [id, { indicator, values: new Map<string, number | null>() }];
    }),
  );
  const seen = new Set<string>();
  for (const { line, parsed } of rows) {
    report.rows++;
    if ("skip" in parsed) {
      report.skipped[parsed.skip] = (report.skipped[parsed.skip] ?? 0) + 1;
      continue;
    }
    const { code, cells } = parsed;
    const current = known && !known.has(code) ? former?.get(code) : undefined;
    if (!COMMUNE_CODE.test(code) || (known && !known.has(code) && !current)) {
      if (!report.unknownCodes.includes(code)) report.unknownCodes.push(code);
      continue;
    }
    const row: Record<string, number | null> = {};
    for (const id of spec.indicators) {
      const cell = cells[id] ?? { missing: "vide" };
      if ("value" in cell) row[id] = cell.value;
      else {
        row[id] = null;
        if ("missing" in cell) report.missing[cell.missing] = (report.missing[cell.missing] ?? 0) + 1;
        else report.invalid.push({ line, field: id, value: cell.invalid });
      }
    }
    if (current) {
      const list = fromFormer.get(current) ?? [];
      list.push({ code, row });
      fromFormer.set(current, list);
      continue;
    }
    if (seen.has(code)) {
      report.duplicateRows++;
      const same = spec.indicators.every((id) => Object.is(values.get(id)?.values.get(code), row[id]));
      if (!same) report.conflictingDuplicates.push({ code, line });
      continue;
    }
    seen.add(code);
    for (const id of spec.indicators) values.get(id)?.values.set(code, row[id] ?? null);
  }
  // COG rule for older files: a current commune without a row of its own takes its former communes' values
  // (their mean when several merged; a value missing in all of them stays missing). Recorded in the report.
  for (const [current, list] of fromFormer) {
    const used = !seen.has(current);
    for (const f of list) report.formerCodes.push({ code: f.code, current, used });
    if (!used) continue;
    for (const id of spec.indicators) {
      const observed = list.map((f) => f.row[id]).filter((v): v is number => v !== null && v !== undefined);
      values
        .get(id)
        ?.values.set(
          current,
          observed.length > 0 ? observed.reduce((a, b) => a + b, 0) / observed.length : null,
        );
    }
  }
  return { values, report };
}

/**
 * Reads one indicator file (streaming). Bad cells, unknown codes and duplicates are reported, never
 * thrown; a missing file or column throws a DataFileError naming the file (and line).
 */
export async function readIndicatorFile(
  path: string,
  spec: IndicatorFileSpec,
  known?: Set<string>,
  former?: Map<string, string>,
): Promise<{ values: Map<string, IndicatorValues>; report: ReadReport }> {
  const rows: { line: number; parsed: ParsedRow }[] = [];
  for await (const { line, row } of readCsv(path, { delimiter: spec.delimiter, required: spec.required })) {
    rows.push({ line, parsed: spec.parse(row) });
  }
  return collectValues(path, spec, rows, known, former);
}

/** The official IFN per EPCI (ifn-epci-2023.csv): the `total` by SIREN, for comparison. */
export async function readOfficialEpci(
  path: string,
): Promise<Map<string, { name: string; total: number | null }>> {
  const out = new Map<string, { name: string; total: number | null }>();
  for await (const { row } of readCsv(path, { required: ["name", "code", "total"] })) {
    const cell = parseCell(row.total);
    out.set((row.code ?? "").trim(), { name: row.name ?? "", total: "value" in cell ? cell.value : null });
  }
  return out;
}
