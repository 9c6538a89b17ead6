// A real Chromium (Debian's, at /usr/bin/chromium) driven by playwright-core, for the console's tests.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** The browser the tests drive (`.ci/run` installs Debian's chromium). */
export const CHROMIUM = process.env.MYAGENT_CHROMIUM ?? '/usr/bin/chromium';

/** True when the browser is there; the console tests skip (and say so) otherwise. */
export const hasChromium = existsSync(CHROMIUM);

/** Where the tests leave a screenshot of each main page (gitignored; CI keeps them as artefacts). */
export const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** The built console the daemon serves. */
export const CONSOLE_INDEX = fileURLToPath(new URL('../../dist/console/index.html', import.meta.url));

/** A headless browser with a fresh profile, removed on close. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'myagent-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
    viewport: { width: 1280, height: 860 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot under {@link SCREENSHOTS}. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
