/**
 * The secret that signs questionnaire tokens: MAILLAGE_SECRET when set (needed when several servers share the
 * work), else a random secret generated once and kept in the data folder (never in the repository).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const SECRET_FILE = "diagnostic-secret";
const MIN_LENGTH = 32;

export function loadSecret(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  const fromEnv = env.MAILLAGE_SECRET;
  if (fromEnv) {
    if (fromEnv.length < MIN_LENGTH)
      throw new Error(`MAILLAGE_SECRET doit compter au moins ${MIN_LENGTH} caractères.`);
    return Buffer.from(fromEnv, "utf8");
  }
  const file = join(dataDir, SECRET_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    // "wx": if another process created it in between, keep theirs.
    try {
      writeFileSync(file, randomBytes(32).toString("hex"), { flag: "wx", mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    chmodSync(file, 0o600);
  }
  const text = readFileSync(file, "utf8").trim();
  if (text.length < MIN_LENGTH)
    throw new Error(`${file} : secret trop court (${MIN_LENGTH} caractères au moins).`);
  return Buffer.from(text, "utf8");
}
