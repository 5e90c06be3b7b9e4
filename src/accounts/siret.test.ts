import assert from "node:assert/strict";
import { test } from "node:test";
import { isValidSiret, normaliseSiret, siretError } from "./siret.ts";

/** Real SIRETs, as published in the national list of conseillers numériques' places (data/mediation/, 2022-12). */
const REAL = {
  creuse: "22230962700016", // Conseil départemental de la Creuse, Guéret
  correze: "22192720500197", // Département de la Corrèze, Tulle
  brive: "20004317200010", // Communauté d'agglomération du Bassin de Brive
  quincaillerie: "20003482500014", // La Quincaillerie, Guéret
  laPosteSiege: "35600000000048", // La Poste, head office: a Luhn key (its digits sum to 26)
  laPosteBrive: "35600000062418", // La Poste, Brive-la-Gaillarde: digits sum to 35, no Luhn key
};

test("real SIRETs are valid, La Poste's head office by its Luhn key and its establishments by the sum of digits", () => {
  for (const s of Object.values(REAL)) assert.ok(isValidSiret(s), s);
  assert.equal(siretError(REAL.laPosteBrive), null);
});

test("spaces, dots and non-breaking spaces are allowed in the input; the stored form is 14 digits", () => {
  assert.equal(normaliseSiret("222 309 627 00016"), REAL.creuse);
  assert.equal(normaliseSiret(" 356.000.000.00048 "), REAL.laPosteSiege);
  assert.equal(normaliseSiret("200\u00a0043\u202f172 00010"), REAL.brive);
  assert.equal(siretError("222 309 627 00016"), null);
  assert.equal(isValidSiret("222 309 627 00016"), false, "isValidSiret takes the stored form only");
});

test("one digit changed is refused", () => {
  assert.equal(normaliseSiret("22230962700017"), null);
  assert.equal(
    siretError("22230962700017"),
    "Ce SIRET n'est pas valide : vérifiez les chiffres (clé de contrôle).",
  );
  const variants = (s: string) =>
    Array.from({ length: 14 }, (_, i) =>
      Array.from({ length: 10 }, (_, d) => s.slice(0, i) + d + s.slice(i + 1)).filter((v) => v !== s),
    ).flat();
  // Every position, every other digit, of every real SIRET outside La Poste.
  for (const s of [REAL.creuse, REAL.correze, REAL.brive, REAL.quincaillerie])
    for (const changed of variants(s)) assert.equal(isValidSiret(changed), false, changed);
  // La Poste's rule sees only the sum of digits: a change is refused unless the new sum is a multiple of 5 (a Luhn
  // key is not enough there: 35600000082418 passes Luhn and is refused).
  assert.equal(isValidSiret("35600000082418"), false);
  const sum = (s: string) => [...s].reduce((a, c) => a + Number(c), 0);
  for (const s of [REAL.laPosteSiege, REAL.laPosteBrive])
    for (const changed of variants(s))
      if (changed.startsWith("356000000") && (sum(changed) % 5 === 0 || changed === REAL.laPosteSiege))
        assert.ok(isValidSiret(changed), changed);
      else assert.equal(isValidSiret(changed), false, changed);
  assert.equal(isValidSiret("35600000062419"), false);
});

test("two neighbouring digits swapped are refused (Luhn misses only 0 and 9)", () => {
  assert.equal(normaliseSiret("22230962700061"), null);
  assert.equal(normaliseSiret("22192720501097"), null);
  for (const s of [REAL.creuse, REAL.correze, REAL.brive, REAL.quincaillerie]) {
    for (let i = 0; i < 13; i++) {
      const [a, b] = [s[i] as string, s[i + 1] as string];
      if (a === b || a + b === "09" || a + b === "90") continue;
      const swapped = s.slice(0, i) + b + a + s.slice(i + 2);
      assert.equal(isValidSiret(swapped), false, swapped);
    }
  }
});

test("the wrong length or other characters say 14 digits; fourteen zeros (a placeholder in real files) are refused", () => {
  for (const bad of ["", "2223096270001", "222309627000160", "2223096270001A", "22230962700016-", "SIRET"])
    assert.equal(siretError(bad), "Le SIRET doit compter 14 chiffres.", bad);
  assert.equal(isValidSiret("00000000000000"), false);
  assert.equal(normaliseSiret("000 000 000 00000"), null);
  assert.equal(
    siretError("00000000000000"),
    "Ce SIRET n'est pas valide : vérifiez les chiffres (clé de contrôle).",
  );
});

test("a SIRET whose own key is right but whose SIREN's is not is refused", () => {
  // 222309628 has no valid SIREN key; its NIC is chosen so that the 14 digits pass Luhn.
  const siren = "222309628";
  let found = "";
  for (let n = 0; n < 100000 && !found; n++) {
    const s = siren + String(n).padStart(5, "0");
    let sum = 0;
    for (let i = 0; i < 14; i++) {
      let d = Number(s[13 - i]);
      if (i % 2) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 === 0) found = s;
  }
  assert.ok(found);
  assert.equal(isValidSiret(found), false);
});
