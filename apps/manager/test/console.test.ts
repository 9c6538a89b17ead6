// The web console in a real browser (Debian's Chromium via playwright-core) against a real daemon process
// running the example agents: what a user sees and does, checked against what the API says.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  alive,
  type DaemonProcess,
  ECHO_AGENT,
  type FakeOpenAI,
  freePort,
  startDaemon,
  startFakeOpenAI,
  tempDir,
  until,
} from '@myagent/test-support';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CHROMIUM, CONSOLE_INDEX, hasChromium, launchBrowser, screenshot } from './console/browser.js';
import { ROOT, servicePid } from './helpers.js';

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
  let llm: FakeOpenAI;
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
    // The weather agent's LLM: a real HTTP server on loopback that asks for get_weather, then answers.
    // A question that says "slowly" gets no answer after its tool call, so that a run stays running.
    llm = await startFakeOpenAI((request) => {
      const messages = request.body.messages as { role: string; content?: string }[];
      if (messages.at(-1)?.role !== 'tool')
        return { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] };
      const slow = messages.findLast((m) => m.role === 'user')?.content?.includes('slowly');
      return slow ? { hang: true } : { content: 'It is sunny in Paris.' };
    });
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
    ]);
    base = await daemon.url();
    expect(daemon.output()).toContain(`console: ${base}/`);
    // Registered through the API on ports the kernel just handed out (the machine is shared).
    for (const [name, path] of [
      ['echo-agent', ECHO_AGENT],
      ['weather-agent', WEATHER_AGENT],
    ] as const) {
      const response = await fetch(`${base}/api/v1/services`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name,
          agent_factory_path: path,
          port: await freePort(),
          auto_start: true,
          // A service's environment is its own: the manager passes none of its variables on.
          ...(name === 'weather-agent' && {
            config: {
              environment: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'test', OPENAI_MODEL: 'fake-weather' },
            },
          }),
        }),
      });
      expect(response.status, await response.clone().text()).toBe(200);
    }
    await until(
      async () => (await status('echo-agent')) === 'running' && (await status('weather-agent')) === 'running',
      'both example agents to run',
      60_000,
    );
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    await llm?.close();
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
    // A string: the test's own types are Node's, this runs in the page.
    const interactiveMs = Number(
      await page.evaluate("performance.getEntriesByType('navigation')[0].domInteractive"),
    );
    console.log(`console first screen interactive after ${Math.round(interactiveMs)} ms`);
    await screenshot(page, 'overview');
    // The charts draw the manager's samples (one a second here), and the period is the user's choice.
    await expect
      .poll(() => page.locator('.chart .line, .chart .dot').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    const asked = page.waitForRequest((request) =>
      request.url().includes('/stats/timeseries?metric=cpu&period=1h'),
    );
    await page.getByTestId('period').selectOption('1h');
    await asked;
    await page.setViewportSize({ width: 390, height: 844 });
    // Phone width: nothing wider than the screen.
    await expect.poll(() => page.evaluate('document.documentElement.scrollWidth <= innerWidth')).toBe(true);
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
    // By keyboard: Enter on the row's Stop asks first; Escape cancels and nothing happens.
    await row('echo-agent').getByRole('button', { name: 'Stop echo-agent', exact: true }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog.confirm');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('Stop echo-agent?');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await status('echo-agent')).toBe('running');
    // Enter again, and Enter on the dialog's focused Stop confirms.
    await row('echo-agent').getByRole('button', { name: 'Stop echo-agent', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await expect.poll(() => page.evaluate('document.activeElement.textContent')).toBe('Stop');
    await page.keyboard.press('Enter');
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
  }, 120_000);

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

  it('registers a service from the form, which shows up running, and unregisters it after confirmation', async () => {
    await page.goto(`${base}/services`);
    await page.getByLabel('Name').fill('echo-two');
    await page.getByLabel('Agent module').fill(ECHO_AGENT);
    await page.getByLabel('Port').fill(String(await freePort()));
    await page.getByLabel('Tags').fill('console, second');
    await page.getByLabel('Config (JSON)').fill('{"max_sessions": 5}');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await expect
      .poll(() => row('echo-two').locator('.badge').textContent(), { timeout: 60_000 })
      .toBe('running');
    const registered = await api<{ tags: string[]; config: { max_sessions: number } }>('/services/echo-two');
    expect(registered.tags).toEqual(['console', 'second']);
    expect(registered.config.max_sessions).toBe(5);

    await row('echo-two').getByRole('button', { name: 'Unregister echo-two', exact: true }).click();
    await page.locator('dialog.confirm').getByRole('button', { name: 'Unregister', exact: true }).click();
    await expect.poll(() => row('echo-two').count(), { timeout: 30_000 }).toBe(0);
    expect((await fetch(`${base}/api/v1/services/echo-two`)).status).toBe(404);
  }, 120_000);

  it('chats with the echo agent through /ws and shows its streamed answer and events', async () => {
    await page.getByRole('link', { name: 'Chat', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('chat-service').locator('option').allTextContents())
      .toContain('echo-agent');
    await page.getByTestId('chat-service').selectOption('echo-agent');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('chat-status').textContent(), { timeout: 15_000 })
      .toContain('session');
    expect(await page.getByTestId('chat-status').textContent()).toContain('routed to echo-agent');
    await page.getByTestId('chat-input').fill('hello from the console');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const answer = page.locator('.bubble[data-role="agent"]');
    await expect
      .poll(() => answer.last().textContent(), { timeout: 15_000 })
      .toContain('Echo: hello from the console (message 1 of this session)');
    const events = page.getByTestId('chat-events');
    // The answer was streamed: partial answers, then the final one, after the tool call.
    expect(await events.locator('[data-event="agent.partial_answer"]').count()).toBeGreaterThan(1);
    for (const name of [
      'connection_routed',
      'agent.session_created',
      'agent.thinking',
      'agent.tool_call',
      'agent.tool_result',
      'agent.final_answer',
    ]) {
      expect(await events.locator(`[data-event="${name}"]`).count(), name).toBeGreaterThan(0);
    }
    // The manager saw the connection the console opened.
    const connections = await api<{ connections: { status: string }[] }>('/services/echo-agent/connections');
    expect(connections.connections.some((c) => c.status !== 'disconnected')).toBe(true);
    await screenshot(page, 'chat');
  });

  it('lists a run of the weather agent live on the Traces page, and its timeline shows the tool call', async () => {
    await page.getByRole('link', { name: 'Traces', exact: true }).click();
    await expect.poll(() => page.locator('.live.on').count(), { timeout: 15_000 }).toBe(1);
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const before = await page.locator('tr[data-trace]').count();
    // A run while the page is open, through the manager's /ws as any client.
    const client = new WebSocket(`${base.replace('http', 'ws')}/ws?service=weather-agent`);
    const frames: { event?: string }[] = [];
    client.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    client.send(JSON.stringify({ event: 'user.create_session', session_id: 'console-traces' }));
    await expect
      .poll(() => frames.some((f) => f.event === 'agent.session_created'), { timeout: 20_000 })
      .toBe(true);
    client.send(
      JSON.stringify({ event: 'user.message', session_id: 'console-traces', content: 'Weather in Paris?' }),
    );
    await expect
      .poll(() => frames.find((f) => f.event === 'agent.final_answer' || f.event === 'agent.error'), {
        timeout: 30_000,
      })
      .toMatchObject({ event: 'agent.final_answer' });
    client.close();
    const runs = await api<{ traces: { trace_id: string; session_id: string }[] }>(
      '/traces?session_id=console-traces',
    );
    expect(runs.traces).toHaveLength(1);
    const traceId = runs.traces[0]?.trace_id as string;
    // The run shows up, finished, without a reload.
    const run = page.locator(`tr[data-trace="${traceId}"]`);
    await expect.poll(() => run.locator('.badge').textContent(), { timeout: 15_000 }).toBe('completed');
    expect(await page.locator('tr[data-trace]').count()).toBe(before + 1);
    expect(await run.textContent()).toContain('weather-agent');
    expect(await run.textContent()).toContain('Weather in Paris?');
    // By keyboard: Enter on the run's link opens its timeline, and focus goes to it.
    await run.getByRole('link').focus();
    await page.keyboard.press('Enter');
    const timeline = page.getByTestId('trace-timeline');
    await expect.poll(() => timeline.count()).toBe(1);
    await expect.poll(() => page.evaluate('document.activeElement.id')).toBe('trace-title');
    expect(page.url()).toBe(`${base}/traces/${traceId}`);
    const tool = timeline.locator('li[data-kind="tool"]');
    await expect.poll(() => tool.count()).toBe(1);
    expect(await tool.getAttribute('data-span')).toBe('execute_tool get_weather');
    expect(await tool.getByTestId('span-duration').textContent()).toMatch(/^(\d+|<1) ms$/u);
    expect(await tool.textContent()).toContain('Paris');
    expect(await timeline.locator('li[data-kind="think"]').count()).toBeGreaterThan(0);
    expect(await timeline.locator('li[data-kind="llm"]').first().textContent()).toContain(
      'chat fake-weather',
    );
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await screenshot(page, 'traces');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => page.evaluate('document.documentElement.scrollWidth <= innerWidth')).toBe(true);
    await screenshot(page, 'traces-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
    // Close goes back to the list.
    await timeline.getByRole('button', { name: 'Close this run' }).click();
    await expect.poll(() => timeline.count()).toBe(0);
    expect(page.url()).toBe(`${base}/traces`);
  }, 90_000);

  it('shows a running run on the Traces page, its timeline growing live, until it is cancelled', async () => {
    await page.goto(`${base}/traces`);
    await expect.poll(() => page.locator('.live.on').count(), { timeout: 15_000 }).toBe(1);
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const client = new WebSocket(`${base.replace('http', 'ws')}/ws?service=weather-agent`);
    const frames: { event?: string }[] = [];
    client.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    client.send(JSON.stringify({ event: 'user.create_session', session_id: 'console-slow' }));
    await expect
      .poll(() => frames.some((f) => f.event === 'agent.session_created'), { timeout: 20_000 })
      .toBe(true);
    client.send(
      JSON.stringify({ event: 'user.message', session_id: 'console-slow', content: 'Paris, slowly' }),
    );
    // The run shows up while it runs, and opens as a timeline.
    const run = page.locator('tr', { hasText: 'Paris, slowly' });
    await expect.poll(() => run.locator('.badge').textContent(), { timeout: 20_000 }).toBe('running');
    await run.getByRole('link').click();
    const timeline = page.getByTestId('trace-timeline');
    await expect.poll(() => timeline.locator('.badge').first().textContent()).toBe('running');
    // The tool call arrives while the timeline is open (the LLM then never answers).
    const tool = timeline.locator('li[data-kind="tool"]');
    await expect.poll(() => tool.count(), { timeout: 20_000 }).toBe(1);
    expect(await tool.getByTestId('span-duration').textContent()).toMatch(/^(\d+|<1) ms$/u);
    // The list's row follows too: steps · tools · LLM calls so far.
    await expect.poll(() => run.locator('td').nth(5).textContent(), { timeout: 10_000 }).toBe('1 · 1 · 1');
    await screenshot(page, 'trace-running');
    // Cancelled by the client: the timeline says so without a reload.
    client.send(JSON.stringify({ event: 'user.cancel', session_id: 'console-slow' }));
    await expect
      .poll(() => timeline.locator('.badge').first().textContent(), { timeout: 20_000 })
      .not.toBe('running');
    await expect.poll(() => run.locator('.badge').textContent(), { timeout: 10_000 }).not.toBe('running');
    client.close();
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
  }, 90_000);

  it('creates a rule in the console and its tester explains a match', async () => {
    await page.getByRole('link', { name: 'Routing', exact: true }).click();
    const form = page.getByTestId('rule-form');
    await form.getByLabel('Name').fill('beta-users');
    await form.getByLabel('Priority').fill('10');
    await form.getByLabel('Condition 1 field').fill('header.x-user-tier');
    await form.getByLabel('Condition 1 operator').selectOption('equals');
    await form.getByLabel('Condition 1 value').fill('beta');
    await expect.poll(() => form.getByLabel('Target services').locator('option').count()).toBe(2);
    await form.getByLabel('Target services').selectOption(['echo-agent']);
    await form.getByRole('button', { name: 'Create rule' }).click();
    await expect.poll(() => page.locator('tr[data-rule="beta-users"]').count()).toBe(1);
    const rules = await api<{ rules: { name: string; target_services: string[] }[] }>('/routing/rules');
    expect(rules.rules.find((r) => r.name === 'beta-users')?.target_services).toEqual(['echo-agent']);

    await page.getByLabel('Headers').fill('x-user-tier: beta');
    await page.getByRole('button', { name: 'Explain', exact: true }).click();
    const decision = page.getByTestId('explain-decision');
    await expect.poll(() => decision.textContent()).toContain('echo-agent');
    expect(await decision.textContent()).toContain('rule beta-users');
    const explained = page.getByTestId('explain-result').locator('li[data-rule="beta-users"]');
    expect(await explained.textContent()).toContain('selected');
    expect(await explained.textContent()).toContain('holds');

    // A sample that does not match says why.
    await page.getByLabel('Headers').fill('x-user-tier: free');
    await page.getByRole('button', { name: 'Explain', exact: true }).click();
    await expect.poll(() => explained.textContent()).toContain('conditions_failed');
    expect(await explained.textContent()).toContain('actual free');
    await screenshot(page, 'routing');
  });

  it("shows a service's page with its live logs, health history and connections, and disconnects one", async () => {
    // A client of our own, so that the page has a connection to show and to cut.
    const client = new WebSocket(`${base.replace('http', 'ws')}/ws?service=echo-agent&events=routed`);
    const routed = new Promise<string>((resolve) => {
      client.on('message', (data) => {
        const message = JSON.parse(String(data)) as { event: string; data?: { connection_id?: string } };
        if (message.event === 'connection_routed') resolve(String(message.data?.connection_id));
      });
    });
    const closed = new Promise<number>((resolve) => client.on('close', (code) => resolve(code)));
    const connectionId = await routed;
    await page.goto(`${base}/services/echo-agent`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('echo-agent');
    await expect
      .poll(() => page.getByTestId('log-lines').locator('div').count(), { timeout: 15_000 })
      .toBeGreaterThan(1);
    await expect
      .poll(() => page.locator('#health-title + .scroll tbody tr .badge').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    // The search filters what is on screen.
    await page.getByTestId('log-search').fill('no line says this 1f3e');
    await expect.poll(() => page.getByTestId('log-lines').textContent()).toContain('No lines match');
    await page.getByTestId('log-search').fill('');
    // Config: a bad value is refused by its field; a good one is saved and waits for the next start.
    await page.getByLabel('max_sessions').fill('-1');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByTestId('config-error-max_sessions').count()).toBe(1);
    await page.getByLabel('max_sessions').fill('50');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByTestId('config-result').textContent()).toMatch(/restart|next start/iu);
    expect(await page.getByTestId('config-error-max_sessions').count()).toBe(0);
    expect(
      (await api<{ config: { max_sessions: number } }>('/services/echo-agent')).config.max_sessions,
    ).toBe(50);
    const row = page.locator(`tr[data-connection="${connectionId}"]`);
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await screenshot(page, 'service');
    await row.getByRole('button', { name: `Disconnect ${connectionId}` }).click();
    await page.locator('dialog.confirm').getByRole('button', { name: 'Disconnect', exact: true }).click();
    expect(await closed).toBeGreaterThan(0);
    await expect
      .poll(
        async () =>
          (
            await api<{ connections: { connection_id: string; status: string }[] }>('/connections?limit=1000')
          ).connections.find((c) => c.connection_id === connectionId)?.status ?? 'gone',
      )
      .toMatch(/disconnected|gone/u);
  });

  it('lists what the console did in the audit log', async () => {
    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await expect
      .poll(() => page.locator('tr[data-action="service.stop"]').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect(await page.locator('tr[data-action="routing_rule.create"]').count()).toBeGreaterThan(0);
    await screenshot(page, 'audit');
  });

  it("filters the Traces page by session, from a run's link to its session's runs and from the field", async () => {
    await page.goto(`${base}/traces`);
    const { traces } = await api<{ traces: { trace_id: string; session_id: string }[] }>('/traces?limit=100');
    const paris = traces.find((t) => t.session_id === 'console-traces')?.trace_id as string;
    const slow = traces.find((t) => t.session_id === 'console-slow')?.trace_id as string;
    // Runs of other sessions are listed too before the filter (the chat's among them).
    await expect.poll(() => page.locator('tr[data-trace]').count(), { timeout: 15_000 }).toBeGreaterThan(2);
    // From a run's timeline, the link to its session's runs sets the filter, in the address too.
    await page.locator(`tr[data-trace="${paris}"]`).getByRole('link').click();
    await page.getByRole('link', { name: 'Runs of session console-traces' }).click();
    await expect.poll(() => page.url()).toBe(`${base}/traces?session=console-traces`);
    expect(await page.getByTestId('session-filter').inputValue()).toBe('console-traces');
    await expect.poll(() => page.locator('tr[data-trace]').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator(`tr[data-trace="${paris}"]`).count()).toBe(1);
    // Typed into the field: another session's runs, and the address follows.
    await page.getByTestId('session-filter').fill('console-slow');
    await expect.poll(() => page.locator(`tr[data-trace="${slow}"]`).count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('tr[data-trace]').count()).toBe(1);
    await expect.poll(() => page.url()).toBe(`${base}/traces?session=console-slow`);
    // Opening a run keeps the filter; a session with no run says so; clearing the field lists all again.
    await page.locator(`tr[data-trace="${slow}"]`).getByRole('link').click();
    await expect.poll(() => page.url()).toBe(`${base}/traces/${slow}?session=console-slow`);
    expect(await page.locator('tr[data-trace]').count()).toBe(1);
    await page.getByTestId('session-filter').fill('no-such-session');
    await expect
      .poll(() => page.getByTestId('traces').textContent())
      .toContain('No run of session no-such-session');
    await page.getByTestId('session-filter').fill('');
    await expect.poll(() => page.locator('tr[data-trace]').count(), { timeout: 10_000 }).toBeGreaterThan(2);
    await screenshot(page, 'traces-session');
  }, 60_000);

  it('raised no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});

describe.skipIf(!hasChromium)('the console of a manager that needs a token', () => {
  const temp = tempDir();
  const TOKEN = 'console-test-token-0123456789';
  let daemon: DaemonProcess;
  let browser: { context: BrowserContext; close: () => Promise<void> };

  beforeAll(async () => {
    daemon = startDaemon(['--db', join(temp.dir, 'manager.db'), '--in-process', '--port', '0'], {
      MYAGENT_TOKEN: `ops:${TOKEN}`,
    });
    await daemon.url();
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    temp.cleanup();
  });

  it('asks for the token, refuses a wrong one, keeps the right one for the tab, and its streams use it', async () => {
    const base = await daemon.url();
    const page = await browser.context.newPage();
    await page.goto(`${base}/services`);
    await expect.poll(() => page.getByRole('heading', { name: 'Log in' }).count()).toBe(1);
    await page.getByLabel('Token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('refused');

    await page.getByLabel('Token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Services');
    // The event stream (EventSource, so ?token=) is open: the page says live.
    await expect.poll(() => page.locator('.live.on').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.evaluate("sessionStorage.getItem('myagent.token')")).toBe(TOKEN);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    await screenshot(page, 'services-token');
    // The Traces page's WebSocket (/ws/traces, so ?token= too) opens with the tab's token.
    await page.getByRole('link', { name: 'Traces', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Traces');
    await expect.poll(() => page.locator('.live.on').count(), { timeout: 15_000 }).toBe(1);

    // A new tab of the same browser has no token: it is kept per tab.
    const other = await browser.context.newPage();
    await other.goto(`${base}/`);
    await expect.poll(() => other.getByRole('heading', { name: 'Log in' }).count()).toBe(1);
    await screenshot(other, 'login');
  });
});
