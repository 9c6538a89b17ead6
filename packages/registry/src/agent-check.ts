import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { AppError } from '@myagent/models';
import { execa } from 'execa';
import type { CommandSpec } from './types.js';

// The dry load at registration is the agent server's own: `myagent-ws --check <file>` loads the module
// with the loader its start uses, so a module that registration accepts is one the server starts with,
// and a broken module runs in a child that cannot harm us.

/** What a dry load found in an agent module. */
export interface AgentCheckResult {
  /** Absolute path of the module. */
  path: string;
  /** Which export holds the agent. */
  export: 'default' | 'agent' | 'createAgent';
  /** The agent's name (a factory is called once to learn it, as the server does). */
  agent_name: string | null;
}

/** Options of {@link checkAgentModule}. */
export interface AgentCheckOptions {
  /**
   * The agent server, run as `<command> <args> --check <file>` (`agentServerCommand()` fits). The registry
   * passes its own `command` unless this is set.
   */
  command?: CommandSpec;
  /** @default 20_000 */
  timeoutMs?: number;
  cwd?: string;
  /** Variables the module sees while it loads, over ours (the service's `environment`). */
  env?: Record<string, string>;
}

const STDERR_PREFIX = 'myagent-ws: ';

function parseReport(stdout: string): Omit<AgentCheckResult, 'path'> | undefined {
  // The module may print at load time: the report is the last line that parses as one.
  for (const line of stdout.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const report = JSON.parse(line) as { ok?: unknown; export?: unknown; agent_name?: unknown };
      if (report.ok !== true) continue;
      if (report.export !== 'default' && report.export !== 'agent' && report.export !== 'createAgent')
        continue;
      return {
        export: report.export,
        agent_name: typeof report.agent_name === 'string' ? report.agent_name : null,
      };
    } catch {
      // Not the report: a line the module printed.
    }
  }
  return undefined;
}

/**
 * Checks that `path` is an agent module the agent server starts with, by running the server's own
 * `--check` in a child process.
 * @throws AppError INVALID_REQUEST with a one-line reason (the server's coded reason in `details`).
 * @example await checkAgentModule('agent.ts', { command: agentServerCommand() });
 */
export async function checkAgentModule(path: string, options: AgentCheckOptions): Promise<AgentCheckResult> {
  const absolute = isAbsolute(path) ? path : resolve(options.cwd ?? process.cwd(), path);
  const fail = (reason: string, code?: string): never => {
    throw new AppError('INVALID_REQUEST', `Agent file '${path}': ${reason}`, {
      details: { agent_factory_path: path, reason, ...(code && { agent_error_code: code }) },
    });
  };
  if (!existsSync(absolute)) fail('file not found');
  if (!statSync(absolute).isFile()) fail('not a file');
  const { command } = options;
  if (!command) throw new AppError('INTERNAL_ERROR', 'checkAgentModule needs the agent server command');
  const timeoutMs = options.timeoutMs ?? 20_000;
  const result = await execa(command.command, [...command.args, '--check', absolute], {
    reject: false,
    timeout: timeoutMs,
    cwd: options.cwd,
    stdin: 'ignore',
    maxBuffer: 1_000_000,
    env: { NODE_OPTIONS: '', ...options.env },
  });
  if (result.timedOut) fail(`loading took longer than ${timeoutMs / 1000} s`);
  const report = result.exitCode === 0 ? parseReport(String(result.stdout)) : undefined;
  if (!report) {
    const lines = String(result.stderr).trim().split('\n');
    const line = lines.findLast((text) => text.startsWith(STDERR_PREFIX));
    // `myagent-ws: AGENT_ERROR: Syntax error in agent file /a.ts:3:20: Unexpected ";"`
    const coded = line && /^myagent-ws: ([A-Z_]+): (.*)$/u.exec(line);
    if (coded) fail(coded[2] as string, coded[1]);
    fail(lines.at(-1) || `the dry load exited with code ${result.exitCode}`);
  }
  return { path: absolute, ...(report as Omit<AgentCheckResult, 'path'>) };
}
