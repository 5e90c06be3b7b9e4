import type { FastifyInstance } from "fastify";
import { API_PATHS, openApiDocument } from "./openapi.ts";
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

/** `/api/v1/openapi.json` and a page in French that lists the same endpoints. */
export function registerApiDocs(app: FastifyInstance): void {
  const doc = openApiDocument();
  app.get("/api/v1/openapi.json", () => doc);
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
        {Object.entries(API_PATHS).flatMap(([path, ops]) =>
          (["get", "post"] as const).map((verb) => {
            const op = ops[verb];
            if (!op) return null;
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
                      <li key={p.name}>
                        <code>{p.name}</code>
                        {p.required ? " (obligatoire)" : ""} : {p.description}
                      </li>
                    ))}
                  </ul>
                )}
                {op.requestBody?.content["application/json"].example !== undefined && (
                  <p>
                    Exemple de corps :{" "}
                    <code>{JSON.stringify(op.requestBody.content["application/json"].example)}</code>
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
