/**
 * National exports under their gates (two running, four waiting, then a French 503) and their time budget, over
 * HTTP on the real data. Responses are held open by a test hook (`onSend`, after the route has taken its place in
 * the gate) so that the places stay taken for as long as the test needs: no timing involved.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ROUTE_ACCESS } from "../src/accounts/access.ts";
import { sendWithinBudget } from "../src/platform/heavy.ts";
import { startTestServer } from "./support/server.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;

/** The path whose responses are watched, and held (200 only) while `holding`. */
let watched = "";
let holding = false;
/** Requests of the watched path whose handler started (each then takes its place in the gate at once). */
let started = 0;
/** Requests (their `x-essai`) whose client the server saw leave. */
const left = new Set<string>();
/** Held responses: the request's number (header `x-essai`) and what lets it go on. */
const held: { id: string; go: () => void }[] = [];

/** The budget test's stream waits for this before going on (it never does, in time). */
let unblock: () => void = () => {};
const blocked = new Promise<void>((resolve) => {
  unblock = resolve;
});

before(async () => {
  server = await startTestServer({
    configure(app) {
      const isWatched = (url: string) => watched !== "" && url === watched;
      app.addHook("preHandler", async (req) => {
        if (isWatched(req.url)) started++;
      });
      app.addHook("onRequestAbort", async (req) => {
        left.add(String(req.headers["x-essai"]));
      });
      app.addHook("onSend", async (req, reply, payload) => {
        if (holding && isWatched(req.url) && reply.statusCode === 200)
          await new Promise<void>((go) => held.push({ id: String(req.headers["x-essai"]), go }));
        return payload;
      });
      // The budget of an export, on a short budget: cut before its first line, and after it (public routes).
      Object.assign(ROUTE_ACCESS, {
        "GET /test/budget-avant": "public",
        "GET /test/budget-pendant": "public",
      });
      app.get("/test/budget-avant", (_req, reply) =>
        sendWithinBudget(
          reply,
          (async function* () {
            await blocked;
            yield "jamais\n";
          })(),
          { budgetMs: 50 },
        ),
      );
      app.get("/test/budget-pendant", (_req, reply) =>
        sendWithinBudget(
          reply,
          (async function* () {
            yield "code,nom\r\n";
            await blocked;
            yield "jamais\r\n";
          })(),
          { budgetMs: 50 },
        ),
      );
    },
  });
});
after(async () => {
  unblock();
  await server.close();
});

/** Resolves once `ok()` holds, checking after each turn of the event loop (fails after 60 s, saying what it saw). */
async function until(ok: () => boolean, what: () => string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`still waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  // The handlers that started have reached their gate (they enter it right after reading the query).
  await new Promise((r) => setImmediate(r));
}

interface Sent {
  response: Promise<Response>;
  abort: () => void;
}

const send = (path: string, id: number): Sent => {
  const controller = new AbortController();
  return {
    response: fetch(server.url + path, { signal: controller.signal, headers: { "x-essai": String(id) } }),
    abort: () => controller.abort(),
  };
};

/**
 * Fills the gate of `path`: six requests, two of which hold their place (their response held open) and four
 * wait in line. Fails (after its guard) if fewer than two places are free.
 */
async function fill(path: string): Promise<Sent[]> {
  watched = path;
  holding = true;
  started = 0;
  held.length = 0;
  const six = Array.from({ length: 6 }, (_, i) => send(path, i));
  await until(
    () => held.length === 2 && started === 6,
    () => `${held.length} held, ${started} started`,
  );
  return six;
}

/** Lets every held response go on, and the waiting ones through. */
function open(): void {
  holding = false;
  for (const h of held.splice(0)) h.go();
}

async function assertBusy(path: string): Promise<void> {
  const refused = await fetch(server.url + path);
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "5");
  assert.match(await refused.text(), /sont en cours\. Réessayez dans quelques secondes\./);
}

async function assertAllOk(sent: Sent[], csvHeader: RegExp): Promise<void> {
  for (const s of sent) {
    const r = await s.response;
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /text\/csv/);
    assert.match(await r.text(), csvHeader);
  }
}

describe("the national coverage export (/couverture.csv) has a gate", () => {
  const path = "/couverture.csv";
  const header = /^rang,code,commune,population,indice,distance_km,seuil_km,aide\r\n/;

  test("two run, four wait, the seventh gets a French 503 with Retry-After", async () => {
    const six = await fill(path);
    await assertBusy(path);
    open();
    await assertAllOk(six, header);
  });

  test("after those ended normally, the gate is whole again (six fit, the seventh is refused)", async () => {
    const six = await fill(path);
    await assertBusy(path);
    open();
    await assertAllOk(six, header);
  });

  test("a client that leaves, running or waiting, gives its place back", async () => {
    const six = await fill(path);
    // The client of one running export leaves, then the client of one waiting export.
    const runningId = Number(held[0]?.id);
    const waitingId = six.findIndex((_, i) => !held.some((h) => h.id === String(i)));
    const running = six[runningId] as Sent;
    const waiting = six[waitingId] as Sent;
    waiting.abort();
    await assert.rejects(waiting.response);
    await until(
      () => left.has(String(waitingId)),
      () => "the server to see the waiting client leave",
    );
    running.abort();
    await assert.rejects(running.response);
    // The running export's place went to the line, where the first left: a third export now holds one.
    const gone = new Set([String(runningId), String(waitingId)]);
    await until(
      () => held.filter((h) => !gone.has(h.id)).length === 2,
      () => `held: ${held.map((h) => h.id).join(", ")}`,
    );
    open();
    await assertAllOk(
      six.filter((_, i) => i !== runningId && i !== waitingId),
      header,
    );
    // Every place is free again: six fit, the seventh is refused.
    const again = await fill(path);
    await assertBusy(path);
    open();
    await assertAllOk(again, header);
  });
});

describe("the national fragility export (/fragilite.csv) has a gate", () => {
  test("two run, four wait, the seventh gets a French 503; all places are given back", async () => {
    const path = "/fragilite.csv";
    const header = /^code,nom,type,population,score,methode,version\r\n/;
    const six = await fill(path);
    await assertBusy(path);
    open();
    await assertAllOk(six, header);
    const again = await fill(path);
    await assertBusy(path);
    open();
    await assertAllOk(again, header);
  });

  test("a département's export does not wait for the gate", async () => {
    const six = await fill("/fragilite.csv");
    const r = await fetch(`${server.url}/fragilite.csv?territoire=23`);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /^code,nom,type/);
    open();
    for (const s of six) await (await s.response).text();
  });
});

describe("a région's plan export (/couverture/plan.csv) shares the coverage exports' gate", () => {
  test("the seventh région plan at once gets a French 503", async () => {
    const path = "/couverture/plan.csv?territoire=region-84&sites=3&rayon=10";
    const six = await fill(path);
    await assertBusy(path);
    // The national coverage export waits in the same gate's line: full, it is refused too.
    await assertBusy("/couverture.csv");
    open();
    await assertAllOk(six, /^rang,code,commune/);
  });
});

describe("an export's time budget", () => {
  test("over it before its first line: a French 503 with Retry-After", async () => {
    const r = await fetch(`${server.url}/test/budget-avant`);
    assert.equal(r.status, 503);
    assert.equal(r.headers.get("retry-after"), "5");
    assert.match(await r.text(), /Cet export dépasse le temps permis/);
  });

  test("over it after its first line: the response is cut, never ended as if whole", async () => {
    // Compressed, the first line may still be in the compressor when the connection is cut: no header at all.
    for (const encoding of ["identity", "gzip"]) {
      await assert.rejects(
        fetch(`${server.url}/test/budget-pendant`, { headers: { "accept-encoding": encoding } }).then((r) =>
          r.text(),
        ),
        /terminated|fetch failed/,
      );
    }
  });
});
