import { readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError, type Service } from '@myagent/models';
import { AgentManager } from './agent-manager.js';
import { describeUrls, HTTP_FLAGS, HTTP_USAGE, httpOptions } from './daemon-http.js';
import { DEFAULT_MANAGER_PORT } from './serve.js';
import { type ManagerServer, serveManager } from './serve-manager.js';

// The manager daemon: `myagent-manager-daemon [--db FILE | --database-url URL] [--register FILE ...]`.
// Runs until SIGINT or SIGTERM, printing every service status change.

const USAGE = `Usage: myagent-manager-daemon [options]
  --host HOST            address of the manager's port (default: 127.0.0.1)
  --port PORT            the manager's port: HTTP API and WebSocket endpoints (default: 8000; 0 = any)
  --db FILE              SQLite database (default: agent_manager.db)
  --database-url URL     PostgreSQL instead (postgres://user@host:port/db)
  --register FILE        register this agent module (named after the file) and start it, unless a
                         service of that name exists; repeatable
  --health-interval S    seconds between health checks of every service (default: each service's own)
  --port-range A-B       ports to allocate to services (default: 8081-9000)
  --in-process           run agents in the agent servers' main thread instead of worker threads; an
                         agent stuck in a synchronous loop then freezes its server: its health checks
                         fail, and it is killed (SIGKILL after the stop grace) and restarted
  --failover-wait S      how long a /ws client whose agent server was lost waits for another, or for
                         its restart, before it is closed (default: 30)
  --unhealthy-grace S    how long a service stays UNHEALTHY before it is restarted, its clients at /ws
                         drained first while its process is alive (default: 30)
  --max-traces N         agent runs kept in the trace store, older ones pruned (default: 10000;
                         or MYAGENT_MAX_TRACES); OTEL_EXPORTER_OTLP_ENDPOINT set exports them as OTLP
${HTTP_USAGE}
  -v, --version          the version of @myagent/manager
  -h, --help             this text`;

function parse(argv: string[]) {
  if (argv.some((arg) => arg === '--config' || arg.startsWith('--config='))) {
    // The config file is the CLI's (it applies it through this daemon's API): say where, not just "unknown".
    throw new AppError(
      'INVALID_REQUEST',
      '--config is an option of `myagent-manager daemon` (@myagent/cli), which starts this daemon and applies the file',
    );
  }
  try {
    return parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        db: { type: 'string' },
        'database-url': { type: 'string' },
        register: { type: 'string', multiple: true, default: [] },
        'health-interval': { type: 'string' },
        'port-range': { type: 'string' },
        'in-process': { type: 'boolean', default: false },
        'failover-wait': { type: 'string' },
        'unhealthy-grace': { type: 'string' },
        'max-traces': { type: 'string' },
        ...HTTP_FLAGS,
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    }).values;
  } catch (error) {
    throw new AppError('INVALID_REQUEST', (error as Error).message);
  }
}

function parsePortRange(text: string | undefined): { from: number; to: number } | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d{1,5})-(\d{1,5})$/u.exec(text);
  const [from, to] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!(from >= 1 && from <= to && to <= 65_535)) {
    throw new AppError('INVALID_REQUEST', `--port-range must be FROM-TO within 1-65535, got '${text}'`);
  }
  return { from, to };
}

function parseMaxTraces(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = /^\d{1,9}$/u.test(text) ? Number(text) : 0;
  if (!(value >= 1))
    throw new AppError('INVALID_REQUEST', `--max-traces must be a positive integer, got '${text}'`);
  return value;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MANAGER_PORT;
  const port = /^\d{1,5}$/u.test(text) ? Number(text) : -1;
  if (!(port >= 0 && port <= 65_535)) {
    throw new AppError('INVALID_REQUEST', `--port must be a port number within 0-65535, got '${text}'`);
  }
  return port;
}

const nameOf = (file: string) =>
  basename(file, extname(file))
    .replace(/[^\w.-]/gu, '-')
    .slice(0, 64);

/**
 * Registers (once) and starts each file; a failure is printed with its code and the daemon goes on.
 * Resolves with the failures.
 */
async function ensureRegistered(manager: AgentManager, files: readonly string[]): Promise<AppError[]> {
  const failures: AppError[] = [];
  for (const file of files) {
    const name = nameOf(file);
    try {
      const existing = await manager.getServiceByName(name);
      const service =
        existing ??
        (await manager.registerService({ name, agent_factory_path: resolve(file), auto_start: true }));
      if (existing && existing.status !== 'running') await manager.startService(existing.service_id);
      print(`${service.name}: registered from ${file}`);
    } catch (error) {
      const failure = AppError.from(error);
      failures.push(failure);
      print(`${name}: ${coded(failure)}`);
    }
  }
  return failures;
}

/** An error as one line that starts with its code. */
export function coded(error: unknown): string {
  const failure = AppError.from(error);
  return `${failure.code}: ${failure.message.split('\n')[0]}`;
}

function print(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

function describe(service: Service): string {
  const error = service.error_message ? ` (${service.error_message.split('\n')[0]})` : '';
  return `${service.name.padEnd(24)} ${service.status.padEnd(10)} ${service.endpoint}${error}`;
}

/** Hooks of {@link runDaemon} for a program that embeds it (the CLI's `daemon --config`). */
export interface DaemonHooks {
  /**
   * Called once the manager serves and its services are registered, with a token the API accepts when it
   * requires one; a throw stops the daemon with it.
   */
  onReady?: (server: ManagerServer, access: { token?: string }) => Promise<void>;
}

/** Runs the daemon; resolves when it has stopped after a signal. */
export async function runDaemon(argv: string[], hooks: DaemonHooks = {}): Promise<void> {
  const options = parse(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (options.version) {
    // src/daemon.ts and dist/daemon.js both sit one folder below package.json.
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`myagent-manager-daemon/${version}\n`);
    return;
  }
  const host = options.host ?? '127.0.0.1';
  const port = parsePort(options.port);
  const interval = options['health-interval'] === undefined ? undefined : Number(options['health-interval']);
  if (interval !== undefined && !(interval > 0)) {
    throw new AppError('INVALID_REQUEST', `--health-interval must be a positive number of seconds`);
  }
  const wait = options['failover-wait'] === undefined ? undefined : Number(options['failover-wait']);
  if (wait !== undefined && !(wait > 0 && wait <= 3600)) {
    throw new AppError('INVALID_REQUEST', '--failover-wait must be a number of seconds from 0 to 3600');
  }
  const grace = options['unhealthy-grace'] === undefined ? undefined : Number(options['unhealthy-grace']);
  if (grace !== undefined && !(grace > 0 && grace <= 86_400)) {
    throw new AppError('INVALID_REQUEST', '--unhealthy-grace must be a number of seconds from 0 to 86400');
  }
  const http = httpOptions(options, process.env);
  const manager = new AgentManager({
    ...(wait !== undefined && { proxy: { failoverWaitMs: Math.round(wait * 1000) } }),
    ...(grace !== undefined && { unhealthyGraceMs: Math.round(grace * 1000) }),
    ...(http.metricsIntervalMs !== undefined && { metrics: { intervalMs: http.metricsIntervalMs } }),
    portRange: parsePortRange(options['port-range']),
    dbPath: options.db ?? 'agent_manager.db',
    databaseUrl: options['database-url'],
    serverArgs: options['in-process'] ? ['--in-process'] : undefined,
    traces: { maxTraces: parseMaxTraces(options['max-traces'] ?? process.env.MYAGENT_MAX_TRACES) },
  });
  manager.on('status', ({ name, from, to, error_message }) =>
    print(`${name}: ${from} -> ${to}${error_message ? ` (${error_message.split('\n')[0]})` : ''}`),
  );
  let front: ManagerServer | undefined;
  // Set when the daemon stops because it must (its lease was taken over): it then exits non-zero.
  let failure: AppError | undefined;
  let stop: (why: string) => void = () => {};
  manager.on('error', (error) => {
    print(`error: ${coded(error)}`);
    if (AppError.is(error) && error.code === 'MANAGER_LOCKED') {
      failure = error;
      stop('lease lost');
    }
  });
  const stopped = new Promise<void>((done) => {
    let stopping = false;
    stop = (signal: string) => {
      // Ctrl+C under `pnpm start` arrives twice (from the terminal and forwarded by pnpm): one stop is enough.
      if (stopping) return;
      stopping = true;
      print(`${signal}: stopping services`);
      Promise.all([front?.close(), manager.stop()]).then(
        () => done(),
        (error: Error) => {
          print(`error while stopping: ${error.message}`);
          done();
        },
      );
    };
    // `on`, not `once`: execa's signal-exit re-raises a signal that finds no other listener, which would
    // kill the daemon (exit 130) in the middle of its orderly stop.
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  // The port first: a port in use fails at once, before any service is started.
  front = await serveManager(manager, {
    host,
    port,
    ...http.serve,
    upgrades: {
      '/ws': manager.handleUpgrade,
      '/ws/traces': manager.handleTraceUpgrade,
      '/ws/traces/*': manager.handleTraceUpgrade,
    },
  });
  try {
    await manager.start({ healthCheckInterval: interval });
  } catch (error) {
    await front.close();
    throw error;
  }
  print(
    `MyAgent Manager running on ${options['database-url'] ? 'PostgreSQL' : (options.db ?? 'agent_manager.db')}`,
  );
  for (const line of describeUrls(front, (http.serve.tokens ?? []).length > 0)) print(line);
  const failed = await ensureRegistered(manager, options.register);
  if (options.register.length > 0 && failed.length === options.register.length) {
    await Promise.all([front.close(), manager.stop()]);
    const [first] = failed as [AppError];
    throw new AppError(first.code, `every --register failed (${failed.length}); the first: ${first.message}`);
  }
  if (hooks.onReady) {
    try {
      const [first] = http.serve.tokens ?? [];
      await hooks.onReady(front, first ? { token: first.token } : {});
    } catch (error) {
      await Promise.all([front.close(), manager.stop()]);
      throw error;
    }
  }
  const services = await manager.listServices({ limit: 1000 });
  print(
    services.length ? `services:\n  ${services.map(describe).join('\n  ')}` : 'no services registered yet',
  );
  print('press Ctrl+C to stop');
  await stopped;
  if (failure) throw failure;
}
