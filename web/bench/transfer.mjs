// One browser upload and two browser downloads of the given file, in headless Chromium through the
// catalogue, timed from the click to the end (the upload's completion, the verified download, the
// browser's own download).
// Started by `python -m bench.web_transfer`, which times the Python client on the same file.
import { chromium } from "@playwright/test";

const base = process.env.STRATA_WEB_URL;
const folder = process.env.STRATA_BENCH_FOLDER;
const source = process.env.STRATA_BENCH_FILE;
const browser = await chromium.launch({
  executablePath: process.env.STRATA_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext({ acceptDownloads: true });
const page = await context.newPage();
await page.goto(`${base}/folders/${encodeURIComponent(folder)}`);
await page.locator("#username").fill("alice");
await page.locator("#password").fill("alice-pass");
await page.locator("#kc-login").click();
await page.getByTestId("upload-input").waitFor({ state: "attached" });

let begin = performance.now();
await page.getByTestId("upload-input").setInputFiles(source);
const job = page.getByTestId("upload");
await job.and(page.locator('[data-state="done"]')).waitFor({ timeout: 30 * 60_000 });
const uploadSeconds = (performance.now() - begin) / 1000;
const failed = await job.getAttribute("data-state");

await job.getByRole("link", { name: "Open" }).click();
const button = page.getByRole("button", { name: "Parallel download with checksum check" });
await button.waitFor();
begin = performance.now();
const [download] = await Promise.all([page.waitForEvent("download", { timeout: 30 * 60_000 }), button.click()]);
await download.path();
const downloadSeconds = (performance.now() - begin) / 1000;
const verified = (await page.getByTestId("download-outcome").textContent()) ?? "";

// The browser's own download of the same file: one GET handled by the download manager, unchecked.
begin = performance.now();
const own = page.getByRole("button", { name: "Download", exact: true });
const [plain] = await Promise.all([page.waitForEvent("download", { timeout: 30 * 60_000 }), own.click()]);
await plain.path();
const plainSeconds = (performance.now() - begin) / 1000;
await browser.close();
console.log(JSON.stringify({ uploadSeconds, downloadSeconds, plainSeconds, state: failed, verified }));
