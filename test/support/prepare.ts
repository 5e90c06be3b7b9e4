/**
 * Prepares the loaded test database once, before the test files start (several run at a time and would otherwise
 * each build it at the same moment).
 */
import { rmSync } from "node:fs";
import { preparedDataDir } from "./server.ts";

rmSync(await preparedDataDir(), { recursive: true, force: true });
