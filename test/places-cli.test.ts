import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { STANDARD_FIELDS } from "../src/places/model.ts";
import { FILES } from "../src/places/testdata.ts";
import { cli } from "./support/cli.ts";
import { DATA_DIR } from "./support/paths.ts";
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
  const loose = await cli(["places", "import", bad, "--source", "hub-du-sud"], env);
  assert.equal(loose.code, 1);
  assert.match(loose.stdout, /644 acceptées, 2 refusées/);
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

  for (const [args, message] of [
    [["places", "import"], /Erreur : indiquez le fichier à importer/],
    [["places", "import", join(work, "absent.csv")], /Erreur : .*absent\.csv : fichier introuvable/],
    [
      ["places", "import", bad, "--format", "xml"],
      /Erreur : --format doit valoir standard ou france-services/,
    ],
    [["places", "import", bad, "--vite"], /Erreur : .*--vite/],
    [["places", "export", "--format", "xls"], /Erreur : --format doit valoir csv ou json/],
    [
      ["places", "export", "--format", "csv", "--territoire", "999"],
      /Erreur : --territoire : aucun territoire/,
    ],
  ] as const) {
    const r = await cli([...args], env);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});
