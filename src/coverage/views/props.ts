/** What the coverage page is given, and the small things its parts share. */
import type { StoredMethod } from "../../fragility/model.ts";
import type { Geometry } from "../../territories/model.ts";
import type { Referential } from "../../territories/referential.ts";
import type { Candidate } from "../../territories/resolve.ts";
import type { PlanResult, PlanSiteOut, TerritoryCoverage } from "../engine.ts";
import { int } from "../format.ts";
import type { Gap, Layer } from "../model.ts";

export interface CoverageMapData {
  areas: { name: string; geometry: Geometry; distanceKm: number }[];
  places: { lat: number; lon: number; label: string }[];
  sites: PlanSiteOut[];
}

export interface PlanForm {
  sites: string;
  rayon: string;
  itinerant: boolean;
}

export interface CoveragePageProps {
  ref: Referential;
  q: string;
  layer: Layer;
  methods: StoredMethod[];
  method: StoredMethod | null;
  fixedKm?: number;
  /** Fragility threshold asked (the default when absent). */
  fragileFrom?: number;
  problem?: string;
  /** « Laquelle ? » when the typed name is ambiguous; « Vouliez-vous dire ? » when it matches nothing. */
  choices?: { title: string; candidates: Candidate[] };
  cov?: TerritoryCoverage;
  gaps?: Gap[];
  map?: CoverageMapData | null;
  plan?: PlanResult;
  planProblem?: string;
  planForm: PlanForm;
  /** Query string of the coverage view (territory, service, method, threshold), for links. */
  base: string;
}

export const GAPS_SHOWN = 50;

export const thresholdPhrase = (fixedKm: number | undefined, urbanKm: number, ruralKm: number) =>
  fixedKm !== undefined
    ? `à moins de ${int(fixedKm)} km`
    : `à moins de ${urbanKm} km en ville (commune d'une unité urbaine) ou de ${ruralKm} km à la campagne (commune rurale)`;
