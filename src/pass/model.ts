/**
 * The pass numérique's model: programmes, booklets, cheques and the states they go through, and the pure rules
 * (validity, what a redemption would do, the statements' months). Amounts are integer cents. Days are wall-clock
 * days ("AAAA-MM-JJ") of the programme's time zone. The store owns the tables; nothing here reads the time.
 */
import { addDays, type Day, dayParts } from "../platform/clock.ts";

/** A cheque's states: ordered → allocated → handed → redeemed | expired; unhanded ones may be cancelled. */
export const CHEQUE_STATES = ["commande", "attribue", "remis", "encaisse", "expire", "annule"] as const;
export type ChequeState = (typeof CHEQUE_STATES)[number];

export const CHEQUE_STATE_LABELS: Record<ChequeState, string> = {
  commande: "commandé, pas encore attribué",
  attribue: "attribué à un prescripteur, pas encore remis",
  remis: "remis à un bénéficiaire, utilisable",
  encaisse: "déjà encaissé",
  expire: "expiré",
  annule: "annulé",
};

/** The ledger's kinds of entries; each moves cheques (and their value) from one state to the next. */
const LEDGER_KINDS = [
  "commande",
  "attribution",
  "remise",
  "encaissement",
  "expiration",
  "annulation",
  "paiement",
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** The publics a programme targets (its beneficiaries' situations, as the calls for projects name them). */
export const PUBLICS = [
  "seniors",
  "demandeurs-emploi",
  "jeunes",
  "allocataires-minima-sociaux",
  "personnes-handicap",
  "tout-public",
] as const;
export type Public = (typeof PUBLICS)[number];
export const PUBLIC_LABELS: Record<Public, string> = {
  seniors: "Personnes âgées",
  "demandeurs-emploi": "Demandeurs d'emploi",
  jeunes: "Jeunes de 16 à 25 ans",
  "allocataires-minima-sociaux": "Allocataires de minima sociaux",
  "personnes-handicap": "Personnes en situation de handicap",
  "tout-public": "Tout public",
};

export const AGE_BRACKETS = ["moins-de-26", "26-59", "60-74", "75-et-plus"] as const;
export type AgeBracket = (typeof AGE_BRACKETS)[number];
export const AGE_BRACKET_LABELS: Record<AgeBracket, string> = {
  "moins-de-26": "Moins de 26 ans",
  "26-59": "26 à 59 ans",
  "60-74": "60 à 74 ans",
  "75-et-plus": "75 ans et plus",
};

export interface Programme {
  id: number;
  name: string;
  /** The financeur's organisation. */
  organisationId: number;
  territoryId: string;
  /** The wall clock its days are counted in (Europe/Paris, or an overseas zone). */
  zone: string;
  publics: Public[];
  faceValueCents: number;
  bookletSize: 5 | 10;
  /** Months a cheque stays valid once handed (never beyond `lastDate`). */
  validityMonths: number;
  /** The last day a booklet may be handed and a cheque used. */
  lastDate: Day;
  /** Days after a cheque's validity during which a workshop held while it was valid may still be recorded. */
  graceDays: number;
  budgetCents: number;
  /** Organisations (labelled places) allowed to redeem its cheques. */
  placeOrganisationIds: number[];
  createdAt: Date;
}

/** Limits of a programme's figures (the form and the API say them). */
export const LIMITS = {
  faceValueCents: { min: 100, max: 100_000 },
  validityMonths: { min: 1, max: 36 },
  graceDays: { min: 0, max: 180 },
  budgetCents: { min: 0, max: 100_000_000_00 },
  /** Booklets per order. */
  order: { min: 1, max: 5_000 },
  workshopMinutes: { min: 15, max: 120 },
} as const;

/** Cents as French read them: « 10 € », « 12,50 € », « 1 250 € ». */
export function euros(cents: number): string {
  const whole = Math.trunc(cents / 100);
  const rest = Math.abs(cents % 100);
  const grouped = Math.abs(whole)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
  return `${cents < 0 ? "−" : ""}${grouped}${rest === 0 ? "" : `,${String(rest).padStart(2, "0")}`}\u00a0€`;
}

/**
 * Euros as typed in a form (« 10 », « 10,50 », « 1 250 », « 10.5 ») into cents; null when it is not an amount of at most
 * two decimals (negative, fractional cents, text).
 */
export function parseEuros(text: string): number | null {
  const t = text.replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) return null;
  const [whole, dec = ""] = t.split(".");
  return Number(whole) * 100 + Number(dec.padEnd(2, "0"));
}

/** The day `months` months after `day`, less one day (handed 15 March, 12 months: valid until 14 March next year). */
export function addMonths(day: Day, months: number): Day {
  const p = dayParts(day);
  const total = p.month - 1 + months;
  const year = p.year + Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const d = Math.min(p.day, last);
  return addDays(
    `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(d).padStart(2, "0")}`,
    -1,
  );
}

/** The last day a cheque handed on `handedOn` may be used: `validityMonths` later, never after the programme's last date. */
export function validUntil(p: Pick<Programme, "validityMonths" | "lastDate">, handedOn: Day): Day {
  const v = addMonths(handedOn, p.validityMonths);
  return v < p.lastDate ? v : p.lastDate;
}

/** The last day a workshop of a cheque valid until `until` may be recorded (the grace period for claims). */
export const claimUntil = (p: Pick<Programme, "graceDays">, until: Day): Day => addDays(until, p.graceDays);

/** What a cheque looks like to a mediator who typed its code. */
export interface ChequeView {
  code: string;
  serial: string;
  state: ChequeState;
  programmeId: number;
  programmeName: string;
  faceValueCents: number;
  validUntil: Day | null;
  claimUntil: Day | null;
  redeemedAt: Date | null;
  redeemedBy: string | null;
  /** Organisations allowed to redeem it. */
  placeOrganisationIds: number[];
}

export type Redeemability =
  | { ok: true }
  | {
      ok: false;
      kind:
        | "encaisse"
        | "expire"
        | "annule"
        | "pas-remis"
        | "non-habilite"
        | "atelier-apres"
        | "atelier-futur";
      message: string;
    };

/**
 * Whether `organisationId` may redeem this cheque for a workshop held on `workshopDay`, today being `today`: the
 * explanation shown before asking (the store decides again, atomically, when it writes).
 */
export function redeemability(
  c: ChequeView,
  organisationId: number,
  workshopDay: Day,
  today: Day,
  formatDay: (d: Day) => string,
): Redeemability {
  switch (c.state) {
    case "encaisse":
      return {
        ok: false,
        kind: "encaisse",
        message: "Ce chèque a déjà été encaissé : il ne peut l'être qu'une fois.",
      };
    case "annule":
      return {
        ok: false,
        kind: "annule",
        message:
          "Ce chèque a été annulé (son carnet n'a pas été remis à temps) : il ne peut pas être encaissé.",
      };
    case "commande":
    case "attribue":
      return {
        ok: false,
        kind: "pas-remis",
        message:
          "Ce chèque n'a pas encore été remis à un bénéficiaire : demandez à la personne où elle l'a reçu, le prescripteur doit enregistrer la remise.",
      };
    default:
  }
  const until = c.validUntil as Day;
  const claim = c.claimUntil as Day;
  if (c.state === "expire" || today > claim)
    return {
      ok: false,
      kind: "expire",
      message: `Ce chèque a expiré : il était valable jusqu'au ${formatDay(until)}.`,
    };
  if (!c.placeOrganisationIds.includes(organisationId))
    return {
      ok: false,
      kind: "non-habilite",
      message: `Votre structure n'est pas habilitée par le programme « ${c.programmeName} » : ce chèque ne peut pas être encaissé chez vous.`,
    };
  if (workshopDay > today)
    return {
      ok: false,
      kind: "atelier-futur",
      message: "L'atelier ne peut pas être daté d'un jour à venir.",
    };
  if (workshopDay > until)
    return {
      ok: false,
      kind: "atelier-apres",
      message: `L'atelier a eu lieu après la fin de validité du chèque (${formatDay(until)}) : il ne peut pas être payé par ce chèque.`,
    };
  return { ok: true };
}

/** "AAAA-MM" of a day. */
const monthOf = (day: Day): string => day.slice(0, 7);

/** Whether a month "AAAA-MM" is over on `today` (a statement is drawn only for a finished month). */
export const monthOver = (month: string, today: Day): boolean => monthOf(today) > month;

/** A month "AAAA-MM" as typed, or null. */
export function parseMonth(text: string): string | null {
  const m = /^(\d{4})-(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const mo = Number(m[2]);
  const y = Number(m[1]);
  return mo >= 1 && mo <= 12 && y >= 2000 && y <= 2100 ? `${m[1]}-${m[2]}` : null;
}

/** The first day of a month and the first day of the next. */
export function monthBounds(month: string): { first: Day; next: Day } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  return { first: `${month}-01`, next: `${next}-01` };
}

/**
 * A booklet's serial: the programme's number and the booklet's rank within it, « P0007-000123 »; unique with the
 * programme, readable on paper.
 */
export const bookletSerial = (programmeId: number, rank: number): string =>
  `P${String(programmeId).padStart(4, "0")}-${String(rank).padStart(6, "0")}`;

export const parseSerial = (text: string): string | null => {
  const t = text.trim().toUpperCase();
  return /^P\d{4,9}-\d{6,9}$/.test(t) ? t : null;
};

/** Counts of cheques by state, and amounts, as the ledger derives them. */
export interface Balance {
  ordered: number;
  allocated: number;
  handed: number;
  redeemed: number;
  expired: number;
  cancelled: number;
  /** Cents. */
  orderedCents: number;
  handedCents: number;
  redeemedCents: number;
  expiredCents: number;
  cancelledCents: number;
  paidCents: number;
}

/** Sums of ledger entries by kind: cheques and cents. */
export type LedgerSums = Partial<Record<LedgerKind, { cheques: number; cents: number }>>;

/** The balance derived from the ledger's sums (what `pass check` compares with the cheques' states). */
export function balanceOf(sums: LedgerSums): Balance {
  const g = (k: LedgerKind) => sums[k] ?? { cheques: 0, cents: 0 };
  return {
    ordered: g("commande").cheques,
    allocated: g("attribution").cheques,
    handed: g("remise").cheques,
    redeemed: g("encaissement").cheques,
    expired: g("expiration").cheques,
    cancelled: g("annulation").cheques,
    orderedCents: g("commande").cents,
    handedCents: g("remise").cents,
    redeemedCents: g("encaissement").cents,
    expiredCents: g("expiration").cents,
    cancelledCents: g("annulation").cents,
    paidCents: g("paiement").cents,
  };
}

/** Cheques by state as the cheques' table counts them. */
export type StateCounts = Record<ChequeState, number>;

/**
 * What is wrong with a programme's books, in French (empty when they balance): ordered = handed + unhanded;
 * handed = redeemed + outstanding + expired; unhanded = not yet handed + cancelled; the ledger's counts equal the
 * cheques' states; every amount is the count times the face value; nothing paid beyond what was redeemed.
 */
export function imbalances(b: Balance, states: StateCounts, faceValueCents: number): string[] {
  const out: string[] = [];
  const check = (ok: boolean, text: string) => {
    if (!ok) out.push(text);
  };
  const unhanded = states.commande + states.attribue + states.annule;
  const outstanding = states.remis;
  const total = Object.values(states).reduce((a, n) => a + n, 0);
  check(b.ordered === total, `commandés ${b.ordered} ≠ chèques existants ${total}`);
  check(
    b.ordered === b.handed + unhanded,
    `commandés ${b.ordered} ≠ remis ${b.handed} + non remis ${unhanded}`,
  );
  check(
    b.handed === b.redeemed + outstanding + b.expired,
    `remis ${b.handed} ≠ encaissés ${b.redeemed} + en circulation ${outstanding} + expirés ${b.expired}`,
  );
  check(
    b.redeemed === states.encaisse,
    `encaissés au registre ${b.redeemed} ≠ chèques encaissés ${states.encaisse}`,
  );
  check(b.expired === states.expire, `expirés au registre ${b.expired} ≠ chèques expirés ${states.expire}`);
  check(
    b.cancelled === states.annule,
    `annulés au registre ${b.cancelled} ≠ chèques annulés ${states.annule}`,
  );
  check(
    b.allocated >= states.attribue,
    `attribués au registre ${b.allocated} < chèques attribués non remis ${states.attribue}`,
  );
  for (const [label, n, cents] of [
    ["commandés", b.ordered, b.orderedCents],
    ["remis", b.handed, b.handedCents],
    ["encaissés", b.redeemed, b.redeemedCents],
    ["expirés", b.expired, b.expiredCents],
    ["annulés", b.cancelled, b.cancelledCents],
  ] as const)
    check(cents === n * faceValueCents, `montant des ${label} ${cents} ≠ ${n} × ${faceValueCents} centimes`);
  check(b.paidCents <= b.redeemedCents, `payé ${b.paidCents} > encaissé ${b.redeemedCents} centimes`);
  return out;
}
