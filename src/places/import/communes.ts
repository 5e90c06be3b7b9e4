/**
 * Finds the commune of a place in the territories referential (COG 2025): from its INSEE code, else from its
 * postcode and commune name, else from the name alone within the postcode's département.
 * Rule for Paris, Lyon and Marseille: the arrondissement municipal when the postcode or the code names one,
 * else the commune. Pure: the list of territories is given.
 * Not the territory resolver (`src/territories/resolve.ts`, for what a person types): an import has nobody to ask
 * « Laquelle ? », so this matcher decides from structured fields (similar names within a postcode, the nearest
 * commune for a hamlet) or gives up (see docs/decisions.md).
 */
import { distance } from "geokdbush";
import type { Territory } from "../../territories/model.ts";
import { normalize } from "../../territories/normalize.ts";
import type { CommuneMatch } from "../model.ts";
import { franceArea, textSimilarity } from "../schema.ts";

export interface CommuneIndex {
  byCode: Map<string, Territory>;
  byPostcode: Map<string, Territory[]>;
  byName: Map<string, Territory[]>;
}

export function communeIndex(territories: Territory[]): CommuneIndex {
  const byCode = new Map<string, Territory>();
  const byPostcode = new Map<string, Territory[]>();
  const byName = new Map<string, Territory[]>();
  const push = (map: Map<string, Territory[]>, key: string, t: Territory) => {
    const list = map.get(key);
    if (list) list.push(t);
    else map.set(key, [t]);
  };
  for (const t of territories) {
    if (t.kind !== "commune" && t.kind !== "arrondissement") continue;
    byCode.set(t.id, t);
    for (const cp of t.postcodes) push(byPostcode, cp, t);
    push(byName, normalize(t.name), t);
  }
  return { byCode, byPostcode, byName };
}

export interface CommuneQuery {
  code_insee: string | null;
  code_postal: string;
  commune: string;
  /** The place's point, used when the postcode has several communes and the name matches none. */
  latitude?: number | null;
  longitude?: number | null;
}

export interface CommuneResolution {
  territory: Territory;
  match: CommuneMatch;
  /** Set when a given INSEE code was unknown and another way was used. */
  note?: string;
}

/** "MARSEILLE 11" / "Paris 11e" / "Lyon 3ème arrondissement" → "marseille 11" for comparison. */
function foldCommuneName(name: string): string {
  return normalize(name)
    .replace(/\b(\d+)\s*(er|e|eme|ieme)\b/g, "$1")
    .replace(/\barrondissement\b/g, "")
    .replace(/\bcedex\b.*$/, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Prefers an arrondissement over its parent commune when both carry the postcode. */
const preferArrondissement = (list: Territory[]) =>
  list.length > 1 && list.some((t) => t.kind === "arrondissement")
    ? list.filter((t) => t.kind === "arrondissement")
    : list;

export function resolveCommune(index: CommuneIndex, q: CommuneQuery): CommuneResolution | null {
  let note: string | undefined;
  const code = q.code_insee?.trim() ?? "";
  if (code !== "") {
    const t = index.byCode.get(code);
    if (t) {
      // A PLM commune code with an arrondissement postcode: take the arrondissement.
      const arr = (index.byPostcode.get(q.code_postal) ?? []).filter(
        (a) => a.kind === "arrondissement" && a.parent === t.id,
      );
      if (arr.length === 1 && arr[0]) return { territory: arr[0], match: "code_insee" };
      return { territory: t, match: "code_insee" };
    }
    note = `code INSEE « ${code} » inconnu du référentiel des communes (COG 2025)`;
  }
  const name = foldCommuneName(q.commune);
  const withNote = (r: CommuneResolution): CommuneResolution => (note ? { ...r, note } : r);
  const candidates = preferArrondissement(index.byPostcode.get(q.code_postal) ?? []);
  if (candidates.length > 0) {
    let best: Territory | null = null;
    let bestScore = 0;
    for (const t of candidates) {
      const s = textSimilarity(foldCommuneName(t.name), name);
      if (s > bestScore) {
        bestScore = s;
        best = t;
      }
    }
    if (best && bestScore >= 0.75) return withNote({ territory: best, match: "code_postal+nom" });
    // "SAINT AUBAN" for Château-Arnoux-Saint-Auban: the name is a whole part of the commune's name.
    const padded = ` ${name} `;
    const contains = candidates.filter((t) => {
      const n = ` ${foldCommuneName(t.name)} `;
      return name !== "" && (n.includes(padded) || padded.includes(n));
    });
    if (contains.length === 1 && contains[0])
      return withNote({ territory: contains[0], match: "code_postal+nom" });
    if (candidates.length === 1 && candidates[0])
      return withNote({ territory: candidates[0], match: "code_postal" });
    // A hamlet's name ("Ceint d'Eau", postcode of Figeac): the commune of the postcode nearest to the point.
    const { latitude: lat, longitude: lon } = q;
    if (lat !== null && lat !== undefined && lon !== null && lon !== undefined) {
      let nearest: Territory | null = null;
      let nearestKm = Number.POSITIVE_INFINITY;
      for (const t of candidates) {
        const km = kmFromCommune(t, lat, lon);
        if (km !== null && km < nearestKm) {
          nearestKm = km;
          nearest = t;
        }
      }
      if (nearest && nearestKm <= MAX_KM_FROM_COMMUNE) {
        return withNote({ territory: nearest, match: "code_postal+coordonnees" });
      }
    }
  }
  // Postcode unknown (CEDEX, typo): the name, within the postcode's département when it tells one.
  const dep = q.code_postal.startsWith("97") ? q.code_postal.slice(0, 3) : q.code_postal.slice(0, 2);
  const byName = (index.byName.get(name) ?? []).filter(
    (t) => t.departement === dep || (dep === "20" && (t.departement === "2A" || t.departement === "2B")),
  );
  if (byName.length === 1 && byName[0]) return withNote({ territory: byName[0], match: "nom" });
  return null;
}

/** How far from its commune's reference point a place may be before its coordinates look wrong (km). */
const MAX_KM_FROM_COMMUNE = 40;
/** Communes of French Guiana are vast (Maripasoula: 18 000 km²). */
const MAX_KM_GUYANE = 150;

/** Distance in km from a point to the commune's reference point, or null when the commune has none. */
function kmFromCommune(t: Territory, lat: number, lon: number): number | null {
  if (t.lat === null || t.lon === null) return null;
  return distance(lon, lat, t.lon, t.lat);
}

/**
 * A French sentence when the point cannot be in the commune: in another part of France than the commune
 * (another département), or too far from it. Null when it looks right.
 */
export function coordinatesMismatch(t: Territory, lat: number, lon: number): string | null {
  const km = kmFromCommune(t, lat, lon);
  if (km === null || t.lat === null || t.lon === null) return null;
  const area = franceArea(lat, lon);
  const communeArea = franceArea(t.lat, t.lon);
  const where = `${t.name} (${t.id}, département ${t.departement})`;
  if (area !== communeArea)
    return `le point tombe en ${area ?? "dehors de France"}, pas dans la commune ${where}`;
  const max = t.departement === "973" ? MAX_KM_GUYANE : MAX_KM_FROM_COMMUNE;
  if (km > max) return `le point est à ${Math.round(km)} km de la commune ${where} : coordonnées à vérifier`;
  return null;
}
