import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "./config.ts";

test("defaults: port 3000 on loopback, embedded database, data in ./var", () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.host, "127.0.0.1");
  assert.equal(c.databaseUrl, undefined);
  assert.match(c.dataDir, /\/var$/);
  assert.match(c.referenceDir, /\/data$/);
});

test("values from the environment are checked, with a French message", () => {
  assert.equal(loadConfig({ PORT: "8080" }).port, 8080);
  assert.equal(loadConfig({ MAILLAGE_DATA_DIR: "/srv/maillage" }).dataDir, "/srv/maillage");
  assert.throws(() => loadConfig({ PORT: "99999" }), ConfigError);
  assert.throws(() => loadConfig({ PORT: "-1" }), /PORT doit être un nombre entier/);
  assert.throws(() => loadConfig({ DATABASE_URL: "mysql://x" }), /DATABASE_URL doit commencer par postgres/);
  assert.throws(() => loadConfig({ LOG_LEVEL: "bavard" }), /LOG_LEVEL/);
});
