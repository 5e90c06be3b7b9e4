/**
 * Indicators: the dashboards (`/indicateurs`), the definitions, the exports (CSV, XLSX with a definitions sheet),
 * the API (`GET /api/v1/indicateurs`), the contrat de ville view with its targets and the printable portrait.
 * Public-data indicators for everyone; operational ones for signed-in coordinators and financeurs of the territory.
 */
import { join } from "node:path";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import writeXlsxFile from "write-excel-file/node";
import { z } from "zod";
import { can } from "../accounts/policy.ts";
import { authorize, signInHref, within } from "../accounts/web.ts";
import type { AppContext, IndicatorDefinition, IndicatorValue } from "../context.ts";
import { csvCell } from "../platform/csv.ts";
import { readJson } from "../platform/files.ts";
import { HttpError, sendPage } from "../platform/http.ts";
import { DATA } from "../platform/provenance.ts";
import { problem } from "../platform/schema.ts";
import { OLD_QPV_CODE, type Territory } from "../territories/model.ts";
import { resolveTerritory } from "../territories/resolve.ts";
import { computeAll, computeMonthly, definitions, monthsOf, type Period, parsePeriod } from "./compute.ts";
import { byFamily, type Column, DashboardPage, DefinitionsPage } from "./views.tsx";

const str = (v: unknown, max: number) => (typeof v === "string" ? v.slice(0, max) : "");

export type IndicatorQuery = { territoire?: string; periode?: string; indicateurs?: string };

/** Where a territory parameter leads: a territory, France, or an error (404 unknown, 404 old QPV code). */
export function territoryOf(ctx: AppContext, raw: string): Territory | null {
  const text = raw.trim();
  if (text === "" || text.toLowerCase() === "france") return null;
  const compact = text.replace(/\s+/g, "").toUpperCase();
  if (OLD_QPV_CODE.test(compact)) throw new HttpError(404, "Ancien quartier", oldQpvMessage(ctx, compact));
  const r = resolveTerritory(text, { referential: ctx.territories, search: ctx.search, prefer: "code" });
  if (r.kind === "found") return r.territory;
  if (r.kind === "ambiguous")
    throw new HttpError(
      400,
      "Territoire ambigu",
      `« ${text.slice(0, 100)} » désigne plusieurs territoires : ${r.candidates
        .slice(0, 5)
        .map((c) => `${c.label} (${c.territory.id})`)
        .join(", ")}. Donnez son code.`,
    );
  throw new HttpError(
    404,
    "Territoire inconnu",
    `Aucun territoire ne correspond à « ${text.slice(0, 100)} ».`,
  );
}

/** The 2015 quartiers of Occitanie (the only ones whose communes are known), read once. */
let oldQpvs: Map<string, { name: string; communes: string[] }> | null = null;

export async function loadOldQpvs(ctx: AppContext): Promise<void> {
  if (oldQpvs) return;
  const json = (await readJson(join(ctx.config.referenceDir, DATA.qpv2015Occitanie.path))) as {
    features?: { properties?: Record<string, unknown> }[];
  };
  const map = new Map<string, { name: string; communes: string[] }>();
  for (const f of json.features ?? []) {
    const p = f.properties ?? {};
    const code = String(p.code_qp ?? "");
    const e = map.get(code) ?? { name: String(p.nom_qp ?? ""), communes: [] };
    const c = String(p.code_commune ?? "");
    if (c && !e.communes.includes(c)) e.communes.push(c);
    map.set(code, e);
  }
  oldQpvs = map;
}

function oldQpvMessage(ctx: AppContext, code: string): string {
  const old = oldQpvs?.get(code);
  const base = `Le code ${code} est celui d'un quartier prioritaire de la liste 2015 : cet ancien quartier n'existe plus depuis la liste 2024.`;
  if (!old)
    return `${base} Ses communes ne sont pas connues ici : cherchez la commune pour voir ses quartiers actuels.`;
  const communes = old.communes
    .map((c) => ctx.territories.get(c) ?? ctx.territories.currentOf(c))
    .filter((t) => !!t) as Territory[];
  const now = communes.flatMap((c) => ctx.territories.qpvsOf(c));
  return `${base} Il s'appelait « ${old.name} » et était à ${communes.map((c) => `${c.name} (${c.id})`).join(", ")}.${
    now.length > 0
      ? ` Quartiers actuels de ces communes : ${now.map((q) => `${q.name} (${q.id})`).join(", ")}.`
      : ""
  }`;
}

/** Whether the request may see operational indicators of this territory (France: administrators only). */
function operationalAccess(
  ctx: AppContext,
  req: FastifyRequest,
  t: Territory | null,
): { allowed: true } | { allowed: false; status: 401 | 403; reason: string } {
  const d = can(req.actor ?? null, "indicateur.operationnel", t ? { territoryId: t.id } : {}, (a, b) =>
    within(ctx, a, b),
  );
  if (!d.allowed && d.status === 403 && !t)
    return {
      ...d,
      reason: "Les chiffres d'activité de la France entière sont réservés aux administrateurs.",
    };
  return d;
}

/** The indicators a request names (`indicateurs=a,b`), all when absent; unknown ids are a 400. */
function selected(ctx: AppContext, raw: string | undefined): IndicatorDefinition[] | null {
  const all = definitions(ctx);
  if (!raw || raw.trim() === "") return null;
  const ids = raw
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !all.some((d) => d.id === id));
  if (unknown.length > 0)
    throw new HttpError(
      400,
      "Indicateur inconnu",
      `Indicateur inconnu : ${unknown
        .slice(0, 5)
        .map((u) => `« ${u.slice(0, 60)} »`)
        .join(", ")}. La liste est sur /indicateurs/definitions.`,
    );
  return all.filter((d) => ids.includes(d.id));
}

export interface IndicatorRequest {
  t: Territory | null;
  name: string;
  period: Period;
  defs: IndicatorDefinition[];
  operational: boolean;
  access: ReturnType<typeof operationalAccess>;
  /** Whether the person may see the operational figures of another territory (a comparison column). */
  mayOperate: (t: Territory | null) => boolean;
}

/** Reads and checks a request's territory, period and indicators; operational ones asked for without right: 401/403. */
export async function readRequest(
  ctx: AppContext,
  req: FastifyRequest<{ Querystring: IndicatorQuery }>,
): Promise<IndicatorRequest> {
  await loadOldQpvs(ctx);
  const t = territoryOf(ctx, str(req.query.territoire, 100));
  const p = parsePeriod(str(req.query.periode, 20), ctx.clock.now());
  if (!p.ok) throw new HttpError(400, "Période invalide", p.message);
  const chosen = selected(ctx, str(req.query.indicateurs, 999));
  const access = operationalAccess(ctx, req, t);
  const wantsOperational = chosen?.some((d) => d.access === "operationnel") ?? false;
  if (wantsOperational && !access.allowed) {
    if (access.status === 401)
      await authorize(req, ctx, "indicateur.operationnel", t ? { territoryId: t.id } : {});
    throw new HttpError(access.status, "Accès refusé", access.reason);
  }
  const defs = (chosen ?? definitions(ctx)).filter((d) => d.access === "public" || access.allowed);
  return {
    t,
    name: t ? t.name : "France",
    period: p.period,
    defs,
    operational: access.allowed,
    access,
    mayOperate: (other) => operationalAccess(ctx, req, other).allowed,
  };
}

/** The territories a dashboard compares with: the territory, its département, France. */
function comparisons(ctx: AppContext, t: Territory | null): (Territory | null)[] {
  if (!t) return [null];
  const dep =
    t.kind !== "departement" && t.kind !== "region" && t.departement
      ? ctx.territories.get(t.departement)
      : undefined;
  return dep ? [t, dep, null] : [t, null];
}

async function columnsOf(ctx: AppContext, r: IndicatorRequest): Promise<Column[]> {
  const out: Column[] = [];
  for (const c of comparisons(ctx, r.t)) {
    // Operational figures of the département and of France only for those who may see them there.
    const op = r.operational && r.mayOperate(c);
    const values = await computeAll(ctx, c, r.period, op);
    if (!op)
      for (const d of r.defs)
        if (d.access === "operationnel")
          values[d.id] = {
            value: undefined,
            note: "réservé aux coordinateurs et financeurs de ce territoire",
          };
    out.push({
      title: c ? c.name : "France",
      href: c && c !== r.t ? `/indicateurs?territoire=${encodeURIComponent(c.id)}` : undefined,
      values,
    });
  }
  return out;
}

const rowsOf = (r: IndicatorRequest, cols: Column[]) =>
  r.defs.map((d) => [d, cols.map((c) => c.values[d.id])] as const);

const cellOf = (v: IndicatorValue | undefined): number | string =>
  v?.value === null ? "masqué" : v?.value === undefined ? "non disponible" : v.value;

export function registerIndicatorRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: IndicatorQuery }>("/indicateurs", { schema: { hide: true } }, async (req, reply) => {
    const r = await readRequest(ctx, req);
    const cols = await columnsOf(ctx, r);
    const months = monthsOf(r.period);
    const monthlyDefs = r.defs.filter((d) => d.monthly);
    const monthly =
      monthlyDefs.length > 0 && r.operational ? await computeMonthly(ctx, r.t, r.period, true) : {};
    const query = new URLSearchParams({
      territoire: r.t ? r.t.id : "france",
      ...(req.query.periode ? { periode: str(req.query.periode, 7) } : {}),
    }).toString();
    const qpvs = r.t && r.t.kind !== "qpv" ? ctx.territories.qpvsOf(r.t) : [];
    return sendPage(
      reply.header("cache-control", req.actor ? "private, no-store" : "public, no-cache"),
      DashboardPage({
        t: r.t,
        name: r.name,
        period: r.period,
        query,
        territoire: str(req.query.territoire, 100),
        periode: str(req.query.periode, 7),
        families: byFamily(r.defs),
        columns: cols,
        operational: r.access.allowed ? "shown" : r.access.status === 401 ? "signin" : "refused",
        refusedReason: r.access.allowed ? undefined : r.access.reason,
        signInHref: signInHref(`/indicateurs?${query}`),
        monthly: monthlyDefs.slice(0, 6).map((d) => ({ d, months, values: monthly })),
        qpvs,
        hasContrat: qpvs.length > 0 && (r.t?.kind === "epci" || r.t?.kind === "commune"),
      }),
    );
  });

  app.get("/indicateurs/definitions", { schema: { hide: true } }, async (_req, reply) =>
    sendPage(reply, DefinitionsPage({ defs: definitions(ctx) })),
  );

  const fileName = (r: IndicatorRequest) =>
    `indicateurs-${(r.t?.id ?? "france").toLowerCase()}-${r.period.from}-${r.period.to}`;
  const HEADER = (cols: Column[]) => [
    "identifiant",
    "indicateur",
    "famille",
    "unité",
    ...cols.map((c) => c.title),
    "source",
    "date des données",
  ];

  app.get<{ Querystring: IndicatorQuery }>(
    "/indicateurs.csv",
    { schema: { hide: true } },
    async (req, reply) => {
      const r = await readRequest(ctx, req);
      const cols = await columnsOf(ctx, r);
      const lines = [
        HEADER(cols),
        ...rowsOf(r, cols).map(([d, vs]) => [
          d.id,
          d.label,
          d.family,
          d.unit,
          ...vs.map(cellOf),
          d.source,
          d.vintage,
        ]),
      ].map((l) => l.map((v) => csvCell(v)).join(";"));
      return reply
        .type("text/csv; charset=utf-8")
        .header("cache-control", "private, no-store")
        .header("content-disposition", `attachment; filename="${fileName(r)}.csv"`)
        .send(`\uFEFF${lines.join("\r\n")}\r\n`);
    },
  );

  app.get<{ Querystring: IndicatorQuery }>(
    "/indicateurs.xlsx",
    { schema: { hide: true } },
    async (req, reply) => {
      const r = await readRequest(ctx, req);
      const cols = await columnsOf(ctx, r);
      return reply
        .type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .header("cache-control", "private, no-store")
        .header("content-disposition", `attachment; filename="${fileName(r)}.xlsx"`)
        .send(await indicatorsWorkbook(r, cols));
    },
  );

  const api = app.withTypeProvider<ZodTypeProvider>();
  const value = z
    .object({
      valeur: z.number().nullable().describe("Le chiffre ; null quand il est masqué ou non disponible."),
      masque: z.boolean().describe("Masqué pour protéger de petits nombres."),
      note: z.string().optional().describe("Pourquoi le chiffre n'est pas disponible, ou ce qu'il recouvre."),
    })
    .describe("Une valeur.");
  api.get(
    "/api/v1/indicateurs",
    {
      schema: {
        summary: "Indicateurs d'un territoire",
        description:
          "Les indicateurs d'un territoire (commune, EPCI, département, région, QPV, « france ») sur une période, avec leurs définitions. Les indicateurs d'activité demandent une connexion (jeton) de coordinateur ou de financeur du territoire.",
        querystring: z.object({
          territoire: z
            .string()
            .max(100)
            .describe("Code ou nom du territoire ; « france » pour la France entière."),
          indicateurs: z
            .string()
            .max(999)
            .optional()
            .describe("Identifiants séparés par des virgules ; tous les indicateurs permis si absent."),
          periode: z
            .string()
            .max(20)
            .optional()
            .describe("Année (2026) ou mois (2026-11) ; les 12 derniers mois si absent."),
        }),
        response: {
          200: z
            .object({
              territoire: z
                .object({ id: z.string(), nom: z.string(), type: z.string() })
                .describe("Le territoire."),
              periode: z.object({ du: z.string(), au: z.string() }).describe("Jours inclus, heure de Paris."),
              indicateurs: z
                .array(
                  z
                    .object({
                      id: z.string(),
                      libelle: z.string(),
                      famille: z.string(),
                      unite: z.string(),
                      definition: z.string(),
                      source: z.string(),
                      date: z.string(),
                      acces: z.enum(["public", "operationnel"]),
                      valeur: value,
                      parMois: z.record(z.string(), value).optional().describe("Mois AAAA-MM → valeur."),
                    })
                    .describe("Un indicateur et sa valeur."),
                )
                .describe("Les indicateurs demandés."),
            })
            .describe("Les indicateurs du territoire."),
          400: problem("Paramètre invalide : indicateur inconnu, période illisible ou dans le futur."),
          401: problem("Connexion nécessaire pour un indicateur d'activité."),
          403: problem("Indicateur d'activité hors de votre territoire."),
          404: problem("Territoire inconnu, ou ancien quartier (code QP…) qui n'existe plus."),
        },
      },
    },
    async (req) => {
      const r = await readRequest(ctx, req as FastifyRequest<{ Querystring: IndicatorQuery }>);
      const values = await computeAll(ctx, r.t, r.period, r.operational);
      const monthly = r.defs.some((d) => d.monthly)
        ? await computeMonthly(ctx, r.t, r.period, r.operational)
        : {};
      const json = (v: IndicatorValue | undefined) => ({
        valeur: typeof v?.value === "number" ? v.value : null,
        masque: v?.value === null,
        ...(v?.note ? { note: v.note } : {}),
      });
      return {
        territoire: { id: r.t?.id ?? "france", nom: r.name, type: r.t?.kind ?? "france" },
        periode: { du: r.period.from, au: r.period.to },
        indicateurs: r.defs.map((d) => ({
          id: d.id,
          libelle: d.label,
          famille: d.family,
          unite: d.unit,
          definition: d.definition,
          source: d.source,
          date: d.vintage,
          acces: d.access,
          valeur: json(values[d.id]),
          ...(d.monthly
            ? { parMois: Object.fromEntries(Object.entries(monthly).map(([m, vs]) => [m, json(vs[d.id])])) }
            : {}),
        })),
      };
    },
  );
}

/** The workbook: one sheet of figures (numbers as numbers), one of definitions. */
async function indicatorsWorkbook(r: IndicatorRequest, cols: Column[]): Promise<Buffer> {
  const head = (v: string) => ({ value: v, fontWeight: "bold" as const });
  const figures = [
    [
      "Identifiant",
      "Indicateur",
      "Famille",
      "Unité",
      ...cols.map((c) => c.title),
      "Source",
      "Date des données",
    ].map(head),
    ...rowsOf(r, cols).map(([d, vs]) => [
      { value: d.id },
      { value: d.label },
      { value: d.family },
      { value: d.unit },
      ...vs.map((v) =>
        typeof v?.value === "number"
          ? { type: Number, value: v.value }
          : { value: v?.value === null ? "masqué" : "non disponible" },
      ),
      { value: d.source },
      { value: d.vintage },
    ]),
  ];
  const defs = [
    [
      "Identifiant",
      "Indicateur",
      "Définition",
      "Calcul",
      "Unité",
      "Source",
      "Date des données",
      "Ce qui est masqué",
      "Accès",
    ].map(head),
    ...r.defs.map((d) =>
      [
        d.id,
        d.label,
        d.definition,
        d.formula,
        d.unit,
        d.source,
        d.vintage,
        d.hidden,
        d.access === "public" ? "public" : "opérationnel",
      ].map((v) => ({ value: v })),
    ),
  ];
  const about = [
    [head("Territoire"), { value: r.name }],
    [head("Période"), { value: `du ${r.period.from} au ${r.period.to}` }],
    [head("Produit par"), { value: "Maillage" }],
  ];
  return (await writeXlsxFile([
    { data: figures as never, sheet: "Indicateurs" },
    { data: defs as never, sheet: "Définitions" },
    { data: about as never, sheet: "À propos" },
  ]).toBuffer()) as Buffer;
}
