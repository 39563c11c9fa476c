import { type Page } from "@playwright/test";
import { checkAccessibility, expect, fileUrl, folderUrl, screenshot, seed, signIn, test } from "./support";

// Every page at the project's width (1280 px, a phone's 390 px, and 1280 px at 200 % zoom): nothing
// wider than the window, every control a finger can hit, axe clean.
const PAGES: [string, () => string][] = [
  ["home", () => "/"],
  ["folder", () => folderUrl(seed.levels[2]!.id)],
  ["file", () => fileUrl(seed.image.id)],
  ["search", () => "/search?name=thermal"],
  ["shared", () => "/shared"],
  ["copernicus", () => "/copernicus"],
  ["trash", () => "/trash"],
];

async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

// Visible controls smaller than 44 x 44 CSS pixels on a touch screen (WCAG 2.5.5's size).
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>("main button, main a[href], main label.button, header a, header button"))
      .filter((element) => {
        const box = element.getBoundingClientRect();
        const hidden = box.width === 0 || getComputedStyle(element).visibility === "hidden";
        return !hidden && !element.closest(".visually-hidden") && (box.height < 44 || box.width < 44);
      })
      .map((element) => `${element.tagName.toLowerCase()} “${(element.textContent ?? "").trim().slice(0, 30)}” ${Math.round(element.getBoundingClientRect().width)}x${Math.round(element.getBoundingClientRect().height)}`),
  );
}

test("every page fits the window, with targets a finger can hit", { tag: "@layout" }, async ({ page }, info) => {
  const narrow = (page.viewportSize()?.width ?? 1280) < 800;
  await signIn(page, "alice");
  for (const [name, url] of PAGES) {
    await page.goto(url());
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await page.waitForLoadState("networkidle");
    expect(await overflow(page), `${name} scrolls sideways at ${page.viewportSize()?.width} px`).toBeLessThanOrEqual(0);
    if (narrow) expect(await smallTargets(page), `small targets on ${name}`).toEqual([]);
    await checkAccessibility(page, `the ${name} page at ${page.viewportSize()?.width} px`);
    await screenshot(page, `layout-${info.project.name}-${name}`);
  }
});
