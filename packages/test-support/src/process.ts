// The daemon as a user runs it: a real process from source, its output collected, its URL read from it.
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
