/**
 * Diagnostic: the weight of a question page as a person's phone downloads it (gzip, the page and every asset it
 * loads), compared with the national cartography's bundle; scoring and token costs; the result API under load.
 */

import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { QUESTIONNAIRE } from "../src/diagnostic/questionnaire.ts";
import { score } from "../src/diagnostic/score.ts";
import { signToken, verifyToken } from "../src/diagnostic/token.ts";
import { orientationWarmed } from "../src/orientation/service.ts";
import { startTestServer } from "../test/support/server.ts";
import { median, percentile, report } from "./stats.ts";

/** Bytes on the wire (gzip asked) and decoded size of a GET. */
function wire(
  url: string,
): Promise<{ status: number; gzip: number; location: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { "accept-encoding": "gzip" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks);
        const gz = res.headers["content-encoding"] === "gzip";
        const body = gz ? gunzipSync(raw).toString() : raw.toString();
        resolve({ status: res.statusCode ?? 0, gzip: raw.length, location: res.headers.location, body });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** The page and the stylesheets and scripts it references. */
async function pageWeight(
  base: string,
  path: string,
): Promise<{ html: number; assets: number; total: number }> {
  const page = await wire(base + path);
  if (page.status !== 200) throw new Error(`${path}: ${page.status}`);
  const refs = [...page.body.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
  let assets = 0;
  for (const r of new Set(refs)) assets += (await wire(base + r)).gzip;
  return { html: page.gzip, assets, total: page.gzip + assets };
}

export function randomAnswers(seed: number): Record<string, string | string[]> {
  let x = seed;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const out: Record<string, string | string[]> = {};
  for (const q of QUESTIONNAIRE.questions) {
    const a = q.answers[Math.floor(rnd() * q.answers.length)]?.id ?? "passer";
    out[q.id] = q.kind === "several" ? [a] : a;
  }
  return out;
}

export async function benchDiagnostic(): Promise<void> {
  console.log("## diagnostic");
  const sets = Array.from({ length: 10_000 }, (_, i) => randomAnswers(i + 1));
  let t0 = performance.now();
  for (const a of sets) score(a, QUESTIONNAIRE.version);
  report("calcul du résultat (score), par diagnostic", ((performance.now() - t0) * 1000) / sets.length, "µs");
  const secret = Buffer.from("b".repeat(64));
  const tokens = sets
    .slice(0, 2000)
    .map((a, i) =>
      signToken({ v: QUESTIONNAIRE.version, m: "seul", c: "23096", a, i: 0, n: String(i) }, secret),
    );
  t0 = performance.now();
  for (const t of tokens) verifyToken(t, secret, 1000);
  report("vérification d'un jeton signé", ((performance.now() - t0) * 1000) / tokens.length, "µs");
  report("taille d'un jeton complet (13 réponses)", Math.max(...tokens.map((t) => t.length)), "caractères");

  const server = await startTestServer();
  try {
    const start = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${server.url}/diagnostic/commencer`,
        { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" } },
        (res) => {
          res.resume();
          resolve(res.headers.location ?? "");
        },
      );
      req.on("error", reject);
      req.end("commune=23096&mode=accompagne");
    });
    const q1 = await pageWeight(server.url, start);
    report("poids d'une page de question (gzip, HTML)", q1.html / 1024, "Ko");
    report("poids d'une page de question (gzip, HTML + CSS + JS)", q1.total / 1024, "Ko", "< 30 Ko");
    const carto = join(import.meta.dirname, "..", "node_modules", "@gouvfr-anct", "cartographie-nationale");
    const national = ["mediation-numerique.js", "styles.css"].reduce(
      (n, f) => n + gzipSync(readFileSync(join(carto, f))).length,
      0,
    );
    report("cartographie nationale v5 (JS + CSS, gzip), pour comparer", national / 1024, "Ko");
    report("rapport cartographie nationale / page de question", national / q1.total, "×");

    const body = JSON.stringify({ commune: "23096", mode: "seul", reponses: randomAnswers(7) });
    // Warm up: the first result loads the places and builds orientation's index.
    await fetch(`${server.url}/api/v1/diagnostic`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    await orientationWarmed(server.ctx);
    const r = await autocannon({
      url: `${server.url}/api/v1/diagnostic`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      connections: 4,
      duration: 3,
    });
    report("POST /api/v1/diagnostic (résultat + lieux + écriture), débit", r.requests.average, "req/s");
    report("POST /api/v1/diagnostic, latence p50", r.latency.p50, "ms");
    report("POST /api/v1/diagnostic, latence p99", r.latency.p99, "ms");
    if (r.non2xx > 0) throw new Error(`${r.non2xx} réponses en erreur`);
    const samples: number[] = [];
    for (let i = 0; i < 50; i++) {
      const s = performance.now();
      await wire(server.url + start);
      samples.push(performance.now() - s);
    }
    samples.sort((a, b) => a - b);
    report("GET d'une page de question, p50", median(samples), "ms");
    report("GET d'une page de question, p95", percentile(samples, 95), "ms");
  } finally {
    await server.close();
  }
}
