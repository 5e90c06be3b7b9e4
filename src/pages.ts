import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "./context.ts";
import { PageCache } from "./platform/page-cache.ts";

const caches = new WeakMap<AppContext, PageCache>();

/**
 * The generation of the data behind the cached pages: the published places (checked against the last import, as
 * every read does) and the computed fragility methods. Territories change only with a restart.
 */
async function dataGeneration(ctx: AppContext): Promise<string> {
  await ctx.places.all();
  const methods = await ctx.fragility.methods();
  return `${ctx.places.generation}|${methods.map((m) => `${m.version}@${m.computedAt.toISOString()}`).join(",")}`;
}

function pageCacheOf(ctx: AppContext): PageCache {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new PageCache(() => dataGeneration(ctx));
    caches.set(ctx, cache);
  }
  return cache;
}

/** A page handler whose output depends only on its address and the data generation: served from memory. */
export function cachedPage<Q>(
  ctx: AppContext,
  handler: (req: FastifyRequest<{ Querystring: Q }>, reply: FastifyReply) => Promise<unknown>,
) {
  return pageCacheOf(ctx).wrap(handler);
}
