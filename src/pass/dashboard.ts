/**
 * The programme dashboard: why cheques go unused. From the booklets' and cheques' states: the funnel ordered →
 * allocated → handed → first cheque used → booklet completed; by prescriber, place, commune and month; the median
 * delay between handing and first use; booklets sleeping at a prescriber; the share of beneficiaries whose commune
 * has no labelled place within 15 km (the coverage's nearest-point index and detour factor).
 */
import { sql } from "kysely";
import writeXlsxFile from "write-excel-file/node";
import { DEFAULT_PARAMS } from "../coverage/model.ts";
import { SphereIndex } from "../coverage/sphere.ts";
import { addDays, type Day } from "../platform/clock.ts";
import type { Db } from "../platform/db.ts";

/** Below this, a count of beneficiaries of a commune is not shown (as the diagnostic's statistics do). */
const MIN_CELL = 5;
const hidden = (v: number): number | null => (v < MIN_CELL ? null : v);

export interface Funnel {
  ordered: number;
  allocated: number;
  handed: number;
  firstUsed: number;
  completed: number;
  cancelled: number;
  redeemedCheques: number;
  redeemedCents: number;
  expiredCheques: number;
  medianDaysToFirstUse: number | null;
  /** Share (0–1) of handed booklets whose commune has no labelled place within 15 km; null when none handed. */
  farShare: number | null;
  sleeping: number;
  unusedAfter8Weeks: number;
  byPrescriber: { organisationId: number; allocated: number; handed: number; firstUsed: number }[];
  byPlace: { organisationId: number; redeemed: number }[];
  /** Counts below MIN_CELL are null. */
  byCommune: { commune: string; handed: number | null; firstUsed: number | null }[];
  byMonth: { month: string; handed: number; redeemed: number }[];
}

const num = (v: unknown) => Number(v ?? 0);

/**
 * The dashboard of a programme on `today` (its zone's day). `placePoints` are the locations of the places run by
 * its labelled organisations; `communePoint` the reference point of a commune.
 */
export async function programmeFunnel(
  db: Db,
  programmeId: number,
  today: Day,
  placePoints: { lat: number; lon: number }[],
  communePoint: (code: string) => { lat: number; lon: number } | null,
  communeName: (code: string) => string,
): Promise<Funnel> {
  const q = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(db)).rows;
  // Per booklet: its state, prescriber, commune, handing day, first use and cheques used.
  const perBooklet = sql`SELECT b.serial, b.state, b.allocated_to, b.allocated_at, b.commune_code, b.handed_on,
      min(c.redeemed_on) AS first_use, count(c.redeemed_on) AS used, count(*) AS size
    FROM pass_booklet b JOIN pass_cheque c ON c.serial = b.serial
    WHERE b.programme_id = ${programmeId} GROUP BY b.serial`;
  const [totals] = await q<Record<string, unknown>>(sql`SELECT
      count(*) AS ordered,
      count(*) FILTER (WHERE allocated_to IS NOT NULL) AS allocated,
      count(*) FILTER (WHERE state = 'remis') AS handed,
      count(*) FILTER (WHERE used > 0) AS first_used,
      count(*) FILTER (WHERE used = size) AS completed,
      count(*) FILTER (WHERE state = 'annule') AS cancelled,
      count(*) FILTER (WHERE state = 'attribue' AND allocated_at < ${addDays(today, -30)}::date) AS sleeping,
      count(*) FILTER (WHERE state = 'remis' AND used = 0 AND handed_on <= ${addDays(today, -56)}) AS unused,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY first_use::date - handed_on::date) AS median
    FROM (${perBooklet}) x`);
  const [cheques] = await q<Record<string, unknown>>(sql`SELECT
      count(*) FILTER (WHERE c.state = 'encaisse') AS redeemed,
      coalesce(sum(p.face_value_cents) FILTER (WHERE c.state = 'encaisse'), 0) AS cents,
      count(*) FILTER (WHERE c.state = 'expire') AS expired
    FROM pass_cheque c JOIN pass_programme p ON p.id = c.programme_id WHERE c.programme_id = ${programmeId}`);
  const byPrescriber = await q<Record<string, unknown>>(sql`SELECT allocated_to,
      count(*) AS allocated, count(*) FILTER (WHERE state = 'remis') AS handed, count(*) FILTER (WHERE used > 0) AS first_used
    FROM (${perBooklet}) x WHERE allocated_to IS NOT NULL GROUP BY allocated_to ORDER BY allocated DESC`);
  const byPlace = await q<Record<string, unknown>>(sql`SELECT redeemed_by, count(*) AS n FROM pass_cheque
    WHERE programme_id = ${programmeId} AND state = 'encaisse' GROUP BY redeemed_by ORDER BY n DESC`);
  const byCommune = await q<Record<string, unknown>>(sql`SELECT commune_code, count(*) AS handed,
      count(*) FILTER (WHERE used > 0) AS first_used
    FROM (${perBooklet}) x WHERE state = 'remis' GROUP BY commune_code ORDER BY handed DESC, commune_code`);
  const byMonth = await q<
    Record<string, unknown>
  >(sql`SELECT month, sum(handed) AS handed, sum(redeemed) AS redeemed FROM (
      SELECT substr(handed_on, 1, 7) AS month, 1 AS handed, 0 AS redeemed FROM pass_booklet
        WHERE programme_id = ${programmeId} AND handed_on IS NOT NULL
      UNION ALL
      SELECT substr(redeemed_on, 1, 7), 0, 1 FROM pass_cheque WHERE programme_id = ${programmeId} AND redeemed_on IS NOT NULL
    ) m GROUP BY month ORDER BY month`);
  // Beneficiaries far from any labelled place: the nearest by great circle, times the coverage's detour factor.
  const index = placePoints.length > 0 ? new SphereIndex(placePoints) : null;
  let far = 0;
  let handed = 0;
  for (const r of byCommune) {
    const count = num(r.handed);
    handed += count;
    const point = communePoint(String(r.commune_code));
    const nearest = index && point ? index.nearest(point.lat, point.lon) : null;
    if (!nearest || nearest.km * DEFAULT_PARAMS.detour > DEFAULT_PARAMS.ruralKm) far += count;
  }
  const t = totals ?? {};
  return {
    ordered: num(t.ordered),
    allocated: num(t.allocated),
    handed: num(t.handed),
    firstUsed: num(t.first_used),
    completed: num(t.completed),
    cancelled: num(t.cancelled),
    redeemedCheques: num(cheques?.redeemed),
    redeemedCents: num(cheques?.cents),
    expiredCheques: num(cheques?.expired),
    medianDaysToFirstUse: t.median === null || t.median === undefined ? null : Math.round(num(t.median)),
    farShare: handed > 0 ? far / handed : null,
    sleeping: num(t.sleeping),
    unusedAfter8Weeks: num(t.unused),
    byPrescriber: byPrescriber.map((r) => ({
      organisationId: num(r.allocated_to),
      allocated: num(r.allocated),
      handed: num(r.handed),
      firstUsed: num(r.first_used),
    })),
    byPlace: byPlace.map((r) => ({ organisationId: num(r.redeemed_by), redeemed: num(r.n) })),
    byCommune: byCommune.map((r) => ({
      commune: communeName(String(r.commune_code)),
      handed: hidden(num(r.handed)),
      firstUsed: hidden(num(r.first_used)),
    })),
    byMonth: byMonth.map((r) => ({
      month: String(r.month),
      handed: num(r.handed),
      redeemed: num(r.redeemed),
    })),
  };
}

/** The dashboard as rows (programme, indicateur, détail, valeur), small counts hidden (null) as on the page. */
function funnelRows(
  f: Funnel,
  programmeName: string,
  organisationName: (id: number) => string,
): (string | number | null)[][] {
  return [
    ...(
      [
        ["carnets commandés", f.ordered],
        ["carnets attribués", f.allocated],
        ["carnets remis", f.handed],
        ["carnets avec un premier chèque utilisé", f.firstUsed],
        ["carnets entièrement utilisés", f.completed],
        ["carnets annulés", f.cancelled],
        ["chèques encaissés", f.redeemedCheques],
        ["montant encaissé (centimes)", f.redeemedCents],
        ["chèques expirés", f.expiredCheques],
        ["délai médian remise → premier atelier (jours)", f.medianDaysToFirstUse],
        ["carnets dormant chez un prescripteur depuis plus de 30 jours", f.sleeping],
        ["carnets remis non utilisés après 8 semaines", f.unusedAfter8Weeks],
      ] as const
    ).map(([k, v]) => [programmeName, k, "", v]),
    ...f.byPrescriber.map((r) => [
      programmeName,
      "carnets remis par prescripteur",
      organisationName(r.organisationId),
      r.handed,
    ]),
    ...f.byPlace.map((r) => [
      programmeName,
      "chèques encaissés par lieu",
      organisationName(r.organisationId),
      r.redeemed,
    ]),
    ...f.byCommune.map((r) => [programmeName, "carnets remis par commune", r.commune, r.handed]),
    ...f.byMonth.map((r) => [programmeName, "chèques encaissés par mois", r.month, r.redeemed]),
  ];
}

const HEADER = ["programme", "indicateur", "detail", "valeur"];
const shown = (v: string | number | null) => (v === null ? "moins de 5" : v);

/** The dashboard as CSV (semicolons, French spreadsheets' default; UTF-8 with its mark). */
export function funnelCsv(
  f: Funnel,
  programmeName: string,
  organisationName: (id: number) => string,
): string {
  const cell = (v: string | number | null) => {
    const s = String(shown(v));
    return /[";\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [HEADER, ...funnelRows(f, programmeName, organisationName)];
  return `\uFEFF${lines.map((l) => l.map(cell).join(";")).join("\r\n")}\r\n`;
}

/** The dashboard as a spreadsheet (XLSX): the same rows, numbers as numbers. */
export async function funnelXlsx(
  f: Funnel,
  programmeName: string,
  organisationName: (id: number) => string,
): Promise<Buffer> {
  const rows = [HEADER, ...funnelRows(f, programmeName, organisationName)].map((l) =>
    l.map((v) => ({ value: shown(v) })),
  );
  return writeXlsxFile(rows, { sheet: "Tableau de bord" }).toBuffer();
}
