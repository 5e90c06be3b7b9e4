/** The diagnostic's part of every territory page: anonymous counts and a link to start a diagnostic. */
import type { VNode } from "preact";
import type { TerritorySection } from "../context.ts";
import { formatNumber } from "../platform/format.ts";
import type { Territory } from "../territories/model.ts";
import type { Referential } from "../territories/referential.ts";
import { HIDDEN_CELL } from "./describe.ts";
import { STAT_KEYS } from "./flow.ts";
import { MIN_CELL, showStats } from "./stats.ts";
import { countResponses } from "./store.ts";

/** INSEE codes of the communes (and arrondissements) of a territory, where responses are counted. */
export function communeCodes(territories: Referential, t: Territory): string[] {
  if (t.kind === "arrondissement") return [t.id];
  const codes: string[] = [];
  for (const c of territories.communesOf(t)) {
    codes.push(c.id);
    for (const a of territories.childrenOf(c.id)) if (a.kind === "arrondissement") codes.push(a.id);
  }
  return codes;
}

/** On every territory page: how many diagnostics (small counts hidden), and a diagnostic for its inhabitants. */
export const diagnosticSection: TerritorySection = {
  id: "diagnostic",
  title: "Diagnostic d'aisance numérique",
  async render(t, ctx): Promise<VNode | null> {
    const stats = showStats(
      await countResponses(ctx.database.db, communeCodes(ctx.territories, t)),
      STAT_KEYS,
    );
    const local = t.kind === "commune" || t.kind === "arrondissement";
    return (
      <>
        <p>
          {stats.enough && stats.total !== null
            ? stats.urgent === null
              ? `${formatNumber(stats.total)} diagnostics faits ici ; cas urgents : ${HIDDEN_CELL}.`
              : `${formatNumber(stats.total)} diagnostics faits ici, dont ${formatNumber(stats.urgent)} cas urgents.`
            : `Moins de ${MIN_CELL} diagnostics faits ici : pas de chiffre, pour protéger l'anonymat.`}{" "}
          <a href={`/diagnostic/statistiques?territoire=${encodeURIComponent(t.id)}`}>
            Statistiques anonymes
          </a>
        </p>
        {local ? (
          <p>
            <a href={`/diagnostic?commune=${encodeURIComponent(t.id)}`}>
              Faire le diagnostic pour une personne de {t.name}
            </a>
          </p>
        ) : null}
      </>
    );
  },
};
