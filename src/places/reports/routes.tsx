/**
 * « Signaler une erreur » on a place (GET/POST /lieux/:id/signaler, no account: throttled per address, with a
 * honeypot, a text made only of links refused) and the coordinators' queue of the reports of their territory
 * (GET /admin/signalements, GET/POST /admin/signalements/:id: state and note, journaled).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { SignedIn } from "../../accounts/views/account.tsx";
import { authorize, checkCsrf, csrfToken, journalBy } from "../../accounts/web.ts";
import type { AppContext } from "../../context.ts";
import { HttpError, sendPage } from "../../platform/http.ts";
import { placeUrl } from "../describe.ts";
import { DASHBOARD_QUEUES, EDIT_HOOKS } from "../edit-routes.tsx";
import { communesInReach, placeScope } from "../scope.ts";
import { getPlace } from "../store/published.ts";
import {
  addReport,
  fixReports,
  getReport,
  listReports,
  openReportsOf,
  pendingReportsCount,
  REPORT_KIND_LABELS,
  REPORT_KINDS,
  REPORT_STATES,
  REPORT_TEXT_MAX,
  type ReportFilter,
  type ReportKind,
  type ReportState,
  setReportState,
} from "./store.ts";
import { REPORT_FILTERS, ReportFormPage, ReportPage, ReportQueuePage, type ReportValues } from "./views.tsx";

/** Reports accepted per address and per hour (a shared connection, a library's, may send a few). */
export const REPORTS_PER_HOUR = 5;
const HOUR_MS = 3_600_000;
const PAGE_SIZE = 50;
const NOTE_MAX = 500;

/**
 * Reports sent per client address in the last hour, in memory (nothing about the sender is stored in the
 * database); forgotten after an hour, at most `max` addresses kept (a flood of addresses clears it).
 */
export class ReportThrottle {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly perHour = REPORTS_PER_HOUR,
    private readonly max = 10_000,
  ) {}

  /** Whether `address` may send one more at `now` (ms); counts it when it may. */
  take(address: string, now: number): boolean {
    const recent = (this.sent.get(address) ?? []).filter((t) => t > now - HOUR_MS);
    if (recent.length >= this.perHour) {
      this.sent.set(address, recent);
      return false;
    }
    if (!this.sent.has(address) && this.sent.size >= this.max) this.sent.clear();
    recent.push(now);
    this.sent.set(address, recent);
    return true;
  }
}

const LINK = /(?:https?:\/\/|www\.)\S+/giu;

/** A text made only of links (and spaces or punctuation): what spam robots send. */
export function onlyLinks(text: string): boolean {
  const links = text.match(LINK);
  if (!links) return false;
  return text.replace(LINK, "").replace(/[\s\p{P}\p{S}]/gu, "") === "";
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text as typed, without control characters (but line breaks and tabs) nor lone surrogates. */
export function cleanText(raw: string): string {
  return [...raw.replace(LONE_SURROGATE, "\uFFFD")]
    .filter((c) => c === "\n" || c === "\t" || !/\p{Cc}/u.test(c))
    .join("")
    .replace(/\r\n?/g, "\n")
    .trim();
}

const formBody = z.record(
  z.string(),
  z.union([z.string().max(20_000), z.array(z.string().max(20_000)).max(5)]),
);
type Form = Record<string, string | string[]>;
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const placeIdParam = z.object({ id: z.string().max(200) });
const reportIdParam = (raw: string): number => (/^\d{1,9}$/.test(raw) ? Number(raw) : -1);
const pageParam = (raw: string | undefined): number => {
  const n = raw && /^\d{1,5}$/.test(raw) ? Number(raw) : 1;
  return Math.max(1, n);
};
const listQuery = z.object({ etat: z.string().max(40).optional(), page: z.string().max(20).optional() });

const placeNotFound = (id: string) =>
  new HttpError(404, "Lieu introuvable", `Aucun lieu n'a le numéro « ${id.slice(0, 100)} ».`);

/**
 * What the place's edit form and the dashboard read of the reports (src/places/edit-routes.tsx): the open reports of
 * a place, their closing by the edit's version (in its transaction, journaled), the count of the territory's queue.
 */
function registerWithEdits(): void {
  EDIT_HOOKS.openReports = async (ctx, placeId) =>
    (await openReportsOf(ctx.database.db, placeId)).map((r) => ({
      id: r.id,
      kind: REPORT_KIND_LABELS[r.kind],
      text: r.message,
      at: r.createdAt,
    }));
  EDIT_HOOKS.closeReports = async (trx, ids, placeId, versionId, req, at) => {
    await fixReports(trx, ids, placeId, versionId, journalBy(req), at);
  };
  if (!DASHBOARD_QUEUES.some((q) => q.href === "/admin/signalements"))
    DASHBOARD_QUEUES.push({
      label: "Signalements à traiter",
      href: "/admin/signalements",
      count: (ctx, communes) => pendingReportsCount(ctx.database.db, communes),
    });
}

export function registerReportRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerWithEdits();
  const db = () => ctx.database.db;
  const throttle = new ReportThrottle();
  const page = (reply: FastifyReply, vnode: Parameters<typeof sendPage>[1], status = 200) =>
    sendPage(reply.header("cache-control", "no-store"), vnode, status);
  const communeName = (code: string | null) =>
    code ? (ctx.territories.get(code)?.name ?? code) : "commune inconnue";

  /** The published place of an id, following a merge once; null when there is none. */
  async function placeOf(id: string) {
    let found = await getPlace(db(), id);
    if (found && "mergedInto" in found) found = await getPlace(db(), found.mergedInto);
    return found && "place" in found ? found.place : null;
  }

  // ——— public form

  app.get<{ Params: { id: string }; Querystring: { envoye?: string } }>(
    "/lieux/:id/signaler",
    { schema: { hide: true, params: placeIdParam } },
    async (req, reply) => {
      const found = await getPlace(db(), req.params.id);
      if (found && "mergedInto" in found)
        return reply.redirect(`${placeUrl(found.mergedInto)}/signaler`, 301);
      if (!found) throw placeNotFound(req.params.id);
      const p = found.place;
      return page(
        reply,
        ReportFormPage({
          place: { id: p.id, nom: p.nom, commune: p.standard.commune },
          values: { quoi: "", texte: "" },
          csrf: csrfToken(req, reply),
          sent: req.query.envoye === "1",
        }),
      );
    },
  );

  app.post<{ Params: { id: string }; Body: Form }>(
    "/lieux/:id/signaler",
    { preValidation: checkCsrf, schema: { hide: true, params: placeIdParam, body: formBody } },
    async (req, reply) => {
      const p = await placeOf(req.params.id);
      if (!p) throw placeNotFound(req.params.id);
      const values: ReportValues = { quoi: str(req.body.quoi), texte: cleanText(str(req.body.texte)) };
      const again = (problem: string, status = 400) =>
        page(
          reply,
          ReportFormPage({
            place: { id: p.id, nom: p.nom, commune: p.standard.commune },
            values,
            csrf: csrfToken(req, reply),
            problem,
          }),
          status,
        );
      const sent = () => reply.redirect(`${placeUrl(p.id)}/signaler?envoye=1`, 303);
      // The honeypot: a robot filled the field people do not see. Answered as a success, nothing stored.
      if (str(req.body.site) !== "") {
        throttle.take(req.ip, ctx.clock.now().getTime());
        return sent();
      }
      if (!(REPORT_KINDS as readonly string[]).includes(values.quoi))
        return again("Choisissez ce qui est faux dans la liste : rien n'a été envoyé.");
      if (values.texte.length > REPORT_TEXT_MAX)
        return again(
          `Votre message fait ${values.texte.length} caractères : raccourcissez-le à ${REPORT_TEXT_MAX} au plus. Rien n'a été envoyé.`,
        );
      if (values.quoi === "autre" && values.texte === "")
        return again("Pour « Autre chose », dites en quelques mots ce qui est faux : rien n'a été envoyé.");
      if (onlyLinks(values.texte))
        return again(
          "Votre message ne contient que des liens : écrivez avec vos mots ce qui est faux (un lien seul ne peut pas être lu par le coordinateur). Rien n'a été envoyé.",
        );
      if (!throttle.take(req.ip, ctx.clock.now().getTime()))
        return again(
          `Vous avez déjà envoyé ${REPORTS_PER_HOUR} signalements depuis une heure : réessayez plus tard. Votre message est gardé ci-dessous.`,
          429,
        );
      await addReport(db(), {
        placeId: p.id,
        placeName: p.nom,
        communeCode: p.commune_code,
        kind: values.quoi as ReportKind,
        message: values.texte,
        at: ctx.clock.now(),
      });
      return sent();
    },
  );

  // ——— coordinators' queue

  const account = (req: FastifyRequest, reply: FastifyReply) => {
    const csrf = csrfToken(req, reply);
    return { csrf, account: req.actor ? <SignedIn actor={req.actor} csrf={csrf} /> : null };
  };

  app.get<{ Querystring: z.infer<typeof listQuery> }>(
    "/admin/signalements",
    { schema: { hide: true, querystring: listQuery } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "signalement.traiter", {
        territoryId: req.actor?.membership.territoryId ?? "",
      });
      const territoryId = actor.membership.territoryId;
      const filter = (REPORT_FILTERS.find((f) => f.value === req.query.etat)?.value ??
        "à traiter") as ReportFilter;
      const n = pageParam(req.query.page);
      const { reports, total } = await listReports(db(), communesInReach(ctx.territories, actor), filter, {
        limit: PAGE_SIZE,
        offset: (n - 1) * PAGE_SIZE,
      });
      return page(
        reply,
        ReportQueuePage({
          account: account(req, reply).account,
          territory: ctx.territories.get(territoryId)?.name ?? "France entière",
          reports,
          total,
          filter,
          page: n,
          pageSize: PAGE_SIZE,
          communeName,
        }),
      );
    },
  );

  async function reportPage(
    req: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    extra: Partial<Parameters<typeof ReportPage>[0]> = {},
    status = 200,
  ) {
    const report = await getReport(db(), reportIdParam(req.params.id));
    if (!report) throw new HttpError(404, "Introuvable", "Ce signalement n'existe pas.");
    await authorize(
      req,
      ctx,
      "signalement.traiter",
      placeScope(req.actor, { id: report.placeId, communeCode: report.communeCode }),
    );
    const { csrf, account: bar } = account(req, reply);
    return page(
      reply,
      ReportPage({ account: bar, csrf, report, communeName: communeName(report.communeCode), ...extra }),
      status,
    );
  }

  app.get<{ Params: { id: string }; Querystring: { enregistre?: string } }>(
    "/admin/signalements/:id",
    { schema: { hide: true } },
    (req, reply) =>
      reportPage(req, reply, {
        notice: req.query.enregistre === "1" ? "L'état du signalement est enregistré." : undefined,
      }),
  );

  app.post<{ Params: { id: string }; Body: Form }>(
    "/admin/signalements/:id",
    { preValidation: checkCsrf, schema: { hide: true, body: formBody } },
    async (req, reply) => {
      const id = reportIdParam(req.params.id);
      const report = await getReport(db(), id);
      if (!report) throw new HttpError(404, "Introuvable", "Ce signalement n'existe pas.");
      await authorize(
        req,
        ctx,
        "signalement.traiter",
        placeScope(req.actor, { id: report.placeId, communeCode: report.communeCode }),
      );
      const values = { etat: str(req.body.etat), note: cleanText(str(req.body.note)) };
      const again = (problem: string) => reportPage(req, reply, { values, problem }, 400);
      if (!(REPORT_STATES as readonly string[]).includes(values.etat))
        return again("Choisissez l'état du signalement : rien n'a été enregistré.");
      if (values.note.length > NOTE_MAX)
        return again(
          `La note fait ${values.note.length} caractères : ${NOTE_MAX} au plus. Rien n'a été enregistré.`,
        );
      if (values.etat === "rejeté" && values.note === "")
        return again("Pour rejeter un signalement, dites pourquoi dans la note : rien n'a été enregistré.");
      await setReportState(
        db(),
        id,
        { state: values.etat as ReportState, note: values.note },
        journalBy(req),
        ctx.clock.now(),
      );
      return reply.redirect(`/admin/signalements/${id}?enregistre=1`, 303);
    },
  );
}
