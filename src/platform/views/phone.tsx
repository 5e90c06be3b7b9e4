import type { VNode } from "preact";
import { formatPhone } from "../format.ts";

/** A phone number as people read it, a `tel:` link that a phone dials when tapped; nothing for an empty text. */
export function PhoneLink({ number }: { number: string }): VNode | null {
  const p = formatPhone(number);
  if (!p) return null;
  return p.tel ? (
    <a class="tel" href={`tel:${p.tel}`}>
      {p.text}
    </a>
  ) : (
    <span>{p.text}</span>
  );
}
