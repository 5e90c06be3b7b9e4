import { chromium } from "playwright-core";
const [url, out, width = "1280", js = "1"] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless","--no-sandbox","--disable-gpu","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run"] });
const c = await b.newContext({ viewport: { width: Number(width), height: 900 }, javaScriptEnabled: js === "1" });
const p = await c.newPage();
await p.goto(url);
await p.screenshot({ path: out, fullPage: true });
await b.close();
