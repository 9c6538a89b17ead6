import { DEFAULT_MAX_MESSAGE_BYTES } from '@myagent/models';
import type { LoadedAgent } from './agent-module.js';
import { type ResolvedRuntimeLimits, resolveRuntimeLimits } from './limits.js';
import type { TraceSink } from './traces.js';

/** Where a runtime writes its log lines; the agent server prints them as JSON lines. */
export interface RuntimeLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Options of {@link createAgentRuntime}. Durations are in milliseconds; 0 turns a limit off. */
export interface AgentRuntimeOptions {
  /** The agent, from `loadAgentModule(path)` or `resolveAgent(module)`. */
  agent: LoadedAgent;
  /** `worker` runs each turn in a pool worker thread (needs a module file); default `worker` when possible. */
  mode?: 'worker' | 'in-process';
  /** Pool size in worker mode. Default: the machine's parallelism. */
  workers?: number;
  /** Heap limit per worker in MB (worker mode). Default 256. */
  workerMemoryMb?: number;
  /**
   * Runs a worker takes at once (worker mode). Default 1: a killed run takes nothing else with it; more
   * trades that isolation for throughput (runs sharing a killed worker end with agent.error).
   */
  runsPerWorker?: number;
  /** Sessions at once over all connections; 0 = unlimited (default). */
  maxSessions?: number;
  /** Idle sessions end with `agent.session_end` after this long. Default 1,800,000 (30 min). */
  sessionTimeoutMs?: number;
  /** `system.heartbeat` and WebSocket ping period; a peer missing two pings is closed. Default 30,000. */
  heartbeatIntervalMs?: number;
  /** A run past this ends with `agent.timeout`. Default 600,000 (10 min). */
  runTimeoutMs?: number;
  /** How long a stopped run may take to end before it is killed (worker) or abandoned. Default 2,000. */
  killGraceMs?: number;
  /** Frames over this many bytes get PAYLOAD_TOO_LARGE. Default 1 MiB. */
  maxMessageBytes?: number;
  /** No answer to `agent.user_confirm` within this long counts as a denial. Default 300,000. */
  confirmTimeoutMs?: number;
  /** HMAC secret of exported session states; random per process when unset. */
  stateSecret?: string;
  /** Send `system.connected` on connect (otherwise only for `?greeting=1`). Default false. */
  greeting?: boolean;
  /**
   * Bytes of JSON one outbound event may take; an agent event over it ends as a coded `agent.error`
   * instead. 0 = unlimited. @default 8388608 (8 MiB)
   */
  maxEventBytes?: number;
  /** Outbound session events kept per connection for replay. @default 1,000 */
  replayBufferSize?: number;
  /** Bytes (as sent) of the events kept per connection for replay; the oldest go first. @default 4 MiB */
  replayBufferBytes?: number;
  /** Sessions whose replay events are kept after their connection closed (for a reconnect). @default 10,000 */
  retiredSessions?: number;
  /** Bytes of those kept events, over all closed connections. @default 64 MiB */
  retiredBytes?: number;
  /** Messages kept in a session's history (`state.messages`); the oldest turns go. @default 1,000 */
  maxHistoryMessages?: number;
  /** Bytes (JSON) of a session's history; the oldest turns go. @default 4 MiB */
  maxHistoryBytes?: number;
  /** Bytes (JSON) of a session's `state.data`; a run leaving more ends in `agent.error`, unkept. @default 1 MiB */
  maxStateBytes?: number;
  /** Runs waiting to start, over all sessions; past it `agent.error` INSUFFICIENT_RESOURCES. @default 10,000 */
  maxPendingRuns?: number;
  /** Bytes of the messages of the runs waiting to start. @default 64 MiB */
  maxPendingBytes?: number;
  /** Outbound bytes queued on a socket before the peer is dropped as one that stopped reading. @default 16 MiB */
  maxBufferedBytes?: number;
  /** Sessions one connection may hold at once; past it `agent.error` MAX_SESSIONS. @default 1,000 */
  maxSessionsPerConnection?: number;
  logger?: RuntimeLogger;
  /**
   * Receives the trace events (seed 004) of every run; unset, no trace is derived. The agent server prints
   * them as JSON log lines for the manager. @default undefined
   */
  onTrace?: TraceSink;
}

/** The options with every default filled in. */
export type ResolvedRuntimeOptions = Required<
  Omit<AgentRuntimeOptions, 'stateSecret' | 'workers' | 'logger' | 'onTrace' | keyof ResolvedRuntimeLimits>
> &
  Pick<AgentRuntimeOptions, 'stateSecret' | 'workers' | 'onTrace'> &
  ResolvedRuntimeLimits & { logger: RuntimeLogger };

const silent: RuntimeLogger = { debug() {}, info() {}, warn() {}, error() {} };

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a number >= 0, got ${value}`);
  return value;
}

/** Fills in the defaults and checks the ranges. */
export function resolveRuntimeOptions(options: AgentRuntimeOptions): ResolvedRuntimeOptions {
  return {
    agent: options.agent,
    mode: options.mode ?? (options.agent.path ? 'worker' : 'in-process'),
    workers: options.workers,
    workerMemoryMb: nonNegative('workerMemoryMb', options.workerMemoryMb, 256) || 256,
    runsPerWorker: Math.max(1, Math.floor(nonNegative('runsPerWorker', options.runsPerWorker, 1))),
    maxSessions: nonNegative('maxSessions', options.maxSessions, 0),
    sessionTimeoutMs: nonNegative('sessionTimeoutMs', options.sessionTimeoutMs, 1_800_000),
    heartbeatIntervalMs: nonNegative('heartbeatIntervalMs', options.heartbeatIntervalMs, 30_000),
    runTimeoutMs: nonNegative('runTimeoutMs', options.runTimeoutMs, 600_000),
    killGraceMs: nonNegative('killGraceMs', options.killGraceMs, 2_000),
    maxMessageBytes: nonNegative('maxMessageBytes', options.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES),
    confirmTimeoutMs: nonNegative('confirmTimeoutMs', options.confirmTimeoutMs, 300_000),
    stateSecret: options.stateSecret,
    greeting: options.greeting ?? false,
    ...resolveRuntimeLimits(options as unknown as Record<string, unknown>),
    logger: options.logger ?? silent,
    onTrace: options.onTrace,
  };
}
