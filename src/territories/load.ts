import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { contentHash } from "../platform/datasets.ts";
import { DataFileError, displayPath, readCsv, readJson } from "../platform/files.ts";
import type { Progress } from "../platform/progress.ts";
import { DATA } from "../platform/provenance.ts";
import { type ContratDeVille, type Geometry, QPV_CODE, regionId, type Territory } from "./model.ts";

/** The reference files the territories come from, relative to the data folder (see data/PROVENANCE.md). */
export const TERRITORY_FILES = {
  communes: DATA.communes.path,
  postcodes: DATA.postcodes.path,
  epci: DATA.epci.path,
  departements: DATA.departements.path,
  regions: DATA.regions.path,
  formerCodes: DATA.formerCodes.path,
  qpvList: DATA.qpvList.path,
  qpvContours: DATA.qpvContours.path,
  contrats: DATA.contratsDeVille.path,
  communeShapesDir: DATA.communeShapes.path,
} as const;

export interface TerritoryDataset {
  territories: Territory[];
  geometries: { id: string; geometry: Geometry }[];
  contrats: ContratDeVille[];
  /** sha256 of every source file: the version of the dataset. */
  hash: string;
}

const COMMUNE_CODE = /^(\d{2}|2A|2B)\d{3}$/;
const DEP_CODE = /^(\d{2}|2A|2B|97\d)$/;
const SIREN = /^\d{9}$/;

/** Every source file, in a fixed order (their bytes make the dataset's hash). */
export async function territoryFilePaths(dataDir: string): Promise<string[]> {
  const shapesDir = join(dataDir, TERRITORY_FILES.communeShapesDir);
  let shapeFiles: string[];
  try {
    shapeFiles = (await readdir(shapesDir)).filter((f) => f.endsWith(".geojson.gz")).sort();
  } catch {
    throw new DataFileError(displayPath(shapesDir), null, "dossier introuvable");
  }
  return [
    TERRITORY_FILES.communes,
    TERRITORY_FILES.postcodes,
    TERRITORY_FILES.epci,
    TERRITORY_FILES.departements,
    TERRITORY_FILES.regions,
    TERRITORY_FILES.formerCodes,
    TERRITORY_FILES.qpvList,
    TERRITORY_FILES.qpvContours,
    TERRITORY_FILES.contrats,
  ]
    .map((p) => join(dataDir, p))
    .concat(shapeFiles.map((f) => join(shapesDir, f)));
}

/** Reads and checks every territory file; any problem throws a DataFileError naming the file and line. */
export async function readTerritoryDataset(
  dataDir: string,
  progress?: Progress,
  opts: { geometries?: boolean } = {},
): Promise<TerritoryDataset> {
  const all = await territoryFilePaths(dataDir);
  const files = all.slice(0, 9);
  const shapeFiles = all.slice(9);
  let step = 0;
  const tick = (note: string) => progress?.tick(++step, note);

  const communes = await readCommunes(files[0] as string);
  tick("communes");
  const postcodes = await readPostcodes(files[1] as string);
  tick("codes postaux");
  const epciFeatures = await readFeatures(files[2] as string, ["code", "nom", "type", "population"]);
  tick("EPCI");
  const depFeatures = await readFeatures(files[3] as string, ["insee_dep", "lib_dep"]);
  tick("départements");
  const regFeatures = await readFeatures(files[4] as string, ["code", "nom"]);
  tick("régions");
  const former = await readFormerCodes(files[5] as string);
  tick("anciens codes");

  const geometries: TerritoryDataset["geometries"] = [];
  const territories: Territory[] = [];
  const known = new Map(communes.map((c) => [c.territory.id, c]));

  // Régions.
  for (const f of regFeatures) {
    const code = String(f.props.code);
    if (!/^\d{2}$/.test(code)) throw featureError(f, `code de région invalide « ${code} »`);
    territories.push(area("region", regionId(code), code, String(f.props.nom), { region: code }));
    geometries.push({ id: regionId(code), geometry: f.geometry });
  }
  const regionCodes = new Set(territories.map((t) => t.code));
  // Départements: the région is the one of their communes.
  const regionOfDep = new Map<string, string>();
  for (const c of communes)
    if (c.territory.departement && c.territory.region)
      regionOfDep.set(c.territory.departement, c.territory.region);
  for (const f of depFeatures) {
    const code = String(f.props.insee_dep);
    if (!DEP_CODE.test(code)) throw featureError(f, `code de département invalide « ${code} »`);
    const region = regionOfDep.get(code);
    if (!region) throw featureError(f, `département « ${code} » sans aucune commune`);
    territories.push(area("departement", code, code, String(f.props.lib_dep), { departement: code, region }));
    geometries.push({ id: code, geometry: f.geometry });
  }
  const depCodes = new Set(territories.filter((t) => t.kind === "departement").map((t) => t.code));
  // EPCI.
  for (const f of epciFeatures) {
    const code = String(f.props.code);
    if (!SIREN.test(code)) throw featureError(f, `SIREN d'EPCI invalide « ${code} »`);
    const t = area("epci", code, code, String(f.props.nom), {});
    t.epciType = String(f.props.type);
    t.population = toInt(f.props.population);
    territories.push(t);
    geometries.push({ id: code, geometry: f.geometry });
  }
  const epciCodes = new Set(epciFeatures.map((f) => String(f.props.code)));
  // Communes and arrondissements, checked against the areas above.
  const communesFile = displayPath(files[0] as string);
  for (const { territory: t, line } of communes) {
    if (!t.departement || !depCodes.has(t.departement)) {
      throw new DataFileError(communesFile, line, `département inconnu « ${t.departement} » pour ${t.id}`);
    }
    if (!t.region || !regionCodes.has(t.region)) {
      throw new DataFileError(communesFile, line, `région inconnue « ${t.region} » pour ${t.id}`);
    }
    if (t.epci && !epciCodes.has(t.epci))
      throw new DataFileError(communesFile, line, `EPCI inconnu « ${t.epci} » pour ${t.id}`);
    if (t.parent && !known.has(t.parent))
      throw new DataFileError(communesFile, line, `commune parente inconnue pour ${t.id}`);
    t.postcodes = postcodes.get(t.id) ?? [];
    territories.push(t);
  }
  // Former communes (COG rule: a former code leads to the current commune that absorbed it).
  for (const f of former) {
    const t = known.get(f.current)?.territory;
    if (!t || known.has(f.code)) continue; // a current code is never a former one; COM are not in the referential
    t.formerCodes.push(f.code);
    if (f.name && !t.formerNames.includes(f.name) && f.name !== t.name) t.formerNames.push(f.name);
  }
  // Quartiers prioritaires (2024 list), in the départements of the referential.
  const qpvs = await readQpvs(files[6] as string, files[7] as string, {
    depCodes,
    currentOf: (code) => {
      const direct = known.get(code)?.territory;
      if (direct) return direct;
      return communes.find((c) => c.territory.formerCodes.includes(code))?.territory;
    },
  });
  tick("quartiers prioritaires");
  for (const q of qpvs) {
    territories.push(q.territory);
    if (opts.geometries !== false) geometries.push({ id: q.territory.id, geometry: q.geometry });
  }
  const contrats = await readContrats(files[8] as string);
  tick("contrats de ville");
  // Paris, Lyon, Marseille carry the postcodes of their arrondissements.
  for (const { territory: t } of communes) {
    if (t.kind !== "arrondissement" || !t.parent) continue;
    const parent = known.get(t.parent)?.territory;
    if (parent) parent.postcodes = [...new Set([...parent.postcodes, ...t.postcodes])].sort();
  }
  // Populations of départements and régions: sum of their communes.
  const popOf = new Map<string, number>();
  for (const { territory: t } of communes) {
    if (t.kind !== "commune" || t.population === null) continue;
    for (const key of [t.departement ?? "", regionId(t.region ?? "")])
      popOf.set(key, (popOf.get(key) ?? 0) + t.population);
  }
  for (const t of territories)
    if (t.kind === "departement" || t.kind === "region") t.population = popOf.get(t.id) ?? null;

  // Commune boundaries, one file per département.
  for (const shapeFile of opts.geometries === false ? [] : shapeFiles) {
    for (const f of await readFeatures(shapeFile, ["code"])) {
      const code = String(f.props.code);
      if (!known.has(code)) throw featureError(f, `commune inconnue « ${code} »`);
      geometries.push({ id: code, geometry: f.geometry });
    }
    tick(basename(shapeFile));
  }
  return { territories, geometries, contrats, hash: await contentHash(all) };
}

function area(
  kind: Territory["kind"],
  id: string,
  code: string,
  name: string,
  links: Partial<Territory>,
): Territory {
  return {
    id,
    kind,
    code,
    name,
    population: null,
    departement: null,
    region: null,
    epci: null,
    parent: null,
    epciType: null,
    lat: null,
    lon: null,
    postcodes: [],
    formerCodes: [],
    formerNames: [],
    communes: [],
    ...links,
  };
}

const PLM_PARENT: Record<string, string> = { "75": "75056", "69": "69123", "13": "13055" };

async function readCommunes(path: string): Promise<{ territory: Territory; line: number }[]> {
  const file = displayPath(path);
  const out: { territory: Territory; line: number }[] = [];
  const seen = new Set<string>();
  const required = ["code_insee", "nom", "type", "departement", "region", "epci", "population"];
  for await (const { line, row } of readCsv(path, {
    required: [...required, "lat_poste", "lon_poste", "lat_interieur", "lon_interieur"],
  })) {
    const fail = (field: string, why: string) => {
      throw new DataFileError(file, line, `champ « ${field} » : ${why} (valeur « ${row[field] ?? ""} »)`);
    };
    const code = row.code_insee ?? "";
    if (!COMMUNE_CODE.test(code)) fail("code_insee", "code INSEE invalide");
    if (seen.has(code)) fail("code_insee", "code en double");
    seen.add(code);
    if (!row.nom?.trim()) fail("nom", "nom vide");
    const type = row.type;
    if (type !== "commune-actuelle" && type !== "arrondissement-municipal") {
      fail("type", "attendu « commune-actuelle » ou « arrondissement-municipal »");
    }
    const population = row.population === "" ? null : toInt(row.population);
    if (row.population !== "" && population === null) fail("population", "nombre entier attendu");
    if (row.epci && !SIREN.test(row.epci)) fail("epci", "SIREN à 9 chiffres attendu");
    const point = (latField: string, lonField: string): [number, number] | null => {
      const la = row[latField] ?? "";
      const lo = row[lonField] ?? "";
      if (la === "" && lo === "") return null;
      const lat = Number(la);
      const lon = Number(lo);
      if (!Number.isFinite(lat) || lat < -90 || lat > 90 || la === "") fail(latField, "latitude invalide");
      if (!Number.isFinite(lon) || lon < -180 || lon > 180 || lo === "") fail(lonField, "longitude invalide");
      return [lat, lon];
    };
    const p = point("lat_poste", "lon_poste") ?? point("lat_interieur", "lon_interieur");
    const isArr = type === "arrondissement-municipal";
    out.push({
      line,
      territory: area(isArr ? "arrondissement" : "commune", code, code, (row.nom ?? "").trim(), {
        population,
        departement: row.departement || null,
        region: row.region || null,
        epci: isArr ? null : row.epci || null,
        parent: isArr ? (PLM_PARENT[code.slice(0, 2)] ?? null) : null,
        lat: p?.[0] ?? null,
        lon: p?.[1] ?? null,
      }),
    });
  }
  if (out.length === 0) throw new DataFileError(file, null, "aucune commune dans le fichier");
  return out;
}

/** Postcodes per INSEE code (communes and arrondissements; communes déléguées give theirs to their parent). */
async function readPostcodes(path: string): Promise<Map<string, string[]>> {
  const file = displayPath(path);
  const map = new Map<string, Set<string>>();
  for await (const { line, row } of readCsv(path, {
    required: ["insee_com", "code_postal", "commune_type", "insee_parente"],
  })) {
    const cp = row.code_postal ?? "";
    if (!/^\d{5}$/.test(cp))
      throw new DataFileError(file, line, `champ « code_postal » : code postal invalide (valeur « ${cp} »)`);
    const code = row.commune_type === "COMD" ? row.insee_parente : row.insee_com;
    if (!code) continue;
    const set = map.get(code) ?? new Set<string>();
    set.add(cp);
    map.set(code, set);
  }
  return new Map([...map].map(([k, v]) => [k, [...v].sort()]));
}

/** Former commune codes and the current commune they belong to (derived from the COG 2025, see PROVENANCE). */
async function readFormerCodes(path: string): Promise<{ code: string; current: string; name: string }[]> {
  const file = displayPath(path);
  const out: { code: string; current: string; name: string }[] = [];
  for await (const { line, row } of readCsv(path, {
    required: ["code_ancien", "code_actuel", "nom_ancien"],
  })) {
    const code = row.code_ancien ?? "";
    const current = row.code_actuel ?? "";
    if (!COMMUNE_CODE.test(code))
      throw new DataFileError(file, line, `champ « code_ancien » : code INSEE invalide (valeur « ${code} »)`);
    if (!COMMUNE_CODE.test(current) && !/^97[5-8]\d{2}$|^98\d{3}$/.test(current)) {
      throw new DataFileError(
        file,
        line,
        `champ « code_actuel » : code INSEE invalide (valeur « ${current} »)`,
      );
    }
    out.push({ code, current, name: (row.nom_ancien ?? "").trim() });
  }
  return out;
}

/**
 * The QPV list joined to its contours: each quartier of a département of the referential becomes a territory,
 * linked to its current communes (a COG 2024 code merged since is read through the former codes), its EPCI when all
 * its communes share one, its département and région; its reference point is the middle of its largest ring.
 */
async function readQpvs(
  listPath: string,
  contoursPath: string,
  ref: { depCodes: Set<string>; currentOf: (code: string) => Territory | undefined },
): Promise<{ territory: Territory; geometry: Geometry }[]> {
  const file = displayPath(listPath);
  const shapes = new Map<string, Geometry>();
  for (const f of await readFeatures(contoursPath, ["code_qp"]))
    shapes.set(String(f.props.code_qp), f.geometry);
  const out: { territory: Territory; geometry: Geometry }[] = [];
  const seen = new Set<string>();
  for await (const { line, row } of readCsv(listPath, {
    required: ["code_qp", "lib_qp", "departement", "insee_com"],
  })) {
    const code = row.code_qp ?? "";
    if (!QPV_CODE.test(code))
      throw new DataFileError(
        file,
        line,
        `champ « code_qp » : code de quartier invalide (valeur « ${code} »)`,
      );
    if (seen.has(code))
      throw new DataFileError(file, line, `champ « code_qp » : code en double (« ${code} »)`);
    seen.add(code);
    const dep = (row.departement ?? "").padStart(2, "0");
    if (!ref.depCodes.has(dep)) continue; // Saint-Martin (978) and Polynésie (987) are outside the referential
    const geometry = shapes.get(code);
    if (!geometry)
      throw new DataFileError(file, line, `quartier ${code} sans contour dans le fichier des contours`);
    const communes: Territory[] = [];
    for (const c of (row.insee_com ?? "").split(";").map((x) => x.trim())) {
      const t = ref.currentOf(c);
      if (!t) throw new DataFileError(file, line, `champ « insee_com » : commune inconnue « ${c} »`);
      if (!communes.includes(t)) communes.push(t);
    }
    const epcis = new Set(communes.map((c) => c.epci));
    const [lat, lon] = middleOf(geometry);
    out.push({
      territory: area("qpv", code, code, (row.lib_qp ?? "").trim(), {
        departement: dep,
        region: communes[0]?.region ?? null,
        epci: epcis.size === 1 ? (communes[0]?.epci ?? null) : null,
        communes: communes.map((c) => c.id).sort(),
        lat,
        lon,
      }),
      geometry,
    });
  }
  return out;
}

/** The middle of the bounding box of the largest outer ring (a reference point for lists and links). */
function middleOf(g: Geometry): [number, number] {
  const polygons = (g.type === "Polygon" ? [g.coordinates] : g.coordinates) as number[][][][];
  let best: number[][] = [];
  for (const p of polygons) if ((p[0]?.length ?? 0) > best.length) best = p[0] ?? [];
  let [minLon, minLat, maxLon, maxLat] = [180, 90, -180, -90];
  for (const [x = 0, y = 0] of best) {
    minLon = Math.min(minLon, x);
    maxLon = Math.max(maxLon, x);
    minLat = Math.min(minLat, y);
    maxLat = Math.max(maxLat, y);
  }
  return [Math.round(((minLat + maxLat) / 2) * 1e5) / 1e5, Math.round(((minLon + maxLon) / 2) * 1e5) / 1e5];
}

/** The contrats de ville 2015–2023 (points at their centroid; only the properties are kept). */
async function readContrats(path: string): Promise<ContratDeVille[]> {
  const file = displayPath(path);
  const json = (await readJson(path)) as { features?: { properties?: Record<string, unknown> }[] };
  if (!Array.isArray(json?.features))
    throw new DataFileError(file, 1, "une FeatureCollection GeoJSON est attendue");
  return json.features.map((f, i) => {
    const p = f.properties ?? {};
    const code = String(p.code_cv ?? "");
    const carrier = String(p.codgeo ?? "");
    if (!/^CV\d{3}$/.test(code)) throw new DataFileError(file, null, `objet n° ${i + 1} : code_cv invalide`);
    if (!/^(\d{9}|(\d{2}|2A|2B)\d{3})$/.test(carrier))
      throw new DataFileError(file, null, `objet n° ${i + 1} : codgeo invalide « ${carrier} »`);
    const pop = Number(p.pop);
    return {
      code,
      name: String(p.lib_cv ?? "").trim(),
      carrier,
      departement: String(p.insee_dep ?? ""),
      qpvPopulation: p.pop === null || p.pop === undefined || !Number.isFinite(pop) ? null : Math.round(pop),
    };
  });
}

interface Feature {
  file: string;
  /** Rank of the feature in the collection (1-based), for messages. */
  index: number;
  props: Record<string, unknown>;
  geometry: Geometry;
}

const featureError = (f: Feature, detail: string) =>
  new DataFileError(f.file, null, `objet n° ${f.index} : ${detail}`);

async function readFeatures(path: string, required: string[]): Promise<Feature[]> {
  const file = displayPath(path);
  const json = (await readJson(path)) as { type?: string; features?: unknown[] };
  if (json?.type !== "FeatureCollection" || !Array.isArray(json.features)) {
    throw new DataFileError(file, 1, "une FeatureCollection GeoJSON est attendue");
  }
  return json.features.map((raw, i) => {
    const f = raw as { properties?: Record<string, unknown>; geometry?: Geometry };
    const where = `objet n° ${i + 1}`;
    for (const r of required) {
      if (f.properties?.[r] === undefined || f.properties[r] === null || f.properties[r] === "") {
        throw new DataFileError(file, null, `${where} : propriété « ${r} » manquante`);
      }
    }
    const g = f.geometry;
    if (!g || (g.type !== "Polygon" && g.type !== "MultiPolygon") || !Array.isArray(g.coordinates)) {
      throw new DataFileError(file, null, `${where} : géométrie Polygon ou MultiPolygon attendue`);
    }
    return { file, index: i + 1, props: f.properties ?? {}, geometry: g };
  });
}

function toInt(v: unknown): number | null {
  const n = typeof v === "number" ? v : Number(String(v ?? "").trim());
  return Number.isInteger(n) && String(v ?? "").trim() !== "" ? n : null;
}
