/**
 * The secret that signs questionnaire tokens: MAILLAGE_SECRET when set (needed when several servers share the
 * work), else a random secret generated once and kept in the data folder (never in the repository).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MIN_SECRET_LENGTH } from "../platform/config.ts";

export const SECRET_FILE = "diagnostic-secret";

/** The configured secret (`Config.secret`, already checked), else the one kept in `dataDir`. */
export function loadSecret(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, "utf8");
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
  if (text.length < MIN_SECRET_LENGTH)
    throw new Error(`${file} : secret trop court (${MIN_SECRET_LENGTH} caractères au moins).`);
  return Buffer.from(text, "utf8");
}
