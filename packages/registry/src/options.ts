import { type LogLine, objectWithMethods, parseOrThrow, type Service } from '@myagent/models';
import * as v from 'valibot';
import type { AgentCheckOptions } from './agent-check.js';
import { DEFAULT_PORT_RANGE } from './ports.js';
import type { LogSink, ServiceStore } from './types.js';

/** A start is ERROR unless a WebSocket ping is answered within this. @default 30 s */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** SIGTERM, then SIGKILL after this. @default 10 s */
export const DEFAULT_STOP_GRACE_MS = 10_000;
/** Lines kept per service in the log sink. @default 10,000 */
export const DEFAULT_MAX_LOG_LINES = 10_000;
/** Captured log lines are written to the sink in batches this often. @default 100 ms */
export const DEFAULT_LOG_FLUSH_MS = 100;
/** The stats of running services are refreshed this often (0: only on demand). @default 5 s */
export const DEFAULT_STATS_INTERVAL_MS = 5_000;

const fn = <T>() => v.custom<T>((value) => typeof value === 'function');
const ms = (fallback: number, min = 0) =>
  v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(min)), fallback);
const port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_535));

/** Options of the auto-restart policy (spec B12), checked with valibot; times in ms. */
export const RestartPolicyOptions = v.object({
  /** Each further restart within the window waits this many times longer. @default 2 */
  backoffFactor: v.optional(v.pipe(v.number(), v.finite(), v.minValue(1)), 2),
  /** The longest wait between restarts (never below the service's own restart_delay). @default 60 s */
  maxDelayMs: ms(60_000),
  /** Restarts older than this no longer count toward max_restart_count. @default 10 min */
  windowMs: ms(600_000),
  /** Running this long without a crash clears the count. @default 60 s */
  healthyResetMs: ms(60_000),
});
export type RestartPolicyOptions = v.InferInput<typeof RestartPolicyOptions>;
/** The policy with every default applied. */
export type ResolvedRestartPolicy = v.InferOutput<typeof RestartPolicyOptions>;

/** Options of {@link createRegistry}, checked with valibot; times in ms. */
export const RegistryOptions = v.object({
  /** Where services live (storage-kysely's `storage.services` fits). */
  store: objectWithMethods<ServiceStore>('store must have get() and save()', 'get', 'save'),
  /** Where captured log lines go (storage-kysely's `storage.logs` fits). */
  logs: objectWithMethods<LogSink>('logs must have append()', 'append'),
  /** The agent server to spawn, e.g. `agentServerCommand()`; `server <file> --host ...` is appended. */
  command: v.object({ command: v.pipe(v.string(), v.minLength(1)), args: v.array(v.string()) }),
  /** Extra flags for every agent server, or per service (e.g. `['--in-process']`). */
  serverArgs: v.optional(v.union([v.array(v.string()), fn<(service: Service) => string[]>()])),
  /** Ports allocated when a service names none. @default 8081-9000 */
  portRange: v.optional(
    v.pipe(
      v.object({ from: port, to: port }),
      v.check((range) => range.from <= range.to, 'portRange.from must not be above portRange.to'),
    ),
    DEFAULT_PORT_RANGE,
  ),
  readyTimeoutMs: ms(DEFAULT_READY_TIMEOUT_MS, 1),
  stopGraceMs: ms(DEFAULT_STOP_GRACE_MS),
  /** The auto-restart policy. @default backoff 2, at most 60 s, a 10 min window, reset after 60 s running */
  restart: v.optional(RestartPolicyOptions, {}),
  maxLogLines: ms(DEFAULT_MAX_LOG_LINES, 1),
  logFlushMs: ms(DEFAULT_LOG_FLUSH_MS, 1),
  statsIntervalMs: ms(DEFAULT_STATS_INTERVAL_MS),
  /** The dry load at registration; `false` skips it (only for callers that checked already). */
  agentCheck: v.optional(
    v.union([
      v.literal(false),
      v.custom<AgentCheckOptions>((value) => typeof value === 'object' && value !== null),
    ]),
  ),
  /** Variables every child gets before the service's own `environment`. @default PATH, HOME, locale... */
  baseEnv: v.optional(v.record(v.string(), v.string())),
  /**
   * Variables every child gets after the base ones and before the service's own (the manager passes the
   * agents' shared state secret, `MYAGENT_STATE_SECRET`, here).
   */
  sharedEnv: v.optional(v.record(v.string(), v.string())),
  /**
   * Sees every captured line first; a line it returns true for is taken out of the logs (the manager
   * claims the agent servers' trace lines this way). A throw counts as false. @default undefined
   */
  claimLine: v.optional(v.custom<(line: LogLine) => boolean>((value) => typeof value === 'function')),
  /** Working directory of the children and base of relative agent paths. @default process.cwd() */
  cwd: v.optional(v.pipe(v.string(), v.minLength(1))),
});
export type RegistryOptions = v.InferInput<typeof RegistryOptions>;
/** The options with every default filled in. */
export type ResolvedRegistryOptions = v.InferOutput<typeof RegistryOptions>;

/** Checks and completes the options; a bad option throws INVALID_REQUEST naming it. */
export function resolveRegistryOptions(options: RegistryOptions): ResolvedRegistryOptions {
  return parseOrThrow(RegistryOptions, options, 'registry options');
}

/** Where the children run and relative agent paths start from. */
export function workingDirectory(options: { cwd?: string }): string {
  return options.cwd ?? process.cwd();
}
