import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { delimiter } from 'node:path';

// Child processes of the check: every one is tracked and killed (by its own pid) if the check ends early.

const children = new Set<ChildProcess>();

/** What `pnpm run` adds to a script's environment (npm settings of the user's own, e.g. a registry, stay). */
const PNPM_RUN_VARIABLES =
  /^(npm_(command|execpath|node_execpath|lifecycle_\w+|package_\w+)|npm_config_(user_agent|verify_deps_before_run)|pnpm_\w+|PNPM_\w+|INIT_CWD)$/;
process.once('exit', () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/**
 * The environment children start from: ours without what `pnpm run` adds (its variables, the workspace's
 * node_modules/.bin on PATH) and without NODE_OPTIONS, so the consumer sees what a user's shell has, and
 * without OPENAI_* (no snippet calls a real LLM).
 */
export function cleanEnv(workspaceRoot: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (PNPM_RUN_VARIABLES.test(key) || /^OPENAI_/.test(key) || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.startsWith(workspaceRoot))
    .join(delimiter);
  return { ...env, ...extra };
}

/** A started child with everything it printed so far. */
export interface Started {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name) once it has exited. */
  exited: Promise<number | string>;
}

export interface StartOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Starts `command` with stdin closed and its stdout and stderr collected. */
export function start(command: string, args: readonly string[], options: StartOptions): Started {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk));
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', (error) => {
      text += `\n${error.message}`;
      resolve('spawn failed');
    });
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return { child, output: () => text, exited };
}

/** Runs `command` to its end; past `timeoutMs` it is killed and the result says so. */
export async function run(
  command: string,
  args: readonly string[],
  options: StartOptions & { timeoutMs: number },
): Promise<{ ok: boolean; status: number | string; output: string }> {
  const started = start(command, args, options);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), options.timeoutMs);
  const status = await started.exited;
  clearTimeout(timer);
  const timedOut = status === 'SIGKILL' ? `\n(killed after ${options.timeoutMs} ms)` : '';
  return { ok: status === 0, status, output: started.output() + timedOut };
}

/** Sends SIGTERM and waits up to `graceMs` for the exit; then SIGKILL. Returns the exit status. */
export async function stop(
  started: Started,
  graceMs: number,
): Promise<{ status: number | string; graceful: boolean }> {
  if (started.child.exitCode !== null || started.child.signalCode !== null) {
    return { status: await started.exited, graceful: true };
  }
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), graceMs);
  const status = await started.exited;
  clearTimeout(timer);
  return { status, graceful: status !== 'SIGKILL' };
}

/** A port nobody listens on right now, from the kernel (port 0), for a program that takes a fixed port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (typeof address !== 'object' || !address) throw new Error('no port from the kernel');
  return address.port;
}

/** Polls until 127.0.0.1:`port` accepts a TCP connection, or the child exits, or `timeoutMs` passes. */
export async function waitForPort(port: number, started: Started, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null || started.child.signalCode !== null) return false;
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** Waits until `output()` matches `pattern` (returning the match), or the child exits, or time runs out. */
export async function waitForOutput(
  started: Started,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpExecArray | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = pattern.exec(started.output());
    if (match) return match;
    if (started.child.exitCode !== null || started.child.signalCode !== null) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}
