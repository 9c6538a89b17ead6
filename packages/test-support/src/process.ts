// Child processes for tests: the daemon as a user runs it (a real process from source, its output collected,
// its URL read from it), and a script run detached in a process group of its own.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { until } from './wait.js';

// The daemon's entry, from source: test-support is private and runs from this checkout only.
const daemonMain = fileURLToPath(new URL('../../../apps/manager/src/daemon-main.ts', import.meta.url));

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A running daemon process. */
export interface DaemonProcess {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  /** `http://127.0.0.1:PORT`, once it printed it. */
  url: () => Promise<string>;
  /** Ctrl+C, and the exit code. */
  stop: () => Promise<number | null>;
}

/** Spawns `myagent-manager-daemon` from source with these arguments (and environment additions). */
export function startDaemon(args: string[], env: Record<string, string> = {}): DaemonProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=@myagent/source', '--import', 'tsx', daemonMain, ...args],
    {
      env: { ...process.env, ...env },
    },
  );
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => {
    text += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    text += chunk;
  });
  return {
    child,
    output: () => text,
    url: async () => {
      await until(
        () => text.includes('press Ctrl+C to stop') || child.exitCode !== null,
        'the daemon to be up',
        60_000,
      );
      const url = /manager health: (http:\/\/[^/\s]+)\/health/u.exec(text)?.[1];
      if (!url) throw new Error(`the daemon did not start:\n${text}`);
      return url;
    },
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      const [code] = await exited;
      return code as number | null;
    },
  };
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
