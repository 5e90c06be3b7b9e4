import type { VNode } from "preact";
import { WeekTable } from "../../places/components/week.tsx";
import { addressLine } from "../../places/describe.ts";
import type { DaySchedule } from "../../places/hours.ts";
import type { Place } from "../../places/model.ts";
import type { Contact } from "../../platform/config.ts";
import { frenchClock } from "../../platform/format.ts";
import { Layout } from "../../platform/views/layout.tsx";
import { PhoneLink } from "../../platform/views/phone.tsx";
import { gsm7Length } from "../sms.ts";
import { ContactBox } from "./finder.tsx";

export interface SheetPlace {
  place: Place;
  /** « Ouvert, ferme à 12 h »… (`openStatus`, the places' one phrasing) or null. */
  open: string | null;
  /** This week's hours; empty when unknown. */
  days: DaySchedule[];
  /** The hours as written by the source when they cannot be read. */
  hoursText: string | null;
  /** Absolute address of the place page, and its QR code as an SVG data URL. */
  url: string;
  qr: string;
  sms: string;
  reasons: string[];
  distance: string | null;
}

export function SheetPage(props: {
  places: SheetPlace[];
  bring: string[];
  backUrl: string;
  contact: Contact | null;
  printedOn: string;
}): VNode {
  const { places, bring, backUrl, contact, printedOn } = props;
  return (
    <Layout
      title="Fiche d'orientation"
      current="/trouver"
      description="Fiche à imprimer ou à envoyer par SMS."
    >
      <p class="or-noprint">
        <a href={backUrl}>Retour aux résultats</a>
      </p>
      <h1>Fiche d'orientation</h1>
      <p class="or-noprint lead">
        Imprimez cette fiche (format A4) ou envoyez le texte par SMS.{" "}
        <span data-or-nojs>Pour imprimer : menu du navigateur, puis « Imprimer ».</span>
      </p>
      <p class="or-noprint" hidden data-or-js>
        <button type="button" class="button" data-or-print>
          Imprimer la fiche
        </button>
      </p>
      <p class="hint">
        Fiche préparée le {printedOn}. Horaires à vérifier par téléphone avant de vous déplacer.
      </p>
      {places.map((s, i) => {
        const p = s.place.standard;
        const id = `or-fiche-${i + 1}`;
        return (
          <article class="or-sheet" key={s.place.id} aria-labelledby={`${id}-nom`}>
            <h2 id={`${id}-nom`}>{p.nom}</h2>
            <div class="or-sheet-top">
              <dl class="facts">
                <dt>Adresse</dt>
                <dd>{addressLine(s.place)}</dd>
                {p.telephone[0] ? (
                  <>
                    <dt>Téléphone</dt>
                    <dd>
                      <PhoneLink number={p.telephone[0]} />
                    </dd>
                  </>
                ) : null}
                {p.prise_rdv && /^https?:\/\//.test(p.prise_rdv) ? (
                  <>
                    <dt>Rendez-vous</dt>
                    <dd>{p.prise_rdv}</dd>
                  </>
                ) : null}
                {s.reasons.length > 0 ? (
                  <>
                    <dt>Pourquoi ce lieu</dt>
                    <dd>{s.reasons.join(" · ")}</dd>
                  </>
                ) : null}
                {s.open ? (
                  <>
                    <dt>Aujourd'hui</dt>
                    <dd>{s.open}</dd>
                  </>
                ) : null}
              </dl>
              <figure class="or-qr">
                <img src={s.qr} alt={`Code QR vers la page du lieu : ${s.url}`} width={120} height={120} />
                <figcaption>Scannez pour voir ce lieu en ligne</figcaption>
              </figure>
            </div>
            {s.days.length > 0 ? (
              <WeekTable
                class="or-hours"
                caption="Horaires de la semaine"
                days={s.days}
                cell={(d) =>
                  d.intervals.length === 0
                    ? d.holiday
                      ? "Fermé (jour férié)"
                      : "Fermé"
                    : d.intervals.map((x) => `${frenchClock(x.from)} à ${frenchClock(x.to)}`).join(", puis ")
                }
              />
            ) : (
              <p>Horaires : {s.hoursText ?? "non indiqués, appelez avant de venir."}</p>
            )}
            <div class="or-sms or-noprint">
              <label for={`${id}-sms`}>
                Texte à envoyer par SMS ({gsm7Length(s.sms)} caractères sur 160)
              </label>
              <textarea id={`${id}-sms`} readOnly rows={3} value={s.sms} />
              <p hidden data-or-js>
                <button type="button" class="button secondary" data-or-copy={`${id}-sms`}>
                  Copier le texte
                </button>{" "}
                <span role="status" data-or-copy-status={`${id}-sms`} />
              </p>
            </div>
          </article>
        );
      })}
      <section class="or-bring" aria-labelledby="or-apporter">
        <h2 id="or-apporter">À apporter</h2>
        <ul>
          {bring.map((b) => (
            <li key={b}>{b}</li>
          ))}
        </ul>
      </section>
      <ContactBox contact={contact} />
      <script type="module" src="/assets/orientation.js" />
    </Layout>
  );
}
