import { writeFileSync } from "node:fs";
import { type Page } from "@playwright/test";
import { checkAccessibility, expect, folderUrl, newFolder, screenshot, seed, signIn, test, toasts } from "./support";

async function folderHere(page: Page, name: string): Promise<void> {
  await page.getByRole("button", { name: "New folder" }).click();
  await page.getByLabel("Name of the new folder").fill(name);
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("link", { name: `Folder: ${name}` })).toBeVisible();
}

test("rename, move by the picker and by dragging, metadata; refusals shown in place", async ({ page }, info) => {
  await signIn(page, "alice", folderUrl(seed.top.id));
  await newFolder(page, `organise-${Date.now()}`);
  // A new folder says it is empty and how to fill it.
  await expect(page.getByTestId("empty-list")).toHaveText(
    "This folder is empty. Drop files or folders here, or use Upload files.",
  );
  await folderHere(page, "a");
  await folderHere(page, "b");
  const source = info.outputPath("notes.txt");
  writeFileSync(source, "roof north\n");
  await page.getByTestId("upload-input").setInputFiles(source);
  await expect(page.getByRole("link", { name: "File: notes.txt" })).toBeVisible();

  // rename, and a name the API refuses shown in the dialog
  await page.getByRole("button", { name: "Rename notes.txt", exact: true }).click();
  const rename = page.getByRole("dialog", { name: "Rename “notes.txt”" });
  await rename.getByLabel("New name").fill("north/south.txt");
  await rename.getByRole("button", { name: "Rename" }).click();
  await expect(rename.getByRole("alert")).toBeVisible();
  await checkAccessibility(page, "the rename dialog with its refusal");
  await rename.getByLabel("New name").fill("notes-2026.txt");
  await rename.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByRole("link", { name: "File: notes-2026.txt" })).toBeVisible();

  // move with the folder picker
  await page.getByRole("button", { name: "Move notes-2026.txt", exact: true }).click();
  const move = page.getByRole("dialog", { name: "Move “notes-2026.txt”" });
  await move.getByRole("button", { name: "▸ a" }).click();
  await move.getByRole("button", { name: "Move into “a”" }).click();
  await expect(page.getByRole("link", { name: "File: notes-2026.txt" })).toHaveCount(0);
  await expect(toasts(page)).toContainText("moved to a");

  // drag folder b onto folder a
  const row = (name: string) =>
    page.locator('tr[data-kind="folder"]').filter({ has: page.getByRole("link", { name: `Folder: ${name}`, exact: true }) });
  await row("b").dragTo(row("a"));
  await expect(page.getByRole("link", { name: "Folder: b" })).toHaveCount(0);
  await page.getByRole("link", { name: "Folder: a" }).click();
  await expect(page.getByRole("link", { name: "Folder: b" })).toBeVisible();
  await expect(page.getByRole("link", { name: "File: notes-2026.txt" })).toBeVisible();
  await screenshot(page, "13-organised");

  // metadata and provenance as a form, checked as typed; the JSON behind "Advanced"
  await page.getByRole("link", { name: "File: notes-2026.txt" }).click();
  await page.getByRole("button", { name: "Edit metadata" }).click();
  const meta = page.getByRole("dialog", { name: "Metadata of “notes-2026.txt”" });
  await meta.getByLabel("Source").selectOption("DRONE");
  await meta.getByLabel("Sensor").fill("flir-vue-640");
  await meta.getByLabel("Longitude").fill("-0.97");
  await meta.getByLabel("Latitude").fill("95");
  await expect(meta.getByText("Latitude is between -90 and 90.")).toBeVisible();
  await meta.getByLabel("Latitude").fill("51.45");
  await expect(meta.getByText("Latitude is between -90 and 90.")).toHaveCount(0);
  await meta.getByRole("button", { name: "Add a field" }).click();
  await meta.getByLabel("Name of field 1").fill("roof");
  await meta.getByLabel("Value of field 1").fill("north");
  await meta.getByRole("button", { name: "Add a field" }).click();
  await meta.getByLabel("Name of field 2").fill("floors");
  await meta.getByLabel("Kind of field 2").selectOption("number");
  await meta.getByLabel("Value of field 2").fill("three");
  await expect(meta.getByText("A number, such as 12 or 3.5.")).toBeVisible();
  await meta.getByLabel("Value of field 2").fill("3");
  await meta.getByRole("button", { name: "Add a field" }).click();
  await meta.getByLabel("Name of field 3").fill("inspector");
  await meta.getByLabel("Value of field 3").fill("A. Chen");
  // the same values as JSON, and back to the form
  await meta.getByLabel("Advanced: edit as JSON").check();
  await expect(meta.getByLabel("Metadata (JSON)")).toHaveValue(/"floors": 3/);
  await meta.getByLabel("Advanced: edit as JSON").uncheck();
  await expect(meta.getByLabel("Name of field 3")).toHaveValue("inspector");
  await checkAccessibility(page, "the metadata form");
  await screenshot(page, "15-metadata-form");
  await meta.getByRole("button", { name: "Save" }).click();
  await expect(toasts(page)).toContainText("Metadata of notes-2026.txt saved");
  await expect(page.getByText("A. Chen")).toBeVisible();
  await expect(page.getByTestId("lineage")).toContainText("Sensor flir-vue-640");
});

test("several items selected are downloaded, moved and trashed at once", { tag: "@phone" }, async ({ page }, info) => {
  await signIn(page, "alice", folderUrl(seed.top.id));
  await newFolder(page, `bulk-${info.project.name}-${Date.now()}`);
  await folderHere(page, "target");
  const sources = ["one.txt", "two.txt", "three.txt"].map((name) => {
    const source = info.outputPath(name);
    writeFileSync(source, `${name}\n`);
    return source;
  });
  await page.getByTestId("upload-input").setInputFiles(sources);
  for (const name of ["one.txt", "two.txt", "three.txt"]) {
    await expect(page.getByRole("link", { name: `File: ${name}` })).toBeVisible();
  }
  // one row's details beside the list, without leaving the folder; Escape gives focus back
  await page.getByRole("button", { name: "Details of three.txt" }).click();
  const panel = page.getByRole("complementary", { name: "Details of three.txt" });
  await expect(panel).toContainText("text/plain");
  await expect(panel.getByRole("link", { name: "Open the file" })).toBeVisible();
  await checkAccessibility(page, "the details panel");
  await screenshot(page, "14-details-panel");
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Details of three.txt" })).toBeFocused();
  // two files picked: the bar says so and offers what may be done to both
  await page.getByRole("checkbox", { name: "Select one.txt" }).check();
  await page.getByRole("checkbox", { name: "Select two.txt" }).check();
  const bar = page.getByRole("region", { name: "Selected items" });
  await expect(bar).toContainText("2 items selected");
  await checkAccessibility(page, "a folder with items selected");
  await screenshot(page, "14-selection");
  // both downloaded by the browser, each under its own name
  const saved: string[] = [];
  page.on("download", (download) => saved.push(download.suggestedFilename()));
  await bar.getByRole("button", { name: "Download 2 files" }).click();
  await expect.poll(() => saved.sort()).toEqual(["one.txt", "two.txt"]);
  // moved together into "target"
  await bar.getByRole("button", { name: "Move…" }).click();
  const move = page.getByRole("dialog", { name: "Move 2 items" });
  await move.getByRole("button", { name: "▸ target" }).click();
  await move.getByRole("button", { name: "Move into “target”" }).click();
  await expect(toasts(page)).toContainText("2 items moved to target.");
  await expect(page.getByRole("link", { name: "File: one.txt" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "File: two.txt" })).toHaveCount(0);
  await expect(bar).toHaveCount(0);
  // everything left on the page, to the trash in one go
  await page.getByRole("checkbox", { name: "Select every item on this page" }).check();
  await expect(bar).toContainText("2 items selected");
  await bar.getByRole("button", { name: "Move to the trash" }).click();
  await expect(toasts(page)).toContainText("2 items moved to the trash.");
  await expect(page.getByTestId("empty-list")).toBeVisible();
});
