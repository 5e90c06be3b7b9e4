/**
 * The administration pages of admins and coordinators: /admin/organisations (list, creation, one organisation with
 * its members, its pending invitations and the invitation form), /admin/personnes (list, one person, role change,
 * membership removal, deactivation) and /admin/journal (filters, pages, CSV export). Every page asks `authorize`;
 * every write is journaled in its transaction; a coordinator sees and changes only what lies in their territory.
 */
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.ts";
import { addDays, dayAt, parseDay } from "../platform/clock.ts";
import { csvCell } from "../platform/csv.ts";
import { HttpError, publicBase, sendPage } from "../platform/http.ts";
import { type ResolveOptions, resolveTerritory, unresolvedView } from "../territories/resolve.ts";
import { invite } from "./invitations.ts";
import {
  type Actor,
  ORGANISATION_KINDS,
  type Organisation,
  type OrganisationKind,
  ROLES,
  type Role,
} from "./model.ts";
import { ACTION_RULES, type Action, can, inviteRoles, type Scope } from "./policy.ts";
import { normaliseSiret, siretError } from "./siret.ts";
import {
  addMembership,
  createOrganisation,
  deactivatePerson,
  emailsOf,
  findPersonByEmail,
  getOrganisation,
  getPerson,
  type JournalFilter,
  journalPages,
  listJournal,
  listOrganisations,
  listPeople,
  type MembershipWithOrganisation,
  membershipsOf,
  membersOf,
  pendingInvitationsOf,
  removeMembership,
  withJournal,
} from "./store.ts";
import { SignedIn } from "./views/account.tsx";
import {
  type AdminNav,
  DeactivatePage,
  JournalPage,
  type JournalQuery,
  NewOrganisationPage,
  type NewOrganisationValues,
  OrganisationListPage,
  OrganisationPage,
  PersonListPage,
  PersonPage,
} from "./views/admin.tsx";
import { authorize, checkCsrf, csrfToken, journalBy } from "./web.ts";

/** Rows per page of every list. */
export const ADMIN_PAGE_SIZE = 50;
const ZONE = "Europe/Paris";

const formBody = z.record(z.string(), z.union([z.string().max(2000), z.array(z.string().max(2000)).max(5)]));
type Form = Record<string, string | string[]>;
const str = (v: unknown, max = 1000): string => (typeof v === "string" ? v.slice(0, max) : "");
const text = z.string().max(300).optional();
const listQuery = z.object({ q: text, type: text, page: text });
const journalQuery = z.object({
  personne: text,
  action: text,
  cible: text,
  du: text,
  au: text,
  page: text,
});
const idParam = (raw: string): number => (/^\d{1,9}$/.test(raw) ? Number(raw) : -1);
const pageParam = (raw: string | undefined): number => {
  const n = raw && /^\d{1,5}$/.test(raw) ? Number(raw) : 1;
  return Math.max(1, n);
};

const NOT_FOUND = (what: string) => new HttpError(404, "Introuvable", `${what} n'existe pas.`);

/**
 * Territories that lie within `outer` (itself included): what a coordinator of `outer` reaches. Walked down the
 * referential's children (région → départements → intercommunalités and communes → arrondissements), as the
 * policy's `within` walks up; kept per referential and territory.
 */
const reachCache = new WeakMap<object, Map<string, string[]>>();
function territoriesWithin(ctx: AppContext, outer: string): string[] {
  let byOuter = reachCache.get(ctx.territories);
  if (!byOuter) {
    byOuter = new Map();
    reachCache.set(ctx.territories, byOuter);
  }
  const cached = byOuter.get(outer);
  if (cached) return cached;
  const seen = new Set<string>([outer]);
  const queue = [outer];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    for (const c of ctx.territories.childrenOf(id))
      if (!seen.has(c.id)) {
        seen.add(c.id);
        queue.push(c.id);
      }
  }
  const list = [...seen];
  byOuter.set(outer, list);
  return list;
}

/** What the actor's lists show: everything for the admin, the territory's ids for anyone else. */
const reachOf = (ctx: AppContext, actor: Actor): string[] | undefined =>
  actor.membership.role === "admin" ? undefined : territoriesWithin(ctx, actor.membership.territoryId);

/** The policy's answer without throwing (what a page shows or hides). */
function allowed(ctx: AppContext, actor: Actor, action: Action, scope: Scope): boolean {
  return can(actor, action, scope, (inner, outer) => {
    if (inner === outer) return true;
    const t = ctx.territories.get(inner);
    return t !== undefined && ctx.territories.parentsOf(t).some((p) => p.id === outer);
  }).allowed;
}

const orgScope = (o: Pick<Organisation, "id" | "territoryId">): Scope => ({
  territoryId: o.territoryId,
  organisationId: o.id,
});

/** What every back-office page carries (header, form token, menu), for this actor. */
export function adminNav(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, actor: Actor): AdminNav {
  const csrf = csrfToken(req, reply);
  return {
    csrf,
    account: <SignedIn actor={actor} csrf={csrf} />,
    canJournal: allowed(ctx, actor, "journal.lire", { territoryId: actor.membership.territoryId }),
    territoryName: (id) => (id === "france" ? "France entière" : (ctx.territories.get(id)?.name ?? id)),
  };
}

export function registerAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = () => ctx.database.db;
  const now = () => ctx.clock.now();
  const form = { preValidation: checkCsrf, schema: { body: formBody, hide: true } };
  const resolveOptions = (): ResolveOptions => ({
    referential: ctx.territories,
    search: ctx.search,
    prefer: "code",
  });
  const territoryName = (id: string): string =>
    id === "france" ? "France entière" : (ctx.territories.get(id)?.name ?? id);

  const nav = (req: FastifyRequest, reply: FastifyReply, actor: Actor): AdminNav =>
    adminNav(ctx, req, reply, actor);
  const page = (reply: FastifyReply, vnode: Parameters<typeof sendPage>[1], status = 200) =>
    sendPage(reply.header("cache-control", "no-store"), vnode, status);

  /** Lists are asked of the actor's own territory: admins and coordinators pass, other roles get the 403. */
  const ownTerritory = (req: FastifyRequest): Scope => ({
    territoryId: req.actor?.membership.territoryId ?? "",
  });

  // ——— organisations

  app.get<{ Querystring: z.infer<typeof listQuery> }>(
    "/admin/organisations",
    { schema: { hide: true, querystring: listQuery } },
    async (req, reply) => {
      // Who reaches only their own organisation (a mediator, a prescriber…) lists only it.
      const actor = await authorize(req, ctx, "organisation.lire", {
        ...ownTerritory(req),
        organisationId: req.actor?.membership.organisationId,
      });
      const ownOnly = ACTION_RULES["organisation.lire"].reach[actor.membership.role] === "organisation";
      const q = (req.query.q ?? "").trim();
      const kindRaw = req.query.type ?? "";
      const kind = (ORGANISATION_KINDS as readonly string[]).includes(kindRaw)
        ? (kindRaw as OrganisationKind)
        : undefined;
      const p = pageParam(req.query.page);
      const { organisations, total } = await listOrganisations(db(), {
        withinTerritories: reachOf(ctx, actor),
        ids: ownOnly ? [actor.membership.organisationId] : undefined,
        name: q || undefined,
        kind,
        limit: ADMIN_PAGE_SIZE,
        offset: (p - 1) * ADMIN_PAGE_SIZE,
      });
      return page(
        reply,
        OrganisationListPage({
          nav: nav(req, reply, actor),
          organisations,
          total,
          page: p,
          pageSize: ADMIN_PAGE_SIZE,
          q,
          kind,
          canCreate: allowed(ctx, actor, "organisation.creer", { territoryId: actor.membership.territoryId }),
        }),
      );
    },
  );

  const newOrganisationQuery = z.object({ nom: text, type: text, siret: text, territoire: text });
  app.get<{ Querystring: z.infer<typeof newOrganisationQuery> }>(
    "/admin/organisations/nouvelle",
    { schema: { hide: true, querystring: newOrganisationQuery } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "organisation.creer", ownTerritory(req));
      const values: NewOrganisationValues = {
        nom: req.query.nom ?? "",
        type: req.query.type ?? "",
        siret: req.query.siret ?? "",
        territoire:
          req.query.territoire ??
          (actor.membership.role === "admin" ? "" : territoryName(actor.membership.territoryId)),
      };
      return page(reply, NewOrganisationPage({ nav: nav(req, reply, actor), values }));
    },
  );

  app.post<{ Body: Form }>("/admin/organisations/nouvelle", form, async (req, reply) => {
    const actor = await authorize(req, ctx, "organisation.creer", ownTerritory(req));
    const values: NewOrganisationValues = {
      nom: str(req.body.nom, 300),
      type: str(req.body.type, 100),
      siret: str(req.body.siret, 40),
      territoire: str(req.body.territoire, 200),
    };
    const again = (extra: Partial<Parameters<typeof NewOrganisationPage>[0]>) =>
      page(reply, NewOrganisationPage({ nav: nav(req, reply, actor), values, ...extra }), 400);
    if (!(ORGANISATION_KINDS as readonly string[]).includes(values.type))
      return again({ problem: "Choisissez le type de l'organisation." });
    const options = resolveOptions();
    const r = resolveTerritory(values.territoire, options);
    if (r.kind !== "found") {
      const view = unresolvedView(r, options);
      return again({
        problem: view.problem ?? "Précisez le territoire d'action.",
        choices: view.choices,
      });
    }
    // Outside a coordinator's territory: 403, journaled by `authorize`, nothing created.
    await authorize(req, ctx, "organisation.creer", { territoryId: r.territory.id });
    const name = values.nom.trim();
    if (!name || name.length > 200)
      return again({ problem: "Indiquez le nom de l'organisation (200 caractères au plus)." });
    let siret: string | null = null;
    if (values.siret.trim()) {
      const bad = siretError(values.siret);
      if (bad) return again({ problem: `${bad} Rien n'a été créé.` });
      siret = normaliseSiret(values.siret);
    }
    try {
      const o = await createOrganisation(
        db(),
        { name, kind: values.type as OrganisationKind, siret, territoryId: r.territory.id },
        now(),
        journalBy(req),
      );
      return reply.redirect(`/admin/organisations/${o.id}?creee=1`, 303);
    } catch (e) {
      if (siret && /unique|duplicate/i.test(String((e as Error).message)))
        return again({ problem: `Une organisation a déjà le SIRET ${siret} : rien n'a été créé.` });
      throw e;
    }
  });

  async function organisationPage(
    req: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: Partial<Parameters<typeof OrganisationPage>[0]> = {},
    status = 200,
  ) {
    const o = await getOrganisation(db(), id);
    if (!o) throw NOT_FOUND("Cette organisation");
    const actor = await authorize(req, ctx, "organisation.lire", orgScope(o));
    const seesPeople = allowed(ctx, actor, "personne.lire", orgScope(o));
    const mayInvite = allowed(ctx, actor, "personne.inviter", orgScope(o));
    const [members, invitations] = await Promise.all([
      seesPeople ? membersOf(db(), o.id) : Promise.resolve(null),
      mayInvite ? pendingInvitationsOf(db(), o.id, now()) : Promise.resolve(null),
    ]);
    return page(
      reply,
      OrganisationPage({
        nav: nav(req, reply, actor),
        organisation: o,
        members,
        invitations,
        roles: mayInvite ? inviteRoles(actor) : [],
        ...extra,
      }),
      status,
    );
  }

  app.get<{ Params: { id: string }; Querystring: { creee?: string } }>(
    "/admin/organisations/:id",
    { schema: { hide: true } },
    (req, reply) =>
      organisationPage(req, reply, idParam(req.params.id), {
        notice: req.query.creee === "1" ? "L'organisation est créée." : undefined,
      }),
  );

  app.post<{ Params: { id: string }; Body: Form }>(
    "/admin/organisations/:id/inviter",
    form,
    async (req, reply) => {
      const id = idParam(req.params.id);
      const o = await getOrganisation(db(), id);
      if (!o) throw NOT_FOUND("Cette organisation");
      const actor = await authorize(req, ctx, "personne.inviter", orgScope(o));
      const email = str(req.body.email, 320).trim();
      const role = str(req.body.role, 40) as Role;
      const values = { email, role };
      if (!inviteRoles(actor).includes(role))
        return organisationPage(
          req,
          reply,
          id,
          { inviteValues: values, problem: "Choisissez un rôle." },
          400,
        );
      const r = await invite(db(), ctx.config, ctx.clock, {
        email,
        organisationId: o.id,
        role,
        by: journalBy(req),
        purpose: "invitation",
        inviterName: actor.person.name,
        base: publicBase(app, ctx.config),
      });
      if (!r.ok) {
        const message = r.error.charAt(0).toUpperCase() + r.error.slice(1);
        return organisationPage(req, reply, id, { inviteValues: values, problem: message }, 400);
      }
      return organisationPage(req, reply, id, {
        invited: { email: email.toLowerCase(), role, link: r.link, expiresAt: r.expiresAt, mail: r.mail },
      });
    },
  );

  // ——— people

  app.get<{ Querystring: z.infer<typeof listQuery> }>(
    "/admin/personnes",
    { schema: { hide: true, querystring: listQuery } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "personne.lire", ownTerritory(req));
      const q = (req.query.q ?? "").trim();
      const p = pageParam(req.query.page);
      const { people, total } = await listPeople(db(), {
        withinTerritories: reachOf(ctx, actor),
        search: q || undefined,
        limit: ADMIN_PAGE_SIZE,
        offset: (p - 1) * ADMIN_PAGE_SIZE,
      });
      return page(
        reply,
        PersonListPage({ nav: nav(req, reply, actor), people, total, page: p, pageSize: ADMIN_PAGE_SIZE, q }),
      );
    },
  );

  /**
   * A person and the memberships the actor reaches. The person is seen when one of their memberships is within
   * the actor's reach (always for the admin); otherwise 403 (404 when there is no such person).
   */
  async function personInReach(req: FastifyRequest, id: number, action: Action) {
    const person = await getPerson(db(), id);
    if (!person) throw NOT_FOUND("Cette personne");
    const memberships = await membershipsOf(db(), id);
    const scopes = memberships.map((m) => orgScope(m.organisation));
    const reach = req.actor ? scopes.filter((s) => allowed(ctx, req.actor as Actor, action, s)) : [];
    // The first reachable membership gives the scope to authorize (a refusal names the first one's territory).
    const actor = await authorize(req, ctx, action, reach[0] ?? scopes[0] ?? {});
    const visible = memberships.filter((m) => allowed(ctx, actor, action, orgScope(m.organisation)));
    return { actor, person, memberships, visible };
  }

  async function personPage(
    req: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: { notice?: string; problem?: string } = {},
    status = 200,
  ) {
    const { actor, person, memberships, visible } = await personInReach(req, id, "personne.lire");
    return page(
      reply,
      PersonPage({
        nav: nav(req, reply, actor),
        person,
        memberships: visible,
        hidden: memberships.length - visible.length,
        roles: inviteRoles(actor),
        canChange: (m: MembershipWithOrganisation) =>
          allowed(ctx, actor, "personne.role", orgScope(m.organisation)) &&
          inviteRoles(actor).includes(m.role),
        canDeactivate:
          person.active &&
          person.id !== actor.person.id &&
          memberships.every(
            (m) =>
              allowed(ctx, actor, "personne.desactiver", orgScope(m.organisation)) &&
              inviteRoles(actor).includes(m.role),
          ),
        ...extra,
      }),
      status,
    );
  }

  app.get<{ Params: { id: string } }>("/admin/personnes/:id", { schema: { hide: true } }, (req, reply) =>
    personPage(req, reply, idParam(req.params.id)),
  );

  /** The membership `mid` of person `id`, if the actor may change it (403 otherwise, 404 when unknown). */
  async function membershipToChange(req: FastifyRequest<{ Params: { id: string; mid: string } }>) {
    const id = idParam(req.params.id);
    const person = await getPerson(db(), id);
    if (!person) throw NOT_FOUND("Cette personne");
    const m = (await membershipsOf(db(), id)).find((x) => x.id === idParam(req.params.mid));
    if (!m) throw NOT_FOUND("Ce rôle");
    const actor = await authorize(req, ctx, "personne.role", orgScope(m.organisation));
    if (!inviteRoles(actor).includes(m.role)) throw await refuseRole(req, m.role);
    return { actor, person, membership: m };
  }

  /** A role the actor may not give or take (a coordinator and an admin's role): 403, journaled. */
  async function refuseRole(req: FastifyRequest, role: string): Promise<HttpError> {
    await withJournal(
      db(),
      {
        ...journalBy(req),
        at: now(),
        action: "acces.refuse",
        details: { action: "personne.role", role, adresse: req.routeOptions.url ?? null },
      },
      async () => undefined,
    );
    return new HttpError(403, "Accès refusé", "Votre rôle ne permet pas de donner ou de retirer ce rôle.");
  }

  app.post<{ Params: { id: string; mid: string }; Body: Form }>(
    "/admin/personnes/:id/roles/:mid",
    form,
    async (req, reply) => {
      const { actor, person, membership: m } = await membershipToChange(req);
      const role = str(req.body.role, 40) as Role;
      if (!(ROLES as readonly string[]).includes(role))
        return personPage(req, reply, person.id, { problem: "Choisissez un rôle." }, 400);
      if (!inviteRoles(actor).includes(role)) throw await refuseRole(req, role);
      if (role === m.role) return personPage(req, reply, person.id, { notice: "Le rôle n'a pas changé." });
      const all = await membershipsOf(db(), person.id);
      if (all.some((x) => x.organisationId === m.organisationId && x.role === role))
        return personPage(
          req,
          reply,
          person.id,
          { problem: `Cette personne a déjà ce rôle dans ${m.organisation.name}.` },
          400,
        );
      const at = now();
      const by = journalBy(req);
      // One transaction: the old membership goes (its sessions closed), the new one comes, one line says why.
      await withJournal(
        db(),
        {
          ...by,
          at,
          action: "personne.role",
          target: `personne:${person.id}`,
          territoryId: m.organisation.territoryId,
          details: { organisation: m.organisationId, avant: m.role, apres: role },
        },
        async (trx) => {
          await removeMembership(trx, m.id, at, by);
          await addMembership(
            trx,
            { personId: person.id, organisationId: m.organisationId, role, territoryId: m.territoryId },
            at,
            by,
          );
        },
      );
      return personPage(req, reply, person.id, { notice: "Le rôle est changé." });
    },
  );

  app.post<{ Params: { id: string; mid: string }; Body: Form }>(
    "/admin/personnes/:id/roles/:mid/retirer",
    form,
    async (req, reply) => {
      const { actor, person, membership: m } = await membershipToChange(req);
      await removeMembership(db(), m.id, now(), journalBy(req));
      // The person may now be out of the actor's reach (their last role here): back to the list.
      const left = await membershipsOf(db(), person.id);
      if (
        actor.membership.role !== "admin" &&
        !left.some((x) => allowed(ctx, actor, "personne.lire", orgScope(x.organisation)))
      )
        return reply.redirect("/admin/personnes", 303);
      return personPage(req, reply, person.id, {
        notice: `Le rôle dans ${m.organisation.name} est retiré.`,
      });
    },
  );

  /** Deactivation reaches a person only when every one of their memberships is within the actor's reach. */
  async function toDeactivate(req: FastifyRequest<{ Params: { id: string } }>) {
    const r = await personInReach(req, idParam(req.params.id), "personne.desactiver");
    for (const m of r.memberships) {
      await authorize(req, ctx, "personne.desactiver", orgScope(m.organisation));
      if (!inviteRoles(r.actor).includes(m.role)) throw await refuseRole(req, m.role);
    }
    if (r.person.id === r.actor.person.id)
      throw new HttpError(403, "Accès refusé", "Vous ne pouvez pas désactiver votre propre compte.");
    return r;
  }

  app.get<{ Params: { id: string } }>(
    "/admin/personnes/:id/desactiver",
    { schema: { hide: true } },
    async (req, reply) => {
      const { actor, person } = await toDeactivate(req);
      return page(reply, DeactivatePage({ nav: nav(req, reply, actor), person }));
    },
  );

  app.post<{ Params: { id: string }; Body: Form }>(
    "/admin/personnes/:id/desactiver",
    form,
    async (req, reply) => {
      const { person } = await toDeactivate(req);
      if (str(req.body.confirmation) !== "oui")
        return personPage(req, reply, person.id, { problem: "Cochez la case pour confirmer." }, 400);
      const done = await deactivatePerson(db(), person.id, now(), journalBy(req));
      return personPage(req, reply, person.id, {
        notice: done
          ? "Le compte est désactivé : ses sessions et ses jetons sont fermés."
          : "Ce compte était déjà désactivé.",
      });
    },
  );

  // ——— the journal

  /** The filter of the journal's page and export, or the French problem with what was typed. */
  async function journalFilter(
    actor: Actor,
    q: z.infer<typeof journalQuery>,
  ): Promise<{ filter: JournalFilter; query: JournalQuery; problem?: string; none?: boolean }> {
    const query: JournalQuery = {
      personne: (q.personne ?? "").trim(),
      action: (q.action ?? "").trim(),
      cible: (q.cible ?? "").trim(),
      du: (q.du ?? "").trim(),
      au: (q.au ?? "").trim(),
    };
    const filter: JournalFilter = { territories: reachOf(ctx, actor) };
    if (query.action) filter.action = query.action;
    if (query.cible) filter.target = query.cible;
    const problems: string[] = [];
    for (const [key, label] of [
      ["du", "La date de début"],
      ["au", "La date de fin"],
    ] as const) {
      if (!query[key]) continue;
      const day = parseDay(query[key]);
      if (!day) problems.push(`${label} doit s'écrire AAAA-MM-JJ (par exemple 2026-12-01).`);
      else if (key === "du") filter.from = dayAt(day, ZONE);
      else filter.to = dayAt(addDays(day, 1), ZONE);
    }
    let none = false;
    if (query.personne) {
      const id = /^\d{1,9}$/.test(query.personne) ? Number(query.personne) : null;
      const person = id === null ? await findPersonByEmail(db(), query.personne) : await getPerson(db(), id);
      if (person) filter.personId = person.id;
      else none = true;
    }
    return { filter, query, problem: problems.join(" ") || undefined, none };
  }

  app.get<{ Querystring: z.infer<typeof journalQuery> }>(
    "/admin/journal",
    { schema: { hide: true, querystring: journalQuery } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "journal.lire", ownTerritory(req));
      const { filter, query, problem, none } = await journalFilter(actor, req.query);
      const p = pageParam(req.query.page);
      const { entries, total } =
        problem || none
          ? { entries: [], total: 0 }
          : await listJournal(db(), { ...filter, limit: ADMIN_PAGE_SIZE, offset: (p - 1) * ADMIN_PAGE_SIZE });
      const emails = await emailsOf(
        db(),
        entries.flatMap((e) => (e.personId === null ? [] : [e.personId])),
      );
      return page(
        reply,
        JournalPage({
          nav: nav(req, reply, actor),
          entries,
          emails,
          total,
          page: p,
          pageSize: ADMIN_PAGE_SIZE,
          query,
          problem,
          canExport: allowed(ctx, actor, "journal.exporter", { territoryId: actor.membership.territoryId }),
        }),
        problem ? 400 : 200,
      );
    },
  );

  app.get<{ Querystring: z.infer<typeof journalQuery> }>(
    "/admin/journal.csv",
    { schema: { hide: true, querystring: journalQuery } },
    async (req, reply) => {
      const actor = await authorize(req, ctx, "journal.exporter", ownTerritory(req));
      const { filter, problem, none } = await journalFilter(actor, req.query);
      if (problem) throw new HttpError(400, "Export impossible", problem);
      const database = db();
      async function* lines() {
        yield "\uFEFFid,date,personne,organisation,role,action,cible,territoire,adresse,details\r\n";
        if (none) return;
        for await (const rows of journalPages(database, filter)) {
          const emails = await emailsOf(
            database,
            rows.flatMap((e) => (e.personId === null ? [] : [e.personId])),
          );
          let chunk = "";
          for (const e of rows)
            chunk += `${[
              e.id,
              e.at.toISOString(),
              e.personId === null ? null : (emails.get(e.personId) ?? `personne:${e.personId}`),
              e.organisationId,
              e.role,
              e.action,
              e.target,
              e.territoryId,
              e.address,
              JSON.stringify(e.details),
            ]
              .map(csvCell)
              .join(",")}\r\n`;
          yield chunk;
        }
      }
      return reply
        .header("cache-control", "no-store")
        .type("text/csv; charset=utf-8")
        .header("content-disposition", 'attachment; filename="journal-maillage.csv"')
        .send(Readable.from(lines()));
    },
  );
}
