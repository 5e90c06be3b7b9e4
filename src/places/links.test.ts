import assert from "node:assert/strict";
import { test } from "node:test";
import { FILES, realText } from "../../test/support/places.ts";
import { isSafeLink, LINK_FIELDS, linkProblem, linkSuggestion, withSafeLinks } from "./links.ts";
import type { StandardPlace } from "./model.ts";
import { placeFromPublished } from "./store/published.ts";

// Real links of the shipped files (conseillers numériques 2022, PACA hub 2023) and the standard's examples.
const SAFE = [
  "https://www.laquincaillerie.tl/",
  "https://www.rdv-aide-numerique.fr/org/1725",
  "http://mptpetitcharran.fr",
  "https://acceslibre.beta.gouv.fr/app/29-lampaul-plouarzel/a/bibliotheque-mediatheque/erp/mediatheque-13/",
  "https://www.facebook.com/pg/passsisteron/posts/?ref=page_internal",
  "HTTPS://WWW.AUBUSSON.FR",
];

const UNSAFE = [
  "javascript:alert(1)",
  "JAVASCRIPT:alert(1)",
  "JavaScript:alert(document.cookie)",
  " javascript:alert(1)",
  "java\tscript:alert(1)",
  "java\nscript:alert(1)",
  "java\u0000script:alert(1)",
  "\u200Bjavascript:alert(1)",
  "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
  "DATA:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "//evil.example.org/",
  "\\\\evil.example.org",
  "https:\\\\evil.example.org",
  "https://example.org/ onmouseover=alert(1)",
  'https://example.org/"><script>alert(1)</script>',
  "https://www.example.org@evil.example.org/",
  "https://",
  "http:/example.org",
  "ftp://example.org/",
  "tel:+33555414513",
  "mailto:contact@example.org",
  "file:///etc/passwd",
  "https://exa\u202Emple.org",
];

test("http(s) links with a host are links of every link field", () => {
  for (const field of LINK_FIELDS)
    for (const u of SAFE) assert.equal(linkProblem(field, u), null, `${field} « ${u} »`);
});

test("every other scheme and every trick is refused, with a French message that echoes no control character", () => {
  for (const field of LINK_FIELDS)
    for (const u of UNSAFE) {
      const problem = linkProblem(field, u);
      assert.ok(problem, `${field} « ${JSON.stringify(u)} » accepted`);
      assert.match(problem as string, /^adresse /);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: checking that none is echoed
      assert.doesNotMatch(problem as string, /[\u0000-\u0008\u000A-\u001F\u200B\u202E]/);
      assert.equal(isSafeLink(field, u), false);
    }
});

test("a bare host is refused with the full link suggested", () => {
  assert.match(
    linkProblem("site_web", "www.aubusson.fr") ?? "",
    /écrivez le lien entier, par exemple « https:\/\/www\.aubusson\.fr »/,
  );
  assert.equal(linkSuggestion("www.aubusson.fr"), "https://www.aubusson.fr");
  assert.equal(linkSuggestion("javascript:alert(1)"), undefined);
});

test("withSafeLinks removes unsafe links only, and returns the same record when all are safe", () => {
  const s = {
    site_web: ["https://www.aubusson.fr", "javascript:alert(1)"],
    prise_rdv: "data:text/html,x",
    fiche_acces_libre: "https://acceslibre.beta.gouv.fr/app/x/",
  } as StandardPlace;
  const safe = withSafeLinks(s);
  assert.deepEqual(safe.site_web, ["https://www.aubusson.fr"]);
  assert.equal(safe.prise_rdv, null);
  assert.equal(safe.fiche_acces_libre, "https://acceslibre.beta.gouv.fr/app/x/");
  assert.deepEqual(
    s.site_web,
    ["https://www.aubusson.fr", "javascript:alert(1)"],
    "the record is not changed",
  );
  const clean = {
    site_web: ["https://www.aubusson.fr"],
    prise_rdv: null,
    fiche_acces_libre: null,
  } as StandardPlace;
  assert.equal(withSafeLinks(clean), clean);
});

test("a place read from the database never carries an unsafe link (API, pages, exports and the finder read it so)", () => {
  const standard = {
    nom: "Espace numérique La Passerelle",
    site_web: ["https://www.aubusson.fr", "javascript:alert(1)"],
    prise_rdv: "javascript:alert(1)",
    fiche_acces_libre: null,
  } as unknown as StandardPlace;
  const place = placeFromPublished({
    id: "lieu-1",
    nom: "Espace numérique La Passerelle",
    nom_sort: "espace numerique la passerelle",
    search: "",
    commune_code: "23008",
    lat: null,
    lon: null,
    approximate: false,
    unparsed_hours: false,
    services: [],
    standard,
    provenance: [],
    members: ["lieu-1"],
  });
  assert.deepEqual(place.standard.site_web, ["https://www.aubusson.fr"]);
  assert.equal(place.standard.prise_rdv, null);
});

test("every link of the shipped files is accepted, and what is accepted is what a browser reads as http(s) with a host", async () => {
  const links: string[] = [];
  for (const name of [FILES.cnfs, FILES.paca]) {
    const rows = JSON.parse(await realText(name)) as Record<string, unknown>[];
    for (const r of rows)
      for (const key of ["site_web", "prise_rdv", "accessibilite", "fiche_acces_libre"])
        if (typeof r[key] === "string" && r[key] !== "") links.push(...(r[key] as string).split("|"));
  }
  assert.ok(links.length > 2000);
  for (const u of links) assert.equal(linkProblem("site_web", u), null, u);
  for (const u of [...links, ...SAFE, ...UNSAFE])
    if (isSafeLink("site_web", u)) {
      const url = new URL(u);
      assert.ok(url.protocol === "http:" || url.protocol === "https:", u);
      assert.ok(url.hostname !== "" && url.username === "" && url.password === "", u);
    }
});
