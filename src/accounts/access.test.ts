import assert from "node:assert/strict";
import { test } from "node:test";
import Fastify from "fastify";
import { type Access, accessOf, checkTable, gateDecision, ROUTE_ACCESS, routesOf } from "./access.ts";
import { type Actor, ROLES, type Role } from "./model.ts";
import { ACTION_RULES } from "./policy.ts";

const actor = (role: Role) => ({ membership: { role } }) as unknown as Actor;

test("a HEAD route takes its GET's entry; an explicit entry wins; no entry is undefined", () => {
  const table: Record<string, Access> = { "GET /a": "public", "HEAD /b": "compte", "GET /b": "public" };
  assert.equal(accessOf("HEAD", "/a", table), "public");
  assert.equal(accessOf("HEAD", "/b", table), "compte");
  assert.equal(accessOf("POST", "/a", table), undefined);
  assert.equal(accessOf("GET", "/c", table), undefined);
});

test("the gate: public and machine open, connexion needs a session, compte an actor, an action some reach", () => {
  for (const a of ["public", "machine"] as const) assert.equal(gateDecision(a, null, false), "ok");
  assert.equal(gateDecision("connexion", null, false), 401);
  assert.equal(gateDecision("connexion", null, true), "ok");
  assert.equal(gateDecision("compte", null, true), 401, "a session before its second factor is no actor");
  assert.equal(gateDecision("compte", actor("financeur"), true), "ok");
  assert.equal(gateDecision("journal.lire", null, false), 401);
  assert.equal(gateDecision("journal.lire", actor("coordinateur"), true), "ok");
  assert.equal(gateDecision("journal.lire", actor("mediateur"), true), 403);
  assert.equal(
    gateDecision(undefined, actor("admin"), true),
    "no-rule",
    "no entry: refused even to the admin",
  );
  // For every action, exactly the roles of ACTION_RULES pass the gate.
  for (const [action, rule] of Object.entries(ACTION_RULES))
    for (const role of ROLES)
      assert.equal(
        gateDecision(action as Access, actor(role), true),
        rule.reach[role] ? "ok" : 403,
        `${action} × ${role}`,
      );
});

test("the table's keys are a method and a route pattern, and its values known accesses", () => {
  for (const [key, access] of Object.entries(ROUTE_ACCESS)) {
    assert.match(key, /^(GET|HEAD|POST|PUT|PATCH|DELETE) \/\S*$/, key);
    assert.ok(
      ["public", "machine", "connexion", "compte"].includes(access) || access in ACTION_RULES,
      `${key}: ${access}`,
    );
  }
});

test("routesOf reads every route from the router, prefixes and plugins included", async () => {
  const app = Fastify();
  app.get("/", async () => "");
  app.get("/lieux", async () => "");
  app.get("/lieux.csv", async () => "");
  app.get("/lieux/:id", async () => "");
  app.post("/lieux/:id", async () => "");
  app.register(
    async (admin) => {
      admin.post("/import", async () => "");
    },
    { prefix: "/admin" },
  );
  app.get("/api/v1/lieux", async () => "");
  await app.ready();
  const keys = routesOf(app)
    .map((r) => `${r.method} ${r.url}`)
    .sort();
  assert.deepEqual(keys, [
    "GET /",
    "GET /api/v1/lieux",
    "GET /lieux",
    "GET /lieux.csv",
    "GET /lieux/:id",
    "HEAD /",
    "HEAD /api/v1/lieux",
    "HEAD /lieux",
    "HEAD /lieux.csv",
    "HEAD /lieux/:id",
    "POST /admin/import",
    "POST /lieux/:id",
  ]);
  const table: Record<string, Access> = { "GET /": "public", "GET /lieux": "public" };
  assert.deepEqual(checkTable(routesOf(app), table).unknown, []);
  assert.equal(checkTable(routesOf(app), table).missing.length, 8);
  await app.close();
});
