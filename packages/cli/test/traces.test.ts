// `myagent-manager traces` as a real process against a real daemon with the echo agent in a real child.

import { type DaemonProcess, ECHO_AGENT, tempDir, until } from '@myagent/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { daemonIn, runCli } from './helpers.js';

const temp = tempDir();
let daemon: DaemonProcess;
let url: string;

beforeAll(async () => {
  ({ daemon, url } = await daemonIn(temp.dir, ['--health-interval', '0.5', '--register', ECHO_AGENT]));
  await until(
    async () => {
      const body = (await (await fetch(`${url}/api/v1/services`)).json()) as {
        services: { status: string }[];
      };
      return body.services.some((s) => s.status === 'running');
    },
    'the echo agent to run',
    60_000,
  );
  // One run, through the manager's /ws.
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ event: 'user.create_session', session_id: 'cli-trace' })));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.event === 'agent.session_created')
        ws.send(JSON.stringify({ event: 'user.message', session_id: 'cli-trace', content: 'for the cli' }));
      if (message.event === 'agent.final_answer') resolve();
    });
    ws.on('error', reject);
  });
  ws.close();
}, 90_000);

afterAll(async () => {
  await daemon?.stop();
  temp.cleanup();
});

it('lists runs and shows one as a timeline', async () => {
  const env = { MYAGENT_URL: url };
  const listed = await until(
    async () => {
      const { code, stdout } = await runCli(
        ['traces', '--session', 'cli-trace', '--status', 'completed', '--json'],
        { env },
      );
      const body = JSON.parse(stdout) as { traces: { trace_id: string }[] };
      return code === 0 && body.traces.length === 1 ? body.traces : undefined;
    },
    'the run in the list',
    20_000,
  );
  const table = await runCli(['traces', '--service', 'echo-agent'], { env });
  expect(table.code).toBe(0);
  expect(table.stdout).toContain('for the cli');
  expect(table.stdout).toContain('completed');
  const shown = await runCli(['traces', String(listed[0]?.trace_id)], { env });
  expect(shown.code).toBe(0);
  expect(shown.stdout).toContain('echo_agent_execution');
  expect(shown.stdout).toMatch(/think step 1/u);
  expect(shown.stdout).toMatch(/execute_tool echo/u);
  const missing = await runCli(['traces', 'no-such-trace'], { env });
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toContain('NOT_FOUND');
  const bad = await runCli(['traces', '--status', 'exploded'], { env });
  expect(bad.code).toBe(2);
});
