import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type KeptText, keepText, sendKept } from "./kept.ts";

/** What `sendPage` rendered for a reply: the page cache reads it once the handler is done. */
const rendered = new WeakMap<FastifyReply, { status: number; html: string }>();

export function noteRendered(reply: FastifyReply, status: number, html: string): void {
  rendered.set(reply, { status, html });
}

interface Entry {
  generation: string;
  page: KeptText;
  etag: string;
}

type Handler<Q> = (req: FastifyRequest<{ Querystring: Q }>, reply: FastifyReply) => Promise<unknown>;

/**
 * Pages that depend only on data changed by an import or a computation (not on the clock nor on who asks), kept
 * rendered and gzipped per data generation: the next request for the same address is answered from memory, with
 * an ETag so that browsers and proxies revalidate for a 304. Least recently used pages leave first, within a
 * budget of bytes; a new generation makes every kept page stale.
 */
export class PageCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    /** The data generation (changes whenever a cached page could change); read at every request. */
    private readonly generation: () => Promise<string>,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  wrap<Q>(handler: Handler<Q>): Handler<Q> {
    return async (req, reply) => {
      const generation = await this.generation();
      const key = req.url;
      const hit = this.entries.get(key);
      if (hit && hit.generation === generation) {
        this.hits++;
        this.entries.delete(key);
        this.entries.set(key, hit);
        return this.serve(req, reply, hit);
      }
      this.misses++;
      const out = await handler(req, reply);
      const page = rendered.get(reply);
      if (page?.status === 200) this.store(key, generation, page.html);
      return out;
    };
  }

  private serve(req: FastifyRequest, reply: FastifyReply, e: Entry): FastifyReply {
    reply.header("etag", e.etag).header("cache-control", "public, no-cache");
    if (req.headers["if-none-match"] === e.etag) return reply.code(304).send();
    return sendKept(req, reply.code(200), e.page, "text/html; charset=utf-8");
  }

  private store(key: string, generation: string, html: string): void {
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    const entry = {
      generation,
      page: keepText(html),
      etag: `"${createHash("sha1").update(generation).update(html).digest("base64url").slice(0, 22)}"`,
    };
    const size = (e: Entry) => e.page.text.length * 2 + e.page.gzip.length;
    if (size(entry) > this.maxBytes / 4) return;
    this.entries.set(key, entry);
    this.bytes += size(entry);
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(k, e);
    }
  }

  private drop(key: string, e: Entry): void {
    this.entries.delete(key);
    this.bytes -= e.page.text.length * 2 + e.page.gzip.length;
  }
}
