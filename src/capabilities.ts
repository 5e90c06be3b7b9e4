import { accounts } from "./accounts/capability.ts";
import { activites } from "./activites/capability.ts";
import type { Capability } from "./context.ts";
import { coverage } from "./coverage/capability.ts";
import { diagnostic } from "./diagnostic/capability.ts";
import { fragility } from "./fragility/capability.ts";
import { indicateurs } from "./indicateurs/capability.ts";
import { mandats } from "./mandats/capability.ts";
import { orientation } from "./orientation/capability.ts";
import { pass } from "./pass/capability.ts";
import { places } from "./places/capability.ts";

/**
 * Every capability of the application, in the order their territory-page sections appear; accounts (no section)
 * first, so that its hooks come before every other route.
 */
export const capabilities: Capability[] = [
  accounts,
  fragility,
  places,
  diagnostic,
  coverage,
  orientation,
  pass,
  mandats,
  activites,
  indicateurs,
];
