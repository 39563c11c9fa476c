// Playwright Test on Debian's chromium (passed by path: no browser download), against the API that
// tests/test_web_catalogue.py starts with seeded data (STRATA_WEB_URL, STRATA_SEED).
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results/artifacts",
  timeout: 90_000,
  expect: { timeout: 15_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [["line"]],
  use: {
    baseURL: process.env.STRATA_WEB_URL ?? "http://127.0.0.1:18700",
    headless: true,
    acceptDownloads: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    viewport: { width: 1280, height: 860 },
    launchOptions: {
      executablePath: process.env.STRATA_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  // The whole suite at a desktop's width; the main journeys (tagged @phone) and the layout check on a
  // phone (390 px, touch); the layout check again at 200 % zoom of a 1280 px window.
  projects: [
    { name: "desktop" },
    { name: "phone", grep: /@phone|@layout/, use: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 } },
    { name: "zoom200", grep: /@layout/, use: { viewport: { width: 640, height: 430 }, deviceScaleFactor: 2 } },
  ],
});
