import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { preparedDataDir, startTestServer } from "./support/server.ts";

type Server = Awaited<ReturnType<typeof startTestServer>>;
const ROOT = join(import.meta.dirname, "..");

describe("health and metrics", () => {
  let server: Server;
  const token = "t".repeat(40);
  before(async () => {
    // Metrics open to a range that loopback is not in: only the admin token opens them.
    server = await startTestServer({ config: { metricsAllow: ["192.0.2.0/24"], adminToken: token } });
  });
  after(() => server.close());

  test("/sante answers, /sante/pret checks the database and the loaded data", async () => {
    const live = await fetch(`${server.url}/sante`);
    assert.equal(live.status, 200);
    assert.equal((await live.json()).statut, "ok");
    const ready = await fetch(`${server.url}/sante/pret`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), {
      statut: "pret",
      verifications: { base: true, territoires: true, lieux: true, fragilite: true },
    });
  });

  test("/metrics: Prometheus text by route pattern, only with the token from an address not allowed", async () => {
    await fetch(`${server.url}/api/v1/territoires/23?personne=alice%40example.org`);
    await fetch(`${server.url}/adresse-inconnue-alice`);
    const refused = await fetch(`${server.url}/metrics`);
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get("content-type") ?? "", /text\/html/);
    const wrong = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${"x".repeat(40)}` },
    });
    assert.equal(wrong.status, 403);
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(
      text,
      /maillage_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/territoires\/:id",status="200"\} 1/,
    );
    assert.match(text, /route="\(aucune route\)",status="404"/);
    assert.ok(!text.includes("alice"), "no raw URL, no query string");
    for (const name of [
      "nodejs_eventloop_lag_seconds",
      "nodejs_heap_size_used_bytes",
      "maillage_db_pool_connections",
      "maillage_places_loaded",
      "maillage_places_generation",
    ])
      assert.match(text, new RegExp(`^${name} \\d`, "m"), name);
  });
});

test("/metrics from loopback with the default allow list", async () => {
  const server = await startTestServer();
  try {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
  } finally {
    await server.close();
  }
});

describe("maillage serve as a process", () => {
  test("SIGTERM: new connections refused, the request in flight completes, exit code 0; one log line per request without the query", async () => {
    const dataDir = await preparedDataDir();
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "serve"], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: "",
        PORT: "0",
        MAILLAGE_DATA_DIR: dataDir,
        MAILLAGE_RATE_LIMIT: "0",
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (c) => {
        stderr += c;
        const m = /Maillage est prêt en [\d.]+ s : (http:\/\/\S+)/.exec(stderr);
        if (m?.[1]) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const exited = once(child, "exit");
    const { hostname, port } = new URL(url);
    assert.equal((await fetch(`${url}/territoires?q=gu%C3%A9ret`)).status, 200);

    // The national export, read slowly: its response is in flight while the server is asked to stop.
    const res = await new Promise<import("node:http").IncomingMessage>((resolve, reject) =>
      request({ host: hostname, port, path: "/lieux.csv" }, resolve).on("error", reject).end(),
    );
    assert.equal(res.statusCode, 200);
    res.pause();
    child.kill("SIGTERM");
    // Wait until the listening socket is closed (no timing: each attempt either connects or is refused).
    for (;;) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = connect({ host: hostname, port: Number(port) });
        s.once("connect", () => {
          s.destroy();
          resolve(false);
        });
        s.once("error", () => resolve(true));
      });
      if (refused) break;
      await new Promise((r) => setImmediate(r));
    }
    // The export may already sit in the socket buffers, so the process may or may not still run here: what
    // matters is that the whole export arrives after SIGTERM and that the exit code is 0.
    res.resume();
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const csv = Buffer.concat(chunks).toString("utf8");
    const rows = csv.trimEnd().split("\n").length - 1;
    assert.ok(rows > 1000, `the whole export arrived (${rows} rows)`);
    assert.ok(csv.endsWith("\n"));
    const [code] = await exited;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /SIGTERM reçu/);

    // Logs: JSON lines (not a terminal), one per request, route pattern or path, never the query.
    const lines = stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
    const requests = lines.filter((l) => l.route !== undefined);
    assert.deepEqual(
      requests.map((l) => `${l.method} ${l.route} ${l.status}`),
      ["GET /territoires 200", "GET /lieux.csv 200"],
    );
    assert.ok(requests.every((l) => l.level === 30 && typeof l.ms === "number"));
    assert.ok(!stdout.includes("gu%C3%A9ret") && !stdout.includes("guéret"), "no query string in the logs");
  });
});
