import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { dayIn, parseDay } from "./clock.ts";
import { formatDay, formatNumber } from "./format.ts";
import { sendPage } from "./http.ts";
import { SHIPPED_FILES, shippedFileNamed } from "./provenance.ts";
import { Layout } from "./views/layout.tsx";
import { TableRegion } from "./views/table.tsx";

/** Dates of imports are said in the zone of metropolitan France (the site's public is French). */
const ZONE = "Europe/Paris";

const longDay = (day: string) => formatDay(day, { weekday: false, year: true });

/**
 * « Sources des données »: every file shipped in data/ (from the one provenance list the loaders use) and every
 * source of places imported into this database, with its date of import and its vintage.
 */
export function registerAboutRoutes(app: FastifyInstance, ctx: Pick<AppContext, "places">): void {
  app.get("/a-propos/donnees", async (_req, reply) => {
    const imported = await ctx.places.sources();
    return sendPage(
      reply,
      <Layout title="Sources des données">
        <h1>Sources des données</h1>
        <p class="lead">
          Maillage n'invente aucune donnée : tout vient de fichiers publics, cités ici avec leur date.
        </p>
        <section aria-labelledby="fichiers">
          <h2 id="fichiers">Fichiers livrés avec Maillage</h2>
          <TableRegion label="Fichiers livrés">
            <table>
              <caption class="visually-hidden">Fichiers de données livrés avec Maillage</caption>
              <thead>
                <tr>
                  <th scope="col">Données</th>
                  <th scope="col">Producteur</th>
                  <th scope="col">Date des données</th>
                  <th scope="col">Licence</th>
                  <th scope="col">Sert à</th>
                </tr>
              </thead>
              <tbody>
                {SHIPPED_FILES.map((f) => (
                  <tr key={f.path} data-fichier={f.path}>
                    <td>
                      <a href={f.link}>{f.title}</a>
                      <br />
                      <span class="hint">
                        fichier <code>{f.path}</code>
                      </span>
                    </td>
                    <td>{f.publisher}</td>
                    <td>{f.vintage}</td>
                    <td>{f.licence}</td>
                    <td>{f.feeds}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          <p>
            Le détail (versions, transformations, particularités de chaque fichier) est dans le fichier
            PROVENANCE.md du dossier data.
          </p>
        </section>
        <section aria-labelledby="lieux-importes">
          <h2 id="lieux-importes">Lieux importés dans la base</h2>
          {imported.length === 0 ? (
            <p>Aucune source de lieux n'a été importée.</p>
          ) : (
            <TableRegion label="Lieux importés">
              <table>
                <caption class="visually-hidden">Sources de lieux importées, avec leur date</caption>
                <thead>
                  <tr>
                    <th scope="col">Source</th>
                    <th scope="col">Fichier</th>
                    <th scope="col">Date des données</th>
                    <th scope="col">Importé le</th>
                    <th scope="col" class="num">
                      Fiches
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {imported.map((s) => {
                    const shipped = shippedFileNamed(s.file);
                    const latest = s.latestUpdate ? parseDay(s.latestUpdate) : null;
                    return (
                      <tr key={s.source} data-source={s.source}>
                        <td>{s.label}</td>
                        <td>
                          <code>{s.file}</code>
                        </td>
                        <td>
                          {shipped
                            ? shipped.vintage
                            : latest
                              ? `fiches mises à jour jusqu'au ${longDay(latest)}`
                              : "date inconnue"}
                        </td>
                        <td>{longDay(dayIn(s.importedAt, ZONE))}</td>
                        <td class="num">{formatNumber(s.activeRecords)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableRegion>
          )}
        </section>
      </Layout>,
    );
  });
}
