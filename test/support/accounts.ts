/**
 * A professional's personal API token for tests and the harnesses (obviously fictitious person and organisation,
 * on a real territory): what a prescriber's software would send to record diagnostics in the statistics.
 */
import assert from "node:assert/strict";
import {
  addOrganisation,
  addPerson,
  addPersonalToken,
  apiTokenHash,
  newApiToken,
} from "../../src/accounts/people.ts";
import { BY_SYSTEM } from "../../src/accounts/store.ts";
import type { Clock } from "../../src/platform/clock.ts";
import type { Db } from "../../src/platform/db.ts";

export async function professionalToken(
  db: Db,
  clock: Clock,
  email = "prescripteur.test@example.org",
): Promise<string> {
  const organisation = await addOrganisation(
    db,
    clock,
    { name: "Organisation d'essai (exemple)", kind: "ccas", territoryId: "23" },
    BY_SYSTEM,
    "essai.organisation",
  );
  await addPerson(
    db,
    clock,
    { email, role: "prescripteur", organisationId: organisation.id },
    BY_SYSTEM,
    "essai.personne",
  );
  const token = newApiToken();
  await addPersonalToken(
    db,
    clock,
    { email, label: "essai", tokenHash: apiTokenHash(token) },
    BY_SYSTEM,
    "essai.jeton",
  );
  return token;
}

/** A browser without JavaScript: keeps its cookies, reads the `_csrf` of the last page, follows no redirect. */
export class FormClient {
  cookies = new Map<string, string>();
  csrf = "";

  constructor(private readonly base: () => string) {}

  async request(
    path: string,
    init: {
      method?: string;
      form?: Record<string, string | string[]>;
      headers?: Record<string, string>;
    } = {},
  ) {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let body: string | undefined;
    if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form))
        for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
      body = params.toString();
    }
    const res = await fetch(this.base() + path, {
      method: init.method ?? (init.form ? "POST" : "GET"),
      headers,
      body,
      redirect: "manual",
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ""] = c.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === "" || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(text);
    if (m?.[1]) this.csrf = m[1];
    return { status: res.status, location: res.headers.get("location"), text, headers: res.headers };
  }

  get(path: string) {
    return this.request(path);
  }

  post(path: string, form: Record<string, string | string[]>) {
    return this.request(path, { form: { _csrf: this.csrf, ...form } });
  }

  /** Signs in; `secondFactor` gives the code of the second-factor step when the role asks for one. */
  async signIn(email: string, password: string, secondFactor?: () => string) {
    await this.get("/connexion");
    const r = await this.post("/connexion", { email, motdepasse: password });
    assert.equal(r.status, 303, r.text);
    if (!secondFactor) return r;
    const code = secondFactor();
    await this.get("/connexion/second-facteur");
    const s = await this.post("/connexion/second-facteur", { code });
    assert.equal(s.status, 303, s.text);
    return s;
  }
}

/** The fields a form of this HTML sends (checked boxes and radios only, text areas), as a browser would; not `_csrf`. */
export function formFields(html: string): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = {};
  const unescaped = (v: string) =>
    v
      .replaceAll("&quot;", '"')
      .replaceAll("&#39;", "'")
      .replaceAll("&lt;", "<")
      .replaceAll("&gt;", ">")
      .replaceAll("&amp;", "&");
  for (const m of html.matchAll(/<input([^>]*)>/g)) {
    const attrs = m[1] as string;
    const name = /name="([^"]+)"/.exec(attrs)?.[1];
    if (!name || name === "_csrf") continue;
    const type = /type="([^"]+)"/.exec(attrs)?.[1] ?? "text";
    const value = unescaped(/value="([^"]*)"/.exec(attrs)?.[1] ?? "");
    if ((type === "checkbox" || type === "radio") && !/\schecked/.test(attrs)) continue;
    // Checkboxes, and any field repeated under one name (hidden lists), send every value.
    const previous = form[name];
    if (type === "checkbox") form[name] = [...((previous as string[] | undefined) ?? []), value];
    else if (previous !== undefined) form[name] = [previous, value].flat();
    else form[name] = value;
  }
  for (const m of html.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)<\/textarea>/g))
    form[m[1] as string] = unescaped(m[2] as string);
  return form;
}
