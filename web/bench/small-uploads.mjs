// Small uploads through the catalogue in headless Chromium: one 100 KiB file at a time, timed from
// picking it to its row in the folder's listing, then a whole batch picked at once, timed until the
// upload panel says every one is done. Started by `python -m bench.web_uploads`, which writes the
// files, makes the folders and times the Python client on the same files.
import { chromium } from "@playwright/test";

const base = process.env.STRATA_WEB_URL;
const single = process.env.STRATA_BENCH_SINGLE_FOLDER;
const batch = process.env.STRATA_BENCH_BATCH_FOLDER;
const singles = JSON.parse(process.env.STRATA_BENCH_SINGLES);
const many = JSON.parse(process.env.STRATA_BENCH_BATCH);
const browser = await chromium.launch({
  executablePath: process.env.STRATA_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const page = await (await browser.newContext()).newPage();
await page.goto(`${base}/folders/${encodeURIComponent(single)}`);
await page.locator("#username").fill("alice");
await page.locator("#password").fill("alice-pass");
await page.locator("#kc-login").click();
const input = page.getByTestId("upload-input");
await input.waitFor({ state: "attached" });

const singleMs = [];
for (const path of singles) {
  const name = path.split("/").pop();
  const begin = performance.now();
  await input.setInputFiles(path);
  await page.getByRole("link", { name: `File: ${name}` }).waitFor({ timeout: 60_000 });
  singleMs.push(performance.now() - begin);
}

await page.goto(`${base}/folders/${encodeURIComponent(batch)}`);
await input.waitFor({ state: "attached" });
const begin = performance.now();
await input.setInputFiles(many);
await page.getByText(`Uploads (${many.length} of ${many.length} done)`).waitFor({ timeout: 10 * 60_000 });
const batchMs = performance.now() - begin;
const failed = await page.locator('[data-testid="upload"][data-state="failed"]').count();
await browser.close();
console.log(JSON.stringify({ singleMs, batchMs, failed }));
