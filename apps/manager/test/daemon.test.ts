// The daemon as a user runs it: a real process from source, stopped with Ctrl+C (SIGINT), started again.
import { type ChildProcessWithoutNullStreams, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import {
  alive,
  type DaemonProcess,
  ECHO_AGENT,
  freePort,
  freePortRange,
  startDaemon as startDaemonProcess,
  tempDir,
  until,
} from '@myagent/test-support';
import { afterAll, expect, it } from 'vitest';
import { converse, servicePid } from './helpers.js';

const temp = tempDir();
const spawned: ChildProcessWithoutNullStreams[] = [];
const servicePids: number[] = [];

afterAll(() => {
  for (const child of spawned) if (child.exitCode === null) child.kill('SIGKILL');
  for (const pid of servicePids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  temp.cleanup();
});

/** test-support's daemon process, killed at the end if a test left it running. */
function startDaemon(...args: string[]): DaemonProcess {
  const daemon = startDaemonProcess(args);
  spawned.push(daemon.child);
  return daemon;
}

// Service ports from a range the kernel just had free: the range is what this test is about.
const range = await freePortRange(10);
const args = [
  '--db',
  join(temp.dir, 'manager.db'),
  '--in-process',
  '--port-range',
  `${range.from}-${range.to}`,
  '--port',
  '0',
];

it('runs the registered agent, stops it on Ctrl+C with exit 0, and brings it back on the next start', async () => {
  const first = startDaemon(...args, '--register', ECHO_AGENT);
  await until(() => first.output().includes('press Ctrl+C to stop'), 'the daemon to be up', 30_000);
  expect(first.output()).toMatch(/echo-agent +running +ws:\/\/127\.0\.0\.1:\d+/u);
  const port = Number(/echo-agent +running +ws:\/\/127\.0\.0\.1:(\d+)/u.exec(first.output())?.[1]);
  expect(port).toBeGreaterThanOrEqual(range.from);
  expect(port).toBeLessThanOrEqual(range.to);
  const managerUrl = /manager health: (http:\/\/127\.0\.0\.1:\d+)\/health/u.exec(first.output())?.[1];
  const health = await fetch(`${managerUrl}/health`);
  expect([health.status, ((await health.json()) as { status: string }).status]).toEqual([200, 'healthy']);
  const pid = await servicePid({ port });
  servicePids.push(pid);

  const exited = once(first.child, 'exit');
  first.child.kill('SIGINT');
  expect(await exited).toEqual([0, null]);
  expect(alive(pid)).toBe(false);

  // Without --register: the service comes back from the database alone.
  const second = startDaemon(...args);
  await until(() => second.output().includes('press Ctrl+C to stop'), 'the daemon to be up again', 30_000);
  expect(second.output()).toContain(`echo-agent               running    ws://127.0.0.1:${port}`);
  servicePids.push(await servicePid({ port }));
  expect(await converse(`ws://127.0.0.1:${port}`, 'hello again')).toContain('agent.final_answer');
  const stopped = once(second.child, 'exit');
  second.child.kill('SIGTERM');
  expect(await stopped).toEqual([0, null]);
});

it('refuses a bad option with one clear line and exit code 1', async () => {
  const daemon = startDaemon('--port-range', '9000-80');
  const [code] = await once(daemon.child, 'exit');
  expect(code).toBe(1);
  expect(daemon.output().trim()).toBe(
    "myagent-manager-daemon: INVALID_REQUEST: --port-range must be FROM-TO within 1-65535, got '9000-80'",
  );
});

it('refuses a port in use with one line naming it, before starting anything', async () => {
  const { createServer } = await import('node:net');
  const blocker = createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const taken = (blocker.address() as { port: number }).port;
  try {
    const daemon = startDaemon('--db', join(temp.dir, 'taken.db'), '--port', String(taken));
    const [code] = await once(daemon.child, 'exit');
    expect(code).toBe(1);
    expect(daemon.output().trim()).toBe(
      `myagent-manager-daemon: PORT_IN_USE: Port ${taken} on 127.0.0.1 is in use: pick another with --port`,
    );
  } finally {
    blocker.close();
  }
});

it('refuses a second daemon on the same database, naming the first, which goes on untouched', async () => {
  const servicePort = await freePort();
  const own = ['--db', join(temp.dir, 'shared.db'), '--in-process', '--port', '0'];
  const first = startDaemon(
    ...own,
    '--port-range',
    `${servicePort}-${servicePort}`,
    '--register',
    ECHO_AGENT,
  );
  await until(() => first.output().includes('press Ctrl+C to stop'), 'the first daemon to be up', 30_000);
  const pid = await servicePid({ port: servicePort });
  servicePids.push(pid);

  const second = startDaemon(...own, '--register', ECHO_AGENT);
  const [code] = await once(second.child, 'exit');
  expect(code).toBe(1);
  expect(second.output().trim().split('\n').at(-1)).toMatch(
    new RegExp(
      `^myagent-manager-daemon: MANAGER_LOCKED: Another manager runs on SQLite .*shared\\.db: pid ${first.child.pid} on host `,
      'u',
    ),
  );
  // The first one's child was not taken for a stray: same process, still answering.
  expect(await servicePid({ port: servicePort })).toBe(pid);
  expect(await converse(`ws://127.0.0.1:${servicePort}`, 'still here')).toContain('agent.final_answer');
  const exited = once(first.child, 'exit');
  first.child.kill('SIGTERM');
  expect(await exited).toEqual([0, null]);
});

it.each([
  ['a directory', () => temp.dir, /^myagent-manager-daemon: STORAGE_ERROR: Cannot open SQLite database/u],
  ['a path under a file', () => join(ECHO_AGENT, 'x.db'), /^myagent-manager-daemon: STORAGE_ERROR: /u],
  ['a FIFO', () => fifo(), /^myagent-manager-daemon: STORAGE_ERROR: /u],
])('fails at once, with the code, on a --db that is %s', async (_what, path, line) => {
  const daemon = startDaemon('--db', path(), '--port', '0');
  const [code] = await once(daemon.child, 'exit');
  expect(code).toBe(1);
  expect(daemon.output().trim()).toMatch(line);
});

it('says a --database-url that is not a URL is malformed', async () => {
  const daemon = startDaemon('--database-url', 'not-a-url', '--port', '0');
  const [code] = await once(daemon.child, 'exit');
  expect(code).toBe(1);
  expect(daemon.output().trim()).toBe(
    'myagent-manager-daemon: INVALID_REQUEST: Malformed PostgreSQL URL: expected postgres://[user[:password]@]host[:port]/database',
  );
});

it('exits non-zero when every --register failed, with each error line coded', async () => {
  const missing = join(temp.dir, 'missing-agent.ts');
  const daemon = startDaemon('--db', join(temp.dir, 'failed.db'), '--port', '0', '--register', missing);
  const [code] = await once(daemon.child, 'exit');
  expect(code).toBe(1);
  expect(daemon.output()).toMatch(
    / missing-agent: INVALID_REQUEST: Agent file '.*missing-agent\.ts': file not found/u,
  );
  expect(daemon.output().trim().split('\n').at(-1)).toMatch(
    /^myagent-manager-daemon: INVALID_REQUEST: every --register failed \(1\)/u,
  );
});

function fifo(): string {
  const path = join(temp.dir, `fifo-${Math.random().toString(36).slice(2)}.db`);
  execFileSync('mkfifo', [path]);
  return path;
}
