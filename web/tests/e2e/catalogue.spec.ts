import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { type Download } from "@playwright/test";
import { checkAccessibility, expect, fileUrl, folderUrl, newFolder, screenshot, seed, signIn, test, toasts } from "./support";

function sha256Of(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

async function savedSha(download: Download): Promise<string> {
  const path = await download.path();
  expect(path, "the download was saved").toBeTruthy();
  return sha256Of(path!);
}

test("the page's policy refuses what it does not allow, and the check hears it", async ({ page, cspRefusals }) => {
  await signIn(page, "alice");
  // An injected inline script and an image from another host: both refused, both reported.
  await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.strataInlineRan = true";
    document.body.append(script);
    const image = document.createElement("img");
    image.src = "https://elsewhere.invalid/pixel.png";
    document.body.append(image);
  });
  await expect.poll(() => cspRefusals.length).toBe(2);
  expect(cspRefusals.join("\n")).toContain("script-src-elem refused inline");
  expect(cspRefusals.join("\n")).toContain("img-src refused https://elsewhere.invalid/pixel.png");
  expect(await page.evaluate(() => (window as unknown as { strataInlineRan?: boolean }).strataInlineRan)).toBeUndefined();
  cspRefusals.length = 0; // seen: the test's own refusals do not fail it
});

test("alice signs in through Keycloak, sees who she is and signs out", async ({ page }) => {
  await signIn(page, "alice");
  await expect(page.getByRole("heading", { name: "Your organizations" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveText("Alice Example");
  await expect(page.getByRole("link", { name: "athena-energy" })).toBeVisible();
  // No token in any URL the page went through.
  expect(page.url()).not.toContain("access_token");
  expect(page.url()).not.toContain("code=");
  await checkAccessibility(page, "the organizations page");
  await screenshot(page, "01-organizations");
  await page.getByRole("button", { name: "Sign out" }).click();
  // Signed out at the identity provider too: the way back in is its login form.
  await expect(page.locator("#username")).toBeVisible();
});

test("browse three levels deep, with breadcrumbs, sorting, deep links and back/forward", { tag: "@phone" }, async ({ page }) => {
  await signIn(page, "alice");
  await page.getByRole("link", { name: "athena-energy" }).click();
  await page.getByRole("link", { name: `Folder: ${seed.top.name}` }).click();
  for (const level of seed.levels) {
    await page.getByRole("link", { name: `Folder: ${level.name}` }).click();
    await expect(page.getByRole("heading", { level: 1, name: level.name })).toBeVisible();
  }
  await expect(page).toHaveURL(new RegExp(`${folderUrl(seed.levels[2]!.id).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
  const crumbs = page.getByRole("navigation", { name: "Breadcrumbs" });
  await expect(crumbs.getByRole("link", { name: "level-2" })).toBeVisible();
  await expect(crumbs.getByRole("link", { name: seed.top.name })).toBeVisible();
  await checkAccessibility(page, "a folder");
  await screenshot(page, "02-folder");

  // Back and forward move between folders.
  await page.goBack();
  await expect(page.getByRole("heading", { level: 1, name: "level-2" })).toBeVisible();
  await page.goForward();
  await expect(page.getByRole("heading", { level: 1, name: "level-3" })).toBeVisible();

  // Sort by size, largest first: the 20 MiB survey leads, and the URL keeps the order.
  await page.getByRole("button", { name: "Size" }).click();
  await page.getByRole("button", { name: /Size/ }).click();
  await expect(page).toHaveURL(/sort=SIZE&dir=DESC/);
  const files = page.locator('tr[data-kind="file"] a.row-link');
  await expect(files.first()).toContainText(seed.big.name);
  await page.reload();
  await expect(files.first()).toContainText(seed.big.name);

  // The keyboard walks the rows, Enter opens one.
  await files.first().focus();
  await page.keyboard.press("ArrowDown");
  await expect(files.nth(1)).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/files\//);

});

test("a file's details, its place on the map and a preview; reload keeps the page", async ({ page }) => {
  await signIn(page, "alice", folderUrl(seed.levels[2]!.id));
  await page.getByRole("link", { name: `File: ${seed.image.name}` }).click();
  await expect(page.getByRole("heading", { level: 1, name: seed.image.name })).toBeVisible();
  await expect(page.getByTestId("source-kind")).toHaveText("drone");
  await expect(page.getByTestId("bbox-text")).toContainText("W -10, S 35, E 30, N 60");
  await expect(page.getByRole("definition").filter({ hasText: /^flir-vue-640$/ })).toBeVisible();
  await expect(page.getByRole("definition").filter({ hasText: /^F-17$/ })).toBeVisible();
  await expect(page.getByTestId("lineage")).toContainText("Sensor flir-vue-640");
  await expect(page.getByTestId("map-bbox")).toHaveCount(1);
  const preview = page.getByRole("img", { name: "Preview of the image" });
  await expect(preview).toBeVisible();
  expect(await preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(96);
  await checkAccessibility(page, "a file's details");
  await screenshot(page, "03-file");
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: seed.image.name })).toBeVisible();

  // A CSV shows its first rows.
  await page.goto(fileUrl(seed.readings.id));
  await expect(page.getByRole("cell", { name: "21.7" })).toBeVisible();
});

test("download: the browser's own, and in parallel ranges with the checksum checked", async ({ page }) => {
  await signIn(page, "alice", fileUrl(seed.big.id));
  await expect(page.getByRole("heading", { level: 1, name: seed.big.name })).toBeVisible();
  const [plain] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download", exact: true }).click(),
  ]);
  expect(plain.suggestedFilename()).toBe(seed.big.name);
  expect(await savedSha(plain)).toBe(seed.big.sha256);

  const [checked] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Parallel download with checksum check" }).click(),
  ]);
  expect(await savedSha(checked)).toBe(seed.big.sha256);
  expect(checked.url()).toContain("/saving/"); // streamed to disk by the service worker, not held whole
  await expect(page.getByTestId("download-outcome")).toContainText("checksum verified");
  await expect(page.getByRole("progressbar", { name: "Download progress" })).toHaveAttribute("value", /\d+/);
  await screenshot(page, "04-download");
});

test.describe("where service workers are not available", () => {
  test.use({ serviceWorkers: "block" });

  test("the checked download keeps the parts in memory and saves the same bytes", async ({ page }) => {
    await signIn(page, "alice", fileUrl(seed.big.id));
    const [checked] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Parallel download with checksum check" }).click(),
    ]);
    expect(await savedSha(checked)).toBe(seed.big.sha256);
    expect(checked.url()).toMatch(/^blob:/); // not streamed: handed over whole
    await expect(page.getByTestId("download-outcome")).toContainText("checksum verified");
  });
});

test("a part corrupted in flight fails the checksum and nothing is saved", async ({ page }) => {
  await signIn(page, "alice", fileUrl(seed.big.id));
  await expect(page.getByRole("heading", { level: 1, name: seed.big.name })).toBeVisible();
  let corrupted = false;
  await page.route(
    (url) => url.port === "19000",
    async (route) => {
      const range = route.request().headers()["range"];
      if (!corrupted && range?.startsWith("bytes=0-")) {
        corrupted = true;
        const response = await route.fetch();
        const body = Buffer.from(await response.body());
        body[0] = body[0]! ^ 0xff;
        await route.fulfill({ response, body });
        return;
      }
      await route.continue();
    },
  );
  // The checked download streams to the browser's downloads as it goes: a mismatch fails it there.
  const started: Download[] = [];
  page.on("download", (download) => started.push(download));
  await page.getByRole("button", { name: "Parallel download with checksum check" }).click();
  await expect(page.getByTestId("download-outcome")).toContainText("Checksum mismatch");
  expect(corrupted).toBe(true);
  for (const download of started) expect(await download.failure(), "a download that was kept").not.toBeNull();
});

test("search by name, by an area drawn on the map, filters kept in the URL", { tag: "@phone" }, async ({ page }) => {
  await signIn(page, "alice", "/search");
  await page.getByLabel("Name contains").fill(seed.readings.name.replace(".csv", ""));
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByRole("link", { name: `File: ${seed.readings.name}` })).toBeVisible();
  await expect(page).toHaveURL(/name=readings/);

  await page.getByRole("button", { name: "Clear" }).click();
  await page.getByLabel("Name contains").fill(seed.top.name);
  // Draw a box over Europe: longitude -20..40, latitude 30..65 on a 360x180 map.
  const map = page.getByRole("img", { name: /drag to draw the search area/ });
  const box = (await map.boundingBox())!;
  const at = (lon: number, lat: number) => [box.x + ((lon + 180) / 360) * box.width, box.y + ((90 - lat) / 180) * box.height] as const;
  await page.mouse.move(...at(-20, 65));
  await page.mouse.down();
  await page.mouse.move(...at(10, 45), { steps: 4 });
  await page.mouse.move(...at(40, 30), { steps: 4 });
  await page.mouse.up();
  await expect(page.getByLabel("Area (west,south,east,north)")).toHaveValue(/^-?\d/);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(/bbox=/);
  await expect(page.getByRole("link", { name: `File: ${seed.image.name}` })).toBeVisible();
  await expect(page.getByRole("link", { name: `File: ${seed.andes.name}` })).toHaveCount(0);
  // the map shows the drawn area and every result's footprint, and zooms to them
  const drawnMap = page.getByRole("img", { name: /results' areas: drag to draw the search area/ });
  await expect(drawnMap.getByTestId("map-area")).toHaveCount(1);
  await expect(drawnMap.getByTestId("map-bbox").first()).toBeAttached();
  const view = page.getByRole("group", { name: "Map view" });
  await expect(view.getByRole("button", { name: "Zoom out" })).toBeDisabled();
  await view.getByRole("button", { name: "Fit the results" }).click();
  await expect(drawnMap).not.toHaveAttribute("viewBox", "0 0 360 180");
  await expect(view.getByRole("button", { name: "Zoom out" })).toBeEnabled();
  await checkAccessibility(page, "search");
  await screenshot(page, "05-search");
  await view.getByRole("button", { name: "Whole world" }).click();
  await expect(drawnMap).toHaveAttribute("viewBox", "0 0 360 180");
  // The URL is the search: reload gives the same results.
  await page.reload();
  await expect(page.getByRole("link", { name: `File: ${seed.image.name}` })).toBeVisible();
});

test("the header's search box searches from any page; Copy link copies the page's address", { tag: "@phone" }, async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, "alice", fileUrl(seed.readings.id));
  await page.getByRole("button", { name: `Copy link to ${seed.readings.name}` }).click();
  await expect(toasts(page)).toContainText(`Link to “${seed.readings.name}” copied.`);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(page.url());
  // From a file's page, the box in the header: the search page opens with those words as its filter.
  const words = seed.readings.name.replace(".csv", "");
  await page.getByRole("search").getByLabel("Search files by name").fill(words);
  await page.getByRole("search").getByLabel("Search files by name").press("Enter");
  await expect(page).toHaveURL(new RegExp(`/search\\?name=${words}`));
  await expect(page.getByRole("link", { name: `File: ${seed.readings.name}` })).toBeVisible();
  await expect(page.getByLabel("Name contains")).toHaveValue(words);
  // a name finds folders too, listed apart
  await page.getByRole("search").getByLabel("Search files by name").fill(seed.levels[2]!.name);
  await page.getByRole("search").getByLabel("Search files by name").press("Enter");
  const folders = page.getByTestId("found-folders");
  await expect(folders.getByRole("link", { name: `Folder: ${seed.levels[2]!.name}` }).first()).toBeVisible();
  await folders.getByRole("link", { name: `Folder: ${seed.levels[2]!.name}` }).first().press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: seed.levels[2]!.name })).toBeVisible();
  await page.goBack();
  await checkAccessibility(page, "search from the header");
  await screenshot(page, "05-header-search");
});

test("a star keeps a file on the home page beside the files touched last", { tag: "@phone" }, async ({ page }, info) => {
  await signIn(page, "alice", folderUrl(seed.top.id));
  await newFolder(page, `kept-${info.project.name}-${Date.now()}`);
  const name = `kept-${info.project.name}.txt`;
  const source = info.outputPath(name);
  writeFileSync(source, "kept\n");
  await page.getByTestId("upload-input").setInputFiles(source);
  await page.getByRole("link", { name: `File: ${name}` }).click();
  const star = page.getByRole("button", { name: "Star", exact: true });
  await expect(star).toHaveAttribute("aria-pressed", "false");
  await star.click();
  await expect(toasts(page)).toContainText(`${name} starred: it is on your home page.`);
  await expect(star).toHaveAttribute("aria-pressed", "true");
  await page.getByRole("link", { name: "Strata home" }).click();
  const starred = page.getByTestId("starred");
  await expect(starred.getByRole("link", { name: `File: ${name}` })).toBeVisible();
  // the file just uploaded is the newest of alice's recent files
  await expect(page.getByTestId("recent").getByRole("link").first()).toHaveText(`File: ${name}`);
  await checkAccessibility(page, "the home page with stars and recent files");
  await screenshot(page, "01-home-kept");
  // by the keyboard, as a starred item is reached from the home page's list
  await starred.getByRole("link", { name: `File: ${name}` }).press("Enter");
  await page.getByRole("button", { name: "Star", exact: true }).click();
  await expect(page.getByRole("button", { name: "Star", exact: true })).toHaveAttribute("aria-pressed", "false");
  await page.getByRole("link", { name: "Strata home" }).click();
  await expect(page.getByTestId("recent").getByRole("link", { name: `File: ${name}` })).toBeVisible();
  await expect(page.getByTestId("starred").getByRole("link", { name: `File: ${name}` })).toHaveCount(0);
});

test("trash and restore; what may not be done is not offered", { tag: "@phone" }, async ({ page }) => {
  await signIn(page, "alice", folderUrl(seed.levels[2]!.id));
  await page.getByRole("button", { name: `Move ${seed.readings.name} to the trash` }).click();
  await expect(page.getByRole("link", { name: `File: ${seed.readings.name}` })).toHaveCount(0);
  await page.getByRole("link", { name: "Trash" }).click();
  const row = page.locator("tr", { hasText: seed.readings.name });
  await expect(row).toBeVisible();
  // alice made the file: she may restore it; only admins delete for good.
  await expect(row.getByRole("button", { name: "Restore" })).toBeVisible();
  // Where it was, as a path one click away, and who deleted it.
  const origin = row.getByTestId("trash-origin").getByRole("link");
  await expect(origin).toHaveText(new RegExp(`/ ${seed.levels[2]!.name}$`));
  await expect(row.getByTestId("trashed-by")).toHaveText("Alice Example");
  await expect(row.getByRole("button", { name: "Delete for good" })).toHaveCount(0);
  await checkAccessibility(page, "the trash");
  await screenshot(page, "06-trash");
  await row.getByRole("button", { name: "Restore" }).click();
  await expect(toasts(page)).toContainText(`${seed.readings.name} restored`);
  await page.goto(folderUrl(seed.levels[2]!.id));
  await expect(page.getByRole("link", { name: `File: ${seed.readings.name}` })).toBeVisible();
});

test("an API refusal shows its own message in place", async ({ page }) => {
  // A file deleted, then the folder it was in: the file cannot come back before its folder.
  await signIn(page, "alice", folderUrl(seed.errands.id));
  await page.getByRole("button", { name: `Move ${seed.lonely.name} to the trash` }).click();
  await expect(page.getByRole("link", { name: `File: ${seed.lonely.name}` })).toHaveCount(0);
  await page.goto(folderUrl(seed.levels[0]!.id));
  await page.getByRole("button", { name: "Move errands to the trash" }).click();
  await expect(page.getByRole("link", { name: "Folder: errands" })).toHaveCount(0);
  await page.goto("/trash");
  await page.locator("tr", { hasText: seed.lonely.name }).getByRole("button", { name: "Restore" }).click();
  await expect(page.getByRole("alert")).toHaveText(
    "The folder it came from is in the trash: restore that folder first, or move this elsewhere. Code for support: PARENT_IN_TRASH.",
  );
  await screenshot(page, "09-refusal");
  // Restoring the folder brings the file's way back.
  await page.locator('tr[data-kind="folder"]', { hasText: "errands" }).getByRole("button", { name: "Restore" }).click();
  await page.locator("tr", { hasText: seed.lonely.name }).getByRole("button", { name: "Restore" }).click();
  await expect(toasts(page)).toContainText(`${seed.lonely.name} restored`);
});

test("an ended session signs in again and comes back to the same page", async ({ page }) => {
  const deep = `${folderUrl(seed.levels[1]!.id)}?sort=UPDATED_AT`;
  await signIn(page, "alice", deep);
  await expect(page.getByRole("heading", { level: 1, name: "level-2" })).toBeVisible();
  // The tokens and the identity provider's session are gone, as after a long absence.
  await page.evaluate(() => window.sessionStorage.clear());
  await page.context().clearCookies();
  await page.reload();
  await page.locator("#username").fill("alice");
  await page.locator("#password").fill("alice-pass");
  await page.locator("#kc-login").click();
  await expect(page.getByRole("heading", { level: 1, name: "level-2" })).toBeVisible();
  expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(deep);
});

test("a lost connection shows a retry, not a white page", async ({ page }) => {
  await signIn(page, "alice");
  await page.route("**/graphql", (route) => route.abort("connectionrefused"));
  await page.goto(folderUrl(seed.levels[0]!.id));
  await expect(page.getByRole("alert").first()).toContainText("The connection to Strata was lost.");
  await screenshot(page, "07-connection-lost");
  await page.unroute("**/graphql");
  await page.locator("main").getByRole("button", { name: "Retry" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "level-1" })).toBeVisible();
});

test("carol, of another organization, cannot reach alice's folder or file by URL", async ({ page }) => {
  await signIn(page, "carol", folderUrl(seed.levels[2]!.id));
  await expect(page.getByRole("heading", { name: "Folder not found" })).toBeVisible();
  await expect(page.getByText(seed.readings.name)).toHaveCount(0);
  await checkAccessibility(page, "a folder that is not found");
  await page.goto(fileUrl(seed.image.id));
  await expect(page.getByRole("heading", { name: "File not found" })).toBeVisible();
  await page.goto("/search?name=" + encodeURIComponent(seed.top.name));
  await expect(page.getByText("No file matches. Loosen a filter, or Clear them all.")).toBeVisible();
  await page.goto("/");
  await expect(page.getByRole("link", { name: "athena-energy" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "reading-climate" })).toBeVisible();
});

test("a mistyped address says not found, and moving to a page puts focus on its heading", { tag: "@phone" }, async ({ page }) => {
  await signIn(page, "alice", folderUrl("not-an-id"));
  await expect(page.getByRole("heading", { level: 1, name: "Folder not found" })).toBeVisible();
  await expect(page.getByText(/GlobalID/)).toHaveCount(0);
  await page.goto(fileUrl(seed.top.id)); // a folder's id where a file's belongs
  await expect(page.getByRole("heading", { level: 1, name: "File not found" })).toBeVisible();
  await expect(page.getByRole("alert")).toHaveCount(0);
  await checkAccessibility(page, "a mistyped file address");
  await page.goto(folderUrl(seed.top.id));
  await page.getByRole("link", { name: `Folder: ${seed.levels[0]!.name}` }).click();
  await expect(page.getByRole("heading", { level: 1, name: seed.levels[0]!.name })).toBeFocused();
});

test("dave, in no organization, is told on the home page where what is shared with him is", { tag: "@phone" }, async ({ page }) => {
  await signIn(page, "dave");
  const told = page.getByTestId("no-organization");
  await expect(told).toContainText("You belong to no organization yet");
  await expect(told).toContainText(/for your answer there\.|Nothing waits for your answer\./);
  await checkAccessibility(page, "the home page of someone in no organization");
  await screenshot(page, "03-home-without-organization");
  await told.getByRole("link", { name: "Shared with me" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Shared with me" })).toBeFocused();
});

test("GraphiQL at /graphql works with no internet: its files come from Strata", async ({ page }) => {
  const outside: string[] = [];
  await page.route(
    (url) => url.hostname !== "127.0.0.1",
    (route) => {
      outside.push(route.request().url());
      return route.abort();
    },
  );
  await page.goto("/graphql");
  await expect(page.locator(".graphiql-container")).toBeVisible();
  expect(outside).toEqual([]);
  await screenshot(page, "08-graphiql");
});
