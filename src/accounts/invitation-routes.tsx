/**
 * The pages of single-use links: GET/POST /invitation/:token (an invitation, a set-up link or a password reset:
 * the person sets their name and password) and « Mot de passe oublié » (GET/POST /mot-de-passe-oublie), which
 * mails a reset link and answers the same whether the address has an account or not.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.ts";
import { publicBase, sendPage } from "../platform/http.ts";
import { acceptInvitation, emailProblem, LINK_INVALID, requestReset } from "./invitations.ts";
import {
  countFailures,
  findPersonByEmail,
  getOrganisation,
  type Invitation,
  pendingInvitation,
  recordFailure,
} from "./store.ts";
import {
  ForgottenPage,
  LinkDonePage,
  LinkInvalidPage,
  LinkPage,
  type LinkView,
} from "./views/invitation.tsx";
import { checkCsrf, csrfToken, sha256 } from "./web.ts";

const formBody = z.record(z.string(), z.union([z.string().max(2000), z.array(z.string().max(2000)).max(5)]));
type Form = Record<string, string | string[]>;
const str = (v: unknown, max = 1000): string => (typeof v === "string" ? v.slice(0, max) : "");

/** A link's token as `invite` draws it: 32 bytes in base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** At most this many reset e-mails per address and hour (the next requests get the same answer, no e-mail). */
const RESETS_PER_HOUR = 3;

export function registerInvitationRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = () => ctx.database.db;
  const now = () => ctx.clock.now();
  const form = { preValidation: checkCsrf, schema: { body: formBody, hide: true } };
  // The link's token is in the address: never sent to another site, never kept by a cache.
  const page = (reply: FastifyReply, vnode: Parameters<typeof sendPage>[1], status = 200) =>
    sendPage(
      reply.header("cache-control", "no-store").header("referrer-policy", "no-referrer"),
      vnode,
      status,
    );

  async function viewOf(inv: Invitation): Promise<LinkView> {
    const [organisation, person] = await Promise.all([
      getOrganisation(db(), inv.organisationId),
      findPersonByEmail(db(), inv.email),
    ]);
    return {
      purpose: inv.purpose,
      email: inv.email,
      organisation: organisation?.name ?? "",
      role: inv.role,
      expiresAt: inv.expiresAt,
      existingAccount: inv.purpose === "invitation" && Boolean(person?.passwordHash),
    };
  }

  const pending = async (token: string) =>
    TOKEN.test(token) ? pendingInvitation(db(), sha256(token), now()) : null;

  app.get<{ Params: { token: string } }>(
    "/invitation/:token",
    { schema: { hide: true } },
    async (req, reply) => {
      const inv = await pending(req.params.token);
      if (!inv) return page(reply, LinkInvalidPage(), 410);
      return page(
        reply,
        LinkPage({
          csrf: csrfToken(req, reply),
          action: req.url.split("?")[0] ?? "",
          link: await viewOf(inv),
        }),
      );
    },
  );

  app.post<{ Params: { token: string }; Body: Form }>("/invitation/:token", form, async (req, reply) => {
    const token = req.params.token;
    const inv = await pending(token);
    if (!inv) return page(reply, LinkInvalidPage(), 410);
    const link = await viewOf(inv);
    const name = str(req.body.nom, 300);
    const password = str(req.body.motdepasse, 300);
    const again = (problem: string) =>
      page(
        reply,
        LinkPage({ csrf: csrfToken(req, reply), action: `/invitation/${token}`, link, name, problem }),
        400,
      );
    if (!link.existingAccount && password !== str(req.body.confirmation, 300))
      return again("Les deux mots de passe ne sont pas identiques : tapez-les à nouveau.");
    const r = await acceptInvitation(db(), ctx.clock, token, { name, password, address: req.ip });
    if (r.ok) return page(reply, LinkDonePage({ purpose: r.purpose }));
    if (r.error === LINK_INVALID) return page(reply, LinkInvalidPage(), 410);
    return again(r.error.charAt(0).toUpperCase() + r.error.slice(1));
  });

  const forgotten = (
    req: FastifyRequest,
    reply: FastifyReply,
    p: { sent?: boolean; email?: string; problem?: string },
    status = 200,
  ) => page(reply, ForgottenPage({ csrf: csrfToken(req, reply), ...p }), status);

  app.get("/mot-de-passe-oublie", { schema: { hide: true } }, (req, reply) => forgotten(req, reply, {}));

  app.post<{ Body: Form }>("/mot-de-passe-oublie", form, async (req, reply) => {
    const email = str(req.body.email, 320).trim().toLowerCase();
    const bad = emailProblem(email);
    if (bad)
      return forgotten(req, reply, { email, problem: bad.charAt(0).toUpperCase() + bad.slice(1) }, 400);
    const at = now();
    const key = `reinitialisation:${email}`;
    const recent = await countFailures(db(), key, new Date(at.getTime() - 3_600_000));
    await recordFailure(db(), key, at);
    if (recent < RESETS_PER_HOUR) {
      // Not awaited: the answer takes the same time whether the address has an account (an e-mail to send) or
      // not. The link is only mailed, never shown: whoever typed the address may not own it.
      const base = publicBase(app, ctx.config);
      void requestReset(db(), ctx.config, ctx.clock, {
        email,
        by: { personId: null, organisationId: null, role: null, address: req.ip },
        base,
      }).catch((e: unknown) => req.log.error(e, "demande de nouveau mot de passe"));
    }
    return forgotten(req, reply, { sent: true });
  });
}
