import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of a file in test/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** The fake agent server with the real binary's flags (modes through FIXTURE_MODE). */
export const fakeServer = { command: process.execPath, args: [fixture('fake-server.mjs')] };

/** A temp dir removed by the returned cleanup. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'myagent-registry-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What {@link runDetached} saw: the script's exit and the JSON line it printed last. */
export interface DetachedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  result: unknown;
  output: string;
}

/**
 * Runs a TypeScript script in a child process with a process group of its own, so that a bug that
 * signals "its own group" (kill(0), kill(-pid)) can only hit that group, never the test runner's. A
 * sentinel process in the runner's group checks that: `sentinelAlive` is false if the group was hit. The
 * whole detached group is killed when the run ends or after `timeoutMs`.
 */
export async function runDetached(
  script: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<DetachedRun & { sentinelAlive: boolean }> {
  const sentinel = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  const child = spawn(
    process.execPath,
    ['--conditions=@myagent/source', '--import', 'tsx', script, ...args],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  };
  const timer = setTimeout(killGroup, timeoutMs);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  killGroup();
  const sentinelAlive = sentinel.exitCode === null && sentinel.signalCode === null;
  sentinel.kill('SIGKILL');
  const last = output
    .trim()
    .split('\n')
    .reverse()
    .find((line) => line.startsWith('{'));
  return { code, signal, result: last === undefined ? undefined : JSON.parse(last), output, sentinelAlive };
}
