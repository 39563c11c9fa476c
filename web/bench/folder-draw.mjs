// How fast a folder of 100 files is drawn, warm, in headless Chromium; and how much JavaScript a
// person downloads. Started by `python -m bench.web` (make bench-web), which seeds the folder.
import { chromium } from "@playwright/test";
import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const base = process.env.STRATA_WEB_URL;
const folder = process.env.STRATA_BENCH_FOLDER;
const parent = process.env.STRATA_BENCH_PARENT;
const repeat = Number(process.env.STRATA_BENCH_REPEAT ?? "9");
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const browser = await chromium.launch({
  executablePath: process.env.STRATA_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
const loadedJs = new Map();
page.on("response", async (response) => {
  if (response.url().endsWith(".js") && response.status() === 200) {
    try {
      loadedJs.set(response.url(), gzipSync(await response.body()).length);
    } catch {}
  }
});
const folderUrl = `${base}/folders/${encodeURIComponent(folder)}`;
const rows = page.locator('tr[data-kind="file"]');
await page.goto(folderUrl);
await page.locator("#username").fill("alice");
await page.locator("#password").fill("alice-pass");
await page.locator("#kc-login").click();
await rows.nth(99).waitFor();

// A reload of the folder's address: the page starts, signs in from its session, asks, draws.
const reloads = [];
for (let i = 0; i < repeat; i++) {
  const begin = performance.now();
  await page.goto(folderUrl, { waitUntil: "commit" });
  await rows.nth(99).waitFor();
  reloads.push(performance.now() - begin);
}
// Inside the app: from the parent folder, a click on the folder's row.
const clicks = [];
for (let i = 0; i < repeat; i++) {
  await page.goto(`${base}/folders/${encodeURIComponent(parent)}`);
  const link = page.locator("a.row-link").first();
  await link.waitFor();
  const begin = performance.now();
  await link.click();
  await rows.nth(99).waitFor();
  clicks.push(performance.now() - begin);
}
await browser.close();

const assets = new URL("../dist/assets/", import.meta.url);
const shipped = readdirSync(assets)
  .filter((name) => name.endsWith(".js"))
  .reduce((sum, name) => sum + gzipSync(readFileSync(new URL(name, assets))).length, 0);
const loaded = [...loadedJs.values()].reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ reloadMs: median(reloads), clickMs: median(clicks), shippedGzip: shipped, loadedGzip: loaded, repeat }));
