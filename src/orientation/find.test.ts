import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { shipped } from "../../test/support/orientation.ts";
import { placeHours } from "../places/hours.ts";
import type { Place } from "../places/model.ts";
import { zonedInstant } from "../platform/clock.ts";
import type { Referential } from "../territories/referential.ts";
import { buildIndex, type OrientationIndex } from "./find/place-index.ts";
import { farHelp, findPlaces } from "./find.ts";
import { type Criterion, emptyQuery, NEEDS, type OrientationQuery, SERVICE } from "./model.ts";

const STANDARD_DIR = join(import.meta.dirname, "../places/standard");

let places: Place[];
let ref: Referential;
let idx: OrientationIndex;

before(async () => {
  ({ places, ref } = await shipped());
  idx = buildIndex(places);
});

const from = (code: string) => {
  const c = ref.get(code);
  assert.ok(c?.lat != null && c.lon != null, code);
  return { lat: c.lat, lon: c.lon };
};
const q = (code: string, over: Partial<OrientationQuery>): OrientationQuery => ({
  ...emptyQuery(code),
  ...over,
});
/** An instant given by the wall clock of Paris (month 1–12): the tests do not depend on the machine's zone. */
const paris = (y: number, mo: number, d: number, h: number, mi: number) =>
  zonedInstant("Europe/Paris", y, mo, d, h, mi);
const WEDNESDAY = paris(2026, 11, 18, 10, 0); // Wednesday 18 November 2026, 10:00 (Paris)

describe("needs in plain words", () => {
  test("the needs cover every service of the national standard, with the standard's own names", () => {
    // The services as the standard's schema.json (v1.0.2) lists them, not as the code spells them.
    const schema = JSON.parse(readFileSync(join(STANDARD_DIR, "schema.json"), "utf8")) as {
      fields: { name: string; constraints?: { pattern?: string } }[];
    };
    const pattern = schema.fields.find((f) => f.name === "services")?.constraints?.pattern ?? "";
    const standard = /\(([^()]*\|[^()]*)\)\)\+\$$/.exec(pattern)?.[1]?.split("|") ?? [];
    assert.equal(standard.length, 9);
    const answered = new Set(NEEDS.flatMap((n) => n.services));
    assert.deepEqual([...answered].sort(), [...standard].sort());
    for (const n of NEEDS) assert.ok(n.services.length > 0, n.id);
    const sets = NEEDS.map((n) => [...n.services].sort().join("|"));
    assert.equal(new Set(sets).size, sets.length, "deux besoins mènent aux mêmes services");
  });

  test("on real places, every exact result of a need offers one of its services", () => {
    for (const need of NEEDS) {
      const out = findPlaces(idx, q("69383", { besoins: [need.id] }), from("69383"), WEDNESDAY);
      assert.ok(out.results.length > 0, need.id);
      for (const r of out.results.filter((x) => x.exact))
        assert.ok(
          need.services.some((s) => r.place.standard.services.includes(s)),
          `${need.id}: ${r.place.standard.nom}`,
        );
      // Lyon has places for the common needs: no widening for them.
      if (need.id === "demarches" || need.id === "telephone" || need.id === "emploi")
        assert.deepEqual(out.widened, [], need.id);
      if (out.widened.length === 0) assert.ok(out.results.every((r) => r.exact));
    }
  });
});

describe("ranking", () => {
  // Cagnes-sur-Mer: the nearest place for « démarches » has no « accompagnement individuel »; one farther has.
  const base = q("06027", { besoins: ["demarches"], modalites: ["individuel"] });

  test("a required filter puts a farther exact match above a nearer partial one", () => {
    const out = findPlaces(
      idx,
      { ...base, indispensables: ["besoin", "distance", "modalite"] },
      from("06027"),
      WEDNESDAY,
    );
    assert.deepEqual(out.widened, []);
    const pref = findPlaces(idx, base, from("06027"), WEDNESDAY);
    const nearestPartial = pref.results.find((r) => !r.exact);
    assert.ok(nearestPartial);
    const first = out.results[0];
    assert.ok(first?.exact);
    assert.ok(first.distanceKm > nearestPartial.distanceKm);
    assert.ok(
      out.results.every((r) =>
        r.place.standard.modalites_accompagnement.includes("Accompagnement individuel"),
      ),
    );
    assert.ok(!out.results.some((r) => r.place.id === nearestPartial.place.id));
    assert.ok(first.reasons.includes("accompagnement individuel"), first.reasons.join());
  });

  test("as a preference, a missed criterion costs 5 km: nearer partial first, the exact one still ranked", () => {
    const out = findPlaces(idx, base, from("06027"), WEDNESDAY);
    assert.equal(out.results[0]?.exact, false);
    assert.ok(out.results[0]?.missing.includes("accompagnement individuel"));
    const exact = out.results.findIndex((r) => r.exact);
    assert.ok(exact > 0);
    const score = (r: (typeof out.results)[number]) => r.distanceKm + 5 * (r.exact ? 0 : 1);
    for (const r of out.results) assert.equal(r.exact, r.missing.length === 0);
    for (let i = 1; i < out.results.length; i++)
      assert.ok(score(out.results[i - 1] as never) <= score(out.results[i] as never) + 1e-9);
  });

  test("results are nearest first among exact matches, with the distance as the last reason", () => {
    const out = findPlaces(idx, q("75056", { besoins: ["demarches"] }), from("75056"), WEDNESDAY);
    const d = out.results.map((r) => r.distanceKm);
    assert.deepEqual(
      d,
      [...d].sort((a, b) => a - b),
    );
    assert.match(out.results[0]?.reasons.at(-1) ?? "", /^\d+(,\d)? km$/);
  });
});

describe("widening", () => {
  test("a maximum distance too small is doubled and said", () => {
    // Matériel à prix solidaire: one place in the shipped data.
    const out = findPlaces(
      idx,
      q("13055", { besoins: ["emploi"], distanceMax: 0.2 }),
      from("13055"),
      WEDNESDAY,
    );
    assert.ok(out.results.length > 0);
    assert.equal(out.emptiedBy, "distance");
    assert.match(out.widened[0] ?? "", /^Aucun lieu à moins de 0,2 km : nous avons cherché jusqu'à \d/);
    assert.equal(out.partial, false);
  });

  test("a required support that no place lists: named as the one that emptied the list, then dropped", () => {
    const required: Criterion[] = ["besoin", "distance", "priseEnCharge"];
    const out = findPlaces(
      idx,
      q("69383", { besoins: ["demarches"], supports: ["surdite"], gratuit: true, indispensables: required }),
      from("69383"),
      WEDNESDAY,
    );
    assert.equal(out.emptiedBy, "priseEnCharge");
    assert.deepEqual(out.widened, [
      "Aucun lieu proche n'indique cette prise en charge : ce critère n'est plus obligatoire.",
    ]);
    assert.equal(out.partial, true);
    assert.ok(out.results.length > 0);
    assert.ok(out.results.every((r) => r.missing.includes("surdité")));
    assert.ok(out.results.every((r) => r.place.standard.services.includes(SERVICE.demarches)));
  });

  test("contradictory filters: the one that empties the list is named, in the order they apply", () => {
    // Around Lyon, places for « démarches » exist, and places « pour les jeunes », but not both.
    const query = q("69383", {
      besoins: ["demarches"],
      publics: ["jeune"],
      indispensables: ["besoin", "public", "distance"],
    });
    const out = findPlaces(idx, query, from("69383"), WEDNESDAY);
    assert.equal(out.emptiedBy, "public");
    assert.deepEqual(out.widened, [
      "Aucun lieu proche ne s'adresse spécialement à ce public : ce critère n'est plus obligatoire.",
    ]);
    assert.ok(out.results.length > 0);
    assert.ok(out.results.every((r) => r.missing.includes("pour les jeunes")));
    const onlyNeed = findPlaces(idx, { ...query, indispensables: ["besoin"] }, from("69383"), WEDNESDAY);
    assert.deepEqual(onlyNeed.widened, []);
  });

  test("never empty: a commune of Guyane with no place within 50 km still gets the nearest ones", () => {
    const out = findPlaces(idx, q("97352", { besoins: ["demarches"] }), from("97352"), WEDNESDAY);
    assert.ok(out.results.length > 0);
    assert.ok(out.results.every((r) => r.distanceKm > 50));
    // The need is kept: the nearest places that help with it, even far away.
    assert.ok(out.results.every((r) => r.place.standard.services.includes(SERVICE.demarches)));
    assert.equal(out.partial, false);
    assert.ok(out.widened.includes("Aucun lieu à moins de 50 km : voici les plus proches."));
  });
});

describe("time: public holidays and the Sunday/Monday boundary", () => {
  const weekdays = () => places.filter((p) => p.standard.horaires === "Mo-Fr 09:00-12:00,14:00-17:00");

  test("a real weekday place: closed on 14 July, open the day after, Sunday says Monday", () => {
    const p = weekdays()[0];
    assert.ok(p);
    const oh = placeHours(p.standard.horaires);
    assert.ok(oh);
    const idxOne = buildIndex([p]);
    const at = (d: Date) => findPlaces(idxOne, q("69383", {}), from("69383"), d).results[0]?.open;
    // Tuesday 14 July 2026, 10:00: a public holiday.
    assert.deepEqual(at(paris(2026, 7, 14, 10, 0)), {
      open: false,
      text: "Fermé, ouvre demain (mercredi) à 9 h",
    });
    assert.deepEqual(at(paris(2026, 7, 15, 10, 0)), { open: true, text: "Ouvert, ferme à 12 h" });
    // Sunday 15 November 2026, 18:00, then Monday morning before opening.
    assert.deepEqual(at(paris(2026, 11, 15, 18, 0)), {
      open: false,
      text: "Fermé, ouvre demain (lundi) à 9 h",
    });
    assert.deepEqual(at(paris(2026, 11, 16, 8, 0)), { open: false, text: "Fermé, ouvre à 9 h" });
    // Saturday 7 November 2026: Monday 9 is a working day, Wednesday 11 November a holiday.
    assert.deepEqual(at(paris(2026, 11, 10, 17, 30)), { open: false, text: "Fermé, ouvre jeudi à 9 h" });
    assert.deepEqual(at(paris(2026, 11, 14, 12, 0)), { open: false, text: "Fermé, ouvre lundi à 9 h" });
  });

  test("« ouvert maintenant » required on a holiday: no weekday place passes, and it is said", () => {
    const holiday = paris(2026, 7, 14, 10, 0);
    const out = findPlaces(
      idx,
      q("69383", { besoins: ["demarches"], quand: ["maintenant"], indispensables: ["besoin", "quand"] }),
      from("69383"),
      holiday,
    );
    for (const r of out.results.filter((x) => x.exact)) assert.equal(r.open?.open, true);
    if (!out.results.some((r) => r.exact)) {
      assert.equal(out.emptiedBy, "quand");
      assert.ok(
        out.widened.includes(
          "Aucun lieu proche n'est ouvert au moment choisi : ce critère n'est plus obligatoire.",
        ),
      );
    }
    // The next day the same search finds open places without widening.
    const next = findPlaces(
      idx,
      q("69383", { besoins: ["demarches"], quand: ["maintenant"], indispensables: ["besoin", "quand"] }),
      from("69383"),
      paris(2026, 7, 15, 10, 0),
    );
    assert.deepEqual(next.widened, []);
    assert.ok(next.results.every((r) => r.open?.open === true && r.reasons.includes("ouvert maintenant")));
  });

  test("« le samedi » when the coming Saturday is a holiday (15 August 2026) looks at the next one", () => {
    const friday = paris(2026, 8, 14, 16, 0);
    const query = q("75056", {
      besoins: ["demarches"],
      quand: ["samedi"],
      indispensables: ["besoin", "quand"],
    });
    const out = findPlaces(idx, query, from("75056"), friday);
    assert.deepEqual(out.notes, [
      "Le samedi 15 août est un jour férié : nous cherchons les lieux ouverts le samedi 22 août.",
    ]);
    assert.ok(out.results.length > 0);
    for (const r of out.results.filter((x) => x.exact)) {
      const oh = placeHours(r.place.standard.horaires);
      assert.ok(oh);
      assert.ok(oh.intervals("2026-08-22").length > 0, r.place.standard.nom);
      assert.ok(r.reasons.includes("ouvert le samedi"));
    }
    // On a Sunday, « samedi » is six days later; on Saturday morning it is today.
    const sunday = findPlaces(idx, query, from("75056"), paris(2026, 11, 15, 10, 0));
    assert.deepEqual(sunday.notes, []);
    const ids = (o: typeof out) => o.results.filter((r) => r.exact).map((r) => r.place.id);
    const saturday = findPlaces(idx, query, from("75056"), paris(2026, 11, 21, 9, 0));
    assert.deepEqual(ids(sunday), ids(saturday));
  });

  test("« lundi matin » asked on Sunday evening is the next day; a weekday place matches it", () => {
    const p = weekdays()[0] as Place;
    const one = buildIndex([p]);
    const query = q("69383", { quand: ["lundi-matin"], indispensables: ["quand"] });
    const sunday = findPlaces(one, query, from("69383"), paris(2026, 11, 15, 20, 0));
    assert.equal(sunday.results[0]?.exact, true);
    assert.ok(sunday.results[0]?.reasons.includes("ouvert le lundi matin"));
    const soir = findPlaces(one, q("69383", { quand: ["soir"] }), from("69383"), paris(2026, 11, 15, 20, 0));
    assert.deepEqual(soir.results[0]?.missing, ["pas ouvert après 18 h"]);
  });
});

describe("how to go there", () => {
  test("every result says how to get help and its price when known", () => {
    const out = findPlaces(
      idx,
      q("13055", { besoins: ["telephone"], gratuit: true }),
      from("13055"),
      WEDNESDAY,
    );
    for (const r of out.results) {
      assert.equal(r.helpsWith[0], "usage du téléphone");
      if (r.place.standard.services.includes(SERVICE.demarches))
        assert.ok(r.helpsWith.includes("démarches en ligne"));
      assert.ok(!r.helpsWith.includes("usage du téléphone et de l'ordinateur"));
      if (r.access.phone) assert.match(r.access.phone.tel, /^\+?\d+$/);
      if (r.reasons.includes("gratuit")) assert.equal(r.price, "Gratuit");
    }
  });
});

describe("when the nearest fitting place is far", () => {
  test("Pont-de-Vaux: nearer places of other services within the threshold; nothing more when one is near", () => {
    const out = findPlaces(idx, q("01305", { besoins: ["demarches"] }), from("01305"), WEDNESDAY);
    const far = farHelp(idx, out, 5, WEDNESDAY);
    assert.ok(far);
    assert.ok((far.nearestExactKm ?? 0) > 5);
    assert.ok(far.nearerOthers.length > 0 && far.nearerOthers.length <= 3);
    const shown = new Set(out.results.map((r) => r.place.id));
    for (const r of far.nearerOthers) {
      assert.ok(r.distanceKm <= 5, String(r.distanceKm));
      assert.ok(!shown.has(r.place.id));
    }
    // Help at a distance only from places that offer it for the need, and give a phone.
    for (const r of far.byPhone) {
      assert.ok(r.place.standard.modalites_accompagnement.includes("À distance"));
      assert.ok(r.access.phone);
    }
    // With a threshold beyond the nearest fitting place, nothing is added.
    assert.equal(farHelp(idx, out, 20, WEDNESDAY), null);
  });
});
