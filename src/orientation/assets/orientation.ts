/**
 * The finder's small island (the pages work without it): « Autour de moi » (the browser's position, sent as lat
 * and lon), copy of the SMS text, and the print button.
 */
for (const el of document.querySelectorAll<HTMLElement>("[data-or-js]")) el.hidden = false;
for (const el of document.querySelectorAll<HTMLElement>("[data-or-nojs]")) el.hidden = true;

const locate = document.querySelector<HTMLButtonElement>("[data-or-locate]");
if (locate && "geolocation" in navigator) {
  const status = document.querySelector<HTMLElement>("[data-or-locate-status]");
  const form = locate.closest("form");
  locate.addEventListener("click", () => {
    if (status) status.textContent = "Recherche de votre position…";
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const lat = form?.querySelector<HTMLInputElement>("[data-or-lat]");
        const lon = form?.querySelector<HTMLInputElement>("[data-or-lon]");
        const commune = form?.querySelector<HTMLInputElement>("#or-commune");
        if (!form || !lat || !lon) return;
        lat.value = pos.coords.latitude.toFixed(4);
        lon.value = pos.coords.longitude.toFixed(4);
        lat.disabled = false;
        lon.disabled = false;
        if (commune) {
          commune.required = false;
          commune.value = "";
        }
        if (status) status.textContent = "Position trouvée, recherche en cours.";
        form.submit();
      },
      () => {
        if (status) status.textContent = "Position introuvable : tapez votre commune ou votre code postal.";
      },
      { timeout: 10_000, maximumAge: 300_000 },
    );
  });
} else if (locate) locate.hidden = true;

for (const button of document.querySelectorAll<HTMLButtonElement>("[data-or-copy]")) {
  const id = button.dataset.orCopy ?? "";
  const area = document.getElementById(id) as HTMLTextAreaElement | null;
  const status = document.querySelector<HTMLElement>(`[data-or-copy-status="${id}"]`);
  button.addEventListener("click", async () => {
    if (!area) return;
    try {
      await navigator.clipboard.writeText(area.value);
      if (status) status.textContent = "Texte copié. Collez-le dans un SMS.";
    } catch {
      area.select();
      if (status) status.textContent = "Le texte est sélectionné : copiez-le avec votre téléphone ou Ctrl+C.";
    }
  });
}

for (const button of document.querySelectorAll<HTMLButtonElement>("[data-or-print]"))
  button.addEventListener("click", () => window.print());
