import type { ComponentChildren, VNode } from "preact";

/**
 * The frame of a wide table: on a narrow screen the table keeps its words whole and scrolls sideways inside this
 * region, which a keyboard can focus (Tab, then the arrow keys) and a screen reader announces as « Tableau : label »
 * (distinct from the section around it, which often bears the same title).
 */
export function TableRegion({ label, children }: { label: string; children: ComponentChildren }): VNode {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls must be reachable by keyboard (WCAG 2.1.1)
    <div class="table-wrap" role="region" aria-label={`Tableau : ${label}`} tabIndex={0}>
      {children}
    </div>
  );
}
