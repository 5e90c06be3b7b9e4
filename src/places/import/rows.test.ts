import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { parse } from "csv-parse/sync";
import iconv from "iconv-lite";
import {
  bytes,
  communes,
  EXAMPLE_CSV,
  FILES,
  importAll,
  importReal,
  realText,
} from "../../../test/support/places.ts";
import { OLDER_VOCABULARIES } from "../standard/v0.ts";
import type { CommuneIndex } from "./communes.ts";
import { resolveCommune } from "./communes.ts";
import { buildPlace, placeId, summaryText } from "./rows.ts";

let index: CommuneIndex;
before(async () => {
  index = await communes();
});

describe("real files", () => {
  test("France Services 2024-08-01: 2845 accepted, 0 rejected, hours converted, none approximate", async () => {
    const { summary, outcomes } = await importReal(FILES.franceServices, "france-services");
    assert.deepEqual(
      [
        summary.read,
        summary.accepted,
        summary.rejected,
        summary.approximateCoordinates,
        summary.unparsedHours,
      ],
      [2845, 2845, 0, 0, 0],
    );
    assert.equal(summary.format, "france-services");
    const first = outcomes[0];
    assert.equal(first?.status, "accepted");
    if (first?.status !== "accepted") return;
    const p = first.place;
    assert.equal(
      p.standard.horaires,
      "Mo 13:30-17:00; Tu-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00,13:30-16:00",
    );
    assert.deepEqual(p.standard.telephone, ["+33450568749"]);
    assert.equal(p.communeCode, "01033");
    assert.equal(p.standard.date_maj, "2024-08-01");
    assert.deepEqual(p.provenance, [
      { source: "france-services", file: "france-services-2024-08-01.csv.gz", line: 2, sourceId: "1" },
    ]);
    assert.equal(p.id, placeId("france-services", "1"));
    // Pierrefitte-sur-Seine (93059) is missing from the COG 2025 coordinates file shipped in data/geo.
    const unresolved = outcomes.filter((o) => o.issues.some((i) => i.field === "commune")).length;
    assert.equal(unresolved, 4);
  });

  test("conseillers numériques 2022-12 (older flat JSON): 4930 accepted, 21 approximate, 57 unparsed hours", async () => {
    const { summary, outcomes } = await importReal(FILES.cnfs, "conseiller-numerique");
    assert.deepEqual(
      [
        summary.read,
        summary.accepted,
        summary.rejected,
        summary.approximateCoordinates,
        summary.unparsedHours,
      ],
      [4930, 4930, 0, 21, 57],
    );
    const first = outcomes[0];
    if (first?.status !== "accepted") throw new Error("first row rejected");
    // v0 values translated to v1.0.2.
    assert.deepEqual(first.place.standard.services, [
      "Maîtrise des outils numériques du quotidien",
      "Compréhension du monde numérique",
    ]);
    assert.deepEqual(first.place.standard.frais_a_charge, ["Gratuit"]);
    assert.deepEqual(first.place.standard.dispositif_programmes_nationaux, ["Conseillers numériques"]);
    // "MARSEILLE 11", 13011: the arrondissement.
    assert.equal(first.place.communeCode, "13211");
    assert.equal(first.place.communeMatch, "code_postal+nom");
    // 22 rows have no coordinates: 21 get their commune's point, one commune is not found.
    const noPoint = outcomes.filter((o) => o.status === "accepted" && o.place.location === null);
    assert.equal(noPoint.length, 1);
  });

  test("PACA hub 2023-05 (standard JSON): 646 accepted, 4 approximate, 6 unparsed hours", async () => {
    const { summary } = await importReal(FILES.paca, "hub-du-sud");
    assert.deepEqual(
      [
        summary.read,
        summary.accepted,
        summary.rejected,
        summary.approximateCoordinates,
        summary.unparsedHours,
      ],
      [646, 646, 0, 4, 6],
    );
    assert.equal(
      summaryText(summary),
      "lieux-mediation-numerique-paca-hub-du-sud-2023-05.json.gz : 646 lignes lues, 646 acceptées, 0 refusées (4 coordonnées approximatives, 6 horaires illisibles)",
    );
  });

  test("the standard's example CSV is accepted, with a warning: its point is in Aix, not Reims", async () => {
    const { summary, outcomes } = await importAll(bytes(readFileSync(EXAMPLE_CSV)), {
      source: "exemple",
      file: "exemple-valide.csv",
    });
    assert.equal(summary.accepted, 1);
    const o = outcomes[0];
    assert.equal(o?.status, "accepted");
    assert.equal(o?.issues[0]?.rule, "coordinates-commune");
    assert.match(
      o?.issues[0]?.message ?? "",
      /^ligne 2, champ latitude : le point est à \d+ km de la commune Reims/,
    );
  });
});

/** Header and first row (id_fs 1, Valserhône) of the real France Services file. */
async function fsHeadAndRow(): Promise<[string, string]> {
  const lines = (await realText(FILES.franceServices)).split("\n");
  return [lines[0] as string, lines[1] as string];
}

describe("bad input, from real rows", () => {
  test("';' separator, Windows-1252 accents and a BOM are detected", async () => {
    const [head, row] = await fsHeadAndRow();
    // The same real row written as a spreadsheet would: ';' separators, CRLF.
    const [cells] = parse(row) as string[][];
    const semi = `${head.replaceAll(",", ";")}\r\n${(cells ?? []).map((c) => `"${c}"`).join(";")}\r\n`;
    for (const input of [Buffer.from(semi), iconv.encode(semi, "win1252"), Buffer.from(`\uFEFF${semi}`)]) {
      const { summary, outcomes } = await importAll(bytes(input), {
        source: "fs",
        file: "fs-2024-08-01.csv",
      });
      assert.equal(summary.shape?.separator, ";");
      assert.equal(summary.accepted, 1, JSON.stringify(outcomes));
      const o = outcomes[0];
      assert.equal(o?.status === "accepted" && o.place.standard.nom, "France services de Valserhône");
    }
    const { summary } = await importAll(bytes(iconv.encode(semi, "win1252")), {
      source: "fs",
      file: "f.csv",
    });
    assert.equal(summary.shape?.encoding, "windows-1252");
  });

  test("a missing required column refuses the file, naming line 1 and the column", async () => {
    const text = readFileSync(EXAMPLE_CSV, "utf8").replace('"pivot",', "").replace('"43493312300029",', "");
    const { summary, outcomes } = await importAll(bytes(text), { source: "x", file: "lieux.csv" });
    assert.equal(outcomes.length, 1);
    const o = outcomes[0];
    assert.equal(o?.status, "file-error");
    assert.equal(o?.issues[0]?.message, "ligne 1, champ pivot : colonne obligatoire absente de l'en-tête");
    assert.equal(summary.accepted, 0);
  });

  test("unknown value, bad postcode and INSEE code, swapped coordinates: row rejected, every error listed", async () => {
    const text = readFileSync(EXAMPLE_CSV, "utf8")
      .replace('"51100","51454"', '"5110","2C454"')
      .replace('"Gratuit sous condition|Payant"', '"Gratuite"')
      .replace('"43.52609","5.41423"', '"5.41423","43.52609"');
    const { summary, outcomes } = await importAll(bytes(text), { source: "x", file: "lieux.csv" });
    assert.equal(summary.rejected, 1);
    assert.deepEqual(
      outcomes[0]?.issues.map((i) => i.message),
      [
        "ligne 2, champ code_postal : code postal invalide « 5110 » : 5 chiffres attendus",
        "ligne 2, champ code_insee : code INSEE invalide « 2C454 » : 5 caractères attendus (2 chiffres ou 2A/2B, puis 3 chiffres)",
        "ligne 2, champ frais_a_charge : valeur « Gratuite » inconnue. Vouliez-vous dire « Gratuit » ?",
        "ligne 2, champ latitude : latitude et longitude semblent inversées (5.41423 ; 43.52609) : inversées, elles tombent en France métropolitaine",
      ],
    );
  });

  test("unparseable hours are kept and flagged; duplicate ids rejected; other rows imported", async () => {
    const lines = readFileSync(EXAMPLE_CSV, "utf8").trim().split("\n");
    const row = lines[1] as string;
    const text = [
      lines[0],
      row
        .replace('"structure-1"', '"structure-2"')
        .replace("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "lundi au vendredi le matin"),
      row,
      row,
    ].join("\n");
    const { summary, outcomes } = await importAll(bytes(text), { source: "x", file: "lieux.csv" });
    assert.deepEqual([summary.accepted, summary.rejected, summary.unparsedHours], [2, 1, 1]);
    const flagged = outcomes[0];
    assert.equal(
      flagged?.status === "accepted" && flagged.place.standard.horaires,
      "lundi au vendredi le matin",
    );
    assert.equal(
      outcomes[2]?.issues[0]?.message,
      "ligne 4, champ id : identifiant « structure-1 » déjà utilisé ligne 3",
    );
  });

  test("an empty file and a header-only file give a clear message, never a crash", async () => {
    const empty = await importAll(bytes(""), { source: "x", file: "vide.csv" });
    assert.deepEqual(
      empty.outcomes.map((o) => o.status === "file-error" && o.message),
      ["vide.csv : fichier vide"],
    );
    const header = readFileSync(EXAMPLE_CSV, "utf8").split("\n")[0] as string;
    const only = await importAll(bytes(`${header}\n`), { source: "x", file: "entete.csv" });
    assert.match(summaryText(only.summary), /aucune ligne de données/);
    const notJson = await importAll(bytes('[{"id": "a"'), { source: "x", file: "lieux.json" });
    assert.equal(notJson.outcomes.at(-1)?.status, "file-error");
  });
});

describe("commune resolution", () => {
  test("by code, by postcode and name, by postcode and point, never by guess", () => {
    assert.equal(
      resolveCommune(index, { code_insee: "51454", code_postal: "51100", commune: "Reims" })?.match,
      "code_insee",
    );
    assert.equal(
      resolveCommune(index, { code_insee: null, code_postal: "75011", commune: "PARIS" })?.territory.id,
      "75111",
    );
    const hamlet = resolveCommune(index, {
      code_insee: null,
      code_postal: "04600",
      commune: "SAINT AUBAN",
    });
    assert.equal(hamlet?.territory.name, "Château-Arnoux-Saint-Auban");
    assert.equal(
      resolveCommune(index, { code_insee: null, code_postal: "99999", commune: "Nulle part" }),
      null,
    );
  });

  test("a place without coordinates gets its commune's point, flagged approximate", async () => {
    const { summary, outcomes } = await importAll(
      bytes(readFileSync(EXAMPLE_CSV, "utf8").replace('"43.52609","5.41423"', '"",""')),
      { source: "x", file: "lieux.csv" },
    );
    assert.equal(summary.approximateCoordinates, 1);
    const o = outcomes[0];
    if (o?.status !== "accepted") throw new Error("rejected");
    assert.equal(o.place.standard.latitude, null);
    assert.ok(o.place.location && Math.abs(o.place.location.lat - 49.25) < 0.1);
    assert.equal(
      buildPlace(o.place.standard, 2, { source: "x", file: "f", communes: index }).place.flags
        .approximateCoordinates,
      true,
    );
  });
});

describe("damaged bytes in real files", () => {
  const head = async () => (await realText(FILES.franceServices)).split("\n").slice(0, 6).join("\n");

  test("a NUL byte or a control character in a row rejects that row only, the message shows no raw byte", async () => {
    const lines = (await head()).split("\n");
    lines[2] = `${(lines[2] as string).slice(0, 12)}\u0000${(lines[2] as string).slice(12)}`;
    lines[4] = `${(lines[4] as string).slice(0, 12)}\u001b${(lines[4] as string).slice(12)}`;
    const { summary, outcomes } = await importAll(bytes(lines.join("\n")), {
      source: "fs",
      file: "france-services-2024-08-01.csv",
    });
    assert.deepEqual([summary.read, summary.accepted, summary.rejected], [5, 3, 2]);
    const rejected = outcomes.filter((o) => o.status === "rejected");
    assert.deepEqual(
      rejected.map((o) => o.line),
      [3, 5],
    );
    for (const o of rejected) {
      assert.equal(o.issues[0]?.rule, "characters");
      assert.doesNotMatch(JSON.stringify(o.issues), /\\u0000|\\u001b/);
    }
  });

  test("bytes that are not UTF-8 in a UTF-8 file reject their row (never stored as « � »)", async () => {
    // Past the first 64 KB, from which the encoding is detected.
    const text = Buffer.from(await realText(FILES.franceServices));
    const at = text.indexOf(0x0a, 100_000) + 20;
    const broken = Buffer.concat([text.subarray(0, at), Buffer.from([0xc3, 0x28]), text.subarray(at)]);
    // Read by chunks of 16 KB, as from a file.
    async function* chunks() {
      for (let i = 0; i < broken.length; i += 16_384) yield broken.subarray(i, i + 16_384);
    }
    const { summary, outcomes } = await importAll(chunks(), {
      source: "fs",
      file: "france-services-2024-08-01.csv",
    });
    assert.equal(summary.shape?.encoding, "utf-8");
    assert.deepEqual([summary.accepted, summary.rejected], [2844, 1]);
    const rejected = outcomes.find((o) => o.status === "rejected");
    assert.equal(rejected?.issues[0]?.rule, "characters");
  });

  test("a value of 20 MB (a quote never closed) rejects its row instead of reaching the database", async () => {
    const lines = (await head()).split("\n");
    lines[2] = `${(lines[2] as string).slice(0, 12)}${"A".repeat(20 * 1024 * 1024)}${(lines[2] as string).slice(12)}`;
    const { summary, outcomes } = await importAll(bytes(lines.join("\n")), {
      source: "fs",
      file: "france-services-2024-08-01.csv",
    });
    assert.deepEqual([summary.accepted, summary.rejected], [4, 1]);
    const issue = outcomes.find((o) => o.status === "rejected")?.issues[0];
    assert.equal(issue?.rule, "length");
    assert.ok((issue?.message.length ?? 0) < 300);
  });

  test("UTF-16 files (with or without BOM, little or big endian) are read as text", async () => {
    const text = await head();
    for (const [encoding, data] of [
      ["utf-16le", Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, "utf16le")])],
      ["utf-16le", iconv.encode(text, "utf16le")],
      ["utf-16be", Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, "utf16be")])],
    ] as const) {
      const { summary } = await importAll(bytes(data), {
        source: "fs",
        file: "france-services-2024-08-01.csv",
      });
      assert.equal(summary.shape?.encoding, encoding);
      assert.deepEqual([summary.read, summary.accepted, summary.fileError], [5, 5, null], encoding);
    }
  });

  test("a binary file is refused with a message that holds no raw byte", async () => {
    const binary = Buffer.alloc(2048);
    for (let i = 0; i < binary.length; i++) binary[i] = (i * 7919 + 13) % 256;
    binary[0] = 0x00;
    const { summary } = await importAll(bytes(binary), { source: "x", file: "x.csv" });
    assert.ok(summary.fileError);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    assert.doesNotMatch(summary.fileError, /[\u0000-\u0008\u000E-\u001F]/);
  });
});

const V0_FILE = join(import.meta.dirname, "../../../test/data/v0-2022-2023.json");

describe("older vintages of the standard (0.1.x, 2021–2023)", () => {
  test("a real older-vintage file imports with no row refused; each translated cell is a warning with its original text", async () => {
    const { summary, outcomes } = await importAll(bytes(readFileSync(V0_FILE)), {
      source: "anciens",
      file: "v0-2022-2023.json",
    });
    assert.equal(summary.format, "standard");
    assert.deepEqual([summary.read, summary.accepted, summary.rejected], [6, 6, 0]);
    const accepted = outcomes.flatMap((o) => (o.status === "accepted" ? [o] : []));
    const audruicq = accepted.find((o) => o.place.standard.nom === "COMMUNAUTE COMMUNES REGION D AUDRUICQ");
    assert.deepEqual(audruicq?.place.standard.dispositif_programmes_nationaux, [
      "Conseillers numériques",
      "Aidants Connect",
      "France Services",
    ]);
    assert.deepEqual(audruicq?.place.standard.frais_a_charge, ["Gratuit"]);
    assert.deepEqual(audruicq?.place.standard.courriels, ["franceservices@ccra.fr"]);
    const warnings = audruicq?.issues.filter((i) => i.rule === "ancien-standard") ?? [];
    assert.deepEqual(
      warnings.map((w) => [w.line, w.field, w.severity]),
      [
        [5, "services", "warning"],
        [5, "conditions_access", "warning"],
        [5, "labels_nationaux", "warning"],
      ],
    );
    assert.equal(warnings[2]?.value, "CNFS;Aidants Connect;France Services");
    assert.match(
      warnings[1]?.message ?? "",
      /^ligne 5, champ conditions_access : valeur de l'ancien standard \(0\.1\) « Gratuit : Je peux accéder gratuitement au lieu et à ses services » traduite : frais_a_charge : Gratuit/,
    );
    // Line 6 (Tende): « Adultes » among the publics, so no public is specifically addressed.
    assert.deepEqual(accepted[4]?.place.standard.publics_specifiquement_adresses, []);
    // Line 7, converted back to the older wording: its current values again.
    assert.deepEqual(accepted[5]?.place.standard.modalites_accompagnement, [
      "Dans un atelier collectif",
      "Accompagnement individuel",
    ]);
    assert.deepEqual(
      accepted[5]?.older?.map((n) => n.field),
      ["conditions_acces", "modalites_accompagnement"],
    );
  });

  test("every value of every older vocabulary, on real rows: no row refused, each cell a warning", async () => {
    const rows = JSON.parse(readFileSync(V0_FILE, "utf8")) as Record<string, unknown>[];
    const all = (field: keyof typeof OLDER_VOCABULARIES) =>
      OLDER_VOCABULARIES[field].map((o) => o.value).join(";");
    // The real rows, their older vocabularies replaced by every value of Schema_V0.1.json (made here, in the test).
    const every = rows.map((r) => ({
      ...r,
      services: all("services"),
      publics_accueillis: all("publics_accueillis"),
      conditions_access: all("conditions_acces"),
      labels_nationaux: all("labels_nationaux"),
      modalites_accompagnement: all("modalites_accompagnement"),
      frais_a_charge: undefined,
      conditions_acces: undefined,
    }));
    const { summary, outcomes } = await importAll(bytes(JSON.stringify(every)), {
      source: "x",
      file: "tout.json",
    });
    assert.deepEqual([summary.accepted, summary.rejected], [6, 0], JSON.stringify(outcomes[0]?.issues));
    const first = outcomes[0];
    if (first?.status !== "accepted") throw new Error("refused");
    // The 15 older services give 8 of the 9 current ones (« Utilisation sécurisée du numérique » is new in v1).
    assert.equal(first.place.standard.services.length, 8);
    assert.deepEqual(first.place.standard.frais_a_charge, ["Gratuit", "Gratuit sous condition", "Payant"]);
    assert.ok(first.place.standard.dispositif_programmes_nationaux.includes("Aidants Connect"));
    assert.equal(first.issues.filter((i) => i.rule === "ancien-standard").length, 5);
  });
});

describe("safe links", () => {
  /** The real row of La Quincaillerie (Guéret, line 3 of the older-vintage extract), its links altered here. */
  async function withLinks(links: Record<string, string>) {
    const rows = JSON.parse(readFileSync(V0_FILE, "utf8")) as Record<string, unknown>[];
    const row = { ...rows[1], ...links };
    return importAll(bytes(JSON.stringify([row])), { source: "x", file: "lien.json" });
  }

  test("the real row as it is: its https links are kept", async () => {
    const { outcomes } = await withLinks({});
    assert.equal(outcomes[0]?.status, "accepted");
  });

  for (const [field, value] of [
    ["site_web", "javascript:alert(document.cookie)"],
    ["site_web", "https://www.laquincaillerie.tl/|JAVASCRIPT:alert(1)"],
    ["site_web", "java\tscript:alert(1)"],
    ["prise_rdv", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="],
    ["prise_rdv", "//evil.example.org/rdv"],
    ["accessibilite", "vbscript:msgbox(1)"],
    ["fiche_acces_libre", "javascript:alert(1)"],
  ] as const) {
    test(`${field} « ${JSON.stringify(value)} » refuses the row, with an error on that field`, async () => {
      const { summary, outcomes } = await withLinks({ [field]: value });
      assert.equal(summary.rejected, 1);
      const errors = outcomes[0]?.issues.filter((i) => i.severity === "error") ?? [];
      const target = field === "accessibilite" ? "fiche_acces_libre" : field;
      assert.deepEqual(
        errors.map((e) => [e.line, e.field, e.rule]),
        [[2, target, "url"]],
      );
      assert.match(errors[0]?.message ?? "", new RegExp(`^ligne 2, champ ${target} : adresse `));
    });
  }
});
