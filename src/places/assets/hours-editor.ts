/**
 * The weekly hours editor, progressive enhancement of the edit form (without it, the form works the same: the
 * server reads the week or the text). Typing in the week writes the OpenStreetMap text beside it and chooses « par
 * jour »; typing the text chooses « texte »; either way the server says at once whether the text is readable.
 */
const DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

/** « 9h30 », « 0930 », « 9 » → "09:30", "09:30", "09:00" (the server reads the same way). */
function timeOf(text: string): string {
  const m = /^(\d{1,2})(?:\s*[:hH.]\s*|(?=\d{2}$))?(\d{2})?$/.exec(text.trim());
  return m ? `${(m[1] as string).padStart(2, "0")}:${m[2] ?? "00"}` : "";
}

function weekText(form: HTMLFormElement): string {
  const cells: string[] = [];
  for (let d = 0; d < 7; d++) {
    const ranges: string[] = [];
    for (let k = 0; k < 2; k++) {
      const a = timeOf((form.elements.namedItem(`h_${d}_${k}_0`) as HTMLInputElement | null)?.value ?? "");
      const b = timeOf((form.elements.namedItem(`h_${d}_${k}_1`) as HTMLInputElement | null)?.value ?? "");
      if (a && b) ranges.push(`${a}-${b}`);
    }
    cells.push(ranges.join(","));
  }
  const rules: string[] = [];
  for (let i = 0; i < 7; ) {
    let j = i;
    while (j + 1 < 7 && cells[j + 1] === cells[i]) j++;
    if (cells[i]) {
      const span = j === i ? DAYS[i] : j === i + 1 ? `${DAYS[i]},${DAYS[j]}` : `${DAYS[i]}-${DAYS[j]}`;
      rules.push(`${span} ${cells[i]}`);
    }
    i = j + 1;
  }
  return rules.join("; ");
}

function setup(box: HTMLElement): void {
  const form = box.closest("form");
  const text = box.querySelector<HTMLTextAreaElement>("textarea[name=horaires]");
  const status = box.querySelector<HTMLElement>("[data-hours-status]");
  const weekMode = box.querySelector<HTMLInputElement>("#horaires-mode-semaine");
  const textMode = box.querySelector<HTMLInputElement>("#horaires-mode-texte");
  if (!form || !text || !status) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  const check = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const n = ++asked;
      try {
        const r = await fetch(
          `/api/v1/horaires/verification?texte=${encodeURIComponent(text.value.slice(0, 500))}`,
        );
        const body = (await r.json()) as { valide: boolean; message: string };
        if (n !== asked) return;
        status.textContent = body.message;
        text.setAttribute("aria-invalid", body.valide ? "false" : "true");
      } catch {
        status.textContent = "";
      }
    }, 300);
  };
  box.querySelectorAll<HTMLInputElement>(".hours-week input").forEach((input) => {
    input.addEventListener("input", () => {
      if (weekMode && !weekMode.disabled) weekMode.checked = true;
      text.value = weekText(form);
      check();
    });
  });
  text.addEventListener("input", () => {
    if (textMode) textMode.checked = true;
    check();
  });
}

document.querySelectorAll<HTMLElement>("[data-hours-editor]").forEach(setup);
