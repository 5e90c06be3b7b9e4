import assert from "node:assert/strict";
import { test } from "node:test";
import { Lru, StampedCache } from "./lru.ts";

test("the least recently used entry leaves first", () => {
  const lru = new Lru<number>(2);
  lru.set("a", 1);
  lru.set("b", 2);
  assert.equal(lru.get("a"), 1); // "a" is now the most recent
  lru.set("c", 3);
  assert.equal(lru.get("b"), undefined);
  assert.equal(lru.get("a"), 1);
  assert.equal(lru.get("c"), 3);
});

test("an entry kept under another stamp is stale", () => {
  const cache = new StampedCache<string>(4);
  cache.set("/q", "1|60000", "réponse");
  assert.equal(cache.get("/q", "1|60000"), "réponse");
  assert.equal(cache.get("/q", "1|120000"), undefined);
  assert.equal(cache.get("/q", "2|60000"), undefined);
});
