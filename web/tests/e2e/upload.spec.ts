import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Page, type Route } from "@playwright/test";
import { checkAccessibility, expect, folderUrl, newFolder, screenshot, seed, signIn, test } from "./support";

const MiB = 1024 * 1024;
const isPartPut = (route: Route) => route.request().method() === "PUT" && route.request().url().includes("partNumber=");

// Counts the part PUTs the page sends to the store from now on.
async function countPartPuts(page: Page): Promise<() => number> {
  let sent = 0;
  await page.route(
    (url) => url.port === "19000",
    async (route) => {
      if (isPartPut(route)) sent++;
      await route.continue();
    },
  );
  return () => sent;
}

test("a 64 MiB upload by the file chooser survives the page dying and resumes with only the missing parts", async ({
  page,
  context,
}, info) => {
  const source = info.outputPath("thermal-mosaic.bin");
  const bytes = randomBytes(64 * MiB);
  writeFileSync(source, bytes);
  const sha = createHash("sha256").update(bytes).digest("hex");
  const name = `uploads-${Date.now()}`;
  await signIn(page, "alice", folderUrl(seed.top.id));
  await newFolder(page, name);
  const here = page.url();
  const usedBefore = await page.getByTestId("usage").textContent();
  expect(usedBefore).toMatch(/used/);

  // Slow parts down so the page can be closed with some parts stored and others not.
  let stored = 0;
  await page.route(
    (url) => url.port === "19000",
    async (route) => {
      if (!isPartPut(route)) return route.continue();
      await new Promise((resolve) => setTimeout(resolve, 700));
      const response = await route.fetch();
      if (response.status() === 200) stored++;
      await route.fulfill({ response });
    },
  );
  await page.getByTestId("upload-input").setInputFiles(source);
  await expect(page.getByTestId("upload")).toBeVisible();
  await screenshot(page, "10-uploading");
  await expect.poll(() => stored, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
  await page.close({ runBeforeUnload: false });

  // when: the person comes back and picks the same file again
  const again = await context.newPage();
  const sent = await countPartPuts(again);
  await again.goto(here);
  await expect(again.getByTestId("signed-in-as")).toBeVisible();
  await expect(again.getByTestId("unfinished")).toContainText("thermal-mosaic.bin");
  await again.getByTestId("upload-input").setInputFiles(source);
  const job = again.getByTestId("upload");
  await expect(job).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  // then: only the parts the store did not hold were sent (8 MiB parts: 8 in all)
  const resumed = Number(/resumed: (\d+) of 8 parts/.exec((await again.content()) ?? "")?.[1] ?? "-1");
  expect(resumed).toBeGreaterThanOrEqual(3);
  expect(sent()).toBe(8 - resumed);
  // the organization's storage shown beside the uploads has grown by the file
  await expect(again.getByTestId("usage")).not.toHaveText(usedBefore!);
  await screenshot(again, "11-uploaded");
  await checkAccessibility(again, "the folder with its upload panel");

  // and the file that arrived is the file that was picked
  await job.getByRole("link", { name: "Open" }).click();
  const [download] = await Promise.all([
    again.waitForEvent("download"),
    again.getByRole("button", { name: "Parallel download with checksum check" }).click(),
  ]);
  const saved = await download.path();
  expect(createHash("sha256").update(readFileSync(saved!)).digest("hex")).toBe(sha);
});

test("a part corrupted in flight is refused by the store and sent again", async ({ page }, info) => {
  const source = info.outputPath("sensor-export.csv");
  writeFileSync(source, randomBytes(10 * MiB));
  await signIn(page, "alice", folderUrl(seed.top.id));
  await newFolder(page, `corrupt-${Date.now()}`);
  const attempts: number[] = [];
  const answers: number[] = [];
  await page.route(
    (url) => url.port === "19000",
    async (route) => {
      if (!isPartPut(route)) return route.continue();
      const part = Number(new URL(route.request().url()).searchParams.get("partNumber"));
      attempts.push(part);
      const body = route.request().postDataBuffer();
      if (part === 2 && attempts.filter((p) => p === 2).length === 1 && body) {
        body[0] = body[0]! ^ 0xff;
        const response = await route.fetch({ postData: body });
        answers.push(response.status());
        return route.fulfill({ response });
      }
      const response = await route.fetch();
      answers.push(response.status());
      await route.fulfill({ response });
    },
  );
  await page.getByTestId("upload-input").setInputFiles(source);
  await expect(page.getByTestId("upload")).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  expect(attempts.filter((p) => p === 2)).toHaveLength(2);
  expect(answers.filter((status) => status >= 400)).toHaveLength(1);
  await expect(page.getByRole("link", { name: "File: sensor-export.csv" })).toBeVisible();
});

test("a new folder's name the API refuses is shown in place", async ({ page }) => {
  await signIn(page, "alice", folderUrl(seed.top.id));
  await page.getByRole("button", { name: "New folder" }).click();
  await page.getByLabel("Name of the new folder").fill(seed.levels[0]!.name);
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("alert")).toContainText(/already|taken/i);
  await screenshot(page, "12-new-folder-refused");
  await checkAccessibility(page, "the new-folder form with its refusal");
});

// An operating system's drag carries paths, folders among them; Chromium makes directory entries of
// those, which is what a drop from a file manager gives the page. CDP's drag events do the same.
async function dropPaths(page: Page, paths: string[], on: string): Promise<void> {
  const box = (await page.getByTestId(on).boundingBox())!;
  const at = { x: box.x + box.width / 2, y: box.y + Math.min(box.height / 2, 40) };
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  for (const type of ["dragEnter", "dragOver", "drop"] as const) await cdp.send("Input.dispatchDragEvent", { type, ...at, data });
  await cdp.detach();
}

test("a folder tree dropped on a folder arrives with its tree, empty folders included", async ({ page }, info) => {
  // given: survey/ with a file, a nested folder with two files, and an empty folder
  const survey = info.outputPath("survey");
  mkdirSync(join(survey, "flight-1", "raw"), { recursive: true });
  mkdirSync(join(survey, "notes"), { recursive: true });
  const contents: Record<string, Buffer> = {
    "survey/manifest.json": Buffer.from('{"flights": 1}'),
    "survey/flight-1/raw/frame-0001.tif": randomBytes(300_000),
    "survey/flight-1/raw/frame-0002.tif": randomBytes(200_000),
  };
  for (const [path, bytes] of Object.entries(contents)) writeFileSync(join(info.outputPath(), path), bytes);
  await signIn(page, "alice", folderUrl(seed.top.id));
  await newFolder(page, `drops-${Date.now()}`);
  const here = page.url();

  // when: the folder is dropped on the page
  await dropPaths(page, [survey], "dropzone");

  // then: every file is uploaded into its own folder
  const jobs = page.getByTestId("upload");
  await expect(jobs).toHaveCount(3);
  for (const job of await jobs.all()) await expect(job).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  await page.getByRole("link", { name: "Folder: survey" }).click();
  await expect(page.getByRole("link", { name: "Folder: flight-1" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Folder: notes" })).toBeVisible();
  await expect(page.getByRole("link", { name: "File: manifest.json" })).toBeVisible();
  await page.getByRole("link", { name: "Folder: flight-1" }).click();
  await page.getByRole("link", { name: "Folder: raw" }).click();
  await expect(page.getByRole("link", { name: /^File: frame-000[12]\.tif$/ })).toHaveCount(2);
  await screenshot(page, "14-folder-dropped");

  // and the bytes that arrived are the bytes dropped
  await page.getByRole("link", { name: "File: frame-0001.tif" }).click();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Parallel download with checksum check" }).click(),
  ]);
  expect(readFileSync((await download.path())!).equals(contents["survey/flight-1/raw/frame-0001.tif"]!)).toBe(true);

  // when: the same folder is dropped again, one of its files changed meanwhile
  writeFileSync(join(survey, "manifest.json"), '{"flights": 2}');
  await page.goto(here); // a new page load: the list of uploads starts empty
  await expect(page.getByTestId("dropzone")).toBeVisible();
  const puts = await countPartPuts(page);
  await dropPaths(page, [survey], "dropzone");

  // then: it goes into the folders already there; files that arrived whole are not sent again,
  // and the changed one is refused by name, with the reason
  await expect(jobs).toHaveCount(3);
  const unchanged = jobs.filter({ hasText: "already here with the same content" });
  await expect(unchanged).toHaveCount(2);
  await expect(jobs.filter({ hasText: "manifest.json" }).getByRole("alert")).toContainText("already has that name");
  expect(puts()).toBe(0);
  await expect(page.getByRole("link", { name: /^Folder: survey/ })).toHaveCount(1);
  await screenshot(page, "16-folder-dropped-again");
  await checkAccessibility(page, "the uploads of a tree dropped again");

  // and the changed file can be kept beside the one there, as a numbered copy
  await page.getByRole("button", { name: "Keep both: upload manifest.json as a copy" }).click();
  await expect(jobs.filter({ hasText: "manifest (1).json" })).toHaveAttribute("data-state", "done");
  expect(puts()).toBe(1);
  await page.getByRole("link", { name: "Folder: survey" }).click();
  await expect(page.getByRole("link", { name: /^File: manifest( \(1\))?\.json$/ })).toHaveCount(2);
});

test("a folder picked with its details: the tree arrives and every file carries the metadata set before", async ({ page }, info) => {
  // given: a folder on disk, and details chosen before anything is sent
  const sensors = info.outputPath("sensors");
  mkdirSync(join(sensors, "roof"), { recursive: true });
  writeFileSync(join(sensors, "readme.txt"), "IoT export, 15 min readings\n");
  writeFileSync(join(sensors, "roof", "temperature.csv"), "time,celsius\n2026-07-01T00:00Z,21.5\n");
  await signIn(page, "alice", folderUrl(seed.top.id));
  await newFolder(page, `described-${Date.now()}`);
  await page.getByRole("button", { name: "Details for uploads" }).click();
  const details = page.getByRole("dialog", { name: /^Details for files uploaded to/ });
  await details.getByLabel("Advanced: edit as JSON").check();
  await details.getByLabel("Metadata (JSON)").fill('{"campaign": "heatwave-2026", "building": "B12"}');
  await details.getByLabel("Provenance (JSON").fill('{"sourceKind": "IOT", "sensorId": "roof-station-7"}');
  await checkAccessibility(page, "the upload details dialog");
  await screenshot(page, "17-upload-details");
  await details.getByRole("button", { name: "Use for the next uploads" }).click();
  await expect(page.getByTestId("upload-details")).toContainText("carry the metadata and provenance");

  // when: the folder is picked (the keyboard's way to what a drop does)
  await page.getByTestId("upload-folder-input").setInputFiles(sensors);

  // then: the tree is there and each file was created with the details
  const jobs = page.getByTestId("upload");
  await expect(jobs).toHaveCount(2);
  for (const job of await jobs.all()) await expect(job).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  await screenshot(page, "15-folder-picked-with-details");
  await page.getByRole("link", { name: "Folder: sensors" }).click();
  await page.getByRole("link", { name: "Folder: roof" }).click();
  await page.getByRole("link", { name: "File: temperature.csv" }).click();
  await expect(page.getByText("heatwave-2026")).toBeVisible();
  await expect(page.getByTestId("source-kind")).toHaveText("iot");
  // where it comes from, as a chain with links to what shares each step
  const lineage = page.getByTestId("lineage");
  await expect(lineage).toContainText("Source a sensor (IoT)");
  await expect(lineage).toContainText("Sensor roof-station-7");
  await lineage.getByRole("link", { name: "files of this sensor" }).click();
  await expect(page).toHaveURL(/\/search\?sensor=roof-station-7/);
  await expect(page.getByRole("link", { name: "File: temperature.csv" })).toBeVisible();
});

test("details the API refuses fail the upload with its reason, before any byte is sent", async ({ page }, info) => {
  const source = info.outputPath("scan.ifc");
  writeFileSync(source, "ISO-10303-21;\n");
  await signIn(page, "alice", folderUrl(seed.top.id));
  await newFolder(page, `refused-details-${Date.now()}`);
  const puts = await countPartPuts(page);
  await page.getByRole("button", { name: "Details for uploads" }).click();
  const details = page.getByRole("dialog", { name: /^Details for files uploaded to/ });
  // valid JSON, but an area whose south lies north of its north (the form would not send it)
  await details.getByLabel("Advanced: edit as JSON").check();
  await details.getByLabel("Provenance (JSON").fill('{"bbox": {"west": 2, "south": 49, "east": 3, "north": 48}}');
  await details.getByRole("button", { name: "Use for the next uploads" }).click();
  await page.getByTestId("upload-input").setInputFiles(source);
  const job = page.getByTestId("upload");
  await expect(job).toHaveAttribute("data-state", "failed");
  await expect(job.getByRole("alert")).toContainText(/south|north|bbox|area/i);
  expect(puts()).toBe(0);
  await page.getByRole("button", { name: "Clear", exact: true }).click();
  await expect(page.getByTestId("upload-details")).toHaveCount(0);
});

test("forty small files picked at once start and finish in a few shared requests, and all are listed", async ({ page }, info) => {
  const name = `small-${Date.now()}`;
  await signIn(page, "alice", folderUrl(seed.top.id));
  await newFolder(page, name);
  const sources = Array.from({ length: 40 }, (_, n) => {
    const path = info.outputPath(`reading-${String(n).padStart(2, "0")}.csv`);
    writeFileSync(path, `t,kwh\n${n},${randomBytes(2000).toString("hex")}\n`);
    return path;
  });
  const operations: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST" && request.url().endsWith("/graphql")) {
      operations.push(String((request.postDataJSON() as { operationName?: string }).operationName));
    }
  });
  const signing = await countPartPuts(page);
  await page.getByTestId("upload-input").setInputFiles(sources);
  await expect(page.getByText("Uploads (40 of 40 done)")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole("link", { name: /^File: reading-\d\d\.csv$/ })).toHaveCount(40);
  // one PUT per file, and no request per file for starting, signing or finishing it
  expect(signing()).toBe(40);
  const count = (operation: string) => operations.filter((o) => o === operation).length;
  for (const batched of ["CreateUploads", "CompleteUploads"]) {
    expect(count(batched), batched).toBeGreaterThan(0);
    expect(count(batched), batched).toBeLessThanOrEqual(10);
  }
  expect(count("PartUrls") + count("CreateUpload") + count("CompleteUpload")).toBe(0);
  // while they ran the page read its listing at most about once a second, not once per file
  expect(count("FolderPage")).toBeLessThan(20);
  await screenshot(page, "13-forty-small-files");
});
