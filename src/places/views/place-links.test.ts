import assert from "node:assert/strict";
import { test } from "node:test";
import { render } from "preact-render-to-string";
import { FILES, importReal } from "../../../test/support/places.ts";
import type { Place } from "../model.ts";
import { PlacePage } from "./place.tsx";

test("the place page writes only http(s) links, whatever the record holds (a real place, its links altered here)", async () => {
  const { outcomes } = await importReal(FILES.paca, "hub-du-sud");
  const real = outcomes
    .flatMap((o) => (o.status === "accepted" ? [o.place] : []))
    .find((p) => p.standard.prise_rdv);
  assert.ok(real);
  const place: Place = {
    ...real,
    standard: {
      ...real.standard,
      site_web: ["https://www.example.org/", "javascript:alert(document.cookie)", "java\tscript:alert(1)"],
      prise_rdv: "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
      fiche_acces_libre: "vbscript:msgbox(1)",
    },
  };
  const html = render(
    PlacePage({
      place,
      commune: null,
      communeShape: null,
      records: [],
      hours: {
        text: null,
        readable: false,
        status: null,
        week: "2026-11-30",
        previous: "2026-11-23",
        next: "2026-12-07",
        days: [],
        hasHolidayRule: false,
      },
      history: [],
      toReview: [],
      merged: [],
      routing: "https://www.openstreetmap.org/directions?to={lat}%2C{lon}",
      versions: [],
      editedFields: [],
      today: "2026-12-02",
    }),
  );
  assert.ok(html.includes('href="https://www.example.org/"'));
  assert.doesNotMatch(html, /script:|data:text|vbscript/i);
  assert.doesNotMatch(html, /Prendre rendez-vous|fiche Acceslibre/);
});
