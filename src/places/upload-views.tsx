/** The pages of imports from the browser: the upload form with the latest uploads, and one upload's report. */
import type { ComponentChildren, VNode } from "preact";
import { Frame as AdminFrame, type AdminNav } from "../accounts/views/admin.tsx";
import { Csrf, Problem } from "../accounts/views/signin.tsx";
import { formatDateTime, formatNumber } from "../platform/format.ts";
import { TableRegion } from "../platform/views/table.tsx";
import type { RowIssue } from "./model.ts";
import type { ReportPlace, Upload, UploadState } from "./store/uploads.ts";
import type { Progress } from "./upload.ts";

const ZONE = "Europe/Paris";
const n = (x: number | undefined) => formatNumber(x ?? 0);

/**
 * Seconds between two reloads of a page « en cours », when the person asked for it: an automatic reload they did
 * not choose fails WCAG 2.2.1 (F41), so it is offered, with a link to stop it, never imposed.
 */
const REFRESH_SECONDS = 5;

const STATE_LABELS: Record<UploadState, string> = {
  prêt: "vérifié, à confirmer",
  "en cours": "import en cours",
  terminé: "importé",
  annulé: "annulé",
  refusé: "fichier refusé",
  échoué: "échec, rien n'a été enregistré",
  interrompu: "interrompu, rien n'a été enregistré",
  abandonné: "abandonné (non confirmé sous 24 heures)",
};

const FORMAT_LABELS: Record<string, string> = {
  standard: "standard des lieux de médiation numérique",
  "france-services": "liste France Services",
  "data-inclusion": "structures data·inclusion",
};

function Frame(p: {
  nav: AdminNav;
  title: string;
  problem?: string;
  refresh?: number;
  children: ComponentChildren;
}) {
  return (
    <AdminFrame nav={p.nav} title={p.title} current="/admin/imports" problem={p.problem} refresh={p.refresh}>
      {p.children}
    </AdminFrame>
  );
}

export interface UploadFormValues {
  source: string;
  format: string;
  complet: boolean;
}

export function UploadListPage(p: {
  nav: AdminNav;
  territoryName: string;
  sources: { source: string; records: number }[];
  uploads: Upload[];
  values: UploadFormValues;
  maxMegabytes: number;
  problem?: string;
  status?: number;
}): VNode {
  return (
    <Frame nav={p.nav} title="Importer des lieux" problem={p.problem}>
      <h1>Importer des lieux</h1>
      <Problem text={p.problem} />
      <p>
        Déposez un fichier de lieux de votre territoire ({p.territoryName}) : le standard national des lieux
        de médiation numérique (CSV ou JSON, y compris les anciennes versions), la liste France Services (CSV)
        ou des structures data·inclusion (JSON) ; {p.maxMegabytes} Mo au plus, compressé en .gz ou non. Le
        fichier est d'abord vérifié sans rien enregistrer : vous voyez chaque erreur et les lieux qui seraient
        ajoutés, mis à jour ou retirés, puis vous confirmez ou annulez.
      </p>
      <form method="post" action="/admin/imports" enctype="multipart/form-data" class="account-form">
        <Csrf token={p.nav.csrf} />
        <div class="field">
          <label for="source">
            Source <span class="hint">(les lieux déjà importés de cette source sont mis à jour)</span>
          </label>
          <select id="source" name="source" required>
            {p.sources.map((s) => (
              <option key={s.source} value={s.source} selected={p.values.source === s.source}>
                {s.records > 0 ? `${s.source} (${n(s.records)} lieux)` : `${s.source} (nouvelle source)`}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="format">Format</label>
          <select id="format" name="format">
            <option value="" selected={p.values.format === ""}>
              Reconnu d'après les colonnes
            </option>
            {Object.entries(FORMAT_LABELS).map(([value, label]) => (
              <option key={value} value={value} selected={p.values.format === value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <input type="checkbox" id="complet" name="complet" value="1" checked={p.values.complet} />{" "}
          <label for="complet">
            Import complet de la source : ses lieux absents du fichier seront retirés (pas supprimés)
          </label>
        </div>
        <div class="field">
          <label for="fichier">
            Fichier <span class="hint">(.csv, .json, ou compressé .gz)</span>
          </label>
          <input type="file" id="fichier" name="fichier" required accept=".csv,.json,.txt,.gz" />
        </div>
        <button type="submit">Vérifier le fichier</button>
      </form>
      <h2>Derniers imports</h2>
      {p.uploads.length === 0 ? (
        <p>Aucun import depuis le navigateur pour l'instant.</p>
      ) : (
        <TableRegion label="derniers imports">
          <table>
            <caption>Derniers imports, les plus récents d'abord</caption>
            <thead>
              <tr>
                <th scope="col">Fichier</th>
                <th scope="col">Source</th>
                <th scope="col">Déposé</th>
                <th scope="col">État</th>
              </tr>
            </thead>
            <tbody>
              {p.uploads.map((u) => (
                <tr key={u.id}>
                  <th scope="row">
                    <a href={`/admin/imports/${u.id}`}>{u.fileName}</a>
                  </th>
                  <td>{u.source}</td>
                  <td>
                    {formatDateTime(u.createdAt, ZONE)} par {u.uploadedBy}
                  </td>
                  <td>{STATE_LABELS[u.state]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </Frame>
  );
}

function Counts({ c, title }: { c: Record<string, number>; title: string }): VNode {
  return (
    <section aria-labelledby="comptes">
      <h2 id="comptes">{title}</h2>
      <ul>
        <li>
          {n(c.read)} lignes lues : {n(c.accepted)} acceptées, {n(c.rejected)} refusées
        </li>
        <li>
          {n(c.created)} nouveaux lieux, {n(c.updated)} mis à jour, {n(c.unchanged)} inchangés,{" "}
          {n(c.withdrawn)} retirés
        </li>
        <li>
          {n(c.approximateCoordinates)} coordonnées approximatives (placées au centre de la commune),{" "}
          {n(c.unparsedHours)} horaires illisibles (texte d'origine gardé)
        </li>
      </ul>
    </section>
  );
}

function Errors(p: { errors: RowIssue[]; count: number; csv: string | null }): VNode {
  if (p.count === 0) return <p>Aucune erreur : toutes les lignes sont valides.</p>;
  return (
    <section aria-labelledby="erreurs">
      <h2 id="erreurs">Erreurs ({n(p.count)})</h2>
      {p.csv ? (
        <p>
          <a href={p.csv}>
            Télécharger toutes les erreurs (tableur CSV : ligne, champ, valeur, règle, message)
          </a>
        </p>
      ) : null}
      {p.errors.length < p.count ? (
        <p>
          Les {n(p.errors.length)} premières erreurs sont listées ici
          {p.csv ? ", toutes sont dans le fichier CSV." : "."}
        </p>
      ) : null}
      <TableRegion label="erreurs">
        <table>
          <caption>Erreurs, dans l'ordre du fichier</caption>
          <thead>
            <tr>
              <th scope="col">Ligne</th>
              <th scope="col">Champ</th>
              <th scope="col">Valeur</th>
              <th scope="col">Erreur</th>
            </tr>
          </thead>
          <tbody>
            {p.errors.map((e, i) => (
              <tr key={`${e.line}-${e.field}-${i}`}>
                <th scope="row">{e.line}</th>
                <td>{e.field}</td>
                <td>{e.value}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
    </section>
  );
}

function Places(p: { id: string; title: string; places: ReportPlace[]; count: number; changes?: boolean }) {
  if (p.count === 0) return null;
  return (
    <section aria-labelledby={p.id}>
      <h2 id={p.id}>
        {p.title} ({n(p.count)})
      </h2>
      {p.places.length < p.count ? <p>Les {n(p.places.length)} premiers :</p> : null}
      <ul>
        {p.places.map((x) => (
          <li key={x.id}>
            {x.nom}
            {x.commune ? ` (${x.commune})` : ""}
            {p.changes && x.fields?.length ? ` — ${x.fields.join(", ")}` : ""}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function UploadPage(p: {
  nav: AdminNav;
  upload: Upload;
  progress: Progress | null;
  /** The person asked the page to reload itself while the import runs. */
  auto?: boolean;
  problem?: string;
  status?: number;
}): VNode {
  const u = p.upload;
  const r = u.report;
  const running = u.state === "en cours";
  const here = `/admin/imports/${u.id}`;
  const title = `Import de ${u.fileName}`;
  const csv = u.report.errorCount > 0 ? `/admin/imports/${u.id}/erreurs.csv` : null;
  return (
    <Frame
      nav={p.nav}
      title={title}
      problem={p.problem}
      refresh={running && p.auto ? REFRESH_SECONDS : undefined}
    >
      <h1>{title}</h1>
      <Problem text={p.problem} />
      <p>
        Source « {u.source} » · déposé le {formatDateTime(u.createdAt, ZONE)} par {u.uploadedBy} ·{" "}
        {formatNumber(Math.max(1, Math.round(u.bytes / 1024)))} Ko
        {r.format ? ` · ${FORMAT_LABELS[r.format] ?? r.format}` : ""}
        {u.full ? " · import complet" : ""}
      </p>
      <p role="status">
        <strong>État : {STATE_LABELS[u.state]}.</strong>
        {running && p.progress ? ` ${n(p.progress.rows)} lignes traitées sur ${n(p.progress.total)}.` : ""}
        {running && p.auto
          ? ` Cette page s'actualise toute seule toutes les ${REFRESH_SECONDS} secondes.`
          : ""}
      </p>
      {running ? (
        p.auto ? (
          <p>
            <a href={here}>Arrêter l'actualisation automatique</a>
          </p>
        ) : (
          <p>
            <a href={here}>Actualiser</a> ·{" "}
            <a href={`${here}?auto=1`}>Actualiser automatiquement toutes les {REFRESH_SECONDS} secondes</a>
          </p>
        )
      ) : null}
      {u.message ? <p>{u.message}</p> : null}
      {r.refused ? (
        <p>
          Fichier refusé, rien n'a été enregistré : {r.refused}
          {u.state === "refusé" ? " Corrigez le fichier puis déposez-le à nouveau." : ""}
        </p>
      ) : null}
      {u.state === "terminé" && u.result ? <Counts c={u.result} title="Résultat de l'import" /> : null}
      {u.state === "prêt" ? (
        <>
          <Counts c={r.counts} title="Ce que l'import ferait" />
          <div class="actions">
            <form method="post" action={`/admin/imports/${u.id}/confirmer`} class="inline-form">
              <Csrf token={p.nav.csrf} />
              <button type="submit">Confirmer l'import</button>
            </form>{" "}
            <form method="post" action={`/admin/imports/${u.id}/annuler`} class="inline-form">
              <Csrf token={p.nav.csrf} />
              <button type="submit" class="secondary">
                Annuler
              </button>
            </form>
          </div>
        </>
      ) : null}
      {!r.refused && u.state !== "terminé" && u.state !== "prêt" ? (
        <Counts c={r.counts} title="Ce que la vérification avait trouvé" />
      ) : null}
      <Errors errors={r.errors} count={r.errorCount} csv={u.stored || r.errors.length > 0 ? csv : null} />
      {r.warningCount > 0 ? (
        <p>
          {n(r.warningCount)} avertissement(s) : lignes importées, à vérifier (coordonnées, horaires,
          commune).
        </p>
      ) : null}
      <Places
        id="nouveaux"
        title="Lieux qui seraient ajoutés"
        places={r.created}
        count={r.counts.created ?? 0}
      />
      <Places
        id="modifies"
        title="Lieux qui seraient mis à jour"
        places={r.updated}
        count={r.counts.updated ?? 0}
        changes
      />
      <Places
        id="retires"
        title="Lieux qui seraient retirés"
        places={r.withdrawn}
        count={r.counts.withdrawn ?? 0}
      />
      <p>
        <a href="/admin/imports">Retour aux imports</a>
      </p>
    </Frame>
  );
}
