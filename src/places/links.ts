/**
 * Safe links. The standard (v1.0.2) describes `site_web`, `prise_rdv` and `fiche_acces_libre` as URLs of web
 * pages (a site, an online booking site, an Acceslibre sheet); none of them is a contact (phones and e-mails have
 * their own fields), so only `http://` and `https://` addresses are links. Anything else — `javascript:`, `data:`,
 * `vbscript:`, a protocol-relative `//host`, a scheme hidden by spaces, tabs, line breaks or invisible characters,
 * a backslash, credentials before the host — is refused on import and on edit, and is never written as a link on a
 * page, in the API or in an export (for places stored before this rule, `withSafeLinks` removes it on reading).
 */
import type { StandardPlace } from "./model.ts";

/** The fields of the standard whose values are links. */
export const LINK_FIELDS = ["site_web", "prise_rdv", "fiche_acces_libre"] as const;
export type LinkField = (typeof LINK_FIELDS)[number];

const LABELS: Record<LinkField, string> = {
  site_web: "le site internet",
  prise_rdv: "le lien de prise de rendez-vous",
  fiche_acces_libre: "la fiche Acceslibre",
};

/**
 * Characters never allowed in a link: white space of any kind, control characters, invisible and direction
 * characters (which hide what a link is), backslash (read as « / » by browsers), and < > " ` (never raw in a URL).
 */
const FORBIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\s\u0000-\u001F\u007F-\u009F\u00AD\u200B-\u200F\u2028-\u202E\u2060-\u206F\uFEFF\\<>"`]/;
const FORBIDDEN_ALL = new RegExp(FORBIDDEN.source, "g");
const HTTP = /^https?:\/\//i;
/**
 * A whole link, checked without building a URL (the import runs it on every row): http(s)://, a host (labels of
 * letters, digits, « - » or « _ », in any script; or an [IPv6] address), an optional port, then a path, a query, a
 * fragment or the end. A « @ » cannot follow the host: no credentials. (Forbidden characters are refused before.)
 */
const LINK =
  /^https?:\/\/(?:\[[0-9a-f:.]+\]|[\p{L}\p{N}_](?:[\p{L}\p{N}_-]*[\p{L}\p{N}_])?(?:\.[\p{L}\p{N}_](?:[\p{L}\p{N}_-]*[\p{L}\p{N}_])?)*\.?)(?::\d{1,5})?(?:[/?#]|$)/iu;
/** A bare host (« www.example.fr/page »): the link without its scheme. */
const BARE_HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)+(\/[^\s]*)?$/i;

/** A value shown in a message: its forbidden characters as « ? », cut at 80 characters. */
function shown(value: string): string {
  const t = value.replace(FORBIDDEN_ALL, (c) => (c === " " ? " " : "?"));
  return t.length > 80 ? `${t.slice(0, 77)}…` : t;
}

/**
 * Why `value` cannot be a link of `field`, in plain French; null when it is a safe link (http or https, with a
 * host; what the WHATWG URL parser reads as such, and stricter). The value is taken as typed: surrounding spaces are the caller's to trim. Pure. This is the one check of
 * the import, the edit form and the pages.
 */
export function linkProblem(field: LinkField, value: string): string | null {
  const what = LABELS[field];
  if (value === "") return `${what} est vide`;
  if (FORBIDDEN.test(value))
    return `adresse refusée « ${shown(value)} » : un lien ne contient ni espace, ni caractère invisible, ni \\ < > " \``;
  if (!HTTP.test(value)) {
    if (BARE_HOST.test(value))
      return `adresse incomplète « ${shown(value)} » : écrivez le lien entier, par exemple « https://${shown(value)} »`;
    return `adresse refusée « ${shown(value)} » : ${what} doit commencer par http:// ou https://`;
  }
  if (LINK.test(value)) return null;
  const rest = value.slice(value.indexOf("//") + 2);
  const authority = rest.slice(0, rest.search(/[/?#]|$/));
  if (authority.includes("@"))
    return `adresse refusée « ${shown(value)} » : un lien ne contient pas d'identifiant ni de mot de passe avant « @ »`;
  return `adresse illisible « ${shown(value)} » : ${what} doit être une adresse web (https://…)`;
}

/** The suggested link for a bare host (« www.example.fr » → « https://www.example.fr »), else undefined. */
export function linkSuggestion(value: string): string | undefined {
  return !HTTP.test(value) && BARE_HOST.test(value) ? `https://${value}` : undefined;
}

/** True when `value` is a safe link of `field`. */
export const isSafeLink = (field: LinkField, value: string): boolean => linkProblem(field, value) === null;

/**
 * The record without its unsafe links (the same object when every link is safe, the common case). For places
 * stored before links were checked: applied when places are read, and again where links are written.
 */
export function withSafeLinks(s: StandardPlace): StandardPlace {
  const site = s.site_web;
  let siteSafe = true;
  for (const u of site) if (!isSafeLink("site_web", u)) siteSafe = false;
  const rdvSafe = s.prise_rdv === null || isSafeLink("prise_rdv", s.prise_rdv);
  const sheetSafe = s.fiche_acces_libre === null || isSafeLink("fiche_acces_libre", s.fiche_acces_libre);
  if (siteSafe && rdvSafe && sheetSafe) return s;
  return {
    ...s,
    site_web: siteSafe ? site : site.filter((u) => isSafeLink("site_web", u)),
    prise_rdv: rdvSafe ? s.prise_rdv : null,
    fiche_acces_libre: sheetSafe ? s.fiche_acces_libre : null,
  };
}
