import type { FastifyInstance } from "fastify";
import { sendPage } from "./http.ts";
import { Layout } from "./views/layout.tsx";
import { TableRegion } from "./views/table.tsx";

/** Where the data comes from, in plain French (details in data/PROVENANCE.md). */
const SOURCES: { what: string; who: string; licence: string }[] = [
  {
    what: "Liste des communes, arrondissements, départements, régions et leur population (Code officiel géographique 2025)",
    who: "INSEE, via le paquet @etalab/decoupage-administratif",
    licence: "Licence Ouverte",
  },
  {
    what: "Codes postaux et points de référence des communes",
    who: "La Poste, base officielle des codes postaux",
    licence: "Licence Ouverte",
  },
  {
    what: "Contours simplifiés des communes, intercommunalités et régions",
    who: "IGN, Admin Express 2018, mis à jour vers les codes 2025",
    licence: "Licence Ouverte",
  },
  {
    what: "Contours des départements",
    who: "ANCT, cartographie France services",
    licence: "Licence Ouverte 2.0",
  },
];

export function registerAboutRoutes(app: FastifyInstance): void {
  app.get("/a-propos/donnees", (_req, reply) =>
    sendPage(
      reply,
      <Layout title="Sources des données">
        <h1>Sources des données</h1>
        <p class="lead">Maillage n'invente aucune donnée : tout vient de fichiers publics, cités ici.</p>
        <TableRegion label="Sources des données utilisées">
          <table>
            <caption class="visually-hidden">Sources des données utilisées</caption>
            <thead>
              <tr>
                <th scope="col">Données</th>
                <th scope="col">Producteur</th>
                <th scope="col">Licence</th>
              </tr>
            </thead>
            <tbody>
              {SOURCES.map((s) => (
                <tr key={s.what}>
                  <td>{s.what}</td>
                  <td>{s.who}</td>
                  <td>{s.licence}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
        <p>
          Le détail (fichiers, versions, transformations) est dans le fichier PROVENANCE.md du dossier data.
        </p>
      </Layout>,
    ),
  );
}
