import type { VNode } from "preact";
import { contextLabel } from "../describe.ts";
import type { Territory } from "../model.ts";
import type { Referential } from "../referential.ts";

/** « Quel territoire ? »: the territories a typed name could mean, each a link built by `href`. */
export function TerritoryChoices({
  choices,
  referential,
  href,
}: {
  choices: readonly Territory[] | undefined;
  referential: Referential;
  href: (t: Territory) => string;
}): VNode | null {
  if (!choices || choices.length === 0) return null;
  return (
    <>
      <h2>Quel territoire ?</h2>
      <ul class="results">
        {choices.map((t) => (
          <li key={t.id}>
            <a href={href(t)}>
              {t.name}
              <span class="meta">{contextLabel(t, referential)}</span>
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}
