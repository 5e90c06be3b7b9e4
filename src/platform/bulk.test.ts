import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { backends } from "../../test/support/db.ts";
import { type BulkValue, bulkTransaction, copyField } from "./bulk.ts";

test("COPY text fields: null, numbers, escaped delimiters, quoted array elements", () => {
  assert.equal(copyField(null), "\\N");
  assert.equal(copyField(45.123456789), "45.123456789");
  assert.equal(copyField(-0.5), "-0.5");
  assert.equal(copyField("Saint-Étienne"), "Saint-Étienne");
  assert.equal(copyField("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
  assert.equal(copyField([]), "{}");
  // Each element quoted; its quotes and backslashes escaped for the array, then the backslashes for COPY.
  assert.equal(
    copyField(["L'Isle", 'dit "le bourg"', "x\\y"]),
    '{"L\'Isle","dit \\\\"le bourg\\\\"","x\\\\\\\\y"}',
  );
  assert.throws(() => copyField(Number.NaN), /non-finite/);
});

for (const backend of backends) {
  test(`COPY on ${backend.name}: values read back as written, in the caller's transaction`, async (t) => {
    const database = await backend.open();
    t.after(() => database.close());
    await sql`CREATE TABLE bulk_probe (id text PRIMARY KEY, n integer, x double precision, names text[])`.execute(
      database.db,
    );
    const rows: BulkValue[][] = [
      ["a", 1, 45.123456789, ["L'Isle", 'dit "le bourg"', "x\\y", "a,b", "{}", "NULL"]],
      ["b\tc\\d\ne", null, null, []],
      ["é", -2, -0.1, ["tab\there"]],
    ];
    await bulkTransaction(database.db, async (_trx, copy) => {
      assert.ok(copy);
      await copy("bulk_probe", ["id", "n", "x", "names"], rows);
    });
    const back = await sql<{ id: string; n: number | null; x: number | null; names: string[] }>`
      SELECT id, n, x, names FROM bulk_probe ORDER BY id`.execute(database.db);
    const sorted = [...rows].sort((p, q) => ((p[0] as string) < (q[0] as string) ? -1 : 1));
    assert.deepEqual(
      back.rows.map((r) => [r.id, r.n, r.x, r.names]),
      sorted,
    );
    // A failure inside the transaction leaves nothing of its copy.
    await assert.rejects(
      bulkTransaction(database.db, async (_trx, copy) => {
        await copy?.("bulk_probe", ["id", "n", "x", "names"], [["z", 1, 1, []]]);
        throw new Error("stop");
      }),
      /stop/,
    );
    const z = await sql<{ n: string }>`SELECT count(*) AS n FROM bulk_probe WHERE id = 'z'`.execute(
      database.db,
    );
    assert.equal(Number(z.rows[0]?.n), 0);
  });
}
