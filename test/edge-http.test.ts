import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { startTestServer } from "./support/server.ts";

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** A raw request (fetch refuses NUL bytes, bad encodings and huge headers before sending them). */
function raw(
  base: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method, path, headers: opts.headers, insecureHTTPParser: true },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

/** The security headers a normal page gets: every framework error must carry the same. */
const SECURITY = [
  "content-security-policy",
  "x-content-type-options",
  "x-frame-options",
  "referrer-policy",
  "cross-origin-opener-policy",
];

describe("default configuration (no proxy trusted, no public URL)", () => {
  let server: Server;
  before(async () => {
    server = await startTestServer({ config: { rateLimit: 3 } });
  });
  after(() => server.close());

  test("X-Forwarded-For does not choose the client's address: the rate limit still applies", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await raw(server.url, "GET", "/api/v1/territoires?q=lyon", {
        headers: { "x-forwarded-for": `203.0.113.${i + 1}` },
      });
      statuses.push(res.status);
    }
    // Three a minute per address, whatever the header says: the five requests share the loopback's limit.
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  });
});

describe("the edge", () => {
  let server: Server;
  let reference: Record<string, string | string[] | undefined>;
  let sheet: string;
  before(async () => {
    server = await startTestServer();
    reference = (await raw(server.url, "GET", "/page-qui-n-existe-pas")).headers;
    const api = await (await fetch(`${server.url}/api/v1/orientation?commune=06027&besoin=demarches`)).json();
    sheet = api.resultats[0].fiche;
  });
  after(() => server.close());

  const secured = (headers: Record<string, unknown>, what: string) => {
    assert.ok(reference["content-security-policy"]);
    for (const h of SECURITY) assert.equal(headers[h], reference[h], `${what}: ${h}`);
  };

  test("the orientation sheet's link and QR code never come from the request's headers", async () => {
    const res = await raw(server.url, "GET", sheet, {
      headers: {
        host: "evil.example.org",
        "x-forwarded-host": "evil.example.org",
        "x-forwarded-proto": "https",
      },
    });
    assert.equal(res.status, 200);
    assert.ok(!res.body.includes("evil.example.org"));
    const port = new URL(server.url).port;
    assert.match(
      res.body,
      new RegExp(`Code QR vers la page du lieu : http://127\\.0\\.0\\.1:${port}/lieux/lieu-`),
    );
  });

  test("framework errors answer in French, with the security headers, without echoing the address", async () => {
    const cases: [method: string, path: string, status: number, api: boolean, extra?: object][] = [
      ["GET", "/territoires/%E0%A4%A", 400, false],
      ["GET", "/api/v1/territoires/%E0%A4%Azz", 400, true],
      ["GET", `/lieux/${"lieu".repeat(80)}`, 414, false],
      ["GET", `/api/v1/territoires/${"x".repeat(300)}`, 414, true],
      [
        "POST",
        "/api/v1/planification",
        400,
        true,
        { headers: { "content-type": "application/json" }, body: '{"territoire": "23", ' },
      ],
      [
        "POST",
        "/api/v1/planification",
        415,
        true,
        { headers: { "content-type": "application/x-evil-zzz" }, body: "territoire=23" },
      ],
      [
        "POST",
        "/api/v1/planification",
        413,
        true,
        {
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ territoire: "23", candidats: Array(200_000).fill("zzzzz") }),
        },
      ],
    ];
    for (const [method, path, status, api, extra] of cases) {
      const res = await raw(server.url, method, path, extra);
      const what = `${method} ${path.slice(0, 40)}`;
      assert.equal(res.status, status, what);
      secured(res.headers, what);
      assert.ok(
        !res.body.includes("zzz") && !res.body.includes("lieulieu") && !res.body.includes("xxxx"),
        what,
      );
      if (api) {
        assert.match(String(res.headers["content-type"]), /application\/problem\+json/, what);
        const body = JSON.parse(res.body);
        assert.equal(body.status, status, what);
        assert.match(body.detail, /[àéèêç]|(^| )(le|la|les|de|du|ce|cette) /i, what);
      } else {
        assert.match(String(res.headers["content-type"]), /text\/html/, what);
        assert.match(res.body, /<html lang="fr"/, what);
      }
    }
  });

  test("headers too large: 431 in French with the security headers, problem+json under /api/", async () => {
    for (const [path, type] of [
      ["/territoires", /text\/html/],
      ["/api/v1/territoires?q=lyon", /application\/problem\+json/],
    ] as const) {
      const res = await raw(server.url, "GET", path, { headers: { "x-zzz": "z".repeat(20_000) } });
      assert.equal(res.status, 431);
      assert.match(String(res.headers["content-type"]), type);
      secured(res.headers, `431 ${path}`);
      assert.match(res.body, /trop longs/);
      assert.ok(!res.body.includes("zzz"));
    }
  });

  test("a wrong method answers 405 with Allow, not 404", async () => {
    const api = await raw(server.url, "DELETE", "/api/v1/territoires/23");
    assert.equal(api.status, 405);
    assert.equal(api.headers.allow, "GET, HEAD");
    assert.match(String(api.headers["content-type"]), /application\/problem\+json/);
    const plan = await raw(server.url, "GET", "/api/v1/planification");
    assert.equal(plan.status, 405);
    assert.equal(plan.headers.allow, "POST");
    const page = await raw(server.url, "POST", "/territoires");
    assert.equal(page.status, 405);
    assert.match(page.body, /<html lang="fr"/);
    secured(page.headers, "405");
    assert.equal((await raw(server.url, "DELETE", "/nulle-part")).status, 404);
  });

  test("NUL bytes and invalid UTF-8 in paths, queries and bodies answer 400, never a 5xx", async () => {
    const json = { "content-type": "application/json" };
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const cases: [string, string, { headers?: Record<string, string>; body?: Buffer | string }?][] = [
      ["GET", "/lieux/%00"],
      ["GET", "/api/v1/lieux/%00"],
      ["GET", "/lieux/lieu-%FF%FE"],
      ["GET", "/territoires/23%00"],
      ["GET", "/api/v1/territoires/%C3%28"],
      ["GET", "/territoires?q=ly%00on"],
      ["GET", "/api/v1/territoires?q=ly%FFon"],
      ["GET", "/trouver?commune=%00"],
      ["GET", "/couverture?territoire=23%C0%AF"],
      ["GET", "/lieux?territoire=%ED%A0%80"],
      ["GET", "/api/v1/orientation?commune=06027&besoin=%00"],
      [
        "POST",
        "/api/v1/planification",
        { headers: json, body: '{"territoire":"2\\u00003","sites":1,"rayon":5}' },
      ],
      [
        "POST",
        "/api/v1/planification",
        {
          headers: json,
          body: Buffer.concat([
            Buffer.from('{"territoire":"'),
            Buffer.from([0xff, 0xfe]),
            Buffer.from('","sites":1,"rayon":5}'),
          ]),
        },
      ],
      ["POST", "/diagnostic/commencer", { headers: form, body: "commune=%00" }],
      ["POST", "/diagnostic/commencer", { headers: form, body: "commune=%FF" }],
      ["POST", "/diagnostic/commencer", { headers: form, body: Buffer.from([0x63, 0x3d, 0xff, 0x00]) }],
    ];
    for (const [method, path, opts] of cases) {
      const res = await raw(server.url, method, path, opts);
      assert.equal(res.status, 400, `${method} ${path} ${opts?.body ?? ""}`);
      secured(res.headers, path);
    }
  });
});

describe("behind a configured proxy, with a public https address", () => {
  let server: Server;
  before(async () => {
    server = await startTestServer({
      config: { rateLimit: 2, trustProxy: ["127.0.0.1"], publicUrl: "https://maillage.example.org" },
    });
  });
  after(() => server.close());

  test("X-Forwarded-For from the trusted proxy tells the client: each address has its own limit", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await raw(server.url, "GET", "/api/v1/territoires?q=lyon", {
        headers: { "x-forwarded-for": `203.0.113.${i + 1}` },
      });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200]);
  });

  test("absolute URLs use MAILLAGE_PUBLIC_URL, and responses carry HSTS", async () => {
    const api = await (
      await fetch(`${server.url}/api/v1/orientation?commune=06027&besoin=demarches`, {
        headers: { "x-forwarded-for": "203.0.113.50" },
      })
    ).json();
    const res = await raw(server.url, "GET", api.resultats[0].fiche, {
      headers: { "x-forwarded-host": "evil.example.org", "x-forwarded-for": "203.0.113.51" },
    });
    assert.equal(res.status, 200);
    assert.match(res.body, /Code QR vers la page du lieu : https:\/\/maillage\.example\.org\/lieux\/lieu-/);
    assert.ok(!res.body.includes("evil.example.org"));
    assert.match(String(res.headers["strict-transport-security"]), /max-age=\d+/);
    const bad = await raw(server.url, "GET", "/territoires/%E0%A4%A", {
      headers: { "x-forwarded-for": "203.0.113.52" },
    });
    assert.equal(bad.status, 400);
    assert.match(String(bad.headers["strict-transport-security"]), /max-age=\d+/);
  });
});
