/**
 * The back-office pages of places: the coordinator's dashboard (/admin/lieux), a place's edit form with the weekly
 * hours editor (progressive enhancement: seven days of time fields that work without JavaScript, the OpenStreetMap
 * text beside them), the conflict page, and a place's versions with « Restaurer ».
 */
import type { VNode } from "preact";
import { type AdminNav, Frame, Pager } from "../../accounts/views/admin.tsx";
import { Csrf, Notice, Problem } from "../../accounts/views/signin.tsx";
import { formatDateTime, formatNumber } from "../../platform/format.ts";
import { TableRegion } from "../../platform/views/table.tsx";
import { placeUrl } from "../describe.ts";
import { RANGES_PER_DAY, type WeekDay } from "../edit.ts";
import type { Editable } from "../editing.ts";
import type { StandardField, StandardPlace } from "../model.ts";
import { STANDARD } from "../schema.ts";
import type { PlaceVersion } from "../store/edits.ts";
import type { FieldChange } from "../store/tables.ts";

const ZONE = "Europe/Paris";
const when = (d: Date) => formatDateTime(d, ZONE);

/** Each editable field in plain French, with a hint when the format matters. */
const FIELD_LABELS: Record<string, { label: string; hint?: string }> = {
  pivot: { label: "SIRET ou RNA de la structure", hint: "9 à 14 lettres ou chiffres, sans espace" },
  nom: { label: "Nom du lieu" },
  adresse: { label: "Adresse", hint: "numéro et rue" },
  complement_adresse: { label: "Complément d'adresse" },
  code_postal: { label: "Code postal", hint: "5 chiffres" },
  commune: { label: "Commune" },
  code_insee: { label: "Code INSEE de la commune", hint: "laissez vide s'il est inconnu" },
  latitude: { label: "Latitude", hint: "par exemple 46.1712" },
  longitude: { label: "Longitude", hint: "par exemple 1.8713" },
  typologie: { label: "Type de structure", hint: "une valeur par ligne, par exemple MAIRIE" },
  telephone: {
    label: "Téléphone",
    hint: "format international sans espace, par exemple +33555000000 ; un par ligne",
  },
  courriels: { label: "Adresse e-mail", hint: "une par ligne" },
  site_web: { label: "Site internet", hint: "adresse complète commençant par https:// ; une par ligne" },
  horaires: { label: "Horaires" },
  presentation_resume: { label: "Présentation courte", hint: "280 caractères au plus" },
  presentation_detail: { label: "Présentation détaillée" },
  itinerance: { label: "Lieu fixe ou itinérant" },
  structure_parente: { label: "Structure parente" },
  services: { label: "Services proposés" },
  publics_specifiquement_adresses: { label: "Publics spécifiquement accueillis" },
  prise_en_charge_specifique: { label: "Prise en charge spécifique" },
  frais_a_charge: { label: "Frais à la charge de la personne" },
  dispositif_programmes_nationaux: { label: "Dispositifs et programmes nationaux" },
  formations_labels: { label: "Formations et labels" },
  autres_formations_labels: { label: "Autres formations et labels" },
  modalites_acces: { label: "Comment venir" },
  modalites_accompagnement: { label: "Façons d'être accompagné" },
  fiche_acces_libre: { label: "Fiche Acceslibre (accessibilité)", hint: "adresse commençant par https://" },
  prise_rdv: { label: "Prise de rendez-vous en ligne", hint: "adresse commençant par https://" },
  date_maj: { label: "Date de mise à jour" },
};

export const labelOf = (f: string): string => FIELD_LABELS[f]?.label ?? f;

/** Groups of the form, in the order a person reads a place's sheet. */
const GROUPS: { title: string; fields: StandardField[] }[] = [
  { title: "Le lieu", fields: ["nom", "pivot", "typologie", "structure_parente", "itinerance"] },
  {
    title: "Adresse",
    fields: [
      "adresse",
      "complement_adresse",
      "code_postal",
      "commune",
      "code_insee",
      "latitude",
      "longitude",
    ],
  },
  { title: "Contact", fields: ["telephone", "courriels", "site_web", "prise_rdv", "fiche_acces_libre"] },
  { title: "Horaires", fields: ["horaires"] },
  {
    title: "Services et publics",
    fields: [
      "services",
      "publics_specifiquement_adresses",
      "prise_en_charge_specifique",
      "frais_a_charge",
      "modalites_acces",
      "modalites_accompagnement",
      "dispositif_programmes_nationaux",
      "formations_labels",
      "autres_formations_labels",
    ],
  },
  { title: "Présentation", fields: ["presentation_resume", "presentation_detail"] },
];

const DAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"];
const TEXTAREAS = new Set<string>([
  "presentation_resume",
  "presentation_detail",
  "typologie",
  "telephone",
  "courriels",
  "site_web",
]);

/** What the form shows: the values typed (or the current ones), and the errors by field. */
export interface EditForm {
  values: Record<string, string | string[]>;
  week: WeekDay[] | null;
  hoursMode: "semaine" | "texte";
  errors: Record<string, string[]>;
  reason: string;
  from: number;
  /** The fingerprint of the record the form was loaded from (a change since is a conflict). */
  base: string;
}

export interface ConflictView {
  current: StandardPlace;
  version: number;
  /** Who saved the version in between; null when the sources changed it (an import, a decision). */
  author: string | null;
  at: Date | null;
}

const enumOf = (f: string) => STANDARD.byName.get(f)?.enumeration ?? null;

function FieldErrors({ id, errors }: { id: string; errors?: string[] }): VNode | null {
  if (!errors || errors.length === 0) return null;
  return (
    <p class="field-error" id={`${id}-erreur`}>
      {errors.join(" ; ")}
    </p>
  );
}

function HoursEditor({ form }: { form: EditForm }): VNode {
  const errors = form.errors.horaires;
  const week = form.week;
  const raw = typeof form.values.horaires === "string" ? form.values.horaires : "";
  return (
    <fieldset
      class="hours-editor"
      data-hours-editor=""
      aria-describedby={errors ? "horaires-erreur" : undefined}
    >
      <legend>Horaires d'ouverture</legend>
      <FieldErrors id="horaires" errors={errors} />
      <p class="hint">
        Remplissez les jours de la semaine, ou écrivez les horaires au format OpenStreetMap. Un jour sans
        heure est un jour fermé.
      </p>
      <div class="field checkbox">
        <input
          type="radio"
          id="horaires-mode-semaine"
          name="horaires_mode"
          value="semaine"
          checked={form.hoursMode === "semaine"}
          disabled={week === null}
        />
        <label for="horaires-mode-semaine">Par jour de la semaine</label>
      </div>
      {week === null ? (
        <p class="hint">
          Ces horaires disent plus qu'une semaine type (jours fériés, périodes) : modifiez-les dans le texte.
        </p>
      ) : (
        <TableRegion label="Horaires par jour">
          <table class="hours-week">
            <caption class="visually-hidden">Heures d'ouverture et de fermeture, jour par jour</caption>
            <thead>
              <tr>
                <th scope="col">Jour</th>
                <th scope="col">Matin : ouvre</th>
                <th scope="col">Matin : ferme</th>
                <th scope="col">Après-midi : ouvre</th>
                <th scope="col">Après-midi : ferme</th>
              </tr>
            </thead>
            <tbody>
              {DAYS.map((day, d) => (
                <tr key={day}>
                  <th scope="row">{day}</th>
                  {Array.from({ length: RANGES_PER_DAY }).flatMap((_, k) =>
                    [0, 1].map((side) => (
                      <td key={`${k}-${side}`}>
                        <input
                          type="text"
                          inputMode="numeric"
                          size={5}
                          maxLength={5}
                          autoComplete="off"
                          aria-invalid={errors ? "true" : undefined}
                          name={`h_${d}_${k}_${side}`}
                          aria-label={`${day}, ${k === 0 ? "matin" : "après-midi"}, ${side === 0 ? "ouvre à" : "ferme à"}`}
                          value={week[d]?.[k]?.[side] ?? ""}
                        />
                      </td>
                    )),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <div class="field checkbox">
        <input
          type="radio"
          id="horaires-mode-texte"
          name="horaires_mode"
          value="texte"
          checked={form.hoursMode === "texte"}
        />
        <label for="horaires-mode-texte">Au format OpenStreetMap</label>
      </div>
      <div class="field">
        <label for="horaires">Texte des horaires (format OpenStreetMap)</label>
        <span class="hint" id="horaires-aide">
          Par exemple : Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00
        </span>
        <textarea
          id="horaires"
          name="horaires"
          rows={2}
          aria-describedby={errors ? "horaires-aide horaires-erreur" : "horaires-aide"}
          aria-invalid={errors ? "true" : undefined}
        >
          {raw}
        </textarea>
        <p class="hint" data-hours-status="" aria-live="polite" />
      </div>
    </fieldset>
  );
}

function FieldInput({ field, form }: { field: StandardField; form: EditForm }): VNode {
  if (field === "horaires") return <HoursEditor form={form} />;
  const meta = FIELD_LABELS[field] ?? { label: field };
  const errors = form.errors[field];
  const choices = enumOf(field);
  const value = form.values[field];
  if (choices) {
    const chosen = new Set(Array.isArray(value) ? value : value ? [value] : []);
    // Values the standard does not know (older files) stay listed, so that nothing is lost by saving.
    const all = [...choices, ...[...chosen].filter((v) => !choices.includes(v))];
    return (
      <fieldset aria-describedby={errors ? `${field}-erreur` : undefined}>
        <legend>{meta.label}</legend>
        <FieldErrors id={field} errors={errors} />
        {all.map((v, i) => (
          <div class="field checkbox" key={v}>
            <input type="checkbox" id={`${field}-${i}`} name={field} value={v} checked={chosen.has(v)} />
            <label for={`${field}-${i}`}>{v}</label>
          </div>
        ))}
      </fieldset>
    );
  }
  const text = typeof value === "string" ? value : Array.isArray(value) ? value.join("\n") : "";
  const describedBy = [meta.hint ? `${field}-aide` : "", errors ? `${field}-erreur` : ""]
    .filter(Boolean)
    .join(" ");
  const common = {
    id: field,
    name: field,
    "aria-describedby": describedBy || undefined,
    "aria-invalid": errors ? ("true" as const) : undefined,
    required: STANDARD.required.includes(field) || undefined,
  };
  return (
    <div class="field">
      <label for={field}>
        {meta.label}
        {STANDARD.required.includes(field) ? " (obligatoire)" : ""}
      </label>
      {meta.hint ? (
        <span class="hint" id={`${field}-aide`}>
          {meta.hint}
        </span>
      ) : null}
      <FieldErrors id={field} errors={errors} />
      {TEXTAREAS.has(field) ? (
        <textarea {...common} rows={field === "presentation_detail" ? 6 : 3}>
          {text}
        </textarea>
      ) : (
        <input
          {...common}
          type="text"
          value={text}
          inputMode={field === "latitude" || field === "longitude" ? "decimal" : undefined}
          autoComplete="off"
        />
      )}
    </div>
  );
}

function DiffTable({ changes, caption }: { changes: FieldChange[]; caption: string }): VNode {
  return (
    <TableRegion label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Champ</th>
            <th scope="col">Avant</th>
            <th scope="col">Après</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c) => (
            <tr key={c.field}>
              <th scope="row">{labelOf(c.field)}</th>
              <td>{shown(c.before)}</td>
              <td>{shown(c.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

/** A field's value for people: lists joined, empty said so. */
function shown(v: unknown): string {
  if (v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) return "(vide)";
  const s = Array.isArray(v) ? v.join(", ") : String(v);
  return s.length > 200 ? `${s.slice(0, 197)}…` : s;
}

export function EditPage(p: {
  nav: AdminNav;
  place: Editable;
  form: EditForm;
  problem?: string;
  notice?: string;
  conflict?: ConflictView & { theirs: FieldChange[] };
  reports: { id: number; kind: string; text: string; at: Date }[];
  closing: number[];
}): VNode {
  const s = p.place.published.standard;
  const overridden = Object.keys(p.place.overrides);
  const url = `/admin/lieux/${encodeURIComponent(p.place.published.id)}`;
  return (
    <Frame nav={p.nav} title={`Modifier : ${s.nom}`} current="/admin/lieux" problem={p.problem}>
      <h1>Modifier la fiche : {s.nom}</h1>
      <p>
        <a href={placeUrl(p.place.published.id)}>Voir la fiche publique</a> ·{" "}
        <a href={`${url}/historique`}>Historique et restauration</a>
      </p>
      <Notice text={p.notice} />
      <Problem text={p.problem} />
      {p.conflict ? (
        <section aria-labelledby="conflit" class="account-error">
          <h2 id="conflit">Cette fiche a changé pendant que vous la modifiiez</h2>
          <p>
            {p.conflict.author && p.conflict.at
              ? `Quelqu'un d'autre (${p.conflict.author}) a enregistré la version ${p.conflict.version} le ${when(p.conflict.at)}.`
              : "Ses sources ont été mises à jour (import ou doublon) depuis que vous l'avez ouverte."}{" "}
            Vos changements ne sont pas encore enregistrés : ils sont toujours dans le formulaire ci-dessous.
            Comparez, corrigez si besoin, puis enregistrez à nouveau.
          </p>
          <DiffTable
            changes={p.conflict.theirs}
            caption="Votre saisie (avant) et la fiche enregistrée (après)"
          />
        </section>
      ) : null}
      {overridden.length > 0 ? (
        <p>
          Champs modifiés à la main, que les prochains imports ne remplacent pas :{" "}
          {overridden.map(labelOf).join(", ")}. Pour les rendre à la source, utilisez « Rendre la fiche aux
          sources » dans l'historique.
        </p>
      ) : null}
      <form method="post" action={`${url}/modifier`} class="account-form place-edit" novalidate>
        <Csrf token={p.nav.csrf} />
        <input type="hidden" name="version" value={String(p.form.from)} />
        <input type="hidden" name="empreinte" value={p.form.base} />
        {p.closing.map((id) => (
          <input type="hidden" name="signalement" value={String(id)} key={id} />
        ))}
        {p.reports.length > 0 ? (
          <section aria-labelledby="signalements">
            <h2 id="signalements">Signalements en attente sur ce lieu</h2>
            <ul>
              {p.reports.map((r) => (
                <li key={r.id}>
                  {when(r.at)} — {r.kind} : {r.text || "(sans texte)"}
                  {p.closing.includes(r.id) ? " — sera marqué corrigé par cet enregistrement" : ""}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {GROUPS.map((g) => (
          <section key={g.title} aria-label={g.title}>
            <h2>{g.title}</h2>
            {g.fields.map((f) => (
              <FieldInput key={f} field={f} form={p.form} />
            ))}
          </section>
        ))}
        <div class="field">
          <label for="motif">Pourquoi ce changement ? (facultatif)</label>
          <span class="hint" id="motif-aide">
            Par exemple : horaires d'hiver, appel de la structure le 3 décembre. Il est visible sur la fiche
            publique : ne donnez pas d'information personnelle.
          </span>
          <input
            type="text"
            id="motif"
            name="motif"
            value={p.form.reason}
            maxLength={300}
            aria-describedby="motif-aide"
          />
        </div>
        <button type="submit">Enregistrer les changements</button>
      </form>
      <script type="module" src="/assets/horaires.js" />
    </Frame>
  );
}

const KIND_LABELS: Record<string, string> = {
  origine: "Fiche publiée avant la première modification",
  modification: "Modification",
  restauration: "Restauration",
  libération: "Fiche rendue aux sources",
};

/** The versions of a place; with `restore` (the back-office), a button per version. */
export function VersionList(p: {
  versions: PlaceVersion[];
  current: number;
  restore?: { url: string; csrf: string; from: number };
  /** Under an h3 (the public page), the versions are h4. */
  level?: 3 | 4;
}): VNode {
  const Heading = p.level === 4 ? "h4" : "h3";
  if (p.versions.length === 0) return <p>Cette fiche n'a jamais été modifiée à la main.</p>;
  return (
    <ol class="versions" reversed>
      {p.versions.map((v) => (
        <li key={v.id}>
          <Heading>
            Version {v.version} — {KIND_LABELS[v.kind] ?? v.kind}
            {v.version === p.current ? " (version en ligne)" : ""}
          </Heading>
          <p>
            {when(v.at)}, par {v.author}
            {v.reason && v.kind !== "origine" ? <> — motif : « {v.reason} »</> : null}
          </p>
          {v.changes.length > 0 ? (
            <ul>
              {v.changes.map((c) => (
                <li key={c.field}>
                  {labelOf(c.field)} : « {shown(c.before)} » devient « {shown(c.after)} »
                </li>
              ))}
            </ul>
          ) : null}
          {p.restore && v.version !== p.current ? (
            <form method="post" action={`${p.restore.url}/restaurer`}>
              <Csrf token={p.restore.csrf} />
              <input type="hidden" name="version" value={String(v.version)} />
              <input type="hidden" name="depuis" value={String(p.restore.from)} />
              <button type="submit">Restaurer la version {v.version}</button>
            </form>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

export function HistoryPage(p: {
  nav: AdminNav;
  place: Editable;
  versions: PlaceVersion[];
  notice?: string;
  problem?: string;
}): VNode {
  const s = p.place.published.standard;
  const url = `/admin/lieux/${encodeURIComponent(p.place.published.id)}`;
  const overridden = Object.keys(p.place.overrides);
  return (
    <Frame nav={p.nav} title={`Historique : ${s.nom}`} current="/admin/lieux" problem={p.problem}>
      <h1>Historique de la fiche : {s.nom}</h1>
      <p>
        <a href={`${url}/modifier`}>Modifier la fiche</a> ·{" "}
        <a href={placeUrl(p.place.published.id)}>Voir la fiche publique</a>
      </p>
      <Notice text={p.notice} />
      <Problem text={p.problem} />
      {overridden.length > 0 ? (
        <section aria-labelledby="liberer">
          <h2 id="liberer">Champs tenus à la main</h2>
          <p>
            Ces champs ont été modifiés ici et les imports des sources ne les remplacent pas :{" "}
            {overridden.map(labelOf).join(", ")}.
          </p>
          <form method="post" action={`${url}/liberer`}>
            <Csrf token={p.nav.csrf} />
            <input type="hidden" name="depuis" value={String(p.place.version)} />
            <button type="submit">Rendre la fiche aux sources</button>
          </form>
        </section>
      ) : null}
      <h2>Versions</h2>
      <VersionList
        versions={p.versions}
        current={p.place.version}
        restore={{ url, csrf: p.nav.csrf, from: p.place.version }}
      />
    </Frame>
  );
}

export interface DashboardPlace {
  id: string;
  nom: string;
  commune: string;
  dateMaj: string | null;
  months: number | null;
}

export function DashboardPage(p: {
  nav: AdminNav;
  territory: string;
  total: number;
  stale: DashboardPlace[];
  staleTotal: number;
  page: number;
  pageSize: number;
  q: string;
  found: DashboardPlace[] | null;
  queues: { label: string; href: string; count: number }[];
}): VNode {
  return (
    <Frame nav={p.nav} title="Lieux du territoire" current="/admin/lieux">
      <h1>Lieux : {p.territory}</h1>
      <p>
        {formatNumber(p.total)} {p.total > 1 ? "lieux publiés" : "lieu publié"} dans ce territoire.
      </p>
      {p.queues.length > 0 ? (
        <ul class="account-list">
          {p.queues.map((q) => (
            <li key={q.href}>
              <a href={q.href}>{q.label}</a> : {formatNumber(q.count)}
            </li>
          ))}
        </ul>
      ) : null}
      <h2>Trouver un lieu à modifier</h2>
      <form method="get" action="/admin/lieux" class="account-form" role="search">
        <div class="field">
          <label for="q">Nom ou commune du lieu</label>
          <input type="text" id="q" name="q" value={p.q} />
        </div>
        <button type="submit">Chercher</button>
      </form>
      {p.found ? <PlaceTable places={p.found} caption={`Lieux trouvés pour « ${p.q} »`} /> : null}
      <h2>Fiches à mettre à jour</h2>
      <p>
        {formatNumber(p.staleTotal)} fiches n'ont pas été mises à jour depuis 12 mois ou plus (ou ne disent
        pas leur date).
      </p>
      <PlaceTable
        places={p.stale}
        caption="Fiches non mises à jour depuis 12 mois, les plus anciennes d'abord"
      />
      <Pager
        path="/admin/lieux"
        params={{ q: p.q || undefined }}
        page={p.page}
        total={p.staleTotal}
        pageSize={p.pageSize}
        label="Pages des fiches à mettre à jour"
      />
    </Frame>
  );
}

function PlaceTable({ places, caption }: { places: DashboardPlace[]; caption: string }): VNode {
  if (places.length === 0) return <p>Aucun lieu.</p>;
  return (
    <TableRegion label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Lieu</th>
            <th scope="col">Commune</th>
            <th scope="col">Mise à jour</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {places.map((x) => (
            <tr key={x.id}>
              <td>
                <a href={placeUrl(x.id)}>{x.nom}</a>
              </td>
              <td>{x.commune}</td>
              <td>{freshness(x.months)}</td>
              <td>
                <a href={`/admin/lieux/${encodeURIComponent(x.id)}/modifier`}>
                  Modifier<span class="visually-hidden"> {x.nom}</span>
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

/** « mis à jour il y a 14 mois », « ce mois-ci », or « date de mise à jour inconnue ». */
export function freshness(months: number | null): string {
  if (months === null) return "date de mise à jour inconnue";
  if (months <= 0) return "mis à jour ce mois-ci";
  return `mis à jour il y a ${months} mois`;
}
