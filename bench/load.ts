/**
 * Loopback load test (127.0.0.1 only, bounded in time): each public route alone with 20 connections, then the 8 of
 * them mixed (a diagnostic POST among them), every figure against a trivial route measured in the same run.
 */
import autocannon from "autocannon";
import { orientationWarmed } from "../src/orientation/service.ts";
import { exportCsv } from "../src/places/export.ts";
import { streamPlaces } from "../src/places/store/published.ts";
import { startTestServer } from "../test/support/server.ts";
import { randomAnswers } from "./diagnostic.ts";
import { median, report } from "./stats.ts";

const CONNECTIONS = 20;
const SECONDS = 5;

const ROUTES: { label: string; path: string; goal: number }[] = [
  { label: "/fragilite?territoire=07", path: "/fragilite?territoire=07", goal: 0.25 },
  { label: "/couverture?territoire=23", path: "/couverture?territoire=23", goal: 0.25 },
  { label: "/lieux?territoire=13", path: "/lieux?territoire=13", goal: 0.25 },
  {
    label: "GET /api/v1/lieux avec filtres",
    path: `/api/v1/lieux?territoire=13&service=${encodeURIComponent("Aide aux démarches administratives")}&q=marseille&limit=20`,
    goal: 0.25,
  },
  {
    label: "GET /api/v1/orientation (Lyon 3e, dense)",
    path: "/api/v1/orientation?commune=69383&besoin=demarches&gratuit=1",
    goal: 0.4,
  },
  { label: "GET /api/v1/territoires?q=saint", path: "/api/v1/territoires?q=saint", goal: 0.5 },
];

/** What a browser says it accepts: the pages are measured as people receive them (compressed). */
const BROWSER = { "accept-encoding": "gzip, deflate, br, zstd" };

async function load(url: string, opts: Partial<autocannon.Options>) {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: BROWSER, ...opts });
  if (r.non2xx > 0 || r.errors > 0)
    console.log(`  attention : ${r.non2xx} réponses non 2xx, ${r.errors} erreurs`);
  return r;
}

export async function benchLoad(): Promise<void> {
  console.log(
    `# Charge en boucle locale (${CONNECTIONS} connexions, ${SECONDS} s par mesure, sans limite de débit)`,
  );
  const server = await startTestServer();
  try {
    const body = JSON.stringify({ commune: "23096", mode: "seul", reponses: randomAnswers(7) });
    const post = {
      method: "POST" as const,
      path: "/api/v1/diagnostic",
      headers: { "content-type": "application/json" },
      body,
    };
    // Warm: every page once, the places' hours read, as on a site that has been serving for a while. The first
    // answer of each (nothing cached yet) is printed too: it is what the first visitor after an import waits.
    for (const r of ROUTES) {
      const t = performance.now();
      await (await fetch(server.url + r.path)).arrayBuffer();
      report(`${r.label}, première réponse (rien en cache)`, performance.now() - t, "ms");
    }
    await fetch(server.url + post.path, post);
    await orientationWarmed(server.ctx);
    const trivial = await load(`${server.url}/sante`, {});
    report("référence : route triviale GET /sante", trivial.requests.average, "req/s");
    for (const r of ROUTES) {
      const res = await load(server.url + r.path, {});
      report(`${r.label}, débit`, res.requests.average, "req/s");
      report(`  p99`, res.latency.p99, "ms");
      report(
        `  rapport à la route triviale`,
        res.requests.average / trivial.requests.average,
        "",
        `≥ ${r.goal}`,
      );
    }
    await benchNationalExport(server);
    const mixed = await load(server.url, {
      requests: [
        ...ROUTES.map((r) => ({ method: "GET" as const, path: r.path })),
        { method: "GET", path: "/trouver?commune=23096&besoin=demarches" },
        post,
      ],
    });
    report(
      "trafic public mêlé (8 routes dont un POST de diagnostic), débit",
      mixed.requests.average,
      "req/s",
      "≥ 1 000 req/s",
    );
    report("  p99", mixed.latency.p99, "ms", "< 50 ms");
    report("  rapport à la route triviale", mixed.requests.average / trivial.requests.average, "");
  } finally {
    await server.close();
  }
}

/** Seconds to receive the whole body of `path`, compressed as a browser or curl --compressed asks. */
async function download(url: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(url, { headers: { "accept-encoding": "gzip" } });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return (performance.now() - t) / 1000;
}

/**
 * The national CSV export, 4 clients at once, 5 rounds: the slowest client of each round (median of the rounds).
 * Reference in the same run: the same file written from the database's stream by one client, as it was before.
 */
async function benchNationalExport(server: Awaited<ReturnType<typeof startTestServer>>): Promise<void> {
  const url = `${server.url}/lieux.csv`;
  report("export CSV national, première demande (rien en cache)", await download(url), "s");
  const slowest: number[] = [];
  for (let round = 0; round < 5; round++)
    slowest.push(Math.max(...(await Promise.all([1, 2, 3, 4].map(() => download(url))))));
  const previous: number[] = [];
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    for await (const _ of exportCsv(streamPlaces(server.ctx.database.db, {}))) {
      // only the writing is timed
    }
    previous.push((performance.now() - t) / 1000);
  }
  report(
    "export CSV national, 4 clients simultanés (le plus lent, médiane de 5)",
    median(slowest),
    "s",
    "< 0,5 s",
  );
  report("  référence : écriture en flux depuis la base, 1 client (chemin précédent)", median(previous), "s");
  report("  rapport chemin précédent / 4 clients", median(previous) / median(slowest), "×");
}
