// Spawns the real `myagent-ws` binary (agentServerCommand) and reads its JSON log lines.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { agentServerCommand } from '../src/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const ECHO_AGENT = fileURLToPath(new URL('../../../examples/echo-agent.ts', import.meta.url));
export const FIXTURE_AGENT = fileURLToPath(
  new URL('../../../packages/ws-runtime/test/fixtures/test-agent.ts', import.meta.url),
);

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
    ready: () =>
      new Promise((resolve, reject) => {
        const check = () => {
          const listening = server.logs.find((line) => line.msg === 'listening');
          if (listening) {
            server.url = String(listening.url);
            server.port = Number(new URL(server.url).port);
            resolve(server);
            return true;
          }
          return false;
        };
        if (check()) return;
        const timer = setInterval(() => check() && clearInterval(timer), 20);
        server.exit.then((code) => {
          clearInterval(timer);
          reject(new Error(`server exited with ${code}: ${server.stderr}`));
        });
      }),
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

/** Polls an async check until it returns a value, or fails after the deadline. */
export async function waitForAsync<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
