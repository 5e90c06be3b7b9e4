/** What a visitor downloads for a page (bytes on the wire, gzip), and the national cartography's bundle to compare. */
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";

/** Bytes on the wire (gzip asked) and decoded size of a GET. */
export function wire(
  url: string,
): Promise<{ status: number; gzip: number; location: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { "accept-encoding": "gzip" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks);
        const gz = res.headers["content-encoding"] === "gzip";
        const body = gz ? gunzipSync(raw).toString() : raw.toString();
        resolve({ status: res.statusCode ?? 0, gzip: raw.length, location: res.headers.location, body });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** The page and the stylesheets and scripts it references, with the modules those scripts import. */
export async function pageWeight(
  base: string,
  path: string,
): Promise<{ html: number; assets: number; total: number; files: number }> {
  const page = await wire(base + path);
  if (page.status !== 200) throw new Error(`${path}: ${page.status}`);
  const queue = [...page.body.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
  const seen = new Set<string>();
  let assets = 0;
  for (let r = queue.shift(); r !== undefined; r = queue.shift()) {
    if (seen.has(r)) continue;
    seen.add(r);
    const asset = await wire(base + r);
    assets += asset.gzip;
    if (r.endsWith(".js"))
      for (const m of asset.body.matchAll(/(?:^|[;\s])import\s*(?:[^"'()]*?from\s*)?["'](\/[^"']+)["']/g))
        if (m[1]) queue.push(m[1]);
  }
  return { html: page.gzip, assets, total: page.gzip + assets, files: 1 + seen.size };
}

/** The national cartography of the lieux de médiation numérique, v5, as installed from npm: its JS + CSS, gzip. */
export function nationalBundle(): number {
  const carto = join(import.meta.dirname, "..", "node_modules", "@gouvfr-anct", "cartographie-nationale");
  return ["mediation-numerique.js", "styles.css"].reduce(
    (n, f) => n + gzipSync(readFileSync(join(carto, f))).length,
    0,
  );
}
