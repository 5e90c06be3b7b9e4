import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { STANDARD_FIELDS } from "../src/places/model.ts";
import { cli } from "./support/cli.ts";
import { DATA_DIR } from "./support/paths.ts";
import { FILES } from "./support/places.ts";
import { preparedDataDir } from "./support/server.ts";

test("places import and export from the command line, with clear errors", async (t) => {
  const dataDir = await preparedDataDir();
  const work = mkdtempSync(join(tmpdir(), "maillage-places-cli-"));
  t.after(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });
  const env = { MAILLAGE_DATA_DIR: dataDir };

  assert.match(
    (await cli(["places", "import", "--help"])).stdout,
    /Usage : maillage places import <fichier>/,
  );

  // The real PACA file again under its source name: every place unchanged.
  const same = await cli(
    ["places", "import", join(DATA_DIR, FILES.paca), "--source", "hub-du-sud", "--full"],
    env,
  );
  assert.equal(same.code, 0, same.stderr);
  assert.match(
    same.stdout,
    /646 lignes lues, 646 acceptées, 0 refusées ; 0 nouveaux lieux, 0 mis à jour, 646 inchangés, 0 retirés/,
  );

  // A copy with two corrupted real rows: the other rows are imported, each error printed with its line.
  const rows = JSON.parse(gunzipSync(readFileSync(join(DATA_DIR, FILES.paca))).toString("utf8"));
  rows[3].code_postal = "1300";
  rows[7].frais_a_charge = "Gratuite";
  const bad = join(work, "paca-abime.json");
  writeFileSync(bad, JSON.stringify(rows));
  const strict = await cli(["places", "import", bad, "--source", "hub-du-sud", "--strict"], env);
  assert.equal(strict.code, 2);
  assert.match(strict.stdout, /^ligne 5, champ code_postal : code postal invalide « 1300 »/m);
  assert.match(
    strict.stderr,
    /Erreur : 2 ligne\(s\) refusée\(s\) sur 646 : avec --strict, le fichier entier est refusé/,
  );
  const errorsCsv = join(work, "erreurs.csv");
  const loose = await cli(["places", "import", bad, "--source", "hub-du-sud", "--erreurs", errorsCsv], env);
  assert.equal(loose.code, 1);
  assert.match(loose.stdout, /644 acceptées, 2 refusées/);
  // --erreurs: every error in a CSV file, the same writer as the browser's « erreurs.csv ».
  assert.match(loose.stdout, /^2 erreur\(s\) écrite\(s\) dans .*erreurs\.csv\.$/m);
  assert.deepEqual(readFileSync(errorsCsv, "utf8").split("\r\n"), [
    "\uFEFFligne,champ,valeur,règle,message",
    '5,code_postal,1300,pattern,"ligne 5, champ code_postal : code postal invalide « 1300 » : 5 chiffres attendus"',
    '9,frais_a_charge,Gratuite,enum,"ligne 9, champ frais_a_charge : valeur « Gratuite » inconnue. Vouliez-vous dire « Gratuit » ?"',
    "",
  ]);
  assert.match(
    loose.stdout,
    /^ligne 9, champ frais_a_charge : valeur « Gratuite » inconnue\. Vouliez-vous dire « Gratuit » \?$/m,
  );

  // Export of a département to a file: the standard's header.
  const out = join(work, "lieux-23.csv");
  const exp = await cli(["places", "export", "--format", "csv", "--territoire", "23", "--output", out], env);
  assert.equal(exp.code, 0, exp.stderr);
  const csv = readFileSync(out, "utf8").trimEnd().split("\n");
  assert.equal(csv[0], STANDARD_FIELDS.map((f) => `"${f}"`).join(","));
  assert.equal(csv.length - 1, 42);
  const json = await cli(["places", "export", "--format", "json", "--territoire", "region-93"], env);
  assert.equal(json.code, 0, json.stderr);
  assert.ok(JSON.parse(json.stdout).length > 600);

  // data·inclusion: the 42 places of the Creuse as structures, then imported back as a source of their own.
  const di = join(work, "structures-23.json");
  const diExp = await cli(
    ["places", "export", "--format", "data-inclusion", "--territoire", "23", "--output", di],
    env,
  );
  assert.equal(diExp.code, 0, diExp.stderr);
  const structures = JSON.parse(readFileSync(di, "utf8")) as { thematiques: string[] }[];
  assert.equal(structures.length, 42);
  assert.ok(structures.every((s) => s.thematiques[0] === "numerique"));
  const diImp = await cli(
    ["places", "import", di, "--format", "data-inclusion", "--source", "creuse-data-inclusion"],
    env,
  );
  assert.equal(diImp.code, 0, diImp.stderr);
  assert.match(diImp.stdout, /42 lignes lues, 42 acceptées, 0 refusées ; 42 nouveaux lieux/);
  // Detected from the columns too; a second import changes nothing.
  const diAgain = await cli(["places", "import", di, "--source", "creuse-data-inclusion"], env);
  assert.equal(diAgain.code, 0, diAgain.stderr);
  assert.match(diAgain.stdout, /42 acceptées, 0 refusées ; 0 nouveaux lieux, 0 mis à jour, 42 inchangés/);

  for (const [args, message] of [
    [["places", "import"], /Erreur : indiquez le fichier à importer/],
    [["places", "import", join(work, "absent.csv")], /Erreur : .*absent\.csv : fichier introuvable/],
    [
      ["places", "import", bad, "--format", "xml"],
      /Erreur : --format doit valoir standard, france-services ou data-inclusion/,
    ],
    [["places", "import", bad, "--vite"], /Erreur : .*--vite/],
    [["places", "export", "--format", "xls"], /Erreur : --format doit valoir csv, json ou data-inclusion/],
    [
      ["places", "export", "--format", "csv", "--territoire", "999"],
      /Erreur : --territoire : Aucun territoire ne correspond à « 999 »/,
    ],
  ] as const) {
    const r = await cli([...args], env);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});
