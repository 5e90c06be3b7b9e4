import assert from "node:assert/strict";
import { test } from "node:test";
import { bytes, FILES, importAll, importReal } from "../../test/support/places.ts";
import { exportDataInclusion } from "./data-inclusion.ts";
import { exportCsv, exportJson } from "./export.ts";
import type { Place, RowIssue } from "./model.ts";

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = "";
  for await (const c of chunks) out += c;
  return out;
}
const places = async (r: Awaited<ReturnType<typeof importAll>>) =>
  r.outcomes.flatMap((o) => (o.status === "accepted" ? [o.place] : []));
/** What must survive a round trip: the standard record, the commune and the flags. */
const essence = (p: Place) => ({
  id: p.id,
  standard: p.standard,
  commune: p.communeCode,
  flags: p.flags,
  at: p.location,
});

for (const format of ["csv", "json"] as const) {
  test(`real PACA places: export to the standard ${format} then import gives the same places`, async () => {
    const before = await places(await importReal(FILES.paca, "hub-du-sud"));
    assert.equal(before.length, 646);
    const out = await text(format === "csv" ? exportCsv(before) : exportJson(before));
    const again = await importAll(bytes(out), { source: "hub-du-sud", file: `lieux.${format}` });
    assert.equal(again.summary.rejected, 0);
    const after = await places(again);
    if (format === "csv") {
      // One real name starts with "@" (a formula sign for spreadsheets): the CSV neutralises it, on purpose.
      const changed = after
        .filter((p, i) => p.standard.nom !== before[i]?.standard.nom)
        .map((p) => p.standard.nom);
      assert.deepEqual(changed, ["'@telier connecté udaf"]);
      const restore = (p: Place): Place =>
        p.standard.nom.startsWith("'@")
          ? { ...p, standard: { ...p.standard, nom: p.standard.nom.slice(1) } }
          : p;
      assert.deepEqual(after.map(restore).map(essence), before.map(essence));
      return;
    }
    assert.deepEqual(after.map(essence), before.map(essence));
    // And exporting again gives the same bytes.
    assert.equal(await text(exportJson(after)), out);
  });
}

test("real France Services places round-trip through CSV too (hours converted to OSM)", async () => {
  const before = await places(await importReal(FILES.franceServices, "france-services"));
  const out = await text(exportCsv(before));
  const after = await places(await importAll(bytes(out), { source: "france-services", file: "fs.csv" }));
  assert.deepEqual(after.map(essence), before.map(essence));
});

test("a formula in a text field is neutralised in CSV; an invalid place is not written", async () => {
  const p = (await places(await importReal(FILES.paca, "hub-du-sud"))).find(
    (x) => x.standard.telephone.length > 0,
  );
  if (!p) throw new Error("no place");
  const evil: Place = {
    ...p,
    standard: { ...p.standard, nom: "=cmd|' /C calc'!A0", presentation_resume: "@SUM(1+1)" },
  };
  const invalid: Place = { ...p, standard: { ...p.standard, code_postal: "1300" } };
  const rejected: RowIssue[][] = [];
  const out = await text(exportCsv([evil, invalid], { onInvalid: (_, issues) => rejected.push(issues) }));
  const lines = out.trim().split("\n");
  assert.equal(lines.length, 2);
  assert.ok(lines[1]?.includes(`"'=cmd|' /C calc'!A0"`));
  assert.ok(lines[1]?.includes(`"'@SUM(1+1)"`));
  assert.ok(lines[1]?.includes('"+33'), "phone numbers are not touched");
  assert.equal(
    rejected[0]?.[0]?.message,
    "ligne 3, champ code_postal : code postal invalide « 1300 » : 5 chiffres attendus",
  );
  const json = JSON.parse(await text(exportJson([evil, invalid])));
  assert.equal(json.length, 1);
  assert.equal(json[0].nom, "=cmd|' /C calc'!A0");
});

test("a stored place with unsafe links (a real place, its links altered here) is exported without them, never as a link", async () => {
  const real = (await places(await importReal(FILES.paca, "hub-du-sud"))).find(
    (x) => x.standard.site_web.length > 0 && x.standard.prise_rdv,
  );
  assert.ok(real);
  // As a record stored before links were checked could hold them.
  const p: Place = {
    ...real,
    standard: {
      ...real.standard,
      site_web: [...real.standard.site_web, "javascript:alert(document.cookie)"],
      prise_rdv: "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
      fiche_acces_libre: "JAVA\tSCRIPT:alert(1)",
    },
  };
  for (const out of [
    await text(exportCsv([p])),
    await text(exportJson([p])),
    await text(exportDataInclusion([p])),
  ]) {
    assert.doesNotMatch(out, /javascript|data:text|script:/i);
    assert.ok(out.includes(real.standard.site_web[0] as string), "the safe link is kept");
    assert.ok(out.includes(real.standard.nom.slice(0, 10)), "the place is exported");
  }
});
