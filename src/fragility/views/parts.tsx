import type { VNode } from "preact";
import { formatNumber } from "../../platform/format.ts";
import { type MapShape, SvgMap } from "../../platform/svgmap.tsx";
import { LegendItem, Legend as MapLegend } from "../../platform/views/legend.tsx";
import { TableRegion } from "../../platform/views/table.tsx";
import type { Geometry } from "../../territories/model.ts";
import { classLabels, classOf, formatScore, PALETTE } from "../classes.ts";
import type { ExplanationLine } from "../model.ts";

export interface MapItem {
  id: string;
  name: string;
  score: number | null;
  geometry: Geometry | undefined;
}

/** The choropleth as inline SVG (works without JavaScript); each area names itself and its score. */
export function ChoroplethMap({ title, items }: { title: string; items: MapItem[] }): VNode | null {
  const shapes: MapShape[] = [];
  for (const it of items) {
    if (!it.geometry) continue;
    const c = classOf(it.score);
    shapes.push({
      geometry: it.geometry,
      className: c === null ? "area no-data" : "area",
      fill: c === null ? undefined : PALETTE[c],
      label: `${it.name} : ${it.score === null ? "non calculé" : `${formatScore(it.score)}/10`}`,
    });
  }
  if (shapes.length === 0) return null;
  return <SvgMap title={title} shapes={shapes} width={600} height={520} />;
}

export function Legend(): VNode {
  return (
    <MapLegend
      label="Légende de la carte : score de fragilité sur 10"
      colours={PALETTE}
      labels={classLabels()}
    >
      <LegendItem symbol={<rect width="20" height="20" fill="#d1d5db" />}>non calculé</LegendItem>
    </MapLegend>
  );
}

const pct = (x: number | null) => (x === null ? "—" : `${Math.round(x)} %`);
const num = (x: number | null, unit: string) => {
  if (x === null) return "manquant";
  if (unit === "€") return `${formatNumber(x)} €`;
  if (unit === "%") return `${formatNumber(x, 1)} %`;
  return formatNumber(x, 2);
};
const STATUS: Record<string, string> = {
  observed: "",
  "imputed-epci": " (estimé : médiane de l'intercommunalité)",
  "imputed-departement": " (estimé : médiane du département)",
  missing: "",
};

/** The explanation of a commune's score as an accessible table. */
export function ExplanationTable({ lines, caption }: { lines: ExplanationLine[]; caption: string }): VNode {
  return (
    <TableRegion label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Indicateur</th>
            <th scope="col">Valeur</th>
            <th scope="col" class="num">
              Communes de France plus basses
            </th>
            <th scope="col" class="num">
              Communes du département plus basses
            </th>
            <th scope="col" class="num">
              Score sur 10
            </th>
            <th scope="col" class="num">
              Poids
            </th>
            <th scope="col" class="num">
              Part du score
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => (
            <tr key={l.indicator}>
              <th scope="row">{l.label}</th>
              <td>
                {num(l.raw, l.unit)}
                {l.unit === "score 0–10" && l.raw !== null ? " sur 10" : ""}
                {STATUS[l.status]}
              </td>
              <td class="num">{pct(l.nationalPercentile)}</td>
              <td class="num">{pct(l.departementPercentile)}</td>
              <td class="num">{l.normalised === null ? "—" : formatScore(l.normalised)}</td>
              <td class="num">{`${Math.round(l.effectiveWeight * 100)} %`}</td>
              <td class="num">{formatScore(l.contribution)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
