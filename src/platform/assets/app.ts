import { enhanceMaps } from "./map.ts";

/**
 * Progressive enhancement of every page (the pages work without it).
 * Search forms marked `data-suggest` show territory suggestions while typing; arrows move through them.
 */
function enhanceSearch(form: HTMLFormElement): void {
  const input = form.querySelector<HTMLInputElement>("input[type=search]");
  if (!input) return;
  const list = document.createElement("ul");
  list.className = "results suggestions";
  list.id = `${input.id}-suggestions`;
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  form.after(list);
  list.after(status);
  input.setAttribute("aria-controls", list.id);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;

  const show = async (q: string) => {
    const mine = ++seq;
    if (q.trim().length < 2) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    try {
      const res = await fetch(`/api/v1/territoires?q=${encodeURIComponent(q)}&limit=8`);
      if (!res.ok || mine !== seq) return;
      const body = (await res.json()) as {
        total: number;
        resultats: { nom: string; libelle: string; url: string }[];
      };
      // A newer search started while this answer was read: it would put back stale suggestions.
      if (mine !== seq) return;
      list.replaceChildren(
        ...body.resultats.map((r) => {
          const li = document.createElement("li");
          const a = document.createElement("a");
          a.href = r.url;
          a.textContent = r.nom;
          const meta = document.createElement("span");
          meta.className = "meta";
          meta.textContent = r.libelle;
          a.append(meta);
          li.append(a);
          return li;
        }),
      );
      status.textContent =
        body.total === 0
          ? "Aucune suggestion."
          : `${body.total} résultat${body.total > 1 ? "s" : ""}, flèche bas pour parcourir.`;
    } catch {
      // Offline or server unavailable: the plain form still works.
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => void show(input.value), 150);
  });
  const links = () => [...list.querySelectorAll<HTMLAnchorElement>("a")];
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && links().length > 0) {
      e.preventDefault();
      links()[0]?.focus();
    } else if (e.key === "Escape") {
      list.replaceChildren();
    }
  });
  list.addEventListener("keydown", (e) => {
    const all = links();
    const i = all.indexOf(document.activeElement as HTMLAnchorElement);
    if (e.key === "ArrowDown") {
      e.preventDefault();
      all[Math.min(i + 1, all.length - 1)]?.focus();
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      if (i <= 0) input.focus();
      else all[i - 1]?.focus();
    } else if (e.key === "Escape") {
      input.focus();
      list.replaceChildren();
    }
  });
}

for (const form of document.querySelectorAll<HTMLFormElement>("form[data-suggest]")) enhanceSearch(form);
enhanceMaps();
