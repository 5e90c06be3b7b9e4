/**
 * The house rule between capabilities: a capability uses another's model and pure core only, never its store
 * (tables), routes, views, commands or wiring; and no capability imports the application (`app.ts`, `server.ts`,
 * `cli.ts`, `capabilities.ts`) — the context is a types-only module (`context.ts`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative, resolve } from "node:path";
import ts from "typescript";

const CAPABILITIES = [
  "territories",
  "places",
  "fragility",
  "coverage",
  "orientation",
  "diagnostic",
  "indicateurs",
];
/** Files of a capability that others must not import (paths inside the capability folder). */
const PRIVATE = [
  /^store(\.ts$|\/)/,
  /^routes\.tsx?$/,
  /^views\//,
  /^cli\.ts$/,
  /^capability\.ts$/,
  /^sync\.ts$/,
];
const APPLICATION = ["app.ts", "server.ts", "cli.ts", "capabilities.ts"];

export interface Violation {
  file: string;
  imports: string;
  why: string;
}

/**
 * The imports of `files` (path relative to src/ → source text) that break the rule. Paths use "/" separators.
 * Type-only imports count as well: a type from another capability's store still ties the two together.
 */
export function importViolations(files: Map<string, string>): Violation[] {
  const out: Violation[] = [];
  for (const [file, text] of files) {
    const [owner] = file.split("/");
    if (!owner || !CAPABILITIES.includes(owner)) continue;
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      if (!ref.fileName.startsWith(".")) continue;
      const target = posix.normalize(posix.join(posix.dirname(file), ref.fileName));
      if (target.startsWith("..")) continue;
      if (APPLICATION.includes(target)) {
        out.push({
          file,
          imports: target,
          why: "une capacité n'importe pas l'application (utiliser context.ts)",
        });
        continue;
      }
      const [other, ...rest] = target.split("/");
      if (!other || other === owner || !CAPABILITIES.includes(other)) continue;
      const inner = rest.join("/");
      if (PRIVATE.some((re) => re.test(inner))) {
        out.push({ file, imports: target, why: `fichier privé de la capacité « ${other} »` });
      }
    }
  }
  return out;
}

/** Every .ts/.tsx file under `root` (src/), as path relative to it → text. */
export function readSources(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name))
        files.set(relative(root, p).split("\\").join("/"), readFileSync(p, "utf8"));
    }
  };
  walk(root);
  return files;
}

export const SRC = resolve(dirname(new URL(import.meta.url).pathname), "../../src");
