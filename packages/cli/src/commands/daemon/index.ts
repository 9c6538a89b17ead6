import { createClient } from '../../client.js';
import { applyConfig } from '../../config/apply.js';
import { findConfig, type LoadedConfig, loadConfig, shortPath } from '../../config/load.js';
import { CliError, EXIT, errorLines, usageError } from '../../errors.js';
import { Output } from '../../output.js';
import type { CommandContext, CommandSpec } from '../../spec.js';

/** What @myagent/manager exports for running its daemon in this process. */
interface ManagerModule {
  runDaemon(
    argv: string[],
    hooks?: {
      onReady?: (server: { urls: { api: string } }, access: { token?: string }) => Promise<void>;
    },
  ): Promise<void>;
}

/** Loads @myagent/manager, an optional peer: the CLI alone is only a client. */
export async function loadManager(): Promise<ManagerModule> {
  try {
    return (await import('@myagent/manager' as string)) as ManagerModule;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      throw new CliError(
        EXIT.FAILED,
        'the daemon needs @myagent/manager installed beside @myagent/cli: npm install @myagent/manager',
        'INVALID_REQUEST',
      );
    }
    throw error;
  }
}

/** `--config FILE` (or `--config=FILE`) taken out of the daemon's own flags. */
export function takeConfigFlag(argv: readonly string[]): { file?: string; rest: string[] } {
  const rest: string[] = [];
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const inline = arg.startsWith('--config=') ? arg.slice('--config='.length) : undefined;
    if (arg !== '--config' && inline === undefined) {
      rest.push(arg);
      continue;
    }
    if (file !== undefined) throw usageError('--config is given twice; give it once');
    const value = inline ?? argv[++i];
    if (!value || value.startsWith('-')) throw usageError('--config needs a file');
    file = value;
  }
  return { ...(file !== undefined && { file }), rest };
}

async function runDaemon(ctx: CommandContext, argv: string[]): Promise<number> {
  const { file, rest } = takeConfigFlag(argv);
  // The file is read and checked before the daemon starts: a bad one stops it here, having changed nothing.
  const path = file === undefined ? undefined : findConfig(ctx.io.cwd, file);
  const loaded = path === undefined ? undefined : await loadConfig(path, shortPath(path, ctx.io.cwd));
  const manager = await loadManager();
  await manager.runDaemon(rest, loaded ? { onReady: applyAtStart(ctx, loaded) } : {});
  if (rest.includes('--help') || rest.includes('-h')) ctx.io.stdout.write(CONFIG_HELP);
  return 0;
}

/** The daemon's ready hook that applies the file through its own API; a failure is printed, the daemon runs on. */
function applyAtStart(ctx: CommandContext, loaded: LoadedConfig) {
  return async (server: { urls: { api: string } }, access: { token?: string }) => {
    const url = server.urls.api.replace(/\/api\/v1$/u, '');
    const client = createClient({ url, ...access });
    const label = shortPath(loaded.file, ctx.io.cwd);
    const out = new Output(ctx.io, false);
    out.print(`applying ${label}`);
    try {
      await applyConfig(client, out, loaded, { prune: false, dryRun: false, restart: true, label });
    } catch (error) {
      // As with --register: what could not be applied is reported, and the manager goes on serving.
      for (const line of errorLines(error)) out.note(`myagent-manager: ${line}`);
    }
  };
}

// The daemon's usage is its own; this is the one flag the CLI adds to it.
const CONFIG_HELP = `  --config FILE          apply this config file once the daemon serves (myagent-manager apply --help)
`;

const DAEMON_NOTES = `The daemon's own flags (--db, --database-url, --host, --port, --register, --token, ...) are those of
myagent-manager-daemon: \`myagent-manager daemon --help\` lists them. It runs in the foreground until Ctrl+C.

--config FILE applies a config file (see \`myagent-manager apply --help\`) once the daemon serves: its
services are registered or updated and started as the file says (nothing is removed). The file is checked
before the daemon starts; a bad one stops it with one line per problem, having changed nothing.`;

export const daemon: CommandSpec = {
  usage: 'daemon [...flags]',
  description: 'Run the manager daemon in the foreground (needs @myagent/manager)',
  passThrough: true,
  notes: DAEMON_NOTES,
  examples: [
    'myagent-manager daemon',
    'myagent-manager daemon --db ./manager.db --port 8000',
    'myagent-manager daemon --config myagent.config.json',
  ],
  run: (ctx, args) => runDaemon(ctx, args),
};

export const api: CommandSpec = {
  usage: 'api [...flags]',
  description:
    'Run the manager (HTTP API, /ws proxy, console) in the foreground: the daemon, as seed 000 names it',
  passThrough: true,
  notes: DAEMON_NOTES,
  examples: [
    'myagent-manager api --port 8000',
    'myagent-manager api --port 8000 --config myagent.config.yaml',
  ],
  run: (ctx, args) => runDaemon(ctx, args),
};
