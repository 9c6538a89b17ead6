// `stop` and `restart` with `--countdown <s>`, as a user runs them: the real CLI process against a real
// daemon, a client at /ws on the service, and the management_notification it gets before the service goes.
import { type DaemonProcess, freePort, tempDir } from '@myagent/test-support';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { daemonIn, runCli, TALKER } from './helpers.js';

const temp = tempDir();
let daemon: DaemonProcess;
let url: string;
const env = () => ({ MYAGENT_URL: url });

beforeAll(async () => {
  ({ daemon, url } = await daemonIn(temp.dir));
  // A port from the kernel: the default range is shared with the other daemons that tests run at once.
  const port = String(await freePort());
  const result = await runCli(['register', 'talker', TALKER, '--port', port, '--auto-start'], { env: env() });
  expect(result.code).toBe(0);
}, 90_000);

afterAll(async () => {
  await daemon?.stop();
  temp.cleanup();
});

/** A client of the service at /ws, recording what the manager tells it. */
async function client() {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?service=talker`);
  const notices: { type: string; countdown_seconds?: number }[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.event === 'management_notification') notices.push(message.data);
  });
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  return { ws, notices };
}

it('restart --countdown tells the clients that many seconds ahead, then restarts', async () => {
  const { ws, notices } = await client();
  const result = await runCli(['restart', 'talker', '--countdown', '1'], { env: env() });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('talker is running');
  await vi.waitFor(() => expect(notices).toEqual([expect.objectContaining({ countdown_seconds: 1 })]));
  expect(notices[0]?.type).toBe('service_restart');
  ws.close();
}, 90_000);

it('stop --countdown tells the clients, then stops; the help and a bad value say what it takes', async () => {
  const { ws, notices } = await client();
  const result = await runCli(['stop', 'talker', '--countdown', '2'], { env: env() });
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('talker is stopped');
  await vi.waitFor(() =>
    expect(notices).toEqual([expect.objectContaining({ type: 'service_stop', countdown_seconds: 2 })]),
  );
  ws.close();

  for (const command of ['stop', 'restart']) {
    const help = await runCli([command, '--help'], { env: env() });
    expect(help.stdout).toMatch(
      /--countdown <s>\s+tell the service's WebSocket clients this many seconds ahead/u,
    );
  }
  const bad = await runCli(['stop', 'talker', '--countdown', '1.5'], { env: env() });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--countdown');
}, 90_000);
