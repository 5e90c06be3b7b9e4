import assert from "node:assert/strict";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import Fastify from "fastify";
import { h } from "preact";
import { sendPage } from "./http.ts";
import { PageCache } from "./page-cache.ts";

/** A page that says how many times it was rendered, behind a cache whose generation the test moves. */
async function setup(maxBytes?: number) {
  let generation = "1";
  let renders = 0;
  const cache = new PageCache(async () => generation, maxBytes);
  const app = Fastify();
  app.get<{ Querystring: { n?: string } }>(
    "/page",
    cache.wrap(async (req, reply) => {
      renders++;
      if (req.query.n === "absent") return sendPage(reply, h("p", null, "introuvable"), 404);
      return sendPage(reply, h("p", null, `rendu ${renders} ${"x".repeat(Number(req.query.n ?? 0))}`));
    }),
  );
  await app.ready();
  return {
    app,
    cache,
    renders: () => renders,
    next: () => {
      generation = String(Number(generation) + 1);
    },
  };
}

test("a page is rendered once per generation; an ETag gives a 304; gzip is served precompressed", async () => {
  const s = await setup();
  const first = await s.app.inject({ url: "/page" });
  assert.match(first.body, /rendu 1/);
  const second = await s.app.inject({ url: "/page", headers: { "accept-encoding": "gzip" } });
  assert.equal(s.renders(), 1);
  assert.equal(second.headers["content-encoding"], "gzip");
  assert.match(gunzipSync(second.rawPayload).toString(), /rendu 1/);
  const etag = String(second.headers.etag);
  assert.match(etag, /^"[\w-]+"$/);
  assert.equal(second.headers["cache-control"], "public, no-cache");
  const again = await s.app.inject({ url: "/page", headers: { "if-none-match": etag } });
  assert.equal(again.statusCode, 304);
  assert.equal(again.body, "");
  // New data: the page is rendered again, with another ETag.
  s.next();
  const fresh = await s.app.inject({ url: "/page", headers: { "if-none-match": etag } });
  assert.equal(fresh.statusCode, 200);
  assert.match(fresh.body, /rendu 2/);
  assert.equal(s.renders(), 2);
  assert.equal((await s.app.inject({ url: "/page" })).headers.etag === etag, false);
});

test("errors are not kept; other addresses are other pages", async () => {
  const s = await setup();
  assert.equal((await s.app.inject({ url: "/page?n=absent" })).statusCode, 404);
  assert.equal((await s.app.inject({ url: "/page?n=absent" })).statusCode, 404);
  assert.equal(s.renders(), 2);
  await s.app.inject({ url: "/page?n=1" });
  await s.app.inject({ url: "/page?n=2" });
  await s.app.inject({ url: "/page?n=1" });
  assert.equal(s.renders(), 4);
  assert.equal(s.cache.hits, 1);
});

test("within its budget: the least recently used pages leave first", async () => {
  // Pages of about 20 KB (as UTF-16 in memory, plus their gzip) in a 100 KB budget.
  const s = await setup(100_000);
  for (const n of [1, 2, 3, 4]) await s.app.inject({ url: `/page?n=${10_000 + n}` });
  await s.app.inject({ url: "/page?n=10001" });
  for (const n of [5, 6]) await s.app.inject({ url: `/page?n=${10_000 + n}` });
  const before = s.renders();
  await s.app.inject({ url: "/page?n=10001" });
  assert.equal(s.renders(), before, "the page used recently is still there");
  await s.app.inject({ url: "/page?n=10002" });
  assert.equal(s.renders(), before + 1, "the least recently used page was dropped");
});
