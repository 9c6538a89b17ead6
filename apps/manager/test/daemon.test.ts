// The daemon as a user runs it: a real process from source, stopped with Ctrl+C (SIGINT), started again.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { alive, converse, ECHO_AGENT, servicePid, tempDir, waitFor } from './helpers.js';

const temp = tempDir();
const daemonMain = fileURLToPath(new URL('../src/daemon-main.ts', import.meta.url));
const spawned: ChildProcessWithoutNullStreams[] = [];
const servicePids: number[] = [];

afterAll(() => {
  for (const child of spawned) if (child.exitCode === null) child.kill('SIGKILL');
  for (const pid of servicePids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  temp.cleanup();
});

function startDaemon(...args: string[]): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, [
    '--conditions=@myagent/source',
    '--import',
    'tsx',
    daemonMain,
    ...args,
  ]);
  spawned.push(child);
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => {
    text += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    text += chunk;
  });
  return { child, output: () => text };
}

const args = [
  '--db',
  join(temp.dir, 'manager.db'),
  '--in-process',
  '--port-range',
  '22300-22399',
  '--port',
  '0',
];

it('runs the registered agent, stops it on Ctrl+C with exit 0, and brings it back on the next start', async () => {
  const first = startDaemon(...args, '--register', ECHO_AGENT);
  await waitFor(() => first.output().includes('press Ctrl+C to stop'), 30_000, 'the daemon to be up');
  expect(first.output()).toMatch(/echo-agent +running +ws:\/\/127\.0\.0\.1:223\d\d/u);
  const port = Number(/127\.0\.0\.1:(223\d\d)/u.exec(first.output())?.[1]);
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
  await waitFor(() => second.output().includes('press Ctrl+C to stop'), 30_000, 'the daemon to be up again');
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
    "myagent-manager-daemon: --port-range must be FROM-TO within 1-65535, got '9000-80'",
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
      `myagent-manager-daemon: Port ${taken} on 127.0.0.1 is in use: pick another with --port`,
    );
  } finally {
    blocker.close();
  }
});
