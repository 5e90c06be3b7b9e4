import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "./context.ts";
import { PageCache } from "./platform/page-cache.ts";

const caches = new WeakMap<AppContext, PageCache>();
const minuteCaches = new WeakMap<AppContext, PageCache>();

/** The start of the current minute: pages that show opening hours are computed for it (the same all minute long). */
export const currentMinute = (ctx: AppContext): Date =>
  new Date(Math.floor(ctx.clock.now().getTime() / 60_000) * 60_000);

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

/**
 * A page that depends on its address, the data and the time at the minute (the finder: opening hours): kept for the
 * rest of the minute. The handler computes it for `currentMinute(ctx)`.
 */
export function cachedMinutePage<Q>(
  ctx: AppContext,
  handler: (req: FastifyRequest<{ Querystring: Q }>, reply: FastifyReply) => Promise<unknown>,
) {
  let cache = minuteCaches.get(ctx);
  if (!cache) {
    cache = new PageCache(async () => `${await dataGeneration(ctx)}|${currentMinute(ctx).getTime()}`);
    minuteCaches.set(ctx, cache);
  }
  return cache.wrap(handler);
}
