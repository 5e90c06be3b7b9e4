/**
 * People's decisions on possible duplicates: applied by the pure deduplication (merge whatever the score, keep apart
 * as a cannot-link constraint, transitively), and remembered across re-imports of both sources in the store
 * (PGlite, and PostgreSQL when DATABASE_URL is set), on real extracts of the France Services and conseillers
 * numériques files. Also the reports' store (state, fix by a version, counts).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { backends } from "../../test/support/db.ts";
import { bytes, communes, FILES, importReal, realText } from "../../test/support/places.ts";
import { BY_SYSTEM, listJournal } from "../accounts/store.ts";
import { migrations } from "../migrations.ts";
import { type Database, migrate } from "../platform/db.ts";
import { dedupe, type PairDecision } from "./dedupe.ts";
import type { CommuneIndex } from "./import/communes.ts";
import { importFile, republish } from "./import/ingest.ts";
import type { Place } from "./model.ts";
import {
  addReport,
  fixReports,
  listReports,
  openReportsOf,
  pendingReportsCount,
  setReportState,
} from "./reports/store.ts";
import {
  decidePair,
  pairDecisions,
  pairOf,
  pairsToReview,
  pairsToReviewCount,
  withdrawDecision,
} from "./store/decisions.ts";
import { placeTables } from "./store/tables.ts";

let fs: Place[];
let cnfs: Place[];
const accepted = async (file: string, source: string) =>
  (await importReal(file, source)).outcomes.flatMap((o) => (o.status === "accepted" ? [o.place] : []));
const inDep = (list: Place[], deps: string[]) =>
  list.filter((p) => deps.some((d) => p.communeCode?.startsWith(d)));
const line = (list: Place[], n: number) => {
  const p = list.find((x) => x.provenance[0]?.line === n);
  if (!p) throw new Error(`no place at line ${n}`);
  return p;
};
const groupOf = (r: ReturnType<typeof dedupe>, id: string) =>
  [...(r.merged.find((m) => m.from.includes(id))?.from ?? [id])].sort();

before(async () => {
  fs = await accepted(FILES.franceServices, "france-services");
  cnfs = await accepted(FILES.cnfs, "conseillers-numeriques");
});

describe("deduplication with people's decisions (real places of Creuse)", () => {
  test("« fusionner » merges a pair the score leaves to review; « garder séparés » splits a merge, transitively", () => {
    const creuse = inDep([...fs, ...cnfs], ["23"]);
    const plain = dedupe(creuse);
    // Dun-le-Palestel: the France Services and the conseiller numérique's « La palette », to review.
    const dun = line(fs, 126);
    const palette = line(cnfs, 3233);
    assert.match(palette.standard.nom, /palette/i);
    const review = plain.toReview.find(
      (p) => [p.a, p.b].sort().join() === [dun.id, palette.id].sort().join(),
    );
    assert.ok(review, "the pair is to review without a decision");
    const merged = dedupe(creuse, undefined, [{ a: dun.id, b: palette.id, decision: "fusionner" }]);
    assert.equal(merged.places.length, plain.places.length - 1);
    assert.deepEqual(groupOf(merged, dun.id), [dun.id, palette.id].sort());
    assert.ok(!merged.toReview.some((p) => p.a === review.a && p.b === review.b));

    // A group of three records that all merge (score 1): keeping two apart leaves the third with one of them.
    const trio = plain.merged.find((m) => m.from.length === 3);
    assert.ok(trio);
    const [x, y, z] = trio.from as [string, string, string];
    const apart: PairDecision[] = [{ a: x, b: y, decision: "séparer" }];
    const split = dedupe(creuse, undefined, apart);
    assert.equal(split.places.length, plain.places.length + 1);
    assert.notDeepEqual(groupOf(split, x), groupOf(split, y));
    assert.ok(groupOf(split, z).includes(x) !== groupOf(split, z).includes(y), "z joins exactly one of them");
    // The merge the separation prevented is listed to review, the decided pair is not.
    const loner = groupOf(split, z).includes(x) ? y : x;
    assert.ok(split.toReview.some((p) => [p.a, p.b].includes(z) && [p.a, p.b].includes(loner)));
    assert.ok(!split.toReview.some((p) => [p.a, p.b].includes(x) && [p.a, p.b].includes(y)));

    // A person's merge that contradicts a separation is not applied: the separation wins.
    const both = dedupe(creuse, undefined, [
      ...apart,
      { a: x, b: z, decision: "fusionner" },
      { a: y, b: z, decision: "fusionner" },
    ]);
    assert.notDeepEqual(groupOf(both, x), groupOf(both, y));
    // Decisions on records that are not there (withdrawn) change nothing.
    const absent = dedupe(creuse, undefined, [{ a: "lieu-absent-1", b: dun.id, decision: "séparer" }]);
    assert.deepEqual(
      absent.places.map((p) => p.id),
      plain.places.map((p) => p.id),
    );
  });
});

/** A real extract of the France Services CSV: the header and the rows of some départements (rows may span lines). */
async function franceServicesExtract(deps: string[]): Promise<string> {
  const [header, ...lines] = (await realText(FILES.franceServices)).split("\n");
  const rows: string[][] = [];
  for (const l of lines) {
    if (/^"\d+","[0-9AB]{2,3}",/.test(l)) rows.push([l]);
    else rows.at(-1)?.push(l);
  }
  const kept = rows.filter((r) => deps.some((d) => (r[0] as string).split(",")[1] === `"${d}"`));
  return `${[header, ...kept.map((r) => r.join("\n"))].join("\n")}\n`;
}

/** A real extract of the conseillers numériques JSON: the places whose postcode is in some départements. */
async function cnfsExtract(deps: string[]): Promise<string> {
  const all = JSON.parse(await realText(FILES.cnfs)) as { code_postal?: string }[];
  return JSON.stringify(all.filter((p) => deps.some((d) => String(p.code_postal ?? "").startsWith(d))));
}

for (const backend of backends) {
  describe(`duplicate decisions and reports on ${backend.name}`, () => {
    let database: Database;
    let index: CommuneIndex;
    const db = () => database.db;
    const importBoth = async (deps: string[], full = false) => {
      // The sources' names and formats of the shipped load (sync.ts); the list's date is in the file's name.
      for (const [source, format, file, text] of [
        [
          "france-services",
          "france-services",
          "france-services-2024-08-01.csv",
          await franceServicesExtract(deps),
        ],
        ["conseillers-numeriques", "standard", "cnfs-2022-12.json", await cnfsExtract(deps)],
      ] as const) {
        const r = await importFile(db(), bytes(text), { source, format, file, communes: index, full });
        assert.equal(r.refused, null);
        assert.equal(r.counts.rejected, 0);
      }
    };
    const groupIds = async (ids: string[]) => {
      const rows = await placeTables(db())
        .selectFrom("place_record")
        .select(["id", "group_id"])
        .where("id", "in", ids)
        .execute();
      return new Map(rows.map((r) => [r.id, r.group_id]));
    };
    const creuse = async () =>
      (
        await sql<{
          c: string;
        }>`SELECT DISTINCT commune_code AS c FROM place_record WHERE commune_code LIKE '23%'`.execute(db())
      ).rows.map((r) => r.c);

    before(async () => {
      database = await backend.open();
      await migrate(database.db, migrations);
      index = await communes();
    });
    after(() => database?.close());

    test("a duplicate decision survives a re-import of both sources (real extracts)", async () => {
      await importBoth(["23", "87"]);
      const communes23 = await creuse();
      const { pairs, total } = await pairsToReview(db(), communes23, { limit: 50, offset: 0 });
      assert.equal(await pairsToReviewCount(db(), communes23), total);
      const dun = pairs.find((p) => /palette/i.test(`${p.a.standard.nom} ${p.b.standard.nom}`));
      assert.ok(dun, "the Dun-le-Palestel pair is in the queue of Creuse");
      assert.ok(total >= 1 && (await pairsToReviewCount(db(), null)) >= total);
      assert.equal(await pairsToReviewCount(db(), []), 0);
      // An automatic merge of Haute-Vienne between the two sources, to keep apart.
      const fused = await sql<{ a: string; b: string }>`SELECT p.a, p.b FROM place_pair p
        JOIN place_record ra ON ra.id = p.a JOIN place_record rb ON rb.id = p.b
        WHERE p.decision = 'fusion' AND ra.commune_code LIKE '87%' AND ra.source <> rb.source
        ORDER BY p.a, p.b LIMIT 1`.execute(db());
      const split = fused.rows[0];
      assert.ok(split);
      let before = await groupIds([split.a, split.b]);
      assert.equal(before.get(split.a), before.get(split.b));

      await db()
        .transaction()
        .execute(async (trx) => {
          await decidePair(trx, {
            a: dun.b.id,
            b: dun.a.id,
            decision: "fusionner",
            note: "",
            at: new Date(),
          });
          await decidePair(trx, {
            a: split.a,
            b: split.b,
            decision: "séparer",
            note: "deux lieux",
            at: new Date(),
          });
          await republish(placeTables(trx));
        });
      assert.equal((await pairDecisions(db())).length, 2);
      const applied = async (when: string) => {
        const g = await groupIds([dun.a.id, dun.b.id, split.a, split.b]);
        assert.equal(g.get(dun.a.id), g.get(dun.b.id), `merged ${when}`);
        assert.notEqual(g.get(split.a), g.get(split.b), `apart ${when}`);
        const merged = await pairOf(db(), dun.a.id, dun.b.id);
        assert.equal(merged?.outcome, "fusion");
        assert.equal(merged?.decision?.decision, "fusionner");
        const apart = await pairOf(db(), split.a, split.b);
        assert.equal(apart?.outcome, "distincts");
        assert.equal(apart?.decision?.note, "deux lieux");
        const published = await placeTables(db())
          .selectFrom("place")
          .select("members")
          .where("id", "=", g.get(dun.a.id) as string)
          .executeTakeFirstOrThrow();
        assert.deepEqual([...published.members].sort(), [dun.a.id, dun.b.id].sort());
      };
      await applied("at once");
      assert.equal(await pairsToReviewCount(db(), communes23), total - 1);

      // Both sources imported again, with more rows (Corrèze): every record deduplicated again.
      await importBoth(["23", "87", "19"]);
      await applied("after a re-import of both sources");
      // And again as full imports of the first extracts (Corrèze withdrawn).
      await importBoth(["23", "87"], true);
      await applied("after a full re-import");

      // Withdrawn decisions: the score decides again.
      await db()
        .transaction()
        .execute(async (trx) => {
          assert.ok(await withdrawDecision(trx, dun.a.id, dun.b.id));
          assert.ok(await withdrawDecision(trx, split.b, split.a));
          await republish(placeTables(trx));
        });
      before = await groupIds([dun.a.id, dun.b.id, split.a, split.b]);
      assert.notEqual(before.get(dun.a.id), before.get(dun.b.id));
      assert.equal(before.get(split.a), before.get(split.b));
      assert.equal(await pairsToReviewCount(db(), communes23), total);
    });

    test("reports: the territory's queue, states, closed by a version of the place, counts", async () => {
      const communes23 = await creuse();
      const place = await placeTables(db())
        .selectFrom("place")
        .select(["id", "nom", "commune_code"])
        .where("commune_code", "in", communes23)
        .orderBy("id")
        .executeTakeFirstOrThrow();
      const at = new Date("2026-12-01T10:00:00Z");
      const report = (kind: "horaires" | "telephone") =>
        addReport(db(), {
          placeId: place.id,
          placeName: place.nom,
          communeCode: place.commune_code,
          kind,
          message: "Fermé le lundi.",
          at,
        });
      const [one, two, three] = [
        await report("horaires"),
        await report("telephone"),
        await report("horaires"),
      ];
      assert.equal(await pendingReportsCount(db(), communes23), 3);
      assert.equal(await pendingReportsCount(db(), ["19031"]), 0);
      assert.equal(await pendingReportsCount(db(), null), 3);
      assert.deepEqual(
        (await openReportsOf(db(), place.id)).map((r) => r.id),
        [one, two, three],
      );
      const changed = await setReportState(
        db(),
        one,
        { state: "en cours", note: "J'appelle le lieu." },
        BY_SYSTEM,
        at,
      );
      assert.equal(changed?.state, "en cours");
      await setReportState(db(), three, { state: "rejeté", note: "Horaires exacts." }, BY_SYSTEM, at);
      assert.equal(await setReportState(db(), 999_999, { state: "rejeté", note: "x" }, BY_SYSTEM, at), null);
      // An edit of the place (version 42 of the place's history) closes the open ones it names.
      const fixed = await db()
        .transaction()
        .execute((trx) => fixReports(trx, [one, two, three], place.id, 42, BY_SYSTEM, at));
      assert.deepEqual([...fixed].sort(), [one, two].sort());
      const all = await listReports(db(), communes23, "tous", { limit: 10, offset: 0 });
      assert.deepEqual(
        all.reports.map((r) => [r.id, r.state, r.fixedByVersion]),
        [
          [one, "corrigé", 42],
          [two, "corrigé", 42],
          [three, "rejeté", null],
        ],
      );
      assert.equal(
        (await listReports(db(), communes23, "corrigé", { limit: 1, offset: 1 })).reports.length,
        1,
      );
      assert.equal(await pendingReportsCount(db(), communes23), 0);
      const journal = await listJournal(db(), { action: "signalement.traiter", limit: 10, offset: 0 });
      assert.equal(journal.total, 4);
    });
  });
}
