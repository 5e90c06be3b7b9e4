import { existsSync } from "node:fs";
import { after, before } from "node:test";
import { AxeBuilder } from "@axe-core/playwright";
import { type Browser, chromium, type Page } from "playwright-core";
import { PASSWORD_FOR_TESTS, totpCode } from "./people.ts";
import { startTestServer, type TestServer } from "./server.ts";

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(
  (p): p is string => Boolean(p),
);

const chromiumPath = (): string | undefined => CANDIDATES.find((p) => existsSync(p));

/** Why browser tests are skipped here (no Chromium, and CI does not require it), or false. */
export const browserSkip = (): string | false =>
  !chromiumPath() && process.env.MAILLAGE_REQUIRE_BROWSER !== "1"
    ? "Chromium absent (apt-get install chromium)"
    : false;

/** Debian's Chromium, headless, kept off the network (this machine has none and must not try). */
async function launchBrowser(): Promise<Browser | null> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    if (process.env.MAILLAGE_REQUIRE_BROWSER === "1") {
      throw new Error(
        "Chromium est introuvable (apt-get install chromium) alors que MAILLAGE_REQUIRE_BROWSER=1.",
      );
    }
    return null;
  }
  return chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * axe-core scan for WCAG 2.1 A and AA; returns a readable list of the violations. The same rules run by `axe.run` in
 * the page itself (legacy mode) rather than by parts finished in a second blank page, which opening took half of
 * each scan: our pages have no frames from another origin, the only thing legacy mode leaves out.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .setLegacyMode()
    .analyze();
  return result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}

/** Runs `fn` on a new page of a fresh context (no shared cookies or cache), then closes it. */
export async function withPage(
  browser: Browser | null,
  opts: { javaScriptEnabled?: boolean; width?: number; height?: number },
  fn: (page: Page) => Promise<void>,
): Promise<void> {
  if (!browser) return;
  const context = await browser.newContext({
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    locale: "fr-FR",
  });
  try {
    await fn(await context.newPage());
  } finally {
    await context.close();
  }
}

/** Loads a page and checks what every page must pass: status, French, 0 axe violations, no overflow at 360 px. */
export async function checkPage(
  browser: Browser | null,
  url: string,
  status: number,
  title: RegExp,
): Promise<void> {
  await withPage(browser, { width: 360 }, async (page) => {
    const res = await page.goto(url);
    if (res?.status() !== status) throw new Error(`${url}: status ${res?.status()} instead of ${status}`);
    const t = await page.title();
    if (!title.test(t)) throw new Error(`${url}: title « ${t} » does not match ${title}`);
    if ((await page.getAttribute("html", "lang")) !== "fr") throw new Error(`${url}: lang is not fr`);
    const violations = await axeViolations(page);
    if (violations.length > 0) throw new Error(`${url}: axe violations:\n${violations.join("\n")}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) throw new Error(`${url}: the page is ${overflow}px wider than a 360px screen`);
  });
}

/**
 * Presses Tab until the element matching `selector` has the focus, as a keyboard user would (fails after `presses`,
 * 80 by default). Checked with a `:focus` locator, which also works with JavaScript disabled.
 */
export async function tabTo(page: Page, selector: string, what = selector, presses = 80): Promise<void> {
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press("Tab");
    if ((await page.locator(`${selector}:focus`).count()) > 0) return;
  }
  throw new Error(`${what}: never reached with Tab`);
}

/**
 * The set-up every browser journey file shares: one Chromium (null when absent and not required) and one test
 * server on a copy of the loaded database, started before the file's tests and closed after them. Read
 * `journey.browser` and `journey.server` inside tests (they are set once the file's `before` hooks ran).
 */
export function browserJourney(
  opts: Parameters<typeof startTestServer>[0] = {},
  /** Runs once the server is up (e.g. to look up real ids in its database), before the file's tests. */
  ready?: (server: TestServer) => Promise<void>,
): {
  readonly browser: Browser | null;
  readonly server: TestServer;
} {
  const state: { browser: Browser | null; server: TestServer | null } = { browser: null, server: null };
  before(async () => {
    state.browser = await launchBrowser();
    state.server = await startTestServer(opts);
    await ready?.(state.server);
  });
  after(async () => {
    await state.browser?.close();
    await state.server?.close();
  });
  return {
    get browser() {
      return state.browser;
    },
    get server() {
      if (!state.server) throw new Error("le serveur de test n'est pas encore démarré");
      return state.server;
    },
  };
}

/**
 * Signs a fictitious person in through the form (and its second-factor step when their role has one), then waits
 * for the page they asked for. `advance` moves the test clock past the previous TOTP step (a code is used once).
 */
export async function signInByForm(
  page: Page,
  base: string,
  email: string,
  path: string,
  advance: () => number,
): Promise<void> {
  await page.goto(`${base}/connexion?retour=${encodeURIComponent(path)}`);
  await page.fill("#email", email);
  await page.fill("#motdepasse", PASSWORD_FOR_TESTS);
  await Promise.all([page.waitForURL((u) => u.pathname !== "/connexion"), page.click("button[type=submit]")]);
  if (page.url().includes("second-facteur")) {
    await page.fill('input[name="code"]', totpCode(advance));
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith("/connexion")),
      page.click("button[type=submit]"),
    ]);
  }
  await page.waitForURL((u) => u.pathname === path.split("?")[0]);
}
