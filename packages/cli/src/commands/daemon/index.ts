import { CliError, EXIT } from '../../errors.js';
import type { CommandContext, CommandSpec } from '../../spec.js';

/** What @myagent/manager exports for running its daemon in this process. */
interface ManagerModule {
  runDaemon(
    argv: string[],
    hooks?: { onReady?: (server: { urls: { api: string } }) => Promise<void> },
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

async function runDaemon(ctx: CommandContext, argv: string[]): Promise<number> {
  const manager = await loadManager();
  await manager.runDaemon(argv);
  void ctx;
  return 0;
}

const DAEMON_NOTES = `The daemon's own flags (--db, --database-url, --host, --port, --register, --token, ...) are those of
myagent-manager-daemon: \`myagent-manager daemon --help\` lists them. It runs in the foreground until Ctrl+C.`;

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
  examples: ['myagent-manager api --port 8000'],
  run: (ctx, args) => runDaemon(ctx, args),
};
