/**
 * Importing the activities a mediator already recorded in La Coop de la médiation numérique (pure core): its export
 * (« Activités » sheet, XLSX; or the same table saved as CSV) has some lines about the export, then a table whose
 * header row names its columns — Date, Type, Nombre de participants, Canaux d'accompagnement, Lieu, Durée (min),
 * Nom de l'atelier, Matériel numérique utilisé, Thématique(s) d'accompagnement, Niveau d'autonomie (ou de
 * l'atelier), Structure de redirection, Commune de résidence du bénéficiaire, Tranche d'âge du bénéficiaire,
 * Statut du bénéficiaire, Notes supplémentaires (the column names of La Coop's worksheet, commit 46aa33b). Cells
 * hold La Coop's labels; lists are one label a line. Each row becomes a report's input, or says why it cannot, by
 * its line. The beneficiaries' names are never read: Maillage's reports are anonymous.
 */
import type { ActivityInput } from "./model.ts";
import {
  AUTONOMIES,
  LIEU_LABELS,
  MATERIEL_LABELS,
  NIVEAUX,
  REDIRECTION_LABELS,
  STATUT_LABELS,
  THEMATIQUE_LABELS,
  TRANCHE_AGE_LABELS,
} from "./vocabulary.ts";

/** A cell as a spreadsheet or a CSV gives it. */
export type Cell = string | number | boolean | Date | null | undefined;

/** The columns read, by their header in La Coop's export (apostrophes typographic or straight). */
const COLUMNS = {
  date: "Date",
  type: "Type",
  participants: "Nombre de participants",
  canal: "Canaux d'accompagnement",
  duree: "Durée (min)",
  atelier: "Nom de l'atelier",
  materiel: "Matériel numérique utilisé",
  thematiques: "Thématique(s) d'accompagnement",
  autonomie: "Niveau d'autonomie (ou de l'atelier)",
  redirection: "Structure de redirection",
  commune: "Commune de résidence du bénéficiaire",
  age: "Tranche d'âge du bénéficiaire",
  statut: "Statut du bénéficiaire",
  notes: "Notes supplémentaires",
} as const;
type Column = keyof typeof COLUMNS;
const REQUIRED: Column[] = ["date", "type", "duree"];

const fold = (s: string) =>
  s.normalize("NFD").replace(/\p{M}/gu, "").replace(/[’‘`]/g, "'").replace(/\s+/g, " ").trim().toLowerCase();

/** Label → code, folded (La Coop's labels, as its export writes them). */
const reverse = (labels: Record<string, string>) =>
  new Map(Object.entries(labels).map(([code, label]) => [fold(label), code]));
const THEMATIQUES_BY_LABEL = reverse(THEMATIQUE_LABELS);
const MATERIEL_BY_LABEL = reverse(MATERIEL_LABELS);
const LIEU_BY_LABEL = reverse(LIEU_LABELS);
const REDIRECTION_BY_LABEL = reverse(REDIRECTION_LABELS);
const AGE_BY_LABEL = reverse(TRANCHE_AGE_LABELS);
const STATUT_BY_LABEL = reverse(STATUT_LABELS);
const TYPES = new Map([
  ["accompagnement individuel", "individuel"],
  ["atelier collectif", "collectif"],
  ["individuel", "individuel"],
  ["collectif", "collectif"],
]);

interface ImportRow {
  /** The line in the file (1 = the first line), as a spreadsheet shows it. */
  line: number;
  input: ActivityInput | null;
  /** Why the row cannot be read, in French (null when `input` is given). */
  problem: string | null;
  /** What was read but set aside (an unknown label, a commune not found), in French. */
  warnings: string[];
}

export type ImportReading =
  | { ok: true; rows: ImportRow[]; headerLine: number }
  | { ok: false; problem: string };

const text = (c: Cell): string =>
  c === null || c === undefined ? "" : c instanceof Date ? c.toISOString() : String(c).trim();
const lines = (c: Cell) =>
  text(c)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s && s !== "-");

/** A day from a date cell (a spreadsheet date, « JJ/MM/AAAA » or « AAAA-MM-JJ »); the text unchanged otherwise. */
function dayOf(c: Cell): string {
  if (c instanceof Date) return c.toISOString().slice(0, 10);
  const s = text(c);
  const fr = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(s);
  if (fr) return `${fr[3]}-${(fr[2] as string).padStart(2, "0")}-${(fr[1] as string).padStart(2, "0")}`;
  return s.slice(0, 10);
}

/**
 * Reads the rows of an export. `commune` turns « 23000 Guéret » into an INSEE code (null when not found).
 * A file without La Coop's header row (Date, Type, Durée (min)) is refused as a whole, in French.
 */
export function readCoopExport(
  rows: readonly (readonly Cell[])[],
  commune: (text: string) => string | null,
): ImportReading {
  const wanted = new Map(Object.entries(COLUMNS).map(([k, label]) => [fold(label), k as Column]));
  let headerIndex = -1;
  let index: Partial<Record<Column, number>> = {};
  for (let i = 0; i < Math.min(rows.length, 40) && headerIndex < 0; i++) {
    const found: Partial<Record<Column, number>> = {};
    (rows[i] ?? []).forEach((c, j) => {
      const k = wanted.get(fold(text(c)));
      if (k && found[k] === undefined) found[k] = j;
    });
    if (REQUIRED.every((k) => found[k] !== undefined)) {
      headerIndex = i;
      index = found;
    }
  }
  if (headerIndex < 0)
    return {
      ok: false,
      problem:
        "Ce fichier n'est pas un export des activités de La Coop de la médiation numérique : aucune ligne d'en-tête avec les colonnes « Date », « Type » et « Durée (min) ». Exportez vos activités depuis La Coop (format XLSX) et importez ce fichier tel quel.",
    };
  const at = (row: readonly Cell[], k: Column): Cell =>
    index[k] === undefined ? null : row[index[k] as number];
  const out: ImportRow[] = [];
  for (let i = headerIndex + 1; i < rows.length; i++) {
    const row = rows[i] ?? [];
    if (row.every((c) => text(c) === "")) continue;
    const line = i + 1;
    const warnings: string[] = [];
    const typeText = fold(text(at(row, "type")));
    const type = TYPES.get(typeText);
    if (!type) {
      out.push({
        line,
        input: null,
        problem: `Type « ${text(at(row, "type"))} » inconnu : accompagnement individuel ou atelier collectif.`,
        warnings,
      });
      continue;
    }
    const codes = (c: Cell, map: Map<string, string>, what: string) =>
      lines(c).flatMap((label) => {
        const code = map.get(fold(label));
        if (!code) warnings.push(`${what} « ${label} » inconnu(e) : laissé(e) de côté.`);
        return code ? [code] : [];
      });
    const one = (c: Cell, map: Map<string, string>, what: string) => codes(c, map, what)[0] ?? "";
    // « 2/3 »: the autonomy (individual) or the workshop's level, by its number of stars.
    const stars = /^(\d)\s*\/\s*3$/.exec(text(at(row, "autonomie")))?.[1];
    const autonomie = type === "individuel" && stars ? (AUTONOMIES[Number(stars) - 1] ?? "") : "";
    const niveau = type === "collectif" && stars ? (NIVEAUX[Number(stars) - 1] ?? "") : "";
    const communeText = lines(at(row, "commune"))[0] ?? "";
    const communeCode = communeText ? commune(communeText) : null;
    if (communeText && !communeCode)
      warnings.push(`Commune « ${communeText} » introuvable : laissée de côté.`);
    const minutes = at(row, "duree");
    out.push({
      line,
      problem: null,
      warnings,
      input: {
        type,
        date: dayOf(at(row, "date")),
        duration: typeof minutes === "number" ? String(minutes) : text(minutes),
        lieu: one(at(row, "canal"), LIEU_BY_LABEL, "Canal"),
        placeId: "",
        commune: "",
        thematiques: codes(at(row, "thematiques"), THEMATIQUES_BY_LABEL, "Thématique"),
        materiel: codes(at(row, "materiel"), MATERIEL_BY_LABEL, "Matériel"),
        autonomie,
        redirection: one(at(row, "redirection"), REDIRECTION_BY_LABEL, "Structure de redirection"),
        notes: text(at(row, "notes")).slice(0, 2000),
        titre: type === "collectif" ? text(at(row, "atelier")) || "Atelier (importé de La Coop)" : "",
        niveau,
        participants: type === "collectif" ? text(at(row, "participants")) : "",
        coordination: "",
        trancheAge: type === "individuel" ? one(at(row, "age"), AGE_BY_LABEL, "Tranche d'âge") : "",
        statut: type === "individuel" ? one(at(row, "statut"), STATUT_BY_LABEL, "Statut") : "",
        beneficiaireCommune: type === "individuel" && communeCode ? communeCode : "",
        diagnostic: "",
        orientation: "",
        utilisation: "",
        cheque: "",
        beneficiaire: "",
      },
    });
  }
  return { ok: true, rows: out, headerLine: headerIndex + 1 };
}
