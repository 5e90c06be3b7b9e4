/**
 * The interactive map in a real browser (Chromium, WebGL through its software renderer): one indicator at a time,
 * the places clustered with a checkbox, and a basemap from another origin when MAILLAGE_FOND_DE_CARTE is set (a
 * style served on the loopback by this test: the page's security policy must let MapLibre fetch it).
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { axeViolations, browserJourney, browserSkip, withPage } from "../support/browser.ts";
import { startTestServer } from "../support/server.ts";

const journey = browserJourney();

/** Opens the interactive map of a page and waits until it says it is shown. */
async function openMap(page: Page, url: string): Promise<void> {
  await page.goto(url);
  assert.equal(await page.locator(".maplibregl-canvas").count(), 0, "nothing heavy before the click");
  await page.getByRole("button", { name: /Carte interactive/ }).click();
  await page.locator(".maplibregl-canvas").waitFor();
  await page.getByText("Carte interactive affichée.").waitFor();
}

const layers = async (page: Page) =>
  ((await page.locator(".map-gl").getAttribute("data-layers")) ?? "").split(" ");

describe("the interactive map: indicators and places", { skip: browserSkip() }, () => {
  test("Creuse: pick an indicator, the map and its legend say so; places clustered, hidden on request", async () => {
    await withPage(journey.browser, {}, async (page) => {
      await openMap(page, `${journey.server.url}/fragilite?territoire=23`);
      const status = page.getByRole("status").filter({ hasText: "Carte interactive affichée." });
      const places = await (await fetch(`${journey.server.url}/api/v1/lieux/carte?territoire=23`)).json();
      const count = places.features.length as number;
      assert.ok(count > 1);
      assert.match((await status.textContent()) ?? "", new RegExp(`${count} lieux de médiation numérique`));
      assert.deepEqual(await layers(page), ["fond", "aplat", "limites", "lieux-groupes", "lieux"]);

      // The button is gone; the list of measures has the focus it had.
      assert.equal(await page.getByRole("button", { name: /Carte interactive/ }).count(), 0);
      const select = page.getByLabel("Indicateur affiché sur la carte");
      assert.equal(await select.evaluate((el) => el === document.activeElement), true);
      assert.deepEqual(await select.locator("option").allTextContents(), [
        "Score global",
        "Absence de très haut débit (score IFN)",
        "Absence de couverture 4G (score IFN)",
        "Pauvreté (score IFN)",
        "Part des 65 ans et plus (score IFN)",
        "Part des 15 ans et plus sans diplôme (score IFN)",
      ]);
      assert.equal(
        await page.locator(".map-caption").textContent(),
        "Carte colorée selon le score global de fragilité, sur 10.",
      );
      await select.selectOption({ label: "Absence de couverture 4G (score IFN)" });
      await page.getByText("Carte colorée selon : Absence de couverture 4G (score IFN)").first().waitFor();
      assert.equal(
        await page.locator("#legende-titre").textContent(),
        "Légende : Absence de couverture 4G (score IFN), sur 10",
      );

      // Hovering an area tells its name and the indicator's value.
      await page.locator(".maplibregl-canvas").scrollIntoViewIfNeeded();
      const canvas = await page.locator(".maplibregl-canvas").boundingBox();
      assert.ok(canvas);
      await page.mouse.move(canvas.x + canvas.width / 2 - 5, canvas.y + canvas.height / 2);
      await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
      const popup = page.locator(".maplibregl-popup");
      await popup.waitFor();
      assert.match(
        (await popup.textContent()) ?? "",
        /^[^—]+ — Absence de couverture 4G \(score IFN\) : (\d+,\d\/10|non disponible)( \(valeur estimée\))?$/,
      );

      const toggle = page.getByLabel(`Afficher les lieux de médiation numérique (${count} lieux)`);
      assert.equal(await toggle.isChecked(), true);
      await toggle.uncheck();
      await page.getByText("Lieux masqués.").waitFor();
      assert.deepEqual(await layers(page), ["fond", "aplat", "limites"]);
      await toggle.check();
      await page.getByText("Lieux affichés sur la carte.").waitFor();
      assert.ok((await layers(page)).includes("lieux"));
      assert.equal(
        await page.getByRole("link", { name: "La liste de ces lieux" }).getAttribute("href"),
        "/lieux?territoire=23",
      );
      assert.deepEqual(await axeViolations(page), []);
    });
  });

  test("hovering a place names it; a click opens a popup with the link to its page", async () => {
    await withPage(journey.browser, {}, async (page) => {
      await openMap(page, `${journey.server.url}/fragilite?territoire=23`);
      const get = async (path: string) => (await fetch(journey.server.url + path)).json();
      const areas = await get("/api/v1/fragilite/carte?territoire=23");
      const points = await get("/api/v1/lieux/carte?territoire=23");
      await page.locator(".maplibregl-canvas").scrollIntoViewIfNeeded();
      const box = await page.locator(".maplibregl-canvas").boundingBox();
      assert.ok(box);
      // Where a point is drawn: the map fits the areas' bounds (16 px of padding) in Web Mercator.
      const mx = (lon: number) => (lon + 180) / 360;
      const my = (lat: number) => {
        const r = (lat * Math.PI) / 180;
        return (1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2;
      };
      let [west, south, east, north] = [180, 90, -180, -90];
      const walk = (c: unknown): void => {
        if (Array.isArray(c) && typeof c[0] === "number") {
          [west, east] = [Math.min(west, c[0]), Math.max(east, c[0])];
          [south, north] = [Math.min(south, c[1]), Math.max(north, c[1])];
        } else if (Array.isArray(c)) for (const x of c) walk(x);
      };
      for (const f of areas.features) walk(f.geometry.coordinates);
      const scale = Math.min(
        (box.width - 32) / (mx(east) - mx(west)),
        (box.height - 32) / (my(south) - my(north)),
      );
      const at = ([lon, lat]: [number, number]) => ({
        x: box.x + box.width / 2 + (mx(lon) - (mx(west) + mx(east)) / 2) * scale,
        y: box.y + box.height / 2 + (my(lat) - (my(south) + my(north)) / 2) * scale,
      });
      // The first place drawn alone (not in a cluster) at this zoom.
      for (const f of points.features as {
        geometry: { coordinates: [number, number] };
        properties: { id: string; nom: string };
      }[]) {
        const { x, y } = at(f.geometry.coordinates);
        await page.mouse.move(x - 3, y);
        await page.mouse.move(x, y);
        const named = page.locator(".maplibregl-popup", { hasText: f.properties.nom });
        if (
          !(await named.waitFor({ timeout: 2000 }).then(
            () => true,
            () => false,
          ))
        )
          continue;
        await page.mouse.click(x, y);
        const link = page.locator(".maplibregl-popup a", { hasText: f.properties.nom });
        await link.waitFor();
        assert.equal(await link.getAttribute("href"), `/lieux/${encodeURIComponent(f.properties.id)}`);
        return;
      }
      assert.fail("no place of the Creuse is drawn alone at the first zoom");
    });
  });

  test("a région on a phone: the départements' values are means of their communes, and the map says so", async () => {
    await withPage(journey.browser, { width: 360 }, async (page) => {
      await openMap(page, `${journey.server.url}/fragilite?territoire=region-75`);
      await page
        .getByLabel("Indicateur affiché sur la carte")
        .selectOption({ label: "Pauvreté (score IFN)" });
      await page
        .getByText(/pour un département|Valeur d'un département : la moyenne de ses communes/)
        .first()
        .waitFor();
      assert.match(
        (await page.locator(".map-caption").textContent()) ?? "",
        /Valeur d'un département : la moyenne de ses communes, pondérée par la population\.$/,
      );
      assert.deepEqual(await axeViolations(page), []);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.equal(overflow, 0, "no sideways scrolling at 360 px");
    });
  });
});

describe("a basemap from another origin (MAILLAGE_FOND_DE_CARTE)", { skip: browserSkip() }, () => {
  let styles: Server;
  let styleUrl = "";
  const asked: string[] = [];
  before(async () => {
    // A minimal MapLibre style, served with CORS as a tile server would: a background layer only. Any other
    // address is not found.
    styles = createServer((req, res) => {
      asked.push(req.url ?? "");
      if (req.url !== "/style.json") {
        res.writeHead(404, { "access-control-allow-origin": "*" }).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" });
      res.end(
        JSON.stringify({
          version: 8,
          sources: {},
          layers: [{ id: "fond-externe", type: "background", paint: { "background-color": "#e8f0e0" } }],
        }),
      );
    });
    await new Promise<void>((resolve) => styles.listen(0, "127.0.0.1", resolve));
    styleUrl = `http://127.0.0.1:${(styles.address() as AddressInfo).port}/style.json`;
  });
  after(() => new Promise<void>((resolve) => styles.close(() => resolve())));

  test("the style is drawn under the areas: the page's policy lets MapLibre fetch it", async () => {
    const server = await startTestServer({ config: { basemapStyle: styleUrl } });
    try {
      await withPage(journey.browser, {}, async (page) => {
        await openMap(page, `${server.url}/fragilite?territoire=23`);
        assert.deepEqual(asked, ["/style.json"]);
        assert.deepEqual(await layers(page), ["fond-externe", "aplat", "limites", "lieux-groupes", "lieux"]);
        assert.doesNotMatch((await page.getByRole("status").first().textContent()) ?? "", /fond de carte/);
        assert.deepEqual(await axeViolations(page), []);
      });
    } finally {
      await server.close();
    }
  });

  test("a basemap that cannot be read gives way to the plain background, and the map says so", async () => {
    const server = await startTestServer({
      config: { basemapStyle: styleUrl.replace("style.json", "absent.json") },
    });
    try {
      await withPage(journey.browser, {}, async (page) => {
        await openMap(page, `${server.url}/fragilite?territoire=23`);
        assert.ok(asked.includes("/absent.json"));
        await page.getByText("Le fond de carte n'a pas pu être chargé").waitFor();
        assert.deepEqual(await layers(page), ["fond", "aplat", "limites", "lieux-groupes", "lieux"]);
      });
    } finally {
      await server.close();
    }
  });
});
