import type { FastifyInstance } from "fastify";
import { sendPage } from "./platform/http.ts";
import { Layout } from "./platform/views/layout.tsx";

/** Every route as it was registered, per server: the test compares it with the OpenAPI document. */
export const registeredRoutes = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

export function recordRoutes(app: FastifyInstance): void {
  const list: { method: string; url: string }[] = [];
  registeredRoutes.set(app, list);
  app.addHook("onRoute", (r) => {
    for (const m of [r.method].flat()) list.push({ method: m, url: r.url });
  });
}

/** The parts of the generated OpenAPI document that the French page shows. */
interface JsonSchema {
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  examples?: unknown[];
}
interface Operation {
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  requestBody?: { content: Record<string, { schema: JsonSchema; example?: unknown }> };
  responses?: Record<string, { description: string }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

const VERBS = ["get", "post", "put", "patch", "delete"] as const;

/** `/api/v1/openapi.json`, generated from the route schemas, and a page in French that shows it. */
export function registerApiDocs(app: FastifyInstance): void {
  // Generated once, on the first request (every route is registered by then).
  let doc: OpenApiDocument | null = null;
  const document = () => {
    doc ??= app.swagger() as unknown as OpenApiDocument;
    return doc;
  };
  app.get("/api/v1/openapi.json", () => document());
  app.get("/api", (_req, reply) =>
    sendPage(
      reply,
      <Layout title="API de Maillage">
        <h1>API de Maillage</h1>
        <p class="lead">
          Les mêmes données que les pages, en JSON, pour d'autres outils. La description complète au format
          OpenAPI est dans <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>. Les erreurs sont au format
          application/problem+json, avec un message en français.
        </p>
        {Object.entries(document().paths).flatMap(([path, ops]) =>
          VERBS.map((verb) => {
            const op = ops[verb];
            if (!op) return null;
            const media = op.requestBody?.content["application/json"];
            const body = media?.schema;
            const example = media?.example ?? body?.examples?.[0];
            return (
              <section key={`${verb} ${path}`} aria-labelledby={`api-${verb}-${path}`}>
                <h2 id={`api-${verb}-${path}`}>
                  <code>
                    {verb.toUpperCase()} {path}
                  </code>{" "}
                  — {op.summary}
                </h2>
                {op.description && <p>{op.description}</p>}
                {op.parameters && op.parameters.length > 0 && (
                  <ul>
                    {op.parameters.map((p) => (
                      <li key={`${p.in} ${p.name}`}>
                        <code>{p.name}</code>
                        {p.required ? " (obligatoire)" : ""} : {p.description}
                      </li>
                    ))}
                  </ul>
                )}
                {body?.properties && (
                  <>
                    <p>Corps de la demande (JSON) :</p>
                    <ul>
                      {Object.entries(body.properties).map(([name, s]) => (
                        <li key={name}>
                          <code>{name}</code>
                          {body.required?.includes(name) ? " (obligatoire)" : ""} : {s.description}
                        </li>
                      ))}
                    </ul>
                  </>
                )}
                {example !== undefined && (
                  <p>
                    Exemple de corps : <code>{JSON.stringify(example)}</code>
                  </p>
                )}
                {op.responses && (
                  <p>
                    Réponses :{" "}
                    {Object.entries(op.responses)
                      .map(([status, r]) => `${status} ${r.description}`)
                      .join(" ; ")}
                  </p>
                )}
              </section>
            );
          }),
        )}
      </Layout>,
    ),
  );
}
