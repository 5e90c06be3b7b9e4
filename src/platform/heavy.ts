/**
 * CPU-heavy requests (planning, national exports): a concurrency limit with a short queue (a French 503 with
 * Retry-After beyond it), a time budget, and worker threads so that the event loop keeps serving everyone else.
 */
import { finished, Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { FastifyReply } from "fastify";
import { HttpError } from "./http.ts";
import { routeOf } from "./logs.ts";

/** At most `running` tasks at once and `waiting` in line; the next one is refused with a 503. */
export class Gate {
  private active = 0;
  private readonly line: (() => void)[] = [];

  constructor(
    private readonly running: number,
    private readonly waiting: number,
    private readonly what: string,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.enter();
    try {
      return await task();
    } finally {
      this.leave();
    }
  }

  /** Waits for a place (or refuses); the caller must `leave()` once done, e.g. when a stream ends. */
  async enter(): Promise<void> {
    if (this.active < this.running) {
      this.active++;
      return;
    }
    if (this.line.length >= this.waiting)
      throw new HttpError(
        503,
        "Service très demandé",
        `Trop ${/^[aeiouyàâéèêîôû]/i.test(this.what) ? "d'" : "de "}${this.what} sont en cours. Réessayez dans quelques secondes.`,
        5,
      );
    // The place is handed over by leave(): `active` stays counted.
    await new Promise<void>((resolve) => this.line.push(resolve));
  }

  leave(): void {
    const next = this.line.shift();
    if (next) next();
    else this.active--;
  }
}

/**
 * Holds a place of `gate` for the whole life of a response: waits for it (or throws the gate's French 503), then
 * gives it back once the response has ended, however it ends — sent, refused, cut, or the client gone.
 */
export async function holdGate(gate: Gate, reply: FastifyReply): Promise<void> {
  await gate.enter();
  if (reply.raw.destroyed) {
    // The client left while in line: nothing to compute for it (499, as proxies say; no one reads it).
    gate.leave();
    throw new HttpError(499, "Demande abandonnée", "La demande a été abandonnée pendant son attente.");
  }
  finished(reply.raw, () => gate.leave());
}

/** Time budget of one export (CSV or JSON streamed), from the moment its work starts. */
const EXPORT_BUDGET_MS = 30_000;

/**
 * Sends the lines of an export as a stream stopped once `budgetMs` has passed since `since` (a `performance.now()`;
 * by default now). Stopped before its first line, the answer is a French 503; after it, the connection is closed
 * without the body's end (an unfinished chunked response), so that a partial file cannot pass for a whole one —
 * also when the client stopped reading (the budget counts until the last byte is handed to the system). Either way
 * the source is closed (`return()`: a database cursor ends), as when the client leaves, and a warning is logged with
 * the route pattern (never the query, which may carry what people typed).
 */
export async function sendWithinBudget(
  reply: FastifyReply,
  lines: Iterable<string> | AsyncIterable<string>,
  opts: { budgetMs?: number; since?: number } = {},
): Promise<FastifyReply> {
  const budgetMs = opts.budgetMs ?? EXPORT_BUDGET_MS;
  const source = Symbol.asyncIterator in lines ? lines[Symbol.asyncIterator]() : lines[Symbol.iterator]();
  let sending = false;
  let timer: NodeJS.Timeout | undefined;
  const over = new Promise<null>((resolve) => {
    timer = setTimeout(
      () => {
        reply.request.log.warn(
          { route: routeOf(reply.request), budgetMs },
          `${routeOf(reply.request)}: export stopped, over its time budget of ${budgetMs} ms`,
        );
        void Promise.resolve(source.return?.()).catch(() => {});
        if (sending) reply.raw.destroy();
        resolve(null);
      },
      Math.max(0, budgetMs - (performance.now() - (opts.since ?? performance.now()))),
    );
  });
  finished(reply.raw, () => clearTimeout(timer));
  const next = () => Promise.race([source.next(), over]);
  const first = await next();
  if (first === null)
    throw new HttpError(
      503,
      "Export trop long",
      "Cet export dépasse le temps permis. Choisissez un territoire plus petit, ou réessayez plus tard.",
      5,
    );
  async function* all(): AsyncGenerator<string> {
    try {
      for (let r = first; r !== null && !r.done; r = await next()) yield r.value;
    } finally {
      // The client gone (the stream destroyed), the source is closed too.
      void Promise.resolve(source.return?.()).catch(() => {});
    }
  }
  sending = true;
  return reply.send(Readable.from(all()));
}

/** Tasks run in a worker thread since the start, for /metrics (and the test that the loop stays free). */
export const workerTasks = { count: 0 };

/**
 * Runs `input` through the module `file` (which answers each message with `{ result }` or `{ error }`) in a worker
 * thread, ended after `budgetMs`. Workers are kept for the next task; one that overran is terminated.
 * The worker loads TypeScript through tsx, both under tsx and from the bundle of scripts/start.mjs (whose
 * `import.meta.dirname` is the source folder's).
 */
export class WorkerPool {
  private readonly idle: Worker[] = [];

  constructor(
    private readonly file: string,
    private readonly budgetMs: number,
  ) {}

  /** `transfer`: buffers of `input` moved to the worker rather than copied (they are empty here afterwards). */
  run<I, O>(input: I, transfer: readonly ArrayBuffer[] = []): Promise<O> {
    const worker = this.idle.pop() ?? this.spawn();
    worker.unref();
    workerTasks.count++;
    return new Promise<O>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
      };
      const timer = setTimeout(() => {
        done();
        void worker.terminate();
        reject(
          new HttpError(
            503,
            "Calcul trop long",
            "Ce calcul dépasse le temps permis. Choisissez un territoire plus petit ou moins de candidates.",
            5,
          ),
        );
      }, this.budgetMs);
      const onMessage = (m: { result?: O; error?: string }) => {
        done();
        this.idle.push(worker);
        if (m.error !== undefined) reject(new Error(m.error));
        else resolve(m.result as O);
      };
      const onError = (e: Error) => {
        done();
        reject(e);
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.postMessage(input, [...transfer]);
    });
  }

  /**
   * A worker loading the TypeScript module through tsx's API: `--import tsx` in a worker's execArgv is not applied
   * to its main module on Node 20, so the module is imported once tsx is registered.
   */
  private spawn(): Worker {
    const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
    const code = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(pathToFileURL(this.file).href)}); });`;
    return new Worker(code, { eval: true });
  }

  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
  }
}
