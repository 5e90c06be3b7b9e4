import assert from "node:assert/strict";
import { test } from "node:test";
import { cleanText, onlyLinks, ReportThrottle } from "./routes.tsx";

test("a text made only of links is spam; a link in a sentence is not", () => {
  assert.equal(onlyLinks("https://spam.example.org/a"), true);
  assert.equal(onlyLinks(" www.example.org/b, http://example.org/c !\n"), true);
  assert.equal(onlyLinks("Les horaires sont sur https://www.example.org/horaires"), false);
  assert.equal(onlyLinks("Fermé le lundi."), false);
  assert.equal(onlyLinks(""), false);
});

test("typed text keeps its lines, loses control characters and lone surrogates", () => {
  assert.equal(cleanText("  Fermé\r\nle lundi\u0000\u0007 \ud800 "), "Fermé\nle lundi \uFFFD");
});

test("the throttle counts per address over the last hour", () => {
  const t = new ReportThrottle(2, 3);
  const h = 3_600_000;
  assert.equal(t.take("192.0.2.1", 0), true);
  assert.equal(t.take("192.0.2.1", 1000), true);
  assert.equal(t.take("192.0.2.1", 2000), false);
  assert.equal(t.take("192.0.2.2", 2000), true);
  assert.equal(t.take("192.0.2.1", h + 5001), true);
  assert.equal(t.take("192.0.2.1", h + 5002), true);
  assert.equal(t.take("192.0.2.1", h + 5003), false);
  // Past `max` addresses, it forgets rather than grow.
  assert.equal(t.take("192.0.2.3", h + 5004), true);
  assert.equal(t.take("192.0.2.4", h + 5005), true);
  assert.equal(t.take("192.0.2.1", h + 5006), true);
});
