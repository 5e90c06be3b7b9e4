import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { ConfigError, ENVIRONMENT, loadConfig } from "./config.ts";

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

test("the secret and the territory's contact come from the configuration", () => {
  assert.equal(loadConfig({}).secret, undefined);
  assert.equal(loadConfig({ MAILLAGE_SECRET: "s".repeat(40) }).secret, "s".repeat(40));
  assert.throws(() => loadConfig({ MAILLAGE_SECRET: "court" }), /au moins 32 caractères/);
  // No number is shown that the territory has not given.
  assert.equal(loadConfig({}).contact, null);
  assert.equal(loadConfig({ MAILLAGE_CONTACT_TELEPHONE: "04 00 00 00 00" }).contact?.phone, "04 00 00 00 00");
});

test("every variable read is listed for --help and in the README, and only the configuration reads them", () => {
  const root = resolve(import.meta.dirname, "../..");
  const source = readFileSync(join(import.meta.dirname, "config.ts"), "utf8");
  const read = new Set([...source.matchAll(/env(?:\.|, ")([A-Z_]+)/g)].map((m) => m[1]));
  const listed = new Set(ENVIRONMENT.map(([name]) => name));
  assert.deepEqual([...read].sort(), [...listed].sort());
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const table = new Set([...readme.matchAll(/^\| `([A-Z_]+)`/gm)].map((m) => m[1]));
  const inReadme = new Set(
    [...readme.matchAll(/^\| ((?:`[A-Z_]+`(?:, )?)+) \|/gm)].flatMap((m) =>
      [...(m[1] ?? "").matchAll(/`([A-Z_]+)`/g)].map((x) => x[1]),
    ),
  );
  assert.ok(table.size > 0);
  assert.deepEqual([...inReadme].sort(), [...listed].sort());
  const others = execFileSync("grep", ["-rln", "process\\.env", join(root, "src")], { encoding: "utf8" })
    .split("\n")
    .filter(
      (f) => f && !f.endsWith(".test.ts") && !f.endsWith("platform/config.ts") && !f.endsWith("src/cli.ts"),
    );
  assert.deepEqual(others, [], "seule la configuration lit l'environnement");
});

test("the edge: no proxy trusted by default, a hop count or addresses; the public URL; metrics on loopback", () => {
  const c = loadConfig({});
  assert.equal(c.trustProxy, false);
  assert.equal(c.publicUrl, undefined);
  assert.deepEqual(c.metricsAllow, ["127.0.0.1", "::1"]);
  assert.equal(c.adminToken, undefined);
  assert.equal(loadConfig({ MAILLAGE_TRUST_PROXY: "1" }).trustProxy, 1);
  assert.deepEqual(loadConfig({ MAILLAGE_TRUST_PROXY: "10.0.0.1, 10.1.0.0/16,::1" }).trustProxy, [
    "10.0.0.1",
    "10.1.0.0/16",
    "::1",
  ]);
  assert.throws(() => loadConfig({ MAILLAGE_TRUST_PROXY: "true" }), /« true » n'est pas une adresse IP/);
  assert.throws(() => loadConfig({ MAILLAGE_TRUST_PROXY: "10.0.0.0/33" }), ConfigError);
  assert.throws(() => loadConfig({ MAILLAGE_TRUST_PROXY: "0" }), /entre 1 et 10/);
  assert.equal(
    loadConfig({ MAILLAGE_PUBLIC_URL: "https://maillage.example.org/" }).publicUrl,
    "https://maillage.example.org",
  );
  assert.throws(() => loadConfig({ MAILLAGE_PUBLIC_URL: "maillage.example.org" }), /MAILLAGE_PUBLIC_URL/);
  assert.throws(() => loadConfig({ MAILLAGE_PUBLIC_URL: "https://x.example.org/?a=1" }), /sans paramètres/);
  assert.deepEqual(loadConfig({ MAILLAGE_METRICS_ALLOW: "10.0.0.0/8" }).metricsAllow, ["10.0.0.0/8"]);
  assert.throws(() => loadConfig({ MAILLAGE_ADMIN_TOKEN: "court" }), /au moins 32 caractères/);
});

test("the routing link and the basemap are checked", () => {
  assert.match(
    loadConfig({}).routing,
    /^https:\/\/www\.openstreetmap\.org\/directions\?to=\{lat\}%2C\{lon\}/,
  );
  assert.equal(loadConfig({}).basemapStyle, undefined);
  const custom = "https://carto.example.org/route?dest={lat},{lon}";
  assert.equal(loadConfig({ MAILLAGE_ITINERAIRE: custom }).routing, custom);
  assert.throws(
    () => loadConfig({ MAILLAGE_ITINERAIRE: "https://carto.example.org/route" }),
    /\{lat\} et \{lon\}/,
  );
  assert.throws(() => loadConfig({ MAILLAGE_ITINERAIRE: "javascript:alert({lat},{lon})" }), ConfigError);
  const style = "https://tuiles.example.org/style.json";
  assert.equal(loadConfig({ MAILLAGE_FOND_DE_CARTE: style }).basemapStyle, style);
  assert.throws(() => loadConfig({ MAILLAGE_FOND_DE_CARTE: "file:///etc/passwd" }), /MAILLAGE_FOND_DE_CARTE/);
});

test("e-mail and retention: an smtp URL needs a sender, retention defaults are documented and checked", () => {
  const c = loadConfig({});
  assert.equal(c.smtpUrl, undefined);
  assert.deepEqual(c.retention, {
    journalDays: 365,
    sessionsDays: 90,
    invitationsDays: 30,
    inactiveAccountsDays: 365,
  });
  const m = loadConfig({
    MAILLAGE_SMTP_URL: "smtp://maillage:secret@127.0.0.1:2525",
    MAILLAGE_EXPEDITEUR: "Maillage <ne-pas-repondre@example.org>",
    MAILLAGE_RETENTION_JOURNAL: "730",
  });
  assert.equal(m.smtpUrl, "smtp://maillage:secret@127.0.0.1:2525");
  assert.equal(m.mailFrom, "Maillage <ne-pas-repondre@example.org>");
  assert.equal(m.retention.journalDays, 730);
  assert.throws(() => loadConfig({ MAILLAGE_SMTP_URL: "http://example.org" }), /smtp:\/\/ ou smtps:\/\//);
  assert.throws(
    () => loadConfig({ MAILLAGE_SMTP_URL: "smtp://127.0.0.1" }),
    /MAILLAGE_EXPEDITEUR est nécessaire/,
  );
  assert.throws(() => loadConfig({ MAILLAGE_EXPEDITEUR: "personne" }), /MAILLAGE_EXPEDITEUR doit être/);
  assert.throws(() => loadConfig({ MAILLAGE_RETENTION_SESSIONS: "0" }), /MAILLAGE_RETENTION_SESSIONS doit/);
});
