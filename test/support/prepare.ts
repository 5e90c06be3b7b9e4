/**
 * Prepares the loaded test database once, before the test files start (several run at a time and would otherwise
 * each build it at the same moment).
 */
import { preparedTemplate } from "./server.ts";

await preparedTemplate();
