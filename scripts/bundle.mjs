// The bundle that `npm start` runs: src/ as one ES module built with esbuild (≈0.2 s), rebuilt only when a source
// (or this script) is newer than it. Dependencies stay in node_modules (not bundled). Used by scripts/start.mjs,
// and by scripts/run-tests.mjs, which builds it once before the test files run the commands through it.
import { renameSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
export const BUNDLE = join(root, "node_modules", ".cache", "maillage", "cli.mjs");

/** Files that find their neighbours (assets, method files, the standard's schema) keep their own folder. */
const keepDirname = {
  name: "keep-dirname",
  setup(b) {
    b.onLoad({ filter: /[/\\]src[/\\].*\.tsx?$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      return {
        contents: text.replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path))),
        loader: args.path.endsWith(".tsx") ? "tsx" : "ts",
      };
    });
  },
};

/** Newest modification time of the sources (and of this script), to rebuild only when something changed. */
async function newestSource(dir) {
  let newest = (await stat(import.meta.filename)).mtimeMs;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && /\.(tsx?|json|css)$/.test(e.name)) {
      newest = Math.max(newest, (await stat(join(e.parentPath ?? e.path, e.name))).mtimeMs);
    }
  }
  return newest;
}

/** Builds the bundle when it is missing or older than a source; returns its path. */
export async function bundle() {
  const built = await stat(BUNDLE).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  if (built >= (await newestSource(join(root, "src")))) return BUNDLE;
  // Written under another name, then renamed: processes starting at the same time (test files four at a time, a
  // command beside a server) never import half a bundle.
  const partial = `${BUNDLE}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(root, "src", "cli.ts")],
    outfile: partial,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    jsx: "automatic",
    jsxImportSource: "preact",
    plugins: [keepDirname],
    logLevel: "warning",
    // External packages are resolved from the bundle's folder, inside node_modules: they are found.
    banner: { js: "// Built by scripts/bundle.mjs from src/ — do not edit." },
  });
  renameSync(partial, BUNDLE);
  return BUNDLE;
}
