import assert from "node:assert/strict";
import { test } from "node:test";
import { shipped } from "../../test/support/orientation.ts";
import { formatPhone } from "../platform/format.ts";
import { compactHours, cutAtWord, gsm7Length, SMS_MAX, smsText, toGsm7 } from "./sms.ts";

const frenchPhone = (t: string) => formatPhone(t)?.text ?? "";

test("GSM-7: accents GSM-7 lacks are dropped, others kept; the extension table counts twice", () => {
  assert.equal(
    toGsm7("Maison France services de Crêt-Châtel « Cœur »"),
    'Maison France services de Cret-Chatel "Coeur"',
  );
  assert.equal(toGsm7("Médiathèque à Évry – Ça ç"), "Médiathèque à Évry - Ça c");
  assert.equal(gsm7Length("abc"), 3);
  assert.equal(gsm7Length("a€"), 3);
  assert.equal(gsm7Length("ê"), Number.POSITIVE_INFINITY);
});

test("phones and hours in their short, plain form", () => {
  assert.equal(frenchPhone("+33478000000"), "04 78 00 00 00");
  assert.equal(frenchPhone("04.78.00.00.00"), "04 78 00 00 00");
  assert.equal(
    compactHours("Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00"),
    "lun-ven 9h-12h 13h30-17h, sam 9h-12h",
  );
  assert.equal(compactHours("Mo-Fr 09:00-12:00; PH off"), null);
});

test("cutting keeps whole words only", () => {
  assert.equal(cutAtWord("Centre social et culturel du quartier", 20), "Centre social et...");
  assert.equal(cutAtWord("Court", 20), "Court");
});

test("every shipped place fits one SMS, in GSM-7, without a word cut in the middle", async () => {
  const { places } = await shipped();
  assert.ok(places.length > 7000);
  let shortened = 0;
  for (const p of places) {
    const sms = smsText(p);
    const n = gsm7Length(sms);
    assert.ok(n <= SMS_MAX, `${n} > 160: ${sms}`);
    assert.ok(sms.includes(toGsm7(p.standard.commune)), sms);
    if (p.standard.telephone[0]) assert.ok(sms.includes(`Tel ${frenchPhone(p.standard.telephone[0])}`), sms);
    // Every word of the text is a word of the source (or one of the known abbreviations).
    const source = new Set(
      toGsm7(
        `${p.standard.nom} ${p.standard.adresse} ${p.standard.code_postal} ${p.standard.commune} ${frenchPhone(p.standard.telephone[0] ?? "")} ${compactHours(p.standard.horaires) ?? ""}`,
      )
        .split(/[\s,.-]+/)
        .filter(Boolean),
    );
    for (const w of sms.replace(/\.\.\./g, " ").split(/[\s,.-]+/)) {
      if (w === "" || w === "Tel" || /^(av|bd|pl|rte|ch|imp|St|Ste|Dr)$/.test(w)) continue;
      assert.ok(source.has(w), `« ${w} » is not a whole word of the source: ${sms}`);
    }
    if (sms.includes("...")) shortened++;
  }
  // Long real names are shortened (e.g. « ASSOCIATION POUR L'INSERTION PROFESSIONNELLE DES TRAVAILLEURS… »).
  assert.ok(shortened > 0);
});

test("a long real name is shortened at a word boundary and keeps the phone", async () => {
  const { places } = await shipped();
  const p = places.find((x) => x.standard.nom.startsWith("SYNDICAT MIXTE POUR LA MODERNISATION NUMERIQUE"));
  assert.ok(p);
  const sms = smsText(p);
  assert.match(sms, /^SYNDICAT MIXTE POUR LA MODERNISATION NUMERIQUE [A-Z' ]+\.\.\., /);
  assert.match(sms, /Tel 05 65 67 85 90$/);
});
