// Spawns the real `myagent-ws` binary (agentServerCommand) and reads its JSON log lines.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { until } from '@myagent/test-support';
import { agentServerCommand } from '../src/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A spawned server and what it printed. */
export interface SpawnedServer {
  child: ChildProcess;
  logs: Array<Record<string, unknown>>;
  stderr: string;
  exit: Promise<number | null>;
  url?: string;
  port?: number;
  /** Resolves once the server logged `listening`, or rejects when it exits first. */
  ready(): Promise<SpawnedServer>;
  stop(): Promise<number | null>;
}

/** Starts `myagent-ws server <args>` as a child process. */
export function spawnServer(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; ipc?: boolean } = {},
): SpawnedServer {
  const { command, args: base } = agentServerCommand();
  const child = spawn(command, [...base, 'server', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const server: SpawnedServer = {
    child,
    logs: [],
    stderr: '',
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    async ready() {
      // The listening line, or the end of a server that exited without printing it.
      const listening = await until(
        () =>
          server.logs.find((line) => line.msg === 'listening') ??
          (child.exitCode !== null || child.signalCode !== null),
        'the listening line',
        60_000,
      );
      if (listening === true) throw new Error(`server exited with ${await server.exit}: ${server.stderr}`);
      server.url = String(listening.url);
      server.port = Number(new URL(server.url).port);
      return server;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return server.exit;
    },
  };
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) server.logs.push(JSON.parse(line));
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    server.stderr += chunk;
  });
  return server;
}
