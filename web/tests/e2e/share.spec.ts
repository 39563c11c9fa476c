import { writeFileSync } from "node:fs";
import { checkAccessibility, expect, folderUrl, newFolder, screenshot, seed, signIn, test } from "./support";

const TERMS = "Cite the Athena Energy survey.\nNo resale of the imagery.";

test("bob shares a folder with carol under terms; she reads them, accepts, reads inside; bob revokes", { tag: "@phone" }, async ({
  page,
  browser,
}, info) => {
  const name = `for-carol-${Date.now()}`;
  await signIn(page, "bob", folderUrl(seed.top.id));
  await newFolder(page, name);
  const folder = page.url();
  const source = info.outputPath("roof-readings.csv");
  writeFileSync(source, "t,kwh\n1,2.5\n");
  await page.getByTestId("upload-input").setInputFiles(source);
  await expect(page.getByTestId("upload")).toHaveAttribute("data-state", "done");

  await page.getByRole("button", { name: "Share this folder" }).click();
  const dialog = page.getByRole("dialog", { name: `Share “${name}”` });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("E-mail address").fill("carol@reading-climate.example");
  await dialog.getByLabel("Terms they must accept first (optional)").fill(TERMS);
  await dialog.getByLabel("Licence (optional)").fill("CC-BY-4.0");
  await dialog.getByLabel("A note for them (optional)").fill("For the heat map");
  await dialog.getByRole("button", { name: "Share", exact: true }).click();
  await expect(dialog.getByRole("status")).toContainText("waits for them to accept");
  await expect(dialog.getByTestId("share-row")).toContainText("pending");
  await screenshot(page, "20-share-dialog");
  await checkAccessibility(page, "the share dialog");

  // carol, in a browser of her own
  const carolContext = await browser.newContext();
  const carol = await carolContext.newPage();
  await signIn(carol, "carol", "/shared");
  const offer = carol.getByTestId("pending-share").filter({ hasText: name });
  await expect(offer.getByTestId("terms")).toHaveText(TERMS);
  await expect(offer).toContainText("Licence: CC-BY-4.0");
  await expect(offer).toContainText("For the heat map");
  await screenshot(carol, "21-shared-with-me");
  await checkAccessibility(carol, "shared with me, a share waiting");
  await offer.getByRole("button", { name: "Accept the terms" }).click();
  await expect(carol.getByRole("status").filter({ hasText: "Accepted" })).toBeVisible();
  await carol.getByRole("link", { name: `Folder: ${name}` }).click();
  await carol.getByRole("link", { name: "File: roof-readings.csv" }).click();
  await expect(carol.getByRole("heading", { level: 1, name: "roof-readings.csv" })).toBeVisible();
  const inside = carol.url();

  // bob revokes; carol's page loses it on the next load
  await dialog.getByRole("button", { name: "Close" }).click();
  await page.goto(folder);
  await page.getByRole("button", { name: "Share this folder" }).click();
  await expect(dialog.getByTestId("share-row")).toContainText("active");
  await expect(dialog.getByRole("listitem").filter({ hasText: "accepted" })).toBeVisible();
  await dialog.getByRole("button", { name: /^Revoke the share with (carol@reading-climate\.example|Carol Example)$/ }).click();
  await expect(dialog.getByRole("status")).toContainText("revoked");
  await expect(dialog.getByTestId("share-row")).toHaveCount(0); // only live shares are listed
  await expect(dialog.getByRole("listitem").filter({ hasText: "revoked by Bob Example" })).toBeVisible();
  await carol.goto(inside);
  await expect(carol.getByRole("heading", { level: 1, name: "File not found" })).toBeVisible();
  await carolContext.close();
});
