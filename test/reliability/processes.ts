/**
 * The real Maillage as child processes on loopback (`node scripts/start.mjs …`, the same entry as `npm start`):
 * a server on 127.0.0.1 with a free port, or a command; their resident memory read from /proc.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/paths.ts";

/** The environment of a child: an embedded database in `dataDir`, the real data, no rate limit, no PostgreSQL. */
function childEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  return {
    ...env,
    HOST: "127.0.0.1",
    PORT: "0",
    MAILLAGE_DATA_DIR: dataDir,
    MAILLAGE_REFERENCE_DIR: join(ROOT, "data"),
    MAILLAGE_RATE_LIMIT: "0",
    MAILLAGE_SECRET: "fiabilite-secret-de-test-32-caracteres-au-moins",
    LOG_LEVEL: "warn",
  };
}

/** Resident memory of a process now and its peak so far (bytes), from /proc (Linux). */
export function rss(pid: number): { now: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { now: kb("VmRSS"), peak: kb("VmHWM") };
}

export interface Server {
  url: string;
  child: ChildProcess;
  pid: number;
  /** Stops it (SIGTERM) and waits for its exit. */
  stop(): Promise<void>;
  /** kill -9, and waits for its exit. */
  kill(): Promise<void>;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });

/** Starts `maillage serve` and resolves with its address once it says it is ready (at most `timeoutMs`). */
export function startServer(dataDir: string, timeoutMs = 180_000): Promise<Server> {
  const child = spawn(process.execPath, [join(ROOT, "scripts", "start.mjs"), "serve"], {
    cwd: ROOT,
    env: childEnv(dataDir),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server not ready after ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (d: string) => {
      stderr += d;
      const m = /prêt en [\d.]+ s : (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m?.[1]) {
        clearTimeout(timer);
        stderr = "";
        const server: Server = {
          url: m[1],
          child,
          pid: child.pid as number,
          async stop() {
            child.kill("SIGTERM");
            await exited(child);
          },
          async kill() {
            child.kill("SIGKILL");
            await exited(child);
          },
        };
        resolve(server);
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before being ready:\n${stderr}`));
    });
  });
}

export interface CommandRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory seen (bytes, polled every 100 ms from /proc). */
  peakRss: number;
  seconds: number;
}

/**
 * Runs `maillage <args>`; `killWhen` is polled every 100 ms and kill -9's the command when it returns true.
 * Bounded by `timeoutMs` (then killed too).
 */
export function runCommand(
  dataDir: string,
  args: string[],
  opts: { timeoutMs?: number; killWhen?: () => boolean } = {},
): Promise<CommandRun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(ROOT, "scripts", "start.mjs"), ...args], {
    cwd: ROOT,
    env: childEnv(dataDir),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let peakRss = 0;
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const poll = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rss(child.pid as number).peak);
    } catch {
      // exited meanwhile
    }
    if (opts.killWhen?.()) child.kill("SIGKILL");
  }, 100);
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 600_000);
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, peakRss, seconds: (performance.now() - t0) / 1000 });
    });
  });
}
