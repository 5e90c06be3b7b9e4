/**
 * The printable territory portrait (/indicateurs/portrait) of a département: what a visitor downloads (the page with
 * its style sheet and scripts, gzip) and the server's time to answer (p50, p95), beside the same département's
 * territory page measured in the same run, and their ratios.
 */
import { startTestServer } from "../test/support/server.ts";
import { median, percentile, report } from "./stats.ts";
import { pageWeight } from "./weight.ts";

const RUNS = 25;
const WARM = 5;

async function times(url: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < RUNS + WARM; i++) {
    const t = performance.now();
    const res = await fetch(url);
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    await res.arrayBuffer();
    if (i >= WARM) out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

export async function benchPortrait(): Promise<void> {
  console.log("# Portrait imprimable d'un territoire");
  const server = await startTestServer();
  try {
    for (const [code, name] of [
      ["23", "Creuse, 255 communes"],
      ["13", "Bouches-du-Rhône, 119 communes et leurs quartiers prioritaires"],
    ] as const) {
      const portrait = `/indicateurs/portrait?territoire=${code}`;
      const reference = `/territoires/${code}`;
      const wp = await pageWeight(server.url, portrait);
      const wr = await pageWeight(server.url, reference);
      report(`poids du portrait (${name} ; ${wp.files} fichiers, gzip)`, wp.total / 1024, "Ko");
      report(`  dont la page HTML seule (gzip)`, wp.html / 1024, "Ko");
      report(
        `  référence : page du territoire ${reference} (${wr.files} fichiers, gzip)`,
        wr.total / 1024,
        "Ko",
      );
      report(`  rapport portrait / page du territoire (poids)`, wp.total / wr.total, "");
      const tp = await times(server.url + portrait);
      const tr = await times(server.url + reference);
      report(`  temps serveur du portrait p50 (${RUNS} demandes)`, median(tp), "ms");
      report(`  temps serveur du portrait p95`, percentile(tp, 95), "ms");
      report(`  référence : temps serveur de ${reference} p50`, median(tr), "ms");
      report(`  rapport portrait / page du territoire (temps p50)`, median(tp) / median(tr), "");
    }
  } finally {
    await server.close();
  }
}
