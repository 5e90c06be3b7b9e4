import type { VNode } from "preact";
import { Layout } from "../../platform/views/layout.tsx";
import { PhoneLink } from "../../platform/views/phone.tsx";
import {
  BARRIER_SENTENCES,
  formatDistance,
  LEVEL_SENTENCES,
  MODE_LABELS,
  PASS_SENTENCE,
  PROFILE_SENTENCES,
  SKILL_WORDS,
} from "../describe.ts";
import { BARRIER_LABELS, type DiagnosticResult, LEVEL_LABELS, type Mode, PROFILE_LABELS } from "../model.ts";

/** A place to go, as the sheet shows it. */
export interface PlaceLine {
  name: string;
  address: string;
  distanceKm: number;
  url: string;
  phone: string | null;
  /** Open now or next opening, in plain words (orientation's), when the hours are known. */
  hours: string | null;
}

export interface ResultProps {
  result: DiagnosticResult;
  /** « Ce que vous savez déjà faire », in sentences (describe.alreadyDone). */
  already: string[];
  communeName: string;
  mode: Mode;
  places: PlaceLine[];
  /** The finder, prefilled with what to look for. */
  moreHref: string;
  /** The printable sheet; null on the sheet itself. */
  sheetHref: string | null;
  restartHref: string;
  /** For a signed-in prescriber: where to hand a pass numérique booklet after this diagnostic (its number). */
  pass?: { href?: string; orientation?: string; number: number };
}

/** The result: a sheet in plain words for the person (printable), with places near their commune. */
export function ResultPage({
  result,
  already,
  communeName,
  mode,
  places,
  moreHref,
  sheetHref,
  restartHref,
  pass,
}: ResultProps): VNode {
  const learn = result.needs.map((q) => SKILL_WORDS[q]).filter(Boolean);
  return (
    <Layout
      title={sheetHref ? "Votre résultat · Diagnostic" : "Fiche à imprimer · Diagnostic"}
      current="/diagnostic"
    >
      <article class="diag diag-sheet">
        <h1>{sheetHref ? "Votre résultat" : "Votre fiche : diagnostic d'aisance numérique"}</h1>
        {result.urgent ? (
          <div class="diag-urgent">
            <h2>Votre démarche est urgente</h2>
            <p>{LEVEL_SENTENCES.urgence}</p>
          </div>
        ) : null}
        <p class="lead">{PROFILE_SENTENCES[result.profile]}</p>

        <h2>Ce que vous savez déjà faire</h2>
        {already.length > 0 ? (
          <ul>
            {already.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        ) : (
          <p>Vous allez apprendre pas à pas. Chacun commence un jour.</p>
        )}

        <h2>Ce qui peut vous aider</h2>
        {result.urgent ? null : <p>{LEVEL_SENTENCES[result.level]}</p>}
        {result.passNumerique ? <p>{PASS_SENTENCE}</p> : null}
        {learn.length > 0 ? (
          <>
            <p>Vous pouvez apprendre à :</p>
            <ul>
              {learn.map((s) => (
                <li key={s}>{s}</li>
              ))}
            </ul>
          </>
        ) : null}
        {result.barriers.length > 0 ? (
          <ul>
            {result.barriers.map((b) => (
              <li key={b}>{BARRIER_SENTENCES[b]}</li>
            ))}
          </ul>
        ) : null}

        <h2>Où aller</h2>
        {places.length > 0 ? (
          <>
            <p>
              Près de {communeName}, ces lieux peuvent vous aider. Appelez avant de venir si vous le pouvez.
            </p>
            <ol class="diag-places">
              {places.map((p) => (
                <li key={p.url}>
                  <a href={p.url}>{p.name}</a>
                  <span class="diag-distance"> à {formatDistance(p.distanceKm)}</span>
                  <br />
                  {p.address}
                  {p.hours ? (
                    <>
                      <br />
                      {p.hours}
                    </>
                  ) : null}
                  {p.phone ? (
                    <>
                      <br />
                      Téléphone : <PhoneLink number={p.phone} />
                    </>
                  ) : null}
                </li>
              ))}
            </ol>
          </>
        ) : (
          <p>
            Nous n'avons pas trouvé de lieu près de {communeName}. Demandez à votre mairie : elle connaît les
            aides proches.
          </p>
        )}
        <p class="diag-no-print">
          <a href={moreHref}>Voir d'autres lieux près de {communeName}</a>
        </p>

        {mode === "accompagne" ? (
          <section class="diag-summary" aria-labelledby="pour-accompagnant">
            <h2 id="pour-accompagnant">Pour l'accompagnant</h2>
            <dl class="facts">
              <dt>Profil</dt>
              <dd>{PROFILE_LABELS[result.profile]}</dd>
              <dt>Niveau d'accompagnement</dt>
              <dd>{LEVEL_LABELS[result.level]}</dd>
              <dt>Urgence</dt>
              <dd>{result.urgent ? "oui" : "non"}</dd>
              <dt>Freins</dt>
              <dd>
                {result.barriers.length > 0
                  ? result.barriers.map((b) => BARRIER_LABELS[b]).join(", ")
                  : "aucun"}
              </dd>
              <dt>Services à chercher</dt>
              <dd>{result.services.join(", ")}</dd>
              <dt>Façon d'aider</dt>
              <dd>{[...result.modalites, ...result.programmes].join(", ")}</dd>
              <dt>Réponses</dt>
              <dd>
                {result.answered} données, {result.skipped} passées ({MODE_LABELS[mode]})
              </dd>
            </dl>
          </section>
        ) : null}

        {pass ? (
          <p class="diag-no-print">
            Diagnostic n° {pass.number}.{" "}
            {pass.href ? <a href={pass.href}>Remettre un carnet de pass numérique à cette personne</a> : null}
            {pass.href && pass.orientation ? " · " : null}
            {pass.orientation ? (
              <a href={pass.orientation}>Remettre une fiche d'orientation avec une référence</a>
            ) : null}
          </p>
        ) : null}
        <p class="diag-actions diag-no-print">
          {sheetHref ? (
            <a class="button" href={sheetHref}>
              Fiche à imprimer
            </a>
          ) : null}
          <a class="button secondary" href={restartHref}>
            Refaire le diagnostic
          </a>
        </p>
      </article>
    </Layout>
  );
}
