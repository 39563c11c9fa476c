// What every catalogue test shares: the seeded data, signing in through Keycloak's own form,
// axe-core on each page, and screenshots for people to look at.
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";

export { expect };

/** Every page of a test's context reports what the catalogue's Content-Security-Policy refused; one refusal
 * on Strata's own pages fails the test (Keycloak's pages have their own policy, not ours). */
export const test = base.extend<{ cspRefusals: string[] }>({
  cspRefusals: async ({}, use) => {
    await use([]);
  },
  context: async ({ context, baseURL, cspRefusals }, use) => {
    const ours = new URL(baseURL ?? "http://127.0.0.1:18700").origin;
    await context.exposeBinding("strataCspRefused", ({ frame }, what: string) => {
      if (new URL(frame.url()).origin === ours) cspRefusals.push(`${frame.url()}: ${what}`);
    });
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) => {
        const report = (window as unknown as { strataCspRefused?: (what: string) => void }).strataCspRefused;
        report?.(`${event.effectiveDirective} refused ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
      });
    });
    await use(context);
    expect(cspRefusals, "what the Content-Security-Policy refused").toEqual([]);
  },
});

export interface Seed {
  top: { id: string; name: string };
  levels: { id: string; name: string }[];
  image: { id: string; name: string; sha256: string };
  readings: { id: string; name: string };
  andes: { name: string };
  big: { id: string; name: string; sha256: string };
  errands: { id: string; name: string };
  lonely: { id: string; name: string };
  carolRoot: string;
  copernicus: { live: string; slow: string; clms: string };
}

export const seed: Seed = JSON.parse(readFileSync(process.env.STRATA_SEED ?? "seed.json", "utf8")) as Seed;

export const folderUrl = (id: string) => `/folders/${encodeURIComponent(id)}`;
export const fileUrl = (id: string) => `/files/${encodeURIComponent(id)}`;

export async function signIn(page: Page, who: string, landing = "/"): Promise<void> {
  await page.goto(landing);
  await page.waitForURL(/\/realms\/strata\/protocol\/openid-connect\/auth/);
  await page.locator("#username").fill(who);
  await page.locator("#password").fill(`${who}-pass`);
  await page.locator("#kc-login").click();
  await expect(page.getByTestId("signed-in-as")).toBeVisible();
}

export async function checkAccessibility(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const grave = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    grave.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join("; ")}`),
    `accessibility of ${what}`,
  ).toEqual([]);
}

/** The toasts an action leaves at the foot of the window. */
export const toasts = (page: Page) => page.getByRole("log", { name: "Notifications" });

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

export async function newFolder(page: Page, name: string): Promise<void> {
  await page.getByRole("button", { name: "New folder" }).click();
  await page.getByLabel("Name of the new folder").fill(name);
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("link", { name: `Folder: ${name}` }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}
