/**
 * The contrat de ville view: for an EPCI or a commune with quartiers prioritaires, the Conseil national des villes'
 * indicators per quartier, for the rest of the territory and for the whole, side by side, with the targets a
 * coordinator sets per indicator, zone and year, shown against the actual value of that year.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { VNode } from "preact";
import { z } from "zod";
import { can } from "../accounts/policy.ts";
import { Csrf, Problem } from "../accounts/views/signin.tsx";
import { authorize, checkCsrf, csrfToken, journalBy, within } from "../accounts/web.ts";
import type { AppContext, IndicatorDefinition, IndicatorValue } from "../context.ts";
import { dayIn } from "../platform/clock.ts";
import { HttpError, sendPage } from "../platform/http.ts";
import { Layout } from "../platform/views/layout.tsx";
import { TableRegion } from "../platform/views/table.tsx";
import { territoryUrl } from "../territories/describe.ts";
import type { Territory } from "../territories/model.ts";
import { computeAll, definitions, formatValue, type Period, parsePeriod } from "./compute.ts";
import { loadOldQpvs, territoryOf } from "./routes.tsx";
import { type Objective, objectivesOf, setObjective } from "./store.ts";
import { defUrl } from "./views.tsx";

/** The indicators of the view: the CNV's list, and the places inside and near the quartiers. */
const CONTRAT_IDS = new Set(["lieux.total", "lieux.qpv_300m"]);
const contratDefs = (ctx: AppContext, operational: boolean) =>
  definitions(ctx)
    .filter(
      (d) =>
        (CONTRAT_IDS.has(d.id) || d.cnv !== undefined) &&
        (operational || d.access === "public") &&
        d.id !== "lieux.qpv",
    )
    // In a quartier's column, its places are the CNV's « lieux d'accueil dans les QPV ».
    .map((d) => (d.id === "lieux.total" ? { ...d, cnv: "nombre de lieux d'accueil dans les QPV" } : d));

/** Counts can be split between the quartiers and the rest; shares and indexes cannot. */
const additive = (d: IndicatorDefinition) =>
  d.unit !== "%" && !d.unit.startsWith("indice") && d.id !== "lieux.qpv_300m";

/**
 * The rest of the territory (outside its quartiers): the whole minus the quartiers, for counts only. When one part is
 * hidden the rest is hidden too (otherwise it would reveal the hidden part); when one is unknown, so is the rest.
 */
export function restOf(
  defs: IndicatorDefinition[],
  whole: Record<string, IndicatorValue>,
  parts: Record<string, IndicatorValue>[],
): Record<string, IndicatorValue> {
  const out: Record<string, IndicatorValue> = {};
  for (const d of defs) {
    const w = whole[d.id]?.value;
    const ps = parts.map((p) => p[d.id]?.value);
    if (!additive(d) || w === undefined || ps.some((v) => v === undefined))
      out[d.id] = { value: undefined, note: "non calculable hors quartiers" };
    else if (w === null || ps.some((v) => v === null)) out[d.id] = { value: null, hidden: true };
    else out[d.id] = { value: Math.max(0, w - ps.reduce<number>((a, v) => a + (v as number), 0)) };
  }
  return out;
}

interface Zone {
  id: string;
  title: string;
  href?: string;
  values: Record<string, IndicatorValue>;
  /** Targets can be set for quartiers and for the whole territory. */
  targets: boolean;
}

type ContratQuery = { territoire?: string; annee?: string; fait?: string };

const str = (v: unknown, max: number) => (typeof v === "string" ? v.trim().slice(0, max) : "");

export function registerContratRoutes(app: FastifyInstance, ctx: AppContext): void {
  async function view(req: FastifyRequest, raw: ContratQuery, problem?: string, status = 200) {
    await loadOldQpvs(ctx);
    const t = territoryOf(ctx, str(raw.territoire, 100));
    if (!t || (t.kind !== "epci" && t.kind !== "commune"))
      throw new HttpError(
        400,
        "Territoire non pris en charge",
        "La vue contrat de ville est faite pour une intercommunalité (EPCI) ou une commune qui a des quartiers prioritaires.",
      );
    const qpvs = ctx.territories.qpvsOf(t);
    if (qpvs.length === 0)
      throw new HttpError(
        400,
        "Aucun quartier prioritaire",
        `${t.name} n'a pas de quartier prioritaire dans la liste 2024.`,
      );
    const thisYear = Number(dayIn(ctx.clock.now(), "Europe/Paris").slice(0, 4));
    const year = /^\d{4}$/.test(str(raw.annee, 4)) ? Number(str(raw.annee, 4)) : thisYear;
    const p = parsePeriod(String(year), ctx.clock.now());
    if (!p.ok) throw new HttpError(400, "Année invalide", p.message);
    const actor = req.actor ?? null;
    const operational = can(actor, "indicateur.operationnel", { territoryId: t.id }, (a, b) =>
      within(ctx, a, b),
    ).allowed;
    const mayTarget = can(actor, "objectif.fixer", { territoryId: t.id }, (a, b) =>
      within(ctx, a, b),
    ).allowed;
    const defs = contratDefs(ctx, operational);
    const parts = await Promise.all(qpvs.map((q) => computeAll(ctx, q, p.period, operational)));
    const whole = await computeAll(ctx, t, p.period, operational);
    const zones: Zone[] = [
      ...qpvs.map((q, i) => ({
        id: q.id,
        title: q.name,
        href: territoryUrl(q),
        values: parts[i] ?? {},
        targets: true,
      })),
      {
        id: `hors:${t.id}`,
        title: "Reste du territoire (hors quartiers)",
        values: restOf(defs, whole, parts),
        targets: false,
      },
      { id: t.id, title: `${t.name} (tout le territoire)`, values: whole, targets: true },
    ];
    const objectives = await objectivesOf(ctx.database.db, [t.id, ...qpvs.map((q) => q.id)], year);
    return {
      t,
      year,
      period: p.period,
      defs,
      zones,
      objectives,
      operational,
      mayTarget,
      csrf: null as string | null,
      problem,
      done: raw.fait === "1",
      status,
    };
  }

  app.get<{ Querystring: ContratQuery }>(
    "/indicateurs/contrat-de-ville",
    { schema: { hide: true } },
    async (req, reply) => {
      const v = await view(req, req.query);
      if (v.mayTarget) v.csrf = csrfToken(req, reply);
      return sendPage(
        reply.header("cache-control", req.actor ? "private, no-store" : "public, no-cache"),
        ContratPage(v),
      );
    },
  );

  const body = z.record(z.string(), z.string().max(200));
  app.post<{ Body: Record<string, string> }>(
    "/indicateurs/objectifs",
    { schema: { body, hide: true } },
    async (req, reply) => {
      await checkCsrf(req);
      const territoire = str(req.body.territoire, 100);
      const t = ctx.territories.get(territoire);
      if (!t || (t.kind !== "epci" && t.kind !== "commune"))
        throw new HttpError(404, "Territoire inconnu", "Cette intercommunalité ou commune n'existe pas.");
      const zone = ctx.territories.get(str(req.body.zone, 20));
      const allowedZones = new Set([t.id, ...ctx.territories.qpvsOf(t).map((q) => q.id)]);
      const year = Number(str(req.body.annee, 4));
      const indicator = str(req.body.indicateur, 100);
      const rawValue = str(req.body.valeur, 20).replace(",", ".").replace(/\s/g, "");
      const fail = async (message: string) => {
        const v = await view(req, { territoire: t.id, annee: String(year || "") }, message, 400);
        v.csrf = csrfToken(req, reply);
        return sendPage(reply.header("cache-control", "private, no-store"), ContratPage(v), 400);
      };
      if (!zone || !allowedZones.has(zone.id))
        return fail("Choisissez un quartier du territoire, ou le territoire entier.");
      await authorize(req, ctx, "objectif.fixer", { territoryId: zone.id });
      if (!Number.isInteger(year) || year < 2000 || year > 2100)
        return fail("L'année doit être entre 2000 et 2100.");
      if (!contratDefs(ctx, true).some((d) => d.id === indicator))
        return fail("Choisissez un indicateur de la liste.");
      if (rawValue !== "" && !/^\d{1,9}(\.\d{1,2})?$/.test(rawValue))
        return fail(
          "L'objectif doit être un nombre positif (par exemple 3 ou 12,5), ou vide pour le retirer.",
        );
      await setObjective(
        ctx.database.db,
        {
          territoryId: zone.id,
          indicatorId: indicator,
          year,
          value: rawValue === "" ? null : Number(rawValue),
        },
        journalBy(req),
        ctx.clock.now(),
      );
      return reply.redirect(
        `/indicateurs/contrat-de-ville?territoire=${encodeURIComponent(t.id)}&annee=${year}&fait=1#objectifs`,
        303,
      );
    },
  );
}

/** « 3 sur 5 (60 %) » when a target exists. */
function TargetCell({
  d,
  v,
  o,
}: {
  d: IndicatorDefinition;
  v: IndicatorValue | undefined;
  o: Objective | undefined;
}): VNode {
  const text = formatValue(d, v);
  if (!o) return <>{text}</>;
  const reached = typeof v?.value === "number" ? Math.round((v.value / Math.max(o.value, 1e-9)) * 100) : null;
  return (
    <>
      {text}
      <br />
      <span class={reached !== null && reached >= 100 ? "target reached" : "target"}>
        objectif {o.year} : {formatValue(d, { value: o.value })}
        {reached !== null ? ` (atteint à ${reached} %)` : ""}
      </span>
    </>
  );
}

function ContratPage(p: {
  t: Territory;
  year: number;
  period: Period;
  defs: IndicatorDefinition[];
  zones: Zone[];
  objectives: Objective[];
  operational: boolean;
  csrf: string | null;
  problem?: string;
  done: boolean;
}): VNode {
  const objective = (zone: string, id: string) =>
    p.objectives.find((o) => o.territoryId === zone && o.indicatorId === id);
  const title = `Contrat de ville — ${p.t.name}`;
  return (
    <Layout title={p.problem ? `Erreur : ${title}` : title}>
      <h1>{title}</h1>
      <Problem text={p.problem} />
      {p.done ? (
        <p class="notice" role="status">
          Objectif enregistré. Pour revenir en arrière, saisissez l'ancienne valeur (ou laissez vide pour le
          retirer).
        </p>
      ) : null}
      <p>
        Les indicateurs demandés par le Conseil national des villes, pour chaque quartier prioritaire de{" "}
        <a href={territoryUrl(p.t)}>{p.t.name}</a>, pour le reste du territoire et pour tout le territoire.
        Année {p.year} (du {p.period.from} au {p.period.to}). Chaque indicateur renvoie à sa définition.
      </p>
      <form method="get" action="/indicateurs/contrat-de-ville" class="form-row">
        <input type="hidden" name="territoire" value={p.t.id} />
        <div class="field">
          <label for="annee">Année</label>
          <input id="annee" name="annee" value={String(p.year)} inputMode="numeric" maxLength={4} />
        </div>
        <button type="submit">Afficher</button>
      </form>
      {p.operational ? null : (
        <p class="notice">
          Les chiffres d'activité (diagnostics, formations, personnes accompagnées, aidants et médiateurs)
          sont réservés aux coordinateurs et financeurs du territoire connectés.
        </p>
      )}
      <TableRegion label="Indicateurs par quartier">
        <table class="indicators">
          <caption>Indicateurs du contrat de ville, {p.year}</caption>
          <thead>
            <tr>
              <th scope="col">Indicateur</th>
              {p.zones.map((z) => (
                <th key={z.id} scope="col">
                  {z.href ? <a href={z.href}>{z.title}</a> : z.title}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {p.defs.map((d) => (
              <tr key={d.id}>
                <th scope="row">
                  <a href={defUrl(d.id)}>{d.label}</a>
                  {d.cnv ? <span class="muted"> — CNV : « {d.cnv} »</span> : null}
                </th>
                {p.zones.map((z) => (
                  <td key={z.id} class="num">
                    <TargetCell d={d} v={z.values[d.id]} o={objective(z.id, d.id)} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      {p.csrf !== null ? (
        <section aria-labelledby="objectifs">
          <h2 id="objectifs">Fixer un objectif</h2>
          <form method="post" action="/indicateurs/objectifs">
            <Csrf token={p.csrf} />
            <input type="hidden" name="territoire" value={p.t.id} />
            <div class="field">
              <label for="zone">Quartier ou territoire</label>
              <select id="zone" name="zone">
                {p.zones
                  .filter((z) => z.targets)
                  .map((z) => (
                    <option key={z.id} value={z.id}>
                      {z.title}
                    </option>
                  ))}
              </select>
            </div>
            <div class="field">
              <label for="indicateur">Indicateur</label>
              <select id="indicateur" name="indicateur">
                {p.defs.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.label}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="objectif-annee">Année</label>
              <input
                id="objectif-annee"
                name="annee"
                value={String(p.year)}
                inputMode="numeric"
                maxLength={4}
              />
            </div>
            <div class="field">
              <label for="valeur">Objectif (vide pour le retirer)</label>
              <input id="valeur" name="valeur" inputMode="decimal" maxLength={12} />
            </div>
            <button type="submit">Enregistrer l'objectif</button>
          </form>
        </section>
      ) : null}
    </Layout>
  );
}
