import { writeFileSync } from "node:fs";
import { checkAccessibility, expect, folderUrl, newFolder, screenshot, seed, signIn, test, toasts } from "./support";

const TERMS = "Cite the Athena Energy survey.\nNo resale of the imagery.";

test("bob shares a folder with carol under terms; she answers on the folder's own page; both pages follow each change live", { tag: "@phone" }, async ({
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
  await expect(dialog.getByTestId("share-row")).toContainText("waiting for them to accept");
  await screenshot(page, "20-share-dialog");
  await checkAccessibility(page, "the share dialog");

  await dialog.getByRole("button", { name: "Close" }).click();
  // the folder's own page lists the share too, for those who manage it
  const panel = page.getByTestId("shared-with");
  await expect(panel.getByTestId("share-row")).toContainText("waiting for them to accept");

  // carol, in a browser of her own, finds it waiting on /shared and follows the link bob sent her
  const carolContext = await browser.newContext();
  const carol = await carolContext.newPage();
  await signIn(carol, "carol", "/shared");
  const offer = carol.getByTestId("pending-share").filter({ hasText: name });
  await expect(offer.getByTestId("terms")).toHaveText(TERMS);
  await expect(offer).toContainText("Licence: CC-BY-4.0");
  await expect(offer).toContainText("For the heat map");
  await screenshot(carol, "21-shared-with-me");
  await checkAccessibility(carol, "shared with me, a share waiting");
  await carol.goto(new URL(folder).pathname);
  await expect(carol.getByRole("heading", { level: 1, name: `“${name}” is shared with you` })).toBeVisible();
  const standing = carol.getByTestId("share-standing");
  await expect(standing).toHaveAttribute("data-state", "pending");
  await expect(standing.getByTestId("terms")).toHaveText(TERMS);
  await screenshot(carol, "22-share-waiting-on-the-item");
  await checkAccessibility(carol, "a folder whose share waits for an answer");
  await standing.getByRole("button", { name: "Accept the terms" }).click();
  // the folder opens in place; bob's page, not reloaded, shows the share active
  await expect(carol.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(carol.getByTestId("share-reason")).toContainText("without the right to share it further");
  await expect(panel.getByTestId("share-row")).toContainText("active");

  // bob revokes from the folder's page; carol's open page says so by itself
  await panel.getByRole("button", { name: /^Revoke the share with (carol@reading-climate\.example|Carol Example)$/ }).click();
  await expect(toasts(page)).toContainText("revoked");
  await expect(panel.getByTestId("no-shares")).toContainText("earlier shares ended");
  await panel.getByText("Audit trail", { exact: true }).click();
  await expect(panel.getByRole("listitem").filter({ hasText: "revoked by Bob Example" })).toBeVisible();
  await screenshot(page, "23-shared-with-after-revoke");
  await expect(carol.getByRole("heading", { level: 1, name: `“${name}” is no longer shared with you` })).toBeVisible();
  await expect(carol.getByTestId("share-standing")).toContainText("revoked by whoever manages it");
  await screenshot(carol, "24-share-revoked-on-the-item");
  await checkAccessibility(carol, "a folder whose share was revoked");
  await carolContext.close();
});

test("a member who may not share is told why and whom to ask", { tag: "@phone" }, async ({ page }) => {
  await signIn(page, "alice", folderUrl(seed.top.id));
  await expect(page.getByRole("heading", { level: 1, name: seed.top.name })).toBeVisible();
  await expect(page.getByRole("button", { name: "Share this folder" })).toHaveCount(0);
  const reason = page.getByTestId("share-reason");
  await expect(reason).toContainText("only admins and owners share");
  await expect(reason.getByRole("link", { name: "Bob Example" })).toHaveAttribute("href", /^mailto:bob@/);
  await screenshot(page, "25-who-to-ask-to-share");
  await checkAccessibility(page, "a folder its member may not share");
});

test("a colleague is suggested while a grantee is typed", { tag: "@phone" }, async ({ page }) => {
  await signIn(page, "bob", folderUrl(seed.top.id));
  await page.getByRole("button", { name: "Share this folder" }).click();
  const dialog = page.getByRole("dialog", { name: `Share “${seed.top.name}”` });
  const address = dialog.getByLabel("E-mail address");
  await address.fill("al");
  const colleagues = dialog.getByRole("list", { name: "Colleagues" });
  await expect(colleagues.getByRole("button", { name: /^Alice Example/ })).toBeVisible();
  await checkAccessibility(page, "grantee suggestions");
  await screenshot(page, "21-grantee-suggestions");
  await colleagues.getByRole("button", { name: /^Alice Example/ }).click();
  await expect(address).toHaveValue(/^alice@/);
  await expect(colleagues).toHaveCount(0);
  // everyone's surname: bob's colleagues are listed, carol (of another organization) never is
  await address.fill("exam");
  await expect(colleagues.getByRole("button", { name: /^Alice Example/ })).toBeVisible();
  await expect(colleagues).not.toContainText("Carol");
});
