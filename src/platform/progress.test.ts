import assert from "node:assert/strict";
import { test } from "node:test";
import { createProgress } from "./progress.ts";

const sink = (isTTY: boolean) => {
  const out: string[] = [];
  return { out, sink: { isTTY, write: (s: string) => out.push(s) } };
};

test("without a terminal, progress prints one plain line per tenth", () => {
  const { out, sink: s } = sink(false);
  const p = createProgress("Chargement", 200, s);
  for (let i = 1; i <= 200; i++) p.tick(i);
  p.done();
  assert.equal(out.length, 11);
  assert.ok(out.every((l) => l.endsWith("\n") && !l.includes("\r")));
  assert.match(out.at(-1) ?? "", /Chargement \[#{30}\] 100 % \(200\/200\)/);
});

test("on a terminal, progress redraws one line and ends it", () => {
  const { out, sink: s } = sink(true);
  const p = createProgress("Chargement", 4, s);
  p.tick(2, "communes");
  p.done();
  assert.match(out[0] ?? "", /^\rChargement \[#{15}-{15}\] 50 % \(2\/4\) communes/);
  assert.ok(out[1]?.endsWith("\n"));
});
