import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { sql } from "kysely";
import type { Db } from "../../src/platform/db.ts";

const ROOT = join(import.meta.dirname, "..", "..");

export interface ServeProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything written on stderr so far. */
  stderr(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
  /** kill -9, then waits for the exit. */
  kill(): Promise<void>;
}

/**
 * `maillage serve` as a child process, as people run it (`npm start`: the bundle of scripts/start.mjs; PORT=0: a
 * free port); resolves when it prints that it is
 * ready, rejects when it exits before or after `timeoutMs`.
 */
export async function spawnServe(env: Record<string, string>, timeoutMs = 240_000): Promise<ServeProcess> {
  const child = spawn(process.execPath, ["scripts/start.mjs", "serve"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: "",
      PORT: "0",
      LOG_LEVEL: "silent",
      MAILLAGE_RATE_LIMIT: "0",
      ...env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  const exited = once(child, "exit");
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve not ready after ${timeoutMs} ms:\n${err}`));
    }, timeoutMs);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (d: string) => {
      err += d;
      const m = /Maillage est prêt en [\d.]+ s : (http:\/\/\S+)/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before being ready:\n${err}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      await exited;
    }
  };
  return {
    url,
    pid: child.pid ?? 0,
    child,
    stderr: () => err,
    stop: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
  };
}

/** Rows of every table of the current schema. */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db);
  const out: Record<string, number> = {};
  for (const { name } of tables.rows) {
    const r = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.id(name)}`.execute(db);
    out[name] = Number(r.rows[0]?.n);
  }
  return out;
}
