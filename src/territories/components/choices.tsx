import type { VNode } from "preact";
import type { Candidate } from "../resolve.ts";

/**
 * « Laquelle ? »: the territories a typed name could mean (or, when none is named so, the close names), each a
 * link built by `href` from the candidate's `value`, with what tells it apart (kind, département, population).
 */
export function TerritoryChoices({
  title,
  candidates,
  href,
}: {
  title: string;
  candidates: readonly Candidate[] | undefined;
  href: (value: string) => string;
}): VNode | null {
  if (!candidates || candidates.length === 0) return null;
  return (
    <>
      <h2>{title}</h2>
      <ul class="results">
        {candidates.map((c) => (
          <li key={c.territory.id}>
            <a href={href(c.value)}>
              {c.label}
              <span class="meta">{c.context}</span>
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}
