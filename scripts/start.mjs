#!/usr/bin/env node
// `npm start` and `npm run maillage`: bundles src/ into one ES module with esbuild (scripts/bundle.mjs, ≈0.2 s,
// only when a source changed), then runs it with plain Node. Loading TypeScript through tsx at every start cost
// about a second more (its loader hook runs for each of the hundreds of files of the dependencies).
import { pathToFileURL } from "node:url";
import { bundle } from "./bundle.mjs";

const { run } = await import(pathToFileURL(await bundle()).href);
await run(process.argv.slice(2));
