import { AppError } from '@myagent/models';
import type { AgentRuntimeOptions } from '@myagent/ws-runtime';

/** The runtime's memory bounds, passed through as they are (bytes and counts; defaults in ws-runtime). */
export type AgentServerLimits = Pick<
  AgentRuntimeOptions,
  | 'maxEventBytes'
  | 'replayBufferSize'
  | 'replayBufferBytes'
  | 'retiredSessions'
  | 'retiredBytes'
  | 'maxHistoryMessages'
  | 'maxHistoryBytes'
  | 'maxStateBytes'
  | 'maxPendingRuns'
  | 'maxPendingBytes'
  | 'maxBufferedBytes'
  | 'maxSessionsPerConnection'
>;

/** Options of {@link startAgentServer}; times in seconds, as the service config and the flags have them. */
export interface AgentServerOptions extends AgentServerLimits {
  /** Path of the agent module (.ts, .js, .mjs). */
  agentFile: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8081; 0 picks a free port. */
  port?: number;
  debug?: boolean;
  /** Worker threads; default the machine's parallelism. */
  workers?: number;
  /** Run agents in the server's own thread instead of the worker pool. */
  inProcess?: boolean;
  maxSessions?: number;
  sessionTimeout?: number;
  heartbeatInterval?: number;
  runTimeout?: number;
  maxMessageBytes?: number;
  workerMemoryMb?: number;
  /** Runs a worker takes at once; default 1 (a killed run takes nothing else with it). */
  runsPerWorker?: number;
  stateSecret?: string;
  greeting?: boolean;
  /**
   * Print each run's trace events (seed 004) as JSON log lines `{"msg":"trace","trace":{...}}`, which a
   * manager captures from stdout. Default true; `--traces false` or MYAGENT_TRACES=0 turns them off.
   */
  traces?: boolean;
  /** How long SIGTERM lets running turns finish. Default 10 s. */
  drainTimeout?: number;
  /** Drain and exit when this process is gone. */
  parentPid?: number;
  /** Seconds a new connection has to send its first request or upgrade. Default 10; 0 = no limit. */
  handshakeTimeout?: number;
  /** Connections waiting for their first request at once (past it the oldest is closed). Default 512. */
  maxPendingHandshakes?: number;
  /** Open connections per client address; default 0 = unlimited. */
  maxConnectionsPerIp?: number;
  /** Where JSON log lines go; default stdout. */
  write?: (line: string) => void;
}

type Kind = 'string' | 'int' | 'number' | 'boolean';

/** Every flag of `myagent-ws server`, its kind, and so its MYAGENT_<UPPER_SNAKE> variable. */
export const SERVER_FLAGS: Record<string, Kind> = {
  host: 'string',
  port: 'int',
  debug: 'boolean',
  workers: 'int',
  inProcess: 'boolean',
  maxSessions: 'int',
  sessionTimeout: 'number',
  heartbeatInterval: 'number',
  runTimeout: 'number',
  maxMessageBytes: 'int',
  workerMemoryMb: 'int',
  runsPerWorker: 'int',
  stateSecret: 'string',
  greeting: 'boolean',
  traces: 'boolean',
  drainTimeout: 'number',
  parentPid: 'int',
  handshakeTimeout: 'number',
  maxPendingHandshakes: 'int',
  maxConnectionsPerIp: 'int',
  maxEventBytes: 'int',
  replayBufferSize: 'int',
  replayBufferBytes: 'int',
  retiredSessions: 'int',
  retiredBytes: 'int',
  maxHistoryMessages: 'int',
  maxHistoryBytes: 'int',
  maxStateBytes: 'int',
  maxPendingRuns: 'int',
  maxPendingBytes: 'int',
  maxBufferedBytes: 'int',
  maxSessionsPerConnection: 'int',
};

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
/** `maxSessions` -> `MYAGENT_MAX_SESSIONS`. */
export const envName = (name: string) => `MYAGENT_${kebab(name).replace(/-/g, '_').toUpperCase()}`;

function convert(name: string, kind: Kind, raw: unknown, from: string): unknown {
  const where = from === 'flag' ? `--${kebab(name)}` : envName(name);
  if (kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    const text = String(raw).toLowerCase();
    if (['1', 'true', 'yes', 'on', ''].includes(text)) return true;
    if (['0', 'false', 'no', 'off'].includes(text)) return false;
    throw new AppError('INVALID_REQUEST', `${where} must be true or false, got '${raw}'`);
  }
  if (kind === 'string') {
    if (typeof raw === 'boolean') throw new AppError('INVALID_REQUEST', `${where} needs a value`);
    return String(raw);
  }
  const value = Number(raw);
  if (raw === '' || typeof raw === 'boolean' || !Number.isFinite(value) || value < 0) {
    throw new AppError('INVALID_REQUEST', `${where} must be a number >= 0, got '${raw}'`);
  }
  if (kind === 'int' && !Number.isInteger(value)) {
    throw new AppError('INVALID_REQUEST', `${where} must be an integer, got '${raw}'`);
  }
  if (name === 'port' && value > 65_535)
    throw new AppError('INVALID_REQUEST', `${where} must be at most 65535`);
  return value;
}

/**
 * Merges flags over MYAGENT_* environment variables (flags win) into server options.
 * @example resolveServerOptions('agent.ts', { port: 8081 }, process.env)
 */
export function resolveServerOptions(
  agentFile: string,
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): AgentServerOptions {
  const options: Record<string, unknown> = { agentFile };
  for (const [name, kind] of Object.entries(SERVER_FLAGS)) {
    const flag = flags[name];
    const fromEnv = env[envName(name)];
    if (flag !== undefined) options[name] = convert(name, kind, flag, 'flag');
    else if (fromEnv !== undefined && fromEnv !== '') options[name] = convert(name, kind, fromEnv, 'env');
  }
  if (options.stateSecret === undefined && env.MYAGENT_STATE_SECRET)
    options.stateSecret = env.MYAGENT_STATE_SECRET;
  return options as unknown as AgentServerOptions;
}
