/**
 * Answers kept in memory once written (a page, a JSON answer), with their gzip made once: compressing a 10 KB answer
 * at every request cost more than writing it (a zlib stream and its buffers per response).
 */
import { gzipSync } from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";

export interface KeptText {
  text: string;
  gzip: Buffer;
}

export const keepText = (text: string): KeptText => ({ text, gzip: gzipSync(text) });

/** Whether the client takes gzip (every browser, curl --compressed). */
export const acceptsGzip = (req: FastifyRequest): boolean =>
  /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));

/** Sends a kept answer: its gzip to the clients that take it, its text to the others. */
export function sendKept(
  req: FastifyRequest,
  reply: FastifyReply,
  kept: KeptText,
  type: string,
): FastifyReply {
  reply.header("vary", "accept-encoding").type(type);
  return acceptsGzip(req) ? reply.header("content-encoding", "gzip").send(kept.gzip) : reply.send(kept.text);
}
