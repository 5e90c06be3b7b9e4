/**
 * The older vintage of the standard (« v0 »: schéma des lieux de médiation numérique 0.1.x, the flat files of
 * 2021–2023 still served by hubs and by the national cartography) and what each value of its vocabularies becomes
 * in the current standard (v1.0.2, schema.json). Data and pure functions only; the import calls `translateOlder`.
 *
 * The table was written by hand from these official sources (no code copied), cited per entry by their key:
 * - `schema-0.1`: the older values themselves — LaMednum/standard-mediation-num, `Schema_V0.1.json`, commit
 *   7a9842d37a6243b409ae3e0e2d5b3ea1a62cdd2f (enumerations of services, publics_accueillis, conditions_acces,
 *   labels_nationaux, modalites_accompagnement).
 * - `evolutions`: the renamed and split fields — same repository, `descriptif-des-evolutions` (0.1.1 → 1.0.1),
 *   commit e347ff40a0072ed2e0caf7f04384dfd2c84dbaff (copied in shared/standards/lieux-mediation-numerique).
 * - `cartographie`: the national cartography's own correspondence, through the data·inclusion slugs that both of
 *   its vintages read: anct-cartographie-nationale/lieux-de-mediation-numerique,
 *   `src/transfer/schema-data-inclusion/from-schema-data-inclusion/from-schema-data-inclusion-fields.ts`, at commit
 *   053914a57a52d2e319026bfd434059083a88bb13 (slug → older value: services, conditions, modalités, publics) and at
 *   commit 2652483008388711fdb1792f3b5303d004964136 (the same slugs → current values), with the labels' slugs of
 *   `src/transfer/from-schema-data-inclusion/from-schema-data-inclusion-fields.ts` at commit
 *   1d8bcc85368f894a8c0009665e5d295d6cd722d8 (slug → older label) and of the published package
 *   `@gouvfr-anct/lieux-de-mediation-numerique` 2.3.0 (same file: slug → dispositif or formation/label).
 * - `maillage`: Maillage's own reading where the sources give no value, said in docs/decisions.md (« Older vintages
 *   of the standard »): a national label without a current value is kept as text in `autres_formations_labels`,
 *   « Adultes » means a place for everyone, « A ma place » also means the Aidants Connect dispositif (issue 15).
 *
 * A value « Label : explication » is matched on its label (the text before « : »), without case, accents or
 * punctuation; the current standard's own values are matched the same way, so a file that mixes vintages (the PACA
 * hub's 2023 export) keeps its current values.
 */
import { normalize } from "../../territories/normalize.ts";
import type { RawRow, StandardField } from "../model.ts";

/** The fields of the older standard whose values are translated (`conditions_access`: the spelling of real files). */
const OLDER_FIELDS = [
  "services",
  "publics_accueillis",
  "conditions_acces",
  "conditions_access",
  "labels_nationaux",
  "modalites_accompagnement",
] as const;
export type OlderField = (typeof OLDER_FIELDS)[number];

/** Where a correspondence comes from (see the header). */
type SourceKey = "cartographie" | "maillage";

/** One value of an older vocabulary, as Schema_V0.1.json writes it, and what it becomes. */
export interface OlderValue {
  value: string;
  /** The current fields and values it becomes; empty: no equivalent (the original is kept in the history). */
  becomes: readonly (readonly [StandardField, string])[];
  source: SourceKey;
}

const to = (field: StandardField, value: string) => [field, value] as const;
const SERVICES = "services";

/** services (15 values) → the 9 services of v1. */
const SERVICES_V0: OlderValue[] = [
  ["Devenir autonome dans les démarches administratives", "Aide aux démarches administratives"],
  ["Réaliser des démarches administratives avec un accompagnement", "Aide aux démarches administratives"],
  ["Prendre en main un smartphone ou une tablette", "Maîtrise des outils numériques du quotidien"],
  ["Prendre en main un ordinateur", "Maîtrise des outils numériques du quotidien"],
  ["Utiliser le numérique au quotidien", "Maîtrise des outils numériques du quotidien"],
  ["Approfondir ma culture numérique", "Compréhension du monde numérique"],
  ["Favoriser mon insertion professionnelle", "Insertion professionnelle via le numérique"],
  ["Accéder à une connexion internet", "Accès internet et matériel informatique"],
  ["Accéder à du matériel", "Accès internet et matériel informatique"],
  ["S’équiper en matériel informatique", "Acquisition de matériel informatique à prix solidaire"],
  ["Créer et développer mon entreprise", "Insertion professionnelle via le numérique"],
  ["Créer avec le numérique", "Loisirs et créations numériques"],
  ["Accompagner les démarches de santé", "Aide aux démarches administratives"],
  ["Promouvoir la citoyenneté numérique", "Compréhension du monde numérique"],
  ["Soutenir la parentalité et l'éducation avec le numérique", "Parentalité et éducation avec le numérique"],
].map(([value, service]) => ({
  value: value as string,
  becomes: [to(SERVICES, service as string)],
  source: "cartographie",
}));

/** publics_accueillis (11 values) → prise_en_charge_specifique or publics_specifiquement_adresses. */
const PUBLICS_V0: OlderValue[] = [
  {
    value: "Seniors (+ 65 ans)",
    becomes: [to("publics_specifiquement_adresses", "Seniors")],
    source: "cartographie",
  },
  {
    value: "Familles/enfants",
    becomes: [to("publics_specifiquement_adresses", "Familles et/ou enfants")],
    source: "cartographie",
  },
  // « Adultes »: every place is for everyone by default (v1.0.2's description of publics_specifiquement_adresses).
  { value: "Adultes", becomes: [], source: "maillage" },
  {
    value: "Jeunes (16-26 ans)",
    becomes: [to("publics_specifiquement_adresses", "Jeunes")],
    source: "cartographie",
  },
  {
    value: "Public langues étrangères",
    becomes: [to("prise_en_charge_specifique", "Langues étrangères (autres)")],
    source: "cartographie",
  },
  {
    value: "Déficience visuelle",
    becomes: [to("prise_en_charge_specifique", "Déficience visuelle")],
    source: "cartographie",
  },
  { value: "Surdité", becomes: [to("prise_en_charge_specifique", "Surdité")], source: "cartographie" },
  // The cartography reads the slug handicaps-psychiques in its older vintage only: no current value.
  {
    value: "Handicaps psychiques : troubles psychiatriques donnant lieu à des atteintes comportementales",
    becomes: [],
    source: "cartographie",
  },
  {
    value: "Handicaps mentaux : déficiences limitant les activités d'une personne",
    becomes: [to("prise_en_charge_specifique", "Handicaps mentaux")],
    source: "cartographie",
  },
  {
    value: "Uniquement femmes",
    becomes: [to("publics_specifiquement_adresses", "Femmes")],
    source: "cartographie",
  },
  {
    value: "Personnes en situation d'illettrisme",
    becomes: [to("prise_en_charge_specifique", "Illettrisme")],
    source: "cartographie",
  },
];

/** conditions_acces (5 values) → frais_a_charge (adhésion is paid, the Pass numérique a condition of gratuity). */
const CONDITIONS_V0: OlderValue[] = [
  ["Gratuit : Je peux accéder gratuitement au lieu et à ses services", "Gratuit"],
  [
    "Gratuit sous condition : La gratuité est conditionnée à des critères (situation familiale, convention avec un organisme social...)",
    "Gratuit sous condition",
  ],
  ["Payant : L'accès au lieu et/ou à ses services est payant", "Payant"],
  ["Adhésion : L'accès au lieu et/ou à ses services nécessite d'y adhérer", "Payant"],
  [
    "Accepte le Pass numérique : Il est possible d'utiliser un Pass numérique pour accéder au lieu",
    "Gratuit sous condition",
  ],
].map(([value, frais]) => ({
  value: value as string,
  becomes: [to("frais_a_charge", frais as string)],
  source: "cartographie",
}));

/** labels_nationaux (11 values) → dispositif_programmes_nationaux, formations_labels, or the free text. */
const LABELS_V0: OlderValue[] = [
  {
    value: "France Services",
    becomes: [to("dispositif_programmes_nationaux", "France Services")],
    source: "cartographie",
  },
  {
    value: "CNFS",
    becomes: [to("dispositif_programmes_nationaux", "Conseillers numériques")],
    source: "cartographie",
  },
  { value: "APTIC", becomes: [to("autres_formations_labels", "APTIC")], source: "maillage" },
  {
    value: "Aidants Connect",
    becomes: [to("dispositif_programmes_nationaux", "Aidants Connect")],
    source: "cartographie",
  },
  {
    value: "Fabriques de Territoire",
    becomes: [to("formations_labels", "Fabriques de Territoire")],
    source: "cartographie",
  },
  {
    value: "Grandes écoles du numérique",
    becomes: [to("dispositif_programmes_nationaux", "Grande école du numérique")],
    source: "cartographie",
  },
  {
    value: "Point relais CAF",
    becomes: [to("dispositif_programmes_nationaux", "Point d'accès numérique CAF")],
    source: "cartographie",
  },
  {
    value: "Point numérique CAF",
    becomes: [to("dispositif_programmes_nationaux", "Point d'accès numérique CAF")],
    source: "cartographie",
  },
  {
    value: "Relais pôle emploi",
    becomes: [to("autres_formations_labels", "Relais pôle emploi")],
    source: "maillage",
  },
  { value: "French Tech", becomes: [to("autres_formations_labels", "French Tech")], source: "maillage" },
  {
    value: "Campus connecté",
    becomes: [to("autres_formations_labels", "Campus connecté")],
    source: "maillage",
  },
];

/** modalites_accompagnement (4 values) → v1's; « A ma place » is also the Aidants Connect dispositif. */
const MODALITES_V0: OlderValue[] = [
  {
    value: "Seul : j'ai accès à du matériel et une connexion",
    becomes: [to("modalites_accompagnement", "En autonomie")],
    source: "cartographie",
  },
  {
    value: "Avec de l'aide : je suis accompagné seul dans l'usage du numérique",
    becomes: [to("modalites_accompagnement", "Accompagnement individuel")],
    source: "cartographie",
  },
  {
    value: "Dans un atelier : j'apprends collectivement à utiliser le numérique",
    becomes: [to("modalites_accompagnement", "Dans un atelier collectif")],
    source: "cartographie",
  },
  // The cartography reads the slug delegation as « Accompagnement individuel »; a person « habilitée » doing the
  // procedures in one's place is what the Aidants Connect dispositif is (issue 15's rule, Maillage's choice).
  {
    value: "A ma place : une personne habilitée fait les démarches à ma place",
    becomes: [
      to("modalites_accompagnement", "Accompagnement individuel"),
      to("dispositif_programmes_nationaux", "Aidants Connect"),
    ],
    source: "maillage",
  },
];

/** Every older vocabulary, by field (`conditions_access` reads as `conditions_acces`). */
export const OLDER_VOCABULARIES: Record<OlderField, readonly OlderValue[]> = {
  services: SERVICES_V0,
  publics_accueillis: PUBLICS_V0,
  conditions_acces: CONDITIONS_V0,
  conditions_access: CONDITIONS_V0,
  labels_nationaux: LABELS_V0,
  modalites_accompagnement: MODALITES_V0,
};

/** The current fields an older field's values may go to (the current values of those are accepted as they are). */
const TARGETS: Record<OlderField, readonly StandardField[]> = {
  services: ["services"],
  publics_accueillis: ["publics_specifiquement_adresses", "prise_en_charge_specifique"],
  conditions_acces: ["frais_a_charge"],
  conditions_access: ["frais_a_charge"],
  labels_nationaux: ["dispositif_programmes_nationaux", "formations_labels"],
  modalites_accompagnement: ["modalites_accompagnement"],
};

/** The matching key of a value: its label (before « : »), folded (no case, accents, punctuation). */
export function labelKey(value: string): string {
  const colon = value.indexOf(" : ");
  return normalize(colon < 0 ? value : value.slice(0, colon));
}

const ADULTES = "adultes";

/** Label key → what a value of an older field becomes (absent: unknown to both vintages). */
type Lookup = Map<string, readonly (readonly [StandardField, string])[]>;

/**
 * The lookup of an older field: its older values by label, then the current values of its target fields (as
 * themselves). An older label never hides a current value: they do not collide (checked by the tests).
 */
function lookupOf(field: OlderField, current: (f: StandardField) => readonly string[]): Lookup {
  const lookup: Lookup = new Map();
  for (const f of TARGETS[field]) for (const v of current(f)) lookup.set(labelKey(v), [to(f, v)]);
  for (const o of OLDER_VOCABULARIES[field])
    if (!lookup.has(labelKey(o.value))) lookup.set(labelKey(o.value), o.becomes);
  return lookup;
}

/** What a cell of an older field gave: values per current field, the values without equivalent, and a note. */
export interface CellTranslation {
  /** Current field → its values, in the order of the cell, without repeats. */
  into: Map<StandardField, string[]>;
  /** Values of the older vocabulary without equivalent (kept only in the history). */
  dropped: string[];
  /** Values unknown to both vintages: left in their field (`services`, `modalites_accompagnement`) for validation. */
  unknown: string[];
  /** False when the cell reads the same in the current standard (nothing to report). */
  translated: boolean;
  /** For `services` and `modalites_accompagnement`: the field's new text (its translations, then the unknown). */
  ownText: string;
  /** The other current fields it fills, with their values and their cell text (the hot path allocates nothing). */
  others: readonly (readonly [StandardField, readonly string[], string])[];
  /** What it became, in French, when the row gives none of the current fields it fills. */
  result: string;
}

/** Splits a list cell (`|`, else `;`, as splitList does, or the given separator), trimmed, empties dropped. */
function values(text: string, separator?: string): string[] {
  const sep = separator ?? (text.includes("|") ? "|" : text.includes(";") ? ";" : "");
  const parts = sep === "" ? [text] : text.split(sep);
  const out: string[] = [];
  for (const p of parts) {
    const v = p.trim();
    if (v !== "") out.push(v);
  }
  return out;
}

/** A list as the cell text of a current field (`autres_formations_labels` is free text, not a list). */
const joinFor = (field: StandardField, vs: readonly string[]): string =>
  field === "autres_formations_labels" ? vs.join(", ") : vs.join("|");

/** What a cell became, in French (a field the row already gives is said to be kept). */
const describe = (t: CellTranslation, ignored: StandardField[]): string => {
  const parts: string[] = [];
  for (const [f, vs] of t.into)
    parts.push(ignored.includes(f) ? `${f} : déjà renseigné, gardé` : `${f} : ${vs.join(" | ")}`);
  if (t.dropped.length > 0) parts.push(`sans équivalent dans le standard actuel : ${t.dropped.join(" | ")}`);
  return parts.join(" ; ");
};

/** The label of a value « Label : explication » (the whole value when it has no explanation). */
const labelOf = (value: string): string => {
  const colon = value.indexOf(" : ");
  return colon < 0 ? value : value.slice(0, colon).trim();
};

/**
 * Translates one cell of an older field with its lookup. Pure. A value unknown to both vintages stays in
 * `services` or `modalites_accompagnement` (validation then refuses it, with the closest value), goes to
 * `frais_a_charge` by its label (validated the same way), to the free text of other labels for
 * `labels_nationaux`, and is dropped (kept in the history) for `publics_accueillis`.
 */
function translateCell(field: OlderField, text: string, lookup: Lookup): CellTranslation {
  const into = new Map<StandardField, string[]>();
  const dropped: string[] = [];
  const unknown: string[] = [];
  let translated = !TARGETS[field].includes(field as StandardField);
  const add = (f: StandardField, value: string) => {
    const list = into.get(f);
    if (list === undefined) into.set(f, [value]);
    else if (!list.includes(value)) list.push(value);
  };
  const list = values(text);
  // « Adultes » among the publics: the place is for everyone, so no public is *specifically* addressed.
  const forEveryone = field === "publics_accueillis" && list.some((v) => labelKey(v) === ADULTES);
  for (const v of list) {
    const becomes = lookup.get(labelKey(v));
    if (becomes === undefined) {
      if (field === "services" || field === "modalites_accompagnement") unknown.push(v);
      else if (field === "labels_nationaux") add("autres_formations_labels", v);
      else if (field === "publics_accueillis") dropped.push(v);
      else add("frais_a_charge", labelOf(v));
      continue;
    }
    if (becomes.length === 0 && !dropped.includes(v)) dropped.push(v);
    for (const [f, value] of becomes) {
      if (forEveryone && f === "publics_specifiquement_adresses") {
        if (!dropped.includes(v)) dropped.push(v);
        continue;
      }
      if (value !== v || f !== field) translated = true;
      add(f, value);
    }
  }
  if (dropped.length > 0) translated = true;
  if (list.length === 0) translated = false;
  const t: CellTranslation = { into, dropped, unknown, translated, ownText: "", others: [], result: "" };
  t.ownText = [...(into.get(field as StandardField) ?? []), ...unknown].join("|");
  t.others = [...into].filter(([f]) => f !== field).map(([f, vs]) => [f, vs, joinFor(f, vs)] as const);
  t.result = describe(t, []);
  return t;
}

/** True when the row gives a value in this column. */
const given = (src: RawRow, field: string): boolean => {
  const v = src[field];
  return v !== undefined && v.trim() !== "";
};

/** One older cell that was translated, for the import's warning and the record's history. */
export interface OlderNote {
  /** The field as the file names it (`conditions_access`, `labels_nationaux`…). */
  field: string;
  /** Its text as the file gives it. */
  original: string;
  /** What it became, in French: « services : A | B ; dispositif_programmes_nationaux : C », or why nothing. */
  result: string;
}

/**
 * Translates the older vocabularies of one row: the values for the current fields, and a note per translated cell.
 * Pure. `current(field)` gives the current standard's values of a field (schema.json), `cached` remembers the
 * translation of a cell by its text (files repeat a few lists on every row).
 */
export class OlderVocabularies {
  private readonly lookups = new Map<OlderField, Lookup>();
  private readonly cells = new Map<OlderField, Map<string, CellTranslation>>();
  private remembered = 0;
  /** The current fields written from older cells in the row being applied (reused from row to row). */
  private readonly written: StandardField[] = [];

  constructor(private readonly current: (field: StandardField) => readonly string[]) {}

  /** The translation of one cell of an older field (remembered, bounded: the texts come from files). */
  cell(field: OlderField, text: string): CellTranslation {
    let byText = this.cells.get(field);
    if (byText === undefined) {
      byText = new Map();
      this.cells.set(field, byText);
    }
    let t = byText.get(text);
    if (t === undefined) {
      let lookup = this.lookups.get(field);
      if (lookup === undefined) {
        lookup = lookupOf(field, this.current);
        this.lookups.set(field, lookup);
      }
      t = translateCell(field, text, lookup);
      if (text.length <= 500 && this.remembered < 2000) {
        byText.set(text, t);
        this.remembered++;
      }
    }
    return t;
  }

  /** Writes a current field from an older cell; a second cell for the same field in the row merges its values. */
  private write(row: RawRow, f: StandardField, vs: readonly string[], text: string): void {
    if (!this.written.includes(f)) {
      row[f] = text;
      this.written.push(f);
      return;
    }
    const list = values(row[f] ?? "", f === "autres_formations_labels" ? "," : "|");
    for (const v of vs) if (!list.includes(v)) list.push(v);
    row[f] = joinFor(f, list);
  }

  /**
   * Applies the older fields of `src` to `row` (the current fields, already filled from `src`): `services` and
   * `modalites_accompagnement` are replaced by their translation (unknown values left for validation); the other
   * targets are filled unless the row already gives the current field (the current vintage wins). Returns the notes
   * of the translated cells (empty for a row of the current standard). Runs for every row of a national file: plain
   * loops, nothing allocated for a row of the current standard.
   */
  apply(src: RawRow, row: RawRow): OlderNote[] {
    let notes: OlderNote[] | null = null;
    this.written.length = 0;
    // `labels_autres` is the older name of `autres_formations_labels` (renamed, see `evolutions`).
    const labelsAutres = src.labels_autres;
    if (labelsAutres !== undefined && labelsAutres.trim() !== "" && !given(src, "autres_formations_labels")) {
      const vs = values(labelsAutres);
      this.write(row, "autres_formations_labels", vs, joinFor("autres_formations_labels", vs));
    }
    for (let k = 0; k < OLDER_FIELDS.length; k++) {
      const field = OLDER_FIELDS[k] as OlderField;
      const text = src[field];
      if (text === undefined || text === "") continue;
      if (field === "conditions_access" && given(src, "conditions_acces")) continue;
      const t = this.cell(field, text);
      // A cell that reads the same in the current standard stays as it is (its unknown values too, for validation).
      if (!t.translated) continue;
      if (field === "services" || field === "modalites_accompagnement") row[field] = t.ownText;
      let ignored: StandardField[] | null = null;
      for (const [f, vs, joined] of t.others) {
        if (given(src, f)) {
          ignored ??= [];
          ignored.push(f);
        } else this.write(row, f, vs, joined);
      }
      notes ??= [];
      notes.push({ field, original: text, result: ignored === null ? t.result : describe(t, ignored) });
    }
    return notes ?? [];
  }
}

/**
 * `site_web` of the older standard separates its URLs with commas (Schema_V0.1.json: « les séparer par une
 * virgule, sans espace »): a comma followed by http(s):// becomes `|`. Other texts are returned as they are.
 */
export function olderUrlList(text: string): string {
  if (text.includes("|") || !/,\s*https?:\/\//i.test(text)) return text;
  return text.replace(/,\s*(?=https?:\/\/)/gi, "|");
}
