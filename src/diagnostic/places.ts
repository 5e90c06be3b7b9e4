/**
 * From a diagnostic's result to the orientation finder: the query (what to look for near the person's commune),
 * the matching places and the finder's prefilled address. The ranking itself is orientation's.
 */
import type { AppContext } from "../context.ts";
import {
  emptyQuery,
  MODALITY_SLUGS,
  type ModalitySlug,
  type OrientationQuery,
  type OrientationResult,
  type Service,
  SUPPORT_SLUGS,
  type SupportSlug,
} from "../orientation/model.ts";
import { orient } from "../orientation/service.ts";
import { finderUrl } from "../orientation/url.ts";
import type { Territory } from "../territories/model.ts";
import type { DiagnosticResult } from "./model.ts";

const PLACES_SHOWN = 5;

/**
 * The finder's query for a result: the first recommended service is required (the others would exclude too many
 * places); the ways of helping and the specific care for the barriers rank the places.
 */
export function orientationQuery(result: DiagnosticResult, commune: Territory): OrientationQuery {
  const supports = (Object.keys(SUPPORT_SLUGS) as SupportSlug[]).filter((slug) =>
    SUPPORT_SLUGS[slug].values.some((v) => result.priseEnCharge.includes(v)),
  );
  const modalites = (Object.keys(MODALITY_SLUGS) as ModalitySlug[]).filter((slug) =>
    result.modalites.includes(MODALITY_SLUGS[slug].value),
  );
  return {
    ...emptyQuery(commune.id),
    services: result.services.slice(0, 1) as Service[],
    supports,
    modalites,
    limit: PLACES_SHOWN,
  };
}

/** Places near the commune that match the result (orientation's ranking), nearest good ones first. */
export async function matchingPlaces(
  ctx: AppContext,
  result: DiagnosticResult,
  commune: Territory,
  now: Date = ctx.clock.now(),
): Promise<OrientationResult[]> {
  const outcome = await orient(ctx, orientationQuery(result, commune), now);
  return outcome?.results.slice(0, PLACES_SHOWN) ?? [];
}

/** The finder, prefilled with the result's query. */
export const moreHref = (result: DiagnosticResult, commune: Territory) =>
  finderUrl(orientationQuery(result, commune));
