import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { DATA_DIR } from "../../test/support/paths.ts";
import { territoriesWithoutGeometries } from "../../test/support/real-data.ts";
import { DataFileError, readCsv } from "../platform/files.ts";
import {
  collectValues,
  FILE_SPECS,
  FRAGILITY_FILES,
  INDICATORS,
  type ParsedRow,
  parseAppartenanceRow,
  parseCell,
  parseFilosofiRow,
  parseIfnRow,
  parseRcarlierRow,
  readIndicatorFile,
  readOfficialEpci,
} from "./indicators.ts";
import { formerCodeMap } from "./load.ts";

// Real header and rows, copied verbatim from the files in data/ (shared/data).
const FILOSOFI_HEADER =
  "CODGEO;NBMENFISC21;NBPERSMENFISC21;MED21;PIMP21;TP6021;TP60AGE121;TP60AGE221;TP60AGE321;TP60AGE421;TP60AGE521;TP60AGE621;TP60TOL121;TP60TOL221;PACT21;PTSA21;PCHO21;PBEN21;PPEN21;PPAT21;PPSOC21;PPFAM21;PPMINI21;PPLOGT21;PIMPOT21;D121;D921;RD21";
const FILOSOFI_42218 =
  "42218;74412;151544;19010;42,0;28,0;39,0;34,0;34,0;27,0;18,0;15,0;9,0;43,0;65,7;57,9;3,6;4,2;31,2;6,7;10,3;2,9;4,9;2,5;-13,9;9590;34210;3,6";
const FILOSOFI_01001 = "01001;346;895;25820;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s";
const FILOSOFI_08300 = "08300;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s;s";
const IFN_HEADER =
  "name,division,code,no_thd_coverage_rate,no_4g_coverage_rate,poverty_rate,older_65_rate,nscol15p_rate,total";
const IFN_01004 =
  "Ambérieu-en-Bugey,city,01004,6.0,6.592029291649063,8.0,3.7232784114913393,4.893536121673004,5.841768764962682";
const IFN_13055 = "Marseille,city,13055,,,,,,";
const RC_HEADER =
  "insee_com,insee_reg,insee_dep,commune,commune_article,code_postal,commune_type,insee_parente,lat,lng,superficie_km2,population_2021,population_2015,menages_2021,naissances_2022,deces_2022,pop_15_64_totale_2021,pop_15_64_chomage_2021,pop_15_64_active_2021";
const RC_42218_A =
  "42218,84,42,Saint-Étienne,Saint-Étienne,42000,COM,,45.4241,4.36647,79.97,172718,171057,85897,1990,1814,107426,14288,73029";
const RC_42218_B =
  "42218,84,42,Saint-Étienne,Saint-Étienne,42100,COM,,45.4241,4.36647,79.97,172718,171057,85897,1990,1814,107426,14288,73029";
const RC_01015_COMD =
  "01015,,,Arbignieu,Arbignieu,01300,COMD,01015,45.71887,5.64043,22.49,667,637,303,2,3,394,39,307";
const RC_55039 =
  "55039,44,55,Beaumont-en-Verdunois,Beaumont-en-Verdunois,55100,COM,,49.26506,5.40341,7.87,0,0,0,0,0,0,0,0";
const APP_HEADER =
  "CODGEO,LIBGEO,DEP,REG,EPCI,NATURE_EPCI,ARR,CV,ZE2020,UU2020,TUU2017,TDUU2017,AAV2020,TAAV2017,TDAAV2017,CATEAAV2020,BV2012";
const APP_42218 = "42218,Saint-Étienne,42,84,244200770,ME,423,4299,8428,00753,7,72,023,3,33,11,42218";
const APP_01001 =
  "01001,L'Abergement-Clémenciat,01,84,200069193,CC,012,0108,8405,01000,0,00,524,1,11,20,01093";

/** A record keyed by header, as readCsv gives it (these rows have no quoted fields). */
const rowOf = (header: string, line: string, sep = ","): Record<string, string> => {
  const keys = header.split(sep);
  const cells = line.split(sep);
  return Object.fromEntries(keys.map((k, i) => [k, cells[i] ?? ""]));
};
const cellsOf = (p: ParsedRow) => {
  assert.ok("cells" in p, "the row should not be skipped");
  return p.cells;
};

describe("parseCell", () => {
  test("reads numbers, decimal commas only when asked, and explicit missing values", () => {
    assert.deepEqual(parseCell("6.592029291649063"), { value: 6.592029291649063 });
    assert.deepEqual(parseCell("28,0", { decimalComma: true }), { value: 28 });
    assert.deepEqual(parseCell("-13,9", { decimalComma: true }), { value: -13.9 });
    assert.deepEqual(parseCell("28,0"), { invalid: "28,0" });
    assert.deepEqual(parseCell("s"), { missing: "secret" });
    assert.deepEqual(parseCell("nd"), { missing: "nd" });
    assert.deepEqual(parseCell(""), { missing: "vide" });
    assert.deepEqual(parseCell(undefined), { missing: "vide" });
    assert.deepEqual(parseCell("19 010"), { invalid: "19 010" });
  });
});

describe("row parsers on real rows", () => {
  test("Filosofi: decimal comma and `s` (secret) become a number and an explicit missing value", () => {
    const c = cellsOf(parseFilosofiRow(rowOf(FILOSOFI_HEADER, FILOSOFI_42218, ";")));
    assert.deepEqual(c, { revenu_median: { value: 19010 }, taux_pauvrete: { value: 28 } });
    const small = cellsOf(parseFilosofiRow(rowOf(FILOSOFI_HEADER, FILOSOFI_01001, ";")));
    assert.deepEqual(small, { revenu_median: { value: 25820 }, taux_pauvrete: { missing: "secret" } });
    const secret = cellsOf(parseFilosofiRow(rowOf(FILOSOFI_HEADER, FILOSOFI_08300, ";")));
    assert.deepEqual(secret.revenu_median, { missing: "secret" });
  });

  test("IFN: the five scores and the total; Marseille 13055 has empty cells, read as missing", () => {
    const c = cellsOf(parseIfnRow(rowOf(IFN_HEADER, IFN_01004)));
    assert.deepEqual(c.ifn_4g, { value: 6.592029291649063 });
    assert.deepEqual(c.ifn_total, { value: 5.841768764962682 });
    const m = cellsOf(parseIfnRow(rowOf(IFN_HEADER, IFN_13055)));
    assert.ok(Object.values(m).every((cell) => "missing" in cell && cell.missing === "vide"));
  });

  test("rcarlier: unemployment = jobless / active, density = population / area; COMD rows skipped", () => {
    const c = cellsOf(parseRcarlierRow(rowOf(RC_HEADER, RC_42218_A)));
    assert.deepEqual(c.taux_chomage, { value: (100 * 14288) / 73029 });
    assert.deepEqual(c.densite, { value: 172718 / 79.97 });
    assert.ok("skip" in parseRcarlierRow(rowOf(RC_HEADER, RC_01015_COMD)));
    // An uninhabited commune (Beaumont-en-Verdunois): no active people, so no rate, not 0 %.
    const empty = cellsOf(parseRcarlierRow(rowOf(RC_HEADER, RC_55039)));
    assert.deepEqual(empty.taux_chomage, { missing: "division par zéro" });
    assert.deepEqual(empty.densite, { value: 0 });
  });

  test("table d'appartenance: TUU2017 from 0 (rural) to 8 (Paris); anything else is invalid", () => {
    assert.deepEqual(cellsOf(parseAppartenanceRow(rowOf(APP_HEADER, APP_42218))).tranche_unite_urbaine, {
      value: 7,
    });
    assert.deepEqual(cellsOf(parseAppartenanceRow(rowOf(APP_HEADER, APP_01001))).tranche_unite_urbaine, {
      value: 0,
    });
    const corrupted = APP_42218.replace(",ME,423,4299,8428,00753,7,", ",ME,423,4299,8428,00753,9,");
    assert.deepEqual(cellsOf(parseAppartenanceRow(rowOf(APP_HEADER, corrupted))).tranche_unite_urbaine, {
      invalid: "9",
    });
  });
});

describe("collectValues: bad input is reported, never thrown", () => {
  test("duplicates, conflicting duplicates, unknown and malformed codes, invalid cells", () => {
    const corrupted = RC_42218_B.replace(",14288,73029", ",14288,7302x");
    const rows = [
      RC_42218_A,
      RC_42218_B,
      corrupted,
      RC_01015_COMD,
      RC_55039,
      RC_55039.replace("55039", "5503"),
    ].map((l, i) => ({ line: i + 2, parsed: parseRcarlierRow(rowOf(RC_HEADER, l)) }));
    const known = new Set(["42218", "01015"]);
    const { values, report } = collectValues("rcarlier", FILE_SPECS.rcarlier, rows, known);
    assert.equal(report.rows, 6);
    assert.equal(report.duplicateRows, 2);
    assert.deepEqual(report.conflictingDuplicates, [{ code: "42218", line: 4 }]);
    assert.deepEqual(report.skipped, { "ligne COMD (commune déléguée)": 1 });
    // 55039 is a real COG code but not in this `known` set; "5503" is malformed.
    assert.deepEqual(report.unknownCodes, ["55039", "5503"]);
    assert.equal(values.get("taux_chomage")?.values.get("42218"), (100 * 14288) / 73029);
    assert.equal(values.get("taux_chomage")?.values.has("55039"), false);
    assert.deepEqual(values.get("taux_chomage")?.indicator, INDICATORS.taux_chomage);
  });

  test("a non-numeric cell is kept as missing and listed with its line and field", () => {
    const corrupted = FILOSOFI_42218.replace(";19010;", ";19 010;");
    const { values, report } = collectValues("filosofi", FILE_SPECS.filosofi, [
      { line: 7, parsed: parseFilosofiRow(rowOf(FILOSOFI_HEADER, corrupted, ";")) },
    ]);
    assert.deepEqual(report.invalid, [{ line: 7, field: "revenu_median", value: "19 010" }]);
    assert.equal(values.get("revenu_median")?.values.get("42218"), null);
    assert.equal(values.get("taux_pauvrete")?.values.get("42218"), 28);
  });
});

describe("reading the real files", () => {
  let cog2025: Set<string>;
  before(async () => {
    cog2025 = new Set();
    for await (const { row } of readCsv(join(DATA_DIR, "geo/communes-coordonnees-cog2025.csv.gz")))
      cog2025.add(row.code_insee ?? "");
  });

  test("IFN communes 2023: 35,008 rows, 102 codes not in COG 2025, 13055 and 27058 empty", async () => {
    const { values, report } = await readIndicatorFile(
      join(DATA_DIR, FRAGILITY_FILES.ifnCommunes),
      FILE_SPECS.ifnCommunes,
      cog2025,
    );
    assert.equal(report.rows, 35008);
    assert.equal(report.unknownCodes.length, 102);
    assert.ok(report.unknownCodes.includes("27058"), "Les Trois Lacs (27058) is not a COG 2025 commune");
    assert.equal(report.duplicateRows, 0);
    assert.deepEqual(report.invalid, []);
    assert.deepEqual(report.missing, { vide: 6 }); // the 6 score columns of Marseille 13055
    assert.equal(values.get("ifn_total")?.values.get("13055"), null);
    assert.equal(values.get("ifn_total")?.values.has("75056"), false);
    assert.equal(values.get("ifn_total")?.values.get("01004"), 5.841768764962682);
  });

  test("older codes follow the COG rule: a merged commune without a row takes the mean of its former communes", async () => {
    const { territories } = await territoriesWithoutGeometries(DATA_DIR);
    const former = formerCodeMap(territories);
    const file = join(DATA_DIR, FRAGILITY_FILES.ifnCommunes);
    const plain = await readIndicatorFile(file, FILE_SPECS.ifnCommunes, cog2025);
    const mapped = await readIndicatorFile(file, FILE_SPECS.ifnCommunes, cog2025, former);
    // Aurseulles (14581 since 2024) has no row; the file has it under its former code 14011.
    const parts = former.size > 0 ? [...former].filter(([, cur]) => cur === "14581").map(([old]) => old) : [];
    const olds = parts
      .map((c) => plain.values.get("ifn_total")?.values.get(c))
      .filter((v) => v !== undefined);
    assert.equal(olds.length, 0, "without the rule, the former codes are simply unknown");
    const raw = parts
      .map((c) => mapped.report.formerCodes.find((f) => f.code === c))
      .filter((f) => f !== undefined);
    assert.deepEqual(raw, [{ code: "14011", current: "14581", used: true }]);
    // The file's row "Aurseulles,city,14011,…,6.0": its total now stands for 14581.
    assert.equal(mapped.values.get("ifn_total")?.values.get("14581"), 6);
    assert.notEqual(mapped.values.get("ifn_total")?.values.get("14581") ?? null, null);
    // Pierrefitte-sur-Seine (93059) joined Saint-Denis, which has its own row: that row is kept.
    assert.deepEqual(
      mapped.report.formerCodes.find((f) => f.code === "93059"),
      { code: "93059", current: "93066", used: false },
    );
    assert.equal(
      mapped.values.get("ifn_total")?.values.get("93066"),
      plain.values.get("ifn_total")?.values.get("93066"),
    );
    // What is left unknown is reported, never silently zero.
    assert.ok(mapped.report.unknownCodes.length < plain.report.unknownCodes.length);
    console.log(
      `IFN 2023: ${mapped.report.formerCodes.length} rows under a former code (${mapped.report.formerCodes.filter((f) => f.used).length} used), ${mapped.report.unknownCodes.length} codes still unknown: ${mapped.report.unknownCodes.join(" ")}`,
    );
  });

  test("Filosofi 2021: `s` and `nd` are missing values, and MED21 is a number for 31,304 communes", async () => {
    const { values, report } = await readIndicatorFile(
      join(DATA_DIR, FRAGILITY_FILES.filosofi),
      FILE_SPECS.filosofi,
    );
    assert.equal(report.rows, 34909);
    assert.deepEqual(report.invalid, []);
    const med = [...(values.get("revenu_median")?.values.values() ?? [])].filter((v) => v !== null);
    const tp = [...(values.get("taux_pauvrete")?.values.values() ?? [])].filter((v) => v !== null);
    // The data README counts the cells that are not `s` (31,316 and 4,409); 12 of each are `nd`.
    assert.equal(med.length, 31304);
    assert.equal(tp.length, 4397);
    assert.equal((report.missing.secret ?? 0) + (report.missing.nd ?? 0), 2 * 34909 - 31304 - 4397);
  });

  test("rcarlier: one row per postcode is deduplicated without conflict; COMD rows skipped", async () => {
    const { values, report } = await readIndicatorFile(
      join(DATA_DIR, FRAGILITY_FILES.rcarlier),
      FILE_SPECS.rcarlier,
    );
    assert.equal(report.rows, 36208);
    assert.equal(report.skipped["ligne COMD (commune déléguée)"], 793);
    assert.deepEqual(report.conflictingDuplicates, []);
    assert.ok(report.duplicateRows > 0);
    assert.equal(
      values.get("taux_chomage")?.values.has("75056"),
      false,
      "Paris is only given as arrondissements",
    );
    assert.ok(values.get("taux_chomage")?.values.has("75101"));
  });

  test("the official IFN per EPCI: 1,255 rows by SIREN", async () => {
    const epci = await readOfficialEpci(join(DATA_DIR, FRAGILITY_FILES.ifnEpci));
    assert.equal(epci.size, 1255);
    assert.equal(epci.get("200000172")?.total, 5.122419823999411);
  });

  test("a file without a required column is a DataFileError naming the column", async () => {
    const dir = await mkdtemp(join(tmpdir(), "maillage-fragility-"));
    const path = join(dir, "ifn.csv.gz");
    await writeFile(path, gzipSync(`${IFN_HEADER.replace(",total", ",totale")}\n${IFN_01004}\n`));
    await assert.rejects(readIndicatorFile(path, FILE_SPECS.ifnCommunes), (e: unknown) => {
      assert.ok(e instanceof DataFileError);
      assert.match(e.message, /colonne\(s\) manquante\(s\) : « total »/);
      return true;
    });
  });
});
