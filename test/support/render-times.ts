/**
 * Renders everything that depends on the time for real places at fixed instants, and prints it as JSON: the hours
 * module's answers, the place page's hours, the orientation sheet, the finder's API. `test/time-zones.test.ts` runs
 * it under several `TZ` values and checks that the outputs are identical: the server's zone must not show.
 */
import { openStatus, placeCalendar, placeHours, weekSchedule } from "../../src/places/hours.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { dayIn, mondayOf } from "../../src/platform/clock.ts";
import { startTestServer } from "./server.ts";

/** Real places of the shipped files, each at an instant that matters for it. */
const CASES = [
  // France services de Saint-Denis - Le Brûlé (La Réunion), Wednesday 10:00 local time.
  { place: "lieu-2a7ccef420356523", commune: "97411", at: "2026-11-18T06:00:00Z" },
  // France services Vic sur Seille (Moselle), Saturday 26 December 10:00: a holiday in Moselle only.
  { place: "lieu-4d1a24cf03ae22ca", commune: "57712", at: "2026-12-26T09:00:00Z" },
  // France services Les Abymes - Espace René Elie (Guadeloupe), 27 May 10:00: abolition of slavery.
  { place: "lieu-40d9f2ee689485c6", commune: "97101", at: "2026-05-27T14:00:00Z" },
  // France services de Cayenne (Guyane), 10 June 10:00: abolition of slavery.
  { place: "lieu-eac9dfad34a661ca", commune: "97302", at: "2026-06-10T13:00:00Z" },
  // France services de Royan, « Mo-Fr 09:00-18:00 » (the case): Sunday 23:30 UTC is Monday 00:30 in
  // Paris, Monday 12:30 in Auckland, and 16:30 on a weekday.
  { place: "lieu-4d321bbdcde58db9", commune: "17306", at: "2026-11-22T23:30:00Z" },
  { place: "lieu-4d321bbdcde58db9", commune: "17306", at: "2026-11-18T15:30:00Z" },
] as const;

/** The part of a page between two markers (included), to keep the output to what depends on the time. */
function between(html: string, start: RegExp, end: RegExp): string {
  const from = html.search(start);
  if (from < 0) return `(absent: ${start})`;
  const rest = html.slice(from);
  const to = rest.search(end);
  return to < 0 ? rest : rest.slice(0, to);
}

async function main(): Promise<void> {
  let now = new Date(CASES[0].at);
  const clock: Clock = { now: () => new Date(now) };
  const server = await startTestServer({ clock });
  const get = async (path: string) => {
    const res = await fetch(server.url + path);
    return { status: res.status, body: await res.text() };
  };
  try {
    const all = await server.ctx.places.all();
    const out: unknown[] = [];
    for (const c of CASES) {
      now = new Date(c.at);
      const place = all.find((p) => p.id === c.place);
      if (!place) throw new Error(`lieu absent des données livrées : ${c.place}`);
      const cal = placeCalendar(place);
      const h = placeHours(place.standard.horaires, cal, place.flags.unparsedHours);
      if (!h) throw new Error(`horaires illisibles : ${c.place}`);
      const page = await get(`/lieux/${c.place}`);
      const sheet = await get(`/trouver/fiche?commune=${c.commune}&lieu=${c.place}`);
      const api = await get(
        `/api/v1/orientation?commune=${c.commune}&quand=samedi&quand=lundi-matin&limite=5`,
      );
      const finder = JSON.parse(api.body) as {
        notes: string[];
        resultats: { id: string; ouverture: unknown; raisons: string[]; manque: string[] }[];
      };
      out.push({
        case: c,
        zone: cal.zone,
        status: openStatus(h, now),
        week: weekSchedule(h, mondayOf(dayIn(now, cal.zone))),
        page: [page.status, between(page.body, /<section aria-labelledby="horaires">/, /<\/section>/)],
        // Without the QR code: it holds the test server's port.
        sheet: [
          sheet.status,
          between(sheet.body, /Fiche préparée le/, /<div class="or-sms/).replace(
            /<figure class="or-qr">.*?<\/figure>/s,
            "(QR)",
          ),
        ],
        finder: [
          api.status,
          finder.notes,
          finder.resultats.map((r) => [r.id, r.ouverture, r.raisons, r.manque]),
        ],
      });
    }
    process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
  } finally {
    await server.close();
  }
}

await main();
