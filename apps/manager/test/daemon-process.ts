// The daemon as a user runs it: a real process from source, its output collected, its URL read from it.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { waitFor } from './helpers.js';

const daemonMain = fileURLToPath(new URL('../src/daemon-main.ts', import.meta.url));

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
      await waitFor(
        () => text.includes('press Ctrl+C to stop') || child.exitCode !== null,
        60_000,
        'the daemon to be up',
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

/** Calls the daemon's HTTP API at `base` (`http://127.0.0.1:PORT`) with a JSON body; status and parsed body. */
export async function daemonApi(
  base: string,
  path: string,
  init: RequestInit = {},
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are read loosely
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}/api/v1${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, body: await response.json() };
}
