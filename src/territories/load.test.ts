import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { copyDataDir } from "../../test/support/data-copy.ts";
import { DATA_DIR } from "../../test/support/paths.ts";
import { COG_2025 } from "../../test/support/vintages.ts";
import { DataFileError } from "../platform/files.ts";
import { readTerritoryDataset, TERRITORY_FILES, type TerritoryDataset } from "./load.ts";
import { Referential } from "./referential.ts";
import { countByKind } from "./store.ts";

/** Counts taken from the source files themselves, independently of the loader. */
const zcatLines = (file: string, filter: string) =>
  Number(
    execFileSync("sh", ["-c", `gzip -dc '${join(DATA_DIR, file)}' | ${filter} | wc -l`])
      .toString()
      .trim(),
  );
const features = (file: string) =>
  (JSON.parse(gunzipSync(readFileSync(join(DATA_DIR, file))).toString()) as { features: unknown[] }).features
    .length;

let data: TerritoryDataset;
let ref: Referential;
before(async () => {
  data = await readTerritoryDataset(DATA_DIR);
  ref = new Referential(data.territories);
});

describe("territory dataset read from the real files", () => {
  test("every commune of COG 2025 and every arrondissement, EPCI, département and région, as in the sources", () => {
    const counts = countByKind(data.territories);
    assert.equal(counts.commune, zcatLines(TERRITORY_FILES.communes, "grep ',commune-actuelle,'"));
    assert.equal(
      counts.arrondissement,
      zcatLines(TERRITORY_FILES.communes, "grep ',arrondissement-municipal,'"),
    );
    assert.equal(counts.epci, features(TERRITORY_FILES.epci));
    assert.equal(counts.departement, features(TERRITORY_FILES.departements));
    assert.equal(counts.region, features(TERRITORY_FILES.regions));
    // The figures of COG 2025 as documented in shared/data/README.md.
    const { communeBoundaries: _, ...byKind } = COG_2025;
    assert.deepEqual(counts, byKind);
  });

  test("communes carry their département, région, EPCI, population and coordinates", () => {
    const se = ref.get("42218");
    assert.equal(se?.name, "Saint-Étienne");
    assert.equal(se?.departement, "42");
    assert.equal(se?.region, "84");
    assert.equal(se?.epci, "244200770");
    assert.ok((se?.population ?? 0) > 150000);
    assert.ok(se?.lat && se.lat > 45 && se.lat < 46);
    assert.deepEqual(se?.postcodes, ["42000", "42100", "42230"]);
    // DROM communes are there too.
    assert.equal(ref.get("97101")?.name, "Les Abymes");
    assert.equal(ref.get("97101")?.region, "01");
    // Only 4 communes (islands) belong to no EPCI.
    assert.equal(data.territories.filter((t) => t.kind === "commune" && !t.epci).length, 4);
    // Only 6 communes have no coordinate at all (documented in the data README).
    assert.equal(data.territories.filter((t) => t.kind === "commune" && t.lat === null).length, 6);
  });

  test("former communes lead to their current commune (COG 2025 rule)", () => {
    assert.ok(ref.get("93066")?.formerCodes.includes("93059"), "Pierrefitte-sur-Seine is now in Saint-Denis");
    assert.equal(ref.currentOf("93059")?.id, "93066");
    const mapped = data.territories.reduce((n, t) => n + t.formerCodes.length, 0);
    assert.ok(mapped > 4000, `${mapped} former codes`);
    // A current code is never listed as a former one.
    assert.equal(data.territories.filter((t) => t.formerCodes.some((c) => ref.get(c))).length, 0);
  });

  test("Paris, Lyon and Marseille are communes whose arrondissements are children and share their postcodes", () => {
    assert.equal(ref.childrenOf("75056").length, 20);
    assert.equal(ref.childrenOf("69123").length, 9);
    assert.equal(ref.childrenOf("13055").length, 16);
    assert.equal(ref.get("69383")?.parent, "69123");
    assert.ok(ref.get("69123")?.postcodes.includes("69003"));
  });

  test("départements and régions have names from the sources and populations summed from their communes", () => {
    assert.equal(ref.get("2A")?.name, "Corse-du-Sud");
    assert.equal(ref.get("region-84")?.name, "Auvergne-Rhône-Alpes");
    const communes = data.territories.filter((t) => t.kind === "commune");
    const total = communes.reduce((s, t) => s + (t.population ?? 0), 0);
    const byRegion = data.territories
      .filter((t) => t.kind === "region")
      .reduce((s, t) => s + (t.population ?? 0), 0);
    assert.equal(byRegion, total);
  });

  test("boundaries: every région, département and EPCI, and all communes but the 7 re-created after 2018", () => {
    const ids = new Set(data.geometries.map((g) => g.id));
    const missing = data.territories
      .filter((t) => t.kind !== "arrondissement" && !ids.has(t.id))
      .map((t) => t.id);
    assert.deepEqual(missing.sort(), ["14666", "15031", "15035", "15047", "15171", "85165", "85212"]);
  });

  test("the dataset version is the hash of the files and is stable", async () => {
    const again = await readTerritoryDataset(DATA_DIR, undefined, { geometries: false });
    assert.match(data.hash, /^[0-9a-f]{64}$/);
    assert.equal(again.hash, data.hash);
  });
});

describe("referential links", () => {
  test("parents from the nearest to the widest", () => {
    const se = ref.get("42218");
    assert.ok(se);
    assert.deepEqual(
      ref.parentsOf(se).map((p) => p.id),
      ["244200770", "42", "region-84"],
    );
    const arr = ref.get("69383");
    assert.ok(arr);
    assert.deepEqual(
      ref.parentsOf(arr).map((p) => p.id),
      ["69123", "69", "region-84"],
    );
  });

  test("children: EPCI members, département EPCI and communes, région départements", () => {
    const epci = ref.get("244200770");
    assert.ok(epci);
    assert.equal(ref.childrenOf(epci.id).length, zcatLines(TERRITORY_FILES.communes, "grep ',244200770,'"));
    assert.deepEqual(
      ref.parentsOf(epci).map((p) => p.id),
      ["42", "region-84"],
    );
    assert.equal(ref.childrenOf("region-84").filter((c) => c.kind === "departement").length, 12);
    const creuse = ref.get("23");
    assert.ok(creuse);
    assert.equal(
      ref.communesOf(creuse).length,
      zcatLines(TERRITORY_FILES.communes, "grep -E '^[0-9AB]{5},[^,]*,commune-actuelle,23,'"),
    );
  });
});

describe("damaged reference files: a clear error naming the file and the line", () => {
  const read = (dir: string) => readTerritoryDataset(dir, undefined, { geometries: false });

  test("a bad INSEE code names the file, the line and the field", async (t) => {
    const copy = copyDataDir();
    t.after(() => copy.remove());
    copy.rewrite(TERRITORY_FILES.communes, (text) => text.replace("\n01004,", "\n1X004,"));
    await assert.rejects(read(copy.dir), (e: Error) => {
      assert.ok(e instanceof DataFileError);
      assert.match(
        e.message,
        /communes-coordonnees-cog2025\.csv\.gz, ligne 4 : champ « code_insee » : code INSEE invalide \(valeur « 1X004 »\)/,
      );
      return true;
    });
  });

  test("a missing column, a population that is not a number, a duplicated code", async (t) => {
    const copy = copyDataDir();
    t.after(() => copy.remove());
    copy.rewrite(TERRITORY_FILES.communes, (text) => text.replace("code_insee,nom,type", "code,nom,type"));
    await assert.rejects(read(copy.dir), /ligne 1 : colonne\(s\) manquante\(s\) : « code_insee »/);
    copy.rewrite(TERRITORY_FILES.communes, (text) =>
      text
        .replace("code,nom,type", "code_insee,nom,type")
        .replace(",84,200069193,860,", ",84,200069193,huit cents,"),
    );
    await assert.rejects(
      read(copy.dir),
      /ligne 2 : champ « population » : nombre entier attendu \(valeur « huit cents » \)|ligne 2 : champ « population »/,
    );
    copy.rewrite(TERRITORY_FILES.communes, (text) =>
      text.replace("huit cents", "860").replace("\n01002,", "\n01001,"),
    );
    await assert.rejects(read(copy.dir), /ligne 3 : champ « code_insee » : code en double/);
  });

  test("a commune pointing to an unknown EPCI, a wrong separator", async (t) => {
    const copy = copyDataDir();
    t.after(() => copy.remove());
    copy.rewrite(TERRITORY_FILES.communes, (text) =>
      text.replace(",84,200069193,860,", ",84,999999999,860,"),
    );
    await assert.rejects(read(copy.dir), /ligne 2 : EPCI inconnu « 999999999 » pour 01001/);
    copy.rewrite(TERRITORY_FILES.communes, (text) => text.replaceAll(",", ";"));
    await assert.rejects(read(copy.dir), /ligne 1 : colonne\(s\) manquante\(s\)/);
  });

  test("a missing file, a corrupt gzip, invalid JSON", async (t) => {
    const copy = copyDataDir();
    t.after(() => copy.remove());
    copy.rewrite(TERRITORY_FILES.regions, (text) => text.replace('"type"', '"type" "'));
    await assert.rejects(read(copy.dir), /regions-avec-outre-mer-2018\.geojson\.gz, ligne 1 : JSON invalide/);
    writeFileSync(join(copy.dir, TERRITORY_FILES.epci), "not gzip at all");
    await assert.rejects(read(copy.dir), /epci-2025-simplifie\.geojson\.gz : fichier illisible/);
    rmSync(join(copy.dir, TERRITORY_FILES.postcodes));
    await assert.rejects(read(copy.dir), /communes-france-2024-rcarlier\.csv\.gz : fichier introuvable/);
  });
});
