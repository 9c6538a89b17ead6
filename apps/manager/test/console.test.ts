// The web console in a real browser (Debian's Chromium via playwright-core) against a real daemon process
// running the example agents: what a user sees and does, checked against what the API says.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CONSOLE_INDEX, hasChromium, launchBrowser, screenshot } from './console/browser.js';
import { type DaemonProcess, startDaemon } from './daemon-process.js';
import { alive, ECHO_AGENT, ROOT, servicePid, tempDir, waitFor } from './helpers.js';

const WEATHER_AGENT = join(ROOT, 'examples/weather-agent.ts');

if (!hasChromium) {
  // Visible in the run's output, not only as a skipped count.
  console.warn(
    `\n!! console browser tests SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium)\n`,
  );
}

describe.skipIf(!hasChromium)('the console in a browser', () => {
  const temp = tempDir();
  let daemon: DaemonProcess;
  let base: string;
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let page: Page;
  const pageErrors: string[] = [];

  const api = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${base}/api/v1${path}`, init);
    return (await response.json()) as T;
  };
  const status = async (name: string) => (await api<{ status: string }>(`/services/${name}`)).status;
  const row = (name: string) => page.locator(`tr[data-service="${name}"]`);

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX))
      throw new Error(`the console is not built (${CONSOLE_INDEX}): run pnpm build first`);
    daemon = startDaemon([
      '--db',
      join(temp.dir, 'manager.db'),
      '--in-process',
      '--port',
      '0',
      '--health-interval',
      '0.5',
      '--metrics-interval',
      '1',
      '--register',
      ECHO_AGENT,
      '--register',
      WEATHER_AGENT,
    ]);
    base = await daemon.url();
    expect(daemon.output()).toContain(`console: ${base}/`);
    await waitFor(
      async () => (await status('echo-agent')) === 'running' && (await status('weather-agent')) === 'running',
      60_000,
      'both example agents to run',
    );
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    temp.cleanup();
  });

  it('shows both example agents running on the overview', async () => {
    await page.goto(`${base}/`);
    const running = page.getByTestId('group-running');
    await expect.poll(() => running.textContent(), { timeout: 15_000 }).toContain('echo-agent');
    expect(await running.textContent()).toContain('weather-agent');
    await expect.poll(() => page.getByTestId('stat-running').textContent()).toContain('2 / 2');
    await expect.poll(() => page.locator('.live.on').count()).toBe(1);
    // The figure for the README (not asserted: the machine is shared): navigation start to interactive.
    const interactiveMs = await page.evaluate(
      () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domInteractive,
    );
    console.log(`console first screen interactive after ${Math.round(interactiveMs)} ms`);
    await screenshot(page, 'overview');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'overview-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('stops a service from its row, which turns stopped without a reload, and the API agrees', async () => {
    await page.getByRole('link', { name: 'Services', exact: true }).click();
    await expect
      .poll(() => row('echo-agent').locator('.badge').textContent(), { timeout: 15_000 })
      .toBe('running');
    // Survives only if the page is never reloaded.
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await row('echo-agent').getByRole('button', { name: 'Stop echo-agent', exact: true }).click();
    const dialog = page.locator('dialog.confirm');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('Stop echo-agent?');
    await dialog.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect
      .poll(() => row('echo-agent').locator('.badge').textContent(), { timeout: 20_000 })
      .toBe('stopped');
    expect(await status('echo-agent')).toBe('stopped');
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await row('echo-agent').getByRole('button', { name: 'Start echo-agent', exact: true }).click();
    await expect
      .poll(() => row('echo-agent').locator('.badge').textContent(), { timeout: 30_000 })
      .toBe('running');
    expect(await status('echo-agent')).toBe('running');
  });

  it('shows a kill -9 of a service live, and its restart', async () => {
    await page.goto(`${base}/services`);
    await expect
      .poll(() => row('weather-agent').locator('.badge').textContent(), { timeout: 15_000 })
      .toBe('running');
    const before = Number(await row('weather-agent').getByTestId('restarts').textContent());
    const service = await api<{ port: number }>('/services/weather-agent');
    const pid = await servicePid(service);
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => alive(pid)).toBe(false);
    await expect
      .poll(() => row('weather-agent').locator('.badge').textContent(), { timeout: 20_000 })
      .not.toBe('running');
    await expect
      .poll(async () => Number(await row('weather-agent').getByTestId('restarts').textContent()), {
        timeout: 60_000,
      })
      .toBeGreaterThan(before);
    await expect
      .poll(() => row('weather-agent').locator('.badge').textContent(), { timeout: 60_000 })
      .toBe('running');
    expect(await status('weather-agent')).toBe('running');
  });

  it('shows the API validation errors by the field of the register form', async () => {
    await page.goto(`${base}/services`);
    await page.getByLabel('Name').fill('bad name!');
    await page.getByLabel('Agent module').fill(ECHO_AGENT);
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await expect.poll(() => page.getByTestId('error-name').textContent()).toContain('letters, digits');
    expect(await page.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Name').fill('nowhere');
    await page.getByLabel('Agent module').fill(join(temp.dir, 'no-such-agent.ts'));
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('error-agent_factory_path').textContent())
      .toContain('file not found');
    expect(await page.getByTestId('error-name').count()).toBe(0);
    expect((await fetch(`${base}/api/v1/services/nowhere`)).status).toBe(404);
    await screenshot(page, 'services');
  });

  it('raised no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
