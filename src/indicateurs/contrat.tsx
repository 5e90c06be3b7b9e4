import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";

export function registerContratRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
