/** A query turned into bit masks and time windows; each criterion checked on one place, with its reason in plain words. */
import { calendarOf } from "../../places/hours.ts";
import type { Place } from "../../places/model.ts";
import { formatPhone } from "../../platform/format.ts";
import {
  type Access,
  type Criterion,
  type ModalitySlug,
  NEEDS,
  type OrientationQuery,
  type PublicSlug,
  SERVICE,
  SUPPORT_SLUGS,
} from "../model.ts";
import { type TimeWindow, timeWindow } from "../when.ts";
import {
  bit,
  hoursOf,
  MODALITY_KEYS,
  type OrientationIndex,
  PUBLIC_KEYS,
  SUPPORT_KEYS,
  serviceMask,
} from "./place-index.ts";
import { openWindows } from "./search.ts";

/** The query turned into masks and time windows, once per search. */
export interface Compiled {
  query: OrientationQuery;
  /** One mask per need or service asked: each must meet the place's services. */
  needGroups: { mask: number; label: string }[];
  publicMask: number;
  supportMasks: { mask: number; label: string }[];
  modalityMask: number;
  windows: TimeWindow[];
  asked: Set<Criterion>;
}

const PUBLIC_REASON: Record<PublicSlug, string> = {
  senior: "pour les seniors",
  jeune: "pour les jeunes",
  famille: "pour les familles",
  femme: "pour les femmes",
  etudiant: "pour les étudiants",
};
const MODALITY_REASON: Record<ModalitySlug, string> = {
  seul: "poste en libre accès",
  individuel: "accompagnement individuel",
  atelier: "atelier en groupe",
  distance: "aide à distance",
};
const SERVICE_SHORT: Record<string, string> = {
  [SERVICE.demarches]: "démarches en ligne",
  [SERVICE.quotidien]: "usage du téléphone et de l'ordinateur",
  [SERVICE.emploi]: "recherche d'emploi",
  [SERVICE.securite]: "se protéger des arnaques",
  [SERVICE.parentalite]: "aider ses enfants",
  [SERVICE.loisirs]: "loisirs numériques",
  [SERVICE.comprendre]: "comprendre le numérique",
  [SERVICE.acces]: "ordinateur et internet en libre accès",
  [SERVICE.materiel]: "ordinateur pas cher",
};
/** A service of the standard in plain words. */
export const serviceInPlainWords = (s: string) => SERVICE_SHORT[s] ?? s;

export function compile(query: OrientationQuery, now: Date): Compiled {
  const needGroups = [
    ...NEEDS.filter((n) => query.besoins.includes(n.id)).map((n) => ({
      mask: serviceMask(n.services),
      label: n.short,
    })),
    ...query.services.map((s) => ({ mask: serviceMask([s]), label: serviceInPlainWords(s) })),
  ];
  const asked = new Set<Criterion>();
  if (needGroups.length > 0) asked.add("besoin");
  if (query.supports.length > 0) asked.add("priseEnCharge");
  if (query.publics.length > 0) asked.add("public");
  if (query.gratuit) asked.add("gratuit");
  if (query.modalites.length > 0) asked.add("modalite");
  if (query.quand.length > 0) asked.add("quand");
  if (query.distanceMax !== null) asked.add("distance");
  return {
    query,
    needGroups,
    publicMask: query.publics.reduce((m, k) => m | bit(PUBLIC_KEYS.indexOf(k)), 0),
    supportMasks: query.supports.map((k) => ({
      mask: bit(SUPPORT_KEYS.indexOf(k)),
      label: SUPPORT_SLUGS[k].label.toLowerCase(),
    })),
    modalityMask: query.modalites.reduce((m, k) => m | bit(MODALITY_KEYS.indexOf(k)), 0),
    // Days and holidays of the searched commune: « samedi » is the person's Saturday.
    windows: query.quand.map((w) => timeWindow(w, now, calendarOf(query.commune))),
    asked,
  };
}

/** Criteria that bit masks decide (no hours, no distance). */
export function meetsMasks(idx: OrientationIndex, c: Compiled, i: number, required: Set<Criterion>): boolean {
  if (required.has("besoin")) {
    const s = idx.services[i] as number;
    for (const g of c.needGroups) if ((s & g.mask) === 0) return false;
  }
  if (required.has("priseEnCharge")) {
    const s = idx.supports[i] as number;
    for (const g of c.supportMasks) if ((s & g.mask) === 0) return false;
  }
  if (required.has("public") && ((idx.publics[i] as number) & c.publicMask) === 0) return false;
  if (required.has("gratuit") && !((idx.price[i] as number) === 1 || idx.price[i] === 2)) return false;
  if (required.has("modalite") && ((idx.modalities[i] as number) & c.modalityMask) === 0) return false;
  return true;
}

export const km = (d: number) =>
  `${d < 10 ? d.toFixed(1).replace(".", ",") : Math.round(d).toString()} km`.replace(/^0,0 km$/, "sur place");

export function accessOf(p: Place, hasHours: boolean): Access {
  const m = p.standard.modalites_acces;
  const phone = formatPhone(p.standard.telephone[0] ?? "");
  const rdv = p.standard.prise_rdv;
  return {
    walkIn: m.includes("Se présenter") || (m.length === 0 && hasHours),
    phone: phone?.tel ? { text: phone.text, tel: phone.tel } : null,
    booking:
      rdv && /^https?:\/\//.test(rdv) ? rdv : m.includes("Prendre un RDV en ligne") ? (rdv ?? "") : null,
    other: m.filter((x) => x !== "Se présenter" && x !== "Téléphoner" && x !== "Prendre un RDV en ligne"),
  };
}

export const PRICE_TEXT = ["", "Gratuit", "Gratuit sous condition", "Payant"];

/** How many asked criteria the place misses (what `evaluate` counts, without building its words). */
export function missedCount(idx: OrientationIndex, c: Compiled, i: number, d: number, now: Date): number {
  let n = 0;
  const a = c.asked;
  if (a.has("besoin") && c.needGroups.some((g) => ((idx.services[i] as number) & g.mask) === 0)) n++;
  if (a.has("priseEnCharge") && c.supportMasks.some((g) => ((idx.supports[i] as number) & g.mask) === 0)) n++;
  if (a.has("public") && ((idx.publics[i] as number) & c.publicMask) === 0) n++;
  if (a.has("gratuit") && idx.price[i] !== 1 && idx.price[i] !== 2) n++;
  if (a.has("modalite") && ((idx.modalities[i] as number) & c.modalityMask) === 0) n++;
  if (a.has("quand") && openWindows(idx, c, i, now).length === 0) n++;
  if (c.query.distanceMax !== null && d > c.query.distanceMax) n++;
  return n;
}

/** Evaluates every asked criterion on one place: what it meets (reasons), what it misses. */
export function evaluate(
  idx: OrientationIndex,
  c: Compiled,
  i: number,
  distanceKm: number,
  now: Date,
): { reasons: string[]; missing: string[]; missed: Set<Criterion> } {
  const reasons: string[] = [];
  const missing: string[] = [];
  const missed = new Set<Criterion>();
  const q = c.query;
  /** Each asked group is a reason when the place's bits meet its mask, else a miss of `criterion`. */
  const checkGroups = (
    criterion: Criterion,
    bits: number,
    groups: readonly { mask: number; label: string }[],
  ) => {
    if (!c.asked.has(criterion)) return;
    for (const g of groups) {
      if ((bits & g.mask) !== 0) reasons.push(g.label);
      else {
        missing.push(g.label);
        missed.add(criterion);
      }
    }
  };
  checkGroups("besoin", idx.services[i] as number, c.needGroups);
  checkGroups("priseEnCharge", idx.supports[i] as number, c.supportMasks);
  if (c.asked.has("public")) {
    const hits = q.publics.filter((k) => ((idx.publics[i] as number) & bit(PUBLIC_KEYS.indexOf(k))) !== 0);
    if (hits.length > 0) reasons.push(...hits.map((k) => PUBLIC_REASON[k]));
    else {
      missing.push(q.publics.map((k) => PUBLIC_REASON[k]).join(" ou "));
      missed.add("public");
    }
  }
  if (c.asked.has("gratuit")) {
    const price = idx.price[i] as number;
    if (price === 1) reasons.push("gratuit");
    else if (price === 2) reasons.push("gratuit sous condition");
    else {
      missing.push(price === 3 ? "payant" : "prix non indiqué");
      missed.add("gratuit");
    }
  }
  if (c.asked.has("modalite")) {
    const hits = q.modalites.filter(
      (k) => ((idx.modalities[i] as number) & bit(MODALITY_KEYS.indexOf(k))) !== 0,
    );
    if (hits.length > 0) reasons.push(...hits.map((k) => MODALITY_REASON[k]));
    else {
      missing.push(q.modalites.map((k) => MODALITY_REASON[k]).join(" ou "));
      missed.add("modalite");
    }
  }
  if (c.asked.has("quand")) {
    const oh = hoursOf(idx, i);
    const hits = openWindows(idx, c, i, now);
    if (hits.length > 0) reasons.push(...hits.map((w) => w.reason));
    else {
      missing.push(
        oh
          ? c.windows.map((w) => w.reason.replace(/^ouvert/, "pas ouvert")).join(" ni ")
          : "horaires inconnus",
      );
      missed.add("quand");
    }
  }
  if (q.distanceMax !== null && distanceKm > q.distanceMax) {
    missing.push(`à plus de ${km(q.distanceMax)}`);
    missed.add("distance");
  }
  reasons.push(km(distanceKm));
  return { reasons, missing, missed };
}
