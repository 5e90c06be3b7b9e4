/**
 * `npm install` on the documented Node prints no EBADENGINE warning: the README's version is package.json's
 * `engines`, and every package of the lock file accepts that version (and the newest Node 20).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = join(import.meta.dirname, "..");
const json = (file: string) => JSON.parse(readFileSync(join(ROOT, file), "utf8"));

type Version = [number, number, number];
const parse = (v: string): Version => {
  const [a = 0, b = 0, c = 0] = v
    .replace(/^v/, "")
    .split(".")
    .map((x) => (/^\d+$/.test(x) ? Number(x) : 0));
  return [a, b, c];
};
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Does `v` satisfy a range of the forms npm packages use (`>=20`, `^20.19.0 || >=22.12.0`, `>= 0.8.x`, `*`)? */
function satisfies(v: Version, range: string): boolean {
  return range.split("||").some((part) =>
    (
      part
        .trim()
        .replace(/(>=|<=|>|<|\^|~|=)\s+/g, "$1")
        .match(/\S+/g) ?? ["*"]
    ).every((c) => {
      const m = /^(>=|<=|>|<|\^|~|=)?v?([\dx*.]+)$/.exec(c);
      if (!m) return true;
      const raw = m[2] as string;
      if (raw === "*" || raw === "x") return true;
      const w = parse(raw);
      const d = compare(v, w);
      switch (m[1]) {
        case ">=":
          return d >= 0;
        case ">":
          return d > 0;
        case "<=":
          return d <= 0;
        case "<":
          return d < 0;
        case "^":
          return d >= 0 && v[0] === w[0];
        case "~":
          return d >= 0 && v[0] === w[0] && v[1] === w[1];
        default:
          return raw.split(".").every((x, i) => x === "x" || x === "*" || Number(x) === v[i]);
      }
    }),
  );
}

test("the range check reads the forms the lock file holds", () => {
  assert.ok(satisfies([20, 19, 0], ">=20.19"));
  assert.ok(!satisfies([20, 19, 0], ">= 22"));
  assert.ok(satisfies([20, 19, 0], "^20.19.0 || >=22.12.0"));
  assert.ok(!satisfies([20, 18, 0], "^20.19.0 || >=22.12.0"));
  assert.ok(satisfies([20, 19, 0], ">= 0.8.x"));
  assert.ok(satisfies([20, 19, 0], "*"));
});

test("the README's Node version is package.json's engines, and every dependency accepts it", () => {
  const engines: string = json("package.json").engines.node;
  const documented = /Node\.js (\d+\.\d+) or newer/.exec(readFileSync(join(ROOT, "README.md"), "utf8"))?.[1];
  assert.equal(engines, `>=${documented}`);
  const refused: string[] = [];
  for (const node of [parse(documented ?? ""), parse("20.99.0")])
    for (const [path, info] of Object.entries<{ version?: string; engines?: unknown }>(
      json("package-lock.json").packages,
    )) {
      const range =
        info.engines && typeof info.engines === "object"
          ? (info.engines as { node?: string }).node
          : undefined;
      // Optional platform bindings for other systems are never installed here.
      if (range && !/\/binding-/.test(path) && !satisfies(node, range))
        refused.push(`${path}@${info.version}: node ${range} (${node.join(".")})`);
    }
  assert.deepEqual(refused, []);
});
