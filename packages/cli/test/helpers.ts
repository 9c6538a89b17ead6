// Running the CLI as a user does (a real process, from source) against a real daemon process.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startDaemon } from '@myagent/test-support';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
export const TALKER = fileURLToPath(new URL('./fixtures/talker.mjs', import.meta.url));

/** What a CLI run left. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI's environment: no colour, no inherited manager address or token unless given. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { MYAGENT_URL: _url, MYAGENT_TOKEN: _token, FORCE_COLOR: _force, ...env } = process.env;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** The command that runs the CLI from source (for spawn and for tmux). */
export function cliCommand(): string[] {
  // An absolute loader URL, so that the CLI finds tsx whatever folder it runs in.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [process.execPath, '--conditions=@myagent/source', '--import', tsx, main];
}

/** Runs `myagent-manager ARGS` to its end. */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const { child, stdout, stderr } = spawnCli(args, options);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`myagent-manager ${args.join(' ')} did not end:\n${stdout()}\n${stderr()}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stdout(), stderr: stderr() });
    });
  });
}

/** Spawns `myagent-manager ARGS` and collects what it prints. */
function spawnCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string }) {
  const [node, ...rest] = cliCommand() as [string, ...string[]];
  const child = spawn(node, [...rest, ...args], { env: cliEnv(options.env), cwd: options.cwd });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  return { child, stdout: () => stdout, stderr: () => stderr };
}

/** Starts the CLI and leaves it running (for --follow): its output so far, and a Ctrl+C. */
export function startCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
) {
  const { child, stdout, stderr } = spawnCli(args, options);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    stdout,
    stderr,
    /** Ctrl+C, and the exit code. */
    interrupt: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** A project folder as the seeds have it: `./agents/weather_agent.mjs` (the talker agent). */
export function seedProject(dir: string): string {
  mkdirSync(join(dir, 'agents'), { recursive: true });
  copyFileSync(TALKER, join(dir, 'agents', 'weather_agent.mjs'));
  return dir;
}

/** A daemon on a free port with its database in `dir`, and its URL. */
export async function daemonIn(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  const daemon = startDaemon(
    ['--db', join(dir, 'manager.db'), '--port', '0', '--metrics-interval', '0', ...args],
    env,
  );
  const url = await daemon.url();
  return { daemon, url };
}
