import assert from "node:assert/strict";
import { test } from "node:test";
import { alreadyDone, HIDDEN_CELL } from "./describe.ts";
import { SKIP } from "./model.ts";

test("what the person can already do: alone, then with help, then what they have; skips say nothing", () => {
  assert.deepEqual(
    alreadyDone({
      equipement: "telephone",
      connexion: "limite",
      appareil: "aide",
      recherche: "seul",
      courriel: "jamais",
      arnaque: "oui",
      messagerie: SKIP,
      confiance: "aise",
    }),
    [
      "Vous savez chercher une information sur internet.",
      "Vous savez reconnaître une arnaque.",
      "Vous savez utiliser votre téléphone ou votre ordinateur, avec de l'aide.",
      "Vous avez un téléphone qui va sur internet.",
      "Vous avez internet, même si ce n'est pas toujours assez.",
      "Vous êtes à l'aise sur internet.",
    ],
  );
  assert.deepEqual(
    alreadyDone({ equipement: "aucun", connexion: "non", appareil: "jamais", arnaque: "doute" }),
    [],
  );
});

test("a hidden statistic says it may hide more than a small count", () => {
  assert.equal(HIDDEN_CELL, "masqué (moins de 5 ou pour protéger un autre chiffre)");
});
