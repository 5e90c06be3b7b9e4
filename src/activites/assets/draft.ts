/**
 * A lost connection loses nothing: the report form is sent by `fetch`; when the network is down (or the server
 * cannot be reached), the form's fields are kept on the device (localStorage, under the form's idempotency key) and
 * sent again as soon as the network returns — or at the next visit. The server records a key once, so sending a
 * draft twice never makes two reports. Without JavaScript the form is a plain form.
 */
const STORE = "maillage.brouillons.activites";

interface Draft {
  key: string;
  action: string;
  fields: [string, string][];
  savedAt: string;
}

const drafts = (): Draft[] => {
  try {
    return JSON.parse(localStorage.getItem(STORE) ?? "[]") as Draft[];
  } catch {
    return [];
  }
};
const keep = (list: Draft[]) => localStorage.setItem(STORE, JSON.stringify(list));

function say(text: string): void {
  const live = document.querySelector<HTMLElement>(".activity-live");
  if (live) live.textContent = text;
}

/** Sends one draft; true when the server answered (recorded, or refused with a page: not a network failure). */
async function send(d: Draft): Promise<{ ok: boolean; url: string | null }> {
  const body = new URLSearchParams();
  for (const [k, v] of d.fields) body.append(k, v);
  try {
    const res = await fetch(d.action, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    return { ok: true, url: res.ok && res.redirected ? res.url : null };
  } catch {
    return { ok: false, url: null };
  }
}

/** Sends every draft kept on the device; the ones the network still refuses stay. */
async function flush(): Promise<void> {
  const pending = drafts();
  if (pending.length === 0 || !navigator.onLine) return;
  const left: Draft[] = [];
  let sent = 0;
  for (const d of pending) {
    const r = await send(d);
    if (r.ok) sent++;
    else left.push(d);
  }
  keep(left);
  if (sent > 0)
    say(
      left.length === 0
        ? `Réseau revenu : ${sent} compte(s) rendu(s) gardé(s) sur l'appareil ont été envoyés.`
        : `${sent} envoyé(s) ; ${left.length} attend(ent) encore le réseau.`,
    );
}

for (const form of document.querySelectorAll<HTMLFormElement>("form[data-brouillon]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const fields = [...data.entries()].map(([k, v]) => [k, String(v)] as [string, string]);
    const key = String(data.get("cle") ?? "");
    const draft: Draft = { key, action: form.action, fields, savedAt: new Date().toISOString() };
    const r = navigator.onLine ? await send(draft) : { ok: false, url: null };
    if (r.ok) {
      if (r.url) window.location.assign(r.url);
      else form.submit(); // the server refused it (a field to correct): show its page the usual way
      return;
    }
    keep([...drafts().filter((x) => x.key !== key), draft]);
    say(
      "Pas de réseau : le compte rendu est gardé sur cet appareil et sera envoyé tout seul au retour du réseau.",
    );
  });
}

window.addEventListener("online", () => void flush());
void flush();
