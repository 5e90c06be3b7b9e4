import type { ComponentChildren, VNode } from "preact";

/** One entry of a map legend: a 20 px symbol (an SVG shape) and its text. */
export function LegendItem({ symbol, children }: { symbol: VNode; children: ComponentChildren }): VNode {
  return (
    <li>
      <svg width="20" height="20" aria-hidden="true">
        {symbol}
      </svg>
      {children}
    </li>
  );
}

/** A map legend: one colour swatch per class, then any other entries (`children`). */
export function Legend({
  label,
  colours,
  labels,
  children,
}: {
  label: string;
  colours: readonly string[];
  labels: readonly string[];
  children?: ComponentChildren;
}): VNode {
  return (
    <ul class="legend" aria-label={label}>
      {colours.map((colour, i) => (
        <LegendItem key={colour} symbol={<rect width="20" height="20" fill={colour} />}>
          {labels[i]}
        </LegendItem>
      ))}
      {children}
    </ul>
  );
}
