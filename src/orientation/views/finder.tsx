import type { VNode } from "preact";
import { addressLine, placeUrl } from "../../places/describe.ts";
import type { Contact } from "../../platform/config.ts";
import { type MapShape, SvgMap } from "../../platform/svgmap.tsx";
import { Directions } from "../../platform/views/directions.tsx";
import { Layout } from "../../platform/views/layout.tsx";
import { PhoneLink } from "../../platform/views/phone.tsx";
import type { Territory } from "../../territories/model.ts";
import type { Candidate } from "../../territories/resolve.ts";
import { km } from "../find/criteria.ts";
import type { FarHelp } from "../find.ts";
import {
  CRITERION_LABELS,
  type Criterion,
  DAYS,
  MODALITY_SLUGS,
  NEEDS,
  type OrientationOutcome,
  type OrientationQuery,
  type OrientationResult,
  PUBLIC_SLUGS,
  SUPPORT_SLUGS,
} from "../model.ts";
import { finderUrl, queryParams, sheetUrl } from "../url.ts";

export interface FinderProps {
  /** The boundaries under the plan of the results (server-side SVG, no JavaScript): département, commune. */
  plan?: { shapes: MapShape[]; labels: { lat: number; lon: number; text: string }[] } | null;
  /** The « Itinéraire » link template (MAILLAGE_ITINERAIRE). */
  routing: string;
  query: OrientationQuery;
  /** What the person typed for the commune. */
  communeText: string;
  /** What the commune field shows: the commune's name (« Saint-Martin (Gers) » when it has namesakes), else the text. */
  communeLabel: string;
  commune: Territory | null;
  /** Communes that all match what was typed: « Laquelle ? ». */
  choices: Candidate[];
  /** Without a commune: close names (« Vouliez-vous dire »); with one: the other reading of the code typed. */
  suggestions: Candidate[];
  problems: string[];
  outcome: OrientationOutcome | null;
  contact: Contact | null;
  /** When the nearest fitting place is farther than the coverage threshold: nearer places, help by phone. */
  far?: FarHelp | null;
}

const has = <T,>(list: readonly T[], v: T) => list.includes(v);

function Check(props: { name: string; value: string; label: string; checked: boolean; id: string }): VNode {
  return (
    <div class="or-check">
      <input type="checkbox" id={props.id} name={props.name} value={props.value} checked={props.checked} />
      <label for={props.id}>{props.label}</label>
    </div>
  );
}

const REQUIRABLE: { criterion: Criterion; label: string }[] = [
  { criterion: "besoin", label: "le besoin" },
  { criterion: "distance", label: "la distance maximale" },
  { criterion: "priseEnCharge", label: "la prise en charge (handicap, langue…)" },
  { criterion: "public", label: "le public" },
  { criterion: "gratuit", label: "la gratuité" },
  { criterion: "modalite", label: "la façon d'être aidé" },
  { criterion: "quand", label: "le jour et l'heure" },
];

/** The search form: where, what for, then optional refinements (in a disclosure). */
function FinderForm({ query, communeText }: { query: OrientationQuery; communeText: string }): VNode {
  const refined =
    query.publics.length + query.supports.length + query.modalites.length + query.quand.length > 0 ||
    query.gratuit ||
    query.distanceMax !== null;
  const dayHalf = query.quand.find((w) => /-/.test(w)) ?? "";
  return (
    <form method="get" action="/trouver" class="or-form" aria-label="Rechercher un lieu">
      <fieldset>
        <legend>1. Où êtes-vous ?</legend>
        <label for="or-commune">Commune ou code postal</label>
        <p class="hint" id="or-commune-hint">
          Par exemple : Roubaix, 59100, ou une adresse avec son code postal.
        </p>
        <input
          type="text"
          id="or-commune"
          name="commune"
          value={communeText}
          autocomplete="address-level2"
          aria-describedby="or-commune-hint"
          required
        />
        {/* Filled by « Autour de moi » only: a new search from the form starts from the commune typed. */}
        <input type="hidden" name="lat" disabled data-or-lat />
        <input type="hidden" name="lon" disabled data-or-lon />
        <p hidden data-or-js>
          <button type="button" class="button secondary" data-or-locate>
            Autour de moi
          </button>
          <span role="status" class="hint" data-or-locate-status />
        </p>
      </fieldset>
      <fieldset>
        <legend>2. De quelle aide avez-vous besoin ?</legend>
        <p class="hint">Vous pouvez en cocher plusieurs.</p>
        {NEEDS.map((n) => (
          <Check
            key={n.id}
            id={`or-besoin-${n.id}`}
            name="besoin"
            value={n.id}
            label={n.label}
            checked={has(query.besoins, n.id)}
          />
        ))}
        {query.services.map((s) => (
          <input key={s} type="hidden" name="service" value={s} />
        ))}
      </fieldset>
      <details class="or-more" open={refined}>
        <summary>3. Préciser (facultatif)</summary>
        <fieldset>
          <legend>La personne est</legend>
          {Object.entries(PUBLIC_SLUGS).map(([k, v]) => (
            <Check
              key={k}
              id={`or-public-${k}`}
              name="public"
              value={k}
              label={v.label}
              checked={has(query.publics, k)}
            />
          ))}
        </fieldset>
        <fieldset>
          <legend>Besoin d'un accueil adapté</legend>
          {Object.entries(SUPPORT_SLUGS).map(([k, v]) => (
            <Check
              key={k}
              id={`or-prise-${k}`}
              name="prise"
              value={k}
              label={v.label}
              checked={has(query.supports, k)}
            />
          ))}
        </fieldset>
        <fieldset>
          <legend>Prix</legend>
          <Check id="or-gratuit" name="gratuit" value="1" label="Gratuit seulement" checked={query.gratuit} />
        </fieldset>
        <fieldset>
          <legend>Comment être aidé</legend>
          {Object.entries(MODALITY_SLUGS).map(([k, v]) => (
            <Check
              key={k}
              id={`or-modalite-${k}`}
              name="modalite"
              value={k}
              label={v.label}
              checked={has(query.modalites, k)}
            />
          ))}
        </fieldset>
        <fieldset>
          <legend>Quand pouvez-vous y aller ?</legend>
          <Check
            id="or-quand-maintenant"
            name="quand"
            value="maintenant"
            label="Ouvert maintenant"
            checked={has(query.quand, "maintenant")}
          />
          <Check
            id="or-quand-samedi"
            name="quand"
            value="samedi"
            label="Le samedi"
            checked={has(query.quand, "samedi")}
          />
          <Check
            id="or-quand-soir"
            name="quand"
            value="soir"
            label="Après 18 h"
            checked={has(query.quand, "soir")}
          />
          <label for="or-quand-jour">Un jour précis</label>
          <select id="or-quand-jour" name="quand">
            <option value="">Peu importe</option>
            {DAYS.flatMap((d) =>
              (["matin", "apres-midi"] as const).map((h) => (
                <option key={`${d}-${h}`} value={`${d}-${h}`} selected={dayHalf === `${d}-${h}`}>
                  {`${d[0]?.toUpperCase()}${d.slice(1)} ${h === "matin" ? "matin" : "après-midi"}`}
                </option>
              )),
            )}
          </select>
        </fieldset>
        <fieldset>
          <legend>Distance</legend>
          <label for="or-distance">Au plus</label>
          <select id="or-distance" name="distance">
            <option value="">Peu importe</option>
            {[2, 5, 10, 20, 50].map((km) => (
              <option key={km} value={String(km)} selected={query.distanceMax === km}>
                {`${km} km`}
              </option>
            ))}
          </select>
        </fieldset>
        <fieldset>
          <legend>Ce qui est indispensable</legend>
          <p class="hint">
            Ce qui est coché écarte les lieux qui ne conviennent pas. Le reste sert seulement à classer les
            lieux.
          </p>
          <input type="hidden" name="exiger" value="" />
          {REQUIRABLE.map((r) => (
            <Check
              key={r.criterion}
              id={`or-exiger-${r.criterion}`}
              name="exiger"
              value={r.criterion}
              label={r.label}
              checked={has(query.indispensables, r.criterion)}
            />
          ))}
        </fieldset>
      </details>
      <p>
        <button type="submit" class="button">
          Chercher
        </button>
      </p>
    </form>
  );
}

function HowToGo({ r, routing }: { r: OrientationResult; routing: string }): VNode {
  const a = r.access;
  const ways: VNode[] = [];
  if (a.walkIn) ways.push(<span>Se présenter : {addressLine(r.place)}</span>);
  if (a.phone)
    ways.push(
      <span>
        Téléphoner : <PhoneLink number={a.phone.tel} />
      </span>,
    );
  if (a.booking)
    ways.push(
      a.booking.startsWith("http") ? (
        <span>
          <a href={a.booking}>Prendre rendez-vous en ligne</a>
        </span>
      ) : (
        <span>Prendre rendez-vous</span>
      ),
    );
  if (!a.walkIn) ways.push(<span>Adresse : {addressLine(r.place)}</span>);
  const at = r.place.location;
  if (at) ways.push(<Directions lat={at.lat} lon={at.lon} name={r.place.standard.nom} routing={routing} />);
  return (
    <ul class="or-ways">
      {ways.map((w, i) => (
        <li key={i}>{w}</li>
      ))}
    </ul>
  );
}

function ResultItem({ r, rank, routing }: { r: OrientationResult; rank: number; routing: string }): VNode {
  const id = `or-lieu-${rank}`;
  return (
    <li class="or-result">
      <h3 id={`${id}-nom`}>
        <a href={placeUrl(r.place.id)}>{r.place.standard.nom}</a>
      </h3>
      <p class="or-open">
        {r.open ? (
          <strong class={r.open.open ? "or-is-open" : "or-is-closed"}>{r.open.text}</strong>
        ) : (
          <span>Horaires non indiqués : appelez avant de vous déplacer.</span>
        )}
      </p>
      <p class="or-why">
        <span class="or-label">Pourquoi ce lieu : </span>
        {r.reasons.join(" · ")}
      </p>
      {r.missing.length > 0 ? (
        <p class="or-missing">
          <span class="or-label">Ne correspond pas à : </span>
          {r.missing.join(" · ")}
        </p>
      ) : null}
      <HowToGo r={r} routing={routing} />
      <p>
        <span class="or-label">Aide pour : </span>
        {r.helpsWith.join(", ")}
        {r.price ? (
          <>
            {" "}
            · <span class="or-label">Prix : </span>
            {r.price}
          </>
        ) : null}
      </p>
      <div class="or-pick">
        <input type="checkbox" name="lieu" value={r.place.id} id={id} aria-describedby={`${id}-nom`} />
        <label for={id}>Mettre sur ma fiche</label>
      </div>
    </li>
  );
}

/**
 * The places of the list on a plan, numbered as in the list and framed to fit every marker, over the boundaries
 * of the commune and its département; the list says the same in words.
 */
function ResultsPlan(props: {
  origin: { lat: number; lon: number };
  commune: Territory;
  results: OrientationResult[];
  plan: FinderProps["plan"];
}): VNode | null {
  const { origin, commune, results } = props;
  const located = results.flatMap((r, i) =>
    r.place.location
      ? [
          {
            ...r.place.location,
            className: "place",
            number: i + 1,
            label: `${i + 1}. ${r.place.standard.nom}, à ${km(r.distanceKm)}`,
          },
        ]
      : [],
  );
  if (located.length === 0) return null;
  return (
    <figure class="or-plan">
      <SvgMap
        title={`Plan : ${commune.name} (point bleu) et les lieux proposés, numérotés comme dans la liste`}
        shapes={props.plan?.shapes ?? []}
        frameOn={[]}
        minSpan={0.03}
        labels={props.plan?.labels}
        points={[{ ...origin, className: "or-origin", label: `Départ : ${commune.name}` }, ...located]}
      />
      <figcaption>
        Les lieux de la liste sur un plan, avec leur numéro. Point bleu : {commune.name}.
        {located.length < results.length ? " Les lieux sans adresse précise ne sont pas sur le plan." : ""}
      </figcaption>
    </figure>
  );
}

/** One nearer place or phone help, short: name, distance, what it helps with, its phone. */
function FarLine({ r, helps }: { r: OrientationResult; helps: boolean }): VNode {
  return (
    <li>
      <a href={placeUrl(r.place.id)}>{r.place.standard.nom}</a>, à {km(r.distanceKm)}
      {helps && r.helpsWith.length > 0 ? ` : aide pour ${r.helpsWith.join(", ")}` : ""}
      {r.access.phone ? (
        <>
          {" "}
          · Téléphone : <PhoneLink number={r.access.phone.tel} />
        </>
      ) : null}
    </li>
  );
}

/** The nearest fitting place is far: say so, show the nearer places of other services and help by phone. */
function FarHelpBox({ far, results }: { far: FarHelp; results: OrientationResult[] }): VNode {
  // Without help by phone: the nearest place that gives a phone number.
  const call = [...far.nearerOthers, ...results].find((r) => r.access.phone !== null);
  return (
    <section class="or-far" aria-labelledby="or-far-titre">
      <h2 id="or-far-titre">Plus près de chez vous</h2>
      <p>
        {far.nearestExactKm === null
          ? "Aucun lieu ne répond à toute votre demande près de chez vous."
          : `Le lieu le plus proche qui répond à votre demande est à ${km(far.nearestExactKm)} : c'est loin (plus de ${far.thresholdKm} km).`}
      </p>
      {far.nearerOthers.length > 0 ? (
        <>
          <p>
            Ces lieux sont plus proches. Ils aident pour d'autres choses, mais ils peuvent vous conseiller ou
            vous dire où aller :
          </p>
          <ul>
            {far.nearerOthers.map((r) => (
              <FarLine key={r.place.id} r={r} helps={true} />
            ))}
          </ul>
        </>
      ) : (
        <p>Il n'y a pas d'autre lieu à moins de {far.thresholdKm} km.</p>
      )}
      <h3>Être aidé par téléphone</h3>
      {far.byPhone.length > 0 ? (
        <>
          <p>Ces lieux aident aussi à distance, par téléphone, pour ce que vous cherchez :</p>
          <ul>
            {far.byPhone.map((r) => (
              <FarLine key={r.place.id} r={r} helps={false} />
            ))}
          </ul>
        </>
      ) : (
        <p>
          Aucun lieu proche n'indique une aide par téléphone pour ce que vous cherchez. Appelez le lieu le
          plus proche : il pourra vous conseiller ou vous dire où aller.
          {call?.access.phone ? (
            <>
              {" "}
              {call.place.standard.nom}, à {km(call.distanceKm)} :{" "}
              <PhoneLink number={call.access.phone.tel} />.
            </>
          ) : null}
        </p>
      )}
    </section>
  );
}

function Summary({ outcome, commune }: { outcome: OrientationOutcome; commune: Territory }): VNode {
  const needs = NEEDS.filter((n) => outcome.query.besoins.includes(n.id)).map((n) => n.short);
  return (
    <p class="lead">
      {outcome.results.length === 1 ? "1 lieu" : `${outcome.results.length} lieux`} près de {commune.name}
      {needs.length > 0 ? ` pour : ${needs.join(", ")}` : ""}, le plus proche d'abord.
    </p>
  );
}

export function ContactBox({ contact }: { contact: Contact | null }): VNode | null {
  if (!contact) return null;
  return (
    <aside class="or-contact" aria-labelledby="or-contact-titre">
      <h2 id="or-contact-titre">Besoin d'aide pour choisir ?</h2>
      <p>
        Appelez {contact.name} au <PhoneLink number={contact.phone} />
        {contact.hint ? ` (${contact.hint})` : ""}.
      </p>
    </aside>
  );
}

export function FinderPage(props: FinderProps): VNode {
  const { query, communeText, communeLabel, commune, choices, suggestions, problems, outcome, contact } =
    props;
  const title =
    commune && outcome
      ? `Lieux pour vous aider près de ${commune.name}`
      : "Trouver de l'aide près de chez vous";
  return (
    <Layout
      title={title}
      current="/trouver"
      description="Trouver un lieu pour se faire aider avec le numérique : démarches en ligne, téléphone, ordinateur."
    >
      <h1>{title}</h1>
      {problems.length > 0 ? (
        <div class="notice" role="alert">
          <p>Votre recherche n'a pas pu être comprise :</p>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {choices.length > 0 ? (
        <section class="notice" aria-labelledby="or-laquelle">
          <h2 id="or-laquelle">Laquelle ?</h2>
          <p>Plusieurs communes correspondent à « {communeText} ». Choisissez la vôtre :</p>
          <ul class="or-choices">
            {choices.map((c) => (
              <li key={c.territory.id}>
                <a href={finderUrl({ ...query, commune: c.value })}>{c.label}</a>{" "}
                <span class="hint">{c.context}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {!commune && communeText && choices.length === 0 && problems.length === 0 ? (
        <div class="notice" role="alert">
          <p>Nous ne connaissons pas de commune « {communeText} ».</p>
          {suggestions.length > 0 ? (
            <>
              <p>Vouliez-vous dire :</p>
              <ul>
                {suggestions.map((c) => (
                  <li key={c.territory.id}>
                    <a href={finderUrl({ ...query, commune: c.value })}>{c.label}</a>{" "}
                    <span class="hint">{c.context}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p>Vérifiez l'orthographe, ou tapez le code postal.</p>
          )}
        </div>
      ) : null}
      {commune && outcome ? (
        <section aria-labelledby="or-resultats">
          <h2 id="or-resultats" class="visually-hidden">
            Résultats
          </h2>
          <Summary outcome={outcome} commune={commune} />
          {suggestions.length > 0 ? (
            <p class="hint">
              Ce n'est pas la bonne commune ?{" "}
              {suggestions.slice(0, 4).map((c, i) => (
                <span key={c.territory.id}>
                  {i > 0 ? ", " : ""}
                  <a href={finderUrl({ ...query, commune: c.value })}>{c.label}</a>
                </span>
              ))}
            </p>
          ) : null}
          {[...outcome.notes, ...outcome.widened].length > 0 || outcome.emptiedBy ? (
            <div class="notice" role="status">
              {outcome.emptiedBy ? (
                <p>
                  Aucun lieu ne remplit tous vos critères indispensables : c'est le critère «{" "}
                  {CRITERION_LABELS[outcome.emptiedBy]} » qui a vidé la liste.
                </p>
              ) : null}
              {[...outcome.notes, ...outcome.widened].map((w) => (
                <p key={w}>{w}</p>
              ))}
            </div>
          ) : null}
          <form method="get" action="/trouver/fiche">
            {[...queryParams(query).entries()].map(([k, v], i) => (
              <input key={i} type="hidden" name={k} value={v} />
            ))}
            <ol class="or-results">
              {outcome.results.map((r, i) => (
                <ResultItem key={r.place.id} r={r} rank={i + 1} routing={props.routing} />
              ))}
            </ol>
            <p>
              <button type="submit" class="button" id="or-preparer">
                Préparer la fiche des lieux cochés
              </button>{" "}
              {outcome.results[0] ? (
                <a href={sheetUrl(query, [outcome.results[0].place.id])}>ou la fiche du premier lieu</a>
              ) : null}
            </p>
          </form>
          {props.far ? <FarHelpBox far={props.far} results={outcome.results} /> : null}
          {outcome.partial || outcome.results.length === 0 ? <ContactBox contact={contact} /> : null}
          <ResultsPlan
            origin={outcome.origin}
            commune={commune}
            results={outcome.results}
            plan={props.plan}
          />
          <p class="hint">
            Adresse de cette recherche, à partager : <a href={finderUrl(query)}>lien vers ces résultats</a>.
            Rien de ce que vous tapez n'est enregistré.
          </p>
          <h2>Modifier la recherche</h2>
        </section>
      ) : (
        <p class="lead">
          Dites-nous où vous êtes et ce dont vous avez besoin : nous vous indiquons les lieux les plus
          proches.
        </p>
      )}
      <FinderForm query={query} communeText={communeLabel} />
      <script type="module" src="/assets/orientation.js" />
    </Layout>
  );
}
