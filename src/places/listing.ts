/**
 * The list of places (`/lieux`, `GET /api/v1/lieux`, the territory section) read from the published places in
 * memory: one sorted index per snapshot, then a filter and a page per request — no SQL on the way.
 */
import { normalize } from "../territories/normalize.ts";
import type { Place, StandardPlace } from "./model.ts";

export interface PlaceFilter {
  /** INSEE codes of the communes and arrondissements of a territory; undefined: all of France. */
  communes?: readonly string[];
  service?: string;
  /** A value of publics_specifiquement_adresses, frais_a_charge, modalites_accompagnement the place must have. */
  public?: string;
  frais?: string;
  modalite?: string;
  /** Free text: every word must appear in the name, address, commune or postcode. */
  q?: string;
}

/** Text the list's free-text filter searches: name, address, commune, postcode, folded. */
export const searchText = (s: StandardPlace): string =>
  normalize([s.nom, s.adresse, s.complement_adresse ?? "", s.commune, s.code_postal].join(" "));

/** The sort key of the list: the folded name. */
export const sortName = (s: StandardPlace): string => normalize(s.nom);

interface Entry {
  place: Place;
  search: string;
}

export class PlaceListing {
  private readonly entries: Entry[];
  /** Positions in `entries` of each commune's places, ascending. */
  private readonly byCommune = new Map<string, number[]>();

  constructor(places: readonly Place[]) {
    const keyed = places.map((place) => ({
      place,
      search: searchText(place.standard),
      key: sortName(place.standard),
    }));
    // By folded name, then id: the same order on every database (no collation involved).
    keyed.sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : a.place.id < b.place.id ? -1 : a.place.id > b.place.id ? 1 : 0,
    );
    this.entries = keyed.map(({ place, search }) => ({ place, search }));
    this.entries.forEach(({ place }, i) => {
      if (!place.communeCode) return;
      const list = this.byCommune.get(place.communeCode);
      if (list) list.push(i);
      else this.byCommune.set(place.communeCode, [i]);
    });
  }

  /** The positions in the sorted list of the places of these communes, in list order. */
  private positions(communes: readonly string[]): Iterable<number> {
    const found: number[] = [];
    for (const c of new Set(communes)) for (const i of this.byCommune.get(c) ?? []) found.push(i);
    return found.sort((a, b) => a - b);
  }

  list(f: PlaceFilter, page: { limit: number; offset: number }): { total: number; places: Place[] } {
    const words = normalize(f.q ?? "")
      .split(" ")
      .filter(Boolean)
      .slice(0, 8);
    const out: Place[] = [];
    let total = 0;
    // A territory reads only its communes' places (a département: a few hundred of 7 600).
    const positions = f.communes ? this.positions(f.communes) : this.entries.keys();
    for (const i of positions) {
      const { place, search } = this.entries[i] as Entry;
      const s = place.standard;
      if (f.service && !s.services.includes(f.service)) continue;
      if (f.public && !s.publics_specifiquement_adresses.includes(f.public)) continue;
      if (f.frais && !s.frais_a_charge.includes(f.frais)) continue;
      if (f.modalite && !s.modalites_accompagnement.includes(f.modalite)) continue;
      if (words.some((w) => !search.includes(w))) continue;
      if (total >= page.offset && out.length < page.limit) out.push(place);
      total++;
    }
    return { total, places: out };
  }
}
