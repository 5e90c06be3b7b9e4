#!/usr/bin/env node
// `npm start` and `npm run maillage`: bundles src/ into one ES module with esbuild (≈0.2 s), then runs it with
// plain Node. Loading TypeScript through tsx at every start cost about a second more (its loader hook runs for
// each of the hundreds of files of the dependencies). Dependencies stay in node_modules (not bundled).
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
const outfile = join(root, "node_modules", ".cache", "maillage", "cli.mjs");

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
const built = await stat(outfile).then(
  (s) => s.mtimeMs,
  () => 0,
);
if (built < (await newestSource(join(root, "src"))))
  await build({
    entryPoints: [join(root, "src", "cli.ts")],
    outfile,
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
    banner: { js: "// Built by scripts/start.mjs from src/ — do not edit." },
  });
const { run } = await import(pathToFileURL(outfile).href);
await run(process.argv.slice(2));
