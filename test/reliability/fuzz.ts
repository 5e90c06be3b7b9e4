/**
 * Bad input over every route, generated with fast-check (seeded: a failure is replayed with the same seed):
 * paths with NUL bytes, invalid UTF-8, overlong and odd segments; query strings with known and unknown
 * parameters, repeated, empty, huge or broken values; bodies of every kind under every content type. Requests are
 * written on raw sockets so that nothing is cleaned by a client. Each input carries a marker `<mfN>`: an HTML
 * response that contains it raw reflects the input unescaped.
 */
import { connect } from "node:net";
import fc from "fast-check";

export interface Route {
  method: string;
  url: string;
}

export interface FuzzFinding {
  request: string;
  status: number;
  kind: "5xx" | "reflection" | "no answer";
}

const PARAMS = [
  "territoire",
  "q",
  "type",
  "limit",
  "offset",
  "service",
  "public",
  "frais",
  "modalite",
  "methode",
  "seuil",
  "fragilite",
  "commune",
  "besoin",
  "t",
  "format",
  "mode",
  "sites",
  "rayon",
  "id",
  "page",
];

/** Raw pieces that are not text: each is written as bytes into the request. */
const NASTY = [
  "%00",
  "\u0000",
  "%C3%28",
  "%FF%FE",
  "%ED%A0%80",
  "%E0%80%AF",
  "%",
  "%zz",
  "..%2F..%2Fetc%2Fpasswd",
  "../../",
  "%0D%0ASet-Cookie:%20x=1",
  "\u00e9",
  "\uFFFF",
  "'; DROP TABLE place; --",
  "-1",
  "1e309",
  "NaN",
  "[]",
  "{}",
];

const pct = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return "%ED%A0%80"; // a lone surrogate: its (invalid) UTF-8 bytes
  }
};

const piece = (marker: string) =>
  fc.oneof(
    fc.string({ maxLength: 30 }).map(pct),
    fc.constantFrom(...NASTY),
    fc.constant(pct(`<${marker}>"'`)),
    fc.integer({ min: 1, max: 9000 }).map((n) => "x".repeat(n)),
    fc.string({ unit: "grapheme", maxLength: 10 }).map(pct),
  );

interface Generated {
  path: string;
  query: string;
  body: Buffer | null;
  contentType: string | null;
}

function generator(route: Route, marker: string): fc.Arbitrary<Generated> {
  const segments = route.url.split("/").map((s) => (s.startsWith(":") || s === "*" ? null : s));
  const path = fc
    .tuple(...segments.map((s) => (s === null ? piece(marker) : fc.constant(s))))
    .map((parts) => parts.join("/"));
  const query = fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...PARAMS), piece(marker)), piece(marker)), { maxLength: 6 })
    .map((kv) => (kv.length === 0 ? "" : `?${kv.map(([k, v]) => `${k}=${v}`).join("&")}`));
  const body =
    route.method === "GET" || route.method === "HEAD"
      ? fc.constant(null)
      : fc.oneof(
          fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
          fc.string().map((s) => Buffer.from(`${s}<${marker}>`)),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          fc
            .dictionary(fc.constantFrom(...PARAMS, "reponses", "sites", "rayon"), fc.jsonValue())
            .map((o) => Buffer.from(JSON.stringify(o))),
          fc.constant(Buffer.from(`{"commune": "\\u0000<${marker}>", "mode": "seul", "reponses": {}}`)),
          fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])),
        );
  const contentType = fc.constantFrom(
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "multipart/form-data",
    null,
  );
  return fc.record({ path, query, body, contentType });
}

/** One request on a raw socket; resolves with the status and the raw response (at most 2 MB kept). */
function send(url: URL, method: string, g: Generated): Promise<{ status: number; raw: string }> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const head =
      `${method} ${g.path}${g.query} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n` +
      (g.contentType ? `Content-Type: ${g.contentType}\r\n` : "") +
      (g.body ? `Content-Length: ${g.body.length}\r\n` : "") +
      "\r\n";
    const chunks: Buffer[] = [];
    let size = 0;
    socket.setTimeout(30_000, () => socket.destroy());
    socket.on("data", (d: Buffer) => {
      if (size < 2_000_000) chunks.push(d);
      size += d.length;
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      const raw = Buffer.concat(chunks).toString("latin1");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
      resolve({ status, raw });
    });
    socket.write(Buffer.concat([Buffer.from(head, "latin1"), g.body ?? Buffer.alloc(0)]));
  });
}

/** Sends `runs` generated requests to each route, four at a time; returns the count and what was found. */
export async function fuzzRoutes(
  base: string,
  routes: Route[],
  opts: { runs: number; seed: number },
): Promise<{ requests: number; findings: FuzzFinding[]; statuses: Map<number, number> }> {
  const url = new URL(base);
  const findings: FuzzFinding[] = [];
  const statuses = new Map<number, number>();
  let requests = 0;
  let n = 0;
  const jobs: (() => Promise<void>)[] = [];
  for (const route of routes) {
    const method = route.method === "HEAD" ? "GET" : route.method;
    const marker = `mf${++n}`;
    // Every nasty piece once in each path parameter and once in a query parameter, then generated inputs.
    const segments = route.url.split("/");
    const fixed: Generated[] = NASTY.flatMap((bad, k) => [
      ...(segments.some((x) => x.startsWith(":") || x === "*")
        ? [
            {
              path: segments.map((x) => (x.startsWith(":") || x === "*" ? bad : x)).join("/"),
              query: "",
              body: null,
              contentType: null,
            },
          ]
        : []),
      {
        path: segments.map((x) => (x.startsWith(":") || x === "*" ? "23" : x)).join("/"),
        query: `?${PARAMS[k % PARAMS.length]}=${bad}`,
        body: null,
        contentType: null,
      },
    ]);
    const inputs = [
      ...fixed,
      ...fc.sample(generator(route, marker), { numRuns: opts.runs, seed: opts.seed + n }),
    ];
    for (const g of inputs)
      jobs.push(async () => {
        const { status, raw } = await send(url, method, g);
        requests++;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const request = `${method} ${g.path}${g.query}`.slice(0, 300);
        if (status === 0) findings.push({ request, status, kind: "no answer" });
        else if (status >= 500) findings.push({ request, status, kind: "5xx" });
        const html = /^content-type:\s*text\/html/im.test(raw.split("\r\n\r\n")[0] ?? "");
        if (html && raw.includes(`<${marker}`)) findings.push({ request, status, kind: "reflection" });
      });
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < jobs.length) await (jobs[next++] as () => Promise<void>)();
    }),
  );
  return { requests, findings, statuses };
}
