import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestServer } from "./support/server.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

/** A plan over the whole of France (every commune a candidate: about 35 000 × 35 000). */
const plan = () =>
  fetch(`${server.url}/api/v1/planification`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ territoire: " ", sites: 20, rayon: 10 }),
  });

const workerTasks = async () => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^maillage_worker_tasks (\d+)/m.exec(text)?.[1]);
};

test("four large plans run in worker threads while / keeps answering", async () => {
  // Warm-up: the coverage of France is computed once and cached; the workers start.
  const first = await plan();
  assert.equal(first.status, 200);
  assert.ok((await first.json()).candidats > 30_000);
  const before = await workerTasks();

  const finished: string[] = [];
  const plans = Array.from({ length: 4 }, (_, i) =>
    plan().then(async (r) => {
      assert.equal(r.status, 200);
      await r.json();
      finished.push(`plan ${i}`);
    }),
  );
  const home = fetch(`${server.url}/`).then(async (r) => {
    assert.equal(r.status, 200);
    await r.text();
    finished.push("/");
  });
  await Promise.all([...plans, home]);
  // The event loop was free: the home page answered before any of the plans it was queued behind.
  assert.equal(finished[0], "/", finished.join(", "));
  assert.equal((await workerTasks()) - before, 4, "each plan ran off the event loop");
});

test("a small plan (one département) is computed on the spot", async () => {
  const before = await workerTasks();
  const r = await fetch(`${server.url}/api/v1/planification`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ territoire: "23", sites: 3, rayon: 10 }),
  });
  assert.equal(r.status, 200);
  assert.equal(await workerTasks(), before);
});
