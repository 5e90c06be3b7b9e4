/**
 * The back-office of places: the coordinator's dashboard (/admin/lieux), the edit form of a place, its versions with
 * « Restaurer », the release of manual fields, and the live check of hours for the weekly editor. Every write asks
 * `authorize(…, "lieu.modifier", placeScope(…))` and is journaled in its transaction (editing.ts).
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { build } from "esbuild";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { adminNav } from "../accounts/admin-routes.tsx";
import type { Actor } from "../accounts/model.ts";
import { can } from "../accounts/policy.ts";
import { authorize, checkCsrf, journalBy } from "../accounts/web.ts";
import type { AppContext } from "../context.ts";
import { dayIn } from "../platform/clock.ts";
import { HttpError, sendPage } from "../platform/http.ts";
import { problem } from "../platform/schema.ts";
import { normalize } from "../territories/normalize.ts";
import { monthsSince } from "./describe.ts";
import {
  applyOverrides,
  changesBetween,
  EDITABLE_FIELDS,
  hoursOfWeek,
  isList,
  LOCATION_FIELDS,
  listText,
  RANGES_PER_DAY,
  timeOf,
  type WeekDay,
  weekOfHours,
} from "./edit.ts";
import { type Editable, editable, issueText, saveEdit, validateEdit } from "./editing.ts";
import { checkHours } from "./hours.ts";

import { buildPlace, placeId } from "./import/rows.ts";
import type { StandardField, StandardPlace } from "./model.ts";
import { STANDARD } from "./schema.ts";
import { communesInReach, placeScope } from "./scope.ts";
import { versionOf, versionsOf } from "./store/edits.ts";
import { communesOf } from "./sync.ts";
import { DashboardPage, type DashboardPlace, type EditForm, EditPage, HistoryPage } from "./views/edit.tsx";

const ZONE = "Europe/Paris";
const PAGE_SIZE = 50;
/** Months without an update after which a place is listed « à mettre à jour ». */
const STALE_MONTHS = 12;

const formBody = z.record(
  z.string().max(60),
  z.union([z.string().max(5000), z.array(z.string().max(300)).max(60)]),
);
type Form = Record<string, string | string[]>;
const errorCount = (errors: Record<string, string[]>) =>
  Object.values(errors).reduce((n, e) => n + e.length, 0);
const one = (v: unknown, max = 5000): string =>
  typeof v === "string"
    ? v.slice(0, max)
    : Array.isArray(v) && typeof v[0] === "string"
      ? v[0].slice(0, max)
      : "";
const many = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === "string" && v !== "" ? [v] : [];
const intOf = (v: unknown): number | null => {
  const s = one(v, 12);
  return /^\d{1,9}$/.test(s) ? Number(s) : null;
};

/** Queues of other parts of the back-office shown on the dashboard (reports, duplicates, imports): registered by them. */
export interface DashboardQueue {
  label: string;
  href: string;
  count: (ctx: AppContext, communes: string[] | null) => Promise<number>;
}
export const DASHBOARD_QUEUES: DashboardQueue[] = [];

/** Hooks run inside an edit's transaction (reports closed by it): registered by the reports' part. */
export interface EditHooks {
  openReports: (
    ctx: AppContext,
    placeId: string,
  ) => Promise<{ id: number; kind: string; text: string; at: Date }[]>;
  closeReports: (
    trx: import("../platform/db.ts").Db,
    ids: number[],
    placeId: string,
    versionId: number,
    req: FastifyRequest,
    at: Date,
  ) => Promise<void>;
}
export const EDIT_HOOKS: Partial<EditHooks> = {};

/** The form's values of a record (lists as arrays, others as text). */
function valuesOf(s: StandardPlace): Form {
  const values: Form = {};
  for (const f of EDITABLE_FIELDS) {
    const v = s[f];
    values[f] = Array.isArray(v) ? v : v === null || v === undefined ? "" : String(v);
  }
  return values;
}

/** The week typed in the form (`h_<day>_<range>_<0 opens | 1 closes>`). */
function weekOfForm(body: Form): WeekDay[] {
  return Array.from({ length: 7 }, (_, d) =>
    Array.from(
      { length: RANGES_PER_DAY },
      (_, k) => [one(body[`h_${d}_${k}_0`], 5), one(body[`h_${d}_${k}_1`], 5)] as [string, string],
    ),
  );
}

/** A week with its times read as "HH:MM" and its empty ranges dropped, to compare two weeks. */
const normalWeek = (week: WeekDay[]) =>
  week.map((ranges) =>
    ranges.map(([a, b]) => [timeOf(a), timeOf(b)]).filter(([a, b]) => a !== "" || b !== ""),
  );

/** What the form was loaded from: a published record changed since (by an import) is a conflict too. */
const fingerprint = (s: StandardPlace): string =>
  createHash("sha256").update(JSON.stringify(s)).digest("base64url").slice(0, 22);

/**
 * The record a person wants, from the form: every editable field read (checkboxes absent = none), the hours from
 * the week or the text. Returns the record, the values to show again and the errors the form itself finds.
 */
function desiredOf(current: StandardPlace, body: Form) {
  const desired = { ...current } as Record<string, unknown>;
  const values: Form = {};
  const errors: Record<string, string[]> = {};
  for (const f of EDITABLE_FIELDS) {
    if (f === "horaires") continue;
    const choices = STANDARD.byName.get(f)?.enumeration;
    if (choices) {
      const chosen = many(body[f]);
      values[f] = chosen;
      // Checkboxes come back in the standard's order: the same values in the source's order are no change.
      const before = current[f] as string[];
      const same = chosen.length === before.length && chosen.every((v) => before.includes(v));
      desired[f] = same ? before : chosen;
    } else if (isList(f)) {
      const text = one(body[f]);
      values[f] = text;
      desired[f] = listText(text) === "" ? [] : listText(text).split("|");
    } else if (f === "latitude" || f === "longitude") {
      const text = one(body[f], 40).trim().replace(",", ".");
      values[f] = one(body[f], 40);
      const n = Number(text);
      if (text !== "" && !Number.isFinite(n)) errors[f] = ["un nombre est attendu, par exemple 46.1712"];
      desired[f] = text === "" || !Number.isFinite(n) ? null : n;
    } else {
      const text = one(body[f]).trim();
      values[f] = one(body[f]);
      desired[f] = text === "" ? (STANDARD.required.includes(f) ? "" : null) : text;
    }
  }
  const week = weekOfForm(body);
  const raw = one(body.horaires).trim();
  values.horaires = one(body.horaires);
  // The week counts when chosen and changed; a week left as it was keeps the text (the same hours may be written
  // several ways), and then a changed text counts, radio or not.
  const shown = weekOfHours(current.horaires);
  const weekChanged =
    shown === null || JSON.stringify(normalWeek(week)) !== JSON.stringify(normalWeek(shown));
  const textChanged = raw !== (current.horaires ?? "").trim();
  const chosen = one(body.horaires_mode, 10) === "texte" ? "texte" : "semaine";
  const mode: EditForm["hoursMode"] = chosen === "semaine" && !weekChanged && textChanged ? "texte" : chosen;
  if (mode === "semaine" && !weekChanged) {
    desired.horaires = current.horaires;
  } else if (mode === "semaine") {
    const r = hoursOfWeek(week);
    if (r.ok) {
      desired.horaires = r.value;
      values.horaires = r.value ?? "";
    } else errors.horaires = r.errors;
  } else {
    desired.horaires = raw === "" ? null : raw;
    if (raw !== "") {
      const check = checkHours(raw);
      if (!check.ok) errors.horaires = [`horaires illisibles au format OpenStreetMap : ${check.error}`];
    }
  }
  return { desired: desired as StandardPlace, values, errors, week, mode };
}

export function registerPlaceEditRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = () => ctx.database.db;
  const form = { preValidation: checkCsrf, schema: { body: formBody, hide: true } };
  const page = (reply: FastifyReply, vnode: Parameters<typeof sendPage>[1], status = 200) =>
    sendPage(reply.header("cache-control", "no-store"), vnode, status);

  /** The place of the URL, or the answer that it is elsewhere or gone; and the actor allowed to edit it. */
  const load = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const found = await editable(db(), req.params.id);
    if (found.kind === "moved") {
      reply.redirect(`/admin/lieux/${encodeURIComponent(found.to)}/modifier`, 303);
      return null;
    }
    if (found.kind === "none")
      throw new HttpError(
        404,
        "Lieu introuvable",
        "Ce lieu n'est pas publié : il a peut-être été retiré par sa source. Une fiche retirée ne se modifie ni ne se restaure ici ; elle revient si sa source la publie à nouveau.",
      );
    const p = found.place;
    const actor = await authorize(
      req,
      ctx,
      "lieu.modifier",
      placeScope(req.actor, { id: p.published.id, members: p.members, communeCode: p.published.communeCode }),
    );
    return { place: p, actor };
  };

  const editForm = (p: Editable, over: Partial<EditForm> = {}): EditForm => {
    const week = weekOfHours(p.published.standard.horaires);
    return {
      values: valuesOf(p.published.standard),
      week,
      hoursMode: week === null ? "texte" : "semaine",
      errors: {},
      reason: "",
      from: p.version,
      base: fingerprint(p.published.standard),
      ...over,
    };
  };

  /** Open reports on the place, shown (and closed by the save) only to who may handle reports there. */
  const reportsOf = async (p: Editable, actor: Actor) => {
    const scope = placeScope(actor, {
      id: p.published.id,
      members: p.members,
      communeCode: p.published.communeCode,
    });
    if (!EDIT_HOOKS.openReports || !can(actor, "signalement.traiter", scope, within).allowed) return [];
    return EDIT_HOOKS.openReports(ctx, p.published.id);
  };
  const within = (inner: string, outer: string): boolean => {
    if (inner === outer) return true;
    const t = ctx.territories.get(inner);
    return t !== undefined && ctx.territories.parentsOf(t).some((x) => x.id === outer);
  };

  // ——— dashboard

  const dashboardQuery = z.object({ q: z.string().max(200).optional(), page: z.string().max(6).optional() });
  app.get<{ Querystring: z.infer<typeof dashboardQuery> }>(
    "/admin/lieux",
    { schema: { hide: true, querystring: dashboardQuery } },
    async (req, reply) => {
      const territoryId = req.actor?.membership.territoryId ?? "";
      const actor = await authorize(req, ctx, "lieu.modifier", {
        territoryId,
        organisationId: req.actor?.membership.organisationId,
      });
      const byOrganisation = actor.membership.role !== "admin" && actor.membership.role !== "coordinateur";
      const communes = communesInReach(ctx.territories, actor);
      const inReach = communes ? new Set(communes) : null;
      const runs = new Set(actor.organisation.placeIds);
      const all = (await ctx.places.all()).filter((p) =>
        byOrganisation
          ? runs.has(p.id) || p.provenance.some((x) => runs.has(placeId(x.source, x.sourceId)))
          : !inReach || (p.communeCode !== null && inReach.has(p.communeCode)),
      );
      const today = dayIn(ctx.clock.now(), ZONE);
      const row = (p: (typeof all)[number]): DashboardPlace => ({
        id: p.id,
        nom: p.standard.nom,
        commune: p.standard.commune,
        dateMaj: p.standard.date_maj,
        months: monthsSince(p.standard.date_maj, today),
      });
      const stale = all
        .map(row)
        .filter((x) => x.months === null || x.months >= STALE_MONTHS)
        .sort((a, b) => (b.months ?? 10_000) - (a.months ?? 10_000) || a.nom.localeCompare(b.nom, "fr"));
      const q = (req.query.q ?? "").trim();
      const words = normalize(q).split(" ").filter(Boolean);
      const found = words.length
        ? all
            .filter((p) => {
              const text = normalize(`${p.standard.nom} ${p.standard.commune} ${p.standard.code_postal}`);
              return words.every((w) => text.includes(w));
            })
            .slice(0, PAGE_SIZE)
            .map(row)
        : null;
      const n = Math.max(1, Number(/^\d{1,5}$/.test(req.query.page ?? "") ? req.query.page : 1));
      const queues = await Promise.all(
        DASHBOARD_QUEUES.map(async (x) => ({
          label: x.label,
          href: x.href,
          count: await x.count(ctx, communes),
        })),
      );
      return page(
        reply,
        DashboardPage({
          nav: adminNav(ctx, req, reply, actor),
          territory: byOrganisation
            ? actor.organisation.name
            : (ctx.territories.get(territoryId)?.name ?? "France entière"),
          total: all.length,
          stale: stale.slice((n - 1) * PAGE_SIZE, n * PAGE_SIZE),
          staleTotal: stale.length,
          page: n,
          pageSize: PAGE_SIZE,
          q,
          found,
          queues: byOrganisation ? [] : queues,
        }),
      );
    },
  );

  // ——— edit form

  const editQuery = z.object({
    signalement: z.union([z.string().max(12), z.array(z.string().max(12)).max(20)]).optional(),
  });
  app.get<{ Params: { id: string }; Querystring: z.infer<typeof editQuery> }>(
    "/admin/lieux/:id/modifier",
    { schema: { hide: true, querystring: editQuery } },
    async (req, reply) => {
      const loaded = await load(req, reply);
      if (!loaded) return reply;
      const reports = await reportsOf(loaded.place, loaded.actor);
      const asked = many(req.query.signalement).map(Number);
      return page(
        reply,
        EditPage({
          nav: adminNav(ctx, req, reply, loaded.actor),
          place: loaded.place,
          form: editForm(loaded.place),
          reports,
          closing: reports.filter((r) => asked.includes(r.id)).map((r) => r.id),
          notice: one((req.query as Record<string, unknown>).enregistre) ? "Fiche enregistrée." : undefined,
        }),
      );
    },
  );

  app.post<{ Params: { id: string }; Body: Form }>("/admin/lieux/:id/modifier", form, async (req, reply) => {
    const loaded = await load(req, reply);
    if (!loaded) return reply;
    const { place, actor } = loaded;
    const body = req.body;
    const from = intOf(body.version) ?? -1;
    const reason = one(body.motif, 300).trim();
    const { desired, values, errors, week, mode } = desiredOf(place.published.standard, body);
    const changed = changesBetween(place.published.standard, desired).map((c) => c.field);
    for (const i of validateEdit(desired, changed))
      errors[i.field] = [...(errors[i.field] ?? []), issueText(i)];
    const reports = await reportsOf(place, actor);
    const closing = many(body.signalement)
      .map(Number)
      .filter((id) => reports.some((r) => r.id === id));
    const render = (
      status: number,
      over: Parameters<typeof EditPage>[0] extends infer P ? Partial<P> : never,
    ) =>
      page(
        reply,
        EditPage({
          nav: adminNav(ctx, req, reply, actor),
          place,
          form: {
            values,
            week: mode === "semaine" ? week : weekOfHours(place.published.standard.horaires),
            hoursMode: mode,
            errors,
            reason,
            from,
            base: one(body.empreinte, 40),
          },
          reports,
          closing,
          ...over,
        }),
        status,
      );
    // A changed address places the place again: in a commune that exists, and within the person's reach.
    if (errorCount(errors) === 0 && changed.some((f) => LOCATION_FIELDS.includes(f as StandardField))) {
      const source = place.records[0]?.source ?? "manuel";
      const moved = buildPlace({ ...desired }, 1, {
        source,
        file: "modification",
        communes: communesOf(ctx.territories),
      });
      const code = moved.place.communeCode;
      if (code === null)
        errors.commune = [
          `commune « ${desired.commune} » introuvable avec le code postal ${desired.code_postal} : vérifiez-les`,
        ];
      else if (code !== place.published.communeCode)
        await authorize(
          req,
          ctx,
          "lieu.modifier",
          placeScope(actor, { id: place.published.id, members: place.members, communeCode: code }),
        );
    }
    const count = errorCount(errors);
    if (count > 0)
      return render(422, {
        problem: `La fiche n'est pas enregistrée : ${count} erreur${count > 1 ? "s" : ""} à corriger, signalée${count > 1 ? "s" : ""} à côté des champs.`,
      });
    // Changed since the form was loaded (an import, a decision): told like a concurrent edit.
    const stale = one(body.empreinte, 40) !== fingerprint(place.published.standard);
    const result = stale
      ? ({ kind: "conflict" } as const)
      : await saveEdit(ctx, {
          place,
          from,
          kind: "modification",
          desired,
          reason,
          by: journalBy(req),
          author: actor.organisation.name,
          alsoInTransaction:
            EDIT_HOOKS.closeReports && closing.length > 0
              ? (trx, versionId) =>
                  (EDIT_HOOKS.closeReports as EditHooks["closeReports"])(
                    trx,
                    closing,
                    place.published.id,
                    versionId,
                    req,
                    ctx.clock.now(),
                  )
              : undefined,
        });
    if (result.kind === "conflict") {
      const fresh = await editable(db(), place.published.id);
      if (fresh.kind === "moved")
        throw new HttpError(
          409,
          "Fiche réunie à une autre",
          "Pendant que vous la modifiiez, cette fiche a été réunie à une autre (doublon) : rien n'est enregistré. Ouvrez la fiche réunie pour la modifier.",
        );
      if (fresh.kind !== "found")
        throw new HttpError(409, "Fiche retirée", "Cette fiche a été retirée pendant que vous la modifiiez.");
      const versionMoved = fresh.place.version !== from;
      const latest = versionMoved ? await versionOf(db(), fresh.place.anchor, fresh.place.version) : null;
      return page(
        reply,
        EditPage({
          nav: adminNav(ctx, req, reply, actor),
          place: fresh.place,
          form: {
            values,
            week,
            hoursMode: mode,
            errors: {},
            reason,
            from: fresh.place.version,
            base: fingerprint(fresh.place.published.standard),
          },
          reports,
          closing,
          problem: "La fiche n'est pas enregistrée : quelqu'un d'autre l'a modifiée entre-temps.",
          conflict: {
            current: fresh.place.published.standard,
            version: fresh.place.version,
            author: latest?.author ?? null,
            at: latest?.at ?? null,
            theirs: changesBetween(desired, fresh.place.published.standard).filter(
              (c) => c.field !== "date_maj",
            ),
          },
        }),
        409,
      );
    }
    if (result.kind === "unchanged")
      return render(200, { notice: "Aucun changement : la fiche est déjà comme cela." });
    return reply.redirect(
      `/admin/lieux/${encodeURIComponent(place.published.id)}/historique?enregistre=${result.version}`,
      303,
    );
  });

  // ——— versions, restore, release

  const historyQuery = z.object({
    enregistre: z.string().max(9).optional(),
    restauree: z.string().max(9).optional(),
    liberee: z.string().max(1).optional(),
  });
  app.get<{ Params: { id: string }; Querystring: z.infer<typeof historyQuery> }>(
    "/admin/lieux/:id/historique",
    { schema: { hide: true, querystring: historyQuery } },
    async (req, reply) => {
      const loaded = await load(req, reply);
      if (!loaded) return reply;
      const versions = await versionsOf(db(), [loaded.place.anchor]);
      const q = req.query;
      const notice = q.enregistre
        ? `Modification enregistrée (version ${q.enregistre}). Elle est en ligne.`
        : q.restauree
          ? `Version ${q.restauree} restaurée : elle est en ligne.`
          : q.liberee
            ? "La fiche est rendue aux sources : les prochains imports la mettront à jour."
            : undefined;
      return page(
        reply,
        HistoryPage({ nav: adminNav(ctx, req, reply, loaded.actor), place: loaded.place, versions, notice }),
      );
    },
  );

  const rewrite = async (
    req: FastifyRequest<{ Params: { id: string }; Body: Form }>,
    reply: FastifyReply,
    kind: "restauration" | "libération",
  ) => {
    const loaded = await load(req, reply);
    if (!loaded) return reply;
    const { place, actor } = loaded;
    const from = intOf(req.body.depuis) ?? -1;
    let desired = place.base.standard;
    let reason = "Champs rendus aux sources";
    let target: number | null = null;
    if (kind === "restauration") {
      target = intOf(req.body.version);
      const v = target === null ? null : await versionOf(db(), place.anchor, target);
      if (!v) throw new HttpError(404, "Version introuvable", "Cette version n'existe pas pour ce lieu.");
      // The fields held by hand in that version, over what the sources give now (version 1: none).
      desired = applyOverrides(place.base.standard, v.overrides, null);
      reason = `Retour à la version ${v.version}`;
    }
    const result = await saveEdit(ctx, {
      place,
      from,
      kind,
      desired,
      reason,
      by: journalBy(req),
      author: actor.organisation.name,
    });
    const url = `/admin/lieux/${encodeURIComponent(place.published.id)}/historique`;
    if (result.kind === "conflict") {
      const versions = await versionsOf(db(), [place.anchor]);
      const fresh = await editable(db(), place.published.id);
      return page(
        reply,
        HistoryPage({
          nav: adminNav(ctx, req, reply, actor),
          place: fresh.kind === "found" ? fresh.place : place,
          versions,
          problem:
            "Rien n'a changé : quelqu'un d'autre a enregistré une version de cette fiche entre-temps. Relisez l'historique ci-dessous, puis recommencez si besoin.",
        }),
        409,
      );
    }
    return reply.redirect(kind === "restauration" ? `${url}?restauree=${target}` : `${url}?liberee=1`, 303);
  };
  app.post<{ Params: { id: string }; Body: Form }>("/admin/lieux/:id/restaurer", form, (req, reply) =>
    rewrite(req, reply, "restauration"),
  );
  app.post<{ Params: { id: string }; Body: Form }>("/admin/lieux/:id/liberer", form, (req, reply) =>
    rewrite(req, reply, "libération"),
  );

  // ——— live check of hours (the weekly editor's script; the form checks again on save)

  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    "/api/v1/horaires/verification",
    {
      schema: {
        summary: "Vérifier des horaires",
        description:
          "Dit si un texte d'horaires est lisible au format OpenStreetMap opening_hours (utilisé par le formulaire de modification d'un lieu).",
        querystring: z.object({
          texte: z
            .string()
            .max(500)
            .describe(
              "Les horaires au format OpenStreetMap opening_hours, par exemple « Mo-Fr 09:00-12:00 ».",
            ),
        }),
        response: {
          200: z.object({ valide: z.boolean(), message: z.string() }),
          400: problem("Paramètre manquant ou trop long."),
        },
      },
    },
    async (req) => {
      const text = req.query.texte.trim();
      if (text === "")
        return { valide: true, message: "Aucun horaire : le lieu sera affiché sans horaires." };
      const r = checkHours(text);
      return r.ok
        ? { valide: true, message: "Horaires lisibles." }
        : { valide: false, message: `Horaires illisibles au format OpenStreetMap : ${r.error}` };
    },
  );

  // The weekly editor's script, bundled on first request (like orientation.js).
  let script: Promise<string> | null = null;
  app.get("/assets/horaires.js", async (_req, reply) => {
    script ??= build({
      entryPoints: [join(import.meta.dirname, "assets", "hours-editor.ts")],
      bundle: true,
      write: false,
      minify: true,
      format: "esm",
      target: "es2019",
    }).then((b) => b.outputFiles[0]?.text ?? "");
    return reply
      .type("text/javascript; charset=utf-8")
      .header("cache-control", "public, max-age=3600")
      .send(await script);
  });
}
