/**
 * CPU-heavy requests (planning, national exports): a concurrency limit with a short queue (a French 503 with
 * Retry-After beyond it), a time budget, and worker threads so that the event loop keeps serving everyone else.
 */
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { HttpError } from "./http.ts";

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
        `Trop de ${this.what} sont en cours. Réessayez dans quelques secondes.`,
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

  run<I, O>(input: I): Promise<O> {
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
      worker.postMessage(input);
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
