// Exit codes of each failure class, `logs --follow` and `monitor` (in a real terminal: tmux), against a real
// daemon process.
import { execFileSync } from 'node:child_process';
import { type DaemonProcess, freePort, tempDir, until } from '@myagent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, daemonIn, runCli, startCli, TALKER } from './helpers.js';

const temp = tempDir();
let daemon: DaemonProcess;
let url: string;
const env = () => ({ MYAGENT_URL: url });

beforeAll(async () => {
  ({ daemon, url } = await daemonIn(temp.dir));
  const result = await runCli(['register', 'talker', TALKER, '--auto-start'], { env: env() });
  expect(result.code).toBe(0);
}, 90_000);

afterAll(async () => {
  await daemon?.stop();
  temp.cleanup();
});

describe('exit codes', () => {
  it('3 for an unknown service, with the one-line coded error', async () => {
    const result = await runCli(['start', 'nope'], { env: env() });
    expect(result).toMatchObject({
      code: 3,
      stdout: '',
      stderr: "myagent-manager: SERVICE_NOT_FOUND: no service named 'nope'\n",
    });
    const json = await runCli(['show', 'nope', '--json'], { env: env() });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ success: false, error: { code: 'SERVICE_NOT_FOUND' } });
  });

  it('2 for a bad flag', async () => {
    const result = await runCli(['list', '--bogus'], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^myagent-manager: INVALID_REQUEST: Unknown option '--bogus'/u);
  });

  it('4 when the manager cannot be reached, with the URL tried and a hint', async () => {
    const port = await freePort();
    const result = await runCli(['list'], { env: { MYAGENT_URL: `http://127.0.0.1:${port}` } });
    expect(result.code).toBe(4);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(
      `cannot reach the manager at http://127.0.0.1:${port} (ECONNREFUSED): is the daemon running?`,
    );
  });

  it('1 for a wrong token; the right one (flag or MYAGENT_TOKEN) works', async () => {
    const secured = tempDir();
    const token = 'a-token-of-at-least-16-chars';
    const { daemon: guarded, url: guardedUrl } = await daemonIn(secured.dir, ['--token', token]);
    try {
      const wrong = await runCli(['list', '--token', 'not-the-token-at-all'], {
        env: { MYAGENT_URL: guardedUrl },
      });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^myagent-manager: UNAUTHORIZED: /u);
      expect((await runCli(['list', '--token', token], { env: { MYAGENT_URL: guardedUrl } })).code).toBe(0);
      expect((await runCli(['list'], { env: { MYAGENT_URL: guardedUrl, MYAGENT_TOKEN: token } })).code).toBe(
        0,
      );
    } finally {
      await guarded.stop();
      secured.cleanup();
    }
  }, 90_000);

  it('1 when a start ends in ERROR, with the reason and the last log lines', async () => {
    const result = await runCli(
      [
        'register',
        'broken',
        TALKER,
        '--env',
        'TALKER_MODE=crash-at-start',
        '--no-auto-restart',
        '--auto-start',
      ],
      { env: env() },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken is in ERROR: .*exited with code 3/u);
    expect(result.stderr).toContain('talker: cannot open the weather database');
  });
});

describe('logs --follow', () => {
  it('prints a line the agent writes after it started, and ends cleanly on Ctrl+C', async () => {
    const follow = startCli(['logs', 'talker', '--follow', '--lines', '0'], { env: env() });
    // The talker writes `tick N` every 200 ms: with no backlog, any tick seen was written after the follow began.
    await until(() => /INFO\s+tick \d+/u.test(follow.stdout()), 'a live log line', 30_000);
    expect(await follow.interrupt()).toBe(0);
    expect(follow.stderr()).toBe('');
  });

  it('--json prints one JSON line per log line', async () => {
    const follow = startCli(['logs', 'talker', '--follow', '--lines', '2', '--json'], { env: env() });
    await until(() => follow.stdout().split('\n').filter(Boolean).length >= 3, 'three lines', 30_000);
    await follow.interrupt();
    for (const line of follow.stdout().split('\n').filter(Boolean)) {
      expect(JSON.parse(line)).toMatchObject({ level: 'info', message: expect.stringMatching(/^tick /u) });
    }
  });
});

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

let hasTmux = true;
try {
  execFileSync('tmux', ['-V']);
} catch {
  hasTmux = false;
}

describe.skipIf(!hasTmux)('monitor in a terminal (tmux)', () => {
  it('draws the services, refreshes, and restores the terminal on q', async () => {
    const session = `myagent-cli-${process.pid}`;
    const command = [...cliCommand(), 'monitor', '--interval', '0.5'].map((part) => `'${part}'`).join(' ');
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '120',
      '-y',
      '30',
      `env -u NO_COLOR MYAGENT_URL=${url} ${command}; echo "monitor exited $?"; sleep 60`,
    );
    const screen = () => tmux('capture-pane', '-p', '-t', session);
    try {
      await until(() => /^talker\s+running\s+\S+/mu.test(screen()), 'the monitor to draw the talker', 30_000);
      const first = /every 0\.5s, ([^ ]+ ?[AP]?M?)/u.exec(screen())?.[1];
      await until(() => /every 0\.5s, ([^ ]+ ?[AP]?M?)/u.exec(screen())?.[1] !== first, 'a refresh', 30_000);
      // A status change shows in the events list.
      expect((await runCli(['stop', 'talker'], { env: env() })).code).toBe(0);
      await until(() => /talker: running → stopping/u.test(screen()), 'the stop among the events', 30_000);
      tmux('send-keys', '-t', session, 'q');
      await until(() => screen().includes('monitor exited 0'), 'the monitor to leave', 30_000);
      // Back on the normal screen: the monitor's drawing is gone with the alternate screen.
      expect(screen()).not.toContain('MyAgent monitor');
    } finally {
      tmux('kill-session', '-t', session);
      await runCli(['start', 'talker'], { env: env() });
    }
  }, 90_000);
});
