import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { backends } from "../../test/support/db.ts";
import { migrations } from "../migrations.ts";
import { type Database, migrate } from "../platform/db.ts";
import { BARRIERS, LEVELS, MODES, PROFILES } from "./model.ts";
import { QUESTIONNAIRE } from "./questionnaire.ts";
import { score } from "./score.ts";
import { showStats } from "./stats.ts";
import { countResponses, RESPONSE_COLUMNS, saveResponse } from "./store.ts";

const KEYS = { profiles: PROFILES, levels: LEVELS, modes: MODES, barriers: BARRIERS };
const PERSONAL =
  /nom|name|prenom|mail|courriel|phone|telephone|tel$|adresse|address|^ip|naissance|birth|contact|age$|sexe|user|person/i;

for (const backend of backends) {
  describe(`diagnostic store on ${backend.name}`, () => {
    let database: Database;
    before(async () => {
      database = await backend.open();
      await migrate(database.db, migrations);
    });
    after(() => database?.close());

    test("the table has only the allowed columns: no personal data", async () => {
      const r = await sql<{ column_name: string }>`
        SELECT column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name LIKE 'diagnostic%'
        ORDER BY column_name`.execute(database.db);
      const columns = r.rows.map((x) => x.column_name);
      assert.deepEqual(columns, [...RESPONSE_COLUMNS].sort());
      for (const c of columns) assert.doesNotMatch(c, PERSONAL, c);
      // The check itself catches personal columns.
      for (const c of ["nom", "prenom", "email", "telephone", "adresse_ip", "date_naissance"])
        assert.match(c, PERSONAL);
    });

    test("saves responses and counts them by territory, with suppression under 5", async () => {
      const db = database.db;
      let nonce = 0;
      const save = (
        commune: string,
        answers: Record<string, string | string[]>,
        mode: "seul" | "accompagne",
      ) =>
        saveResponse(db, {
          mode,
          communeCode: commune,
          day: "2026-11-27",
          answers,
          result: score(answers, QUESTIONNAIRE.version),
          nonce: `questionnaire-${++nonce}`,
        });
      // Guéret (23096): 4 responses, then a fifth.
      for (let i = 0; i < 4; i++) await save("23096", { equipement: "aucun", genes: ["vue"] }, "accompagne");
      let raw = await countResponses(db, ["23096"]);
      assert.equal(raw.total, 4);
      assert.equal(showStats(raw, KEYS).enough, false);
      await save("23096", { equipement: "les-deux", urgence: "oui", genes: ["lecture", "vue"] }, "seul");
      raw = await countResponses(db, ["23096", "23001"]);
      assert.deepEqual(
        { ...raw, first: raw.first, last: raw.last },
        {
          total: 5,
          urgent: 1,
          profiles: { exclu: 4, eloigne: 1 },
          levels: { inclusion: 4, urgence: 1 },
          modes: { accompagne: 4, seul: 1 },
          barriers: { vue: 5, materiel: 4, lecture: 1 },
          first: "2026-11-27",
          last: "2026-11-27",
        },
      );
      // The same questionnaire again (its nonce): not counted twice, even at once.
      const again = {
        mode: "seul" as const,
        communeCode: "23096",
        day: "2026-11-27",
        answers: { equipement: "aucun" },
        result: score({ equipement: "aucun" }, QUESTIONNAIRE.version),
        nonce: "questionnaire-1",
      };
      assert.deepEqual(await Promise.all([saveResponse(db, again), saveResponse(db, again)]), [false, false]);
      assert.equal((await countResponses(db, ["23096"])).total, 5);
      const shown = showStats(raw, KEYS);
      assert.equal(shown.enough, true);
      assert.equal(shown.total, 5);
      assert.equal(shown.urgent, null);
      assert.deepEqual(shown.barriers[0], { key: "vue", count: 5 });
      assert.equal(shown.profiles.find((p) => p.key === "exclu")?.count, null);
      // Other communes see nothing of these.
      assert.equal((await countResponses(db, ["75056"])).total, 0);
      assert.equal((await countResponses(db, [])).total, 0);
      const stored = await sql<{ answers: unknown; answered_on: string }>`
        SELECT answers, answered_on::text FROM diagnostic_response ORDER BY id DESC LIMIT 1`.execute(db);
      assert.deepEqual(stored.rows[0], {
        answers: { equipement: "les-deux", urgence: "oui", genes: ["lecture", "vue"] },
        answered_on: "2026-11-27",
      });
    });

    test("a mode outside the two is refused by the database", async () => {
      await assert.rejects(
        sql`INSERT INTO diagnostic_response (questionnaire_version, mode, commune_code, answered_on, answers,
          profile, urgent, level, barriers) VALUES ('v', 'autre', '23096', '2026-11-27', '{}', 'exclu', false,
          'inclusion', '{}')`.execute(database.db),
      );
    });
  });
}
