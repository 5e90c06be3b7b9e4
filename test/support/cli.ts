import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");

/**
 * Runs `maillage <args>` as a child process and returns its exit code and output. The embedded database of
 * MAILLAGE_DATA_DIR is used even when the suite runs with DATABASE_URL (cleared unless `env` sets it).
 */
export async function cli(
  args: string[],
  env: Record<string, string> = {},
  /**
   * By default `scripts/start.mjs`, the entry of `npm start` and `npm run maillage`: the bundle of src/ (built once
   * by scripts/run-tests.mjs before the test files start), run by plain Node, about 2 s of CPU less per command
   * than the sources through tsx. `src/cli.ts` runs the sources through tsx (`node --import tsx src/cli.ts`).
   */
  entry: "src/cli.ts" | "scripts/start.mjs" = "scripts/start.mjs",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const launcher = entry === "src/cli.ts" ? ["--import", "tsx", entry] : [entry];
  try {
    const r = await run(process.execPath, [...launcher, ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: "", ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
