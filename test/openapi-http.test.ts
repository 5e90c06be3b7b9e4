/**
 * The OpenAPI document is generated from the schemas declared at the routes: it must list exactly the /api/v1
 * routes, every real response of every route must validate against it (JSON Schema 2020-12, with ajv), and the
 * schema layer must refuse repeated and oversized parameters of every route in French.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { BY_SYSTEM } from "../src/accounts/store.ts";
import { habilitate } from "../src/mandats/store.ts";
import { professionalToken } from "./support/accounts.ts";
import { member, organisation, tokenOf } from "./support/people.ts";
import { startTestServer } from "./support/server.ts";

interface Schema {
  type?: string | string[];
  maxLength?: number;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  additionalProperties?: Schema | boolean;
  required?: string[];
  examples?: unknown[];
}
interface Parameter {
  name: string;
  in: "query" | "path";
  required?: boolean;
  description?: string;
  schema: Schema;
}
interface Operation {
  summary?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
}
interface Document {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, Operation>>;
}

let server: Awaited<ReturnType<typeof startTestServer>>;
let doc: Document;
/** Personal tokens of fictitious people of the pass numérique (financeur, coordinator, prescriber, mediator). */
const passTokens: Record<string, string> = {};
const passIds: Record<string, number> = {};
before(async () => {
  server = await startTestServer();
  doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as Document;
  const db = server.ctx.database.db;
  const clock = server.ctx.clock;
  passIds.financeur = await organisation(db, clock, {
    name: "Financeur (essai)",
    kind: "financeur",
    territoryId: "23",
  });
  passIds.ccas = await organisation(db, clock, { name: "CCAS (essai)", kind: "ccas", territoryId: "23096" });
  passIds.lieu = await organisation(db, clock, {
    name: "Lieu (essai)",
    kind: "lieu-de-mediation",
    territoryId: "23096",
  });
  passIds.creuse = await organisation(db, clock, {
    name: "Coordination (essai)",
    kind: "collectivite",
    territoryId: "23",
  });
  for (const [who, org, role] of [
    ["financeur", passIds.financeur, "financeur"],
    ["coordinateur", passIds.creuse, "coordinateur"],
    ["prescripteur", passIds.ccas, "prescripteur"],
    ["mediateur", passIds.lieu, "mediateur"],
  ] as const) {
    await member(db, clock, `openapi.${who}@example.org`, org as number, role);
    passTokens[who] = await tokenOf(db, clock, `openapi.${who}@example.org`);
  }
  // An habilitated aidant (mandates).
  passIds.aidants = await organisation(db, clock, {
    name: "Aidants (essai)",
    kind: "ccas",
    territoryId: "23096",
  });
  const aidant = await member(db, clock, "openapi.aidant@example.org", passIds.aidants, "aidant");
  await habilitate(
    db,
    {
      personId: aidant,
      organisationId: passIds.aidants,
      trainedOn: "2026-10-01",
      charter: "2026-12",
      territoryId: "23096",
    },
    BY_SYSTEM,
    clock.now(),
  );
  passTokens.aidant = await tokenOf(db, clock, "openapi.aidant@example.org");
});
after(() => server.close());

const send = (method: string, path: string, body?: unknown, token?: string) =>
  fetch(server.url + path, {
    method,
    redirect: "manual",
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, method, path, op })),
  );

const operation = (key: string): Operation => {
  const found = operations().find((o) => o.key === key);
  assert.ok(found, `${key} is in the document`);
  return found.op;
};

const ajv = new Ajv2020({ allErrors: true });

/** Checks a real response against the schema the document declares for its status and content type. */
async function checkResponse(key: string, res: Response): Promise<unknown> {
  const declared = operation(key).responses[String(res.status)];
  assert.ok(declared, `${key}: status ${res.status} is declared`);
  const type = (res.headers.get("content-type") ?? "").split(";")[0] ?? "";
  const schema = declared.content?.[type]?.schema;
  assert.ok(schema, `${key}: ${res.status} ${type} has a schema in the document`);
  const body = await res.json();
  const validate = ajv.compile(schema);
  assert.ok(
    validate(body),
    `${key} ${res.status}: ${ajv.errorsText(validate.errors, { separator: "\n" })}\n${JSON.stringify(body).slice(0, 500)}`,
  );
  return body;
}

/** Every string in a schema, with where it is, for the « every text has a maximum » rule. */
function unboundedStrings(schema: Schema, at: string): string[] {
  const out: string[] = [];
  const types = [schema.type ?? []].flat();
  if (
    types.includes("string") &&
    schema.maxLength === undefined &&
    !schema.enum &&
    schema.const === undefined
  )
    out.push(at);
  for (const [name, s] of Object.entries(schema.properties ?? {}))
    out.push(...unboundedStrings(s, `${at}.${name}`));
  if (schema.items) out.push(...unboundedStrings(schema.items, `${at}[]`));
  if (typeof schema.additionalProperties === "object")
    out.push(...unboundedStrings(schema.additionalProperties, `${at}{}`));
  for (const s of schema.anyOf ?? []) out.push(...unboundedStrings(s, at));
  return out;
}

describe("the generated OpenAPI document", () => {
  test("lists exactly the /api/v1 routes that are served", async () => {
    const { registeredRoutes } = await import("../src/api-docs.tsx");
    assert.equal(doc.openapi, "3.1.0");
    assert.equal(doc.info.title, "Maillage — API");
    const documented = operations()
      .map((o) => o.key)
      .sort();
    const served = (registeredRoutes.get(server.app) ?? [])
      .filter((r) => r.url.startsWith("/api/v1/") && r.method !== "HEAD" && r.url !== "/api/v1/openapi.json")
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, "{$1}")}`)
      .sort();
    assert.equal(served.length, 28, served.join(", "));
    assert.deepEqual(documented, served);
  });

  test("every operation and parameter is described in French; every text input has a maximum length", () => {
    for (const { key, op } of operations()) {
      assert.ok(op.summary, `${key} has a summary`);
      for (const p of op.parameters ?? []) {
        assert.ok(p.description && p.description.length > 5, `${key} ${p.name} is described`);
        assert.deepEqual(unboundedStrings(p.schema, p.name), [], `${key}: a maximum length for ${p.name}`);
      }
      const body = op.requestBody?.content["application/json"]?.schema;
      if (body) {
        assert.deepEqual(unboundedStrings(body, "body"), [], `${key}: a maximum length for every text`);
        for (const [name, s] of Object.entries(body.properties ?? {}))
          assert.ok((s as { description?: string }).description, `${key}: body field ${name} is described`);
      }
      if ((op.parameters?.length ?? 0) > 0 || body)
        assert.ok(
          op.responses["400"]?.content?.["application/problem+json"],
          `${key}: 400 problem+json declared`,
        );
    }
  });

  test("the French page /api shows the same document", async () => {
    const res = await send("GET", "/api");
    assert.equal(res.status, 200);
    const html = await res.text();
    for (const { method, path, op } of operations()) {
      assert.ok(html.includes(`${method.toUpperCase()} ${path}`), `${method} ${path} on /api`);
      for (const p of op.parameters ?? [])
        assert.ok(html.includes(`<code>${p.name}</code>`), `${method} ${path} ${p.name} on /api`);
    }
    assert.match(html, /Nombre de résultats par page/);
    assert.match(html, /Exemple de corps/);
  });
});

describe("real responses validate against the document", () => {
  test("every /api/v1 route, on the real data", async () => {
    const checked = new Set<string>();
    const check = async (key: string, path: string, body?: unknown, status = 200, token?: string) => {
      const res = await send(key.split(" ")[0] as string, path, body, token);
      assert.equal(res.status, status, `${key} ${path}`);
      checked.add(key);
      return checkResponse(key, res);
    };
    await check("GET /api/v1/territoires", "/api/v1/territoires?q=saint&limit=5&type=commune,epci");
    await check("GET /api/v1/territoires", "/api/v1/territoires?q=Ecully");
    await check("GET /api/v1/territoires/{id}", "/api/v1/territoires/69383");
    await check("GET /api/v1/territoires/{id}", "/api/v1/territoires/region-84");
    await check("GET /api/v1/territoires/{id}", "/api/v1/territoires/99999", undefined, 404);
    const list = (await check("GET /api/v1/lieux", "/api/v1/lieux?territoire=23&limit=100")) as {
      resultats: { id: string }[];
    };
    await check("GET /api/v1/lieux", "/api/v1/lieux?service=x", undefined, 400);
    for (const p of list.resultats.slice(0, 10))
      await check("GET /api/v1/lieux/{id}", `/api/v1/lieux/${encodeURIComponent(p.id)}`);
    await check("GET /api/v1/lieux/{id}", "/api/v1/lieux/aucun", undefined, 404);
    await check("GET /api/v1/lieux/carte", "/api/v1/lieux/carte?territoire=23");
    await check("GET /api/v1/fragilite", "/api/v1/fragilite?territoire=23096");
    await check("GET /api/v1/fragilite", "/api/v1/fragilite?territoire=23&methode=maillage-2025");
    await check("GET /api/v1/fragilite", "/api/v1/fragilite?territoire=region-84");
    await check("GET /api/v1/fragilite/carte", "/api/v1/fragilite/carte?territoire=23");
    await check("GET /api/v1/couverture", "/api/v1/couverture?territoire=23");
    await check(
      "GET /api/v1/couverture",
      "/api/v1/couverture?territoire=region-75&service=France%20Services",
    );
    await check("POST /api/v1/planification", "/api/v1/planification", {
      territoire: "23",
      sites: 3,
      rayon: 10,
      itinerant: true,
    });
    await check("GET /api/v1/orientation", "/api/v1/orientation?commune=23096&besoin=demarches&quand=samedi");
    await check("GET /api/v1/orientation", "/api/v1/orientation?commune=Cagnes-sur-Mez", undefined, 404);
    const questions = (await check("GET /api/v1/diagnostic/questions", "/api/v1/diagnostic/questions")) as {
      questions: { id: string; reponses: { id: string }[] }[];
    };
    const reponses = Object.fromEntries(questions.questions.map((q) => [q.id, q.reponses[0]?.id ?? ""]));
    await check("POST /api/v1/diagnostic", "/api/v1/diagnostic", { commune: "23096", reponses });
    await check("POST /api/v1/diagnostic", "/api/v1/diagnostic", { commune: "2A004", version: "0" }, 409);
    const hours = (await check(
      "GET /api/v1/horaires/verification",
      "/api/v1/horaires/verification?texte=Mo-Fr%2009:00-12:00,14:00-17:00;%20Sa%2009:00-12:00",
    )) as { valide: boolean };
    assert.equal(hours.valide, true);
    const unreadable = (await check(
      "GET /api/v1/horaires/verification",
      "/api/v1/horaires/verification?texte=lundi%20matin",
    )) as { valide: boolean; message: string };
    assert.equal(unreadable.valide, false);
    assert.match(unreadable.message, /illisibles/);
    const indicators = (await check(
      "GET /api/v1/indicateurs",
      "/api/v1/indicateurs?territoire=QN08003M",
    )) as {
      indicateurs: { id: string }[];
    };
    assert.ok(indicators.indicateurs.some((i) => i.id === "lieux.total"));
    await check("GET /api/v1/moi", "/api/v1/moi", undefined, 401);
    const token = await professionalToken(server.ctx.database.db, server.ctx.clock, "openapi@example.org");
    const res = await fetch(`${server.url}/api/v1/moi`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const me = (await checkResponse("GET /api/v1/moi", res)) as { personne: { email: string } };
    assert.equal(me.personne.email, "openapi@example.org");
    // The pass numérique, from the programme to the redemption, with each refusal the document declares.
    const t = passTokens;
    const created = (await check(
      "POST /api/v1/pass/programmes",
      "/api/v1/pass/programmes",
      { ...programmeBody(), lieux: [passIds.lieu] },
      201,
      t.financeur,
    )) as { id: number };
    passIds.programme = created.id;
    const ordered = (await check(
      "POST /api/v1/pass/programmes/{id}/carnets",
      `/api/v1/pass/programmes/${created.id}/carnets`,
      { nombre: 2 },
      201,
      t.financeur,
    )) as { carnets: { numero: string; cheques: string[] }[] };
    const [first, second] = ordered.carnets as [{ numero: string; cheques: string[] }, { numero: string }];
    passCode = first.cheques[1] as string;
    passSerial = second.numero;
    await check(
      "POST /api/v1/pass/programmes/{id}/carnets",
      "/api/v1/pass/programmes/999999/carnets",
      { nombre: 1 },
      404,
      t.financeur,
    );
    const allocate = (serial: string, status: number) =>
      check(
        "POST /api/v1/pass/carnets/{serial}/attribution",
        `/api/v1/pass/carnets/${serial}/attribution`,
        { organisation: passIds.ccas },
        status,
        t.coordinateur,
      );
    await allocate(first.numero, 200);
    await allocate(first.numero, 409);
    await check(
      "POST /api/v1/pass/carnets/{serial}/remise",
      `/api/v1/pass/carnets/${first.numero}/remise`,
      { commune: "23096" },
      200,
      t.prescripteur,
    );
    await check(
      "POST /api/v1/pass/carnets/{serial}/remise",
      `/api/v1/pass/carnets/${first.numero}/remise`,
      { commune: "23096" },
      409,
      t.prescripteur,
    );
    await check(
      "GET /api/v1/pass/cheques/{code}",
      `/api/v1/pass/cheques/${first.cheques[0]}`,
      undefined,
      200,
      t.mediateur,
    );
    await check(
      "GET /api/v1/pass/cheques/{code}",
      "/api/v1/pass/cheques/2345678922",
      undefined,
      422,
      t.mediateur,
    );
    const redeem = (code: string, status: number) =>
      check(
        "POST /api/v1/pass/cheques/{code}/encaissement",
        `/api/v1/pass/cheques/${code}/encaissement`,
        {},
        status,
        t.mediateur,
      );
    await redeem(first.cheques[0] as string, 200);
    await redeem(first.cheques[0] as string, 409);
    await redeem("2345678922", 422);
    // Mandates: creation, a use, a revocation, the uses it refuses, the public verification.
    const mandat = (await check("POST /api/v1/mandats", "/api/v1/mandats", mandatBody(), 201, t.aidant)) as {
      id: number;
      empreinte: string;
    };
    passIds.mandat = mandat.id;
    await check("POST /api/v1/mandats", "/api/v1/mandats", { ...mandatBody(), duree: 30 }, 422, t.aidant);
    await check("POST /api/v1/mandats", "/api/v1/mandats", mandatBody(), 403, t.mediateur);
    const useOf = (id: number, demarche: string, status: number, token = t.aidant) =>
      check(
        "POST /api/v1/mandats/{id}/utilisations",
        `/api/v1/mandats/${id}/utilisations`,
        { demarche, description: "Dossier d'aide au logement déposé" },
        status,
        token,
      );
    await useOf(mandat.id, "logement", 201);
    await check(
      "POST /api/v1/mandats/{id}/revocation",
      `/api/v1/mandats/${mandat.id}/revocation`,
      { demarches: ["logement"] },
      200,
      t.aidant,
    );
    await check(
      "POST /api/v1/mandats/{id}/revocation",
      `/api/v1/mandats/${mandat.id}/revocation`,
      { demarches: ["logement"] },
      409,
      t.aidant,
    );
    await useOf(mandat.id, "logement", 403);
    await useOf(mandat.id, "justice", 422);
    await useOf(999999, "social", 404);
    await check("GET /api/v1/mandats/verifier/{empreinte}", `/api/v1/mandats/verifier/${mandat.empreinte}`);
    await check(
      "GET /api/v1/mandats/verifier/{empreinte}",
      `/api/v1/mandats/verifier/${"0".repeat(64)}`,
      undefined,
      404,
    );
    await check("GET /api/v1/mandats/verifier/{empreinte}", "/api/v1/mandats/verifier/abc", undefined, 400);
    // Activity reports: a report under an Idempotency-Key, its replay, a bad one; the list; the statistics.
    const report = async (body: unknown, key: string, status: number) => {
      const res = await fetch(`${server.url}/api/v1/activites`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${t.mediateur}`,
          "content-type": "application/json",
          "idempotency-key": key,
        },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, status);
      checked.add("POST /api/v1/activites");
      return checkResponse("POST /api/v1/activites", res);
    };
    await report(activityBody(), "openapi-cle-0001", 201);
    await report(activityBody(), "openapi-cle-0001", 201);
    await report({ ...activityBody(), duree_minutes: 0 }, "openapi-cle-0002", 422);
    await check("GET /api/v1/activites", "/api/v1/activites?limit=5", undefined, 200, t.mediateur);
    await check(
      "GET /api/v1/activites/statistiques",
      "/api/v1/activites/statistiques?territoire=23",
      undefined,
      200,
      t.coordinateur,
    );
    await check(
      "GET /api/v1/activites/statistiques",
      "/api/v1/activites/statistiques?territoire=Zzyzx",
      undefined,
      400,
      t.coordinateur,
    );
    assert.deepEqual(
      [...checked].sort(),
      operations()
        .map((o) => o.key)
        .sort(),
      "every route was checked",
    );
  });
});

let passCode = "";
let passSerial = "";
const activityBody = () => ({
  type: "individuel",
  date: "2026-11-30",
  duree_minutes: 45,
  lieu: "domicile",
  commune: "23096",
  thematiques: ["email"],
});
const mandatBody = () => ({
  demarches: ["social", "logement"],
  duree: 31,
  mandant: {
    prenoms: "Camille",
    nom: "Exemple",
    date_naissance: "1948-07-04",
    lieu_naissance: "Guéret",
    piece: "carte-identite",
  },
  verifications_lues: true,
});
const programmeBody = () => ({
  nom: "Programme de la documentation (essai)",
  territoire: "23",
  publics: ["seniors"],
  valeur_centimes: 1000,
  carnet: 10,
  validite_mois: 12,
  date_limite: "2027-12-31",
  delai_grace_jours: 59,
  budget_centimes: 1_000_000,
  lieux: [],
});

describe("the schema layer refuses bad input of every route, in French", () => {
  /** A request that the route accepts, to which one bad parameter is added. */
  const BASE: Record<string, { path: string; body?: Record<string, unknown>; who?: string }> = {
    "GET /api/v1/territoires": { path: "/api/v1/territoires?q=lyon" },
    "GET /api/v1/territoires/{id}": { path: "/api/v1/territoires/{id}" },
    "GET /api/v1/lieux": { path: "/api/v1/lieux" },
    "GET /api/v1/lieux/{id}": { path: "/api/v1/lieux/{id}" },
    "GET /api/v1/lieux/carte": { path: "/api/v1/lieux/carte?territoire=23" },
    "GET /api/v1/fragilite": { path: "/api/v1/fragilite?territoire=23" },
    "GET /api/v1/indicateurs": { path: "/api/v1/indicateurs?territoire=23" },
    "GET /api/v1/fragilite/carte": { path: "/api/v1/fragilite/carte?territoire=23" },
    "GET /api/v1/couverture": { path: "/api/v1/couverture?territoire=23" },
    "POST /api/v1/planification": {
      path: "/api/v1/planification",
      body: { territoire: "23", sites: 3, rayon: 10, service: "France Services", methode: "officiel-2023" },
    },
    "GET /api/v1/orientation": { path: "/api/v1/orientation?commune=23096" },
    "GET /api/v1/diagnostic/questions": { path: "/api/v1/diagnostic/questions" },
    "POST /api/v1/diagnostic": { path: "/api/v1/diagnostic", body: { commune: "23096", reponses: {} } },
    "GET /api/v1/moi": { path: "/api/v1/moi" },
    "GET /api/v1/horaires/verification": { path: "/api/v1/horaires/verification?texte=Mo-Fr%2009:00-12:00" },
    "POST /api/v1/pass/programmes": {
      path: "/api/v1/pass/programmes",
      body: programmeBody(),
      who: "financeur",
    },
    "POST /api/v1/pass/programmes/{id}/carnets": {
      path: "/api/v1/pass/programmes/{id}/carnets",
      body: { nombre: 1 },
      who: "financeur",
    },
    "POST /api/v1/pass/carnets/{serial}/attribution": {
      path: "/api/v1/pass/carnets/{serial}/attribution",
      body: { organisation: 1 },
      who: "coordinateur",
    },
    "POST /api/v1/pass/carnets/{serial}/remise": {
      path: "/api/v1/pass/carnets/{serial}/remise",
      body: { commune: "23096", beneficiaire: "D-1" },
      who: "prescripteur",
    },
    "GET /api/v1/pass/cheques/{code}": { path: "/api/v1/pass/cheques/{code}", who: "mediateur" },
    "POST /api/v1/pass/cheques/{code}/encaissement": {
      path: "/api/v1/pass/cheques/{code}/encaissement",
      body: { date_atelier: "2026-12-01" },
      who: "mediateur",
    },
    "POST /api/v1/mandats": { path: "/api/v1/mandats", body: mandatBody(), who: "aidant" },
    "POST /api/v1/mandats/{id}/utilisations": {
      path: "/api/v1/mandats/{id}/utilisations",
      body: { demarche: "social", description: "Démarche faite", date: "2026-12-01" },
      who: "aidant",
    },
    "POST /api/v1/mandats/{id}/revocation": {
      path: "/api/v1/mandats/{id}/revocation",
      body: { demarches: ["social"] },
      who: "aidant",
    },
    "GET /api/v1/mandats/verifier/{empreinte}": { path: "/api/v1/mandats/verifier/{empreinte}" },
    "POST /api/v1/activites": { path: "/api/v1/activites", body: activityBody(), who: "mediateur" },
    "GET /api/v1/activites": { path: "/api/v1/activites", who: "mediateur" },
    "GET /api/v1/activites/statistiques": {
      path: "/api/v1/activites/statistiques?territoire=23",
      who: "coordinateur",
    },
  };

  async function refused(what: string, res: Response, detail: RegExp): Promise<void> {
    assert.equal(res.status, 400, what);
    assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/, what);
    const body = (await res.json()) as { status: number; detail: string };
    assert.equal(body.status, 400, what);
    assert.match(body.detail, detail, `${what}: ${body.detail}`);
  }

  /** The base request with a query parameter set to these values (replacing the base's own). */
  const withParam = (path: string, name: string, ...values: string[]) => {
    const url = new URL(path, "http://localhost");
    url.searchParams.delete(name);
    for (const v of values) url.searchParams.append(name, v);
    return `${url.pathname}${url.search}`;
  };

  test("a parameter given twice, a text one character too long: 400 problem+json naming it", async () => {
    let cases = 0;
    for (const { key, method, op } of operations()) {
      const base = BASE[key];
      assert.ok(base, `${key} has a base request in this test`);
      for (const p of op.parameters ?? []) {
        // A header (Idempotency-Key) is checked by its route (400 when malformed), not given twice in a query.
        if ((p.in as string) === "header") continue;
        const repeatable = [p.schema.type ?? [], ...(p.schema.anyOf ?? []).map((s) => s.type ?? [])]
          .flat()
          .includes("array");
        const long = p.schema.maxLength === undefined ? null : "x".repeat(p.schema.maxLength + 1);
        if (p.in === "path") {
          if (long) {
            await refused(
              `${key} ${p.name}`,
              await send(
                method,
                base.path.replace(`{${p.name}}`, long),
                undefined,
                base.who && passTokens[base.who],
              ),
              new RegExp(`${p.name} est trop long \\(${long.length} caractères\\)`),
            );
            cases++;
          }
          continue;
        }
        if (!repeatable) {
          const twice = withParam(base.path, p.name, "1", "2");
          await refused(
            `${key} ${p.name} twice`,
            await send(method, twice, undefined, base.who && passTokens[base.who]),
            new RegExp(`${p.name} : une seule valeur attendue \\(le paramètre est donné 2 fois\\)`),
          );
          cases++;
        }
        if (long) {
          await refused(
            `${key} ${p.name} too long`,
            await send(
              method,
              withParam(base.path, p.name, long),
              undefined,
              base.who && passTokens[base.who],
            ),
            new RegExp(`${p.name}\\b.*${p.schema.maxLength} caractères au plus`),
          );
          cases++;
        }
      }
      const body = op.requestBody?.content["application/json"]?.schema;
      for (const [name, s] of Object.entries(body?.properties ?? {})) {
        if (s.maxLength === undefined || !base.body) continue;
        const long = "9".repeat(s.maxLength + 1);
        await refused(
          `${key} ${name} too long`,
          await send(
            method,
            base.path
              .replace("{id}", String(passIds.programme))
              .replace("{serial}", passSerial)
              .replace("{code}", passCode),
            { ...base.body, [name]: long },
            base.who && passTokens[base.who],
          ),
          new RegExp(
            `${name} est trop long \\(${String(long.length).replace(/\B(?=(\d{3})+$)/g, "\\s?")} caractères\\)`,
          ),
        );
        cases++;
      }
    }
    assert.ok(cases >= 30, `${cases} bad requests tried`);
  });

  test("numbers out of their bounds and wrong types, named in French", async () => {
    await refused(
      "limit",
      await send("GET", "/api/v1/territoires?q=lyon&limit=51"),
      /^limit vaut 50 au plus\.$/,
    );
    await refused(
      "offset",
      await send("GET", "/api/v1/lieux?offset=-1"),
      /^offset ne peut pas être négatif\.$/,
    );
    await refused(
      "limit",
      await send("GET", "/api/v1/lieux?limit=2.5"),
      /^limit doit être un nombre entier\.$/,
    );
    await refused("q", await send("GET", "/api/v1/territoires"), /^q : paramètre obligatoire\.$/);
    await refused(
      "body",
      await send("POST", "/api/v1/planification", {
        territoire: "23",
        sites: 3,
        rayon: 10,
        itinerant: "oui",
      }),
      /^itinerant doit être true ou false\.$/,
    );
  });
});
