/**
 * Diagnostic: the weight of a question page as a person's phone downloads it (gzip, the page and every asset it
 * loads), compared with the national cartography's bundle; scoring and token costs; the result API under load.
 */

import { request } from "node:http";
import autocannon from "autocannon";
import { QUESTIONNAIRE } from "../src/diagnostic/questionnaire.ts";
import { score } from "../src/diagnostic/score.ts";
import { signToken, verifyToken } from "../src/diagnostic/token.ts";
import { orientationWarmed } from "../src/orientation/service.ts";
import { startTestServer } from "../test/support/server.ts";
import { median, percentile, report } from "./stats.ts";
import { nationalBundle, pageWeight, wire } from "./weight.ts";

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
    const national = nationalBundle();
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
