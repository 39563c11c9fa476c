import { checkAccessibility, expect, screenshot, seed, signIn, test } from "./support";

async function ask(page: import("@playwright/test").Page, dataset: string): Promise<void> {
  await page.getByLabel("Find a dataset").fill(dataset);
  await page.getByLabel("Dataset", { exact: true }).selectOption(dataset);
  await page.getByRole("button", { name: "Request", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: `Requested ${dataset}` })).toBeVisible();
}

test("a Copernicus request's states show live, with no polling, then its File", async ({ page }) => {
  await signIn(page, "alice", "/copernicus");
  await expect(page.getByRole("heading", { level: 1, name: "Copernicus data" })).toBeVisible();
  // a request that is not JSON is refused before it is sent
  await page.getByLabel("Request (JSON, as the service's own API takes it)").fill('{"year": 2026,');
  await expect(page.locator("#json-state")).toContainText("not valid JSON");
  await page.getByLabel("Request (JSON, as the service's own API takes it)").fill('{"variable": ["2t"], "year": "2026"}');
  await checkAccessibility(page, "the Copernicus page");

  let polled = 0;
  page.on("request", (request) => {
    if (request.url().endsWith("/graphql") && request.method() === "POST") polled++;
  });
  await ask(page, seed.copernicus.live);
  const sent = polled; // the request itself
  const row = page.getByTestId("copernicus-request").filter({ hasText: seed.copernicus.live });
  const seen: string[] = [];
  await expect
    .poll(
      async () => {
        const status = (await row.getByTestId("request-status").textContent()) ?? "";
        if (seen.at(-1) !== status) seen.push(status);
        return status;
      },
      { timeout: 60_000, intervals: [50] },
    )
    .toBe("completed");
  expect(seen).toContain("queued");
  expect(seen).toContain("running");
  expect(seen.indexOf("queued")).toBeLessThan(seen.indexOf("running"));
  expect(polled - sent, "updates came by the subscription, not by asking again").toBe(0);
  await screenshot(page, "30-copernicus-completed");
  await row.getByRole("link", { name: /^Open / }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(seed.copernicus.live.slice(0, 8));
  // the File says where it comes from: the service, the dataset and what was asked
  const lineage = page.getByTestId("lineage");
  await expect(lineage).toContainText("Source a Copernicus service");
  await expect(lineage).toContainText(`Dataset ${seed.copernicus.live}`);
  await expect(lineage).toContainText("variable: 2t; year: 2026");
  await screenshot(page, "31-copernicus-lineage");
  await lineage.getByRole("link", { name: "your Copernicus requests" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Copernicus data" })).toBeVisible();
});

test("a Copernicus request cancelled in flight ends as cancelled", async ({ page }) => {
  await signIn(page, "alice", "/copernicus");
  await ask(page, seed.copernicus.slow);
  const row = page.getByTestId("copernicus-request").filter({ hasText: seed.copernicus.slow });
  await expect(row.getByTestId("request-status")).toHaveText(/queued|pending/);
  await row.getByRole("button", { name: `Cancel the request for ${seed.copernicus.slow}` }).click();
  await expect(row.getByTestId("request-status")).toHaveText("cancelled");
  await expect(row).toHaveAttribute("data-status", "CANCELLED");
});

test("with the upstream's catalogue down, the page says so, offers common datasets by id, and retries", { tag: "@phone" }, async ({ page, request }) => {
  const control = (catalogueDown: boolean) => request.post(`${seed.copernicus.clms}/_fake/control`, { data: { catalogueDown } });
  await control(true);
  try {
    await signIn(page, "alice", "/copernicus");
    await page.getByRole("combobox", { name: "Service", exact: true }).first().selectOption("CLMS");
    const down = page.getByTestId("catalogue-down");
    await expect(down).toContainText("CLMS's catalogue cannot be listed now.");
    await expect(down).toContainText("The Copernicus service did not answer. Try again later. Code for support: UPSTREAM_UNAVAILABLE.");
    // Request waits for a dataset, and says so
    await expect(page.getByRole("button", { name: "Request", exact: true })).toBeDisabled();
    await expect(page.locator("#request-blocked")).toHaveText("Type the dataset's id, or pick a common one.");
    await page.getByLabel(/Common CLMS datasets/).selectOption("clc-2018");
    await expect(page.getByLabel("Dataset id")).toHaveValue("clc-2018");
    const json = page.getByLabel("Request (JSON, as the service's own API takes it)");
    await expect(json).toHaveValue(/EPSG:4326/);
    // one request per run and project, so that asking is new the first time
    const asked = { ...(JSON.parse(await json.inputValue()) as object), label: `${test.info().project.name}-${Date.now()}` };
    await json.fill(JSON.stringify(asked, null, 2));
    await screenshot(page, `31-copernicus-catalogue-down-${test.info().project.name}`);
    await checkAccessibility(page, "the Copernicus page with its catalogue down");
    await page.getByRole("button", { name: "Request", exact: true }).click();
    await expect(page.getByRole("status").filter({ hasText: "Requested clc-2018" })).toBeVisible();
    const row = page.getByTestId("copernicus-request").filter({ hasText: "CLMS · clc-2018" }).first();
    await expect(row).toBeVisible();
    // asked again, it is the same request, and the page says so
    await page.getByRole("button", { name: "Request", exact: true }).click();
    await expect(page.getByRole("status").filter({ hasText: "You asked for exactly this already" })).toBeVisible();
    await expect(page.locator("tr.joined")).toHaveCount(1);
    // the catalogue back, Retry lists it
    await control(false);
    await down.getByRole("button", { name: "Retry the catalogue" }).click();
    await expect(down).toHaveCount(0);
    await expect(page.getByLabel("Dataset", { exact: true })).toBeVisible();
  } finally {
    await control(false);
  }
});
