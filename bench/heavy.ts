/**
 * Heavy requests: how long the event loop stalls while four national plans run (each in a worker thread), against
 * the same measure with nothing running. A stall is what every other visitor waits for.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { startTestServer } from "../test/support/server.ts";
import { report } from "./stats.ts";

/** A plan over the whole of France, every commune a candidate (about 35 000 × 35 000). */
const nationalPlan = (url: string) =>
  fetch(`${url}/api/v1/planification`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ territoire: " ", sites: 20, rayon: 10 }),
  }).then(async (r) => {
    if (r.status !== 200) throw new Error(`plan: ${r.status} ${await r.text()}`);
    return r.json();
  });

/**
 * Polls GET /sante every 10 ms until `work` settles (or for `idleMs` when there is none), and records the event
 * loop's delays: the worst /sante answer and the worst delay of the loop (perf_hooks), in ms.
 */
async function watch(url: string, work: Promise<unknown> | null, idleMs = 0) {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let done = false;
  const finished = (work ?? sleep(idleMs)).finally(() => {
    done = true;
  });
  let worst = 0;
  let polls = 0;
  while (!done) {
    const t = performance.now();
    await (await fetch(`${url}/sante`)).text();
    worst = Math.max(worst, performance.now() - t);
    polls++;
    await sleep(10);
  }
  await finished;
  loop.disable();
  return { sante: worst, loop: loop.max / 1e6, polls };
}

export async function benchHeavy(): Promise<void> {
  console.log("# Requêtes lourdes");
  const server = await startTestServer();
  try {
    // Just started: the places, the scores and the access of France are read and computed by the first plans.
    const cold = await watch(
      server.url,
      Promise.all(Array.from({ length: 4 }, () => nationalPlan(server.url))),
    );
    // Warm: the worker threads run, as on a site that has served a few plans.
    await Promise.all([nationalPlan(server.url), nationalPlan(server.url)]);
    const idle = await watch(server.url, null, 3000);
    // Three rounds of four plans at once: the worst of them.
    const busy = { loop: 0, sante: 0, polls: 0 };
    const t = performance.now();
    for (let round = 0; round < 3; round++) {
      const w = await watch(
        server.url,
        Promise.all(Array.from({ length: 4 }, () => nationalPlan(server.url))),
      );
      busy.loop = Math.max(busy.loop, w.loop);
      busy.sante = Math.max(busy.sante, w.sante);
      busy.polls += w.polls;
    }
    const seconds = (performance.now() - t) / 1000;
    report(
      `pire attente de la boucle pendant 4 plans nationaux (35 000 × 35 000, 3 fois, ${seconds.toFixed(1)} s en tout, perf_hooks)`,
      busy.loop,
      "ms",
      "< 200 ms",
    );
    report("pire attente de la boucle sans aucun plan (référence, 3 s)", idle.loop, "ms");
    report("rapport pendant les plans / référence", busy.loop / idle.loop, "");
    report(
      `pire réponse de GET /sante pendant 4 plans nationaux (interrogée toutes les 10 ms, ${busy.polls} fois)`,
      busy.sante,
      "ms",
      "< 200 ms",
    );
    report(`pire réponse de GET /sante sans aucun plan (référence, ${idle.polls} fois)`, idle.sante, "ms");
    report("rapport pendant les plans / référence", busy.sante / idle.sante, "");
    report(
      "pire attente de la boucle pendant les 4 premiers plans nationaux après le démarrage (lieux, indices et accès de la France à calculer)",
      cold.loop,
      "ms",
    );
  } finally {
    await server.close();
  }
}
