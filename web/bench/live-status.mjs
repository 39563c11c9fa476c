// When each status change of the signed-in person's Copernicus requests appears in the page:
// a MutationObserver on the requests table records (request, status, wall-clock ms) as the rows
// change. Ends once STRATA_BENCH_JOBS requests show COMPLETED. Started by bench.web_copernicus.
import { chromium } from "@playwright/test";
import { writeFileSync } from "node:fs";

const base = process.env.STRATA_WEB_URL;
const jobs = Number(process.env.STRATA_BENCH_JOBS ?? "50");
const browser = await chromium.launch({
  executablePath: process.env.STRATA_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
const seen = [];
await page.exposeFunction("strataSeen", (id, status, at) => seen.push({ id, status, at }));
await page.goto(`${base}/copernicus`);
await page.locator("#username").fill("alice");
await page.locator("#password").fill("alice-pass");
await page.locator("#kc-login").click();
await page.getByRole("heading", { name: "Your requests" }).waitFor();
await page.evaluate(() => {
  const last = new Map();
  const look = () => {
    for (const row of document.querySelectorAll('[data-testid="copernicus-request"]')) {
      const id = row.getAttribute("data-id");
      const status = row.getAttribute("data-status");
      if (last.get(id) !== status) {
        last.set(id, status);
        window.strataSeen(id, status, Date.now());
      }
    }
  };
  new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
  look();
});
writeFileSync(process.env.STRATA_BENCH_READY, "ready");
const deadline = Date.now() + 10 * 60_000;
while (new Set(seen.filter((s) => s.status === "COMPLETED").map((s) => s.id)).size < jobs && Date.now() < deadline) {
  await page.waitForTimeout(200);
}
await browser.close();
console.log(JSON.stringify(seen));
