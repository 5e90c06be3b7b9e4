/**
 * `npm run bench -- indicateurs`: every public indicator for all quartiers prioritaires and all communes (goal
 * < 2 s, the per-commune table built once per snapshot of the places measured apart), against one pass over the
 * same territories that only reads their communes (the reference of the same run); a département's dashboard
 * (server p50) against `/sante`; the XLSX export for France.
 */
import { computeAll, parsePeriod } from "../src/indicateurs/compute.ts";
import { startTestServer } from "../test/support/server.ts";
import { median, report } from "./stats.ts";

export async function benchIndicators(): Promise<void> {
  console.log("# Indicateurs");
  const server = await startTestServer();
  try {
    const ctx = server.ctx;
    const p = parsePeriod("2026", ctx.clock.now());
    if (!p.ok) throw new Error(p.message);
    const period = p.period;
    const ref = ctx.territories;
    const qpvs = ref.qpvsOf(null);
    const communes = ref.all.filter((t) => t.kind === "commune");
    let t = performance.now();
    await ctx.qpv.locate();
    report(
      "lieux situés dans les quartiers et à 300 m (une fois par version des lieux)",
      performance.now() - t,
      "ms",
    );
    t = performance.now();
    await computeAll(ctx, null, period, false);
    report(
      "table par commune des indicateurs publics (une fois par version des lieux)",
      performance.now() - t,
      "ms",
    );
    const all = [...qpvs, ...communes];
    t = performance.now();
    let n = 0;
    for (const x of all) n += Object.keys(await computeAll(ctx, x, period, false)).length;
    const everything = performance.now() - t;
    report(
      `tous les indicateurs publics (${n} valeurs) des ${qpvs.length} QPV et ${communes.length} communes`,
      everything,
      "ms",
      "< 2 000 ms",
    );
    t = performance.now();
    let c = 0;
    for (const x of all) c += ref.communesOf(x).length;
    const reading = performance.now() - t;
    report(`référence : lire les communes de ces territoires (${c})`, reading, "ms");
    report("  rapport", everything / Math.max(reading, 0.001), "×");

    const times: number[] = [];
    const sante: number[] = [];
    for (let i = 0; i < 25; i++) {
      let s = performance.now();
      await (await fetch(`${server.url}/indicateurs?territoire=13`)).arrayBuffer();
      if (i >= 5) times.push(performance.now() - s);
      s = performance.now();
      await (await fetch(`${server.url}/sante`)).arrayBuffer();
      if (i >= 5) sante.push(performance.now() - s);
    }
    report(
      "tableau de bord d'un département (/indicateurs?territoire=13), temps serveur p50",
      median(times),
      "ms",
    );
    report("référence : GET /sante p50, dans la même boucle", median(sante), "ms");
    report("  rapport", median(times) / median(sante), "×");
    const xt: number[] = [];
    let size = 0;
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      const res = await fetch(`${server.url}/indicateurs.xlsx?territoire=france&periode=2026`);
      size = (await res.arrayBuffer()).byteLength;
      xt.push(performance.now() - s);
    }
    const ct: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      await (await fetch(`${server.url}/indicateurs.csv?territoire=france&periode=2026`)).arrayBuffer();
      ct.push(performance.now() - s);
    }
    report(`export XLSX de la France (${Math.round(size / 1024)} Ko), p50 de 5`, median(xt), "ms");
    report("référence : le même tableau en CSV, p50 de 5", median(ct), "ms");
    report("  rapport", median(xt) / median(ct), "×");
  } finally {
    await server.close();
  }
}
