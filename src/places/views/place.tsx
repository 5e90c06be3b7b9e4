import { Fragment, type VNode } from "preact";
import type { Day } from "../../platform/clock.ts";
import { parseDay } from "../../platform/clock.ts";
import { formatDateTime, formatDay, frenchClock } from "../../platform/format.ts";
import { SvgMap } from "../../platform/svgmap.tsx";
import { Directions } from "../../platform/views/directions.tsx";
import { Layout } from "../../platform/views/layout.tsx";
import { PhoneLink } from "../../platform/views/phone.tsx";
import { TableRegion } from "../../platform/views/table.tsx";
import { territoryUrl } from "../../territories/describe.ts";
import type { Geometry, Territory } from "../../territories/model.ts";
import { WeekTable } from "../components/week.tsx";
import { DEFAULT_DEDUPE } from "../dedupe.ts";
import { addressLine, knownUpdateDay, monthsSince, placeUrl, SOURCE_LABELS } from "../describe.ts";
import { type DaySchedule, placeCalendar } from "../hours.ts";
import { isSafeLink } from "../links.ts";
import type { Place } from "../model.ts";
import type { PlaceVersion } from "../store/edits.ts";
import type { HistoryEntry, StoredPair } from "../store/history.ts";
import type { StoredRecord } from "../store/records.ts";
import { freshness, labelOf, VersionList } from "./edit.tsx";

export interface HoursView {
  /** The standard's text. */
  text: string | null;
  /** False when the text cannot be read as OpenStreetMap opening hours. */
  readable: boolean;
  /** « Ouvert, ferme à 12 h »… (the one phrasing, `openStatus` in hours.ts). */
  status: string | null;
  /** Monday of the week shown, AAAA-MM-JJ, and of the weeks before and after. */
  week: string;
  previous: string;
  next: string;
  days: DaySchedule[];
  /** The text has its own rule for public holidays ("PH off"). */
  hasHolidayRule: boolean;
}

/** « 18 novembre 2026 » from « 2026-11-18 » (other text as it is). */
function frenchDate(iso: string): string {
  const day = parseDay(iso);
  return day ? formatDay(day, { weekday: false, year: true }) : iso;
}

/** A source's update date, or « date inconnue » when it gives none (empty, or the epoch for « none »). */
function updateDate(dateMaj: string): string {
  const day = knownUpdateDay(dateMaj);
  return day ? formatDay(day, { weekday: false, year: true }) : "date inconnue";
}

const PART_LABELS: Record<string, string> = {
  nom: "Nom",
  adresse: "Adresse",
  distance: "Distance",
  siret: "SIRET",
};

function ListBlock({ title, values }: { title: string; values: string[] }): VNode | null {
  if (values.length === 0) return null;
  return (
    <>
      <dt>{title}</dt>
      <dd>
        {values.length === 1 ? (
          values[0]
        ) : (
          <ul>
            {values.map((v) => (
              <li key={v}>{v}</li>
            ))}
          </ul>
        )}
      </dd>
    </>
  );
}

const show = (v: unknown) =>
  v === null || v === undefined || v === ""
    ? "(vide)"
    : Array.isArray(v)
      ? v.join(" | ") || "(vide)"
      : typeof v === "boolean"
        ? v
          ? "oui"
          : "non"
        : String(v);

function PairTable({ pair }: { pair: StoredPair }): VNode {
  return (
    <TableRegion label="Détail du score de ressemblance">
      <table>
        <caption class="visually-hidden">Détail du score de ressemblance</caption>
        <thead>
          <tr>
            <th scope="col">Critère</th>
            <th scope="col">Apport au score</th>
            <th scope="col">Explication</th>
          </tr>
        </thead>
        <tbody>
          {pair.parts.map((p) => (
            <tr key={p.part}>
              <th scope="row">{PART_LABELS[p.part] ?? p.part}</th>
              <td>
                {p.contribution >= 0 ? "+" : ""}
                {p.contribution.toFixed(2)}
              </td>
              <td>{p.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

export function PlacePage(props: {
  place: Place;
  commune: Territory | null;
  records: StoredRecord[];
  hours: HoursView;
  history: HistoryEntry[];
  toReview: StoredPair[];
  merged: StoredPair[];
  /** The « Itinéraire » link template (MAILLAGE_ITINERAIRE). */
  routing: string;
  /** The boundary of the place's commune, under its small map. */
  communeShape: Geometry | null;
  /** Versions written by people in Maillage (newest first) and the fields they hold against the sources. */
  versions: PlaceVersion[];
  editedFields: string[];
  /** Today in Paris, for « mis à jour il y a N mois ». */
  today: Day;
}): VNode {
  const { place, commune, records, hours, history, toReview, merged } = props;
  const s = place.standard;
  const phones = s.telephone;
  // Only http(s) links are ever written as links (links.ts), whatever the record holds.
  const sites = s.site_web.filter((u) => isSafeLink("site_web", u));
  return (
    <Layout title={s.nom} current="/lieux" description={`${s.nom}, ${addressLine(place)}`}>
      <nav class="breadcrumb" aria-label="Fil d'Ariane">
        <ol>
          <li>
            <a href="/lieux">Lieux</a>
          </li>
          {commune ? (
            <li>
              <a href={`/lieux?territoire=${encodeURIComponent(commune.id)}`}>{commune.name}</a>
            </li>
          ) : null}
          <li aria-current="page">{s.nom}</li>
        </ol>
      </nav>
      <h1>{s.nom}</h1>
      {s.presentation_resume ? <p class="lead">{s.presentation_resume}</p> : null}
      <section aria-labelledby="coordonnees">
        <h2 id="coordonnees">Adresse et contact</h2>
        <dl class="facts">
          <dt>Adresse</dt>
          <dd>
            {addressLine(place)}
            {place.flags.approximateCoordinates ? (
              <span class="hint"> (position sur la carte : centre de la commune, approximative)</span>
            ) : null}
          </dd>
          {commune ? (
            <>
              <dt>Commune</dt>
              <dd>
                <a href={territoryUrl(commune)}>{commune.name}</a>
              </dd>
            </>
          ) : null}
          {phones.length > 0 ? (
            <>
              <dt>Téléphone</dt>
              <dd>
                {phones.map((t, i) => (
                  <Fragment key={t}>
                    {i > 0 ? ", " : ""}
                    <PhoneLink number={t} />
                  </Fragment>
                ))}
              </dd>
            </>
          ) : null}
          {s.courriels.length > 0 ? (
            <>
              <dt>Courriel</dt>
              <dd>
                {s.courriels.map((c, i) => (
                  <Fragment key={c}>
                    {i > 0 ? ", " : ""}
                    <a href={`mailto:${c}`}>{c}</a>
                  </Fragment>
                ))}
              </dd>
            </>
          ) : null}
          {sites.length > 0 ? (
            <>
              <dt>Site internet</dt>
              <dd>
                {sites.map((u, i) => (
                  <Fragment key={u}>
                    {i > 0 ? ", " : ""}
                    <a href={u}>{u}</a>
                  </Fragment>
                ))}
              </dd>
            </>
          ) : null}
          {s.prise_rdv && isSafeLink("prise_rdv", s.prise_rdv) ? (
            <>
              <dt>Prendre rendez-vous</dt>
              <dd>
                <a href={s.prise_rdv}>{s.prise_rdv}</a>
              </dd>
            </>
          ) : null}
          {place.location ? (
            <>
              <dt>Y aller</dt>
              <dd>
                <Directions
                  lat={place.location.lat}
                  lon={place.location.lon}
                  name={s.nom}
                  routing={props.routing}
                />
              </dd>
            </>
          ) : null}
        </dl>
        {place.location ? (
          <figure class="place-map">
            <SvgMap
              title={`Plan : ${s.nom} dans ${commune?.name ?? "sa commune"}`}
              shapes={props.communeShape ? [{ geometry: props.communeShape, className: "context" }] : []}
              frameOn={[]}
              minSpan={0.07}
              labels={
                commune && commune.lat !== null && commune.lon !== null
                  ? [{ lat: commune.lat, lon: commune.lon, text: commune.name }]
                  : []
              }
              points={[{ ...place.location, className: "point", label: s.nom }]}
              width={320}
              height={200}
            />
            <figcaption class="muted">
              {place.flags.approximateCoordinates
                ? "Position approximative : le centre de la commune."
                : `Position : ${place.location.lat.toFixed(5).replace(".", ",")} N, ${place.location.lon.toFixed(5).replace(".", ",")} E.`}
            </figcaption>
          </figure>
        ) : null}
      </section>
      <section aria-labelledby="horaires">
        <h2 id="horaires">Horaires</h2>
        {!hours.text ? (
          <p>Les horaires ne sont pas connus. Appelez avant de vous déplacer.</p>
        ) : !hours.readable ? (
          <>
            <p>Horaires donnés par la source (non vérifiés) :</p>
            <p>
              <strong>{hours.text}</strong>
            </p>
          </>
        ) : (
          <>
            {hours.status ? (
              <p>
                <strong>{hours.status}</strong>
              </p>
            ) : null}
            <TableRegion label="Horaires de la semaine">
              <WeekTable
                caption={<>Semaine du {frenchDate(hours.week)}</>}
                days={hours.days}
                cell={(d) => (
                  <>
                    {d.intervals.length === 0
                      ? "Fermé"
                      : d.intervals
                          .map((i) => `de ${frenchClock(i.from)} à ${frenchClock(i.to)}`)
                          .join(", puis ")}
                    {d.holiday ? (
                      <span class="hint">
                        {" "}
                        — jour férié
                        {hours.hasHolidayRule ? "" : " : horaires à confirmer auprès du lieu"}
                      </span>
                    ) : null}
                  </>
                )}
              />
            </TableRegion>
            <nav class="pager" aria-label="Autres semaines">
              <a href={`${placeUrl(place.id)}?semaine=${hours.previous}#horaires`}>Semaine précédente</a>
              <a href={`${placeUrl(place.id)}?semaine=${hours.next}#horaires`}>Semaine suivante</a>
            </nav>
            <p class="muted">Format OpenStreetMap : {hours.text}</p>
          </>
        )}
      </section>
      <section aria-labelledby="services">
        <h2 id="services">Ce que l'on peut y faire</h2>
        <dl class="facts">
          <ListBlock title="Services" values={s.services} />
          <ListBlock title="Publics accueillis en priorité" values={s.publics_specifiquement_adresses} />
          <ListBlock title="Accompagnement adapté" values={s.prise_en_charge_specifique} />
          <ListBlock title="Frais" values={s.frais_a_charge} />
          <ListBlock title="Comment venir" values={s.modalites_acces} />
          <ListBlock title="Façons d'être aidé" values={s.modalites_accompagnement} />
          <ListBlock title="Dispositifs nationaux" values={s.dispositif_programmes_nationaux} />
          <ListBlock
            title="Labels et formations"
            values={[
              ...s.formations_labels,
              ...(s.autres_formations_labels ? [s.autres_formations_labels] : []),
            ]}
          />
          <ListBlock title="Type de structure" values={s.typologie} />
          <ListBlock title="Lieu fixe ou itinérant" values={s.itinerance} />
          {s.structure_parente ? (
            <>
              <dt>Structure parente</dt>
              <dd>{s.structure_parente}</dd>
            </>
          ) : null}
          {s.fiche_acces_libre && isSafeLink("fiche_acces_libre", s.fiche_acces_libre) ? (
            <>
              <dt>Accessibilité</dt>
              <dd>
                <a href={s.fiche_acces_libre}>fiche Acceslibre</a>
              </dd>
            </>
          ) : null}
        </dl>
        {s.presentation_detail ? <p>{s.presentation_detail}</p> : null}
      </section>
      <section aria-labelledby="sources">
        <h2 id="sources">Sources</h2>
        <p>
          Dernière mise à jour : {updateDate(s.date_maj)}
          {knownUpdateDay(s.date_maj) ? ` (${freshness(monthsSince(s.date_maj, props.today))})` : ""}.
        </p>
        {props.editedFields.length > 0 ? (
          <p>
            Corrigé dans Maillage, ces champs ne suivent plus les sources :{" "}
            {props.editedFields.map(labelOf).join(", ")}.
          </p>
        ) : null}
        <TableRegion label="Fiches des sources">
          <table>
            <caption class="visually-hidden">Fiches des sources qui décrivent ce lieu</caption>
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Fichier et ligne</th>
                <th scope="col">Mise à jour</th>
              </tr>
            </thead>
            <tbody>
              {records.map((r) => (
                <tr key={r.id}>
                  <td>
                    {SOURCE_LABELS[r.source] ?? r.source}
                    <span class="hint"> (identifiant {r.source_id})</span>
                  </td>
                  <td>
                    {r.file}, ligne {r.line}
                  </td>
                  <td>{updateDate(r.standard.date_maj)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
        {merged.length > 0 ? (
          <>
            <h3>Pourquoi ces fiches sont réunies</h3>
            {merged.map((p) => (
              <Fragment key={`${p.a}-${p.b}`}>
                <p>
                  Score de ressemblance : {p.score.toFixed(2)} (fusion à partir de{" "}
                  {DEFAULT_DEDUPE.mergeThreshold.toFixed(2).replace(".", ",")}).
                </p>
                <PairTable pair={p} />
              </Fragment>
            ))}
          </>
        ) : null}
      </section>
      {toReview.length > 0 ? (
        <section aria-labelledby="doublons">
          <h2 id="doublons">Doublons possibles, à vérifier</h2>
          <p>Ces lieux ressemblent à celui-ci sans que l'on puisse dire qu'ils sont le même.</p>
          {toReview.map((p) => (
            <Fragment key={`${p.a}-${p.b}`}>
              <h3>
                {p.other ? <a href={placeUrl(p.other.id)}>{p.other.nom}</a> : "Lieu retiré"}{" "}
                <span class="muted">(score {p.score.toFixed(2)})</span>
              </h3>
              <PairTable pair={p} />
            </Fragment>
          ))}
        </section>
      ) : null}
      <section aria-labelledby="historique">
        <h2 id="historique">Historique des modifications</h2>
        {props.versions.length > 0 ? (
          <>
            <h3>Corrections faites dans Maillage</h3>
            <VersionList versions={props.versions} current={props.versions[0]?.version ?? 0} level={4} />
            <h3>Mises à jour par les imports des sources</h3>
          </>
        ) : null}
        <p>
          <a href={`/admin/lieux/${encodeURIComponent(place.id)}/modifier`}>Modifier cette fiche</a>{" "}
          <span class="hint">(coordinateurs du territoire et structure du lieu, avec un compte)</span>
        </p>
        {history.length === 0 ? (
          <p>Aucune modification depuis le premier import.</p>
        ) : (
          <ul>
            {history.map((h) => (
              <li key={`${h.recordId}-${h.at.getTime()}-${h.change}`}>
                {formatDateTime(h.at, placeCalendar(place).zone)} — {h.change} par l'import de {h.file}{" "}
                (source {h.source}) :
                <ul>
                  {h.fields.map((f) => (
                    <li key={f.field}>
                      {f.field} : « {show(f.before)} » devient « {show(f.after)} »
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="signaler" id="signaler-une-erreur">
        <h2 id="signaler">Signaler une erreur</h2>
        <p>
          Une information est fausse ou manque (lieu fermé, horaires, adresse, téléphone, services) ? Dites-le
          au coordinateur du territoire, sans créer de compte :
        </p>
        <p>
          <a class="button" href={`${placeUrl(place.id)}/signaler`}>
            Signaler une erreur<span class="visually-hidden"> sur {place.standard.nom}</span>
          </a>
        </p>
        <p class="hint">
          Vous pouvez aussi prévenir la source de cette fiche (
          {records.map((r) => SOURCE_LABELS[r.source] ?? r.source).join(", ")}) en donnant ce numéro de fiche
          : <strong>{place.id}</strong>.
        </p>
      </section>
    </Layout>
  );
}
