/** What the indicator providers' tests share: the real territories, a context around a test database, scopes. */
import assert from "node:assert/strict";
import type { AppContext, IndicatorDefinition, IndicatorScope } from "../../src/context.ts";
import type { Database } from "../../src/platform/db.ts";
import { Referential } from "../../src/territories/referential.ts";
import { DATA_DIR } from "./paths.ts";
import { territoriesWithoutGeometries } from "./real-data.ts";

let referential: Promise<Referential> | null = null;
/** The real territories of COG 2025, read once per test file. */
export function territories(): Promise<Referential> {
  referential ??= territoriesWithoutGeometries(DATA_DIR).then((d) => new Referential(d.territories));
  return referential;
}

/** The part of the application's context the providers read: the database and the territories. */
export const indicatorContext = (database: Database, ref: Referential): AppContext =>
  ({ database, territories: ref }) as unknown as AppContext;

/**
 * The scope of a territory (its communes and their arrondissements), of France (null), or of a QPV given by the
 * published places inside it (its code is not read by the providers).
 */
export function scopeOf(
  ref: Referential,
  id: string | null,
  from: string,
  to: string,
  qpvPlaces?: string[],
): IndicatorScope {
  const t = id === null ? null : ref.get(id);
  assert.ok(id === null || t, `territoire inconnu : ${id}`);
  const communes = t
    ? new Set(
        ref.communesOf(t).flatMap((c) => [
          c.code,
          ...ref
            .childrenOf(c.id)
            .filter((a) => a.kind === "arrondissement")
            .map((a) => a.code),
        ]),
      )
    : null;
  return {
    territory: t ?? null,
    communes,
    qpv: qpvPlaces ? { code: "QN02300M", placeIds: new Set(qpvPlaces) } : null,
    from,
    to,
  };
}

/** No two definitions share an id, and every one says each of its texts. */
export function checkFields(defs: IndicatorDefinition[]): void {
  const ids = defs.map((d) => d.id);
  assert.deepEqual(
    ids.filter((id, i) => ids.indexOf(id) !== i),
    [],
    "identifiants en double",
  );
  for (const d of defs)
    for (const k of [
      "id",
      "family",
      "label",
      "definition",
      "formula",
      "source",
      "vintage",
      "unit",
      "hidden",
    ] as const)
      assert.ok(d[k].trim().length > 0, `${d.id} : ${k} vide`);
}

/** Every definition says everything, operationally, and no two share an id. */
export function checkDefinitions(defs: IndicatorDefinition[]): void {
  assert.ok(defs.length > 0);
  checkFields(defs);
  for (const d of defs) {
    assert.match(d.id, /^[a-z]+(\.[a-z_]+)+$/);
    assert.equal(d.access, "operationnel", d.id);
    assert.equal(d.vintage, "en continu", d.id);
    assert.match(d.source, /saisies dans Maillage/, d.id);
    assert.equal(typeof d.monthly, "boolean", d.id);
    if (d.cnv !== undefined) assert.ok(d.cnv.trim().length > 0, d.id);
  }
}
