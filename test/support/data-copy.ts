import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { DATA_DIR } from "./paths.ts";

/** A throw-away copy of the real data folder, to damage one file of it in a test. */
export function copyDataDir(): {
  dir: string;
  rewrite(file: string, edit: (text: string) => string): void;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), "maillage-data-"));
  cpSync(DATA_DIR, dir, { recursive: true });
  return {
    dir,
    rewrite(file, edit) {
      const path = join(dir, file);
      writeFileSync(path, gzipSync(edit(gunzipSync(readFileSync(path)).toString("utf8"))));
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
