import type { ComponentChildren, VNode } from "preact";
import type { DaySchedule } from "../hours.ts";

/** A week of opening hours as a table, one row per day; `cell` says what a day's hours are. */
export function WeekTable({
  caption,
  days,
  cell,
  class: className,
}: {
  caption: ComponentChildren;
  days: readonly DaySchedule[];
  cell: (day: DaySchedule) => ComponentChildren;
  class?: string;
}): VNode {
  return (
    <table class={className}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Jour</th>
          <th scope="col">Horaires</th>
        </tr>
      </thead>
      <tbody>
        {days.map((d) => (
          <tr key={d.label}>
            <th scope="row">{d.label}</th>
            <td>{cell(d)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
