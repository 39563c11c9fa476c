import { writeFileSync } from "node:fs";
import { checkAccessibility, expect, newFolder, screenshot, seed, folderUrl, signIn, test, toasts } from "./support";

test("every action says what it did, can be undone, and refusals read as sentences with their code", { tag: "@phone" }, async ({ page }, info) => {
  await signIn(page, "alice", folderUrl(seed.top.id));
  await newFolder(page, `feedback-${Date.now()}`);
  await page.getByRole("button", { name: "New folder" }).click();
  await page.getByLabel("Name of the new folder").fill("inbox");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(toasts(page)).toContainText("Folder inbox created.");
  const source = info.outputPath("plan.txt");
  writeFileSync(source, "floor plan\n");
  const other = info.outputPath("notes.txt");
  writeFileSync(other, "notes\n");
  await page.getByTestId("upload-input").setInputFiles([source, other]);
  await expect(page.getByRole("link", { name: "File: plan.txt" })).toBeVisible();
  await expect(page.getByRole("link", { name: "File: notes.txt" })).toBeVisible();

  // rename, seen and undone
  await page.getByRole("button", { name: "Rename plan.txt", exact: true }).click();
  const rename = page.getByRole("dialog", { name: "Rename “plan.txt”" });
  await rename.getByLabel("New name").fill("plan-v2.txt");
  await rename.getByRole("button", { name: "Rename" }).click();
  const renamed = page.getByTestId("toast").filter({ hasText: "plan.txt renamed to plan-v2.txt." });
  await expect(renamed).toBeVisible();
  await screenshot(page, "20-toast-undo");
  await checkAccessibility(page, "a toast with Undo");
  await renamed.getByRole("button", { name: "Undo" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Undone." })).toBeVisible();
  await expect(page.getByRole("link", { name: "File: plan.txt" })).toBeVisible();

  // move, undone
  await page.getByRole("button", { name: "Move plan.txt", exact: true }).click();
  const move = page.getByRole("dialog", { name: "Move “plan.txt”" });
  await move.getByRole("button", { name: "▸ inbox" }).click();
  await move.getByRole("button", { name: "Move into “inbox”" }).click();
  await expect(page.getByRole("link", { name: "File: plan.txt" })).toHaveCount(0);
  await page.getByTestId("toast").filter({ hasText: "plan.txt moved to inbox." }).getByRole("button", { name: "Undo" }).click();
  await expect(page.getByRole("link", { name: "File: plan.txt" })).toBeVisible();

  // trash, pending while the API works, then undone
  await page.route("**/graphql", async (route) => {
    if ((route.request().postData() ?? "").includes("DeleteFile")) await new Promise((done) => setTimeout(done, 800));
    await route.continue();
  });
  await page.getByRole("button", { name: "Move plan.txt to the trash" }).click();
  await expect(page.getByRole("button", { name: "Move plan.txt to the trash" })).toHaveText("Working…");
  await expect(page.getByRole("button", { name: "Move plan.txt to the trash" })).toBeDisabled();
  await expect(page.getByRole("link", { name: "File: plan.txt" })).toHaveCount(0);
  await page.unroute("**/graphql");
  await page
    .getByTestId("toast")
    .filter({ hasText: "plan.txt moved to the trash." })
    .getByRole("button", { name: "Undo" })
    .click();
  await expect(page.getByRole("link", { name: "File: plan.txt" })).toBeVisible();

  // a refusal is a sentence, with the code kept for support (never the bare code)
  await page.getByRole("button", { name: "Rename plan.txt", exact: true }).click();
  await rename.getByLabel("New name").fill("NOTES.TXT");
  await rename.getByRole("button", { name: "Rename" }).click();
  await expect(rename.getByRole("alert")).toHaveText(
    "Something in this folder already has that name (names ignore case). Pick another name. Code for support: NAME_TAKEN.",
  );
});
