// The warm start's reference: a bare script that opens the same embedded database (PGlite, the same settings as
// Maillage's) and listens with Fastify, nothing else. Plain Node, as `npm start` runs the bundled application.
// Usage: node bench/bare-start.mjs <data folder>; prints « prêt » on stderr once listening, stops on SIGTERM.
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import Fastify from "fastify";

const db = await PGlite.create(join(process.argv[2], "db"), {
  startParams: [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"],
});
await db.query("SELECT 1");
const app = Fastify();
app.get("/sante", async () => ({ statut: "ok" }));
await app.listen({ port: 0, host: "127.0.0.1" });
process.stderr.write("prêt\n");
process.once("SIGTERM", async () => {
  await app.close();
  await db.close();
  process.exit(0);
});
