/** A form field as every back-office form shows it: its label, a hint, its error, then the control. */
import type { ComponentChildren } from "preact";

export const Field = (p: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: ComponentChildren;
}) => (
  <div class={`field${p.error ? " field-error" : ""}`}>
    <label for={p.id}>{p.label}</label>
    {p.hint ? (
      <p class="hint" id={`${p.id}-aide`}>
        {p.hint}
      </p>
    ) : null}
    {p.error ? (
      <p class="error" id={`${p.id}-erreur`}>
        {p.error}
      </p>
    ) : null}
    {p.children}
  </div>
);

export const described = (id: string, hint: boolean, error: boolean) =>
  [hint ? `${id}-aide` : "", error ? `${id}-erreur` : ""].filter(Boolean).join(" ") || undefined;
