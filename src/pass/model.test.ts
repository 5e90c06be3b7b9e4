import assert from "node:assert/strict";
import { test } from "node:test";
import {
  addMonths,
  balanceOf,
  type ChequeView,
  claimUntil,
  euros,
  imbalances,
  monthOver,
  parseEuros,
  parseMonth,
  redeemability,
  validUntil,
} from "./model.ts";

test("euros from cents and cents from euros as typed; negative or fractional cents refused", () => {
  assert.equal(euros(1000), "10\u00a0€");
  assert.equal(euros(1050), "10,50\u00a0€");
  assert.equal(euros(125_000_00), "125\u202f000\u00a0€");
  assert.equal(parseEuros("10"), 1000);
  assert.equal(parseEuros("10,5"), 1050);
  assert.equal(parseEuros("1 250,00 €"), 125_000);
  assert.equal(parseEuros("-10"), null);
  assert.equal(parseEuros("10,505"), null);
  assert.equal(parseEuros("dix"), null);
  assert.equal(parseEuros(""), null);
});

test("validity: months after handing, less a day; never after the last date; month ends kept", () => {
  assert.equal(addMonths("2026-03-15", 12), "2027-03-14");
  assert.equal(addMonths("2026-01-31", 1), "2026-02-27", "31 January + 1 month: to 28 February, less a day");
  assert.equal(addMonths("2026-11-10", 3), "2027-02-09");
  const p = { validityMonths: 12, lastDate: "2026-12-31" };
  assert.equal(validUntil(p, "2026-03-15"), "2026-12-31");
  assert.equal(validUntil({ ...p, lastDate: "2027-12-31" }, "2026-03-15"), "2027-03-14");
  assert.equal(claimUntil({ graceDays: 59 }, "2026-12-31"), "2027-02-28", "CGCT: claims until 28 February");
});

test("statement months: only a finished month; typed months checked", () => {
  assert.equal(monthOver("2026-11", "2026-11-30"), false);
  assert.equal(monthOver("2026-11", "2026-12-01"), true);
  assert.equal(monthOver("2026-12", "2026-12-01"), false);
  assert.equal(parseMonth("2026-13"), null);
  assert.equal(parseMonth("2026-1"), null);
  assert.equal(parseMonth(" 2026-02 "), "2026-02");
});

const cheque = (over: Partial<ChequeView> = {}): ChequeView => ({
  code: "23456789AB",
  serial: "P0001-000001",
  state: "remis",
  programmeId: 1,
  programmeName: "Pass numérique Creuse (exemple)",
  faceValueCents: 1000,
  validUntil: "2026-12-31",
  claimUntil: "2027-02-28",
  redeemedAt: null,
  redeemedBy: null,
  placeOrganisationIds: [7],
  ...over,
});

test("redeemability: each refusal says why; the grace period lets a workshop held in time be recorded late", () => {
  const f = (d: string) => d;
  const why = (c: ChequeView, org: number, workshop: string, today: string) => {
    const r = redeemability(c, org, workshop, today, f);
    return r.ok ? "ok" : r.kind;
  };
  assert.equal(why(cheque(), 7, "2026-12-01", "2026-12-02"), "ok");
  assert.equal(why(cheque({ state: "encaisse" }), 7, "2026-12-01", "2026-12-02"), "encaisse");
  assert.equal(why(cheque({ state: "annule" }), 7, "2026-12-01", "2026-12-02"), "annule");
  assert.equal(why(cheque({ state: "attribue" }), 7, "2026-12-01", "2026-12-02"), "pas-remis");
  assert.equal(why(cheque(), 8, "2026-12-01", "2026-12-02"), "non-habilite");
  assert.equal(why(cheque(), 7, "2026-12-03", "2026-12-02"), "atelier-futur");
  // In the grace period: a workshop of 30 December recorded in February is paid; one of 2 January is not.
  assert.equal(why(cheque(), 7, "2026-12-30", "2027-02-28"), "ok");
  assert.equal(why(cheque(), 7, "2027-01-02", "2027-02-10"), "atelier-apres");
  assert.equal(why(cheque(), 7, "2026-12-30", "2027-03-01"), "expire");
  assert.equal(why(cheque({ state: "expire" }), 7, "2026-12-30", "2027-01-01"), "expire");
});

test("the books: balanced, and each kind of imbalance named", () => {
  const face = 1000;
  const states = { commande: 5, attribue: 5, remis: 6, encaisse: 3, expire: 1, annule: 0 };
  const sums = {
    commande: { cheques: 20, cents: 20_000 },
    attribution: { cheques: 15, cents: 15_000 },
    remise: { cheques: 10, cents: 10_000 },
    encaissement: { cheques: 3, cents: 3_000 },
    expiration: { cheques: 1, cents: 1_000 },
    paiement: { cheques: 2, cents: 2_000 },
  };
  assert.deepEqual(imbalances(balanceOf(sums), states, face), []);
  assert.match(
    imbalances(balanceOf({ ...sums, encaissement: { cheques: 4, cents: 4_000 } }), states, face).join(),
    /remis 10 ≠ encaissés 4/,
  );
  assert.match(
    imbalances(balanceOf({ ...sums, paiement: { cheques: 4, cents: 4_000 } }), states, face).join(),
    /payé 4000 > encaissé 3000/,
  );
  assert.match(
    imbalances(balanceOf({ ...sums, remise: { cheques: 10, cents: 9_000 } }), states, face).join(),
    /montant des remis/,
  );
});
