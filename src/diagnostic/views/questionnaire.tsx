import type { VNode } from "preact";
import { Layout } from "../../platform/views/layout.tsx";
import type { Candidate } from "../../territories/resolve.ts";
import type { Mode, Question } from "../model.ts";

const TITLE = "Diagnostic d'aisance numérique";

export interface StartProps {
  commune: string;
  mode: Mode | null;
  problem?: string;
  /** Communes that match what was typed, to choose from (« Laquelle ? »): none is chosen in advance. */
  choices?: Candidate[];
  questionCount: number;
}

/** The first page: what it is, the commune and who answers. */
export function StartPage({ commune, mode, problem, choices, questionCount }: StartProps): VNode {
  return (
    <Layout
      title={problem ? `Erreur : ${TITLE}` : TITLE}
      current="/diagnostic"
      description="Quelques questions pour savoir quelle aide vous convient, et où la trouver près de chez vous."
    >
      <div class="diag">
        <h1>{TITLE}</h1>
        <p class="lead">
          {questionCount} questions, environ 5 minutes, pour savoir quelle aide vous convient et où la trouver
          près de chez vous.
        </p>
        <ul class="diag-promises">
          <li>Pas de compte, pas de nom : les réponses sont anonymes.</li>
          <li>Vous pouvez passer chaque question et revenir en arrière.</li>
          <li>Il n'y a pas de limite de temps.</li>
        </ul>
        {problem ? (
          <div class="diag-error" role="alert" id="erreur">
            <p>{problem}</p>
          </div>
        ) : null}
        <form method="post" action="/diagnostic/commencer" class="diag-form">
          {choices && choices.length > 0 ? (
            <fieldset class="diag-choices">
              <legend>Votre commune</legend>
              {choices.map((c) => (
                <label class="diag-choice" key={c.territory.id}>
                  <input type="radio" name="commune" value={c.value} required />
                  <span>
                    {c.label}
                    <span class="hint"> {c.context}</span>
                  </span>
                </label>
              ))}
              <p>
                <a href="/diagnostic">Écrire une autre commune</a>
              </p>
            </fieldset>
          ) : (
            <div class="diag-field">
              <label for="commune">
                Votre commune
                <span class="hint"> Le nom ou le code postal, par exemple Guéret ou 23000.</span>
              </label>
              <input
                type="text"
                id="commune"
                name="commune"
                value={commune}
                autocomplete="address-level2"
                required
                maxLength={100}
                aria-describedby={problem ? "erreur" : undefined}
              />
            </div>
          )}
          <fieldset class="diag-choices">
            <legend>Qui répond aux questions ?</legend>
            <label class="diag-choice">
              <input type="radio" name="mode" value="seul" checked={mode !== "accompagne"} />
              <span>Je réponds moi-même</span>
            </label>
            <label class="diag-choice">
              <input type="radio" name="mode" value="accompagne" checked={mode === "accompagne"} />
              <span>J'aide une personne : je lis les questions et je coche ses réponses</span>
            </label>
          </fieldset>
          <button type="submit" class="diag-next">
            Commencer
          </button>
        </form>
        <p class="muted">
          Les réponses servent aussi à compter, sans nom, les besoins de votre territoire (
          <a href="/diagnostic/statistiques">statistiques anonymes</a>).
        </p>
      </div>
    </Layout>
  );
}

export interface QuestionProps {
  question: Question;
  /** 1-based. */
  number: number;
  total: number;
  mode: Mode;
  token: string;
  selected: string[];
  backHref: string;
  problem?: string;
}

/** One question per screen, big choices, progress, back link; works without JavaScript. */
export function QuestionPage({
  question,
  number,
  total,
  mode,
  token,
  selected,
  backHref,
  problem,
}: QuestionProps): VNode {
  const several = question.kind === "several";
  const describedBy = [
    question.explanation ? "explication" : "",
    several ? "plusieurs" : "",
    problem ? "erreur" : "",
  ]
    .filter(Boolean)
    .join(" ");
  return (
    <Layout
      title={`${problem ? "Erreur : " : ""}Question ${number} sur ${total} · ${TITLE}`}
      current="/diagnostic"
    >
      <div class="diag">
        <p class="diag-progress" id="progression">
          Question {number} sur {total}
          <progress max={total} value={number - 1} aria-labelledby="progression" />
        </p>
        {problem ? (
          <div class="diag-error" role="alert" id="erreur">
            <p>{problem}</p>
          </div>
        ) : null}
        <form method="post" action={`/diagnostic/question/${number}`} class="diag-form">
          <input type="hidden" name="t" value={token} />
          <fieldset class="diag-choices" aria-describedby={describedBy || undefined}>
            <legend>
              <h1 class="diag-question">{question.text}</h1>
            </legend>
            {question.explanation ? (
              <p class="diag-explanation" id="explication">
                {question.explanation}
              </p>
            ) : null}
            {several ? (
              <p class="hint" id="plusieurs">
                Vous pouvez cocher plusieurs réponses.
              </p>
            ) : null}
            {mode === "accompagne" ? (
              <p class="diag-helper">
                <strong>Pour l'accompagnant : </strong>
                {question.helperNote}
              </p>
            ) : null}
            {question.answers.map((a) => (
              <label class={`diag-choice${a.id === "passer" ? " diag-skip" : ""}`} key={a.id}>
                <input
                  type={several ? "checkbox" : "radio"}
                  name="reponse"
                  value={a.id}
                  checked={selected.includes(a.id)}
                />
                <span>{a.label}</span>
              </label>
            ))}
          </fieldset>
          <div class="diag-actions">
            <button type="submit" class="diag-next">
              {number === total ? "Voir mon résultat" : "Question suivante"}
            </button>
          </div>
        </form>
        <p class="diag-back-line">
          <a class="diag-back" href={backHref}>
            <span aria-hidden="true">← </span>Revenir en arrière
          </a>
        </p>
      </div>
    </Layout>
  );
}

export interface MessageProps {
  title: string;
  message: string;
  /** A form that resumes the questionnaire (version changed), when possible. */
  resumeToken?: string;
  restartHref: string;
}

/** A problem with the questionnaire's state, in plain French, with a way to resume or restart. */
export function MessagePage({ title, message, resumeToken, restartHref }: MessageProps): VNode {
  return (
    <Layout title={`${title} · ${TITLE}`} current="/diagnostic">
      <div class="diag">
        <h1>{title}</h1>
        <p class="lead">{message}</p>
        {resumeToken ? (
          <form method="post" action="/diagnostic/reprendre" class="diag-actions">
            <input type="hidden" name="t" value={resumeToken} />
            <button type="submit" class="diag-next">
              Reprendre avec mes réponses
            </button>
          </form>
        ) : null}
        <p>
          <a class="button secondary" href={restartHref}>
            Recommencer le questionnaire
          </a>
        </p>
      </div>
    </Layout>
  );
}
