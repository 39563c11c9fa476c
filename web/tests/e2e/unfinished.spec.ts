import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { type Page } from "@playwright/test";
import { checkAccessibility, expect, folderUrl, newFolder, screenshot, seed, signIn, test, toasts } from "./support";

const MiB = 1024 * 1024;

// Starts uploading ``source``, lets ``parts`` parts into the store and no other, then lets the page die.
async function stopMidway(page: Page, source: string, parts: number): Promise<void> {
  let allowed = parts;
  let stored = 0;
  await page.route(
    (url) => url.port === "19000",
    async (route) => {
      if (route.request().method() !== "PUT") return route.continue();
      if (allowed <= 0) return route.abort("connectionfailed");
      allowed--;
      const response = await route.fetch();
      if (response.status() === 200) stored++;
      await route.fulfill({ response });
    },
  );
  await page.getByTestId("upload-input").setInputFiles(source);
  await expect.poll(() => stored, { timeout: 60_000 }).toBe(parts);
  await page.close({ runBeforeUnload: false });
}

test("an upload stopped on one device is shown everywhere, resumed on another, and cancelled by an admin", async ({ browser }, info) => {
  const survey = info.outputPath("roof-survey.bin");
  writeFileSync(survey, randomBytes(24 * MiB)); // three parts of 8 MiB
  const scan = info.outputPath("facade-scan.bin");
  writeFileSync(scan, randomBytes(24 * MiB));

  // given: alice's laptop dies with part of the survey stored
  const laptop = await browser.newContext();
  const first = await laptop.newPage();
  await signIn(first, "alice", folderUrl(seed.top.id));
  await newFolder(first, `elsewhere-${Date.now()}`);
  const here = new URL(first.url()).pathname;
  await stopMidway(first, survey, 1);

  // when: she opens the folder on her phone, which remembers nothing of it
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const device = await phone.newPage();
  await signIn(device, "alice", here);
  const row = device.getByTestId("unfinished-upload").filter({ hasText: "roof-survey.bin" });
  await expect(row).toContainText("started by Alice Example");
  await expect(row).toContainText(/MiB of 24 MiB stored/);
  await screenshot(device, "40-unfinished-upload-phone");
  await checkAccessibility(device, "a folder with an unfinished upload, on a phone");
  // a different file is refused, with what to pick
  await row.getByTestId("resume-roof-survey.bin").setInputFiles(scan);
  await expect(device.getByRole("alert")).toContainText("That is not the file of this upload: pick roof-survey.bin (24 MiB).");
  // the same file goes on from what is stored
  let sent = 0;
  await device.route(
    (url) => url.port === "19000",
    async (route) => {
      if (route.request().method() === "PUT") sent++;
      await route.continue();
    },
  );
  await row.getByTestId("resume-roof-survey.bin").setInputFiles(survey);
  await expect(device.getByTestId("upload")).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  const resumed = Number(/resumed: (\d+) of 3 parts/.exec(await device.content())?.[1] ?? "-1");
  expect(resumed).toBeGreaterThanOrEqual(1);
  expect(sent).toBe(3 - resumed);
  await expect(device.getByRole("link", { name: "File: roof-survey.bin" })).toBeVisible();
  await expect(device.getByTestId("unfinished-upload")).toHaveCount(0);

  // and a scan left midway is cancelled by bob, an admin, who may not resume it
  await stopMidway(device, scan, 1);
  const office = await browser.newContext();
  const bob = await office.newPage();
  await signIn(bob, "bob", here);
  const left = bob.getByTestId("unfinished-upload").filter({ hasText: "facade-scan.bin" });
  await expect(left).toContainText("started by Alice Example");
  await expect(left.getByText(/^Resume/)).toHaveCount(0);
  bob.once("dialog", (dialog) => void dialog.accept());
  await left.getByRole("button", { name: "Cancel the upload of facade-scan.bin" }).click();
  await expect(toasts(bob)).toContainText("The upload of facade-scan.bin is cancelled");
  await expect(bob.getByTestId("unfinished-upload")).toHaveCount(0);
  await expect(bob.getByRole("link", { name: "File: facade-scan.bin" })).toHaveCount(0);
  await Promise.all([laptop.close(), phone.close(), office.close()]);
});
