import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '@myagent/models';
import { execa } from 'execa';

/** What a dry load found in an agent module. */
export interface AgentCheckResult {
  /** Absolute path of the module. */
  path: string;
  /** Which export holds the agent. */
  export: 'default' | 'agent' | 'createAgent';
  /** The agent's name when the export is an agent object. */
  agent_name: string | null;
}

/** Options of {@link checkAgentModule}. */
export interface AgentCheckOptions {
  /** Node flags for the dry-load child; default: tsx's loader when it can be resolved, so `.ts` loads. */
  nodeArgs?: string[];
  /** A file near which to look for tsx when it is not installed next to the registry. */
  resolveFrom?: string;
  /** The Node executable; default: the one running us. */
  nodePath?: string;
  timeoutMs?: number;
  cwd?: string;
}

const MARKER = '@@myagent-check@@';

// Runs in the child: imports the module and looks for the agent the way the agent server does (spec A2).
const CHECK_SCRIPT = `
const { pathToFileURL } = await import('node:url');
const isAgent = (a) => a !== null && typeof a === 'object' && typeof a.run === 'function';
let mod;
try {
  mod = await import(pathToFileURL(process.argv[1]).href);
  // A .ts file of a "type": "commonjs" project runs as CommonJS: its own exports sit under default.
  if (mod.default !== null && typeof mod.default === 'object' && mod.default.__esModule === true) mod = mod.default;
} catch (error) {
  const text = error && error.message ? error.message : String(error);
  process.stderr.write('cannot load the module: ' + text.split('\\n')[0] + '\\n');
  process.exit(1);
}
const found =
  isAgent(mod.default) ? ['default', mod.default.name] :
  typeof mod.default === 'function' ? ['default', null] :
  isAgent(mod.agent) ? ['agent', mod.agent.name] :
  typeof mod.createAgent === 'function' ? ['createAgent', null] :
  null;
if (!found) {
  process.stderr.write('the module exports no agent: expected a default export, an "agent" export or a "createAgent" factory\\n');
  process.exit(1);
}
process.stdout.write('\\n${MARKER}' + JSON.stringify({ export: found[0], agent_name: typeof found[1] === 'string' ? found[1] : null }) + '\\n');
process.exit(0);
`;

const loaderArgsCache = new Map<string, string[]>();

/**
 * `--import <tsx>` so that the dry load handles `.ts` like the agent server: tsx as installed next to us,
 * else next to `nearFile` (e.g. the agent server's script, which depends on tsx); [] when neither has it.
 */
export function defaultLoaderArgs(nearFile?: string): string[] {
  const key = nearFile ?? '';
  const cached = loaderArgsCache.get(key);
  if (cached) return cached;
  let args: string[] = [];
  for (const base of [import.meta.url, nearFile]) {
    if (!base) continue;
    try {
      args = ['--import', pathToFileURL(createRequire(base).resolve('tsx')).href];
      break;
    } catch {
      // Not installed there; try the next place.
    }
  }
  loaderArgsCache.set(key, args);
  return args;
}

/**
 * Checks that `path` is an agent module the agent server can load, by importing it in a child process
 * (a broken module cannot harm us, and a syntax error is found now rather than at start).
 * @throws AppError INVALID_REQUEST with a one-line reason.
 */
export async function checkAgentModule(
  path: string,
  options: AgentCheckOptions = {},
): Promise<AgentCheckResult> {
  const absolute = isAbsolute(path) ? path : resolve(options.cwd ?? process.cwd(), path);
  const fail = (reason: string): never => {
    throw new AppError('INVALID_REQUEST', `Agent file '${path}': ${reason}`, {
      details: { agent_factory_path: path, reason },
    });
  };
  if (!existsSync(absolute)) fail('file not found');
  if (!statSync(absolute).isFile()) fail('not a file');
  const timeoutMs = options.timeoutMs ?? 20_000;
  const result = await execa(
    options.nodePath ?? process.execPath,
    [
      ...(options.nodeArgs ?? defaultLoaderArgs(options.resolveFrom)),
      '--input-type=module',
      '-e',
      CHECK_SCRIPT,
      absolute,
    ],
    {
      reject: false,
      timeout: timeoutMs,
      cwd: options.cwd,
      stdin: 'ignore',
      maxBuffer: 1_000_000,
      env: { NODE_OPTIONS: '' },
    },
  );
  if (result.timedOut) fail(`loading took longer than ${timeoutMs / 1000} s`);
  const line = String(result.stdout)
    .split('\n')
    .find((text) => text.startsWith(MARKER));
  if (result.exitCode !== 0 || !line) {
    const stderr = String(result.stderr).trim().split('\n');
    const reason = stderr.find((text) => text.startsWith('cannot load') || text.startsWith('the module'));
    fail(reason ?? stderr.at(-1) ?? `the dry load exited with code ${result.exitCode}`);
  }
  const found = JSON.parse((line as string).slice(MARKER.length)) as Omit<AgentCheckResult, 'path'>;
  return { path: absolute, ...found };
}
