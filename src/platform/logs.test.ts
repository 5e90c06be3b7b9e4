import assert from "node:assert/strict";
import { test } from "node:test";
import Fastify from "fastify";
import { logRequests, quietLogController, requestLogger } from "./logs.ts";

/** A server logging as `npm start` does (createHttpServer), into a sink that is or is not a terminal. */
async function linesFor(isTTY: boolean): Promise<string[]> {
  const out: string[] = [];
  const app = Fastify({
    logger: requestLogger("info", { isTTY, write: (line: string) => out.push(line) }),
    logController: quietLogController(),
  });
  logRequests(app);
  app.get("/lieux/:id", async () => "ok");
  await app.ready();
  const before = out.length;
  assert.equal((await app.inject("/lieux/abc?adresse=1%20rue%20des%20Lilas")).statusCode, 200);
  await app.close();
  return out.slice(before).filter((l) => !/Server listening|closing/i.test(l));
}

test("on a terminal: one readable line per request, not JSON, without the query", async () => {
  const lines = await linesFor(true);
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? "", /^\d\d:\d\d:\d\d INFO GET \/lieux\/:id 200 \d+\.\d ms\n$/);
});

test("otherwise: one JSON line per request, without the query", async () => {
  const lines = await linesFor(false);
  assert.equal(lines.length, 1);
  const o = JSON.parse(lines[0] ?? "");
  assert.deepEqual([o.level, o.method, o.route, o.status], [30, "GET", "/lieux/:id", 200]);
  assert.doesNotMatch(lines[0] ?? "", /Lilas/);
});
